//! Optional two-step verification: set up with an authenticator app, then every login needs a
//! current code (each usable once) or a one-time recovery code; wrong codes are counted, and
//! turning it off needs the password and a code and is reported by mail.

use crate::support;

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
    // Kept, not computed again: a second `code_at(&key, 0)` may fall in the next time step.
    let confirmation = code_at(&key, 0);
    let done = b
        .submit(
            "/profile/two-step",
            "/profile/two-step/confirm",
            &[("code", &confirmation)],
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
        .submit("/login/code", "/login/code", &[("code", &confirmation)])
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

/// Puts the counter of `key` at `failures` wrong answers and ends its wait, as if the
/// guesses had been spread out; the test then gives the one that locks.
async fn set_factor_counter(app: &TestApp, key: &str, failures: i64) {
    let mut tx = app.state.db.write().await.unwrap();
    sqlx::query("UPDATE auth_throttle SET failures = $1, blocked_until = 0 WHERE key = $2")
        .bind(failures)
        .bind(key)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn throttle_row(app: &TestApp, key: &str) -> Option<(i64, i64)> {
    let mut tx = app.state.db.read().await.unwrap();
    sqlx::query_as("SELECT failures, blocked_until FROM auth_throttle WHERE key = $1")
        .bind(key)
        .fetch_optional(&mut *tx)
        .await
        .unwrap()
}

async fn wrong_codes_lock_the_second_factor_across_new_logins(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let address = email("guessed");
    let b = app.register(&address).await;
    let id = support::customer_id(&app, &address).await;
    let setup = b.get("/profile/two-step").await;
    let key = between(&setup.body, "<code class=\"key\">", "</code>").to_owned();
    let on = b
        .submit(
            "/profile/two-step",
            "/profile/two-step/confirm",
            &[("code", &code_at(&key, 0))],
        )
        .await;
    assert_eq!(on.status, 200);
    let counter = format!("factor:code:customer:{id}");

    // Someone with the password: a wrong password first, then the right one. The password
    // step's failure stays counted until the code is right too.
    let attacker = app.browser();
    assert_eq!(
        attacker.login(&address, "not-the-password-1").await.status,
        401
    );
    log_in_to_second_step(&attacker, &address).await;
    let account_failures = support::count_of(
        &app,
        "SELECT COUNT(*) AS n FROM auth_throttle WHERE key LIKE 'account:%' AND failures = 1",
    )
    .await;
    assert_eq!(account_failures, 1, "a right password alone clears nothing");

    for attempt in 1..=5 {
        let page = attacker
            .submit("/login/code", "/login/code", &[("code", "000000")])
            .await;
        assert_eq!(page.status, 401, "free attempt {attempt}");
    }
    // A new login does not buy new guesses: the sixth wrong code, on a fresh pending login,
    // makes the next code wait, the right one included.
    log_in_to_second_step(&attacker, &address).await;
    let sixth = attacker
        .submit("/login/code", "/login/code", &[("code", "000000")])
        .await;
    assert_eq!(sixth.status, 401);
    let waiting = attacker
        .submit("/login/code", "/login/code", &[("code", &code_at(&key, 1))])
        .await;
    assert_eq!(waiting.status, 429, "{}", waiting.body);
    assert!(waiting.headers.contains_key("retry-after"));
    assert!(
        waiting
            .body
            .contains("確認コードの入力を一時的に制限しています"),
        "{}",
        waiting.body
    );

    set_factor_counter(&app, &counter, 9).await;
    log_in_to_second_step(&attacker, &address).await;
    let locking = attacker
        .submit("/login/code", "/login/code", &[("code", "000000")])
        .await;
    assert_eq!(locking.status, 401);
    testkit::mail::wait_for_subject(
        &app.mail_dir(),
        &address,
        "確認コードの入力を一時的に制限しました",
    )
    .await;
    assert_eq!(
        support::audited(&app, "customer.second_factor_lockout").await,
        1
    );

    // The owner, on a new login with the right code, waits out the lock like everyone else.
    let owner = app.browser();
    log_in_to_second_step(&owner, &address).await;
    let locked = owner
        .submit("/login/code", "/login/code", &[("code", &code_at(&key, 1))])
        .await;
    assert_eq!(locked.status, 429, "{}", locked.body);
    let retry: i64 = locked.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 25 * 60 && retry <= 30 * 60 + 1, "{retry}");
    let minutes = format!("{}分ほど", (retry + 59) / 60);
    assert!(locked.body.contains(&minutes), "{}", locked.body);
    assert_eq!(
        owner.get("/dashboard").await.location.as_deref(),
        Some("/login")
    );
    let (failures, _) = throttle_row(&app, &counter).await.unwrap();
    assert_eq!(
        failures, 10,
        "refused unseen while locked, so nothing more counted"
    );

    // Once the lock ends, the right code completes the login and the counts are forgotten.
    set_factor_counter(&app, &counter, 10).await;
    let ok = owner
        .submit("/login/code", "/login/code", &[("code", &code_at(&key, 1))])
        .await;
    assert_eq!(ok.location.as_deref(), Some("/dashboard"), "{}", ok.body);
    assert_eq!(throttle_row(&app, &counter).await, None);
    assert_eq!(
        support::count_of(
            &app,
            "SELECT COUNT(*) AS n FROM auth_throttle WHERE key LIKE 'account:%'",
        )
        .await,
        0
    );
    app.stop().await;
}

on_both_backends!(
    authenticator_codes_and_recovery_codes,
    wrong_codes_lock_the_second_factor_across_new_logins,
);
