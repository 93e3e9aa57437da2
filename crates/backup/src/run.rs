//! One backup run as the schedule and `assetstatus backup` start it: under the `backup` lease
//! (one run at a time over all processes), recorded in `backup_runs` and the audit trail, the
//! new backup test-restored, and old backups pruned once it is good.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use platform::audit::{self, Actor, Event, Outcome, RequestMeta, Target};
use platform::config::BackupConfig;
use platform::crypto::Keyring;
use platform::db::{Db, DbError, col, lease};
use platform::time_util::now_unix;

use crate::create::{self, Sources};
use crate::manifest::Manifest;
use crate::runs::{self, Drill, Ending, Figures, Reason};
use crate::{BackupError, Destination, Progress, drill, retention};

/// Name of the lease a running backup holds.
pub const LEASE: &str = "backup";
/// Incomplete backups older than this are leftovers of interrupted runs and are removed.
const LEFTOVER_SECONDS: i64 = 86_400;

/// Everything a run needs.
pub struct Backups {
    /// The live database.
    pub db: Db,
    /// The live document store.
    pub vault: Arc<documents::Vault>,
    /// The keyring, for the master key.
    pub keyring: Arc<Keyring>,
    /// `[backup]`.
    pub config: BackupConfig,
    /// Where the local destination lives by default.
    pub data_dir: PathBuf,
    /// Who runs it, for the lease: the process's instance name.
    pub holder: String,
}

/// What a successful run did.
#[derive(Debug)]
pub struct Report {
    /// The backup's manifest.
    pub manifest: Manifest,
    /// Where copies were written.
    pub destinations: Vec<String>,
    /// The test restore's result.
    pub drill: Drill,
    /// Old backups removed by retention.
    pub pruned: usize,
}

impl Backups {
    /// Runs a backup now. `Ok(None)` when the scheduled instant was already taken by another
    /// worker; a failure is recorded (and alerted on) before it is returned.
    pub async fn run(
        &self,
        reason: Reason,
        progress: &dyn Progress,
    ) -> Result<Option<Report>, BackupError> {
        self.run_until(reason, progress, std::future::pending())
            .await
    }

    /// [`Backups::run`], given up when `stop` resolves (the process is shutting down): the
    /// run is recorded as interrupted and the lease released, so that another worker takes
    /// the scheduled instant over at once instead of after the lease.
    pub async fn run_until(
        &self,
        reason: Reason,
        progress: &dyn Progress,
        stop: impl Future<Output = ()>,
    ) -> Result<Option<Report>, BackupError> {
        let lease_seconds = self.config.lease_seconds;
        if !lease::acquire(&self.db, LEASE, &self.holder, now_unix(), lease_seconds).await? {
            return Err(BackupError::Busy {
                holder: lease_holder(&self.db).await?,
            });
        }
        let renewal = self.keep_lease();
        let outcome = self.run_held(reason, progress, stop).await;
        drop(renewal);
        if let Err(e) = lease::release(&self.db, LEASE, &self.holder).await {
            tracing::warn!(error = %e, "backup lease not released; it runs out by itself");
        }
        outcome
    }

    async fn run_held(
        &self,
        reason: Reason,
        progress: &dyn Progress,
        stop: impl Future<Output = ()>,
    ) -> Result<Option<Report>, BackupError> {
        let destinations = Destination::configured(&self.config, &self.data_dir);
        let labels: Vec<&str> = match &destinations {
            Ok(all) => all.iter().map(Destination::label).collect(),
            Err(_) => Vec::new(),
        };
        let interrupted = runs::close_interrupted(&self.db).await?;
        if interrupted > 0 {
            tracing::warn!(runs = interrupted, "earlier backup runs were interrupted");
        }
        let Some(run) = runs::start(&self.db, reason, &labels.join(", ")).await? else {
            return Ok(None);
        };
        // A destination that cannot even be opened is a failed run like any other.
        let result = match destinations {
            Ok(all) => tokio::select! {
                result = self.work(&all, progress) => result,
                () = stop => Err((BackupError::Stopped, None, None)),
            },
            Err(e) => Err((e, None, None)),
        };
        let (ending, detail, figures, drill) = match &result {
            Ok(report) => (
                Ending::Succeeded,
                summary(report),
                figures(&report.manifest),
                Some(report.drill),
            ),
            Err((e, manifest, drill)) => (
                self.failed(e),
                e.to_string(),
                manifest.as_ref().map(figures).unwrap_or_default(),
                *drill,
            ),
        };
        runs::finish(&self.db, &run, ending, &detail, &figures, drill).await?;
        let name = figures.name.clone().unwrap_or(run);
        self.audit(&name, ending == Ending::Succeeded).await?;
        match result {
            Ok(report) => {
                tracing::info!(backup = %name, bytes = report.manifest.archive.bytes, "backup complete");
                Ok(Some(report))
            }
            Err((e @ BackupError::Stopped, _, _)) => {
                tracing::warn!(backup = %name, "backup given up: the process is stopping, another worker takes it over");
                Err(e)
            }
            Err((e, _, _)) => {
                tracing::error!(backup = %name, error = %e, "backup failed");
                Err(e)
            }
        }
    }

    /// A failed run's ending: an interrupted one may be taken over at once, any other failure
    /// is tried again after `backup.retry_seconds`.
    fn failed(&self, error: &BackupError) -> Ending {
        let now = now_unix();
        let retry_at = match error {
            BackupError::Stopped => now,
            _ => now + self.config.retry_seconds,
        };
        Ending::Failed { retry_at }
    }

    /// The backup itself, its drill and pruning; on failure, what had been made so far.
    async fn work(
        &self,
        destinations: &[Destination],
        progress: &dyn Progress,
    ) -> Result<Report, (BackupError, Option<Manifest>, Option<Drill>)> {
        let master = self.keyring.master();
        let sources = Sources {
            db: &self.db,
            vault: &self.vault,
            master,
        };
        let manifest = create::create(
            sources,
            destinations,
            self.config.include_credentials,
            progress,
        )
        .await
        .map_err(|e| (e, None, None))?;
        let drill = match (self.config.drill, destinations.first()) {
            (true, Some(first)) => match drill::drill(first, &manifest, master, progress).await {
                Ok(()) => Drill::Passed,
                Err(e) => return Err((e, Some(manifest), Some(Drill::Failed))),
            },
            _ => Drill::Skipped,
        };
        let mut pruned = 0;
        for destination in destinations {
            pruned += prune(destination, &self.config, &manifest.id)
                .await
                .map_err(|e| (e, Some(manifest.clone()), Some(drill)))?;
        }
        Ok(Report {
            destinations: destinations.iter().map(|d| d.label().to_owned()).collect(),
            manifest,
            drill,
            pruned,
        })
    }

    /// Renews the lease until the returned guard is dropped, however the run ends.
    fn keep_lease(&self) -> Renewal {
        let db = self.db.clone();
        let holder = self.holder.clone();
        let lease_seconds = self.config.lease_seconds;
        let every = Duration::from_millis(lease_seconds.unsigned_abs() * 1000 / 3);
        Renewal(tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.tick().await;
            loop {
                ticks.tick().await;
                if let Err(e) = lease::acquire(&db, LEASE, &holder, now_unix(), lease_seconds).await
                {
                    tracing::warn!(error = %e, "backup lease not renewed");
                }
            }
        }))
    }

    async fn audit(&self, name: &str, succeeded: bool) -> Result<(), DbError> {
        let event = Event {
            actor: Actor::system("backup"),
            action: "backup.create",
            target: Target::backup(name),
            outcome: if succeeded {
                Outcome::Success
            } else {
                Outcome::Failure
            },
        };
        let mut tx = self.db.write().await?;
        audit::append(&mut tx, &event, &RequestMeta::default()).await?;
        tx.commit().await
    }
}

/// The lease renewal task, stopped when dropped: a run that ends early, even by a panic,
/// stops renewing, and the lease runs out for the next worker.
struct Renewal(tokio::task::JoinHandle<()>);

impl Drop for Renewal {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn figures(manifest: &Manifest) -> Figures {
    Figures {
        name: Some(manifest.id.clone()),
        bytes: Some(manifest.archive.bytes),
        records: Some(manifest.records()),
        documents: Some(manifest.documents.len() as u64),
    }
}

fn summary(report: &Report) -> String {
    let drill = match report.drill {
        Drill::Passed => "test restore passed",
        Drill::Failed => "test restore failed",
        Drill::Skipped => "test restore turned off",
    };
    format!(
        "{} records, {} documents, {} customer keys in escrow; {drill}; {} old backups pruned",
        report.manifest.records(),
        report.manifest.documents.len(),
        report.manifest.escrowed_keys,
        report.pruned
    )
}

async fn lease_holder(db: &Db) -> Result<String, DbError> {
    let mut tx = db.read().await?;
    let row = sqlx::query("SELECT holder FROM leases WHERE name = $1")
        .bind(LEASE)
        .fetch_optional(&mut *tx)
        .await?;
    Ok(match row {
        Some(row) => col(&row, "holder")?,
        None => "another process".to_owned(),
    })
}

/// Applies retention at one destination; returns how many backups were removed. The backup
/// just written is kept whatever the policy says.
pub async fn prune(
    destination: &Destination,
    config: &BackupConfig,
    current: &str,
) -> Result<usize, BackupError> {
    let offset = config
        .schedule()
        .map(|s| s.offset_seconds())
        .unwrap_or(9 * 3600);
    let listed = destination.list().await?;
    let complete: Vec<String> = listed
        .iter()
        .filter(|l| l.complete)
        .map(|l| l.id.clone())
        .collect();
    let now = now_unix();
    let keep = retention::keep(&complete, config.retention, offset, now);
    let mut removed = 0;
    for backup in &listed {
        let leftover = !backup.complete
            && retention::taken_at(&backup.id).is_some_and(|at| at < now - LEFTOVER_SECONDS);
        let expired = backup.complete && !keep.contains(&backup.id);
        if backup.id != current && (leftover || expired) {
            destination.remove(&backup.id).await?;
            removed += 1;
        }
    }
    Ok(removed)
}
