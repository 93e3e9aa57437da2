//! The console's background tasks. Every process runs the sampler (heartbeat, its request
//! figures, its disk, its captured log events); the worker role also runs the alert engine.

use std::sync::Arc;
use std::time::Duration;

use platform::config::Schedule;
use platform::time_util::now_unix;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::alerts::engine::Engine;
use crate::figures::{gauges, metric, minute_of, samples};
use crate::{Ops, logs, probes};

/// Starts the sampler of this process, which runs `roles` (comma-separated).
pub fn sampler(ops: Arc<Ops>, roles: String, signal: watch::Receiver<bool>) -> JoinHandle<()> {
    let every = Duration::from_secs(ops.settings.sample_seconds);
    let roles = Arc::new(roles);
    periodic(every, signal, move || {
        let ops = Arc::clone(&ops);
        let roles = Arc::clone(&roles);
        async move { sample(&ops, &roles).await }
    })
}

/// One sample: nothing counted is lost when the database refuses (the counts stay in the
/// tally, the events are logged as dropped).
async fn sample(ops: &Ops, roles: &str) {
    let now = now_unix();
    if let Err(e) = ops.instance.heartbeat(&ops.db, roles).await {
        tracing::warn!(error = %e, "heartbeat not recorded");
        return;
    }
    if let Err(e) =
        samples::flush(&ops.db, &ops.instance.id, minute_of(now), &ops.http_metrics).await
    {
        tracing::warn!(error = %e, "request figures not recorded; kept for the next sample");
    }
    if let Ok(disk) = gauges::disk(&ops.data_dir) {
        let gauges = [
            (
                metric::DISK_FREE,
                i64::try_from(disk.free).unwrap_or(i64::MAX),
            ),
            (
                metric::DISK_TOTAL,
                i64::try_from(disk.total).unwrap_or(i64::MAX),
            ),
        ];
        if let Err(e) =
            samples::set_gauges(&ops.db, &ops.instance.id, minute_of(now), &gauges).await
        {
            tracing::warn!(error = %e, "disk figures not recorded");
        }
    }
    let events = platform::log_capture::drain();
    if let Err(e) = logs::store(&ops.db, &ops.instance.id, &events).await {
        tracing::warn!(error = %e, dropped = events.len(), "log events not recorded");
    }
}

/// Starts the alert engine (worker role).
pub fn engine(ops: Arc<Ops>, signal: watch::Receiver<bool>) -> JoinHandle<()> {
    let every = Duration::from_secs(ops.settings.evaluate_seconds);
    let engine = Arc::new(tokio::sync::Mutex::new(Engine::new(ops)));
    periodic(every, signal, move || {
        let engine = Arc::clone(&engine);
        async move {
            if let Err(e) = engine.lock().await.tick(now_unix()).await {
                tracing::warn!(error = %e, "alert evaluation failed");
            }
        }
    })
}

/// Starts the backup schedule (worker role). Every check, the latest scheduled instant is due
/// unless a run for it succeeded, a failed one asked to wait, or the system was installed
/// after it; the worker that holds the backup lease runs it, so no other backup runs beside
/// it, and a run whose worker died is closed as interrupted and taken over once the lease
/// lapses. A shutdown gives the run in progress up, so
/// that another worker takes the instant over at once.
pub fn backups(ops: Arc<Ops>, schedule: Schedule, signal: watch::Receiver<bool>) -> JoinHandle<()> {
    let every = Duration::from_secs(ops.settings.evaluate_seconds.clamp(1, 60));
    let schedule = Arc::new(schedule);
    let stop = signal.clone();
    periodic(every, signal, move || {
        let ops = Arc::clone(&ops);
        let schedule = Arc::clone(&schedule);
        let mut stop = stop.clone();
        async move {
            let stopped = async move {
                let _ = stop.wait_for(|stop| *stop).await;
            };
            if let Err(e) = backup_if_due(&ops, &schedule, stopped).await {
                tracing::warn!(error = %e, "scheduled backup not run");
            }
        }
    })
}

async fn backup_if_due(
    ops: &Ops,
    schedule: &Schedule,
    stopped: impl Future<Output = ()>,
) -> Result<(), backup::BackupError> {
    let now = now_unix();
    let Some(slot) = schedule.latest_at_or_before(now) else {
        return Ok(());
    };
    if slot < probes::installed_at(&ops.db).await?
        || !backup::runs::slot_due(&ops.db, slot, now).await?
    {
        return Ok(());
    }
    let backups = backup::Backups {
        db: ops.db.clone(),
        vault: Arc::clone(&ops.vault),
        keyring: Arc::clone(&ops.keyring),
        config: ops.backup.clone(),
        data_dir: ops.data_dir.clone(),
        holder: ops.instance.id.clone(),
    };
    match backups
        .run_until(
            backup::runs::Reason::Schedule(slot),
            &backup::Quiet,
            stopped,
        )
        .await
    {
        Ok(_) | Err(backup::BackupError::Busy { .. } | backup::BackupError::Stopped) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Runs `job` every `every` until the shutdown signal.
fn periodic<F, Fut>(every: Duration, mut signal: watch::Receiver<bool>, job: F) -> JoinHandle<()>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticks.tick() => job().await,
                _ = signal.changed() => break,
            }
        }
    })
}
