//! Crashes and stops in a burst, tried the hard way against the real binary: the process killed
//! with SIGKILL (or stopped with SIGTERM) in the middle of a burst, then started again.
//! - Client-credentials grants: every grant that was answered must have its audit entry, the
//!   chain must verify, and entries of concurrent grants must have shared transactions.
//! - Sign-ups: every sign-up that was answered must have its customer and exactly one
//!   verification mail, delivered after the restart if the crash came first; the chain verifies.
//! - Asset writes: every asset whose form was answered must be listed after the restart.
//! - Sign-ups stopped with SIGTERM, as a service manager or ECS stops a task, their mails going
//!   to a real SMTP server and the signal arriving while the outbox worker holds a claim of
//!   several: the browsers keep sending; the process exits by itself with status 0 within ECS's
//!   30 s stop timeout; every answer it gave, before or after the signal, is the normal one (no
//!   5xx); a fresh connection is refused while it is still finishing, and after it; no outbox
//!   row is left `sending` (the claim is handed back); after a restart every answered sign-up
//!   has its customer and exactly one verification mail, no sign-up was carried out without
//!   an answer (as many customers as answered sign-ups), and the chain verifies.

use crate::support;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitStatus;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use platform::config::Config;
use platform::db::{Db, col};
use support::Backend;
use support::binary::{Binary, Server};
use testkit::smtp::{SmtpCapture, SmtpOptions};

/// Services sending grants at once.
const SENDERS: usize = 48;

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
    match try_sign_up(base, email).await {
        SignUp::Answered => Some(true),
        SignUp::Unexpected(..) => Some(false),
        SignUp::Refused | SignUp::Cut(..) => None,
    }
}

/// How one sign-up ended.
enum SignUp {
    /// The form, then the redirect to the confirmation page, each read to the end.
    Answered,
    /// An answer other than those, read to the end: the request and the status.
    Unexpected(&'static str, reqwest::StatusCode),
    /// No connection: nothing listens on the port any more.
    Refused,
    /// A connection, but no whole answer: the request, and the error with its causes.
    Cut(&'static str, String),
}

impl SignUp {
    fn failed(request: &'static str, error: &reqwest::Error) -> Self {
        if error.is_connect() {
            return SignUp::Refused;
        }
        let mut reason = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            reason.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        SignUp::Cut(request, reason)
    }
}

/// One sign-up from a fresh browser: the form, then the post.
async fn try_sign_up(base: &str, email: &str) -> SignUp {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = match http.get(format!("{base}/signup")).send().await {
        Ok(form) => form,
        Err(e) => return SignUp::failed("GET /signup", &e),
    };
    let status = form.status();
    let page = match form.text().await {
        Ok(page) => page,
        Err(e) => return SignUp::failed("GET /signup", &e),
    };
    let Some(token) = support::form_token(&page).filter(|_| status == 200) else {
        return SignUp::Unexpected("GET /signup", status);
    };
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
        .await;
    let response = match response {
        Ok(response) => response,
        Err(e) => return SignUp::failed("POST /signup", &e),
    };
    let status = response.status();
    if let Err(e) = response.bytes().await {
        return SignUp::failed("POST /signup", &e);
    }
    if status == 303 {
        SignUp::Answered
    } else {
        SignUp::Unexpected("POST /signup", status)
    }
}

/// Waits (up to a minute) until every address in `answered` has a mail in `mail_dir`, and
/// returns when the last one arrived; then checks that each has exactly one, holding its
/// verification link (a second pass of the outbox would show as a second mail).
async fn assert_one_verification_mail_each(mail_dir: &Path, answered: &[String]) -> Instant {
    let wait_until = Instant::now() + Duration::from_secs(60);
    let mut missing: Vec<&String> = answered.iter().collect();
    while !missing.is_empty() && Instant::now() < wait_until {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let mails = testkit::mail::read_all(mail_dir);
        missing.retain(|address| !mails.iter().any(|m| &m.to == *address));
    }
    let arrived = Instant::now();
    assert!(
        missing.is_empty(),
        "{} of {} answered sign-ups got no verification mail, e.g. {:?}",
        missing.len(),
        answered.len(),
        missing.first()
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mails = testkit::mail::read_all(mail_dir);
    for address in answered {
        let theirs: Vec<_> = mails.iter().filter(|m| &m.to == address).collect();
        assert_eq!(theirs.len(), 1, "mails to {address}: {}", theirs.len());
        assert!(theirs[0].link("/verify/").is_some(), "{}", theirs[0].text);
    }
    arrived
}

/// Checks that there are at least as many customers as answered sign-ups; returns how many.
async fn assert_customers_for(config: &Config, answered: &[String]) -> i64 {
    let db = Db::connect(&config.database_url()).await.unwrap();
    let mut conn = db.reader().await.unwrap();
    let signed_up: i64 = sqlx::query("SELECT COUNT(*) AS n FROM customers")
        .fetch_one(&mut *conn)
        .await
        .map(|r| col(&r, "n").unwrap())
        .unwrap();
    drop(conn);
    db.close().await;
    assert!(
        signed_up >= i64::try_from(answered.len()).unwrap(),
        "{signed_up} customers for {} answered sign-ups",
        answered.len()
    );
    signed_up
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
    let delivered = assert_one_verification_mail_each(&mail_dir, &answered).await - killed;
    let signed_up = assert_customers_for(&config, &answered).await;
    server.kill();
    println!(
        "kill -9 in a sign-up burst ({backend:?}): {} sign-ups answered before the kill, {signed_up} \
         customers after the restart, every answered one mailed exactly once within {} ms of the kill",
        answered.len(),
        delivered.as_millis()
    );

    binary.assert_audit_intact();
}

/// What the browsers saw while the server was stopped under them.
#[derive(Default)]
struct Tally {
    /// Sign-ups begun.
    sent: usize,
    /// Answered sign-ups: the address, and when the answer had been read.
    answered: Vec<(String, Instant)>,
    /// Answers other than the normal ones.
    unexpected: Vec<(&'static str, reqwest::StatusCode)>,
    /// Sign-ups that found no listener.
    refused: usize,
    /// Sign-ups whose connection ended without a whole answer: the address, the request and
    /// the error.
    cut: Vec<(String, &'static str, String)>,
}

/// Signs up new customers until `stop`, whatever the server does meanwhile.
async fn sign_up_through_a_stop(
    base: String,
    tag: usize,
    tally: Arc<Mutex<Tally>>,
    stop: Arc<AtomicBool>,
) {
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let email = format!(
            "stop-{tag}-{n}-{}@example.jp",
            uuid::Uuid::new_v4().simple()
        );
        tally.lock().unwrap().sent += 1;
        let outcome = try_sign_up(&base, &email).await;
        let refused = matches!(outcome, SignUp::Refused);
        {
            let mut tally = tally.lock().unwrap();
            match outcome {
                SignUp::Answered => tally.answered.push((email, Instant::now())),
                SignUp::Unexpected(request, status) => tally.unexpected.push((request, status)),
                SignUp::Cut(request, reason) => tally.cut.push((email, request, reason)),
                SignUp::Refused => tally.refused += 1,
            }
        }
        if refused {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// IDs of the outbox entries in `status`.
async fn outbox_ids(db: &Db, status: &str) -> Vec<i64> {
    let mut conn = db.reader().await.unwrap();
    let rows = sqlx::query("SELECT id FROM mail_outbox WHERE status = $1 ORDER BY id")
        .bind(status)
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    rows.iter().map(|r| col(r, "id").unwrap()).collect()
}

/// Whether a fresh TCP connection to `addr` is refused; one made, or not answered within a
/// second, is not; any other error fails the test.
fn connection_refused(addr: SocketAddr) -> bool {
    match std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
        Ok(_) => false,
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => true,
        Err(e) if e.kind() == std::io::ErrorKind::TimedOut => false,
        Err(e) => panic!("connecting to {addr}: {e}"),
    }
}

/// How a process stopped, counted from the signal.
struct Stopped {
    /// `None` when it was still running at the bound.
    status: Option<ExitStatus>,
    /// When its exit was seen.
    after: Duration,
    /// When a fresh connection to its port was first refused while it was still running.
    refused_while_running: Option<Duration>,
}

/// Waits, on a thread of its own (the test's runtime is busy with the browsers), up to `within`
/// after `since` for `server` to exit, trying a fresh connection to `addr` every millisecond
/// meanwhile.
async fn watch_stop(
    mut server: Server,
    addr: SocketAddr,
    since: Instant,
    within: Duration,
) -> (Server, Stopped) {
    tokio::task::spawn_blocking(move || {
        let mut refused_while_running = None;
        loop {
            let refused = connection_refused(addr);
            let status = server.exited();
            if status.is_some() || since.elapsed() > within {
                let stopped = Stopped {
                    status,
                    after: since.elapsed(),
                    refused_while_running,
                };
                return (server, stopped);
            }
            if refused && refused_while_running.is_none() {
                refused_while_running = Some(since.elapsed());
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    })
    .await
    .unwrap()
}

/// The last lines of a log, for a failure message.
fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// ECS's default stop timeout: after it, the task is killed with SIGKILL.
const STOP_TIMEOUT: Duration = Duration::from_secs(30);

async fn a_sigterm_in_a_burst_of_sign_ups_drains_and_loses_no_answered_sign_up(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let config = support::test_config(dir.path(), backend).await;
    // The SMTP server holds its first reply until released, so that mails pile up in the
    // outbox and the worker, once released, claims them in batches.
    let capture = SmtpCapture::start_with(SmtpOptions {
        hold: true,
        ..SmtpOptions::default()
    });
    let smtp_url = format!("smtp://127.0.0.1:{}", capture.port);
    let binary = Binary::with_smtp(&config, dir.path(), &smtp_url);
    let log = dir.path().join("serve.log");
    let server = binary.serve_logged(&log).await;
    let db = Db::connect(&config.database_url()).await.unwrap();

    let tally = Arc::new(Mutex::new(Tally::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let browsers: Vec<_> = (0..SIGN_UPS)
        .map(|tag| {
            tokio::spawn(sign_up_through_a_stop(
                binary.base.clone(),
                tag,
                Arc::clone(&tally),
                Arc::clone(&stop),
            ))
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(45);
    while tally.lock().unwrap().answered.len() < 30 {
        assert!(Instant::now() < deadline, "too few sign-ups answered");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // SIGTERM in the middle of the burst, while the worker holds a claim of several mails.
    capture.release();
    let deadline = Instant::now() + Duration::from_secs(20);
    let claimed = loop {
        let claimed = outbox_ids(&db, "sending").await;
        if claimed.len() > 1 {
            break claimed;
        }
        assert!(
            Instant::now() < deadline,
            "the worker never held a claim of several mails"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    };
    let terminated = Instant::now();
    server.terminate();

    // It stops by itself, closing its port first.
    let public: SocketAddr = config.public_addr;
    let (server, stopped) = watch_stop(server, public, terminated, STOP_TIMEOUT).await;
    let Some(status) = stopped.status else {
        panic!(
            "still running {STOP_TIMEOUT:?} after SIGTERM; the log ends:\n{}",
            tail(&log)
        )
    };
    drop(server);
    assert!(
        status.success(),
        "exit status after SIGTERM: {status}; the log ends:\n{}",
        tail(&log)
    );
    let exited = stopped.after;
    let refused_at = stopped.refused_while_running.unwrap_or_else(|| {
        panic!(
            "no fresh connection was refused between SIGTERM and the exit {} ms later",
            exited.as_millis()
        )
    });
    assert!(
        connection_refused(public),
        "a connection is accepted after the exit"
    );
    // The browsers meet the closed port for a moment longer, then stop.
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    for browser in browsers {
        browser.await.unwrap();
    }

    // Every answer given was the normal one.
    let tally = std::mem::take(&mut *tally.lock().unwrap());
    let server_errors = tally
        .unexpected
        .iter()
        .filter(|(_, status)| status.is_server_error())
        .count();
    assert_eq!(
        server_errors,
        0,
        "server errors among the answers: {:?}; the log ends:\n{}",
        tally.unexpected,
        tail(&log)
    );
    assert!(
        tally.unexpected.is_empty(),
        "answers other than the form and the redirect: {:?}",
        tally.unexpected
    );
    let in_flight = tally
        .answered
        .iter()
        .filter(|(_, at)| *at >= terminated)
        .count();
    let answered: Vec<String> = tally.answered.into_iter().map(|(a, _)| a).collect();

    // The worker handed its claim back: nothing is left `sending`.
    let sending = outbox_ids(&db, "sending").await;
    assert!(
        sending.is_empty(),
        "{} outbox entries left 'sending' after the exit: {sending:?}; claimed at SIGTERM: \
         {claimed:?}",
        sending.len()
    );
    let sent: HashSet<i64> = outbox_ids(&db, "sent").await.into_iter().collect();
    let pending = outbox_ids(&db, "pending").await;
    let handed_back = claimed.iter().filter(|id| pending.contains(id)).count();
    let finished = claimed.iter().filter(|id| sent.contains(id)).count();
    db.close().await;

    // Started again, it delivers what waited, once each.
    let server = binary
        .serve_logged(&dir.path().join("serve-again.log"))
        .await;
    assert_one_verification_mail_each(&capture.inbox(), &answered).await;
    let signed_up = assert_customers_for(&config, &answered).await;
    server.kill();
    // Unlike a crash, a stop answers every sign-up it carries out: a post cut without an
    // answer was not carried out either.
    let cut_posts = tally
        .cut
        .iter()
        .filter(|(_, request, _)| *request == "POST /signup")
        .count();
    assert_eq!(
        signed_up,
        i64::try_from(answered.len()).unwrap(),
        "customers after the stop, against answered sign-ups ({cut_posts} posts cut without an \
         answer)"
    );
    println!(
        "SIGTERM in a sign-up burst ({backend:?}): {} sign-ups sent, {} answered before SIGTERM, \
         {in_flight} answered in flight after it, {} refused, {} cut without an answer ({cut_posts} \
         of them posts, none carried out), 5xx = {server_errors}; port refused {} ms and exit \
         (status 0) {} ms after SIGTERM; outbox claim at SIGTERM {} (mail in flight finished \
         {finished}, handed back {handed_back}), claims left = {}, {} waiting for the restart; \
         {signed_up} customers, every answered one mailed exactly once",
        tally.sent,
        answered.len() - in_flight,
        tally.refused,
        tally.cut.len(),
        refused_at.as_millis(),
        exited.as_millis(),
        claimed.len(),
        sending.len(),
        pending.len(),
    );
    if !tally.cut.is_empty() {
        let cut: Vec<String> = tally
            .cut
            .iter()
            .map(|(_, request, reason)| format!("{request}: {reason}"))
            .collect();
        println!("  cut: {cut:?}");
    }

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
    a_crash_in_a_burst_of_asset_writes_loses_no_answered_write,
    a_sigterm_in_a_burst_of_sign_ups_drains_and_loses_no_answered_sign_up
);
