//! Jobs only one process may run at a time (alert evaluation, checkpoints, pruning): the holder
//! renews a lease row; when it stops renewing, another worker takes over after the lease runs
//! out. Written as one portable upsert, so SQLite and PostgreSQL behave alike.

use super::{Db, DbError, col};

/// Takes or renews the lease `name` for `holder` until `now + seconds`. True when `holder`
/// holds it afterwards.
pub async fn acquire(
    db: &Db,
    name: &str,
    holder: &str,
    now: i64,
    seconds: i64,
) -> Result<bool, DbError> {
    let mut tx = db.write().await?;
    sqlx::query(
        "INSERT INTO leases (name, holder, until) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until \
         WHERE leases.holder = excluded.holder OR leases.until < $4",
    )
    .bind(name)
    .bind(holder)
    .bind(now + seconds)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let row = sqlx::query("SELECT holder FROM leases WHERE name = $1")
        .bind(name)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(col::<String>(&row, "holder")? == holder)
}

/// Gives the lease `name` up if `holder` has it, so another process need not wait it out.
pub async fn release(db: &Db, name: &str, holder: &str) -> Result<(), DbError> {
    let mut tx = db.write().await?;
    sqlx::query("UPDATE leases SET until = 0 WHERE name = $1 AND holder = $2")
        .bind(name)
        .bind(holder)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}
