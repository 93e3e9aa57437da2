//! Logs carry request IDs and routes, never personal data or secrets: a whole journey is run
//! with the log captured, then searched for every value the customer typed or received.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use support::{Backend, TestApp};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_hold_no_personal_data_or_secrets() {
    let captured = Captured::default();
    let sink = captured.clone();
    assert!(platform::telemetry::init(
        "debug,sqlx=warn,hyper=warn,h2=warn,reqwest=warn",
        move || sink.clone()
    ));
    let app = TestApp::spawn(Backend::Sqlite).await;
    let address = "log-probe-7731@example.jp";
    let b = app.browser();
    b.submit(
        "/signup",
        "/signup",
        &[
            ("name_kanji", "記録 されぬ子"),
            ("name_kana", "キロク サレヌコ"),
            ("email", address),
            ("birth_date", "1966-06-16"),
            ("password", support::PASSWORD),
            ("password_confirm", support::PASSWORD),
        ],
    )
    .await;
    let verify = app.latest_link(address, "/verify/").await;
    b.submit(&verify, &verify, &[]).await;
    b.login(address, "a-wrong-password-typed").await;
    b.login(address, support::PASSWORD).await;
    b.add_asset("deposits", "ログ禁止口座", "123456789", &support::today())
        .await;
    b.submit(
        "/password/forgot",
        "/password/forgot",
        &[("email", address)],
    )
    .await;
    let reset = app.latest_link(address, "/password/reset/").await;
    let session = b
        .client
        .get(format!("{}/dashboard", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(session.status(), 200);
    app.stop().await;

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("\"route\":\"/verify/{token}\""),
        "access log uses route templates"
    );
    assert!(log.contains("\"request_id\""));
    let dashboard = log
        .lines()
        .find(|l| l.contains("\"route\":\"/dashboard\"") && l.contains("\"status\":200"))
        .expect("the dashboard request is logged");
    assert!(
        dashboard.contains("\"user_id\":\"customer:"),
        "the access log names the signed-in customer by ID: {dashboard}"
    );
    let verify_token = verify.rsplit('/').next().unwrap();
    let reset_token = reset.rsplit('/').next().unwrap();
    for secret in [
        address,
        "log-probe",
        "記録",
        "キロク",
        "1966-06-16",
        "ログ禁止口座",
        "123456789",
        support::PASSWORD,
        "a-wrong-password-typed",
        verify_token,
        reset_token,
    ] {
        assert!(!log.contains(secret), "the log contains «{secret}»");
    }
}
