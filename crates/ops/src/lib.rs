//! The administrators' operations console on the staff listener, for staff holding the `admin`
//! role with their second factor done (A1–A5, M5):
//!
//! - [`figures`]: every process flushes its request figures into per-minute rows, and the
//!   worker adds gauges (outbox, database size); the dashboard adds the processes up, so a
//!   restart keeps the history and several instances count as one system;
//! - [`probes`]: the state of each dependency and of each running process;
//! - [`alerts`]: rules evaluated by one worker at a time, one alert per incident, reminders and
//!   recovery notices by mail and webhook through the outbox;
//! - the audit-trail viewer with CSV export, and recent warning and error events with their
//!   request IDs ([`logs`]);
//! - the backup history with each run's size, counts and test-restore result, and the nightly
//!   backup schedule the worker keeps ([`jobs::backups`], the backups themselves in the
//!   `backup` crate).

pub mod actions;
pub mod admin;
pub mod alerts;
pub mod figures;
mod home;
pub mod instance;
pub mod jobs;
pub mod logs;
pub mod probes;
mod prune;
mod routes;

use std::path::PathBuf;
use std::sync::Arc;

use documents::Vault;
use identity::Identity;
use platform::config::{AuditConfig, BackupConfig, OpsConfig};
use platform::crypto::Keyring;
use platform::db::Db;
use platform::mail::Mailer;
use platform::outbox::Outbox;

pub use instance::Instance;
pub use routes::router;

/// What the console's handlers and jobs use.
pub struct Ops {
    /// Storage.
    pub db: Db,
    /// Both user pools (the staff pool for sign-in).
    pub identity: Arc<Identity>,
    /// Keys, for form tokens and audit checkpoints.
    pub keyring: Arc<Keyring>,
    /// The document store, probed for the dashboard and backed up.
    pub vault: Arc<Vault>,
    /// The mail transport, probed for the dashboard and used directly when the database (and
    /// with it the outbox) is down.
    pub mailer: Arc<Mailer>,
    /// Where alert notices are queued.
    pub outbox: Arc<Outbox>,
    /// Request figures of this process.
    pub http_metrics: Arc<edge::HttpMetrics>,
    /// This process.
    pub instance: Instance,
    /// Sampling, rules and who hears of alerts.
    pub settings: OpsConfig,
    /// Checkpoints and retention of the audit trail.
    pub audit: AuditConfig,
    /// The backup schedule the worker keeps.
    pub backup: BackupConfig,
    /// The data directory, whose disk is watched.
    pub data_dir: PathBuf,
    /// Address of the staff listener, for links in alert notices.
    pub staff_base_url: url::Url,
    /// True when staff arrive over TLS.
    pub secure_cookies: bool,
}

/// Cheap-to-clone handle on [`Ops`].
#[derive(Clone)]
pub struct OpsState(pub Arc<Ops>);

impl std::ops::Deref for OpsState {
    type Target = Ops;
    fn deref(&self) -> &Ops {
        &self.0
    }
}

impl console::staff::StaffSite for OpsState {
    fn identity(&self) -> &Identity {
        &self.identity
    }
}

impl pages::WebState for OpsState {
    fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    fn secure_cookies(&self) -> bool {
        self.secure_cookies
    }
}
