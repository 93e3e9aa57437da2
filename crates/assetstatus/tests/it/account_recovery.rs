//! Account takeover and its undoing, over HTTP: sensitive changes need a recent proof of who is
//! at the session (step-up); every change to the ways in is mailed with a "this was not me" link
//! that throws an intruder out; a reset through the mailbox suspends factors added shortly before
//! it; a verification link confirms only in the browser that signed up or with its password; a
//! change of name after approval sends the application back to review.

use crate::support;

use support::applying::submitted;
use support::{
    Backend, Browser, PASSWORD, TestApp, audited, authenticator_key, code_at, count_of, email,
    staff_browser,
};

/// Makes every session of the app look as if its last proof of identity was an hour ago.
async fn age_sessions(app: &TestApp) {
    let mut tx = app.state.db.write().await.unwrap();
    sqlx::query("UPDATE sessions SET reauth_at = reauth_at - 3600")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// Turns two-step verification on from a session that proved itself recently; returns the key.
async fn turn_on_two_step(b: &Browser) -> String {
    let page = b.get("/profile/two-step").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let key = authenticator_key(&page.body);
    let done = b
        .submit(
            "/profile/two-step",
            "/profile/two-step/confirm",
            &[("code", &code_at(&key, 0))],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    key
}

async fn sensitive_changes_need_a_recent_proof(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let address = email("stepup");
    let b = app.register(&address).await;
    age_sessions(&app).await;

    let two_step = b.get("/profile/two-step").await;
    assert_eq!(
        two_step.location.as_deref(),
        Some("/reauth?next=%2Fprofile%2Ftwo-step"),
        "{}",
        two_step.body
    );
    for path in ["/application/account", "/assets/export?encoding=utf8"] {
        let page = b.get(path).await;
        let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
        assert_eq!(
            page.location.as_deref(),
            Some(format!("/reauth?next={next}").as_str()),
            "{path}"
        );
    }
    let token = b.token("/profile").await;
    let renamed = b
        .post_with_token(
            "/profile",
            &token,
            &[
                ("name_kanji", "乗取 太郎"),
                ("name_kana", "ノットリ タロウ"),
                ("birth_date", "1990-04-01"),
                ("locale", "ja"),
            ],
        )
        .await;
    assert_eq!(renamed.location.as_deref(), Some("/reauth?next=%2Fprofile"));
    assert!(
        !b.get("/profile").await.body.contains("乗取"),
        "nothing changed"
    );
    let language = b
        .post_with_token(
            "/profile",
            &token,
            &[
                ("name_kanji", "試験 花子"),
                ("name_kana", "シケン ハナコ"),
                ("birth_date", "1990-04-01"),
                ("locale", "en"),
            ],
        )
        .await;
    assert_eq!(
        language.location.as_deref(),
        Some("/profile?notice=profile-saved"),
        "the language alone needs no proof"
    );
    let start = b
        .client
        .post(format!("{}/profile/passkeys/start", b.base))
        .header("x-csrf-token", &token)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 303, "no ceremony without a proof");

    let wrong = b
        .submit(
            "/reauth?next=%2Fprofile%2Ftwo-step",
            "/reauth",
            &[
                ("password", "not-the-password-1"),
                ("next", "/profile/two-step"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    let hostile = b
        .submit(
            "/reauth",
            "/reauth",
            &[("password", PASSWORD), ("next", "/\t/evil.example")],
        )
        .await;
    assert_eq!(
        hostile.location.as_deref(),
        Some("/profile"),
        "never off the site"
    );
    age_sessions(&app).await;
    let right = b
        .submit(
            "/reauth",
            "/reauth",
            &[("password", PASSWORD), ("next", "/profile/two-step")],
        )
        .await;
    assert_eq!(right.location.as_deref(), Some("/profile/two-step"));
    assert_eq!(b.get("/profile/two-step").await.status, 200);
    let outcomes = |outcome: &str| {
        format!(
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'customer.reauth' AND outcome = '{outcome}'"
        )
    };
    assert_eq!(count_of(&app, &outcomes("success")).await, 2);
    assert_eq!(
        count_of(&app, &outcomes("failure")).await,
        1,
        "the wrong one"
    );
    app.stop().await;
}

async fn a_factor_added_by_an_intruder_is_undone_from_the_notice(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let address = email("notme");
    let intruder = app.register(&address).await;
    turn_on_two_step(&intruder).await;

    let notice =
        testkit::mail::wait_for_subject(&app.mail_dir(), &address, "二段階認証が有効になりました")
            .await;
    assert!(notice.text.contains("/security/not-me/"), "{}", notice.text);
    let link = app.latest_link(&address, "/security/not-me/").await;

    let owner = app.browser();
    let confirm = owner.get(&link).await;
    assert_eq!(confirm.status, 200, "a page with a button, not an action");
    assert_eq!(
        count_of(&app, "SELECT COUNT(*) AS n FROM mfa_secrets").await,
        1,
        "opening the link changes nothing"
    );
    let token = owner.token(&link).await;
    let done = owner.post_with_token(&link, &token, &[]).await;
    assert_eq!(done.status, 200, "{}", done.body);

    assert_eq!(
        intruder.get("/dashboard").await.location.as_deref(),
        Some("/login"),
        "the intruder's session is over"
    );
    assert_eq!(
        count_of(&app, "SELECT COUNT(*) AS n FROM mfa_secrets").await,
        0,
        "the authenticator added since is gone"
    );
    assert_eq!(
        app.browser().login(&address, PASSWORD).await.status,
        401,
        "the password known to the intruder no longer works"
    );
    assert_eq!(
        owner.post_with_token(&link, &token, &[]).await.status,
        410,
        "once only"
    );
    assert_eq!(audited(&app, "customer.not_me").await, 1);

    let reset = app.latest_link(&address, "/password/reset/").await;
    let new_password = "quiet-river-stones-2044";
    let set = owner
        .submit(
            &reset,
            &reset,
            &[
                ("password", new_password),
                ("password_confirm", new_password),
            ],
        )
        .await;
    assert_eq!(set.status, 303, "{}", set.body);
    assert_eq!(
        owner
            .login(&address, new_password)
            .await
            .location
            .as_deref(),
        Some("/dashboard"),
        "back in, with no second step left by the intruder"
    );
    app.stop().await;
}

async fn a_reset_suspends_factors_added_shortly_before(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let address = email("suspend");
    let intruder = app.register(&address).await;
    let key = turn_on_two_step(&intruder).await;

    let owner = app.browser();
    let asked = owner
        .submit(
            "/password/forgot",
            "/password/forgot",
            &[("email", &address)],
        )
        .await;
    assert_eq!(asked.status, 200, "{}", asked.body);
    let reset = app.latest_link(&address, "/password/reset/").await;
    let new_password = "quiet-river-stones-2044";
    owner
        .submit(
            &reset,
            &reset,
            &[
                ("password", new_password),
                ("password_confirm", new_password),
            ],
        )
        .await;
    let notice = testkit::mail::wait_for_subject(
        &app.mail_dir(),
        &address,
        "最近追加されたログイン方法を一時停止しました",
    )
    .await;
    assert!(notice.text.contains("/security/keep/"), "{}", notice.text);
    assert_eq!(
        owner
            .login(&address, new_password)
            .await
            .location
            .as_deref(),
        Some("/dashboard"),
        "the suspended authenticator does not stand between the owner and the account"
    );
    assert_eq!(audited(&app, "customer.factors_suspend").await, 1);

    let keep = app.latest_link(&address, "/security/keep/").await;
    assert_eq!(owner.submit(&keep, &keep, &[]).await.status, 200);
    let again = app.browser();
    assert_eq!(
        again
            .login(&address, new_password)
            .await
            .location
            .as_deref(),
        Some("/login/code"),
        "kept by the owner, the authenticator is asked for again"
    );
    let code = again
        .submit("/login/code", "/login/code", &[("code", &code_at(&key, 1))])
        .await;
    assert_eq!(
        code.location.as_deref(),
        Some("/dashboard"),
        "{}",
        code.body
    );
    app.stop().await;
}

async fn a_verification_link_needs_the_signup_browser_or_the_password(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let address = email("prereg");
    let squatter = app.browser();
    assert_eq!(squatter.sign_up(&address, PASSWORD).await.status, 303);
    let link = app.latest_link(&address, "/verify/").await;

    let owner = app.browser();
    let page = owner.get(&link).await;
    assert!(
        page.body.contains("name=\"password\""),
        "another browser is asked for the password: {}",
        page.body
    );
    let clicked = owner.submit(&link, &link, &[]).await;
    assert_eq!(clicked.status, 422, "a click alone confirms nothing");
    let guessed = owner
        .submit(&link, &link, &[("password", "owner-does-not-know-1")])
        .await;
    assert_eq!(guessed.status, 422);
    assert_eq!(
        app.browser().login(&address, PASSWORD).await.status,
        403,
        "still unverified"
    );
    let with_password = owner.submit(&link, &link, &[("password", PASSWORD)]).await;
    assert_eq!(with_password.status, 200, "{}", with_password.body);

    let other = email("samebrowser");
    let b = app.browser();
    b.sign_up(&other, PASSWORD).await;
    let link = app.latest_link(&other, "/verify/").await;
    let page = b.get(&link).await;
    assert!(!page.body.contains("name=\"password\""), "{}", page.body);
    assert_eq!(b.submit(&link, &link, &[]).await.status, 200);
    app.stop().await;
}

async fn a_name_change_after_approval_returns_the_application_to_review(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.applications.maker_checker = false).await;
    let (customer, id, _) = submitted(&app, "rename").await;
    let (staff, _) = staff_browser(&app, "rename.op", "operator").await;
    let page = format!("/staff/applications/{id}");
    staff.submit(&page, &format!("{page}/open"), &[]).await;
    let approved = staff
        .submit(
            &page,
            &format!("{page}/decision"),
            &[("decision", "approve"), ("compared", "yes")],
        )
        .await;
    assert_eq!(approved.status, 303, "{}", approved.body);
    let premium = "SELECT COUNT(*) AS n FROM entitlements";
    assert_eq!(count_of(&app, premium).await, 1);

    let renamed = customer
        .submit(
            "/profile",
            "/profile",
            &[
                ("name_kanji", "改名 花子"),
                ("name_kana", "カイメイ ハナコ"),
                ("birth_date", "1990-04-01"),
                ("locale", "ja"),
            ],
        )
        .await;
    assert_eq!(
        renamed.location.as_deref(),
        Some("/profile?notice=name-recheck")
    );
    assert_eq!(count_of(&app, premium).await, 0, "the service pauses");
    let status = format!(
        "SELECT COUNT(*) AS n FROM applications WHERE id = '{id}' AND status = 'submitted' AND approval_proposed_by IS NULL AND assigned_to IS NULL"
    );
    assert_eq!(count_of(&app, &status).await, 1, "back in the queue");
    assert_eq!(audited(&app, "application.reopened_name_change").await, 1);

    let same_name = customer
        .submit(
            "/profile",
            "/profile",
            &[
                ("name_kanji", "改名 花子"),
                ("name_kana", "カイメイ ハナコ"),
                ("birth_date", "1990-04-01"),
                ("locale", "en"),
            ],
        )
        .await;
    assert_eq!(
        same_name.location.as_deref(),
        Some("/profile?notice=profile-saved")
    );
    app.stop().await;
}

async fn staff_exports_need_both_factors_again(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let new = identity::staff::NewStaff {
        username: identity::staff::Username::parse("stepup.admin").unwrap(),
        display_name: "確認 担当".into(),
        roles: identity::staff::StaffRoles::parse("operator,admin").unwrap(),
    };
    let meta = platform::audit::RequestMeta::default();
    let (_, password) = app.state.identity.create_staff(new, &meta).await.unwrap();
    let staff = Browser::new(&format!("http://{}", app.staff_addr));
    staff
        .submit(
            "/staff/login",
            "/staff/login",
            &[("username", "stepup.admin"), ("password", &password)],
        )
        .await;
    let key = authenticator_key(&staff.get("/staff/enrol").await.body);
    let enrolled = staff
        .submit(
            "/staff/enrol",
            "/staff/enrol",
            &[("code", &code_at(&key, 0))],
        )
        .await;
    assert_eq!(enrolled.status, 200);
    let export = "/ops/audit/export?action=customer.login";
    assert_eq!(staff.get_bytes(export).await.0, 200, "just signed in");

    let mut tx = app.state.db.write().await.unwrap();
    sqlx::query("UPDATE staff_sessions SET reauth_at = reauth_at - 3600")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for path in [export, "/staff/customers/export?encoding=utf8"] {
        let asked = staff.get(path).await;
        let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
        assert_eq!(
            asked.location.as_deref(),
            Some(format!("/staff/reauth?next={next}").as_str()),
            "{path}"
        );
    }
    let form = "/staff/reauth?next=%2Fops%2Faudit%2Fexport";
    let password_only = staff
        .submit(
            form,
            "/staff/reauth",
            &[
                ("password", &password),
                ("code", "000000"),
                ("next", export),
            ],
        )
        .await;
    assert_eq!(
        password_only.status, 422,
        "the password alone is not enough"
    );
    let both = staff
        .submit(
            form,
            "/staff/reauth",
            &[
                ("password", &password),
                ("code", &code_at(&key, 1)),
                ("next", export),
            ],
        )
        .await;
    assert_eq!(both.location.as_deref(), Some(export), "{}", both.body);
    assert_eq!(staff.get_bytes(export).await.0, 200);
    assert_eq!(
        audited(&app, "staff.reauth").await,
        2,
        "one refused, one confirmed"
    );
    app.stop().await;
}

/// The stored hashes of every session token, sorted.
async fn session_hashes(app: &TestApp) -> Vec<Vec<u8>> {
    let mut tx = app.state.db.read().await.unwrap();
    let rows = sqlx::query("SELECT id_hash FROM sessions ORDER BY id_hash")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    rows.iter()
        .map(|r| platform::db::col::<Vec<u8>>(r, "id_hash").unwrap())
        .collect()
}

/// The action of the form that logs out the listed device that is not this one.
fn other_device_action(body: &str) -> String {
    body.split("<li ")
        .filter(|item| item.contains("/profile/sessions/") && !item.contains("badge gain"))
        .find_map(|item| {
            let start = item.find("action=\"")? + "action=\"".len();
            Some(item[start..start + item[start..].find('"')?].to_owned())
        })
        .expect("another device is listed")
}

async fn a_proof_renews_the_session_and_lets_other_devices_be_logged_out(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let address = email("others");
    let owner = app.register(&address).await;
    let other = app.browser();
    assert_eq!(
        other.login(&address, PASSWORD).await.location.as_deref(),
        Some("/dashboard")
    );
    age_sessions(&app).await;

    let list = owner.get("/profile/sessions").await;
    assert!(
        list.body.contains("/profile/sessions/end-others"),
        "{}",
        list.body
    );
    let one = other_device_action(&list.body);
    let token = owner.token("/profile/sessions").await;
    for action in [one.as_str(), "/profile/sessions/end-others"] {
        let refused = owner.post_with_token(action, &token, &[]).await;
        assert_eq!(
            refused.location.as_deref(),
            Some("/reauth?next=%2Fprofile%2Fsessions"),
            "{action}"
        );
    }
    assert_eq!(other.get("/dashboard").await.status, 200, "nothing ended");

    let before = session_hashes(&app).await;
    let proof = owner
        .submit(
            "/reauth",
            "/reauth",
            &[("password", PASSWORD), ("next", "/profile/sessions")],
        )
        .await;
    assert_eq!(proof.location.as_deref(), Some("/profile/sessions"));
    let after = session_hashes(&app).await;
    assert_eq!(after.len(), 2);
    assert_eq!(
        before.iter().filter(|h| !after.contains(h)).count(),
        1,
        "the proving session has a new token"
    );

    let ended = owner
        .submit("/profile/sessions", "/profile/sessions/end-others", &[])
        .await;
    assert_eq!(
        ended.location.as_deref(),
        Some("/profile/sessions?notice=other-sessions-ended")
    );
    let gone = other.get("/dashboard").await;
    assert!(
        gone.location
            .as_deref()
            .is_some_and(|l| l.starts_with("/login")),
        "{:?}",
        gone.location
    );
    let kept = owner.get("/profile/sessions").await;
    assert_eq!(kept.status, 200, "this device stays logged in");
    assert!(
        !kept.body.contains("/profile/sessions/end-others"),
        "one device left"
    );
    assert_eq!(audited(&app, "customer.sessions_end_others").await, 1);
    app.stop().await;
}

on_both_backends!(
    sensitive_changes_need_a_recent_proof,
    a_factor_added_by_an_intruder_is_undone_from_the_notice,
    a_reset_suspends_factors_added_shortly_before,
    a_verification_link_needs_the_signup_browser_or_the_password,
    a_name_change_after_approval_returns_the_application_to_review,
    staff_exports_need_both_factors_again,
    a_proof_renews_the_session_and_lets_other_devices_be_logged_out,
);
