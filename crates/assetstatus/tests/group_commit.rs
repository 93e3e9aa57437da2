//! Crashes in a burst, tried the hard way against the real binary: the process killed with
//! SIGKILL in the middle of a burst, then started again.
//! - Client-credentials grants: every grant that was answered must have its audit entry, the
//!   chain must verify, and entries of concurrent grants must have shared transactions.
//! - Sign-ups: every sign-up that was answered must have its customer and exactly one
//!   verification mail, delivered after the restart if the crash came first; the chain verifies.
//! - Asset writes: every asset whose form was answered must be listed after the restart.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use platform::config::Config;
use platform::db::{Db, col};
use support::Backend;

/// Services sending grants at once.
const SENDERS: usize = 48;

/// The binary with its configuration in a file, as an operator runs it.
struct Binary {
    config: PathBuf,
    base: String,
}

impl Binary {
    /// Mails claimed by a killed process wait for their claim to lapse before the restarted
    /// one sends them (`mail.lease_seconds`, five minutes by default); five seconds here.
    fn new(config: &Config, dir: &Path) -> Self {
        let file = dir.join("assetstatus.toml");
        let toml = format!(
            "data_dir = {:?}\npublic_addr = {:?}\nstaff_addr = \"127.0.0.1:0\"\n\
             database_url = {:?}\n[edge]\nstaff_allow = [\"127.0.0.0/8\"]\n\
             [edge.rate_limits]\nexempt = [\"127.0.0.0/8\"]\n[backup]\nscheduled = false\n\
             [mail]\nlease_seconds = 5\n",
            config.data_dir.display().to_string(),
            config.public_addr.to_string(),
            config.database_url(),
        );
        std::fs::write(&file, toml).unwrap();
        Self {
            config: file,
            base: format!("http://{}", config.public_addr),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_assetstatus"));
        command
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default());
        command
    }

    /// `assetstatus audit verify`, as an operator runs it after a crash, must pass.
    fn assert_audit_intact(&self) {
        let verify = self.command(&["audit", "verify"]).output().unwrap();
        assert!(
            verify.status.success(),
            "audit verify: {}{}",
            String::from_utf8_lossy(&verify.stdout),
            String::from_utf8_lossy(&verify.stderr)
        );
    }

    /// Registers a service allowed client credentials; returns its ID and secret.
    fn register_service(&self) -> (String, String) {
        let out = self
            .command(&[
                "clients",
                "add",
                "--name",
                "burst",
                "--auth",
                "client_secret_basic",
                "--grants",
                "client_credentials",
                "--scopes",
                "assets:read",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name))
                .unwrap()
                .trim()
                .to_owned()
        };
        (field("client_id:"), field("client_secret:"))
    }

    async fn serve(&self) -> Server {
        let server = Server(
            self.command(&["serve"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .stdin(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ready = http
                .get(format!("{}/readyz", self.base))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200);
            if ready {
                return server;
            }
            assert!(Instant::now() < deadline, "the server did not become ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// A running server, killed with SIGKILL when dropped.
struct Server(Child);

impl Server {
    /// SIGKILL: nothing in flight gets to finish.
    fn kill(mut self) {
        self.0.kill().unwrap();
        self.0.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Sends grants until stopped; the request IDs of the answered ones go into `answered`.
async fn send_grants(
    base: String,
    id: String,
    secret: String,
    answered: Arc<Mutex<Vec<String>>>,
    until: Instant,
) {
    let http = reqwest::Client::new();
    while Instant::now() < until {
        let response = http
            .post(format!("{base}/oauth2/token"))
            .basic_auth(&id, Some(&secret))
            .form(&[
                ("grant_type", "client_credentials"),
                ("scope", "assets:read"),
            ])
            .send()
            .await;
        let Ok(response) = response else { return };
        if response.status() != 200 {
            continue;
        }
        let request_id = response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned();
        // Only a response read to the end counts as answered.
        if response.bytes().await.is_ok() {
            answered.lock().unwrap().push(request_id);
        }
    }
}

async fn a_crash_in_a_burst_loses_no_answered_grant(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let config = support::test_config(dir.path(), backend).await;
    let binary = Binary::new(&config, dir.path());
    let (id, secret) = binary.register_service();
    let server = binary.serve().await;

    let answered = Arc::new(Mutex::new(Vec::new()));
    let until = Instant::now() + Duration::from_secs(30);
    let senders: Vec<_> = (0..SENDERS)
        .map(|_| {
            tokio::spawn(send_grants(
                binary.base.clone(),
                id.clone(),
                secret.clone(),
                Arc::clone(&answered),
                until,
            ))
        })
        .collect();
    // Kill in the middle of the burst, grants in flight.
    let deadline = Instant::now() + Duration::from_secs(20);
    while answered.lock().unwrap().len() < 400 {
        assert!(Instant::now() < deadline, "too few grants answered");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill();
    for sender in senders {
        sender.await.unwrap();
    }
    let answered: Vec<String> = answered.lock().unwrap().clone();

    // Started again, it serves; the trail holds an entry for every answered grant.
    let server = binary.serve().await;
    let db = Db::connect(&config.database_url()).await.unwrap();
    let mut conn = db.reader().await.unwrap();
    let rows = sqlx::query(
        "SELECT request_id, at_ms FROM audit_log WHERE action = 'oidc.token_issued.client_credentials'",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    drop(conn);
    let recorded: HashSet<String> = rows.iter().map(|r| col(r, "request_id").unwrap()).collect();
    let missing: Vec<&String> = answered.iter().filter(|r| !recorded.contains(*r)).collect();
    assert!(
        missing.is_empty(),
        "{} of {} answered grants have no audit entry, e.g. {:?}",
        missing.len(),
        answered.len(),
        missing.first()
    );
    // Entries committed together carry the same time; with this many senders some must have.
    let mut per_commit: HashMap<i64, usize> = HashMap::new();
    for row in &rows {
        *per_commit.entry(col(row, "at_ms").unwrap()).or_default() += 1;
    }
    assert!(
        per_commit.values().any(|&n| n > 2),
        "no three grants shared a transaction"
    );
    db.close().await;
    server.kill();

    binary.assert_audit_intact();
}

/// Browsers signing up at once.
const SIGN_UPS: usize = 12;

/// Signs up new customers until stopped or the server goes away; the addresses of the answered
/// sign-ups go into `answered`.
async fn send_sign_ups(
    base: String,
    tag: usize,
    answered: Arc<Mutex<Vec<String>>>,
    until: Instant,
) {
    let mut n = 0;
    while Instant::now() < until {
        n += 1;
        let email = format!(
            "burst-{tag}-{n}-{}@example.jp",
            uuid::Uuid::new_v4().simple()
        );
        match sign_up(&base, &email).await {
            Some(true) => answered.lock().unwrap().push(email),
            Some(false) => {}
            None => return,
        }
    }
}

/// One sign-up from a fresh browser: `Some(true)` when answered with the redirect to the
/// confirmation page and read to the end, `None` when the server is gone.
async fn sign_up(base: &str, email: &str) -> Option<bool> {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = http.get(format!("{base}/signup")).send().await.ok()?;
    let token = support::form_token(&form.text().await.ok()?)?;
    let response = http
        .post(format!("{base}/signup"))
        .form(&[
            ("csrf", token.as_str()),
            ("name_kanji", "試験 花子"),
            ("name_kana", "シケン ハナコ"),
            ("email", email),
            ("birth_date", "1990-04-01"),
            ("password", support::PASSWORD),
            ("password_confirm", support::PASSWORD),
        ])
        .send()
        .await
        .ok()?;
    let redirected = response.status() == 303;
    response.bytes().await.ok()?;
    Some(redirected)
}

async fn a_crash_in_a_burst_of_sign_ups_loses_no_answered_sign_up_or_its_mail(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let config = support::test_config(dir.path(), backend).await;
    let binary = Binary::new(&config, dir.path());
    let server = binary.serve().await;

    let answered = Arc::new(Mutex::new(Vec::new()));
    let until = Instant::now() + Duration::from_secs(60);
    let browsers: Vec<_> = (0..SIGN_UPS)
        .map(|tag| {
            tokio::spawn(send_sign_ups(
                binary.base.clone(),
                tag,
                Arc::clone(&answered),
                until,
            ))
        })
        .collect();
    // Kill in the middle of the burst, sign-ups and mails in flight.
    let deadline = Instant::now() + Duration::from_secs(45);
    while answered.lock().unwrap().len() < 30 {
        assert!(Instant::now() < deadline, "too few sign-ups answered");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let killed = Instant::now();
    server.kill();
    for browser in browsers {
        browser.await.unwrap();
    }
    let answered: Vec<String> = answered.lock().unwrap().clone();

    // Started again, it serves, and the outbox delivers what the crash left behind.
    let server = binary.serve().await;
    let mail_dir = config.data_dir.join("mail");
    let wait_until = Instant::now() + Duration::from_secs(60);
    let mut missing: Vec<&String> = answered.iter().collect();
    while !missing.is_empty() && Instant::now() < wait_until {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let mails = testkit::mail::read_all(&mail_dir);
        missing.retain(|address| !mails.iter().any(|m| &m.to == *address));
    }
    let delivered = killed.elapsed();
    assert!(
        missing.is_empty(),
        "{} of {} answered sign-ups got no verification mail, e.g. {:?}",
        missing.len(),
        answered.len(),
        missing.first()
    );
    // A second pass of the outbox would show here as a second mail.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mails = testkit::mail::read_all(&mail_dir);
    for address in &answered {
        let theirs: Vec<_> = mails.iter().filter(|m| &m.to == address).collect();
        assert_eq!(theirs.len(), 1, "mails to {address}: {}", theirs.len());
        assert!(theirs[0].link("/verify/").is_some(), "{}", theirs[0].text);
    }
    let db = Db::connect(&config.database_url()).await.unwrap();
    let mut conn = db.reader().await.unwrap();
    let signed_up: i64 = sqlx::query("SELECT COUNT(*) AS n FROM customers")
        .fetch_one(&mut *conn)
        .await
        .map(|r| col(&r, "n").unwrap())
        .unwrap();
    drop(conn);
    db.close().await;
    server.kill();
    assert!(
        signed_up >= i64::try_from(answered.len()).unwrap(),
        "{signed_up} customers for {} answered sign-ups",
        answered.len()
    );
    println!(
        "kill -9 in a sign-up burst ({backend:?}): {} sign-ups answered before the kill, {signed_up} \
         customers after the restart, every answered one mailed exactly once within {} ms of the kill",
        answered.len(),
        delivered.as_millis()
    );

    binary.assert_audit_intact();
}

/// Customers writing assets at once.
const WRITERS: usize = 8;

/// Adds assets through the form until stopped or the server goes away; the names of the
/// answered ones go into `answered`.
async fn send_assets(browser: support::Browser, tag: usize, answered: Arc<Mutex<Vec<String>>>) {
    for n in 0.. {
        let name = format!("資産{tag}-{n}");
        let Some(page) = browser
            .client
            .get(format!("{}/assets/new", browser.base))
            .send()
            .await
            .ok()
        else {
            return;
        };
        let Some(token) = page.text().await.ok().and_then(|t| support::form_token(&t)) else {
            return;
        };
        let date = support::today();
        let response = browser
            .client
            .post(format!("{}/assets/new", browser.base))
            .form(&[
                ("csrf", token.as_str()),
                ("category", "deposits"),
                ("name", name.as_str()),
                ("institution", "テスト銀行"),
                ("amount", "1000"),
                ("valuation_date", date.as_str()),
                ("note", ""),
            ])
            .send()
            .await;
        let Ok(response) = response else { return };
        let redirected = response.status() == 303;
        if response.bytes().await.is_ok() && redirected {
            answered.lock().unwrap().push(name);
        }
    }
}

/// Signs up, confirms and logs in a customer against the binary; returns the browser.
async fn customer(binary: &Binary, mail_dir: &Path, email: &str) -> support::Browser {
    let browser = support::Browser::new(&binary.base);
    assert_eq!(browser.sign_up(email, support::PASSWORD).await.status, 303);
    let link = testkit::mail::wait_for_link(mail_dir, email, "/verify/").await;
    let path = link.strip_prefix(&binary.base).unwrap().to_owned();
    browser.submit(&path, &path, &[]).await;
    let page = browser.login(email, support::PASSWORD).await;
    assert_eq!(
        page.location.as_deref(),
        Some("/dashboard"),
        "{}",
        page.body
    );
    browser
}

async fn a_crash_in_a_burst_of_asset_writes_loses_no_answered_write(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let config = support::test_config(dir.path(), backend).await;
    let binary = Binary::new(&config, dir.path());
    let server = binary.serve().await;
    let mail_dir = config.data_dir.join("mail");
    let mut browsers = Vec::new();
    for n in 0..WRITERS {
        browsers.push(customer(&binary, &mail_dir, &format!("writer-{n}@example.jp")).await);
    }

    let answered = Arc::new(Mutex::new(Vec::new()));
    let writers: Vec<_> = browsers
        .iter()
        .enumerate()
        .map(|(tag, b)| tokio::spawn(send_assets(b.clone(), tag, Arc::clone(&answered))))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(45);
    while answered.lock().unwrap().len() < 100 {
        assert!(Instant::now() < deadline, "too few asset writes answered");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.kill();
    for writer in writers {
        writer.await.unwrap();
    }
    let answered: Vec<String> = answered.lock().unwrap().clone();

    // Started again, the same sessions see every answered asset.
    let server = binary.serve().await;
    let mut listed = HashSet::new();
    for browser in &browsers {
        let page = browser.get("/assets").await;
        assert_eq!(page.status, 200, "{}", page.body);
        for name in &answered {
            if page.body.contains(&format!(">{name}<")) {
                listed.insert(name.clone());
            }
        }
    }
    let missing: Vec<&String> = answered.iter().filter(|n| !listed.contains(*n)).collect();
    assert!(
        missing.is_empty(),
        "{} of {} answered asset writes are gone, e.g. {:?}",
        missing.len(),
        answered.len(),
        missing.first()
    );
    println!(
        "kill -9 in a burst of asset writes ({backend:?}): {} writes answered before the kill, \
         every one listed after the restart",
        answered.len()
    );
    server.kill();
    binary.assert_audit_intact();
}

on_both_backends!(
    a_crash_in_a_burst_loses_no_answered_grant,
    a_crash_in_a_burst_of_sign_ups_loses_no_answered_sign_up_or_its_mail,
    a_crash_in_a_burst_of_asset_writes_loses_no_answered_write
);
