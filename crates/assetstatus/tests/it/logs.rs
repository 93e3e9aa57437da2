//! Logs carry request IDs and routes, never personal data or secrets: a whole journey is run
//! with the binary's output captured, then searched for every value the customer typed or received.

use crate::support;

use support::binary::Binary;
use support::{Backend, Browser, latest_link, test_config};

/// The binary's own output at `debug`, as an operator would raise it to look into a fault.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_hold_no_personal_data_or_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path(), Backend::Sqlite).await;
    config.log_filter = "debug,sqlx=warn,hyper=warn,h2=warn,reqwest=warn".to_owned();
    let binary = Binary::new(&config, dir.path());
    let log_file = dir.path().join("serve.log");
    let mut server = binary.serve_logged(&log_file).await;
    let mail_dir = dir.path().join("mail");
    let address = "log-probe-7731@example.jp";
    let b = Browser::new(&binary.base);
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
    let verify = latest_link(&binary.base, &mail_dir, address, "/verify/").await;
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
    let reset = latest_link(&binary.base, &mail_dir, address, "/password/reset/").await;
    let session = b
        .client
        .get(format!("{}/dashboard", binary.base))
        .send()
        .await
        .unwrap();
    assert_eq!(session.status(), 200);
    server.terminate();
    assert!(server.wait_for_exit().await.success());

    let log = std::fs::read_to_string(&log_file).unwrap();
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
