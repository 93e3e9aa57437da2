//! Storage faults the process must survive without a restart.
//!
//! - A full disk: the database on a small filesystem the test mounts (tmpfs; the test needs
//!   root or password-less sudo), customers writing until it is full, then space freed again.
//!   Every write refused meanwhile is a 503 with `Retry-After` (never a 500), `/readyz` says the
//!   database is not writable and the disk nearly full while `/healthz` stays up, nothing
//!   acknowledged is lost, nothing half-written is kept, the audit trail verifies, and writes
//!   and readiness come back as soon as there is room.
//! - PostgreSQL out of disk: the test's own cluster keeps the database in a tablespace on a small
//!   tmpfs, filled up while the customer writes, then freed: 503s, never a 500, nothing
//!   acknowledged lost, writes back at the first request.
//! - PostgreSQL stopped and started again under a customer's traffic (a cluster of the test's
//!   own): while it is down every request is a 503, never a 500; once it is back the pools
//!   reconnect by themselves and the same browser session goes on writing.
//! - The S3 server holding identity documents gone during uploads (the connection cut by a
//!   relay the test controls, the server and its objects kept): each upload is answered 503
//!   with the form and a message to send again, nothing is recorded, readiness reports the
//!   store as unreachable without taking the service down, and uploads resume once it is back.

use crate::support;

use std::io::Write;
use std::path::{Path, PathBuf};

use std::process::Command;
use std::time::{Duration, Instant};

use support::applying::{enter_account, photo, upload};
use support::{Backend, TestApp, today};

/// Size of the filesystem the database lives on.
const FILESYSTEM_MIB: u32 = 64;

/// A tmpfs mounted for the test and unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let size = format!("size={FILESYSTEM_MIB}m,mode=0700");
        let target = dir.path().to_str().unwrap();
        let ok = as_root(&["mount", "-t", "tmpfs", "-o", &size, "tmpfs", target]);
        assert!(
            ok,
            "this test mounts a small tmpfs for the data directory: it needs root or \
             password-less sudo"
        );
        Self { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Fills every free byte with a file of zeros; returns its path.
    fn fill(&self) -> PathBuf {
        let path = self.path().join("filler");
        let mut file = std::fs::File::create(&path).unwrap();
        let chunk = vec![0u8; 64 * 1024];
        loop {
            if file.write_all(&chunk).is_err() {
                break;
            }
        }
        // The last partial chunk: byte by byte until nothing fits.
        while file.write_all(&[0]).is_ok() {}
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        as_root(&["umount", "-l", self.dir.path().to_str().unwrap_or_default()]);
    }
}

fn as_root(args: &[&str]) -> bool {
    let root = std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"));
    let mut command = if root {
        let mut c = Command::new(args[0]);
        c.args(&args[1..]);
        c
    } else {
        let mut c = Command::new("sudo");
        c.arg("-n").args(args);
        c
    };
    command.status().is_ok_and(|s| s.success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_is_answered_503_and_writes_resume_once_there_is_room() {
    let disk = SmallDisk::mount();
    // The database on the small disk; mail and documents stay where the test reads them.
    let url = format!(
        "sqlite://{}?mode=rwc",
        disk.path().join("assetstatus.db").display()
    );
    let app = TestApp::spawn_with(Backend::Sqlite, |config| {
        config.database_url = Some(platform::config::SecretUrl::new(url.parse().unwrap()));
        config.health.probe_interval_seconds = 1;
        config.health.min_free_disk_mib = 8;
    })
    .await;
    let customer = app.register("full-disk@example.jp").await;
    let before = customer
        .add_asset("deposits", "普通預金", "100000", &today())
        .await;
    assert_eq!(before.status, 303, "{}", before.body);

    // The write-ahead log is copied back and truncated, so every later commit needs new space.
    app.state.db.purge_deleted().await.unwrap();
    let filler = disk.fill();

    let mut acknowledged = vec!["普通預金".to_owned()];
    let (sent, refused) = write_while_full(&customer, 20, &mut acknowledged).await;
    // Readiness tells the orchestrator; liveness does not ask for a restart.
    let (ready, body) = wait_for_readiness(&customer, 503).await;
    assert_eq!(ready, 503, "{body}");
    assert!(body.contains("not writable"), "{body}");
    assert!(body.contains("\"disk\":\"nearly full\""), "{body}");
    assert_eq!(customer.get("/healthz").await.status, 200);

    std::fs::remove_file(&filler).unwrap();
    let (recovered, attempts) = write_once_there_is_room(&customer, &mut acknowledged).await;
    let (ready, body) = wait_for_readiness(&customer, 200).await;
    assert_eq!(ready, 200, "{body}");
    println!(
        "full disk: {sent} writes during the fault, {refused} answered 503, {} acknowledged, 0 \
         answered 500; writes resumed {} ms after space was freed ({attempts} attempts)",
        sent - refused,
        recovered.as_millis()
    );
    assert_exactly_listed(&customer, &acknowledged).await;
    app.assert_audit_intact().await;
    let mut tx = app.state.db.read().await.unwrap();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    drop(tx);
    app.stop().await;
}

/// Adds `writes` assets on a full disk. Each is either acknowledged (written into space the
/// database already held; its name joins `acknowledged`) or refused with the 503 page and
/// `Retry-After`, never anything else. Returns (sent, refused); at least one was refused.
async fn write_while_full(
    customer: &support::Browser,
    writes: usize,
    acknowledged: &mut Vec<String>,
) -> (usize, usize) {
    let mut refused = 0;
    for n in 0..writes {
        let name = format!("満杯中の資産{n}");
        let page = customer
            .add_asset("deposits", &name, "5000", &today())
            .await;
        if page.status == 303 {
            acknowledged.push(name);
            continue;
        }
        assert_eq!(
            page.status, 503,
            "a full disk is not our bug: {}",
            page.body
        );
        assert_eq!(page.headers["retry-after"], "30");
        assert!(
            page.body.contains("一時的にご利用いただけません"),
            "{}",
            page.body
        );
        refused += 1;
    }
    assert!(refused > 0, "the disk never refused a write");
    (writes, refused)
}

/// Adds one asset until it is acknowledged (every refusal a 503), at most 30 s; its name joins
/// `acknowledged`. Returns how long it took and the attempts.
async fn write_once_there_is_room(
    customer: &support::Browser,
    acknowledged: &mut Vec<String>,
) -> (Duration, u32) {
    let name = "空きができた後の資産";
    let freed = Instant::now();
    let mut attempts = 0;
    loop {
        attempts += 1;
        let page = customer.add_asset("deposits", name, "7000", &today()).await;
        if page.status == 303 {
            acknowledged.push(name.to_owned());
            return (freed.elapsed(), attempts);
        }
        assert_eq!(page.status, 503, "{}", page.body);
        assert!(
            freed.elapsed() < Duration::from_secs(30),
            "writes did not resume within 30 s of freeing space"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Every acknowledged asset is listed, and nothing else.
async fn assert_exactly_listed(customer: &support::Browser, acknowledged: &[String]) {
    let list = customer.get("/assets").await;
    for name in acknowledged {
        assert!(
            list.body.contains(name.as_str()),
            "{name} was acknowledged but is gone"
        );
    }
    assert_eq!(
        customer.asset_ids().await.len(),
        acknowledged.len(),
        "{acknowledged:?}"
    );
}

/// Polls `/readyz` until it answers `status` (the probe runs every second) or 10 s pass; returns
/// the last answer.
async fn wait_for_readiness(browser: &support::Browser, status: u16) -> (u16, String) {
    wait_for_readiness_with(browser, status, "").await
}

/// [`wait_for_readiness`] until the answer also holds `fragment`.
async fn wait_for_readiness_with(
    browser: &support::Browser,
    status: u16,
    fragment: &str,
) -> (u16, String) {
    let since = Instant::now();
    loop {
        let page = browser.get("/readyz").await;
        let seen = page.status == status && page.body.contains(fragment);
        if seen || since.elapsed() > Duration::from_secs(10) {
            return (page.status, page.body);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stopped_and_started_under_traffic_is_503_then_serves_again() {
    let cluster = tokio::task::spawn_blocking(testkit::postgres::OwnCluster::start)
        .await
        .unwrap();
    let url = cluster.url();
    let app = TestApp::spawn_with(Backend::Postgres, |config| {
        config.database_url = Some(platform::config::SecretUrl::new(url.parse().unwrap()));
        config.health.probe_interval_seconds = 1;
    })
    .await;
    let customer = app.register("pg-restart@example.jp").await;
    let before = customer
        .add_asset("deposits", "停止前の資産", "100000", &today())
        .await;
    assert_eq!(before.status, 303, "{}", before.body);

    // The form as the customer has it open when the database stops.
    let token = customer.token("/assets/new").await;
    let post = |name: String| {
        let (customer, token) = (customer.clone(), token.clone());
        async move {
            let date = today();
            let fields = [
                ("category", "deposits"),
                ("name", name.as_str()),
                ("institution", "テスト銀行"),
                ("amount", "5000"),
                ("valuation_date", date.as_str()),
                ("note", ""),
            ];
            customer
                .post_with_token("/assets/new", &token, &fields)
                .await
        }
    };
    let cluster = std::sync::Arc::new(std::sync::Mutex::new(cluster));
    let stopping = std::sync::Arc::clone(&cluster);
    tokio::task::spawn_blocking(move || stopping.lock().unwrap().stop())
        .await
        .unwrap();
    let mut statuses = Vec::new();
    for n in 0..5 {
        let page = post(format!("停止中の資産{n}")).await;
        assert_eq!(
            page.status, 503,
            "a stopped database is not our bug: {}",
            page.body
        );
        assert_eq!(page.headers["retry-after"], "30");
        statuses.push(page.status);
    }
    let (ready, body) = wait_for_readiness(&customer, 503).await;
    assert_eq!(ready, 503, "{body}");
    assert_eq!(customer.get("/healthz").await.status, 200);

    let restarting = std::sync::Arc::clone(&cluster);
    tokio::task::spawn_blocking(move || restarting.lock().unwrap().restart())
        .await
        .unwrap();
    let started = Instant::now();
    let mut attempts = 0;
    let recovered = loop {
        attempts += 1;
        let page = post("再開後の資産".to_owned()).await;
        if page.status == 303 {
            break started.elapsed();
        }
        assert_eq!(page.status, 503, "{}", page.body);
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "writes did not resume within 60 s of the restart"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let (ready, body) = wait_for_readiness(&customer, 200).await;
    assert_eq!(ready, 200, "{body}");
    println!(
        "PostgreSQL stopped: {} writes during the outage, all answered 503, 0 answered 500; \
         writes resumed {} ms after the restart ({attempts} attempts)",
        statuses.len(),
        recovered.as_millis()
    );
    let list = customer.get("/assets").await;
    assert!(list.body.contains("停止前の資産") && list.body.contains("再開後の資産"));
    assert!(
        !list.body.contains("停止中の資産"),
        "a refused write was stored"
    );
    app.assert_audit_intact().await;
    app.stop().await;
}

/// The document store's objects as the S3 server itself lists them (not through the gate).
async fn objects_in(s3: &testkit::s3::S3Server, bucket: &str) -> usize {
    use futures::TryStreamExt;
    use object_store::ObjectStore;
    let listed: Vec<_> = s3.bucket(bucket).list(None).try_collect().await.unwrap();
    listed.len()
}

async fn document_rows(app: &TestApp) -> i64 {
    let mut tx = app.state.db.read().await.unwrap();
    let row = sqlx::query("SELECT COUNT(*) AS n FROM application_documents")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    platform::db::col(&row, "n").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_store_down_during_uploads_is_503_then_uploads_resume() {
    let s3 = testkit::s3::S3Server::start();
    s3.create_bucket("identity-documents");
    let gate = testkit::gate::Gate::start(s3.port);
    let endpoint = gate.endpoint();
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.documents.store = platform::config::DocumentStoreKind::S3;
        c.documents.s3_bucket = Some("identity-documents".into());
        c.documents.s3_endpoint = Some(endpoint.parse().unwrap());
        c.documents.s3_access_key_id = Some("testing".into());
        c.documents.s3_secret_access_key =
            Some(platform::config::SecretString::new("testing".into()));
        c.health.probe_interval_seconds = 1;
    })
    .await;
    let customer = app.register("s3-outage@example.jp").await;
    enter_account(&customer).await;
    let page = upload(&customer, "front", "front.jpg", photo()).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(
        (
            document_rows(&app).await,
            objects_in(&s3, "identity-documents").await
        ),
        (1, 1)
    );

    gate.close();
    let mut statuses = Vec::new();
    for side in ["back", "front", "back"] {
        let started = Instant::now();
        let page = upload(&customer, side, "document.jpg", photo()).await;
        assert_eq!(
            page.status, 503,
            "a store that is down is not our bug: {}",
            page.body
        );
        assert_eq!(page.headers["retry-after"], "30");
        assert!(
            page.body
                .contains("ただいま本人確認書類をお預かりできません"),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("class=\"alert warning\""),
            "our outage, not the customer's file: a notice, not an error"
        );
        assert!(
            page.body.contains("name=\"file\""),
            "the form stays, to send again: {}",
            page.body
        );
        statuses.push((page.status, started.elapsed().as_millis()));
    }
    let (ready, body) =
        wait_for_readiness_with(&customer, 200, "\"documents\":\"unreachable\"").await;
    assert_eq!(ready, 200, "only uploads wait; the rest serves: {body}");
    assert!(body.contains("\"documents\":\"unreachable\""), "{body}");
    assert!(body.contains("\"status\":\"degraded\""), "{body}");
    assert_eq!(customer.get("/dashboard").await.status, 200);
    assert_eq!(
        document_rows(&app).await,
        1,
        "a refused upload records nothing, and the front shown before stays"
    );

    gate.open();
    let reopened = Instant::now();
    let mut attempts = 0;
    let recovered = loop {
        attempts += 1;
        let page = upload(&customer, "back", "back.jpg", photo()).await;
        if page.status == 303 {
            break reopened.elapsed();
        }
        assert_eq!(page.status, 503, "{}", page.body);
        assert!(
            reopened.elapsed() < Duration::from_secs(30),
            "uploads did not resume"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let (ready, body) = wait_for_readiness_with(&customer, 200, "\"documents\":\"ok\"").await;
    assert!(
        ready == 200 && body.contains("\"documents\":\"ok\""),
        "{body}"
    );
    assert_eq!(document_rows(&app).await, 2);
    assert_eq!(
        objects_in(&s3, "identity-documents").await,
        2,
        "nothing half-written: one object per recorded document"
    );
    app.assert_audit_intact().await;
    let slowest = statuses.iter().map(|(_, ms)| *ms).max().unwrap_or_default();
    println!(
        "document store down: {} uploads during the outage, all answered 503 (slowest {slowest} \
         ms), 0 answered 500; uploads resumed {} ms after it came back ({attempts} attempts)",
        statuses.len(),
        recovered.as_millis()
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_out_of_disk_is_answered_503_and_writes_resume_once_there_is_room() {
    let disk = SmallDisk::mount();
    let tablespace = disk.path().to_owned();
    let cluster = tokio::task::spawn_blocking(move || {
        let cluster = testkit::postgres::OwnCluster::start();
        cluster.move_database_to(&tablespace);
        cluster
    })
    .await
    .unwrap();
    let url = cluster.url();
    let app = TestApp::spawn_with(Backend::Postgres, |config| {
        config.database_url = Some(platform::config::SecretUrl::new(url.parse().unwrap()));
        config.health.probe_interval_seconds = 1;
    })
    .await;
    let customer = app.register("pg-full-disk@example.jp").await;
    let before = customer
        .add_asset("deposits", "満杯前の資産", "100000", &today())
        .await;
    assert_eq!(before.status, 303, "{}", before.body);

    let filler = disk.fill();
    let mut acknowledged = vec!["満杯前の資産".to_owned()];
    let (sent, refused) = write_while_full(&customer, 40, &mut acknowledged).await;
    assert_eq!(customer.get("/healthz").await.status, 200);
    // The readiness probe rewrites one row, which PostgreSQL may fit into a page it has: say
    // what it answered, without holding it to "not ready".
    let readiness = customer.get("/readyz").await;

    std::fs::remove_file(&filler).unwrap();
    let (recovered, attempts) = write_once_there_is_room(&customer, &mut acknowledged).await;
    let (ready, body) = wait_for_readiness(&customer, 200).await;
    assert_eq!(ready, 200, "{body}");
    println!(
        "PostgreSQL out of disk: {sent} writes during the fault, {refused} answered 503, {} \
         acknowledged, 0 answered 500 (readiness answered {} meanwhile); writes resumed {} ms \
         after space was freed ({attempts} attempts)",
        sent - refused,
        readiness.status,
        recovered.as_millis()
    );
    assert_exactly_listed(&customer, &acknowledged).await;
    app.assert_audit_intact().await;
    app.stop().await;
    drop(cluster);
}
