//! The record of backup runs in `backup_runs`: what the dashboard lists and the `backup` alert
//! rule reads.

use platform::db::{Db, DbError, col};
use platform::time_util::now_unix;

/// Why a run started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The schedule's instant (Unix seconds) came.
    Schedule(i64),
    /// Someone ran `assetstatus backup`.
    Manual,
}

/// How a run's test restore came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Drill {
    /// The restored copy equals the manifest.
    Passed,
    /// It does not, or the restore failed.
    Failed,
    /// Drills are turned off.
    Skipped,
}

impl Drill {
    fn as_str(self) -> &'static str {
        match self {
            Drill::Passed => "passed",
            Drill::Failed => "failed",
            Drill::Skipped => "skipped",
        }
    }
}

/// A finished run's figures.
#[derive(Clone, Debug, Default)]
pub struct Figures {
    /// Name of the backup, once one was written.
    pub name: Option<String>,
    /// Archive size.
    pub bytes: Option<u64>,
    /// Rows backed up.
    pub records: Option<u64>,
    /// Document objects backed up.
    pub documents: Option<u64>,
}

/// One row of `backup_runs`, for the console.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    /// Run ID.
    pub id: String,
    /// `schedule` or `manual`.
    pub reason: String,
    /// Start (Unix seconds).
    pub started_at: i64,
    /// End, unless still running.
    pub finished_at: Option<i64>,
    /// `running`, `succeeded` or `failed`.
    pub status: String,
    /// What happened, in words.
    pub detail: String,
    /// Name of the backup.
    pub name: Option<String>,
    /// Archive size.
    pub bytes: Option<i64>,
    /// Rows backed up.
    pub records: Option<i64>,
    /// Objects backed up.
    pub documents: Option<i64>,
    /// `passed`, `failed` or `skipped`.
    pub drill: Option<String>,
    /// Where the copies went.
    pub destinations: String,
}

/// Records a run as started; `None` when a run for the same scheduled instant is in progress
/// or succeeded (another worker took it).
pub async fn start(db: &Db, reason: Reason, destinations: &str) -> Result<Option<String>, DbError> {
    let id = uuid::Uuid::new_v4().to_string();
    let (reason_text, slot) = match reason {
        Reason::Schedule(slot) => ("schedule", Some(slot)),
        Reason::Manual => ("manual", None),
    };
    let mut tx = db.write().await?;
    let inserted = sqlx::query(
        "INSERT INTO backup_runs (id, reason, slot, scheduled_for, started_at, status, detail, destinations) \
         VALUES ($1, $2, $3, $3, $4, 'running', '', $5) ON CONFLICT (slot) DO NOTHING",
    )
    .bind(&id)
    .bind(reason_text)
    .bind(slot)
    .bind(now_unix())
    .bind(destinations)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok((inserted == 1).then_some(id))
}

/// Whether the scheduled instant `slot` still needs a run at `now`: no run for it succeeded
/// and no failed run for it asked to wait until later. A run recorded as in progress does not
/// settle it: the backup lease tells whether that run is still alive, and the next holder of
/// the lease closes it as interrupted when it is not.
pub async fn slot_due(db: &Db, slot: i64, now: i64) -> Result<bool, DbError> {
    let mut tx = db.read().await?;
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM backup_runs \
         WHERE (slot = $1 AND status = 'succeeded') OR (scheduled_for = $1 AND retry_at > $2)",
    )
    .bind(slot)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    Ok(col::<i64>(&row, "n")? == 0)
}

/// What a detail says of a run whose process stopped or died before it was complete.
pub const INTERRUPTED: &str = "interrupted: the process stopped before the backup was complete";

/// Marks runs left `running` by a process that stopped as failed and gives their scheduled
/// instants up, to be taken over at once; called by the lease holder, so no other run can be
/// in progress.
pub async fn close_interrupted(db: &Db) -> Result<u64, DbError> {
    let now = now_unix();
    let mut tx = db.write().await?;
    let done = sqlx::query(
        "UPDATE backup_runs SET status = 'failed', finished_at = $1, detail = $2, slot = NULL, \
         retry_at = $1 WHERE status = 'running'",
    )
    .bind(now)
    .bind(INTERRUPTED)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(done)
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// The backup is complete (and its drill passed, when drills are on).
    Succeeded,
    /// It failed; a scheduled instant may be tried again from `retry_at` (Unix seconds).
    Failed {
        /// When the instant may be tried again.
        retry_at: i64,
    },
}

/// Records how a run ended. A failed run gives its scheduled instant up.
pub async fn finish(
    db: &Db,
    id: &str,
    ending: Ending,
    detail: &str,
    figures: &Figures,
    drill: Option<Drill>,
) -> Result<(), DbError> {
    let as_i64 = |v: Option<u64>| v.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
    let (status, retry_at) = match ending {
        Ending::Succeeded => ("succeeded", None),
        Ending::Failed { retry_at } => ("failed", Some(retry_at)),
    };
    let mut tx = db.write().await?;
    sqlx::query(
        "UPDATE backup_runs SET status = $1, finished_at = $2, detail = $3, name = $4, \
         bytes = $5, records = $6, documents = $7, drill = $8, retry_at = $9, \
         slot = CASE WHEN $1 = 'succeeded' THEN slot ELSE NULL END WHERE id = $10",
    )
    .bind(status)
    .bind(now_unix())
    .bind(detail)
    .bind(figures.name.clone())
    .bind(as_i64(figures.bytes))
    .bind(as_i64(figures.records))
    .bind(as_i64(figures.documents))
    .bind(drill.map(Drill::as_str))
    .bind(retry_at)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// The newest runs, newest first.
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<Run>, DbError> {
    let mut tx = db.read().await?;
    let rows = sqlx::query(
        "SELECT id, reason, started_at, finished_at, status, detail, name, bytes, records, \
         documents, drill, destinations FROM backup_runs ORDER BY started_at DESC, id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Run {
                id: col(r, "id")?,
                reason: col(r, "reason")?,
                started_at: col(r, "started_at")?,
                finished_at: col(r, "finished_at")?,
                status: col(r, "status")?,
                detail: col(r, "detail")?,
                name: col(r, "name")?,
                bytes: col(r, "bytes")?,
                records: col(r, "records")?,
                documents: col(r, "documents")?,
                drill: col(r, "drill")?,
                destinations: col(r, "destinations")?,
            })
        })
        .collect()
}
