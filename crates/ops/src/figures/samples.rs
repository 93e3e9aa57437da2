//! Writing figures: a process adds what its [`edge::Tally`] counted since the last flush to its
//! own row of the current minute, and overwrites gauges. When the database refuses, the counts
//! go back into the tally, so none is lost or counted twice.

use edge::{HttpMetrics, LATENCY_BUCKETS, TallySnapshot};
use platform::db::{Db, DbError, WriteTx};

use super::metric;

/// Adds this process's counts since the last flush to `minute`.
pub async fn flush(
    db: &Db,
    instance: &str,
    minute: i64,
    metrics: &HttpMetrics,
) -> Result<(), DbError> {
    let taken = metrics.tally().take();
    match add_counters(db, instance, minute, &taken).await {
        Ok(()) => Ok(()),
        Err(e) => {
            metrics.tally().restore(&taken);
            Err(e)
        }
    }
}

fn counters(s: &TallySnapshot) -> Vec<(String, u64)> {
    let mut out = vec![
        (metric::REQUESTS.to_owned(), s.requests),
        (metric::SERVER_ERRORS.to_owned(), s.server_errors),
        (metric::RATE_LIMITED.to_owned(), s.rate_limited),
        (metric::WAF_MATCHES.to_owned(), s.waf_matches),
        (metric::WAF_BLOCKS.to_owned(), s.waf_blocks),
        (metric::TOKEN_FAILURES.to_owned(), s.token_failures),
    ];
    out.extend((0..=LATENCY_BUCKETS).map(|i| (metric::latency(i), s.latency[i])));
    out.retain(|(_, n)| *n > 0);
    out
}

async fn add_counters(
    db: &Db,
    instance: &str,
    minute: i64,
    taken: &TallySnapshot,
) -> Result<(), DbError> {
    let rows = counters(taken);
    if rows.is_empty() {
        return Ok(());
    }
    let mut tx = db.write().await?;
    for (name, n) in rows {
        upsert(
            &mut tx,
            minute,
            &name,
            instance,
            i64::try_from(n).unwrap_or(i64::MAX),
            true,
        )
        .await?;
    }
    tx.commit().await
}

/// Overwrites gauges of `instance` for `minute`.
pub async fn set_gauges(
    db: &Db,
    instance: &str,
    minute: i64,
    gauges: &[(&str, i64)],
) -> Result<(), DbError> {
    let mut tx = db.write().await?;
    for (name, value) in gauges {
        upsert(&mut tx, minute, name, instance, *value, false).await?;
    }
    tx.commit().await
}

async fn upsert(
    tx: &mut WriteTx,
    minute: i64,
    name: &str,
    instance: &str,
    value: i64,
    add: bool,
) -> Result<(), DbError> {
    let sql = if add {
        "INSERT INTO metric_samples (minute, metric, instance, value) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (minute, metric, instance) DO UPDATE SET value = metric_samples.value + excluded.value"
    } else {
        "INSERT INTO metric_samples (minute, metric, instance, value) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (minute, metric, instance) DO UPDATE SET value = excluded.value"
    };
    sqlx::query(sql)
        .bind(minute)
        .bind(name)
        .bind(instance)
        .bind(value)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Removes figures older than `minute`.
pub async fn prune_before(db: &Db, minute: i64) -> Result<u64, DbError> {
    crate::prune::delete_before(db, "DELETE FROM metric_samples WHERE minute < $1", minute).await
}
