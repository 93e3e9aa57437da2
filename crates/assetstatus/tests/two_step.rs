//! Optional two-step verification: set up with an authenticator app, then every login needs a
//! current code (each usable once) or a one-time recovery code; wrong codes are counted, and
//! turning it off needs the password and a code and is reported by mail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{Backend, Browser, TestApp, code_at, email};

fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    html.split(start)
        .nth(1)
        .and_then(|s| s.split(end).next())
        .unwrap()
}

async fn log_in_to_second_step(b: &Browser, address: &str) {
    let page = b.login(address, support::PASSWORD).await;
    assert_eq!(
        page.location.as_deref(),
        Some("/login/code"),
        "a code is due"
    );
    assert_eq!(
        b.get("/dashboard").await.location.as_deref(),
        Some("/login"),
        "not logged in yet"
    );
}

async fn authenticator_codes_and_recovery_codes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let address = email("twostep");
    let b = app.register(&address).await;
    let setup = b.get("/profile/two-step").await;
    assert_eq!(setup.status, 200);
    assert!(setup.body.contains("<svg"), "a QR code to scan");
    let key = between(&setup.body, "<code class=\"key\">", "</code>").to_owned();
    assert_eq!(
        b.get("/profile/two-step").await.body.matches(&key).count(),
        1,
        "the same secret until confirmed"
    );

    let wrong = b
        .submit(
            "/profile/two-step",
            "/profile/two-step/confirm",
            &[("code", "000000")],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("確認コードが正しくないか"));
    let done = b
        .submit(
            "/profile/two-step",
            "/profile/two-step/confirm",
            &[("code", &code_at(&key, 0))],
        )
        .await;
    assert_eq!(done.status, 200);
    let recovery: Vec<String> = done
        .body
        .split("<li><code>")
        .skip(1)
        .map(|s| s.split('<').next().unwrap().to_owned())
        .collect();
    assert_eq!(recovery.len(), 10);
    assert!(
        b.get("/profile/two-step")
            .await
            .body
            .contains("未使用のリカバリーコードは10件です")
    );

    let other = app.browser();
    log_in_to_second_step(&other, &address).await;
    let replay = other
        .submit("/login/code", "/login/code", &[("code", &code_at(&key, 0))])
        .await;
    assert_eq!(
        replay.status, 401,
        "the code used to confirm cannot be used again"
    );
    let next = code_at(&key, 1);
    let ok = other
        .submit("/login/code", "/login/code", &[("code", &next)])
        .await;
    assert_eq!(ok.location.as_deref(), Some("/dashboard"));
    assert_eq!(other.get("/dashboard").await.status, 200);

    let third = app.browser();
    log_in_to_second_step(&third, &address).await;
    assert_eq!(
        third
            .submit("/login/code", "/login/code", &[("code", &next)])
            .await
            .status,
        401,
        "a code works once"
    );
    let with_recovery = third
        .submit(
            "/login/code",
            "/login/code",
            &[("code", &recovery[0].to_lowercase())],
        )
        .await;
    assert_eq!(with_recovery.location.as_deref(), Some("/dashboard"));

    let fourth = app.browser();
    log_in_to_second_step(&fourth, &address).await;
    assert_eq!(
        fourth
            .submit("/login/code", "/login/code", &[("code", &recovery[0])])
            .await
            .status,
        401,
        "recovery codes work once"
    );
    for _ in 0..4 {
        fourth
            .submit("/login/code", "/login/code", &[("code", "123456")])
            .await;
    }
    let expired = fourth
        .submit("/login/code", "/login/code", &[("code", &recovery[1])])
        .await;
    assert_eq!(
        expired.location.as_deref(),
        Some("/login?notice=code-expired"),
        "five tries per login"
    );
    let no_pending = app
        .browser()
        .submit("/login/code", "/login/code", &[("code", &recovery[1])])
        .await;
    assert_eq!(
        no_pending.location.as_deref(),
        Some("/login?notice=code-expired")
    );

    let refused = b
        .submit(
            "/profile/two-step",
            "/profile/two-step/disable",
            &[("password", "not-the-password"), ("code", &recovery[1])],
        )
        .await;
    assert_eq!(refused.status, 422);
    let off = b
        .submit(
            "/profile/two-step",
            "/profile/two-step/disable",
            &[("password", support::PASSWORD), ("code", &recovery[1])],
        )
        .await;
    assert_eq!(
        off.location.as_deref(),
        Some("/profile?notice=two-step-off")
    );
    testkit::mail::wait_for_subject(&app.mail_dir(), &address, "二段階認証が無効になりました")
        .await;
    assert_eq!(
        app.browser()
            .login(&address, support::PASSWORD)
            .await
            .location
            .as_deref(),
        Some("/dashboard"),
        "no second step any more"
    );

    let mut tx = app.state.db.read().await.unwrap();
    let row = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'customer.login_second_step' AND outcome = 'failure'")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert!(
        platform::db::col::<i64>(&row, "n").unwrap() >= 7,
        "failed codes are audited"
    );
    drop(tx);
    app.stop().await;
}

on_both_backends!(authenticator_codes_and_recovery_codes);
