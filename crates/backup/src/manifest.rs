//! The manifest: what a backup holds, with a checksum and a count for every part. It is
//! written last, so a backup without one is incomplete; and it is sealed like the archive, with
//! the archive's key wrapped by the master key beside it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use platform::crypto::{DataKey, MasterKey};
use serde::{Deserialize, Serialize};

use crate::BackupError;

/// Version of the archive and manifest formats.
pub const FORMAT: u32 = 1;

/// What one backup holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Name of the backup: its UTC time and a random suffix.
    pub id: String,
    /// When the snapshot was taken (Unix seconds).
    pub created_at: i64,
    /// `sqlite` or `postgres`: the engine it was taken from (it restores into either).
    pub engine: String,
    /// Newest migration of the database it was taken from.
    pub schema_version: i64,
    /// Whether password hashes and second-factor secrets are in it.
    pub include_credentials: bool,
    /// Every archived table.
    pub tables: Vec<TableEntry>,
    /// Every document object.
    pub documents: Vec<DocumentEntry>,
    /// Customers whose data keys were escrowed beside the archive.
    pub escrowed_keys: u64,
    /// The sealed archive itself.
    pub archive: ArchiveEntry,
}

/// One table in the archive.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TableEntry {
    /// Table name.
    pub name: String,
    /// Column names, in the order of each row's values.
    pub columns: Vec<String>,
    /// Number of rows.
    pub rows: u64,
    /// Order-independent SHA-256 of the rows (see `rows::TableDigest`).
    pub sha256: String,
}

/// One document object in the archive.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocumentEntry {
    /// Key of the object in the document store.
    pub object_key: String,
    /// Size of the (still sealed) object.
    pub bytes: u64,
    /// SHA-256 of the object.
    pub sha256: String,
}

/// The sealed archive file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArchiveEntry {
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the bytes as stored.
    pub sha256: String,
}

impl Manifest {
    /// Rows over all tables.
    pub fn records(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }

    /// The entry of `table`, if archived.
    pub fn table(&self, table: &str) -> Option<&TableEntry> {
        self.tables.iter().find(|t| t.name == table)
    }
}

/// The manifest file: readable header, sealed body.
#[derive(Serialize, Deserialize)]
struct SealedManifest {
    format: u32,
    id: String,
    master_fingerprint: String,
    /// The archive key, wrapped by the master key.
    wrapped_key: String,
    /// The manifest JSON sealed with the archive key.
    sealed: String,
}

/// Associated data binding the archive stream to its backup.
pub fn archive_aad(id: &str) -> Vec<u8> {
    format!("backup-archive/v{FORMAT}/{id}").into_bytes()
}

fn key_aad(id: &str) -> Vec<u8> {
    format!("backup-key/v{FORMAT}/{id}").into_bytes()
}

fn manifest_aad(id: &str) -> Vec<u8> {
    format!("backup-manifest/v{FORMAT}/{id}").into_bytes()
}

/// A fresh archive key for backup `id`, and its form wrapped by the master key.
pub fn new_key(master: &MasterKey, id: &str) -> (DataKey, Vec<u8>) {
    let key = DataKey::generate();
    let wrapped = master.wrap(&key, &key_aad(id));
    (key, wrapped)
}

/// The manifest file's bytes.
pub fn seal(manifest: &Manifest, key: &DataKey, wrapped_key: &[u8], master: &MasterKey) -> Vec<u8> {
    let body = serde_json::to_vec(manifest).unwrap_or_default();
    let file = SealedManifest {
        format: FORMAT,
        id: manifest.id.clone(),
        master_fingerprint: master.fingerprint(),
        wrapped_key: STANDARD.encode(wrapped_key),
        sealed: STANDARD.encode(key.seal(&body, &manifest_aad(&manifest.id))),
    };
    serde_json::to_vec_pretty(&file).unwrap_or_default()
}

/// Opens the manifest file of backup `id`: the manifest and the archive key.
pub fn open(
    bytes: &[u8],
    id: &str,
    master: &MasterKey,
) -> Result<(Manifest, DataKey), BackupError> {
    let damaged = |reason: &str| BackupError::Damaged {
        id: id.to_owned(),
        reason: format!("manifest: {reason}"),
    };
    let file: SealedManifest =
        serde_json::from_slice(bytes).map_err(|_| damaged("not a backup manifest"))?;
    if file.format != FORMAT {
        return Err(damaged(&format!("unknown format {}", file.format)));
    }
    if file.id != id {
        return Err(damaged(&format!("it names backup {}", file.id)));
    }
    let wrapped = STANDARD
        .decode(&file.wrapped_key)
        .map_err(|_| damaged("the wrapped key is not base64"))?;
    let key = master
        .unwrap_key(&wrapped, &key_aad(id))
        .map_err(|_| wrong_key(id, &file.master_fingerprint, master))?;
    let sealed = STANDARD
        .decode(&file.sealed)
        .map_err(|_| damaged("the body is not base64"))?;
    let body = key
        .open(&sealed, &manifest_aad(id))
        .map_err(|_| damaged("the body fails authentication"))?;
    let manifest: Manifest =
        serde_json::from_slice(&body).map_err(|_| damaged("the body is not a manifest"))?;
    Ok((manifest, key))
}

fn wrong_key(id: &str, expected: &str, master: &MasterKey) -> BackupError {
    let actual = master.fingerprint();
    if actual == expected {
        BackupError::Damaged {
            id: id.to_owned(),
            reason: "manifest: the wrapped archive key fails authentication".to_owned(),
        }
    } else {
        BackupError::WrongKey {
            id: id.to_owned(),
            expected: expected.to_owned(),
            actual,
        }
    }
}
