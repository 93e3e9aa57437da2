//! The staff console over HTTP on the staff listener: sign-in, the mandatory enrolment of a
//! second factor (nothing else reachable before it), the code step on later sign-ins, and the
//! separation from customers (no console on the public listener, no customer session counts),
//! and the home page's cards of waiting work.

use crate::support;

use identity::staff::{NewStaff, StaffRoles, Username};
use platform::audit::RequestMeta;
use platform::i18n::Locale;
use support::{Backend, Browser, TestApp, code_at, email};

async fn staff_sign_in_with_mandatory_second_factor(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let new = NewStaff {
        username: Username::parse("sato.ops").unwrap(),
        display_name: "佐藤 一郎".into(),
        roles: StaffRoles::parse("operator,admin").unwrap(),
    };
    let meta = RequestMeta {
        client_ip: None,
        request_id: "t".into(),
    };
    let (_, password) = app.state.identity.create_staff(new, &meta).await.unwrap();
    let staff = Browser::new(&format!("http://{}", app.staff_addr));

    assert_eq!(
        staff.get("/staff").await.location.as_deref(),
        Some("/staff/login")
    );
    let login_page = staff.get("/staff/login").await;
    assert_eq!(login_page.status, 200);
    assert!(
        login_page.body.contains(&Locale::Ja.t("staff-login-title"))
            && login_page.body.contains("<html lang=\"ja\">")
    );
    let english = staff.get("/lang/en?next=/staff/login").await;
    assert_eq!(
        english.location.as_deref(),
        Some("/staff/login"),
        "the language switch works on the staff listener"
    );
    assert!(
        staff
            .get("/staff/login")
            .await
            .body
            .contains(&Locale::En.t("staff-login-title"))
    );
    staff.get("/lang/ja?next=/staff/login").await;
    let wrong = staff
        .submit(
            "/staff/login",
            "/staff/login",
            &[("username", "sato.ops"), ("password", "not-it")],
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert!(
        wrong
            .body
            .contains("ユーザー名またはパスワードが正しくありません")
    );

    let first = staff
        .submit(
            "/staff/login",
            "/staff/login",
            &[("username", "sato.ops"), ("password", &password)],
        )
        .await;
    assert_eq!(first.location.as_deref(), Some("/staff/enrol"));
    assert_eq!(
        staff.get("/staff").await.location.as_deref(),
        Some("/staff/enrol"),
        "enrol-only until a second factor exists"
    );
    let enrol = staff.get("/staff/enrol").await;
    assert!(enrol.body.contains("<svg"));
    let key = support::authenticator_key(&enrol.body);
    let refused = staff
        .submit("/staff/enrol", "/staff/enrol", &[("code", "111111")])
        .await;
    assert_eq!(refused.status, 422);
    // Kept, not computed again: a second `code_at(&key, 0)` may fall in the next time step,
    // which would not be a used code at all.
    let enrolment_code = code_at(&key, 0);
    let done = staff
        .submit("/staff/enrol", "/staff/enrol", &[("code", &enrolment_code)])
        .await;
    assert_eq!(done.status, 200);
    assert_eq!(
        done.body.matches("<li><code>").count(),
        10,
        "recovery codes shown once"
    );
    let home = staff.get("/staff").await;
    assert_eq!(home.status, 200);
    assert!(
        home.body.contains("佐藤 一郎")
            && home.body.contains("業務担当者")
            && home.body.contains("システム管理者")
    );
    assert_eq!(
        staff.get("/staff/enrol").await.status,
        404,
        "no second enrolment"
    );

    assert_eq!(
        staff
            .submit("/staff", "/staff/logout", &[])
            .await
            .location
            .as_deref(),
        Some("/staff/login?notice=logged-out")
    );
    assert_eq!(
        staff.get("/staff").await.location.as_deref(),
        Some("/staff/login")
    );
    let again = staff
        .submit(
            "/staff/login",
            "/staff/login",
            &[("username", "sato.ops"), ("password", &password)],
        )
        .await;
    assert_eq!(again.location.as_deref(), Some("/staff/login/code"));
    assert_eq!(
        staff
            .submit(
                "/staff/login/code",
                "/staff/login/code",
                &[("code", &enrolment_code)]
            )
            .await
            .status,
        401,
        "used code"
    );
    let ok = staff
        .submit(
            "/staff/login/code",
            "/staff/login/code",
            &[("code", &code_at(&key, 1))],
        )
        .await;
    assert_eq!(ok.location.as_deref(), Some("/staff"));
    assert_eq!(staff.get("/staff").await.status, 200);

    let customer = app.register(&email("not-staff")).await;
    assert_eq!(
        customer.get("/staff").await.status,
        404,
        "no console on the public listener"
    );
    let with_customer_cookies = customer
        .client
        .get(format!("http://{}/staff", app.staff_addr))
        .send()
        .await
        .unwrap();
    assert_eq!(
        with_customer_cookies.status(),
        303,
        "a customer session is no staff session"
    );
    assert_eq!(with_customer_cookies.headers()["location"], "/staff/login");
    app.stop().await;
}

async fn demo_staff_sign_in_with_the_printed_authenticator_secret(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let demo = assetstatus::demo::seed(&app.state).await.unwrap();
    let staff = Browser::new(&format!("http://{}", app.staff_addr));
    let page = staff
        .submit(
            "/staff/login",
            "/staff/login",
            &[
                ("username", demo.staff[0]),
                ("password", demo.staff_password),
            ],
        )
        .await;
    assert_eq!(
        page.location.as_deref(),
        Some("/staff/login/code"),
        "second factor already set up"
    );
    let page = staff
        .submit(
            "/staff/login/code",
            "/staff/login/code",
            &[("code", &code_at(demo.staff_totp_secret, 0))],
        )
        .await;
    assert_eq!(page.location.as_deref(), Some("/staff"), "{}", page.body);
    let home = staff.get("/staff").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("業務 花子"));
    app.stop().await;
}

async fn throttle_failures(app: &TestApp, key: &str) -> Option<i64> {
    let mut tx = app.state.db.read().await.unwrap();
    let row: Option<(i64,)> = sqlx::query_as("SELECT failures FROM auth_throttle WHERE key = $1")
        .bind(key)
        .fetch_optional(&mut *tx)
        .await
        .unwrap();
    row.map(|(n,)| n)
}

/// Puts the counter of `key` at `failures` and ends its wait, as if the guesses had been
/// spread out over the window.
async fn set_counter(app: &TestApp, key: &str, failures: i64) {
    let mut tx = app.state.db.write().await.unwrap();
    sqlx::query("UPDATE auth_throttle SET failures = $1, blocked_until = 0 WHERE key = $2")
        .bind(failures)
        .bind(key)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn staff_code_guessing_is_budgeted_per_account_and_a_right_password_clears_nothing(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let new = NewStaff {
        username: Username::parse("kato.ops").unwrap(),
        display_name: "加藤 次郎".into(),
        roles: StaffRoles::parse("operator").unwrap(),
    };
    let (id, password) = app
        .state
        .identity
        .create_staff(new, &RequestMeta::default())
        .await
        .unwrap();
    let staff = Browser::new(&format!("http://{}", app.staff_addr));
    let sign_in = |b: Browser, password: String| async move {
        b.submit(
            "/staff/login",
            "/staff/login",
            &[("username", "kato.ops"), ("password", &password)],
        )
        .await
    };
    assert_eq!(
        sign_in(staff.clone(), password.clone())
            .await
            .location
            .as_deref(),
        Some("/staff/enrol")
    );
    let key = support::authenticator_key(&staff.get("/staff/enrol").await.body);
    let enrolled = staff
        .submit(
            "/staff/enrol",
            "/staff/enrol",
            &[("code", &code_at(&key, 0))],
        )
        .await;
    assert_eq!(enrolled.status, 200);
    assert_eq!(
        throttle_failures(&app, "staff:kato.ops").await,
        None,
        "the enrolment completed the sign-in"
    );

    let attacker = Browser::new(&format!("http://{}", app.staff_addr));
    assert_eq!(
        sign_in(attacker.clone(), "not-the-password".into())
            .await
            .status,
        401
    );
    let to_code = |b: Browser| {
        let password = password.clone();
        async move {
            let page = sign_in(b, password).await;
            assert_eq!(page.location.as_deref(), Some("/staff/login/code"));
        }
    };
    to_code(attacker.clone()).await;
    assert_eq!(
        throttle_failures(&app, "staff:kato.ops").await,
        Some(1),
        "a right password alone does not clear the failures"
    );
    let wrong = |b: Browser| async move {
        b.submit(
            "/staff/login/code",
            "/staff/login/code",
            &[("code", "000000")],
        )
        .await
    };
    for attempt in 1..=5 {
        assert_eq!(
            wrong(attacker.clone()).await.status,
            401,
            "attempt {attempt}"
        );
    }
    to_code(attacker.clone()).await;
    assert_eq!(wrong(attacker.clone()).await.status, 401);
    let waiting = attacker
        .submit(
            "/staff/login/code",
            "/staff/login/code",
            &[("code", &code_at(&key, 1))],
        )
        .await;
    assert_eq!(waiting.status, 429, "{}", waiting.body);

    let counter = format!("factor:code:staff:{id}");
    set_counter(&app, &counter, 9).await;
    to_code(attacker.clone()).await;
    assert_eq!(wrong(attacker.clone()).await.status, 401);
    assert_eq!(
        support::audited(&app, "staff.second_factor_lockout").await,
        1
    );

    let owner = Browser::new(&format!("http://{}", app.staff_addr));
    to_code(owner.clone()).await;
    let locked = owner
        .submit(
            "/staff/login/code",
            "/staff/login/code",
            &[("code", &code_at(&key, 1))],
        )
        .await;
    assert_eq!(locked.status, 429, "{}", locked.body);
    let retry: i64 = locked.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 25 * 60 && retry <= 30 * 60 + 1, "{retry}");
    assert!(
        locked
            .body
            .contains(&format!("{}分ほど", (retry + 59) / 60)),
        "{}",
        locked.body
    );
    assert_eq!(
        owner.get("/staff").await.location.as_deref(),
        Some("/staff/login")
    );
    assert_eq!(
        throttle_failures(&app, "staff:kato.ops").await,
        Some(1),
        "many right passwords later, the failed one still counts"
    );

    set_counter(&app, &counter, 10).await;
    to_code(owner.clone()).await;
    let ok = owner
        .submit(
            "/staff/login/code",
            "/staff/login/code",
            &[("code", &code_at(&key, 1))],
        )
        .await;
    assert_eq!(ok.location.as_deref(), Some("/staff"), "{}", ok.body);
    assert_eq!(throttle_failures(&app, "staff:kato.ops").await, None);
    assert_eq!(throttle_failures(&app, &counter).await, None);
    app.stop().await;
}

/// The figure the staff home shows beside `label`.
fn home_figure(body: &str, label: &str) -> String {
    let row = body
        .split(&format!("<span class=\"row-title\">{label}</span>"))
        .nth(1)
        .unwrap_or_else(|| panic!("no {label} on the home page: {body}"));
    row.split("<span class=\"home-value\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_owned()
}

async fn the_staff_home_shows_the_work_waiting(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_customer, id, _) = support::applying::submitted(&app, "home").await;
    let (operator, _) = support::staff_browser(&app, "home.operator", "operator").await;
    let ja = |key: &str| Locale::Ja.t(key);

    let home = operator.get("/staff").await;
    assert_eq!(home.status, 200, "{}", home.body);
    assert_eq!(home_figure(&home.body, &ja("queue-view-new")), "1件");
    assert_eq!(home_figure(&home.body, &ja("staff-home-mine")), "0件");
    assert!(
        home.body.contains("新着 1 件"),
        "the badge on the home page too"
    );
    assert!(
        !home.body.contains(&ja("staff-home-system")),
        "no system card for operators"
    );

    let opened = operator
        .submit(
            "/staff/applications",
            &format!("/staff/applications/{id}/open"),
            &[],
        )
        .await;
    assert_eq!(opened.status, 303, "{}", opened.body);
    let home = operator.get("/staff").await;
    assert_eq!(home_figure(&home.body, &ja("staff-home-mine")), "1件");
    assert_eq!(home_figure(&home.body, &ja("queue-view-new")), "0件");
    let (other, _) = support::staff_browser(&app, "home.other", "operator").await;
    let theirs = other.get("/staff").await;
    assert_eq!(
        home_figure(&theirs.body, &ja("staff-home-mine")),
        "0件",
        "another operator's case is not mine"
    );

    let (admin, _) = support::staff_browser(&app, "home.admin", "admin").await;
    let home = admin.get("/staff").await;
    assert_eq!(
        home_figure(&home.body, &ja("ops-backup")),
        ja("ops-backup-none")
    );
    assert!(
        home.body.contains(&ja("staff-home-attention")),
        "no backup needs attention"
    );
    assert!(
        !home.body.contains(&ja("staff-home-applications")),
        "no review card for administrators"
    );
    app.stop().await;
}

on_both_backends!(
    staff_sign_in_with_mandatory_second_factor,
    demo_staff_sign_in_with_the_printed_authenticator_secret,
    staff_code_guessing_is_budgeted_per_account_and_a_right_password_clears_nothing,
    the_staff_home_shows_the_work_waiting,
);
