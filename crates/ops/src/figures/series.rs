//! Reading figures back for the dashboard and the alert rules: per-minute rows added up over
//! processes into buckets (one minute for the last hour, fifteen for the last day, two hours for
//! the last week), logins from the audit trail, and latency percentiles from the summed
//! histogram buckets (percentiles cannot be averaged, bucket counts can).

use std::collections::HashMap;

use edge::{LATENCY_BUCKETS, latency_bound};
use platform::db::{Db, DbError, col};

use super::{metric, minute_of};

/// How far back the dashboard looks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Range {
    /// The last hour, per minute.
    #[default]
    Hour,
    /// The last 24 hours, per 15 minutes.
    Day,
    /// The last 7 days, per 2 hours.
    Week,
}

impl Range {
    /// Every range, for the selector.
    pub const ALL: [Range; 3] = [Range::Hour, Range::Day, Range::Week];

    /// The code used in URLs.
    pub fn code(self) -> &'static str {
        match self {
            Range::Hour => "1h",
            Range::Day => "24h",
            Range::Week => "7d",
        }
    }

    /// The range a URL code names.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Minutes per bucket.
    pub fn bucket_minutes(self) -> i64 {
        match self {
            Range::Hour => 1,
            Range::Day => 15,
            Range::Week => 120,
        }
    }

    /// Number of buckets.
    pub fn buckets(self) -> i64 {
        match self {
            Range::Hour => 60,
            Range::Day => 96,
            Range::Week => 84,
        }
    }
}

/// One series of values, one per bucket; `None` where nothing was recorded.
pub type Values = Vec<Option<f64>>;

/// Everything the dashboard charts, over one range.
#[derive(Clone, Debug, Default)]
pub struct Series {
    /// The range.
    pub range: Range,
    /// Start of each bucket (Unix seconds).
    pub starts: Vec<i64>,
    /// Requests per minute.
    pub requests: Values,
    /// Server errors in percent of requests.
    pub error_percent: Values,
    /// Latency percentiles in milliseconds.
    pub p50: Values,
    /// 95th percentile.
    pub p95: Values,
    /// 99th percentile.
    pub p99: Values,
    /// Successful logins (customers and staff).
    pub logins: Values,
    /// Failed logins.
    pub login_failures: Values,
    /// Bearer tokens refused.
    pub token_failures: Values,
    /// Firewall matches.
    pub waf_matches: Values,
    /// Requests refused by rate limits.
    pub rate_limited: Values,
    /// Messages waiting in the outbox.
    pub outbox_depth: Values,
    /// Age of the oldest waiting message, seconds.
    pub outbox_oldest: Values,
    /// Database size, bytes.
    pub database_bytes: Values,
    /// Least free disk space over the processes, bytes.
    pub disk_free: Values,
}

/// Sums of a bucket: total, highest and lowest row, per metric.
#[derive(Clone, Copy, Debug, Default)]
struct Cell {
    total: i64,
    high: i64,
    low: i64,
}

/// The series of `range` ending with the bucket that holds `now`.
pub async fn load(db: &Db, range: Range, now: i64) -> Result<Series, DbError> {
    let width = range.bucket_minutes();
    let last = minute_of(now).div_euclid(width);
    let first = last - range.buckets() + 1;
    let cells = bucket_cells(db, width, first).await?;
    let logins = login_counts(db, width, first).await?;
    let mut s = Series {
        range,
        ..Series::default()
    };
    for bucket in first..=last {
        s.starts.push(bucket * width * 60);
        let get = |name: &str| cells.get(&(bucket, name.to_owned())).copied();
        let count = |name: &str| Some(get(name).map_or(0, |c| c.total) as f64);
        let requests = get(metric::REQUESTS).map_or(0, |c| c.total);
        s.requests.push(Some(requests as f64 / width as f64));
        s.error_percent.push((requests > 0).then(|| {
            get(metric::SERVER_ERRORS).map_or(0, |c| c.total) as f64 * 100.0 / requests as f64
        }));
        let histogram: Vec<i64> = (0..=LATENCY_BUCKETS)
            .map(|i| get(&metric::latency(i)).map_or(0, |c| c.total))
            .collect();
        s.p50.push(percentile(&histogram, 0.50));
        s.p95.push(percentile(&histogram, 0.95));
        s.p99.push(percentile(&histogram, 0.99));
        let (ok, failed) = logins.get(&bucket).copied().unwrap_or((0, 0));
        s.logins.push(Some(ok as f64));
        s.login_failures.push(Some(failed as f64));
        s.token_failures.push(count(metric::TOKEN_FAILURES));
        s.waf_matches.push(count(metric::WAF_MATCHES));
        s.rate_limited.push(count(metric::RATE_LIMITED));
        let high = |name: &str| get(name).map(|c| c.high as f64);
        s.outbox_depth.push(high(metric::OUTBOX_DEPTH));
        s.outbox_oldest.push(high(metric::OUTBOX_OLDEST));
        s.database_bytes.push(high(metric::DATABASE_BYTES));
        s.disk_free
            .push(get(metric::DISK_FREE).map(|c| c.low as f64));
    }
    Ok(s)
}

/// Per bucket and metric: the sum over processes and minutes, and the highest and lowest row.
/// (PostgreSQL sums `BIGINT` into `NUMERIC`, hence the casts back.)
async fn bucket_cells(
    db: &Db,
    width: i64,
    first: i64,
) -> Result<HashMap<(i64, String), Cell>, DbError> {
    let mut tx = db.read().await?;
    let rows = sqlx::query(
        "SELECT minute / $1 AS bucket, metric, CAST(SUM(value) AS BIGINT) AS total, MAX(value) AS high, MIN(value) AS low \
         FROM metric_samples WHERE minute >= $2 GROUP BY 1, 2",
    )
    .bind(width)
    .bind(first * width)
    .fetch_all(&mut *tx)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                (col(r, "bucket")?, col(r, "metric")?),
                Cell {
                    total: col(r, "total")?,
                    high: col(r, "high")?,
                    low: col(r, "low")?,
                },
            ))
        })
        .collect()
}

/// Successful and failed logins of customers and staff per bucket, from the audit trail.
async fn login_counts(
    db: &Db,
    width: i64,
    first: i64,
) -> Result<HashMap<i64, (i64, i64)>, DbError> {
    let bucket_ms = width * 60_000;
    let mut tx = db.read().await?;
    let rows = sqlx::query(
        "SELECT at_ms / $1 AS bucket, outcome, COUNT(*) AS n FROM audit_log \
         WHERE action IN ('customer.login', 'staff.login', 'staff.login_password', 'staff.login_federated') AND at_ms >= $2 GROUP BY 1, 2",
    )
    .bind(bucket_ms)
    .bind(first * bucket_ms)
    .fetch_all(&mut *tx)
    .await?;
    let mut out: HashMap<i64, (i64, i64)> = HashMap::new();
    for r in &rows {
        let bucket: i64 = col(r, "bucket")?;
        let outcome: String = col(r, "outcome")?;
        let n: i64 = col(r, "n")?;
        let cell = out.entry(bucket).or_default();
        if outcome == "success" {
            cell.0 += n;
        } else {
            cell.1 += n;
        }
    }
    Ok(out)
}

/// Sums of every counter from `from_minute` on, over all processes: what the alert rules need.
pub async fn totals_since(db: &Db, from_minute: i64) -> Result<HashMap<String, i64>, DbError> {
    let mut tx = db.read().await?;
    let rows = sqlx::query(
        "SELECT metric, CAST(SUM(value) AS BIGINT) AS total FROM metric_samples WHERE minute >= $1 GROUP BY metric",
    )
    .bind(from_minute)
    .fetch_all(&mut *tx)
    .await?;
    rows.iter()
        .map(|r| Ok((col(r, "metric")?, col(r, "total")?)))
        .collect()
}

/// The latency histogram inside `totals`.
pub fn histogram(totals: &HashMap<String, i64>) -> Vec<i64> {
    (0..=LATENCY_BUCKETS)
        .map(|i| totals.get(&metric::latency(i)).copied().unwrap_or(0))
        .collect()
}

/// The `q` quantile in milliseconds from bucket counts: the upper bound of the bucket the
/// quantile falls in (the slowest bucket counts as twice the last bound). `None` without data.
pub fn percentile(buckets: &[i64], q: f64) -> Option<f64> {
    let total: i64 = buckets.iter().sum();
    if total <= 0 {
        return None;
    }
    let rank = (q * total as f64).ceil().max(1.0) as i64;
    let mut seen = 0;
    for (i, n) in buckets.iter().enumerate() {
        seen += n;
        if seen >= rank {
            let bound = if i < LATENCY_BUCKETS {
                latency_bound(i)
            } else {
                latency_bound(LATENCY_BUCKETS - 1) * 2.0
            };
            return Some(bound * 1000.0);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_come_from_the_bucket_the_rank_falls_in() {
        let mut buckets = vec![0; LATENCY_BUCKETS + 1];
        buckets[2] = 90;
        buckets[6] = 9;
        buckets[LATENCY_BUCKETS] = 1;
        assert_eq!(percentile(&buckets, 0.5), Some(1.0));
        assert_eq!(percentile(&buckets, 0.95), Some(16.0));
        assert_eq!(percentile(&buckets, 0.99), Some(16.0));
        assert_eq!(percentile(&buckets, 1.0), Some(16_384.0));
        assert_eq!(percentile(&[0; LATENCY_BUCKETS + 1], 0.5), None);
    }

    #[test]
    fn range_codes_round_trip() {
        for r in Range::ALL {
            assert_eq!(Range::from_code(r.code()), Some(r));
        }
        assert_eq!(Range::from_code("2h"), None);
        assert_eq!(Range::Day.buckets() * Range::Day.bucket_minutes(), 24 * 60);
        assert_eq!(
            Range::Week.buckets() * Range::Week.bucket_minutes(),
            7 * 24 * 60
        );
    }
}
