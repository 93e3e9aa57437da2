//! Usage figures: how many customers there are in each state, and sign-ups and active customers
//! per day on the bank's calendar (Japan time). Aggregates only: no personal data is read.
//!
//! The daily series come from the audit trail, which records every sign-up and login: a day is
//! computed from `at_ms` with integer arithmetic both engines share, so no date function of
//! either is needed.

use std::collections::HashMap;

use platform::db::{Db, DbError, col};
use time::{Date, Duration};

/// Milliseconds in a day.
const DAY_MS: i64 = 86_400_000;
/// Japan's offset from UTC in milliseconds (no daylight saving).
const JST_MS: i64 = 9 * 3_600_000;
/// Julian day number of 1970-01-01, to turn day counts since the epoch into dates.
const UNIX_EPOCH_JULIAN_DAY: i64 = 2_440_588;

/// Customers by account state. Premium customers are active ones and are counted in `active`
/// as well.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct CustomerCounts {
    /// Every registered customer.
    pub total: i64,
    /// Address not confirmed yet.
    pub unverified: i64,
    /// Confirmed and usable.
    pub active: i64,
    /// Active with the premium service.
    pub premium: i64,
    /// Blocked by the bank.
    pub disabled: i64,
}

/// One day of the series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Day {
    /// The date in Japan.
    pub date: Date,
    /// Successful sign-ups.
    pub signups: i64,
    /// Customers who logged in at least once.
    pub active: i64,
}

/// Counts customers by state.
pub(crate) async fn customer_counts(db: &Db) -> Result<CustomerCounts, DbError> {
    let mut tx = db.read().await?;
    let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM customers GROUP BY status")
        .fetch_all(&mut *tx)
        .await?;
    let mut counts = CustomerCounts::default();
    for row in &rows {
        let status: String = col(row, "status")?;
        let n: i64 = col(row, "n")?;
        counts.total += n;
        match status.as_str() {
            "unverified" => counts.unverified = n,
            "active" => counts.active = n,
            "disabled" => counts.disabled = n,
            _ => return Err(DbError::Corrupt { column: "status" }),
        }
    }
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM customers c JOIN entitlements e ON e.customer_id = c.id \
         WHERE c.status = 'active' AND e.name = 'premium'",
    )
    .fetch_one(&mut *tx)
    .await?;
    counts.premium = col(&row, "n")?;
    Ok(counts)
}

/// Sign-ups and active customers for each of the `days` days up to and including `today`,
/// oldest first; days without any are 0.
pub(crate) async fn daily(db: &Db, today: Date, days: u16) -> Result<Vec<Day>, DbError> {
    let first = today - Duration::days(i64::from(days.max(1)) - 1);
    let since = day_start_ms(first);
    let mut tx = db.read().await?;
    let signups = per_day(
        &mut tx,
        "SELECT (at_ms + 32400000) / 86400000 AS day, COUNT(*) AS n FROM audit_log \
         WHERE action = 'customer.signup' AND outcome = 'success' AND at_ms >= $1 \
         GROUP BY (at_ms + 32400000) / 86400000",
        since,
    )
    .await?;
    let active = per_day(
        &mut tx,
        "SELECT (at_ms + 32400000) / 86400000 AS day, COUNT(DISTINCT actor) AS n FROM audit_log \
         WHERE action = 'customer.login' AND outcome = 'success' AND at_ms >= $1 \
         GROUP BY (at_ms + 32400000) / 86400000",
        since,
    )
    .await?;
    Ok(fill(first, today, &signups, &active))
}

async fn per_day(
    conn: &mut sqlx::AnyConnection,
    sql: &'static str,
    since_ms: i64,
) -> Result<HashMap<i64, i64>, DbError> {
    let rows = sqlx::query(sql).bind(since_ms).fetch_all(conn).await?;
    rows.iter()
        .map(|r| Ok((col(r, "day")?, col(r, "n")?)))
        .collect()
}

/// Days since 1970-01-01 of a date.
fn day_number(date: Date) -> i64 {
    i64::from(date.to_julian_day()) - UNIX_EPOCH_JULIAN_DAY
}

/// When a day in Japan starts, in milliseconds since the epoch; the inverse of the SQL's
/// `(at_ms + 32400000) / 86400000`.
fn day_start_ms(date: Date) -> i64 {
    day_number(date) * DAY_MS - JST_MS
}

/// One entry per day from `first` to `last`, with the counts found or 0.
fn fill(
    first: Date,
    last: Date,
    signups: &HashMap<i64, i64>,
    active: &HashMap<i64, i64>,
) -> Vec<Day> {
    let mut out = Vec::new();
    let mut date = first;
    while date <= last {
        let n = day_number(date);
        out.push(Day {
            date,
            signups: signups.get(&n).copied().unwrap_or(0),
            active: active.get(&n).copied().unwrap_or(0),
        });
        match date.next_day() {
            Some(next) => date = next,
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    /// The SQL's day of a timestamp, as Rust.
    fn sql_day(at_ms: i64) -> i64 {
        (at_ms + JST_MS) / DAY_MS
    }

    #[test]
    fn days_follow_the_japanese_calendar() {
        let start = datetime!(2026-01-01 00:00 +9).unix_timestamp() * 1000;
        assert_eq!(day_start_ms(date!(2026 - 01 - 01)), start);
        assert_eq!(sql_day(start), day_number(date!(2026 - 01 - 01)));
        assert_eq!(
            sql_day(start - 1),
            day_number(date!(2025 - 12 - 31)),
            "23:59:59.999 JST belongs to the day before"
        );
        let utc_evening = datetime!(2026-01-01 15:30 UTC).unix_timestamp() * 1000;
        assert_eq!(
            sql_day(utc_evening),
            day_number(date!(2026 - 01 - 02)),
            "15:30 UTC is already the next morning in Japan"
        );
        assert_eq!(day_number(date!(1970 - 01 - 01)), 0);
    }

    #[test]
    fn missing_days_are_zero() {
        let first = date!(2026 - 02 - 27);
        let last = date!(2026 - 03 - 02);
        let signups = HashMap::from([(day_number(date!(2026 - 02 - 28)), 4)]);
        let active = HashMap::from([(day_number(last), 2), (day_number(first) - 1, 9)]);
        let days = fill(first, last, &signups, &active);
        assert_eq!(
            days.iter().map(|d| d.date).collect::<Vec<_>>(),
            [
                date!(2026 - 02 - 27),
                date!(2026 - 02 - 28),
                date!(2026 - 03 - 01),
                date!(2026 - 03 - 02)
            ]
        );
        assert_eq!(
            days.iter()
                .map(|d| (d.signups, d.active))
                .collect::<Vec<_>>(),
            [(0, 0), (4, 0), (0, 0), (0, 2)]
        );
    }
}
