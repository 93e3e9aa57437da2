//! Registered clients and the authorization-code dance, shared by the identity-provider suites.

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

/// A web client authenticating with `private_key_jwt`, held to `profile`.
pub async fn key_web_client(app: &TestApp, profile: clients::ClientProfile) -> TestClient {
    let key = p256::SecretKey::random(&mut rand::rngs::OsRng);
    let new = NewClient {
        name: "資産連携アプリ".into(),
        auth: ClientAuth::PrivateKeyJwt,
        public_jwk: Some(key.public_key().to_jwk_string()),
        redirect_uris: vec![REDIRECT_URI.into()],
        logout_uris: vec![],
        grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
        scopes: ["openid", "email", "profile", "assets:read"]
            .map(String::from)
            .to_vec(),
    };
    let done = clients::register_as(
        &app.state.db,
        &new,
        profile,
        &Actor::system("test"),
        &RequestMeta::default(),
    )
    .await
    .unwrap();
    TestClient {
        id: done.client_id,
        secret: None,
        key: Some(key),
    }
}

/// The FAPI 2.0 client: private_key_jwt, PAR and DPoP required.
pub async fn fapi_client(app: &TestApp) -> TestClient {
    key_web_client(app, clients::ClientProfile::Fapi2).await
}

fn es256(key: &p256::SecretKey) -> jsonwebtoken::EncodingKey {
    jsonwebtoken::EncodingKey::from_ec_der(key.to_pkcs8_der().unwrap().as_bytes())
}

/// A client assertion (RFC 7523) for `aud`, living `secs`.
pub fn client_assertion(client: &TestClient, aud: &str, secs: i64) -> String {
    let now = platform::time_util::now_unix();
    let claims = serde_json::json!({
        "iss": client.id, "sub": client.id, "aud": aud, "iat": now, "exp": now + secs,
        "jti": uuid::Uuid::new_v4().to_string(),
    });
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256),
        &claims,
        &es256(client.key.as_ref().unwrap()),
    )
    .unwrap()
}

/// The form fields of `private_key_jwt` authentication, with the issuer as audience.
pub fn assertion_fields(app: &TestApp, client: &TestClient) -> Vec<(String, String)> {
    vec![
        (
            "client_assertion_type".into(),
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into(),
        ),
        (
            "client_assertion".into(),
            client_assertion(client, &app.base, 60),
        ),
    ]
}

/// A DPoP key of a client.
pub struct DpopKey {
    pub secret: p256::SecretKey,
}

impl DpopKey {
    pub fn new() -> Self {
        Self {
            secret: p256::SecretKey::random(&mut rand::rngs::OsRng),
        }
    }

    /// A proof for `method` at `url`, covering `token` when given.
    pub fn proof(&self, method: &str, url: &str, token: Option<&str>) -> String {
        self.proof_with(method, url, token, &uuid::Uuid::new_v4().to_string(), 0)
    }

    /// A proof with a chosen `jti`, issued `age` seconds ago.
    pub fn proof_with(
        &self,
        method: &str,
        url: &str,
        token: Option<&str>,
        jti: &str,
        age: i64,
    ) -> String {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        header.typ = Some("dpop+jwt".into());
        header.jwk = Some(serde_json::from_str(&self.secret.public_key().to_jwk_string()).unwrap());
        let mut claims = serde_json::json!({
            "jti": jti, "htm": method, "htu": url,
            "iat": platform::time_util::now_unix() - age,
        });
        if let Some(token) = token {
            claims["ath"] = URL_SAFE_NO_PAD
                .encode(Sha256::digest(token.as_bytes()))
                .into();
        }
        jsonwebtoken::encode(&header, &claims, &es256(&self.secret)).unwrap()
    }

    /// The RFC 7638 thumbprint of the key.
    pub fn jkt(&self) -> String {
        let jwk: serde_json::Value =
            serde_json::from_str(&self.secret.public_key().to_jwk_string()).unwrap();
        let canonical = format!(
            r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
            jwk["x"].as_str().unwrap(),
            jwk["y"].as_str().unwrap()
        );
        URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
    }
}

/// POSTs a form with extra headers; returns status, headers and JSON.
pub async fn post_with(
    app: &TestApp,
    path: &str,
    headers: &[(&str, &str)],
    form: &[(String, String)],
) -> (u16, reqwest::header::HeaderMap, serde_json::Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}{path}", app.base))
        .form(form);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
    )
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

/// Pushes an authorization request for a `private_key_jwt` client (RFC 9126).
pub async fn push(
    app: &TestApp,
    client: &TestClient,
    challenge: &str,
    extra: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    let path = authorize_path(&client.id, challenge, extra);
    let query = path.split_once('?').unwrap().1;
    let mut form: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    form.extend(assertion_fields(app, client));
    let (status, _, body) = post_with(app, "/oauth2/par", &[], &form).await;
    (status, body)
}

/// The authorization path naming a pushed request.
pub fn pushed_path(client: &TestClient, request_uri: &str) -> String {
    format!(
        "/oauth2/authorize?{}",
        serde_urlencoded::to_string([
            ("client_id", client.id.as_str()),
            ("request_uri", request_uri)
        ])
        .unwrap()
    )
}

/// PAR, then the browser brings the request: returns the code and its verifier.
pub async fn fapi_code(app: &TestApp, b: &Browser, client: &TestClient) -> (String, String) {
    let (verifier, challenge) = pkce();
    let (status, pushed) = push(
        app,
        client,
        &challenge,
        &[("scope", "openid email assets:read")],
    )
    .await;
    assert_eq!(status, 201, "{pushed}");
    let page = b
        .get(&pushed_path(
            client,
            pushed["request_uri"].as_str().unwrap(),
        ))
        .await;
    let location = page.location.expect("redirect with a code");
    assert!(location.starts_with(REDIRECT_URI), "{location}");
    (param(&location, "code").expect("code"), verifier)
}

/// Redeems a code with `private_key_jwt` and, when given, a DPoP proof.
pub async fn redeem_with_key(
    app: &TestApp,
    client: &TestClient,
    code: &str,
    verifier: &str,
    dpop: Option<&DpopKey>,
) -> (u16, serde_json::Value) {
    let mut form = owned(&[
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT_URI),
        ("code_verifier", verifier),
    ]);
    form.extend(assertion_fields(app, client));
    let token_url = format!("{}/oauth2/token", app.base);
    let proof = dpop.map(|k| k.proof("POST", &token_url, None));
    let headers: Vec<(&str, &str)> = proof.iter().map(|p| ("DPoP", p.as_str())).collect();
    let (status, _, body) = post_with(app, "/oauth2/token", &headers, &form).await;
    (status, body)
}

/// Refreshes with `private_key_jwt` and, when given, a DPoP proof.
pub async fn refresh_with_key(
    app: &TestApp,
    client: &TestClient,
    token: &str,
    dpop: Option<&DpopKey>,
) -> (u16, serde_json::Value) {
    let mut form = owned(&[("grant_type", "refresh_token"), ("refresh_token", token)]);
    form.extend(assertion_fields(app, client));
    let token_url = format!("{}/oauth2/token", app.base);
    let proof = dpop.map(|k| k.proof("POST", &token_url, None));
    let headers: Vec<(&str, &str)> = proof.iter().map(|p| ("DPoP", p.as_str())).collect();
    let (status, _, body) = post_with(app, "/oauth2/token", &headers, &form).await;
    (status, body)
}

/// A GET with an `Authorization` value and an optional `DPoP` proof; returns the status, the
/// `WWW-Authenticate` header and the JSON body.
pub async fn get_with(
    app: &TestApp,
    path: &str,
    authorization: &str,
    proof: Option<&str>,
) -> (u16, String, serde_json::Value) {
    let mut request = reqwest::Client::new()
        .get(format!("{}{path}", app.base))
        .header("Authorization", authorization);
    if let Some(proof) = proof {
        request = request.header("DPoP", proof);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.json().await.unwrap_or(serde_json::Value::Null);
    (status, challenge, body)
}

/// The claims of a JWT, unverified (for looking at what we issued).
pub fn claims_of(jwt: &str) -> serde_json::Value {
    let part = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}
