//! Passkey ceremonies refuse what is not theirs: missing form tokens, unknown, reused or
//! foreign ceremonies, malformed answers, other customers' passkeys; and are not offered where
//! WebAuthn cannot work (a bare IP address). The successful ceremonies run in a real browser
//! (`browser.rs::passkeys_in_headless_chromium`).

use crate::support;

use serde_json::{Value, json};
use support::{Backend, Browser, TestApp, email, form_token};

async fn on_localhost(backend: Backend) -> TestApp {
    let mut app = TestApp::spawn_with(backend, |config| {
        let port = config.public_addr.port();
        config.public_base_url = Some(format!("http://localhost:{port}/").parse().unwrap());
    })
    .await;
    app.base = format!("http://localhost:{}", app.config.public_addr.port());
    app
}

async fn post_json(b: &Browser, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
    let mut request = b.client.post(format!("{}{path}", b.base)).json(body);
    if let Some(token) = token {
        request = request.header("x-csrf-token", token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn ceremonies_refuse_what_is_not_theirs(backend: Backend) {
    let app = on_localhost(backend).await;
    let b = app.browser();
    let login = b.get("/login").await;
    assert!(
        login.body.contains("data-passkey=\"get\""),
        "offered on a host name"
    );
    let token = form_token(&login.body).unwrap();

    let (status, _) = post_json(&b, "/login/passkey/start", None, &json!({})).await;
    assert_eq!(status, 403, "no form token");
    let (status, start) = post_json(&b, "/login/passkey/start", Some(&token), &json!({})).await;
    assert_eq!(status, 200, "{start}");
    assert_eq!(start["options"]["publicKey"]["rpId"], "localhost");
    assert!(
        start["options"]["publicKey"]["challenge"]
            .as_str()
            .unwrap()
            .len()
            >= 43
    );
    let ceremony = start["ceremony"].as_str().unwrap().to_owned();

    let forged = json!({
        "id": "AAAA", "rawId": "AAAA", "type": "public-key", "extensions": {},
        "response": {"authenticatorData": "AAAA", "clientDataJSON": "AAAA", "signature": "AAAA", "userHandle": "AAAA"}
    });
    for (what, body) in [
        (
            "unknown ceremony",
            json!({"ceremony": "A".repeat(43), "credential": forged}),
        ),
        (
            "forged answer",
            json!({"ceremony": ceremony, "credential": forged}),
        ),
        (
            "used ceremony",
            json!({"ceremony": ceremony, "credential": forged}),
        ),
        (
            "not a credential",
            json!({"ceremony": "x", "credential": "x"}),
        ),
    ] {
        let (status, _) = post_json(&b, "/login/passkey/finish", Some(&token), &body).await;
        assert_eq!(status, 400, "{what}");
    }
    let response = b
        .client
        .post(format!("{}/login/passkey/finish", b.base))
        .header("x-csrf-token", &token)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400, "JSON only");
    assert_eq!(
        b.get("/dashboard").await.location.as_deref(),
        Some("/login"),
        "nobody logged in"
    );

    // Registration belongs to a logged-in customer, and only to them.
    let (status, _) = post_json(&b, "/profile/passkeys/start", Some(&token), &json!({})).await;
    assert_eq!(status, 303);
    let customer = app.register(&email("passkey")).await;
    let page = customer.get("/profile/passkeys").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("登録済みのパスキーはありません"));
    let token = form_token(&page.body).unwrap();
    let (status, start) = post_json(
        &customer,
        "/profile/passkeys/start",
        Some(&token),
        &json!({}),
    )
    .await;
    assert_eq!(status, 200, "{start}");
    assert_eq!(start["options"]["publicKey"]["rp"]["id"], "localhost");
    let (status, _) = post_json(
        &customer,
        "/profile/passkeys/finish",
        Some(&token),
        &json!({"ceremony": start["ceremony"], "credential": {"id": "x"}}),
    )
    .await;
    assert_eq!(status, 400);
    let other = customer
        .submit(
            "/profile/passkeys",
            &format!("/profile/passkeys/{}/delete", uuid::Uuid::new_v4()),
            &[],
        )
        .await;
    assert_eq!(other.status, 404);

    let mut tx = app.state.db.read().await.unwrap();
    let row = sqlx::query("SELECT COUNT(*) AS n FROM passkeys")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(
        platform::db::col::<i64>(&row, "n").unwrap(),
        0,
        "nothing stored"
    );
    drop(tx);
    app.stop().await;
}

async fn not_offered_on_a_bare_address(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let b = app.browser();
    let login = b.get("/login").await;
    assert!(!login.body.contains("data-passkey"));
    let token = form_token(&login.body).unwrap();
    let (status, _) = post_json(&b, "/login/passkey/start", Some(&token), &json!({})).await;
    assert_eq!(status, 404);
    let customer = app.register(&email("no-passkey")).await;
    let page = customer.get("/profile/passkeys").await;
    assert!(
        page.body
            .contains(&platform::i18n::Locale::Ja.t("passkeys-unavailable"))
    );
    app.stop().await;
}

on_both_backends!(
    ceremonies_refuse_what_is_not_theirs,
    not_offered_on_a_bare_address
);
