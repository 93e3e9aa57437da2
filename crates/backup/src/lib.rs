//! Daily encrypted backups (O1, X2).
//!
//! A backup is one consistent snapshot of the database ([`snapshot`]) and every document
//! object it refers to, in one archive sealed in authenticated chunks under a fresh key that
//! the master key wraps ([`archive`], [`manifest`]). The archive goes to every destination at
//! once, a local directory and an S3 bucket in another region ([`Destination`]); customer data
//! keys go beside it, one object per customer, so deleting a customer shreds them from every
//! backup ([`escrow`]). The manifest, written last, lists a checksum and a count for every
//! table and object; each backup is test-restored before it counts ([`drill`]), and old ones
//! are pruned by retention ([`retention`]). [`restore()`] checks everything before it touches
//! the target and loads the database in one transaction.

pub mod archive;
mod create;
pub mod destination;
pub mod drill;
mod error;
pub mod escrow;
pub mod manifest;
pub mod restore;
pub mod retention;
pub mod rows;
mod run;
pub mod runs;
pub mod schema;
pub mod snapshot;
pub mod tables;

pub use create::{Sources, create, engine};
pub use destination::{Destination, Listed, locate};
pub use error::BackupError;
pub use manifest::Manifest;
pub use restore::{Options, Restored, Target, restore};
pub use run::{Backups, LEASE, Report, prune};

/// Where a long step is, for progress bars; the scheduled job shows none.
pub trait Progress: Send + Sync {
    /// A step starts: `step` is `tables`, `documents`, `keys`, `download`, `verify` or `load`,
    /// and `total` how many units (rows, objects, keys, bytes) it has.
    fn stage(&self, step: &'static str, total: u64);
    /// `n` more units are done.
    fn advance(&self, n: u64);
    /// The step is over.
    fn done(&self);
}

/// No progress display.
pub struct Quiet;

impl Progress for Quiet {
    fn stage(&self, _: &'static str, _: u64) {}
    fn advance(&self, _: u64) {}
    fn done(&self) {}
}
