//! Taking a backup: one consistent snapshot of the database, then every document object the
//! snapshot refers to, sealed into one archive sent to every destination at once; then the
//! customer keys into escrow, and the manifest last.

use std::collections::HashSet;

use platform::crypto::MasterKey;
use platform::db::{Backend, Db, ReadTx, col};
use platform::time_util::now_unix;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::macros::format_description;

use crate::archive::{ArchiveWriter, DOCUMENTS};
use crate::escrow::{self, EscrowedKey};
use crate::manifest::{self, DocumentEntry, Manifest, TableEntry};
use crate::tables::{self, TABLES};
use crate::{BackupError, Destination, Progress, schema, snapshot};

/// What to back up from.
#[derive(Clone, Copy)]
pub struct Sources<'a> {
    /// The live database.
    pub db: &'a Db,
    /// The live document store.
    pub vault: &'a documents::Vault,
    /// The master key, which wraps the archive's key.
    pub master: &'a MasterKey,
}

/// What a snapshot read out of the database.
struct Snapshot {
    schema_version: i64,
    tables: Vec<TableEntry>,
    keys: Vec<EscrowedKey>,
    object_keys: Vec<String>,
}

/// Takes a backup and writes it to every destination; returns its manifest. Nothing counts
/// until the manifest is written, last, at every destination.
pub async fn create(
    sources: Sources<'_>,
    destinations: &[Destination],
    include_credentials: bool,
    progress: &dyn Progress,
) -> Result<Manifest, BackupError> {
    let created_at = now_unix();
    let id = new_id(created_at);
    let (key, wrapped) = manifest::new_key(sources.master, &id);
    let mut writer = ArchiveWriter::start(&id, &key, destinations).await?;
    let filled = fill(sources, &mut writer, include_credentials, progress).await;
    let (snapshot, documents) = match filled {
        Ok(done) => done,
        Err(e) => {
            writer.abort().await;
            return Err(e);
        }
    };
    let archive = writer.finish().await?;
    for destination in destinations {
        escrow::sync(destination, &snapshot.keys, sources.db, progress).await?;
    }
    let manifest = Manifest {
        id: id.clone(),
        created_at,
        engine: engine(sources.db.backend()).to_owned(),
        schema_version: snapshot.schema_version,
        include_credentials,
        tables: snapshot.tables,
        documents,
        escrowed_keys: snapshot.keys.len() as u64,
        archive,
    };
    let sealed = manifest::seal(&manifest, &key, &wrapped, sources.master);
    for destination in destinations {
        destination.put_manifest(&id, sealed.clone()).await?;
    }
    Ok(manifest)
}

async fn fill(
    sources: Sources<'_>,
    writer: &mut ArchiveWriter,
    include_credentials: bool,
    progress: &dyn Progress,
) -> Result<(Snapshot, Vec<DocumentEntry>), BackupError> {
    let snapshot = read_snapshot(sources.db, writer, include_credentials, progress).await?;
    progress.stage("documents", snapshot.object_keys.len() as u64);
    let mut documents = Vec::with_capacity(snapshot.object_keys.len());
    for object_key in &snapshot.object_keys {
        let object = match sources.vault.read_sealed(object_key).await {
            Ok(object) => object,
            Err(documents::DocumentError::NotFound) => {
                return Err(BackupError::MissingDocument {
                    object_key: object_key.clone(),
                });
            }
            Err(e) => return Err(e.into()),
        };
        writer
            .add(&format!("{DOCUMENTS}{object_key}"), &object)
            .await?;
        documents.push(DocumentEntry {
            object_key: object_key.clone(),
            bytes: object.len() as u64,
            sha256: hex::encode(Sha256::digest(&object)),
        });
        progress.advance(1);
    }
    progress.done();
    Ok((snapshot, documents))
}

/// Everything read from the database, in one snapshot: PostgreSQL's repeatable read, or
/// SQLite's read transaction over its write-ahead log.
async fn read_snapshot(
    db: &Db,
    writer: &mut ArchiveWriter,
    include_credentials: bool,
    progress: &dyn Progress,
) -> Result<Snapshot, BackupError> {
    let backend = db.backend();
    let mut tx = db.read().await?;
    if backend == Backend::Postgres {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await
            .map_err(platform::db::DbError::from)?;
    }
    let schema_version = schema::version(&mut tx).await?;
    let live: HashSet<String> = schema::tables(&mut tx, backend)
        .await?
        .into_iter()
        .collect();
    if let Some(table) = live.iter().find(|t| tables::policy(t).is_none()) {
        return Err(BackupError::Unclassified {
            table: table.clone(),
        });
    }
    let archived: Vec<(&str, tables::Policy)> = TABLES
        .iter()
        .filter(|(name, policy)| {
            live.contains(*name) && tables::archived(*policy, include_credentials)
        })
        .copied()
        .collect();
    progress.stage("tables", count_rows(&mut tx, &archived).await?);
    let mut entries = Vec::with_capacity(archived.len());
    for (name, policy) in archived {
        let masked = tables::masked(policy, include_credentials);
        entries
            .push(snapshot::export(&mut tx, backend, name, masked, Some(writer), progress).await?);
    }
    progress.done();
    let keys = escrow::read(&mut tx).await?;
    let object_keys =
        sqlx::query("SELECT object_key FROM application_documents ORDER BY object_key")
            .fetch_all(&mut *tx)
            .await
            .map_err(platform::db::DbError::from)?
            .iter()
            .map(|r| col(r, "object_key"))
            .collect::<Result<Vec<String>, _>>()?;
    tx.finish().await?;
    Ok(Snapshot {
        schema_version,
        tables: entries,
        keys,
        object_keys,
    })
}

async fn count_rows(
    tx: &mut ReadTx,
    tables: &[(&str, tables::Policy)],
) -> Result<u64, BackupError> {
    let mut total = 0u64;
    for (name, _) in tables {
        let sql = format!("SELECT COUNT(*) AS n FROM {}", schema::quoted(name));
        let row = sqlx::query(&sql)
            .fetch_one(&mut **tx)
            .await
            .map_err(platform::db::DbError::from)?;
        total += u64::try_from(col::<i64>(&row, "n")?).unwrap_or(0);
    }
    Ok(total)
}

/// The engine's name in manifests.
pub fn engine(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

/// `20261121T170000Z-1a2b3c4d`: the UTC time first, so names sort by age.
fn new_id(now: i64) -> String {
    let format = format_description!("[year][month][day]T[hour][minute][second]Z");
    let at = OffsetDateTime::from_unix_timestamp(now)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| now.to_string());
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    format!("{at}-{}", &suffix[..8])
}
