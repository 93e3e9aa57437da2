//! Liveness and readiness, on every listener. Readiness is probed in the background (a cheap
//! database read, a one-row database write, the document store and the free space of the data
//! directory's disk, every `health.probe_interval_seconds`) and `/readyz` only reads the latest
//! result: anonymous visitors cannot turn it into load on any of them.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use documents::Vault;
use platform::db::Db;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// A result older than this many intervals means the probing itself is stuck: not ready.
const STALE_AFTER_INTERVALS: u32 = 3;

/// What one probe found.
#[derive(Clone, Copy, Debug)]
struct Probe {
    at: Instant,
    database: Database,
    documents: bool,
    disk: Disk,
}

/// The data directory's disk as a probe found it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Disk {
    /// At least the floor is free (or the check is off).
    Ok,
    /// Less than the floor is free: writes are about to fail.
    NearlyFull,
    /// Its free space could not be read; reported, but not held against readiness.
    Unknown,
}

impl Disk {
    fn word(self) -> &'static str {
        match self {
            Disk::Ok => "ok",
            Disk::NearlyFull => "nearly full",
            Disk::Unknown => "unknown",
        }
    }
}

/// The free space the process's disks must keep for it to be ready.
#[derive(Clone, Debug)]
pub struct DiskFloor {
    /// The directories whose disks count: the data directory (the delivery journal, temporary
    /// files) and, on SQLite, the database file's directory.
    pub dirs: Vec<PathBuf>,
    /// Bytes that must stay free on each; 0 turns the check off.
    pub min_free_bytes: u64,
}

impl DiskFloor {
    fn probe(&self) -> Disk {
        if self.min_free_bytes == 0 {
            return Disk::Ok;
        }
        let mut found = Disk::Ok;
        for dir in &self.dirs {
            match ops::figures::gauges::disk(dir) {
                Ok(disk) if disk.free < self.min_free_bytes => return Disk::NearlyFull,
                Ok(_) => {}
                Err(_) => found = Disk::Unknown,
            }
        }
        found
    }
}

/// The database as a probe found it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Database {
    /// It answered a read and stored a write.
    Ok,
    /// It answered a read but could not store a write (a full disk, a read-only standby).
    NotWritable,
    /// It did not answer.
    Unreachable,
}

impl Database {
    fn word(self) -> &'static str {
        match self {
            Database::Ok => "ok",
            Database::NotWritable => "not writable",
            Database::Unreachable => "unreachable",
        }
    }
}

/// The readiness of this process's storage, as last probed.
pub struct Readiness {
    db: Db,
    vault: Arc<Vault>,
    floor: DiskFloor,
    interval: Duration,
    latest: Mutex<Option<Probe>>,
}

impl Readiness {
    /// Readiness of `db`, `vault` and the disk under `floor`, probed every `interval`; not
    /// ready until the first probe.
    pub fn new(db: Db, vault: Arc<Vault>, floor: DiskFloor, interval: Duration) -> Self {
        Self {
            db,
            vault,
            floor,
            interval,
            latest: Mutex::new(None),
        }
    }

    /// Probes the database and the document store once and keeps the result. Each probe may
    /// take at most one interval; one that hangs counts as a failure.
    pub async fn probe(&self) {
        let (database, documents) = tokio::join!(
            tokio::time::timeout(self.interval, self.probe_database()),
            tokio::time::timeout(self.interval, self.vault.probe()),
        );
        let database = database
            .unwrap_or_else(|_| (Database::Unreachable, Err("no answer in time".to_owned())));
        let documents = match documents {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err("no answer in time".to_owned()),
        };
        let probe = Probe {
            at: Instant::now(),
            database: database.0,
            documents: documents.is_ok(),
            disk: self.floor.probe(),
        };
        let previous = self
            .latest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .replace(probe);
        // Logged on a change only, not on every probe.
        let was = |part: fn(&Probe) -> bool| previous.as_ref().is_none_or(part);
        match database {
            (state, Err(e)) if was(|p| p.database == Database::Ok) => {
                tracing::warn!(error = %e, database = state.word(), "database not ready");
            }
            (_, Ok(())) if !was(|p| p.database == Database::Ok) => {
                tracing::info!("database ready again");
            }
            _ => {}
        }
        match documents {
            Err(e) if was(|p| p.documents) => {
                tracing::warn!(error = %e, "document store not reachable");
            }
            Ok(()) if !was(|p| p.documents) => tracing::info!("document store reachable again"),
            _ => {}
        }
        let disk_ok = |p: &Probe| p.disk != Disk::NearlyFull;
        match probe.disk {
            Disk::NearlyFull if was(disk_ok) => tracing::warn!(
                min_free_bytes = self.floor.min_free_bytes,
                "data directory's disk nearly full: not ready"
            ),
            Disk::Ok if !was(disk_ok) => tracing::info!("data directory's disk has room again"),
            _ => {}
        }
    }

    /// A read, then a write; the state and, when not ok, why.
    async fn probe_database(&self) -> (Database, Result<(), String>) {
        if let Err(e) = self.db.ping().await {
            return (Database::Unreachable, Err(e.to_string()));
        }
        match self.db.probe_write().await {
            Ok(()) => (Database::Ok, Ok(())),
            Err(e) => (Database::NotWritable, Err(e.to_string())),
        }
    }

    /// The answer of `/readyz` at `now`, from the latest probe.
    fn answer(&self, now: Instant) -> (StatusCode, serde_json::Value) {
        let latest = *self.latest.lock().unwrap_or_else(PoisonError::into_inner);
        judge(latest, now, self.interval)
    }
}

/// Ready when the latest probe is recent, the database stored its write and the data
/// directory's disk keeps its floor free. The document store is reported too, but its outage
/// only degrades uploads, so it does not take the instance out of service: every instance
/// shares the same store, and replacing them all would not bring it back.
fn judge(
    latest: Option<Probe>,
    now: Instant,
    interval: Duration,
) -> (StatusCode, serde_json::Value) {
    let Some(probe) = latest else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({
                "status": "not ready",
                "database": "unknown",
                "documents": "unknown",
                "disk": "unknown",
            }),
        );
    };
    let age = now.saturating_duration_since(probe.at);
    let fresh = age <= interval * STALE_AFTER_INTERVALS;
    let word = |ok: bool| if ok { "ok" } else { "unreachable" };
    let serving = fresh && probe.database == Database::Ok && probe.disk != Disk::NearlyFull;
    let (code, status) = match (serving, probe.documents) {
        (true, true) => (StatusCode::OK, "ready"),
        (true, false) => (StatusCode::OK, "degraded"),
        (false, _) => (StatusCode::SERVICE_UNAVAILABLE, "not ready"),
    };
    (
        code,
        serde_json::json!({
            "status": status,
            "database": probe.database.word(),
            "documents": word(probe.documents),
            "disk": probe.disk.word(),
            "checked_seconds_ago": age.as_secs(),
        }),
    )
}

/// Probes every interval, the first one interval from now (start-up probes once before the
/// listeners open), until the server stops.
pub fn refresh(readiness: Arc<Readiness>, mut signal: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut every =
            tokio::time::interval_at(Instant::now() + readiness.interval, readiness.interval);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = every.tick() => readiness.probe().await,
                _ = signal.changed() => break,
            }
        }
    })
}

/// `/healthz` and `/readyz`.
pub fn routes(readiness: Arc<Readiness>) -> Router {
    Router::new()
        .route("/healthz", get(live))
        .route("/readyz", get(ready))
        .with_state(readiness)
}

/// The process answers.
async fn live() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

/// The process can do its work, as last probed; no I/O here.
async fn ready(State(readiness): State<Arc<Readiness>>) -> impl IntoResponse {
    let (code, body) = readiness.answer(Instant::now());
    (code, Json(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    const INTERVAL: Duration = Duration::from_secs(5);

    fn probe(at: Instant, database: bool, documents: bool) -> Option<Probe> {
        let database = if database {
            Database::Ok
        } else {
            Database::Unreachable
        };
        Some(Probe {
            at,
            database,
            documents,
            disk: Disk::Ok,
        })
    }

    #[test]
    fn not_ready_before_the_first_probe() {
        let (code, body) = judge(None, Instant::now(), INTERVAL);
        assert_eq!(code, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["status"], "not ready");
        assert_eq!(body["database"], "unknown");
    }

    #[test]
    fn a_recent_probe_decides_and_the_document_store_only_degrades() {
        let at = Instant::now();
        let now = at + Duration::from_secs(2);
        let (code, body) = judge(probe(at, true, true), now, INTERVAL);
        assert_eq!((code, &body["status"]), (StatusCode::OK, &"ready".into()));
        assert_eq!(body["checked_seconds_ago"], 2);
        let (code, body) = judge(probe(at, true, false), now, INTERVAL);
        assert_eq!(code, StatusCode::OK);
        assert_eq!(body["status"], "degraded");
        assert_eq!(body["documents"], "unreachable");
        let (code, body) = judge(probe(at, false, true), now, INTERVAL);
        assert_eq!(code, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["database"], "unreachable");
        let read_only = Some(Probe {
            at,
            database: Database::NotWritable,
            documents: true,
            disk: Disk::Ok,
        });
        let (code, body) = judge(read_only, now, INTERVAL);
        assert_eq!(code, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["status"], "not ready");
        assert_eq!(body["database"], "not writable");
    }

    #[test]
    fn a_result_older_than_three_intervals_is_not_ready() {
        let at = Instant::now();
        let (code, _) = judge(probe(at, true, true), at + INTERVAL * 3, INTERVAL);
        assert_eq!(code, StatusCode::OK, "three intervals old is still fresh");
        let late = at + INTERVAL * 3 + Duration::from_millis(1);
        let (code, body) = judge(probe(at, true, true), late, INTERVAL);
        assert_eq!(code, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["status"], "not ready");
        assert_eq!(
            body["database"], "ok",
            "what was last seen is still reported"
        );
    }

    #[test]
    fn a_nearly_full_disk_is_not_ready_and_an_unreadable_one_is_only_reported() {
        let at = Instant::now();
        let with = |disk| {
            Some(Probe {
                at,
                database: Database::Ok,
                documents: true,
                disk,
            })
        };
        let (code, body) = judge(with(Disk::NearlyFull), at, INTERVAL);
        assert_eq!(code, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["disk"], "nearly full");
        assert_eq!(body["database"], "ok");
        let (code, body) = judge(with(Disk::Unknown), at, INTERVAL);
        assert_eq!(code, StatusCode::OK);
        assert_eq!(body["disk"], "unknown");
    }

    #[test]
    fn the_floor_compares_free_space_and_zero_turns_it_off() {
        let dir = tempfile::tempdir().unwrap();
        let floor = |min_free_bytes| DiskFloor {
            dirs: vec![dir.path().to_owned()],
            min_free_bytes,
        };
        assert_eq!(
            floor(1).probe(),
            Disk::Ok,
            "a byte is free on any test disk"
        );
        assert_eq!(floor(u64::MAX).probe(), Disk::NearlyFull);
        assert_eq!(floor(0).probe(), Disk::Ok, "off");
        let missing = DiskFloor {
            dirs: vec![dir.path().join("missing")],
            min_free_bytes: 1,
        };
        assert_eq!(missing.probe(), Disk::Unknown);
        let both = DiskFloor {
            dirs: vec![dir.path().join("missing"), dir.path().to_owned()],
            min_free_bytes: u64::MAX,
        };
        assert_eq!(
            both.probe(),
            Disk::NearlyFull,
            "any disk below the floor counts"
        );
    }
}
