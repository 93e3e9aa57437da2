//! Registered clients and the authorization-code dance, shared by the identity-provider suites.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use oidc::clients::{self, ClientAuth, GrantType, NewClient};
use p256::pkcs8::{EncodePrivateKey, LineEnding};
use platform::audit::{Actor, RequestMeta};
use sha2::{Digest, Sha256};

use crate::support::{Browser, TestApp};

pub const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";
pub const LOGOUT_URI: &str = "http://127.0.0.1:9/signed-out";

/// A registered client and what it authenticates with.
pub struct TestClient {
    pub id: String,
    pub secret: Option<String>,
    pub key: Option<p256::SecretKey>,
}

impl TestClient {
    pub fn key_pem(&self) -> String {
        self.key
            .as_ref()
            .unwrap()
            .to_pkcs8_pem(LineEnding::LF)
            .unwrap()
            .to_string()
    }
}

/// The web client: confidential, code + refresh, customer scopes.
pub async fn web_client(app: &TestApp) -> TestClient {
    register(
        app,
        NewClient {
            name: "家計簿アプリ".into(),
            auth: ClientAuth::ClientSecretBasic,
            public_jwk: None,
            redirect_uris: vec![REDIRECT_URI.into()],
            logout_uris: vec![LOGOUT_URI.into()],
            grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
            scopes: ["openid", "email", "profile", "assets:read"]
                .map(String::from)
                .to_vec(),
        },
        None,
    )
    .await
}

/// A service client authenticating with `private_key_jwt`.
pub async fn service_client(app: &TestApp) -> TestClient {
    let key = p256::SecretKey::random(&mut rand::rngs::OsRng);
    register(
        app,
        NewClient {
            name: "ledger-sync".into(),
            auth: ClientAuth::PrivateKeyJwt,
            public_jwk: Some(key.public_key().to_jwk_string()),
            redirect_uris: vec![],
            logout_uris: vec![],
            grant_types: vec![GrantType::ClientCredentials],
            scopes: vec!["ledger:read".into(), "ledger:write".into()],
        },
        Some(key),
    )
    .await
}

/// A service client authenticating with a secret.
pub async fn secret_service_client(app: &TestApp) -> TestClient {
    register(
        app,
        NewClient {
            name: "report-batch".into(),
            auth: ClientAuth::ClientSecretBasic,
            public_jwk: None,
            redirect_uris: vec![],
            logout_uris: vec![],
            grant_types: vec![GrantType::ClientCredentials],
            scopes: vec!["reports:read".into()],
        },
        None,
    )
    .await
}

pub async fn register(app: &TestApp, new: NewClient, key: Option<p256::SecretKey>) -> TestClient {
    let done = clients::register(
        &app.state.db,
        &new,
        &Actor::system("test"),
        &RequestMeta::default(),
    )
    .await
    .unwrap();
    TestClient {
        id: done.client_id,
        secret: done.secret,
        key,
    }
}

/// A PKCE pair.
pub fn pkce() -> (String, String) {
    let verifier = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

/// An authorization URL path with the usual parameters, overridable.
pub fn authorize_path(client_id: &str, challenge: &str, extra: &[(&str, &str)]) -> String {
    let mut params: Vec<(&str, &str)> = vec![
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", REDIRECT_URI),
        ("scope", "openid email"),
        ("state", "st-123"),
        ("nonce", "n-456"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ];
    for (name, value) in extra {
        params.retain(|(n, _)| n != name);
        if !value.is_empty() {
            params.push((name, value));
        }
    }
    format!(
        "/oauth2/authorize?{}",
        serde_urlencoded::to_string(&params).unwrap()
    )
}

/// Query parameters of a redirect.
pub fn query_of(location: &str) -> Vec<(String, String)> {
    let url = url::Url::parse(location).unwrap();
    url.query_pairs().into_owned().collect()
}

pub fn param(location: &str, name: &str) -> Option<String> {
    query_of(location)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
}

/// Runs the authorization step for a logged-in browser; returns the code and its verifier.
pub async fn code_for(b: &Browser, client: &TestClient) -> (String, String) {
    let (verifier, challenge) = pkce();
    let page = b.get(&authorize_path(&client.id, &challenge, &[])).await;
    let location = page.location.expect("redirect with a code");
    assert!(location.starts_with(REDIRECT_URI), "{location}");
    (param(&location, "code").expect("code"), verifier)
}

/// POSTs a form to the token endpoint with optional Basic credentials; returns status and JSON.
pub async fn token_request(
    app: &TestApp,
    basic: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    post_form(app, "/oauth2/token", basic, form).await
}

pub async fn post_form(
    app: &TestApp,
    path: &str,
    basic: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}{path}", app.base))
        .form(form);
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
    )
}

/// Redeems a code with the web client.
pub async fn redeem(
    app: &TestApp,
    client: &TestClient,
    code: &str,
    verifier: &str,
) -> (u16, serde_json::Value) {
    token_request(
        app,
        Some((&client.id, client.secret.as_deref().unwrap())),
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", verifier),
        ],
    )
    .await
}

/// Refreshes with the web client.
pub async fn refresh(app: &TestApp, client: &TestClient, token: &str) -> (u16, serde_json::Value) {
    token_request(
        app,
        Some((&client.id, client.secret.as_deref().unwrap())),
        &[("grant_type", "refresh_token"), ("refresh_token", token)],
    )
    .await
}

/// Calls userinfo with a bearer token; returns the status and the `WWW-Authenticate` header.
pub async fn userinfo(app: &TestApp, token: &str) -> (u16, String, serde_json::Value) {
    let response = reqwest::Client::new()
        .get(format!("{}/oauth2/userinfo", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.json().await.unwrap_or(serde_json::Value::Null);
    (status, challenge, body)
}
