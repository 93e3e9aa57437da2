//! The staff console over HTTP on the staff listener: sign-in, the mandatory enrolment of a
//! second factor (nothing else reachable before it), the code step on later sign-ins, and the
//! separation from customers (no console on the public listener, no customer session counts).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

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
    let done = staff
        .submit(
            "/staff/enrol",
            "/staff/enrol",
            &[("code", &code_at(&key, 0))],
        )
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
                &[("code", &code_at(&key, 0))]
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

on_both_backends!(
    staff_sign_in_with_mandatory_second_factor,
    demo_staff_sign_in_with_the_printed_authenticator_secret
);
