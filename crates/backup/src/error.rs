//! Everything that can stop a backup or a restore, each with a message an operator can act on.

use platform::db::DbError;

/// Why a backup, a restore or a drill did not complete.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A destination or source refused a request.
    #[error("backup location {location}: {source}")]
    Store {
        /// The location, without credentials.
        location: String,
        /// What the store said.
        #[source]
        source: object_store::Error,
    },
    /// The document store failed.
    #[error(transparent)]
    Documents(#[from] documents::DocumentError),
    /// A document the database refers to has no object in the document store.
    #[error("document object {object_key} is missing from the document store")]
    MissingDocument {
        /// Key of the missing object.
        object_key: String,
    },
    /// A table nobody decided about: backing it up or not is a decision, not a default.
    #[error("table {table} is not classified for backups: add it to backup::tables")]
    Unclassified {
        /// The table.
        table: String,
    },
    /// A column holds a type the archive format does not carry.
    #[error("column {table}.{column} has a type backups cannot carry")]
    UnsupportedColumn {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// The process was asked to stop (a deployment, a scale-in) before the backup was
    /// complete; another worker takes the scheduled instant over.
    #[error("{}", crate::runs::INTERRUPTED)]
    Stopped,
    /// The backup has no manifest: it was interrupted, or is still being written.
    #[error("backup {id} is incomplete: it has no manifest (interrupted or still being written)")]
    Incomplete {
        /// Name of the backup.
        id: String,
    },
    /// No backup of that name at the location.
    #[error("no backup named {id} at {location}")]
    NotFound {
        /// Name of the backup.
        id: String,
        /// Where it was looked for.
        location: String,
    },
    /// The backup was sealed under another master key.
    #[error(
        "the configured master key (fingerprint {actual}) does not open backup {id}, sealed under master key {expected}"
    )]
    WrongKey {
        /// Name of the backup.
        id: String,
        /// Fingerprint recorded in the backup.
        expected: String,
        /// Fingerprint of the configured key.
        actual: String,
    },
    /// The archive or manifest bytes are damaged.
    #[error("backup {id} is damaged: {reason}")]
    Damaged {
        /// Name of the backup.
        id: String,
        /// What did not open or parse.
        reason: String,
    },
    /// The archive opens but its contents differ from the manifest.
    #[error("backup {id} does not match its manifest: {reason}")]
    Mismatch {
        /// Name of the backup.
        id: String,
        /// Which table or object differs, and how.
        reason: String,
    },
    /// The restore target already holds data.
    #[error(
        "the target database is not empty (table {table} has rows); restore overwrites it only with --force"
    )]
    TargetNotEmpty {
        /// A table with rows.
        table: String,
    },
    /// The backup was taken with another database schema.
    #[error(
        "backup {id} was taken at schema version {backup}, this release's database is at version {current}: restore it with the release that took it"
    )]
    SchemaVersion {
        /// Name of the backup.
        id: String,
        /// The backup's schema version.
        backup: i64,
        /// The target's schema version.
        current: i64,
    },
    /// The restore source could not be understood.
    #[error("not a backup location: {0} (give a backup directory or s3://bucket/prefix/<name>)")]
    Source(String),
    /// A local file could not be read or written.
    #[error("local file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// Another process is running a backup.
    #[error("another backup is running (held by {holder})")]
    Busy {
        /// Who holds the backup lease.
        holder: String,
    },
    /// The test restore came out different from the manifest.
    #[error("the test restore of backup {id} differs from its manifest: {reason}")]
    Drill {
        /// Name of the backup.
        id: String,
        /// What differs.
        reason: String,
    },
}

impl BackupError {
    pub(crate) fn store(location: &str) -> impl Fn(object_store::Error) -> Self + '_ {
        move |source| Self::Store {
            location: location.to_owned(),
            source,
        }
    }

    pub(crate) fn io(path: &std::path::Path) -> impl Fn(std::io::Error) -> Self + '_ {
        move |source| Self::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
