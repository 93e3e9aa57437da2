//! Restoring a backup: everything is checked first (manifest, archive checksum, every table and
//! object, every escrowed key) without touching the target; then the whole database is loaded
//! in one transaction, so a restore that fails midway leaves nothing behind.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use argon2::password_hash::{PasswordHasher as _, SaltString};
use bytes::Bytes;
use platform::audit::{self, Actor, Event, Outcome, RequestMeta};
use platform::crypto::{MasterKey, customer_aad};
use platform::db::{Db, DbError, WriteTx, col};
use platform::ids::CustomerId;
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

use crate::archive::{self, DOCUMENTS};
use crate::escrow::{self, EscrowedKey};
use crate::manifest::{self, Manifest};
use crate::rows::{self, ColumnKind, TableDigest, Value};
use crate::tables::{self, OWNER_TABLES, TABLES};
use crate::{BackupError, Destination, Progress, schema, snapshot};

/// Values bound per INSERT statement. SQLite finds each numbered parameter by a linear scan,
/// so binding grows with the square of the values in a statement: about 400 loaded a million
/// rows in half the time 1,600 took (`docs/performance.md`, "Backups").
const VALUES_PER_INSERT: usize = 400;

/// Where a backup is restored to.
#[derive(Clone, Copy)]
pub struct Target<'a> {
    /// The database, with the backup's schema applied and (without `force`) empty.
    pub db: &'a Db,
    /// The document store.
    pub vault: &'a documents::Vault,
}

/// How to restore.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Replace what the target database holds.
    pub force: bool,
    /// Record the restore in the restored audit trail (not for drills, whose copy must equal
    /// the backup exactly).
    pub audit: bool,
}

/// A backup checked end to end and ready to load.
pub struct Verified {
    /// Its manifest.
    pub manifest: Manifest,
    key: platform::crypto::DataKey,
    archive: PathBuf,
    keys: HashMap<String, EscrowedKey>,
    /// Customers in the archive whose keys were destroyed since: they stay out of the restore.
    pub shredded: Vec<String>,
    owners: HashMap<String, String>,
}

/// What a restore put back.
#[derive(Clone, Debug)]
pub struct Restored {
    /// Name of the backup.
    pub id: String,
    /// Rows per table, as in the archive.
    pub tables: Vec<(String, u64)>,
    /// Document objects written to the store.
    pub documents: u64,
    /// Customers left out because their keys were destroyed.
    pub shredded: u64,
    /// Whether credentials came back; if not, every customer sets a new password by mail.
    pub include_credentials: bool,
}

/// Checks backup `id` at `source` in full, with `scratch` holding the downloaded (still
/// sealed) archive. Nothing is written anywhere else.
pub async fn verify(
    source: &Destination,
    id: &str,
    master: &MasterKey,
    scratch: &Path,
    progress: &dyn Progress,
) -> Result<Verified, BackupError> {
    let (manifest, key) = manifest::open(&source.manifest(id).await?, id, master)?;
    let archive_file = scratch.join("archive.sealed");
    let (bytes, sha256) = source.download_archive(id, &archive_file, progress).await?;
    if bytes != manifest.archive.bytes || sha256 != manifest.archive.sha256 {
        return Err(BackupError::Damaged {
            id: id.to_owned(),
            reason: format!(
                "the archive has {bytes} bytes with SHA-256 {sha256}, the manifest says {} bytes with {}",
                manifest.archive.bytes, manifest.archive.sha256
            ),
        });
    }
    let contents = check_contents(&manifest, &key, &archive_file, progress).await?;
    let keys = escrow::fetch(source, &contents.customers, id).await?;
    for escrowed in keys.values() {
        check_key(master, escrowed, id)?;
    }
    let shredded = contents
        .customers
        .iter()
        .filter(|c| !keys.contains_key(*c))
        .cloned()
        .collect();
    Ok(Verified {
        manifest,
        key,
        archive: archive_file,
        keys,
        shredded,
        owners: contents.owners,
    })
}

/// What reading the archive through taught about it.
struct Contents {
    customers: Vec<String>,
    owners: HashMap<String, String>,
}

async fn check_contents(
    manifest: &Manifest,
    key: &platform::crypto::DataKey,
    file: &Path,
    progress: &dyn Progress,
) -> Result<Contents, BackupError> {
    let id = &manifest.id;
    let mismatch = |reason: String| BackupError::Mismatch {
        id: id.clone(),
        reason,
    };
    let mut digests: HashMap<String, TableDigest> = HashMap::new();
    let mut seen_documents = HashSet::new();
    let expected_documents: HashMap<&str, (&str, u64)> = manifest
        .documents
        .iter()
        .map(|d| (d.object_key.as_str(), (d.sha256.as_str(), d.bytes)))
        .collect();
    let mut contents = Contents {
        customers: Vec::new(),
        owners: HashMap::new(),
    };
    progress.stage(
        "verify",
        manifest.records() + manifest.documents.len() as u64,
    );
    let mut entries = archive::read(id, key.duplicate(), file.to_owned());
    while let Some(entry) = entries.recv().await {
        let entry = entry?;
        if let Some(table) = snapshot::table_of(&entry.name) {
            let columns = &manifest
                .table(table)
                .ok_or_else(|| mismatch(format!("table {table} is not in the manifest")))?
                .columns;
            let digest = digests.entry(table.to_owned()).or_default();
            for line in entry.data.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                digest.add(line);
                learn(&mut contents, table, columns, line, &mismatch)?;
            }
            progress.advance(entry.data.iter().filter(|b| **b == b'\n').count() as u64);
        } else if let Some(object_key) = entry.name.strip_prefix(DOCUMENTS) {
            let (sha, size) = expected_documents
                .get(object_key)
                .ok_or_else(|| mismatch(format!("object {object_key} is not in the manifest")))?;
            if hex::encode(Sha256::digest(&entry.data)) != *sha || entry.data.len() as u64 != *size
            {
                return Err(mismatch(format!("object {object_key} differs")));
            }
            seen_documents.insert(object_key.to_owned());
            progress.advance(1);
        } else {
            return Err(mismatch(format!("unexpected entry {}", entry.name)));
        }
    }
    progress.done();
    for table in &manifest.tables {
        let digest = digests.remove(&table.name).unwrap_or_default();
        let rows = digest.rows();
        if rows != table.rows || digest.finish() != table.sha256 {
            return Err(mismatch(format!(
                "table {} has {rows} rows in the archive, the manifest says {} (or its checksum differs)",
                table.name, table.rows
            )));
        }
    }
    if let Some(missing) = manifest
        .documents
        .iter()
        .find(|d| !seen_documents.contains(&d.object_key))
    {
        return Err(mismatch(format!(
            "object {} is missing from the archive",
            missing.object_key
        )));
    }
    Ok(contents)
}

/// Notes who the customers are and whose each document is, for shredding.
fn learn(
    contents: &mut Contents,
    table: &str,
    columns: &[String],
    line: &[u8],
    mismatch: &(dyn Fn(String) -> BackupError + Sync),
) -> Result<(), BackupError> {
    if table != "customers" && table != "application_documents" {
        return Ok(());
    }
    let values = rows::decode(line).map_err(|e| mismatch(format!("a row of {table}: {e}")))?;
    let text = |name: &str| {
        columns
            .iter()
            .position(|c| c == name)
            .and_then(|i| values.get(i))
            .and_then(|v| match v {
                Value::Text(t) => Some(t.clone()),
                _ => None,
            })
            .ok_or_else(|| mismatch(format!("a row of {table} has no {name}")))
    };
    if table == "customers" {
        contents.customers.push(text("id")?);
    } else {
        contents
            .owners
            .insert(text("object_key")?, text("customer_id")?);
    }
    Ok(())
}

fn check_key(master: &MasterKey, escrowed: &EscrowedKey, id: &str) -> Result<(), BackupError> {
    let damaged = || BackupError::Damaged {
        id: id.to_owned(),
        reason: format!(
            "the escrowed key of customer {} does not open with the master key",
            escrowed.customer
        ),
    };
    let customer: CustomerId = escrowed.customer.parse().map_err(|_| damaged())?;
    master
        .unwrap_key(&escrowed.wrapped, customer_aad(customer).as_bytes())
        .map(|_| ())
        .map_err(|_| damaged())
}

/// Restores backup `id` from `source` into `target`.
pub async fn restore(
    source: &Destination,
    id: &str,
    master: &MasterKey,
    target: Target<'_>,
    options: Options,
    progress: &dyn Progress,
) -> Result<Restored, BackupError> {
    let scratch = tempfile::tempdir().map_err(BackupError::io(Path::new("temporary directory")))?;
    let (manifest, _) = manifest::open(&source.manifest(id).await?, id, master)?;
    check_target(target.db, &manifest, options.force).await?;
    let verified = verify(source, id, master, scratch.path(), progress).await?;
    load(verified, target, options, progress).await
}

/// Refuses a target with another schema, or with data unless forced.
async fn check_target(db: &Db, manifest: &Manifest, force: bool) -> Result<(), BackupError> {
    let mut tx = db.read().await?;
    let current = schema::version(&mut tx).await?;
    if current != manifest.schema_version {
        return Err(BackupError::SchemaVersion {
            id: manifest.id.clone(),
            backup: manifest.schema_version,
            current,
        });
    }
    if !force {
        for (table, _) in TABLES {
            // A fresh schema holds only the audit chain's starting point.
            let sql = match *table {
                "audit_head" => "SELECT COUNT(*) AS n FROM audit_head WHERE seq <> 0".to_owned(),
                _ => format!("SELECT COUNT(*) AS n FROM {}", schema::quoted(table)),
            };
            let row = sqlx::query(&sql)
                .fetch_one(&mut *tx)
                .await
                .map_err(DbError::from)?;
            if col::<i64>(&row, "n")? > 0 {
                return Err(BackupError::TargetNotEmpty {
                    table: (*table).to_owned(),
                });
            }
        }
    }
    tx.finish().await?;
    Ok(())
}

/// Loads a verified backup.
pub async fn load(
    verified: Verified,
    target: Target<'_>,
    options: Options,
    progress: &dyn Progress,
) -> Result<Restored, BackupError> {
    let manifest = &verified.manifest;
    let backend = target.db.backend();
    let placeholder = unusable_password_hash();
    let shredded: HashSet<&str> = verified.shredded.iter().map(String::as_str).collect();
    let mut tx = target.db.write().await?;
    clear(&mut tx).await?;
    let identity = schema::identity_columns(&mut tx, backend).await?;
    let mut loader = Loader {
        kinds: HashMap::new(),
        identity: identity.iter().map(|(t, _)| t.clone()).collect(),
        placeholder,
        include_credentials: manifest.include_credentials,
    };
    progress.stage("load", manifest.records() + manifest.documents.len() as u64);
    let mut documents = 0u64;
    let mut entries = archive::read(
        &manifest.id,
        verified.key.duplicate(),
        verified.archive.clone(),
    );
    while let Some(entry) = entries.recv().await {
        let entry = entry?;
        if let Some(table) = snapshot::table_of(&entry.name) {
            let rows = loader
                .insert(&mut tx, backend, manifest, table, &entry.data)
                .await?;
            progress.advance(rows);
        } else if let Some(object_key) = entry.name.strip_prefix(DOCUMENTS) {
            let owner = verified.owners.get(object_key).map(String::as_str);
            if !owner.is_some_and(|o| shredded.contains(o)) {
                target
                    .vault
                    .write_sealed(object_key, Bytes::from(entry.data))
                    .await?;
                documents += 1;
            }
            progress.advance(1);
        }
    }
    progress.done();
    restore_keys(&mut tx, &verified.keys).await?;
    shred(&mut tx, &verified.shredded).await?;
    for (table, column) in &identity {
        advance_sequence(&mut tx, table, column).await?;
    }
    if options.audit {
        let event = Event {
            actor: Actor::system("restore"),
            action: "backup.restore",
            target: audit::Target::backup(&manifest.id),
            outcome: Outcome::Success,
        };
        audit::append(&mut tx, &event, &RequestMeta::default()).await?;
    }
    tx.commit().await?;
    Ok(Restored {
        id: manifest.id.clone(),
        tables: manifest
            .tables
            .iter()
            .map(|t| (t.name.clone(), t.rows))
            .collect(),
        documents,
        shredded: verified.shredded.len() as u64,
        include_credentials: manifest.include_credentials,
    })
}

/// Empties every table, last first, so foreign keys never object; the audit trail's delete
/// guard is lifted by its permit for this one transaction.
async fn clear(tx: &mut WriteTx) -> Result<(), BackupError> {
    sqlx::query("INSERT INTO audit_prune_permit (id) VALUES (1)")
        .execute(&mut **tx)
        .await
        .map_err(DbError::from)?;
    for (table, _) in TABLES.iter().rev() {
        if *table == "audit_prune_permit" {
            continue;
        }
        sqlx::query(&format!("DELETE FROM {}", schema::quoted(table)))
            .execute(&mut **tx)
            .await
            .map_err(DbError::from)?;
    }
    sqlx::query("DELETE FROM audit_prune_permit")
        .execute(&mut **tx)
        .await
        .map_err(DbError::from)?;
    Ok(())
}

/// Inserts archive entries into their tables.
struct Loader {
    kinds: HashMap<String, Vec<ColumnKind>>,
    identity: HashSet<String>,
    placeholder: String,
    include_credentials: bool,
}

impl Loader {
    async fn insert(
        &mut self,
        tx: &mut WriteTx,
        backend: platform::db::Backend,
        manifest: &Manifest,
        table: &str,
        data: &[u8],
    ) -> Result<u64, BackupError> {
        let mismatch = |reason: String| BackupError::Mismatch {
            id: manifest.id.clone(),
            reason,
        };
        let entry = manifest
            .table(table)
            .ok_or_else(|| mismatch(format!("table {table} is not in the manifest")))?;
        let kinds = self
            .kinds_of(tx, backend, table, &entry.columns, &mismatch)
            .await?;
        let policy = tables::policy(table).ok_or_else(|| BackupError::Unclassified {
            table: table.to_owned(),
        })?;
        let masked = tables::masked(policy, self.include_credentials);
        let masked: Vec<bool> = entry
            .columns
            .iter()
            .map(|c| masked.contains(&c.as_str()))
            .collect();
        let lines: Vec<&[u8]> = data
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .collect();
        let rows_per_insert = (VALUES_PER_INSERT / kinds.len().max(1)).max(1);
        for batch in lines.chunks(rows_per_insert) {
            let sql = insert_sql(
                table,
                &entry.columns,
                batch.len(),
                self.identity.contains(table),
            );
            let mut query = sqlx::query(&sql);
            for line in batch {
                let values =
                    rows::decode(line).map_err(|e| mismatch(format!("a row of {table}: {e}")))?;
                if values.len() != kinds.len() {
                    return Err(mismatch(format!(
                        "a row of {table} has {} values",
                        values.len()
                    )));
                }
                for ((value, kind), hide) in values.into_iter().zip(&kinds).zip(&masked) {
                    let value = if *hide {
                        Value::Text(self.placeholder.clone())
                    } else {
                        value
                    };
                    query = bind(query, value, *kind).ok_or_else(|| {
                        mismatch(format!("a value of {table} does not fit its column"))
                    })?;
                }
            }
            query.execute(&mut **tx).await.map_err(DbError::from)?;
        }
        Ok(lines.len() as u64)
    }

    async fn kinds_of(
        &mut self,
        tx: &mut WriteTx,
        backend: platform::db::Backend,
        table: &str,
        columns: &[String],
        mismatch: &(dyn Fn(String) -> BackupError + Sync),
    ) -> Result<Vec<ColumnKind>, BackupError> {
        if let Some(kinds) = self.kinds.get(table) {
            return Ok(kinds.clone());
        }
        let target = schema::columns(tx, backend, table).await?;
        let kinds = columns
            .iter()
            .map(|name| {
                target
                    .iter()
                    .find(|c| &c.name == name)
                    .and_then(|c| c.kind)
                    .ok_or_else(|| {
                        mismatch(format!("column {table}.{name} is not in this database"))
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.kinds.insert(table.to_owned(), kinds.clone());
        Ok(kinds)
    }
}

fn insert_sql(table: &str, columns: &[String], rows: usize, identity: bool) -> String {
    let list: Vec<String> = columns.iter().map(|c| schema::quoted(c)).collect();
    let mut sql = format!(
        "INSERT INTO {} ({})",
        schema::quoted(table),
        list.join(", ")
    );
    if identity {
        sql.push_str(" OVERRIDING SYSTEM VALUE");
    }
    sql.push_str(" VALUES ");
    let mut n = 0;
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        let placeholders: Vec<String> = columns
            .iter()
            .map(|_| {
                n += 1;
                format!("${n}")
            })
            .collect();
        sql.push('(');
        sql.push_str(&placeholders.join(", "));
        sql.push(')');
    }
    sql
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

fn bind(query: Query<'_>, value: Value, kind: ColumnKind) -> Option<Query<'_>> {
    Some(match (value, kind) {
        (Value::Null, ColumnKind::SmallInt) => query.bind(None::<i32>),
        (Value::Null, ColumnKind::BigInt) => query.bind(None::<i64>),
        (Value::Null, ColumnKind::Real) => query.bind(None::<f64>),
        (Value::Null, ColumnKind::Text) => query.bind(None::<String>),
        (Value::Null, ColumnKind::Bytes) => query.bind(None::<Vec<u8>>),
        (Value::Int(i), ColumnKind::SmallInt) => query.bind(i32::try_from(i).ok()?),
        (Value::Int(i), ColumnKind::BigInt) => query.bind(i),
        (Value::Real(f), ColumnKind::Real) => query.bind(f),
        (Value::Text(t), ColumnKind::Text) => query.bind(t),
        (Value::Bytes(b), ColumnKind::Bytes) => query.bind(b),
        _ => return None,
    })
}

async fn restore_keys(
    tx: &mut WriteTx,
    keys: &HashMap<String, EscrowedKey>,
) -> Result<(), BackupError> {
    for key in keys.values() {
        sqlx::query(
            "INSERT INTO customer_keys (customer_id, wrapped_key, created_at) VALUES ($1, $2, $3)",
        )
        .bind(&key.customer)
        .bind(&key.wrapped)
        .bind(key.created_at)
        .execute(&mut **tx)
        .await
        .map_err(DbError::from)?;
    }
    Ok(())
}

/// Removes customers whose keys were destroyed after the backup, as deleting them did.
async fn shred(tx: &mut WriteTx, customers: &[String]) -> Result<(), BackupError> {
    for customer in customers {
        sqlx::query("DELETE FROM customers WHERE id = $1")
            .bind(customer)
            .execute(&mut **tx)
            .await
            .map_err(DbError::from)?;
        for table in OWNER_TABLES {
            sqlx::query(&format!(
                "DELETE FROM {} WHERE owner = $1",
                schema::quoted(table)
            ))
            .bind(format!("customer:{customer}"))
            .execute(&mut **tx)
            .await
            .map_err(DbError::from)?;
        }
    }
    Ok(())
}

/// Moves an identity column's sequence past the restored values.
async fn advance_sequence(tx: &mut WriteTx, table: &str, column: &str) -> Result<(), BackupError> {
    let sql = format!(
        "SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX({c}), 0) + 1, false) AS v FROM {t}",
        c = schema::quoted(column),
        t = schema::quoted(table),
    );
    sqlx::query(&sql)
        .bind(table)
        .bind(column)
        .fetch_one(&mut **tx)
        .await
        .map_err(DbError::from)?;
    Ok(())
}

/// A password hash of a random secret nobody holds: restored accounts without credentials
/// cannot be logged into until their owner sets a new password, and a login attempt costs the
/// same time as for any other account.
fn unusable_password_hash() -> String {
    let mut secret = [0u8; 32];
    OsRng.fill_bytes(&mut secret);
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(&secret, &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
}
