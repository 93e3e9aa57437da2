//! The state of each dependency, probed with a short timeout each: the database, the document
//! store, the mail server and the data directory's disk. The dashboard shows them; the alert
//! rules use the same probes.

use std::future::Future;
use std::time::Duration;

use platform::db::{Backend, Db, DbError, col};

use crate::Ops;
use crate::figures::gauges::{self, Disk};

/// How long one probe may take before the dependency counts as down.
const TIMEOUT: Duration = Duration::from_secs(3);

/// A dependency the platform needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dependency {
    /// The database (SQLite file or PostgreSQL).
    Database,
    /// The identity-document store (directory or S3).
    Documents,
    /// The SMTP server (or the mail directory).
    Mail,
    /// The data directory's disk.
    Disk,
}

impl Dependency {
    /// Every dependency, in the order the dashboard lists them.
    pub const ALL: [Dependency; 4] = [
        Dependency::Database,
        Dependency::Documents,
        Dependency::Mail,
        Dependency::Disk,
    ];

    /// Stable code, for message keys.
    pub fn code(self) -> &'static str {
        match self {
            Dependency::Database => "database",
            Dependency::Documents => "documents",
            Dependency::Mail => "mail",
            Dependency::Disk => "disk",
        }
    }
}

/// How a dependency is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Health {
    /// Working.
    Ok,
    /// Working, but close to a limit (disk nearly full).
    Warning,
    /// Not answering.
    Down,
}

impl Health {
    /// Stable code, for message keys and CSS classes.
    pub fn code(self) -> &'static str {
        match self {
            Health::Ok => "ok",
            Health::Warning => "warn",
            Health::Down => "down",
        }
    }
}

/// One probed dependency.
#[derive(Clone, Debug)]
pub struct Check {
    /// Which.
    pub dependency: Dependency,
    /// Its state.
    pub health: Health,
    /// The disk's space, for the disk.
    pub disk: Option<Disk>,
    /// What was found when it is more than "answers" or "does not answer": the message key
    /// of a state that replaces the health's own name (`ops-health-<note>`) and of its detail
    /// (`ops-probe-<note>`).
    pub note: Option<&'static str>,
}

async fn within<F, T, E>(probe: F) -> bool
where
    F: Future<Output = Result<T, E>>,
{
    matches!(tokio::time::timeout(TIMEOUT, probe).await, Ok(Ok(_)))
}

/// Whether the database answers.
pub async fn database(db: &Db) -> bool {
    within(db.ping()).await
}

/// Whether the document store answers.
pub async fn documents(ops: &Ops) -> bool {
    within(ops.vault.probe()).await
}

/// Whether the mail server greets.
pub async fn mail(ops: &Ops) -> bool {
    matches!(
        tokio::time::timeout(TIMEOUT, ops.mailer.probe()).await,
        Ok(Ok(true))
    )
}

/// Whether the database stores a write (the readiness probe's one-row write).
pub async fn database_writable(db: &Db) -> bool {
    within(db.probe_write()).await
}

/// Every dependency; the disk is a warning below `warn_percent` free. A database that answers
/// but refuses the probe's write is down, with a note that says so.
pub async fn all(ops: &Ops, warn_percent: f64) -> Vec<Check> {
    let (db_up, documents_up, mail_up) = tokio::join!(database(&ops.db), documents(ops), mail(ops));
    let up = |ok: bool| if ok { Health::Ok } else { Health::Down };
    let (db_health, db_note) = if db_up && !database_writable(&ops.db).await {
        (Health::Down, Some("not-writable"))
    } else {
        (up(db_up), None)
    };
    let disk = gauges::disk(&ops.data_dir).ok();
    let disk_health = match disk {
        None => Health::Down,
        Some(d) if d.free_percent() < warn_percent => Health::Warning,
        Some(_) => Health::Ok,
    };
    vec![
        Check {
            dependency: Dependency::Database,
            health: db_health,
            disk: None,
            note: db_note,
        },
        Check {
            dependency: Dependency::Documents,
            health: up(documents_up),
            disk: None,
            note: None,
        },
        Check {
            dependency: Dependency::Mail,
            health: up(mail_up),
            disk: None,
            note: None,
        },
        Check {
            dependency: Dependency::Disk,
            health: disk_health,
            disk,
            note: None,
        },
    ]
}

/// A finished backup run, as the dashboard and the `backup` alert rule read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupRun {
    /// When it finished (Unix seconds).
    pub finished_at: i64,
    /// True when it succeeded; a run whose test restore failed is recorded as failed.
    pub succeeded: bool,
    /// Name of the backup, once one was written.
    pub name: Option<String>,
    /// Archive size in bytes, once one was written.
    pub bytes: Option<i64>,
}

/// The most recent finished backup run (succeeded or failed), if any.
pub async fn last_backup(db: &Db) -> Result<Option<BackupRun>, DbError> {
    newest_finished(db, "status <> 'running'").await
}

/// The most recent successful backup run, if any.
pub async fn last_good_backup_run(db: &Db) -> Result<Option<BackupRun>, DbError> {
    newest_finished(db, "status = 'succeeded'").await
}

/// The newest finished run matching `condition`, one of the constant conditions above.
async fn newest_finished(db: &Db, condition: &'static str) -> Result<Option<BackupRun>, DbError> {
    let sql = format!(
        "SELECT finished_at, status, name, bytes FROM backup_runs \
         WHERE finished_at IS NOT NULL AND {condition} \
         ORDER BY finished_at DESC, started_at DESC, id LIMIT 1"
    );
    let mut tx = db.read().await?;
    let row = sqlx::query(&sql).fetch_optional(&mut *tx).await?;
    row.map(|r| {
        Ok(BackupRun {
            finished_at: col(&r, "finished_at")?,
            succeeded: col::<String>(&r, "status")? == "succeeded",
            name: col(&r, "name")?,
            bytes: col(&r, "bytes")?,
        })
    })
    .transpose()
}

/// When the last successful backup finished, if ever.
pub async fn last_good_backup(db: &Db) -> Result<Option<i64>, DbError> {
    let mut tx = db.read().await?;
    let row =
        sqlx::query("SELECT MAX(finished_at) AS at FROM backup_runs WHERE status = 'succeeded'")
            .fetch_one(&mut *tx)
            .await?;
    col(&row, "at")
}

/// The schema migration that redefined `backup_runs` for the application's own backups.
const BACKUP_RUNS_MIGRATION: i64 = 13;

/// When this installation began recording its backup runs: when the migration that redefined
/// `backup_runs` was applied (the installation itself, or the upgrade to that release). `None`
/// when the migration table does not say.
pub async fn backups_recorded_since(db: &Db) -> Result<Option<i64>, DbError> {
    let sql = match db.backend() {
        Backend::Sqlite => {
            "SELECT CAST(strftime('%s', installed_on) AS INTEGER) AS at \
             FROM _sqlx_migrations WHERE version = $1"
        }
        Backend::Postgres => {
            "SELECT CAST(EXTRACT(EPOCH FROM installed_on) AS BIGINT) AS at \
             FROM _sqlx_migrations WHERE version = $1"
        }
    };
    let mut tx = db.read().await?;
    let row = sqlx::query(sql)
        .bind(BACKUP_RUNS_MIGRATION)
        .fetch_optional(&mut *tx)
        .await?;
    match row {
        Some(r) => col(&r, "at"),
        None => Ok(None),
    }
}

/// When this installation first started: the creation of its first system key.
pub async fn installed_at(db: &Db) -> Result<i64, DbError> {
    let mut tx = db.read().await?;
    let row = sqlx::query("SELECT MIN(created_at) AS at FROM system_keys")
        .fetch_one(&mut *tx)
        .await?;
    Ok(col::<Option<i64>>(&row, "at")?.unwrap_or(0))
}
