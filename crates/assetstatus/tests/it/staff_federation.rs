//! Staff sign in through a corporate directory: a second instance of this same provider plays
//! it. Roles come from the configured claim mapping; the directory's second factor counts only
//! when its token says one was used; forged or unmapped sign-ins get nothing.

use crate::oidc_support;
use crate::support;

use oidc::clients::{ClientAuth, GrantType, NewClient};
use platform::config::{FederationConfig, SecretString};
use support::{Backend, Browser, TestApp, code_at, email};

/// The bank's console, federated with `directory`, mapping `claim_value` to operator.
async fn console_federated_with(
    directory: &TestApp,
    backend: Backend,
    claim_value: &str,
) -> (TestApp, String) {
    let port = testkit::net::free_port();
    let staff_base = format!("http://localhost:{port}");
    let callback = format!("{staff_base}/staff/login/federated/callback");
    let client = oidc_support::register(
        directory,
        NewClient {
            name: "行内コンソール".into(),
            auth: ClientAuth::ClientSecretBasic,
            public_jwk: None,
            redirect_uris: vec![callback.clone()],
            logout_uris: vec![],
            grant_types: vec![GrantType::AuthorizationCode],
            scopes: ["openid", "profile", "email"].map(String::from).to_vec(),
        },
        None,
    )
    .await;
    let issuer = url::Url::parse(&directory.base).unwrap();
    let claim_value = claim_value.to_owned();
    let console = TestApp::spawn_with(backend, move |config| {
        config.staff_addr = format!("127.0.0.1:{port}").parse().unwrap();
        config.staff_federation = Some(FederationConfig {
            issuer,
            client_id: client.id.clone(),
            client_secret: SecretString::new(client.secret.clone().unwrap()),
            redirect_uri: url::Url::parse(&callback).unwrap(),
            roles_claim: "roles".into(),
            role_map: [(claim_value, "operator".to_owned())].into_iter().collect(),
            mfa_amr: vec!["mfa".into(), "otp".into()],
            mfa_acr: vec![],
        });
    })
    .await;
    (console, staff_base)
}

/// Walks the browser from the console's federated sign-in to the console's callback answer.
async fn federated_sign_in(employee: &Browser, staff_base: &str) -> support::Page {
    let console = Browser {
        client: employee.client.clone(),
        base: staff_base.to_owned(),
    };
    let start = console.get("/staff/login/federated").await;
    assert_eq!(start.status, 303, "{}", start.body);
    let authorize = start.location.unwrap();
    let answer = employee.client.get(&authorize).send().await.unwrap();
    let callback = answer.headers()["location"].to_str().unwrap().to_owned();
    assert!(callback.starts_with(staff_base), "{callback}");
    let path = callback.strip_prefix(staff_base).unwrap().to_owned();
    console.get(&path).await
}

async fn directory_roles_and_second_factor_decide_the_console_session(backend: Backend) {
    let directory = TestApp::spawn(backend).await;
    let (console_app, staff_base) = console_federated_with(&directory, backend, "customer").await;
    let address = email("employee");
    let employee = directory.register(&address).await;
    let console = Browser {
        client: employee.client.clone(),
        base: staff_base.clone(),
    };
    let login_page = console.get("/staff/login").await;
    assert!(login_page.body.contains("href=\"/staff/login/federated\""));

    // Password only at the directory: our own second factor is still due.
    let page = federated_sign_in(&employee, &staff_base).await;
    assert_eq!(
        page.location.as_deref(),
        Some("/staff/enrol"),
        "{}",
        page.body
    );
    assert_eq!(
        console.get("/staff").await.location.as_deref(),
        Some("/staff/enrol")
    );

    // With a second factor at the directory, its token says so and the console opens.
    let setup = employee.get("/profile/two-step").await;
    let key = support::authenticator_key(&setup.body);
    let done = employee
        .submit(
            "/profile/two-step",
            "/profile/two-step/confirm",
            &[("code", &code_at(&key, 0))],
        )
        .await;
    assert_eq!(done.status, 200);
    employee.submit("/dashboard", "/logout", &[]).await;
    assert_eq!(
        employee
            .login(&address, support::PASSWORD)
            .await
            .location
            .as_deref(),
        Some("/login/code")
    );
    let code = employee
        .submit("/login/code", "/login/code", &[("code", &code_at(&key, 1))])
        .await;
    assert_eq!(
        code.location.as_deref(),
        Some("/dashboard"),
        "{}",
        code.body
    );
    let page = federated_sign_in(&employee, &staff_base).await;
    assert_eq!(page.location.as_deref(), Some("/staff"), "{}", page.body);
    let home = console.get("/staff").await;
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(
        home.body.contains("試験 花子"),
        "the directory's name is shown"
    );

    let mut tx = console_app.state.db.read().await.unwrap();
    let row = sqlx::query("SELECT roles, password_hash FROM staff WHERE username LIKE 'fed-%'")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(
        platform::db::col::<String>(&row, "roles").unwrap(),
        "operator"
    );
    assert_eq!(
        platform::db::col::<String>(&row, "password_hash").unwrap(),
        "!federated"
    );
    drop(tx);
    for (action, expected) in [
        ("staff.create_federated", 1),
        ("staff.login_federated", 1),
        ("staff.login_federated_mfa", 1),
    ] {
        assert_eq!(
            support::audited(&console_app, action).await,
            expected,
            "{action}"
        );
    }
    console_app.stop().await;
    directory.stop().await;
}

async fn unmapped_or_forged_sign_ins_get_nothing(backend: Backend) {
    let directory = TestApp::spawn(backend).await;
    let (console_app, staff_base) = console_federated_with(&directory, backend, "asset-ops").await;
    let employee = directory.register(&email("outsider")).await;
    let console = Browser {
        client: employee.client.clone(),
        base: staff_base.clone(),
    };
    let page = federated_sign_in(&employee, &staff_base).await;
    assert_eq!(page.status, 403);
    assert!(
        page.body.contains("権限が付与されていません"),
        "{}",
        page.body
    );
    assert_eq!(
        console.get("/staff").await.location.as_deref(),
        Some("/staff/login")
    );

    // A callback whose state is not this browser's, or an error from the directory.
    console.get("/staff/login/federated").await;
    for path in [
        "/staff/login/federated/callback?code=abc&state=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "/staff/login/federated/callback?error=access_denied&state=x",
        "/staff/login/federated/callback",
    ] {
        let page = console.get(path).await;
        assert_eq!(page.status, 400, "{path}");
        assert_eq!(page.location, None);
    }
    assert_eq!(
        console.get("/staff").await.location.as_deref(),
        Some("/staff/login")
    );
    let mut tx = console_app.state.db.read().await.unwrap();
    let row = sqlx::query("SELECT COUNT(*) AS n FROM staff")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(
        platform::db::col::<i64>(&row, "n").unwrap(),
        0,
        "no account created"
    );
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM audit_log WHERE action IN ('staff.login_federated_no_role', 'staff.login_federated_refused')",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    assert_eq!(platform::db::col::<i64>(&row, "n").unwrap(), 4);
    drop(tx);
    console_app.stop().await;
    directory.stop().await;
}

on_both_backends!(
    directory_roles_and_second_factor_decide_the_console_session,
    unmapped_or_forged_sign_ins_get_nothing,
);
