//! Backups and restores of a populated system (customers, assets with history, applications
//! with documents, the audit trail) on both engines, with a real S3-protocol server for the
//! remote copy, and every way a backup can be unusable: damaged, sealed under another key,
//! missing an object, or interrupted.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::sync::Arc;

use backup::runs::Reason;
use backup::tables::{Policy, TABLES};
use backup::{Backups, Destination, Options, Quiet, Target};
use platform::config::{BackupConfig, DocumentStoreKind, DocumentsConfig};
use platform::crypto::{Keyring, MasterKey};
use platform::db::Db;
use sqlx::{Column as _, Row as _};
use support::applying::{enter_account, submitted, upload};
use support::{Backend, TestApp, email, today};

/// A system with two customers (assets and their history, an application with a document)
/// and the audit trail their actions left.
async fn populated(backend: Backend) -> TestApp {
    let app = TestApp::spawn(backend).await;
    let (b, _, _) = submitted(&app, "backup-alice").await;
    b.add_asset("deposits", "普通預金", "1200000", &today())
        .await;
    let page = b
        .add_asset("investment_funds", "投資信託", "350000", &today())
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let carol = app.register(&email("backup-carol")).await;
    carol
        .add_asset("deposits", "定期預金", "5000000", &today())
        .await;
    enter_account(&carol).await;
    let page = upload(&carol, "front", "front.jpg", support::applying::photo()).await;
    assert_eq!(page.status, 303, "{}", page.body);
    app
}

fn backups(app: &TestApp, config: BackupConfig) -> Backups {
    Backups {
        db: app.state.db.clone(),
        vault: Arc::clone(&app.state.vault),
        keyring: Arc::clone(&app.state.keyring),
        config,
        data_dir: app.dir.path().to_owned(),
        holder: "test-worker".to_owned(),
    }
}

fn local_only(dir: &Path) -> BackupConfig {
    BackupConfig {
        local_dir: Some(dir.to_owned()),
        ..BackupConfig::default()
    }
}

/// An empty system to restore into: a fresh database of the same engine and its own store.
struct Empty {
    db: Db,
    vault: documents::Vault,
    _dir: tempfile::TempDir,
}

async fn empty(backend: Backend) -> Empty {
    let dir = tempfile::tempdir().unwrap();
    let url = match backend {
        Backend::Sqlite => format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("db.sqlite").display()
        ),
        Backend::Postgres => testkit::postgres::fresh_database().await,
    };
    let db = Db::connect(&url).await.unwrap();
    let documents = DocumentsConfig {
        store: DocumentStoreKind::Local,
        local_dir: Some(dir.path().join("documents")),
        ..DocumentsConfig::default()
    };
    let vault = documents::Vault::from_config(&documents, dir.path()).unwrap();
    Empty {
        db,
        vault,
        _dir: dir,
    }
}

fn master(app: &TestApp) -> MasterKey {
    MasterKey::load_or_create(&app.config.master_key_file(), false).unwrap()
}

/// Every row of `table` as text, sorted, with `skip` columns left out.
async fn dump(db: &Db, table: &str, skip: &[&str]) -> Vec<String> {
    let mut tx = db.read().await.unwrap();
    let rows = sqlx::query(&format!("SELECT * FROM {table}"))
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    let mut out: Vec<String> = rows
        .iter()
        .map(|row| {
            (0..row.len())
                .filter(|i| !skip.contains(&row.column(*i).name()))
                .map(|i| {
                    let value = backup::rows::read(row, i).unwrap().unwrap();
                    format!("{}={value:?}", row.column(i).name())
                })
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect();
    out.sort();
    out
}

async fn count(db: &Db, sql: &str) -> i64 {
    let mut tx = db.read().await.unwrap();
    sqlx::query(sql)
        .fetch_one(&mut *tx)
        .await
        .unwrap()
        .try_get::<i64, _>(0)
        .unwrap()
}

async fn object_keys(db: &Db) -> Vec<String> {
    let mut tx = db.read().await.unwrap();
    sqlx::query("SELECT object_key FROM application_documents ORDER BY object_key")
        .fetch_all(&mut *tx)
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get("object_key").unwrap())
        .collect()
}

/// What a database holds, table by table, as far as backups are concerned: archived tables
/// in full (credential columns left out), escrowed keys, and the row counts of the rest.
async fn contents(db: &Db) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for (table, policy) in TABLES {
        let rows = match policy {
            Policy::Copy | Policy::Escrowed => dump(db, table, &[]).await,
            Policy::CopyWithout(masked) => dump(db, table, masked).await,
            Policy::Credentials | Policy::Transient => continue,
        };
        out.push(((*table).to_owned(), rows));
    }
    out
}

/// Proves `target` holds `expected` (the source's contents when the backup was taken), no
/// credentials or transient rows, and every document object of `source` unchanged.
async fn assert_identical(expected: &[(String, Vec<String>)], source: &TestApp, target: &Empty) {
    let got = contents(&target.db).await;
    for ((table, want), (_, have)) in expected.iter().zip(&got) {
        assert_eq!(want.len(), have.len(), "rows of {table}");
        if let Some((w, h)) = want.iter().zip(have).find(|(w, h)| w != h) {
            panic!("{table} differs:\n{w}\n{h}");
        }
    }
    for (table, policy) in TABLES {
        if matches!(policy, Policy::Credentials | Policy::Transient) {
            let n = count(&target.db, &format!("SELECT COUNT(*) FROM {table}")).await;
            assert_eq!(n, 0, "{table} is not restored");
        }
    }
    let keys = object_keys(&source.state.db).await;
    assert_eq!(keys, object_keys(&target.db).await);
    for key in keys {
        assert_eq!(
            source.state.vault.read_sealed(&key).await.unwrap(),
            target.vault.read_sealed(&key).await.unwrap(),
            "object {key}"
        );
    }
}

async fn backup_and_restore_reproduce_every_record_and_document(backend: Backend) {
    let app = populated(backend).await;
    let before = contents(&app.state.db).await;
    assert!(before.iter().all(|(_, rows)| rows.len() < 1000));
    let store = tempfile::tempdir().unwrap();
    let report = backups(&app, local_only(store.path()))
        .run(Reason::Manual, &Quiet)
        .await
        .unwrap()
        .unwrap();
    let manifest = &report.manifest;
    assert_eq!(report.drill, backup::runs::Drill::Passed);
    assert_eq!(manifest.documents.len(), 2);
    assert_eq!(manifest.escrowed_keys, 2);
    assert!(!manifest.include_credentials);
    assert!(
        manifest.table("mfa_secrets").is_none(),
        "credentials are left out"
    );
    let history = manifest.table("asset_history").unwrap();
    assert_eq!(history.rows, 3);
    assert!(manifest.table("audit_log").unwrap().rows > 5);

    let target = empty(backend).await;
    let source = Destination::local(store.path()).unwrap();
    let restored = backup::restore(
        &source,
        &manifest.id,
        &master(&app),
        Target {
            db: &target.db,
            vault: &target.vault,
        },
        Options {
            force: false,
            audit: false,
        },
        &Quiet,
    )
    .await
    .unwrap();
    assert_eq!(restored.documents, 2);
    assert_eq!(restored.shredded, 0);
    assert!(!restored.include_credentials);
    assert_identical(&before, &app, &target).await;

    // Restored passwords are hashes of a secret nobody holds, not the originals.
    let hashes = dump(&target.db, "customers", &[]).await;
    assert!(
        hashes.iter().all(|row| row.contains("$argon2id$")),
        "{hashes:?}"
    );
    assert_ne!(dump(&app.state.db, "customers", &[]).await, hashes);

    // The restored keys open the restored documents: the restored system is usable.
    let keyring = Keyring::open(&target.db, &app.config.master_key_file())
        .await
        .unwrap();
    assert_eq!(
        keyring.master_fingerprint(),
        app.state.keyring.master_fingerprint()
    );
    let mut tx = target.db.read().await.unwrap();
    let row = sqlx::query("SELECT id, customer_id, object_key FROM application_documents LIMIT 1")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    let customer: String = row.try_get("customer_id").unwrap();
    let document: String = row.try_get("id").unwrap();
    let object_key: String = row.try_get("object_key").unwrap();
    let key = keyring
        .customer_key(&mut tx, customer.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    drop(tx);
    let image = target
        .vault
        .get(&key, document.parse().unwrap(), &object_key)
        .await
        .unwrap();
    assert!(image.bytes.starts_with(&[0xFF, 0xD8]), "a JPEG comes back");
    target.db.close().await;
    app.stop().await;
}

on_both_backends!(backup_and_restore_reproduce_every_record_and_document);
