//! The automatic test restore: every new backup is restored from its first destination into a
//! scratch SQLite database and document directory, then read back and compared with its
//! manifest, table by table and object by object.

use platform::config::{DocumentStoreKind, DocumentsConfig};
use platform::crypto::MasterKey;
use platform::db::Db;
use sha2::{Digest, Sha256};

use crate::manifest::Manifest;
use crate::restore::{self, Options, Target};
use crate::{BackupError, Destination, Progress, Quiet, snapshot, tables};

/// Restores backup `id` from `source` into a scratch copy and proves it equals `manifest`.
pub async fn drill(
    source: &Destination,
    manifest: &Manifest,
    master: &MasterKey,
    progress: &dyn Progress,
) -> Result<(), BackupError> {
    let id = &manifest.id;
    let scratch = tempfile::tempdir()
        .map_err(BackupError::io(std::path::Path::new("temporary directory")))?;
    let db_file = scratch.path().join("drill.db");
    let db = Db::connect(&format!("sqlite://{}?mode=rwc", db_file.display())).await?;
    let documents = DocumentsConfig {
        store: DocumentStoreKind::Local,
        local_dir: Some(scratch.path().join("documents")),
        ..DocumentsConfig::default()
    };
    let vault = documents::Vault::from_config(&documents, scratch.path())?;
    let verified = restore::verify(source, id, master, scratch.path(), progress).await?;
    let target = Target {
        db: &db,
        vault: &vault,
    };
    let options = Options {
        force: false,
        audit: false,
    };
    let result = async {
        restore::load(verified, target, options, progress).await?;
        compare(&db, &vault, manifest).await
    }
    .await;
    db.close().await;
    result
}

async fn compare(
    db: &Db,
    vault: &documents::Vault,
    manifest: &Manifest,
) -> Result<(), BackupError> {
    let differs = |reason: String| BackupError::Drill {
        id: manifest.id.clone(),
        reason,
    };
    let mut tx = db.read().await?;
    for expected in &manifest.tables {
        let policy = tables::policy(&expected.name).ok_or_else(|| BackupError::Unclassified {
            table: expected.name.clone(),
        })?;
        let masked = tables::masked(policy, manifest.include_credentials);
        let got =
            snapshot::export(&mut tx, db.backend(), &expected.name, masked, None, &Quiet).await?;
        if got.rows != expected.rows || got.sha256 != expected.sha256 {
            return Err(differs(format!(
                "table {} came back with {} rows (backed up: {})",
                expected.name, got.rows, expected.rows
            )));
        }
    }
    tx.finish().await?;
    for expected in &manifest.documents {
        let object = vault.read_sealed(&expected.object_key).await?;
        if hex::encode(Sha256::digest(&object)) != expected.sha256 {
            return Err(differs(format!(
                "object {} came back different",
                expected.object_key
            )));
        }
    }
    Ok(())
}
