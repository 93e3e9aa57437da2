//! Recent warning and error events of every process, for the console: each process moves what
//! its log capture holds into the database, so the console shows all instances, and each event
//! keeps its request ID, which leads to the audit entries of the same request.

use platform::db::{Db, DbError, col};
use platform::log_capture::LogEvent;

/// An event as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    /// When (milliseconds since the Unix epoch).
    pub at_ms: i64,
    /// The process that logged it.
    pub instance: String,
    /// `warn` or `error`.
    pub level: String,
    /// The module that logged it.
    pub target: String,
    /// The fixed message text.
    pub message: String,
    /// The request it belonged to, or empty.
    pub request_id: String,
}

/// Stores events captured in this process.
pub async fn store(db: &Db, instance: &str, events: &[LogEvent]) -> Result<(), DbError> {
    if events.is_empty() {
        return Ok(());
    }
    let mut tx = db.write().await?;
    for e in events {
        sqlx::query(
            "INSERT INTO log_events (at_ms, instance, level, target, message, request_id) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(e.at_ms)
        .bind(instance)
        .bind(e.level.as_str())
        .bind(&e.target)
        .bind(&e.message)
        .bind(&e.request_id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// The newest events, errors only when `errors_only`, at most `limit`.
pub async fn recent(db: &Db, errors_only: bool, limit: i64) -> Result<Vec<Stored>, DbError> {
    let mut tx = db.read().await?;
    let rows = sqlx::query(
        "SELECT at_ms, instance, level, target, message, request_id FROM log_events \
         WHERE level = 'error' OR $1 = 0 ORDER BY at_ms DESC, id DESC LIMIT $2",
    )
    .bind(i64::from(errors_only))
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Stored {
                at_ms: col(r, "at_ms")?,
                instance: col(r, "instance")?,
                level: col(r, "level")?,
                target: col(r, "target")?,
                message: col(r, "message")?,
                request_id: col(r, "request_id")?,
            })
        })
        .collect()
}

/// Removes events logged before `before_ms`.
pub async fn prune_before(db: &Db, before_ms: i64) -> Result<u64, DbError> {
    crate::prune::delete_before(db, "DELETE FROM log_events WHERE at_ms < $1", before_ms).await
}
