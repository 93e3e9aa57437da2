//! Alert rules driven by real causes: failed passwords through the HTTP login form, a stopped
//! SMTP server process, a stopped PostgreSQL server, a tampered audit row. Each must bring
//! exactly one alert mail to a real SMTP server and one call to a real webhook receiver, then
//! one recovery notice of each once the cause is gone.

use crate::support;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::routing::post;
use platform::config::{Config, SecretString, SecretUrl};
use support::{Backend, PASSWORD, TestApp, email};
use testkit::mail::{self, Mail};
use testkit::smtp::SmtpCapture;

/// Where alert mails go.
const OPS_TEAM: &str = "ops-team@bank.example";

/// How long a notice may take: evaluation every second, mail retries after 15 s.
const PATIENCE: Duration = Duration::from_secs(60);

/// A webhook receiver: a real HTTP server that keeps every JSON body it is sent.
struct Hook {
    url: String,
    bodies: Arc<Mutex<Vec<serde_json::Value>>>,
}

impl Hook {
    async fn start() -> Self {
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&bodies);
        let app = axum::Router::new().route(
            "/hook",
            post(move |Json(body): Json<serde_json::Value>| {
                let kept = Arc::clone(&kept);
                async move {
                    kept.lock().unwrap().push(body);
                    "ok"
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            url: format!("http://{addr}/hook"),
            bodies,
        }
    }

    /// Notices (`fired`, `recovered`…) received for `rule`.
    fn notices(&self, rule: &str) -> Vec<String> {
        self.bodies
            .lock()
            .unwrap()
            .iter()
            .filter(|b| b["alert"]["rule"] == rule)
            .map(|b| b["alert"]["notice"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    async fn wait_for(&self, rule: &str, notice: &str) {
        let deadline = Instant::now() + PATIENCE;
        while !self.notices(rule).iter().any(|n| n == notice) {
            assert!(
                Instant::now() < deadline,
                "no webhook call `{notice}` for {rule}; got {:?}",
                self.bodies.lock().unwrap()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Fast evaluation, every rule but `rule` off (so nothing else on this machine interferes),
/// alerts to the team mailbox and the webhook.
fn alerting(c: &mut Config, smtp_port: u16, hook: &Hook, rule: &str) {
    c.mail.smtp_url = Some(SecretUrl::new(
        format!("smtp://127.0.0.1:{smtp_port}").parse().unwrap(),
    ));
    c.ops.evaluate_seconds = 1;
    c.ops.sample_seconds = 1;
    c.ops.alert_mail_to = vec![OPS_TEAM.to_owned()];
    c.ops.alert_webhook_url = Some(SecretString::new(hook.url.clone()));
    let rules = &mut c.ops.rules;
    for settings in [
        &mut rules.readiness,
        &mut rules.document_store,
        &mut rules.smtp,
        &mut rules.error_rate,
        &mut rules.latency,
        &mut rules.outbox_backlog,
        &mut rules.disk_space,
        &mut rules.backup,
        &mut rules.password_failures_account,
        &mut rules.second_factor_guessing,
        &mut rules.password_failures_network,
        &mut rules.credential_stuffing,
        &mut rules.refresh_token_reuse,
        &mut rules.waf_blocks,
        &mut rules.staff_new_address,
        &mut rules.staff_document_views,
        &mut rules.audit_chain,
    ] {
        settings.enabled = false;
    }
    let chosen = match rule {
        "readiness" => &mut rules.readiness,
        "smtp" => &mut rules.smtp,
        "password_failures_account" => &mut rules.password_failures_account,
        "second_factor_guessing" => &mut rules.second_factor_guessing,
        "audit_chain" => &mut rules.audit_chain,
        other => panic!("no such rule in these tests: {other}"),
    };
    chosen.enabled = true;
    chosen.for_seconds = 1;
}

/// Alert mails to the team whose subject contains `fragment`.
fn mails(inbox: &Path, fragment: &str) -> Vec<Mail> {
    mail::to(inbox, OPS_TEAM)
        .into_iter()
        .filter(|m| m.subject.contains(fragment))
        .collect()
}

async fn wait_for_mail(inbox: &Path, fragment: &str) -> Mail {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(m) = mails(inbox, fragment).pop() {
            return m;
        }
        let subjects: Vec<String> = mail::to(inbox, OPS_TEAM)
            .into_iter()
            .map(|m| m.subject)
            .collect();
        assert!(
            Instant::now() < deadline,
            "no alert mail with `{fragment}`; got {subjects:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// After both notices arrived: a few more evaluations, then exactly one of each.
async fn exactly_one_alert_and_one_recovery(inbox: &Path, hook: &Hook, rule: &str, title: &str) {
    tokio::time::sleep(Duration::from_secs(3)).await;
    let fired = mails(inbox, &format!("】{title}"));
    let recovered = mails(inbox, &format!("【復旧】{title}"));
    assert_eq!(
        fired.len() - recovered.len(),
        1,
        "one alert mail: {:?}",
        fired.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    assert_eq!(recovered.len(), 1, "one recovery mail");
    assert_eq!(hook.notices(rule), ["fired", "recovered"]);
}

/// Signs up and confirms through the mail that went to the real SMTP server.
async fn register(app: &TestApp, inbox: &Path, address: &str) {
    let b = app.browser();
    assert_eq!(b.sign_up(address, PASSWORD).await.status, 303);
    let link = mail::wait_for_link(inbox, address, "/verify/").await;
    let path = link.strip_prefix(&app.base).expect("a link to this app");
    b.submit(path, path, &[]).await;
}

async fn alert_states(app: &TestApp, rule: &str) -> Vec<String> {
    let mut tx = app.state.db.read().await.unwrap();
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT state FROM alerts WHERE rule = $1 ORDER BY started_at")
            .bind(rule)
            .fetch_all(&mut *tx)
            .await
            .unwrap();
    rows.into_iter().map(|(s,)| s).collect()
}

async fn failed_logins_raise_one_alert_then_recovery(backend: Backend) {
    let smtp = SmtpCapture::start();
    let hook = Hook::start().await;
    let app = TestApp::spawn_with(backend, |c| {
        alerting(c, smtp.port, &hook, "password_failures_account");
        let rule = &mut c.ops.rules.password_failures_account;
        rule.threshold = 3.0;
        rule.window_seconds = 8;
        rule.for_seconds = 0;
    })
    .await;
    let address = email("alerted");
    register(&app, &smtp.inbox(), &address).await;
    let b = app.browser();
    for _ in 0..3 {
        let page = b.login(&address, "not-the-password-123").await;
        assert_ne!(page.location.as_deref(), Some("/dashboard"));
    }
    let fired = wait_for_mail(&smtp.inbox(), "【セキュリティ】").await;
    assert!(
        fired.subject.contains("同じアカウントへのパスワード誤り"),
        "{}",
        fired.subject
    );
    assert!(
        fired.text.contains("customer:") && !fired.text.contains(&address),
        "the mail names the account by ID, never by address: {}",
        fired.text
    );
    assert!(fired.text.contains("/ops/alerts"), "{}", fired.text);
    hook.wait_for("password_failures_account", "fired").await;
    let body = hook.bodies.lock().unwrap()[0].clone();
    assert!(
        body["text"].as_str().unwrap().contains("パスワード誤り"),
        "Slack-style text: {body}"
    );
    // The failures age out of the window: the alert recovers.
    wait_for_mail(&smtp.inbox(), "【復旧】").await;
    hook.wait_for("password_failures_account", "recovered")
        .await;
    exactly_one_alert_and_one_recovery(
        &smtp.inbox(),
        &hook,
        "password_failures_account",
        "同じアカウントへのパスワード誤りが続いています",
    )
    .await;
    assert_eq!(
        alert_states(&app, "password_failures_account").await,
        ["resolved"]
    );
    // The right password still works: alerting never locks anyone out by itself.
    let ok = b.login(&address, PASSWORD).await;
    assert_eq!(ok.location.as_deref(), Some("/dashboard"));
    app.stop().await;
}

async fn stopped_mail_server_raises_one_alert_then_recovery(backend: Backend) {
    let mut smtp = SmtpCapture::start();
    let port = smtp.port;
    let hook = Hook::start().await;
    let app = TestApp::spawn_with(backend, |c| alerting(c, port, &hook, "smtp")).await;
    // Healthy at first: evaluations run and nothing fires.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(alert_states(&app, "smtp").await.is_empty());
    smtp.stop();
    // The webhook hears of it while the mail server is down; the mail waits in the outbox.
    hook.wait_for("smtp", "fired").await;
    assert_eq!(alert_states(&app, "smtp").await, ["firing"]);
    let back = SmtpCapture::start_on(port);
    hook.wait_for("smtp", "recovered").await;
    let title = "メールサーバーに接続できません";
    wait_for_mail(&back.inbox(), &format!("【障害】{title}")).await;
    wait_for_mail(&back.inbox(), &format!("【復旧】{title}")).await;
    exactly_one_alert_and_one_recovery(&back.inbox(), &hook, "smtp", title).await;
    assert_eq!(alert_states(&app, "smtp").await, ["resolved"]);
    app.stop().await;
}

async fn tampered_audit_row_raises_one_alert_then_recovery(backend: Backend) {
    let smtp = SmtpCapture::start();
    let hook = Hook::start().await;
    let app = TestApp::spawn_with(backend, |c| {
        alerting(c, smtp.port, &hook, "audit_chain");
        c.ops.rules.audit_chain.window_seconds = 1;
        c.ops.rules.audit_chain.for_seconds = 0;
    })
    .await;
    register(&app, &smtp.inbox(), &email("tamper")).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(alert_states(&app, "audit_chain").await.is_empty());
    let (seq, original) = {
        let mut tx = app.state.db.read().await.unwrap();
        let row: (i64, String) =
            sqlx::query_as("SELECT seq, target FROM audit_log ORDER BY seq LIMIT 1")
                .fetch_one(&mut *tx)
                .await
                .unwrap();
        row
    };
    let rewrite = |target: String| {
        let db = app.state.db.clone();
        async move {
            let mut tx = db.write().await.unwrap();
            let lift = match backend {
                Backend::Sqlite => "DROP TRIGGER IF EXISTS audit_log_no_update",
                Backend::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER USER",
            };
            sqlx::query(lift).execute(&mut *tx).await.unwrap();
            sqlx::query("UPDATE audit_log SET target = $1 WHERE seq = $2")
                .bind(target)
                .bind(seq)
                .execute(&mut *tx)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
    };
    rewrite("customer:someone-else".to_owned()).await;
    let title = "監査ログの改ざんを検知しました";
    let fired = wait_for_mail(&smtp.inbox(), &format!("【セキュリティ】{title}")).await;
    assert!(fired.text.contains(&seq.to_string()), "{}", fired.text);
    // Put the entry back as it was: the chain verifies again and the alert recovers.
    rewrite(original).await;
    wait_for_mail(&smtp.inbox(), &format!("【復旧】{title}")).await;
    hook.wait_for("audit_chain", "recovered").await;
    exactly_one_alert_and_one_recovery(&smtp.inbox(), &hook, "audit_chain", title).await;
    app.stop().await;
}

/// Someone with the password guessing codes over several logins: the rule counts the wrong
/// codes of the account, whichever pending login they came on, and names it by its ID.
async fn wrong_codes_raise_the_second_factor_alert(backend: Backend) {
    let smtp = SmtpCapture::start();
    let hook = Hook::start().await;
    let app = TestApp::spawn_with(backend, |c| {
        alerting(c, smtp.port, &hook, "second_factor_guessing");
        let rule = &mut c.ops.rules.second_factor_guessing;
        rule.threshold = 3.0;
        rule.window_seconds = 60;
        rule.for_seconds = 0;
    })
    .await;
    let address = email("codes");
    register(&app, &smtp.inbox(), &address).await;
    let b = app.browser();
    assert_eq!(
        b.login(&address, PASSWORD).await.location.as_deref(),
        Some("/dashboard")
    );
    let setup = b.get("/profile/two-step").await;
    let key = support::authenticator_key(&setup.body);
    let on = b
        .submit(
            "/profile/two-step",
            "/profile/two-step/confirm",
            &[("code", &support::code_at(&key, 0))],
        )
        .await;
    assert_eq!(on.status, 200);
    for _ in 0..3 {
        let guesser = app.browser();
        assert_eq!(
            guesser.login(&address, PASSWORD).await.location.as_deref(),
            Some("/login/code")
        );
        let page = guesser
            .submit("/login/code", "/login/code", &[("code", "000000")])
            .await;
        assert_eq!(page.status, 401);
    }
    let fired = wait_for_mail(&smtp.inbox(), "【セキュリティ】").await;
    assert!(
        fired.subject.contains("同じアカウントへの確認コードの誤り"),
        "{}",
        fired.subject
    );
    let id = support::customer_id(&app, &address).await;
    assert!(
        fired.text.contains(&format!("customer:{id}")) && !fired.text.contains(&address),
        "the mail names the account by ID, never by address: {}",
        fired.text
    );
    hook.wait_for("second_factor_guessing", "fired").await;
    assert_eq!(
        alert_states(&app, "second_factor_guessing").await,
        ["firing"]
    );
    app.stop().await;
}

on_both_backends!(
    wrong_codes_raise_the_second_factor_alert,
    failed_logins_raise_one_alert_then_recovery,
    stopped_mail_server_raises_one_alert_then_recovery,
    tampered_audit_row_raises_one_alert_then_recovery,
);

/// PostgreSQL stopped under a running system: nothing can be queued, so the worker that held
/// the evaluation lease mails directly; once the server is back the incident is recorded and
/// the recovery goes through the outbox.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopped_database_is_alerted_directly_then_recovery() {
    let cluster = tokio::task::spawn_blocking(testkit::postgres::OwnCluster::start)
        .await
        .unwrap();
    let url = cluster.url();
    let smtp = SmtpCapture::start();
    let hook = Hook::start().await;
    let app = TestApp::spawn_with(Backend::Postgres, |c| {
        alerting(c, smtp.port, &hook, "readiness");
        c.database_url = Some(SecretUrl::new(url.parse().unwrap()));
    })
    .await;
    // The engine has run (it holds the lease) before the server goes away.
    let deadline = Instant::now() + PATIENCE;
    loop {
        let mut tx = app.state.db.read().await.unwrap();
        let held: Option<(String,)> =
            sqlx::query_as("SELECT holder FROM leases WHERE name = 'ops'")
                .fetch_optional(&mut *tx)
                .await
                .unwrap();
        if held.is_some() {
            break;
        }
        assert!(Instant::now() < deadline, "the alert engine never ran");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let cluster = Arc::new(Mutex::new(cluster));
    let stopped = Arc::clone(&cluster);
    tokio::task::spawn_blocking(move || stopped.lock().unwrap().stop())
        .await
        .unwrap();
    let title = "データベースに接続できません";
    let fired = wait_for_mail(&smtp.inbox(), &format!("【障害】{title}")).await;
    assert!(fired.text.contains("/ops/alerts"), "{}", fired.text);
    hook.wait_for("readiness", "fired").await;
    let restarted = Arc::clone(&cluster);
    tokio::task::spawn_blocking(move || restarted.lock().unwrap().restart())
        .await
        .unwrap();
    wait_for_mail(&smtp.inbox(), &format!("【復旧】{title}")).await;
    hook.wait_for("readiness", "recovered").await;
    exactly_one_alert_and_one_recovery(&smtp.inbox(), &hook, "readiness", title).await;
    assert_eq!(alert_states(&app, "readiness").await, ["resolved"]);
    app.stop().await;
}
