//! This process as the console lists it: an ID unique per start, the roles it runs and its
//! version, written every few seconds so the dashboard can tell running processes from stopped
//! ones.

use platform::db::{Db, DbError, col};
use platform::time_util::now_unix;

/// A process of the platform.
#[derive(Clone, Debug)]
pub struct Instance {
    /// Host name and a random suffix: unique per start.
    pub id: String,
    /// When it started (Unix seconds).
    pub started_at: i64,
}

/// A process as last seen.
#[derive(Clone, Debug)]
pub struct Seen {
    /// Its ID.
    pub id: String,
    /// Its roles, comma-separated.
    pub roles: String,
    /// Its version.
    pub version: String,
    /// When it started.
    pub started_at: i64,
    /// When it last wrote its heartbeat.
    pub seen_at: i64,
}

impl Default for Instance {
    fn default() -> Self {
        Self::new()
    }
}

impl Instance {
    /// This process.
    pub fn new() -> Self {
        let host = std::env::var("HOSTNAME")
            .ok()
            .filter(|h| !h.trim().is_empty())
            .unwrap_or_else(|| "host".to_owned());
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        Self {
            id: format!("{host}-{}", &suffix[..8]),
            started_at: now_unix(),
        }
    }

    /// Records that this process, running `roles` (comma-separated), is alive.
    pub async fn heartbeat(&self, db: &Db, roles: &str) -> Result<(), DbError> {
        let mut tx = db.write().await?;
        sqlx::query(
            "INSERT INTO instances (instance, roles, version, started_at, seen_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (instance) DO UPDATE SET roles = excluded.roles, seen_at = excluded.seen_at",
        )
        .bind(&self.id)
        .bind(roles)
        .bind(env!("CARGO_PKG_VERSION"))
        .bind(self.started_at)
        .bind(now_unix())
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }
}

/// Processes seen since `since`, most recently seen first.
pub async fn seen_since(db: &Db, since: i64) -> Result<Vec<Seen>, DbError> {
    let mut tx = db.read().await?;
    let rows = sqlx::query(
        "SELECT instance, roles, version, started_at, seen_at FROM instances WHERE seen_at >= $1 ORDER BY seen_at DESC, instance",
    )
    .bind(since)
    .fetch_all(&mut *tx)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Seen {
                id: col(r, "instance")?,
                roles: col(r, "roles")?,
                version: col(r, "version")?,
                started_at: col(r, "started_at")?,
                seen_at: col(r, "seen_at")?,
            })
        })
        .collect()
}

/// Forgets processes not seen since `before`.
pub async fn forget_before(db: &Db, before: i64) -> Result<u64, DbError> {
    crate::prune::delete_before(db, "DELETE FROM instances WHERE seen_at < $1", before).await
}
