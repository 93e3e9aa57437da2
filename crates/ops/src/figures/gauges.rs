//! Gauges read from the system: the outbox's backlog and the database's size (the same for
//! every process, so the worker takes them), and the free space of this process's disk.

use std::path::Path;

use platform::db::{Backend, Db, DbError, col};

/// Messages waiting in the outbox and the age of the oldest, in seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Backlog {
    /// Pending or being sent.
    pub depth: i64,
    /// Seconds since the oldest of them was queued; 0 when none waits.
    pub oldest_seconds: i64,
}

/// The outbox's backlog at `now`.
pub async fn outbox(db: &Db, now: i64) -> Result<Backlog, DbError> {
    let mut tx = db.read().await?;
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM mail_outbox WHERE status IN ('pending', 'sending')",
    )
    .fetch_one(&mut *tx)
    .await?;
    let depth: i64 = col(&row, "n")?;
    let oldest: Option<i64> = col(&row, "oldest")?;
    Ok(Backlog {
        depth,
        oldest_seconds: oldest.map_or(0, |t| (now - t).max(0)),
    })
}

/// The database's size in bytes, as the engine reports it.
pub async fn database_bytes(db: &Db) -> Result<i64, DbError> {
    let sql = match db.backend() {
        Backend::Sqlite => {
            "SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()"
        }
        Backend::Postgres => "SELECT pg_database_size(current_database()) AS bytes",
    };
    let mut tx = db.read().await?;
    let row = sqlx::query(sql).fetch_one(&mut *tx).await?;
    col(&row, "bytes")
}

/// Free and total bytes of the disk holding `dir`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Disk {
    /// Bytes available to this process.
    pub free: u64,
    /// Size of the file system.
    pub total: u64,
}

impl Disk {
    /// Free space in percent of the total.
    pub fn free_percent(&self) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        self.free as f64 * 100.0 / self.total as f64
    }
}

/// The disk holding `dir`.
pub fn disk(dir: &Path) -> std::io::Result<Disk> {
    let stats = fs4::statvfs(dir)?;
    Ok(Disk {
        free: stats.available_space(),
        total: stats.total_space(),
    })
}
