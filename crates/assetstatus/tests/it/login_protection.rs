//! Attack resistance at login: growing delays and a lockout shared through the database, the
//! same for known and unknown addresses; per-address blocking across accounts; notice mails on
//! lockout and on a login from a new browser; and customers ending their own sessions.

use crate::support;

use support::{Backend, TestApp, email};

async fn set_counter(app: &TestApp, prefix: &str, failures: i64) {
    let mut tx = app.state.db.write().await.unwrap();
    sqlx::query("UPDATE auth_throttle SET failures = $1, blocked_until = 0 WHERE key LIKE $2")
        .bind(failures)
        .bind(format!("{prefix}%"))
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn repeated_failures_slow_down_then_lock_alike_for_unknown_addresses(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let address = email("victim");
    app.register(&address).await;
    let attacker = app.browser();
    for target in [address.as_str(), "nobody-here@example.jp"] {
        for attempt in 1..=4 {
            assert_eq!(
                attacker.login(target, "guessing-wrongly-0000").await.status,
                401,
                "attempt {attempt} on {target}"
            );
        }
        let slowed = attacker.login(target, "guessing-wrongly-0000").await;
        assert_eq!(
            slowed.status, 429,
            "the 5th attempt comes too soon on {target}"
        );
        assert!(slowed.headers.contains_key("retry-after"));
        assert!(slowed.body.contains("一時的にログインを制限しています"));
    }
    set_counter(&app, "account:", 9).await;
    assert_eq!(
        attacker
            .login(&address, "guessing-wrongly-0000")
            .await
            .status,
        401
    );
    let mails = testkit::mail::wait_for(&app.mail_dir(), &address, 2).await;
    assert!(
        mails
            .iter()
            .any(|m| m.subject.contains("ログインを一時的に制限しました")),
        "the owner is told"
    );
    let owner = app.browser();
    let locked = owner.login(&address, support::PASSWORD).await;
    assert_eq!(
        locked.status, 429,
        "even the right password waits out the lock"
    );
    let retry: i64 = locked.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 25 * 60 && retry <= 30 * 60 + 1, "{retry}");
    let mut tx = app.state.db.read().await.unwrap();
    let row = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'customer.lockout'")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(platform::db::col::<i64>(&row, "n").unwrap(), 1);
    drop(tx);

    set_counter(&app, "account:", 0).await;
    {
        let mut tx = app.state.db.write().await.unwrap();
        sqlx::query("DELETE FROM auth_throttle WHERE key NOT LIKE 'account:%'")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    assert_eq!(
        owner.login(&address, support::PASSWORD).await.status,
        303,
        "the lock ends"
    );
    app.stop().await;
}

async fn one_address_trying_many_accounts_is_blocked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let address = email("bystander");
    app.register(&address).await;
    let stuffer = app.browser();
    assert_eq!(
        stuffer
            .login("first@example.jp", "leaked-password-1")
            .await
            .status,
        401
    );
    set_counter(&app, "address:", 29).await;
    assert_eq!(
        stuffer
            .login("second@example.jp", "leaked-password-2")
            .await
            .status,
        401
    );
    let blocked = stuffer.login(&address, support::PASSWORD).await;
    assert_eq!(
        blocked.status, 429,
        "the address is blocked for every account"
    );
    app.stop().await;
}

async fn new_browsers_are_reported_and_sessions_can_be_ended(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let address = email("devices");
    let first = app.register(&address).await;
    let before = testkit::mail::to(&app.mail_dir(), &address).len();
    assert_eq!(first.submit("/dashboard", "/logout", &[]).await.status, 303);
    assert_eq!(first.login(&address, support::PASSWORD).await.status, 303);
    let second = app.browser();
    assert_eq!(second.login(&address, support::PASSWORD).await.status, 303);
    let mails = testkit::mail::wait_for(&app.mail_dir(), &address, before + 1).await;
    let notices: Vec<_> = mails
        .iter()
        .filter(|m| m.subject.contains("新しい端末からのログイン"))
        .collect();
    assert_eq!(notices.len(), 1, "only the unfamiliar browser is reported");

    let list = first.get("/profile/sessions").await;
    assert_eq!(list.status, 200);
    assert!(
        list.body.contains("ログイン中の端末（2件）"),
        "{}",
        list.body
    );
    assert!(
        list.body
            .contains(&platform::i18n::Locale::Ja.t("settings-this-device"))
    );
    let ids: Vec<String> = list
        .body
        .split("action=\"/profile/sessions/")
        .skip(1)
        .filter(|s| !s.starts_with("end-others"))
        .map(|s| s.split('/').next().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 2);
    let other = second.get("/profile/sessions").await.body;
    let this_device = platform::i18n::Locale::Ja.t("settings-this-device");
    let second_id = ids.iter().find(|id| {
        other.split("<li").any(|row| {
            row.contains(&format!("/profile/sessions/{id}/end")) && row.contains(&this_device)
        })
    });
    let second_id = second_id.unwrap().clone();

    let stranger = app.register(&email("stranger")).await;
    let refused = stranger
        .submit(
            "/profile/sessions",
            &format!("/profile/sessions/{second_id}/end"),
            &[],
        )
        .await;
    assert_eq!(
        refused.status, 404,
        "nobody ends another customer's session"
    );
    assert_eq!(second.get("/dashboard").await.status, 200);

    let ended = first
        .submit(
            "/profile/sessions",
            &format!("/profile/sessions/{second_id}/end"),
            &[],
        )
        .await;
    assert_eq!(
        ended.location.as_deref(),
        Some("/profile/sessions?notice=session-ended")
    );
    assert_eq!(
        second.get("/dashboard").await.location.as_deref(),
        Some("/login"),
        "the other browser is logged out"
    );
    let own = ids.iter().find(|id| **id != second_id).unwrap();
    let out = first
        .submit(
            "/profile/sessions",
            &format!("/profile/sessions/{own}/end"),
            &[],
        )
        .await;
    assert_eq!(out.location.as_deref(), Some("/login?notice=logged-out"));
    assert_eq!(
        first.get("/dashboard").await.location.as_deref(),
        Some("/login")
    );
    app.stop().await;
}

async fn anonymous_requests_cannot_flood_a_mailbox(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let address = email("flooded");
    app.register(&address).await;
    let before = testkit::mail::to(&app.mail_dir(), &address).len();
    let stranger = app.browser();
    for _ in 0..8 {
        let page = stranger
            .submit(
                "/password/forgot",
                "/password/forgot",
                &[("email", &address)],
            )
            .await;
        assert_eq!(page.status, 200, "the same answer every time");
    }
    for _ in 0..3 {
        assert_eq!(
            stranger
                .sign_up(&address, "another-long-passphrase-99")
                .await
                .status,
            303
        );
    }
    testkit::mail::wait_for(&app.mail_dir(), &address, before + 5).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let sent = testkit::mail::to(&app.mail_dir(), &address).len() - before;
    assert_eq!(
        sent, 5,
        "at most five requested mails per address and window"
    );
    app.stop().await;
}

async fn wrong_current_passwords_lock_the_password_check(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let address = email("session-thief");
    let b = app.register(&address).await;
    let change = |current: &'static str| {
        let b = b.clone();
        async move {
            b.submit(
                "/profile",
                "/profile/password",
                &[
                    ("current_password", current),
                    ("password", "another-long-passphrase-99"),
                    ("password_confirm", "another-long-passphrase-99"),
                ],
            )
            .await
        }
    };
    for attempt in 1..=6 {
        let page = change("guessing-wrongly-0000").await;
        assert_eq!(page.status, 422, "attempt {attempt}");
    }
    let waiting = change(support::PASSWORD).await;
    assert_eq!(
        waiting.status, 429,
        "past five wrong passwords, the next one waits"
    );
    assert!(waiting.headers.contains_key("retry-after"));
    assert!(
        waiting
            .body
            .contains("パスワードの確認を一時的に制限しています"),
        "{}",
        waiting.body
    );

    set_counter(&app, "factor:password:", 9).await;
    assert_eq!(change("guessing-wrongly-0000").await.status, 422);
    testkit::mail::wait_for_subject(
        &app.mail_dir(),
        &address,
        "パスワードの確認を一時的に制限しました",
    )
    .await;
    assert_eq!(
        support::audited(&app, "customer.password_check_lockout").await,
        1
    );
    let locked = change(support::PASSWORD).await;
    assert_eq!(locked.status, 429, "the right password waits out the lock");
    let retry: i64 = locked.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 25 * 60 && retry <= 30 * 60 + 1, "{retry}");
    let closing = b
        .submit(
            "/account/delete",
            "/account/delete",
            &[("password", support::PASSWORD), ("confirm", "yes")],
        )
        .await;
    assert_eq!(
        closing.status, 429,
        "the lock holds for closing the account too"
    );
    assert_eq!(b.get("/dashboard").await.status, 200, "still there");

    set_counter(&app, "factor:password:", 10).await;
    let changed = change(support::PASSWORD).await;
    assert_eq!(
        changed.location.as_deref(),
        Some("/profile?notice=password-changed"),
        "{}",
        changed.body
    );
    assert_eq!(
        support::count_of(
            &app,
            "SELECT COUNT(*) AS n FROM auth_throttle WHERE key LIKE 'factor:password:%'",
        )
        .await,
        0,
        "a right password while open forgets the wrong ones"
    );
    app.stop().await;
}

on_both_backends!(
    wrong_current_passwords_lock_the_password_check,
    repeated_failures_slow_down_then_lock_alike_for_unknown_addresses,
    one_address_trying_many_accounts_is_blocked,
    new_browsers_are_reported_and_sessions_can_be_ended,
    anonymous_requests_cannot_flood_a_mailbox,
);
