//! Removing rows past their retention: each store names its table and column, this runs the
//! statement in a transaction of its own.

use platform::db::{Db, DbError};

/// Runs `sql` (a `DELETE … WHERE column < $1`) with `bound`; returns how many rows went.
pub(crate) async fn delete_before(db: &Db, sql: &'static str, bound: i64) -> Result<u64, DbError> {
    let mut tx = db.write().await?;
    let done = sqlx::query(sql).bind(bound).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(done.rows_affected())
}
