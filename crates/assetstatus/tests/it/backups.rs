//! Backups and restores of a populated system (customers, assets with history, applications
//! with documents, the audit trail) on both engines, with a real S3-protocol server for the
//! remote copy, and every way a backup can be unusable: damaged, sealed under another key,
//! missing an object, or interrupted.

use crate::support;

use std::path::Path;
use std::sync::Arc;

use backup::runs::{self, Reason};
use backup::tables::{Policy, TABLES};
use backup::{BackupError, Backups, Destination, Options, Progress, Quiet, Restored, Target};
use platform::config::{BackupConfig, DocumentStoreKind, DocumentsConfig, Retention, S3Location};
use platform::crypto::{Keyring, MasterKey};
use platform::db::Db;
use sqlx::{Column as _, Row as _};
use support::applying::{enter_account, submitted, upload};
use support::{Backend, TestApp, email, today};

/// A system with two customers (assets and their history, an application with a document)
/// and the audit trail their actions left.
async fn populated(backend: Backend) -> TestApp {
    populated_with(backend, |_| {}).await.0
}

/// [`populated`] with a configuration tweak; also returns the second customer's address.
async fn populated_with(
    backend: Backend,
    tweak: impl FnOnce(&mut platform::config::Config),
) -> (TestApp, String) {
    let app = TestApp::spawn_with(backend, tweak).await;
    let (b, _, _) = submitted(&app, "backup-alice").await;
    b.add_asset("deposits", "普通預金", "1200000", &today())
        .await;
    let page = b
        .add_asset("investment_funds", "投資信託", "350000", &today())
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let carol_address = email("backup-carol");
    let carol = app.register(&carol_address).await;
    carol
        .add_asset("deposits", "定期預金", "5000000", &today())
        .await;
    enter_account(&carol).await;
    let page = upload(&carol, "front", "front.jpg", support::applying::photo()).await;
    assert_eq!(page.status, 303, "{}", page.body);
    (app, carol_address)
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

/// Restores backup `id` from `source` into `target` without recording it in the audit trail.
async fn restore_into(
    source: &Destination,
    id: &str,
    master: &MasterKey,
    target: &Empty,
) -> Result<Restored, BackupError> {
    let target = Target {
        db: &target.db,
        vault: &target.vault,
    };
    let options = Options {
        force: false,
        audit: false,
    };
    backup::restore(source, id, master, target, options, &Quiet).await
}

/// The status and detail of the last run that did not succeed.
async fn last_failure(db: &Db) -> (String, String) {
    let mut tx = db.read().await.unwrap();
    let row = sqlx::query(
        "SELECT status, detail FROM backup_runs WHERE status <> 'succeeded' \
         ORDER BY started_at DESC LIMIT 1",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    (
        row.try_get("status").unwrap(),
        row.try_get("detail").unwrap(),
    )
}

/// Progress that crashes the run when it reaches `step`, as a process killed there would.
struct CrashAt(&'static str);

impl Progress for CrashAt {
    fn stage(&self, step: &'static str, _: u64) {
        assert_ne!(step, self.0, "the process stops here");
    }
    fn advance(&self, _: u64) {}
    fn done(&self) {}
}

async fn damaged_backups_are_refused_and_never_counted(backend: Backend) {
    let app = populated(backend).await;
    let store = tempfile::tempdir().unwrap();
    let config = local_only(store.path());
    let good = backups(&app, config.clone())
        .run(Reason::Manual, &Quiet)
        .await
        .unwrap()
        .unwrap()
        .manifest;
    let source = Destination::local(store.path()).unwrap();
    let target = empty(backend).await;
    let customers = "SELECT COUNT(*) FROM customers";

    // One flipped byte anywhere in the archive.
    let archive = store.path().join(&good.id).join("archive");
    let original = std::fs::read(&archive).unwrap();
    let mut flipped = original.clone();
    flipped[original.len() / 2] ^= 0x01;
    std::fs::write(&archive, &flipped).unwrap();
    let err = restore_into(&source, &good.id, &master(&app), &target)
        .await
        .unwrap_err();
    assert!(matches!(err, BackupError::Damaged { .. }), "{err}");
    assert!(err.to_string().contains("damaged"), "{err}");
    assert_eq!(
        count(&target.db, customers).await,
        0,
        "nothing was restored"
    );
    std::fs::write(&archive, &original).unwrap();

    // A master key other than the one the backup was sealed under.
    let keys = tempfile::tempdir().unwrap();
    let other = MasterKey::load_or_create(&keys.path().join("other.key"), true).unwrap();
    let err = restore_into(&source, &good.id, &other, &target)
        .await
        .unwrap_err();
    match &err {
        BackupError::WrongKey {
            expected, actual, ..
        } => {
            assert_eq!(expected, &master(&app).fingerprint());
            assert_eq!(actual, &other.fingerprint());
        }
        other => panic!("{other}"),
    }
    assert_eq!(count(&target.db, customers).await, 0);

    // A document object missing from the store fails the run, which is recorded.
    let object_key = object_keys(&app.state.db).await.remove(0);
    let object = app.state.vault.read_sealed(&object_key).await.unwrap();
    app.state.vault.delete(&object_key).await.unwrap();
    let err = backups(&app, config.clone())
        .run(Reason::Manual, &Quiet)
        .await
        .unwrap_err();
    assert!(matches!(err, BackupError::MissingDocument { .. }), "{err}");
    let (status, detail) = last_failure(&app.state.db).await;
    assert_eq!(status, "failed");
    assert!(detail.contains(&object_key), "{detail}");
    let complete = |listed: Vec<backup::Listed>| {
        listed
            .into_iter()
            .filter(|l| l.complete)
            .map(|l| l.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        complete(source.list().await.unwrap()),
        vec![good.id.clone()]
    );
    app.state
        .vault
        .write_sealed(&object_key, object)
        .await
        .unwrap();

    // A run that stops after writing its archive but before its manifest.
    let crashing = backups(&app, config.clone());
    let crashed =
        tokio::spawn(async move { crashing.run(Reason::Manual, &CrashAt("keys")).await }).await;
    assert!(crashed.unwrap_err().is_panic());
    let listed = source.list().await.unwrap();
    let interrupted = listed
        .iter()
        .find(|l| !l.complete)
        .expect("an incomplete backup")
        .id
        .clone();
    assert!(store.path().join(&interrupted).join("archive").exists());
    assert_eq!(
        complete(listed),
        vec![good.id.clone()],
        "the good one stays the newest good one"
    );
    let err = restore_into(&source, &interrupted, &master(&app), &target)
        .await
        .unwrap_err();
    assert!(matches!(err, BackupError::Incomplete { .. }), "{err}");
    assert!(err.to_string().contains("incomplete"), "{err}");
    let running = "SELECT COUNT(*) FROM backup_runs WHERE status = 'running'";
    assert_eq!(
        count(&app.state.db, running).await,
        1,
        "the run never finished"
    );

    // The next run notices the interrupted one and completes.
    let next = backups(&app, config)
        .run(Reason::Manual, &Quiet)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        count(&app.state.db, "SELECT COUNT(*) FROM backup_runs WHERE status = 'failed' AND detail LIKE 'interrupted%'").await,
        1
    );
    let succeeded = format!(
        "SELECT COUNT(*) FROM backup_runs WHERE status = 'succeeded' AND name = '{}'",
        next.manifest.id
    );
    assert_eq!(count(&app.state.db, &succeeded).await, 1);
    let restored = restore_into(&source, &next.manifest.id, &master(&app), &target)
        .await
        .unwrap();
    assert_eq!(restored.documents, 2);
    target.db.close().await;
    app.stop().await;
}

async fn deleted_customers_stay_deleted_after_restoring_an_older_backup(backend: Backend) {
    let (app, carol_address) = populated_with(backend, |_| {}).await;
    let store = tempfile::tempdir().unwrap();
    let config = local_only(store.path());
    let older = backups(&app, config.clone())
        .run(Reason::Manual, &Quiet)
        .await
        .unwrap()
        .unwrap()
        .manifest;
    let carol = support::customer_id(&app, &carol_address).await;
    app.state
        .identity
        .delete_account(
            carol.parse().unwrap(),
            support::PASSWORD,
            &platform::audit::RequestMeta::default(),
        )
        .await
        .unwrap();
    // The key of a customer this database never deleted (one from a newer backup, after an
    // older one was restored) stays in escrow: only recorded deletions shred.
    let stranger = uuid::Uuid::new_v4().to_string();
    let stray = store.path().join("keys").join(&stranger);
    std::fs::copy(store.path().join("keys").join(&carol), &stray).unwrap();
    let newer = backups(&app, config)
        .run(Reason::Manual, &Quiet)
        .await
        .unwrap()
        .unwrap()
        .manifest;
    assert_eq!((older.escrowed_keys, newer.escrowed_keys), (2, 1));
    assert!(stray.exists(), "a key without a recorded deletion is kept");
    assert!(
        !store.path().join("keys").join(&carol).exists(),
        "her key left the escrow"
    );

    let target = empty(backend).await;
    let source = Destination::local(store.path()).unwrap();
    let restored = restore_into(&source, &older.id, &master(&app), &target)
        .await
        .unwrap();
    assert_eq!(restored.shredded, 1);
    assert_eq!(
        restored.documents, 1,
        "only the remaining customer's document"
    );
    assert_eq!(count(&target.db, "SELECT COUNT(*) FROM customers").await, 1);
    for table in [
        "customers",
        "customer_keys",
        "assets",
        "asset_history",
        "applications",
        "application_documents",
    ] {
        let column = if table == "customers" {
            "id"
        } else {
            "customer_id"
        };
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE {column} = '{carol}'");
        assert_eq!(
            count(&target.db, &sql).await,
            0,
            "{table} keeps nothing of her"
        );
    }
    let audited = format!("SELECT COUNT(*) FROM audit_log WHERE target = 'customer:{carol}'");
    assert!(
        count(&target.db, &audited).await > 0,
        "the audit trail keeps her opaque ID"
    );
    let alice_documents = object_keys(&target.db).await;
    assert_eq!(alice_documents.len(), 1);
    let all_documents = older.documents.iter().map(|d| d.object_key.clone());
    for key in all_documents.filter(|k| !alice_documents.contains(k)) {
        assert!(
            target.vault.read_sealed(&key).await.is_err(),
            "her document is not restored"
        );
    }
    target.db.close().await;
    app.stop().await;
}

on_both_backends!(
    backup_and_restore_reproduce_every_record_and_document,
    damaged_backups_are_refused_and_never_counted,
    deleted_customers_stay_deleted_after_restoring_an_older_backup,
    every_table_is_classified,
    one_run_per_scheduled_instant,
);

/// The remote copy against a real S3-protocol server: written beside the local one, pruned
/// by retention at both, and restored from its `s3://` address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_go_to_an_s3_bucket_and_restore_from_it() {
    let s3 = testkit::s3::S3Server::start();
    s3.create_bucket("assetstatus-backups");
    let app = populated(Backend::Sqlite).await;
    let store = tempfile::tempdir().unwrap();
    let location = S3Location {
        bucket: "assetstatus-backups".to_owned(),
        region: "ap-northeast-3".to_owned(),
        endpoint: Some(s3.endpoint().parse().unwrap()),
        prefix: Some("nightly".to_owned()),
        access_key_id: Some("testing".to_owned()),
        secret_access_key: Some(platform::config::SecretString::new("testing".to_owned())),
    };
    let config = BackupConfig {
        s3: Some(location.clone()),
        retention: Retention {
            daily: 1,
            weekly: 0,
            monthly: 0,
            within_hours: 0,
        },
        ..local_only(store.path())
    };
    let first = backups(&app, config.clone())
        .run(Reason::Manual, &Quiet)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.destinations.len(), 2, "{:?}", first.destinations);
    assert!(first.destinations[1].starts_with("s3://assetstatus-backups/nightly"));
    // Backup names carry the second: the next one must not share it.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let before = contents(&app.state.db).await;
    let second = backups(&app, config)
        .run(Reason::Manual, &Quiet)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second.pruned, 2, "the first backup left both destinations");
    let remote = Destination::s3(&location).unwrap();
    let listed = remote.list().await.unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].id, second.manifest.id);

    let address = format!("s3://assetstatus-backups/nightly/{}", second.manifest.id);
    let (source, id) = backup::locate(&address, Some(&location)).unwrap();
    let target = empty(Backend::Sqlite).await;
    let restored = restore_into(&source, &id, &master(&app), &target)
        .await
        .unwrap();
    assert_eq!(restored.documents, 2);
    assert_identical(&before, &app, &target).await;
    target.db.close().await;
    app.stop().await;
}

/// The worker runs the schedule by itself, once per scheduled instant.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_backs_up_on_schedule() {
    let store = tempfile::tempdir().unwrap();
    let dir = store.path().to_owned();
    let app = TestApp::spawn_with(Backend::Sqlite, move |c| {
        c.backup.scheduled = true;
        c.backup.schedule = "*/3 * * * * *".to_owned();
        c.backup.local_dir = Some(dir);
        c.ops.evaluate_seconds = 1;
    })
    .await;
    app.register(&email("scheduled")).await;
    let scheduled =
        "SELECT COUNT(*) FROM backup_runs WHERE reason = 'schedule' AND status = 'succeeded'";
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while count(&app.state.db, scheduled).await < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "no scheduled backups: {:?}",
            last_failure(&app.state.db).await
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let slots = count(
        &app.state.db,
        "SELECT COUNT(DISTINCT slot) FROM backup_runs",
    )
    .await;
    let runs = count(&app.state.db, "SELECT COUNT(*) FROM backup_runs").await;
    assert_eq!(slots, runs, "one run per scheduled instant");
    let listed = Destination::local(store.path())
        .unwrap()
        .list()
        .await
        .unwrap();
    assert!(listed.iter().filter(|l| l.complete).count() >= 2);
    app.stop().await;
}

/// A failed backup raises the `backup` alert, which reaches the administrators by mail
/// through the outbox.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_backup_alerts_the_administrators() {
    let smtp = testkit::smtp::SmtpCapture::start();
    let blocked = tempfile::NamedTempFile::new().unwrap();
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.mail.smtp_url = Some(platform::config::SecretUrl::new(
            format!("smtp://127.0.0.1:{}", smtp.port).parse().unwrap(),
        ));
        c.ops.evaluate_seconds = 1;
        c.ops.alert_mail_to = vec!["ops-team@example.jp".to_owned()];
        c.ops.rules.backup.enabled = true;
        c.ops.rules.backup.for_seconds = 0;
    })
    .await;
    // The local destination is a path under a regular file: it cannot be created.
    let config = local_only(&blocked.path().join("backups"));
    let err = backups(&app, config)
        .run(Reason::Manual, &Quiet)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("cannot create"), "{err}");
    let (status, detail) = last_failure(&app.state.db).await;
    assert_eq!(status, "failed");
    assert!(detail.contains("backup.local_dir"), "{detail}");
    let mail =
        testkit::mail::wait_for_subject(&smtp.inbox(), "ops-team@example.jp", "バックアップ").await;
    assert!(mail.text.contains("バックアップ"), "{}", mail.text);
    assert!(
        mail.text.contains("/ops/backups"),
        "leads to the backup history: {}",
        mail.text
    );
    app.stop().await;
}

/// Every table of the schema is classified for backups, and every classified table exists:
/// a new migration cannot add a table that backups silently skip.
async fn every_table_is_classified(backend: Backend) {
    let target = empty(backend).await;
    let mut tx = target.db.read().await.unwrap();
    let mut live = backup::schema::tables(&mut tx, target.db.backend())
        .await
        .unwrap();
    drop(tx);
    live.sort();
    let mut listed: Vec<String> = TABLES.iter().map(|(t, _)| (*t).to_owned()).collect();
    listed.sort();
    assert_eq!(live, listed);
    target.db.close().await;
}

/// Two workers that see the same scheduled instant record one run between them. A failed run
/// gives the instant up to be tried again after its wait; an interrupted one at once; a
/// successful one keeps it.
async fn one_run_per_scheduled_instant(backend: Backend) {
    let target = empty(backend).await;
    let db = &target.db;
    let now = platform::time_util::now_unix();
    let slot = now - 60;
    assert!(runs::slot_due(db, slot, now).await.unwrap());
    let first = runs::start(db, Reason::Schedule(slot), "a").await.unwrap();
    let second = runs::start(db, Reason::Schedule(slot), "b").await.unwrap();
    let first = first.expect("the first worker takes the instant");
    assert_eq!(second, None, "one run at a time holds the instant");

    let failed = runs::Ending::Failed {
        retry_at: now + 900,
    };
    runs::finish(db, &first, failed, "unreachable", &Default::default(), None)
        .await
        .unwrap();
    assert!(!runs::slot_due(db, slot, now + 899).await.unwrap(), "waits");
    assert!(
        runs::slot_due(db, slot, now + 900).await.unwrap(),
        "then again"
    );
    let retry = runs::start(db, Reason::Schedule(slot), "a").await.unwrap();
    assert!(retry.is_some(), "a failed run gave the instant up");

    // The process running the retry dies; the next lease holder closes the run.
    assert_eq!(runs::close_interrupted(db).await.unwrap(), 1);
    assert!(
        runs::slot_due(db, slot, now + 900).await.unwrap(),
        "an interrupted run is taken over at once"
    );
    let taken_over = runs::start(db, Reason::Schedule(slot), "b").await.unwrap();
    let taken_over = taken_over.expect("taken over");
    runs::finish(
        db,
        &taken_over,
        runs::Ending::Succeeded,
        "",
        &Default::default(),
        None,
    )
    .await
    .unwrap();
    assert!(
        !runs::slot_due(db, slot, now + 100_000).await.unwrap(),
        "done"
    );
    assert_eq!(
        runs::start(db, Reason::Schedule(slot), "c").await.unwrap(),
        None
    );
    let history = runs::recent(db, 10).await.unwrap();
    let statuses: Vec<&str> = history.iter().map(|r| r.status.as_str()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == "failed").count(),
        2,
        "{statuses:?}"
    );
    assert!(
        history.iter().any(|r| r.detail == runs::INTERRUPTED),
        "{history:?}"
    );

    let manual = runs::start(db, Reason::Manual, "a").await.unwrap();
    let again = runs::start(db, Reason::Manual, "a").await.unwrap();
    assert!(
        manual.is_some() && again.is_some(),
        "manual runs have no slot"
    );
    target.db.close().await;
}

fn assetstatus(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_assetstatus"))
        .args(args)
        .env_remove("ASSETSTATUS_DATABASE_URL")
        .env("ASSETSTATUS_DATA_DIR", dir)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The operator's commands: a backup, the list, a refused restore over live data, a restore
/// into a fresh directory with counts and what customers must do, and an intact audit chain
/// (with the restore recorded in it) afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_back_up_and_restore_from_the_command_line() {
    let app = populated(Backend::Sqlite).await;
    let live = app.dir.path().to_owned();
    let out = assetstatus(&live, &["backup"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("test restore : passed"), "{stdout}");
    assert!(stdout.contains("documents    : 2"), "{stdout}");
    let id = stdout
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("backup "))
        .and_then(|l| l.strip_suffix(" complete"))
        .unwrap()
        .to_owned();
    let listed = text(&assetstatus(&live, &["backup", "list"]).stdout);
    assert!(listed.contains(&format!("{id}  complete")), "{listed}");
    let path = live.join("backups").join(&id);
    let path = path.to_str().unwrap();

    let nowhere = live.join("no-such-dir").join(&id);
    let out = assetstatus(&live, &["restore", nowhere.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("not a backup location"),
        "{}",
        text(&out.stderr)
    );
    let out = assetstatus(&live, &["restore", "s3://only-a-bucket"]);
    assert!(
        text(&out.stderr).contains("not a backup location"),
        "{}",
        text(&out.stderr)
    );
    let out = assetstatus(&live, &["restore", path]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("only with --force"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        count(&app.state.db, "SELECT COUNT(*) FROM customers").await,
        2,
        "untouched"
    );

    let fresh = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(fresh.path().join("keys")).unwrap();
    let key = fresh.path().join("keys/master.key");
    std::fs::copy(app.config.master_key_file(), &key).unwrap();
    let verified = assetstatus(fresh.path(), &["backup", "verify", path]);
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    assert!(text(&verified.stdout).contains("is intact"));
    let out = assetstatus(fresh.path(), &["restore", path]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains(&format!("restored backup {id}")),
        "{stdout}"
    );
    assert!(stdout.contains("2 documents"), "{stdout}");
    assert!(stdout.contains("パスワードをお忘れの方"), "{stdout}");
    let audit = assetstatus(fresh.path(), &["audit", "verify"]);
    assert!(audit.status.success(), "{}", text(&audit.stdout));
    assert!(text(&audit.stdout).contains("audit trail intact"));
    let url = format!("sqlite://{}", fresh.path().join("assetstatus.db").display());
    let db = Db::connect(&url).await.unwrap();
    let n = count(
        &db,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'backup.restore'",
    )
    .await;
    assert_eq!(n, 1, "the restore is in the restored audit trail");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM customers").await, 2);
    db.close().await;
    app.stop().await;
}

/// A schedule (`utc_offset` +00:00) whose only instant each day is `seconds` from now, so that
/// retries of that instant are told apart from later instants.
fn instant_in(seconds: i64) -> (String, i64) {
    let at = platform::time_util::now_unix() + seconds;
    let of_day = at.rem_euclid(86_400);
    let (hour, minute, second) = (of_day / 3600, of_day / 60 % 60, of_day % 60);
    (format!("{second} {minute} {hour} * * *"), at)
}

/// The S3 bucket's side of a backup destination, straight to the server (not through a gate).
fn bucket_at(s3: &testkit::s3::S3Server, bucket: &str) -> S3Location {
    S3Location {
        bucket: bucket.to_owned(),
        region: "ap-northeast-1".to_owned(),
        endpoint: Some(s3.endpoint().parse().unwrap()),
        prefix: None,
        access_key_id: Some("testing".to_owned()),
        secret_access_key: Some(platform::config::SecretString::new("testing".to_owned())),
    }
}

/// The bucket `assetstatus-backups` holds exactly one complete backup, `name` (incomplete
/// leftovers of interrupted runs aside).
async fn assert_only_complete_backup(s3: &testkit::s3::S3Server, name: &str) {
    let listed = Destination::s3(&bucket_at(s3, "assetstatus-backups"))
        .unwrap()
        .list()
        .await
        .unwrap();
    let complete: Vec<_> = listed.iter().filter(|l| l.complete).collect();
    assert_eq!(complete.len(), 1, "{listed:?}");
    assert_eq!(complete[0].id, name);
}

/// Runs recorded for the scheduled instant `slot`, oldest first: (status, detail, name).
async fn runs_for(db: &Db, slot: i64) -> Vec<(String, String, Option<String>)> {
    let mut tx = db.read().await.unwrap();
    let rows = sqlx::query(
        "SELECT status, detail, name FROM backup_runs WHERE scheduled_for = $1 \
         ORDER BY started_at, id",
    )
    .bind(slot)
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    rows.iter()
        .map(|r| {
            (
                platform::db::col(r, "status").unwrap(),
                platform::db::col(r, "detail").unwrap(),
                platform::db::col(r, "name").unwrap(),
            )
        })
        .collect()
}

/// How many of `runs` have `status`.
fn with(runs: &[(String, String, Option<String>)], status: &str) -> usize {
    runs.iter().filter(|(s, ..)| s == status).count()
}

/// Polls `runs_for` until `done` holds, at most `seconds`.
async fn wait_for_runs(
    db: &Db,
    slot: i64,
    seconds: u64,
    done: impl Fn(&[(String, String, Option<String>)]) -> bool,
) -> Vec<(String, String, Option<String>)> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    loop {
        let runs = runs_for(db, slot).await;
        if done(&runs) {
            return runs;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "runs so far: {runs:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The S3 server stops answering in the middle of the night's backup, then goes away: the run
/// fails with the destination named, the `backup` alert fires, the worker goes on serving,
/// and once the bucket is back the same scheduled instant is tried again and succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_s3_server_lost_during_a_backup_fails_the_run_and_the_instant_is_retried() {
    let s3 = testkit::s3::S3Server::start();
    s3.create_bucket("assetstatus-backups");
    let gate = testkit::gate::Gate::start(s3.port);
    let through_gate = S3Location {
        endpoint: Some(gate.endpoint().parse().unwrap()),
        ..bucket_at(&s3, "assetstatus-backups")
    };
    let (schedule, slot) = instant_in(4);
    gate.hold();
    let (app, _) = populated_with(Backend::Sqlite, move |c| {
        c.backup.scheduled = true;
        c.backup.schedule = schedule;
        c.backup.utc_offset = "+00:00".to_owned();
        c.backup.local = false;
        c.backup.s3 = Some(through_gate);
        c.backup.retry_seconds = 2;
        c.ops.evaluate_seconds = 1;
        c.ops.rules.backup.enabled = true;
        c.ops.rules.backup.for_seconds = 0;
    })
    .await;
    wait_for_runs(&app.state.db, slot, 30, |r| {
        r.first().is_some_and(|(s, ..)| s == "running")
    })
    .await;
    // The upload waits on a server that does not answer; then the server is gone.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    gate.close();
    let lost = std::time::Instant::now();
    let runs = wait_for_runs(&app.state.db, slot, 60, |r| {
        r.first().is_some_and(|(s, ..)| s == "failed")
    })
    .await;
    let failed_after = lost.elapsed();
    assert!(
        runs[0].1.contains("s3://assetstatus-backups"),
        "the detail names the destination: {runs:?}"
    );
    let firing = "SELECT COUNT(*) FROM alerts WHERE rule = 'backup' AND state = 'firing'";
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while count(&app.state.db, firing).await == 0 {
        assert!(std::time::Instant::now() < deadline, "no backup alert");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let customer = app.browser();
    assert_eq!(customer.get("/healthz").await.status, 200);
    assert_eq!(
        customer.get("/readyz").await.status,
        200,
        "backups do not take the service down"
    );

    gate.open();
    let back = std::time::Instant::now();
    let runs = wait_for_runs(&app.state.db, slot, 60, |r| {
        r.last().is_some_and(|(s, ..)| s == "succeeded")
    })
    .await;
    let retried_after = back.elapsed();
    let statuses: Vec<&str> = runs.iter().map(|(s, ..)| s.as_str()).collect();
    assert_eq!(statuses.last(), Some(&"succeeded"), "{runs:?}");
    assert!(
        statuses[..statuses.len() - 1]
            .iter()
            .all(|s| *s == "failed")
    );
    let name = runs.last().unwrap().2.clone().unwrap();
    assert_only_complete_backup(&s3, &name).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while count(&app.state.db, firing).await > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the alert did not resolve"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    app.assert_audit_intact().await;
    println!(
        "S3 lost during a backup: the run failed {} ms after the server went away, the alert \
         fired; {} runs for the instant; the retry succeeded {} ms after the server came back \
         ({name}, test restore passed); the alert resolved",
        failed_after.as_millis(),
        runs.len(),
        retried_after.as_millis()
    );
    app.stop().await;
}

/// `assetstatus serve --roles worker` as a child process sharing the database, the master key
/// and the document store with its peers, its output in a file.
struct WorkerProcess {
    child: std::process::Child,
    log: std::path::PathBuf,
}

impl WorkerProcess {
    fn start(shared: &Path, name: &str, database_url: &str, backup: &str) -> Self {
        let dir = shared.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let shared = shared.display();
        let toml = format!(
            "data_dir = {:?}\npublic_addr = \"127.0.0.1:0\"\nstaff_addr = \"127.0.0.1:0\"\n\
             database_url = {database_url:?}\n[master_key]\nfile = \"{shared}/master.key\"\n\
             [documents]\nlocal_dir = \"{shared}/documents\"\n[ops]\nevaluate_seconds = 1\n{backup}",
            dir.display().to_string(),
        );
        let config = dir.join("assetstatus.toml");
        std::fs::write(&config, toml).unwrap();
        let log = dir.join("worker.log");
        let out = std::fs::File::create(&log).unwrap();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_assetstatus"))
            .args(["serve", "--roles", "worker", "--config"])
            .arg(&config)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .stdin(std::process::Stdio::null())
            .spawn()
            .unwrap();
        Self { child, log }
    }

    fn signal(&self, signal: &str) {
        let pid = self.child.id().to_string();
        let sent = std::process::Command::new("kill")
            .args([signal, pid.as_str()])
            .status()
            .unwrap();
        assert!(sent.success());
    }

    /// Waits up to `seconds` for the process to exit; its status, or `None` if still running.
    async fn exited(&mut self, seconds: u64) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
        while std::time::Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        None
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Three workers on one PostgreSQL database take the night's backup in turn: the first is
/// stopped (SIGTERM, as in a deployment) in the middle of it and gives the run up, so the
/// second takes the instant over at once; the second is killed (SIGKILL) in the middle of it,
/// so the third takes over once the backup lease lapses. One complete backup results, and the
/// history shows both interruptions.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_stopped_or_killed_in_a_backup_is_taken_over_by_another() {
    let s3 = testkit::s3::S3Server::start();
    s3.create_bucket("assetstatus-backups");
    let gate = testkit::gate::Gate::start(s3.port);
    let app = populated(Backend::Postgres).await;
    let database_url = app.config.database_url();
    let shared = tempfile::tempdir().unwrap();
    std::fs::copy(
        app.config.master_key_file(),
        shared.path().join("master.key"),
    )
    .unwrap();
    copy_tree(
        &app.config.documents.local_dir(&app.config.data_dir),
        &shared.path().join("documents"),
    );
    let (schedule, slot) = instant_in(3);
    let backup = format!(
        "[backup]\nscheduled = true\nschedule = {schedule:?}\nutc_offset = \"+00:00\"\n\
         local = false\nlease_seconds = 3\nretry_seconds = 2\n[backup.s3]\n\
         bucket = \"assetstatus-backups\"\nendpoint = {:?}\nregion = \"ap-northeast-1\"\n\
         access_key_id = \"testing\"\nsecret_access_key = \"testing\"\n",
        gate.endpoint()
    );
    let db = &app.state.db;
    gate.hold();

    let mut first = WorkerProcess::start(shared.path(), "first", &database_url, &backup);
    wait_for_runs(db, slot, 60, |r| r.len() == 1 && r[0].0 == "running").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    first.signal("-TERM");
    let stopping = std::time::Instant::now();
    let status = first.exited(20).await;
    let stopped_in = stopping.elapsed();
    assert!(
        status.is_some_and(|s| s.success()),
        "the first worker did not stop cleanly: {status:?}\n{}",
        first.log()
    );
    let runs = runs_for(db, slot).await;
    assert_eq!(runs.len(), 1, "{runs:?}\n{}", first.log());
    assert_eq!(
        (runs[0].0.as_str(), runs[0].1.as_str()),
        ("failed", runs::INTERRUPTED)
    );

    let mut second = WorkerProcess::start(shared.path(), "second", &database_url, &backup);
    let started = std::time::Instant::now();
    wait_for_runs(db, slot, 60, |r| r.len() == 2 && with(r, "running") == 1).await;
    let second_took_over = started.elapsed();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    second.signal("-KILL");
    assert!(second.exited(10).await.is_some());
    let killed = std::time::Instant::now();

    gate.open();
    let _third = WorkerProcess::start(shared.path(), "third", &database_url, &backup);
    let runs = wait_for_runs(db, slot, 90, |r| with(r, "succeeded") == 1).await;
    let third_done = killed.elapsed();
    assert_eq!(runs.len(), 3, "{runs:?}");
    assert!(
        runs.iter()
            .filter(|(status, ..)| status == "failed")
            .all(|(_, detail, _)| detail == runs::INTERRUPTED),
        "the killed worker's run is closed by the next: {runs:?}"
    );
    assert!(
        third_done >= std::time::Duration::from_secs(3),
        "taken over before the killed worker's lease lapsed: {third_done:?}"
    );
    let name = runs
        .iter()
        .find_map(|(status, _, name)| (status == "succeeded").then(|| name.clone()))
        .flatten()
        .unwrap();
    assert_only_complete_backup(&s3, &name).await;
    let (source, id) = backup::locate(
        &format!("s3://assetstatus-backups/{name}"),
        Some(&bucket_at(&s3, "assetstatus-backups")),
    )
    .unwrap();
    let target = empty(Backend::Postgres).await;
    let restored = restore_into(&source, &id, &master(&app), &target)
        .await
        .unwrap();
    assert_eq!(restored.documents, object_keys(db).await.len() as u64);
    // The workers' own audit entries and deliveries go on after the snapshot; the customers'
    // data does not change.
    for (table, masked) in [
        ("customers", &["password_hash"][..]),
        ("assets", &[]),
        ("application_documents", &[]),
    ] {
        let (source, restored) = (
            dump(db, table, masked).await,
            dump(&target.db, table, masked).await,
        );
        assert_eq!(source, restored, "{table}");
    }
    app.assert_audit_intact().await;
    println!(
        "backup interrupted twice: SIGTERM stopped the first worker in {} ms and the second \
         took over {} ms after it started; the third finished {} ms after SIGKILL of the second \
         (lease 3 s); 1 complete backup ({name}), restored identical",
        stopped_in.as_millis(),
        second_took_over.as_millis(),
        third_done.as_millis()
    );
    target.db.close().await;
    app.stop().await;
}

/// Copies a directory tree (the local document store) file by file.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
