//! Retention: deleting entries older than the retention period without losing the ability to
//! verify what remains.
//!
//! Entries go only up to a signed checkpoint, so the first remaining entry links to a hash the
//! checkpoint vouches for. The database refuses deletes from `audit_log` unless the transaction
//! holds the row in `audit_prune_permit`, which exists only inside [`prune`]'s transaction.

use crate::db::{Db, DbError, col};

/// Deletes the entries up to and including the newest checkpoint whose entry is older than
/// `older_than_ms` (milliseconds since the Unix epoch) and still carries the checkpoint's hash,
/// and returns how many were deleted. Everything up to that checkpoint goes, even an entry
/// stamped later because the clock stepped back, since a hole would break the chain.
/// Checkpoint rows are kept: verification checks their signatures and starts from them.
pub async fn prune(db: &Db, older_than_ms: i64) -> Result<u64, DbError> {
    let mut tx = db.write().await?;
    let anchor = sqlx::query(
        "SELECT c.seq FROM audit_checkpoints c JOIN audit_log l ON l.seq = c.seq \
         WHERE l.at_ms < $1 AND l.hash = c.hash ORDER BY c.seq DESC LIMIT 1",
    )
    .bind(older_than_ms)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(anchor) = anchor else {
        return Ok(0);
    };
    let up_to: i64 = col(&anchor, "seq")?;
    sqlx::query("INSERT INTO audit_prune_permit (id) VALUES (1)")
        .execute(&mut *tx)
        .await?;
    let removed = sqlx::query("DELETE FROM audit_log WHERE seq <= $1")
        .bind(up_to)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query("DELETE FROM audit_prune_permit WHERE id = 1")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    if removed > 0 {
        tracing::info!(removed, up_to_seq = up_to, "audit entries pruned");
    }
    Ok(removed)
}
