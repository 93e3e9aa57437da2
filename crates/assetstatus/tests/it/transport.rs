//! Transport: TLS from a self-signed certificate made at first start or from certificate files,
//! the HTTP-to-HTTPS redirect (which only ever points at our own address), HSTS over HTTPS only,
//! and the security headers on every answer.

use crate::support;

use platform::config::TlsMode;
use support::{Backend, TestApp, free_addr};

fn trusting(cert_pem: &[u8]) -> reqwest::Client {
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert_pem).unwrap())
        .tls_built_in_root_certs(false)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_self_signed_certificate_serves_https_with_hsts_and_a_redirect() {
    let redirect = free_addr();
    let app = TestApp::spawn_with(Backend::Sqlite, |config| {
        config.tls.mode = TlsMode::SelfSigned;
        config.tls.redirect_addr = Some(redirect);
    })
    .await;
    let cert = std::fs::read(app.dir.path().join("tls/self-signed.crt")).unwrap();
    let https = trusting(&cert);
    let base = format!("https://localhost:{}", app.config.public_addr.port());
    let page = https.get(format!("{base}/login")).send().await.unwrap();
    assert_eq!(page.status(), 200, "the certificate verifies for localhost");
    let headers = page.headers();
    assert_eq!(headers["strict-transport-security"], "max-age=31536000");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert!(
        headers["permissions-policy"]
            .to_str()
            .unwrap()
            .contains("camera=()")
    );
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    let staff = https
        .get(format!(
            "https://127.0.0.1:{}/healthz",
            app.staff_addr.port()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        staff.status(),
        200,
        "the staff listener speaks TLS too, for its IP address"
    );

    let plain = reqwest::get(format!(
        "http://127.0.0.1:{}/login",
        app.config.public_addr.port()
    ))
    .await;
    assert!(
        plain.map_or(true, |r| r.status() == 400),
        "plain HTTP is not served on the TLS port"
    );

    let no_follow = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let expected_base = app.config.public_base_url();
    for (path, expected) in [
        ("/assets?period=month", "assets?period=month"),
        ("//evil.example/steal", "/evil.example/steal"),
        ("/%5Cevil.example", "%5Cevil.example"),
    ] {
        let answer = no_follow
            .get(format!("http://{redirect}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 308, "{path}");
        let location = answer.headers()["location"].to_str().unwrap().to_owned();
        assert!(
            location.starts_with(expected_base.as_str()) && location.ends_with(expected),
            "{path} → {location}"
        );
        assert!(
            !answer.headers().contains_key("strict-transport-security"),
            "HSTS is never sent over plain HTTP"
        );
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificates_come_from_files_and_bad_files_stop_start_up() {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let files = tempfile::tempdir().unwrap();
    let cert = files.path().join("server.crt");
    let key = files.path().join("server.key");
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.key_pair.serialize_pem()).unwrap();
    let (cert_file, key_file) = (cert.clone(), key.clone());
    let app = TestApp::spawn_with(Backend::Sqlite, move |config| {
        config.tls.mode = TlsMode::Files;
        config.tls.cert_file = Some(cert_file);
        config.tls.key_file = Some(key_file);
    })
    .await;
    let https = trusting(made.cert.pem().as_bytes());
    let page = https
        .get(format!(
            "https://localhost:{}/login",
            app.config.public_addr.port()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        !app.dir.path().join("tls").exists(),
        "no certificate is made when files are given"
    );
    app.stop().await;

    let dir = tempfile::tempdir().unwrap();
    let mut config = support::test_config(dir.path(), Backend::Sqlite).await;
    config.tls.mode = TlsMode::Files;
    config.tls.cert_file = Some(key.clone());
    config.tls.key_file = Some(cert.clone());
    let built = assetstatus::server::build(&config).await.unwrap();
    let error = assetstatus::server::start(&config, &built, &assetstatus::server::Role::ALL)
        .await
        .err()
        .expect("a key where the certificate belongs is refused");
    assert!(
        format!("{error:#}").contains("cannot load the TLS certificate"),
        "{error:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_on_loopback_sends_no_hsts() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let page = reqwest::get(format!("{}/login", app.base)).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(!page.headers().contains_key("strict-transport-security"));
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    app.stop().await;
}
