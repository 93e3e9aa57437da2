//! The customer JSON API: bearer tokens of our identity provider, scopes, the same validation as
//! the pages, other customers' assets out of reach, and refusals as problem+json.

use crate::oidc_support;
use crate::support;

use oidc::clients::{ClientAuth, GrantType, NewClient};
use oidc_support::*;
use platform::time_util::now_unix;
use serde_json::{Value, json};
use support::{Backend, TestApp, Topology, email, today};

/// A client allowed to read and write assets.
async fn writer_client(app: &TestApp) -> TestClient {
    register(
        app,
        NewClient {
            name: "家計簿アプリ".into(),
            auth: ClientAuth::ClientSecretBasic,
            public_jwk: None,
            redirect_uris: vec![REDIRECT_URI.into()],
            logout_uris: vec![],
            grant_types: vec![GrantType::AuthorizationCode],
            scopes: ["openid", "profile", "assets:read", "assets:write"]
                .map(String::from)
                .to_vec(),
        },
        None,
    )
    .await
}

/// An access token for a freshly registered customer, with `scope`.
async fn token_for(app: &TestApp, client: &TestClient, scope: &str) -> String {
    let b = app.register(&email("api")).await;
    token_of(app, client, &b, scope).await
}

/// An access token for the customer logged in with `b`, with `scope`.
async fn token_of(app: &TestApp, client: &TestClient, b: &support::Browser, scope: &str) -> String {
    let (verifier, challenge) = pkce();
    let page = b
        .get(&authorize_path(&client.id, &challenge, &[("scope", scope)]))
        .await;
    let code = param(&page.location.unwrap(), "code").unwrap();
    let (status, tokens) = redeem(app, client, &code, &verifier).await;
    assert_eq!(status, 200, "{tokens}");
    tokens["access_token"].as_str().unwrap().to_owned()
}

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, String, Value) {
    let client = reqwest::Client::new();
    let url = format!("{}{path}", app.base);
    let mut request = match method {
        "POST" => client.post(url),
        "PUT" => client.put(url),
        "DELETE" => client.delete(url),
        _ => client.get(url),
    };
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let value = response.json().await.unwrap_or(Value::Null);
    (status, content_type, value)
}

fn deposit(amount: i64) -> Value {
    json!({
        "category": "deposits", "name": "普通預金", "institution": "さくら銀行",
        "amount": amount, "valuation_date": today(),
    })
}

async fn customers_read_and_write_their_assets_with_scoped_tokens(
    backend: Backend,
    topology: Topology,
) {
    let app = TestApp::spawn_in(backend, topology, |_| {}).await;
    let client = writer_client(&app).await;
    let token = token_for(&app, &client, "openid profile assets:read assets:write").await;

    let (status, _, me) = call(&app, "GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["name"], "試験 花子");
    assert!(me.get("email").is_none(), "no email scope, no address");

    let (status, _, created) = call(
        &app,
        "POST",
        "/api/v1/assets",
        Some(&token),
        Some(deposit(1_200_000)),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["amount"], 1_200_000);
    let (_, _, list) = call(&app, "GET", "/api/v1/assets", Some(&token), None).await;
    assert_eq!(list["assets"].as_array().unwrap().len(), 1);
    let (status, _, updated) = call(
        &app,
        "PUT",
        &format!("/api/v1/assets/{id}"),
        Some(&token),
        Some(deposit(1_500_000)),
    )
    .await;
    assert_eq!((status, updated["amount"].as_i64()), (200, Some(1_500_000)));
    let (_, _, worth) = call(
        &app,
        "GET",
        "/api/v1/net-worth?period=day",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(worth["net"], 1_500_000);
    assert_eq!(worth["currency"], "JPY");
    assert!(!worth["history"].as_array().unwrap().is_empty());

    // The same validation as the pages; nothing changes.
    let mut bad = deposit(-5);
    bad["valuation_date"] = json!("2026-02-30");
    let (status, content_type, problem) =
        call(&app, "POST", "/api/v1/assets", Some(&token), Some(bad)).await;
    assert_eq!(status, 422);
    assert_eq!(content_type, "application/problem+json");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"amount") && fields.contains(&"valuation_date"),
        "{problem}"
    );
    let (status, _, _) = call(
        &app,
        "POST",
        "/api/v1/assets",
        Some(&token),
        Some(json!({"category": "deposit", "extra": 1})),
    )
    .await;
    assert_eq!(status, 400);
    let (_, _, list) = call(&app, "GET", "/api/v1/assets", Some(&token), None).await;
    assert_eq!(list["assets"].as_array().unwrap().len(), 1);

    // Another customer's token cannot reach this asset.
    let other = token_for(&app, &client, "openid assets:read assets:write").await;
    for method in ["GET", "PUT", "DELETE"] {
        let (status, _, _) = call(
            &app,
            method,
            &format!("/api/v1/assets/{id}"),
            Some(&other),
            Some(deposit(1)),
        )
        .await;
        assert_eq!(status, 404, "{method}");
    }
    let (status, _, _) = call(
        &app,
        "DELETE",
        &format!("/api/v1/assets/{id}"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, 204);
    app.stop().await;
}

async fn tokens_without_scope_or_validity_are_refused(backend: Backend, topology: Topology) {
    let app = TestApp::spawn_in(backend, topology, |_| {}).await;
    let client = writer_client(&app).await;
    let read_only = token_for(&app, &client, "openid assets:read").await;
    let (status, content_type, problem) = call(
        &app,
        "POST",
        "/api/v1/assets",
        Some(&read_only),
        Some(deposit(1)),
    )
    .await;
    assert_eq!(
        (status, content_type.as_str()),
        (403, "application/problem+json")
    );
    assert_eq!(problem["status"], 403);
    let (status, _, _) = call(&app, "GET", "/api/v1/assets", None, None).await;
    assert_eq!(status, 401);

    let parts: Vec<&str> = read_only.split('.').collect();
    let mut claims: oidc::AccessClaims = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, parts[1])
            .unwrap(),
    )
    .unwrap();
    let keys = app.state.oidc.keys();
    let original = claims.clone();
    claims.exp = now_unix() - 600;
    claims.nbf = now_unix() - 1200;
    let expired = keys.sign("at+jwt", &claims).await.unwrap();
    claims = original.clone();
    claims.aud = "another-api".into();
    let wrong_aud = keys.sign("at+jwt", &claims).await.unwrap();
    claims = original.clone();
    claims.iss = "https://idp.example".into();
    let wrong_iss = keys.sign("at+jwt", &claims).await.unwrap();
    let none = format!(
        "{}.{}.",
        base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            br#"{"alg":"none","typ":"at+jwt"}"#
        ),
        parts[1]
    );
    let tampered = format!("{}.{}x.{}", parts[0], parts[1], parts[2]);
    for (what, token) in [
        ("expired", expired),
        ("wrong aud", wrong_aud),
        ("wrong iss", wrong_iss),
        ("alg none", none),
        ("tampered", tampered),
    ] {
        let client = reqwest::Client::new();
        let response = client
            .get(format!("{}/api/v1/assets", app.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{what}");
        assert!(
            response.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .contains("invalid_token"),
            "{what}"
        );
    }
    let figures = reqwest::get(format!("http://{}/metrics", app.staff_addr))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for reason in ["token expired", "wrong audience", "wrong issuer"] {
        let line =
            format!(r#"assetstatus_token_verification_failures_total{{reason="{reason}"}} 1"#);
        assert!(figures.contains(&line), "{line}\n{figures}");
    }
    let refused = r#"assetstatus_auth_outcomes_total{scheme="bearer",outcome="refused"} 5"#;
    assert!(figures.contains(refused), "{figures}");
    let (status, content_type, _) =
        call(&app, "GET", "/api/v1/nothing-here", Some(&read_only), None).await;
    assert_eq!(
        (status, content_type.as_str()),
        (404, "application/problem+json")
    );
    app.stop().await;
}

/// A DPoP-bound token works in both topologies (in split mode the gateway checks the proof),
/// only with a fresh proof by its key.
async fn dpop_bound_tokens_need_their_key_in_every_topology(backend: Backend, topology: Topology) {
    let app = TestApp::spawn_in(backend, topology, |_| {}).await;
    let b = app.register(&email("api-dpop")).await;
    let fapi = fapi_client(&app).await;
    let key = DpopKey::new();
    let (code, verifier) = fapi_code(&app, &b, &fapi).await;
    let (status, tokens) = redeem_with_key(&app, &fapi, &code, &verifier, Some(&key)).await;
    assert_eq!(status, 200, "{tokens}");
    let access = tokens["access_token"].as_str().unwrap();
    let url = format!("{}/api/v1/me", app.base);
    let dpop = format!("DPoP {access}");
    let proof = key.proof("GET", &url, Some(access));
    let (status, _, me) = get_with(&app, "/api/v1/me", &dpop, Some(&proof)).await;
    assert_eq!(status, 200, "{me}");
    let (status, challenge, problem) = get_with(&app, "/api/v1/me", &dpop, Some(&proof)).await;
    assert_eq!(status, 401, "replayed proof");
    assert_eq!(problem["type"], "/api/v1/problems/invalid-dpop-proof");
    assert!(
        challenge.starts_with("DPoP error=\"invalid_dpop_proof\""),
        "{challenge}"
    );
    let (status, challenge, _) =
        get_with(&app, "/api/v1/me", &format!("Bearer {access}"), None).await;
    assert_eq!(status, 401, "a bound token as a bearer token");
    assert!(
        challenge.starts_with("DPoP error=\"invalid_token\""),
        "{challenge}"
    );
    let other = DpopKey::new();
    let (status, _, _) = get_with(
        &app,
        "/api/v1/me",
        &dpop,
        Some(&other.proof("GET", &url, Some(access))),
    )
    .await;
    assert_eq!(status, 401, "a proof by another key");
    app.stop().await;
}

/// Reads are remembered for `edge.api_read_seconds` on the instance: a change made through the
/// API shows at once, one made on the web pages only once the memory has passed; with 0 every
/// read goes to the database.
async fn api_reads_are_remembered_briefly_and_api_changes_show_at_once(backend: Backend) {
    let count = async |app: &TestApp, token: &str| {
        let (status, _, list) = call(app, "GET", "/api/v1/assets", Some(token), None).await;
        assert_eq!(status, 200, "{list}");
        list["assets"].as_array().unwrap().len()
    };
    let app = TestApp::spawn_with(backend, |c| c.edge.api_read_seconds = 10).await;
    let client = writer_client(&app).await;
    let b = app.register(&email("recent")).await;
    let token = token_of(&app, &client, &b, "openid assets:read assets:write").await;
    assert_eq!(count(&app, &token).await, 0);
    b.add_asset("deposits", "普通預金", "100000", &today())
        .await;
    assert_eq!(
        count(&app, &token).await,
        0,
        "the web's change waits for the memory"
    );
    let (status, _, created) = call(
        &app,
        "POST",
        "/api/v1/assets",
        Some(&token),
        Some(deposit(50_000)),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(count(&app, &token).await, 2, "an API change shows at once");
    app.stop().await;

    let app = TestApp::spawn_with(backend, |c| c.edge.api_read_seconds = 0).await;
    let client = writer_client(&app).await;
    let b = app.register(&email("recent-off")).await;
    let token = token_of(&app, &client, &b, "openid assets:read").await;
    assert_eq!(count(&app, &token).await, 0);
    b.add_asset("deposits", "普通預金", "100000", &today())
        .await;
    assert_eq!(count(&app, &token).await, 1, "without the memory, at once");
    app.stop().await;
}

on_both_backends!(api_reads_are_remembered_briefly_and_api_changes_show_at_once);

on_both_backends_and_topologies!(
    customers_read_and_write_their_assets_with_scoped_tokens,
    tokens_without_scope_or_validity_are_refused,
    dpop_bound_tokens_need_their_key_in_every_topology,
);
