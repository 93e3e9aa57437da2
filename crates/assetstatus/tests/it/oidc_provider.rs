//! The identity provider refuses every malformed, replayed or forged request with the standard
//! OAuth/OpenID Connect error, issues nothing, audits the refusal, and never redirects to an
//! address the client did not register.

use crate::oidc_support;
use crate::support;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use oidc::AccessClaims;
use oidc_support::*;
use platform::time_util::now_unix;
use support::{Backend, TestApp, audited, count_of, email};

async fn execute(app: &TestApp, sql: &str) {
    let mut tx = app.state.db.write().await.unwrap();
    sqlx::query(sql).execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
}

async fn discovery_describes_a_strict_provider(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let doc: serde_json::Value =
        reqwest::get(format!("{}/.well-known/openid-configuration", app.base))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(doc["issuer"], app.base);
    assert_eq!(doc["token_endpoint"], format!("{}/oauth2/token", app.base));
    assert_eq!(
        doc["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        serde_json::json!(["ES256"])
    );
    assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
    assert_eq!(
        doc["pushed_authorization_request_endpoint"],
        format!("{}/oauth2/par", app.base)
    );
    assert_eq!(doc["require_pushed_authorization_requests"], false);
    let algs = serde_json::json!(["ES256", "PS256"]);
    assert_eq!(doc["dpop_signing_alg_values_supported"], algs);
    assert_eq!(
        doc["token_endpoint_auth_signing_alg_values_supported"],
        algs
    );
    assert!(
        doc["token_endpoint_auth_methods_supported"]
            .as_array()
            .unwrap()
            .contains(&"private_key_jwt".into())
    );
    assert_eq!(
        doc["acr_values_supported"],
        serde_json::json!(["urn:assetstatus:acr:pwd", "urn:assetstatus:acr:mfa"])
    );
    let jwks: serde_json::Value = reqwest::get(doc["jwks_uri"].as_str().unwrap())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = &jwks["keys"][0];
    assert_eq!(key["kty"], "EC");
    assert_eq!(key["alg"], "ES256");
    assert!(key.get("d").is_none(), "no private part published");
    app.stop().await;
}

async fn authorization_requests_that_cannot_be_trusted_never_redirect(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let b = app.register(&email("authz")).await;
    let web = web_client(&app).await;
    let (_, challenge) = pkce();
    let cases = [
        authorize_path("c_unknown", &challenge, &[]),
        authorize_path(
            &web.id,
            &challenge,
            &[("redirect_uri", "https://attacker.example/cb")],
        ),
        authorize_path(
            &web.id,
            &challenge,
            &[("redirect_uri", "http://127.0.0.1:9/callback/")],
        ),
        authorize_path(
            &web.id,
            &challenge,
            &[("redirect_uri", "http://127.0.0.1:9/callback?x=1")],
        ),
        authorize_path(&web.id, &challenge, &[("redirect_uri", "")]),
        format!(
            "{}&client_id={}",
            authorize_path(&web.id, &challenge, &[]),
            web.id
        ),
    ];
    for path in cases {
        let page = b.get(&path).await;
        assert_eq!(page.status, 400, "{path}");
        assert_eq!(page.location, None, "{path} must not redirect");
        assert!(
            page.body.contains("連携のお手続きを続けられません"),
            "{path}"
        );
    }
    assert!(audited(&app, "oidc.authorize_refused.invalid_request").await >= 6);
    assert_eq!(
        count_of(&app, "SELECT COUNT(*) AS n FROM oidc_codes").await,
        0
    );
    app.stop().await;
}

async fn faulty_authorization_requests_return_the_standard_error(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let b = app.register(&email("authz-errors")).await;
    let web = web_client(&app).await;
    let (verifier, challenge) = pkce();
    let cases: [(&[(&str, &str)], &str); 7] = [
        (&[("max_age", "soon")], "invalid_request"),
        (&[("code_challenge", "")], "invalid_request"),
        (
            &[
                ("code_challenge_method", "plain"),
                ("code_challenge", &verifier),
            ],
            "invalid_request",
        ),
        (&[("code_challenge_method", "")], "invalid_request"),
        (&[("code_challenge", "short")], "invalid_request"),
        (&[("response_type", "token")], "unsupported_response_type"),
        (&[("scope", "openid ledger:write")], "invalid_scope"),
    ];
    for (extra, expected) in cases {
        let page = b.get(&authorize_path(&web.id, &challenge, extra)).await;
        let location = page
            .location
            .unwrap_or_else(|| panic!("{extra:?}: {}", page.body));
        assert!(location.starts_with(REDIRECT_URI), "{location}");
        assert_eq!(
            param(&location, "error").as_deref(),
            Some(expected),
            "{extra:?}"
        );
        assert_eq!(param(&location, "state").as_deref(), Some("st-123"));
        assert_eq!(param(&location, "iss").as_deref(), Some(app.base.as_str()));
        assert_eq!(param(&location, "code"), None);
    }
    // Nobody logged in and no login page allowed.
    let anonymous = app.browser();
    let page = anonymous
        .get(&authorize_path(&web.id, &challenge, &[("prompt", "none")]))
        .await;
    let location = page.location.unwrap();
    assert_eq!(param(&location, "error").as_deref(), Some("login_required"));
    assert_eq!(
        count_of(&app, "SELECT COUNT(*) AS n FROM oidc_codes").await,
        0
    );
    app.stop().await;
}

async fn codes_are_single_use_bound_and_short_lived(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let b = app.register(&email("codes")).await;
    let web = web_client(&app).await;
    let other = web_client(&app).await;

    let (status, body) = redeem(&app, &web, "not-a-code", "x".repeat(43).as_str()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    // PKCE mismatch burns the code: the right verifier afterwards fails too.
    let (code, verifier) = code_for(&b, &web).await;
    let (wrong, _) = pkce();
    let (status, body) = redeem(&app, &web, &code, &wrong).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (_, body) = redeem(&app, &web, &code, &verifier).await;
    assert_eq!(body["error"], "invalid_grant");
    assert!(body.get("access_token").is_none());

    // Another client cannot redeem it.
    let (code, verifier) = code_for(&b, &web).await;
    let (_, body) = redeem(&app, &other, &code, &verifier).await;
    assert_eq!(body["error"], "invalid_grant");

    // A different redirect URI is refused.
    let (code, verifier) = code_for(&b, &web).await;
    let (_, body) = token_request(
        &app,
        Some((&web.id, web.secret.as_deref().unwrap())),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:9/other"),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    assert_eq!(body["error"], "invalid_grant");

    // Expired after 60 seconds.
    let (code, verifier) = code_for(&b, &web).await;
    let expires = count_of(
        &app,
        "SELECT MAX(expires_at) AS n FROM oidc_codes WHERE used_at IS NULL",
    )
    .await;
    let lifetime = expires - now_unix();
    assert!(
        (1..=60).contains(&lifetime),
        "codes live at most 60 s ({lifetime})"
    );
    execute(
        &app,
        "UPDATE oidc_codes SET expires_at = 0 WHERE used_at IS NULL",
    )
    .await;
    let (_, body) = redeem(&app, &web, &code, &verifier).await;
    assert_eq!(body["error"], "invalid_grant");

    // A replay revokes what the first redemption obtained.
    let (code, verifier) = code_for(&b, &web).await;
    let (status, first) = redeem(&app, &web, &code, &verifier).await;
    assert_eq!(status, 200, "{first}");
    let (_, again) = redeem(&app, &web, &code, &verifier).await;
    assert_eq!(again["error"], "invalid_grant");
    let (_, body) = refresh(&app, &web, first["refresh_token"].as_str().unwrap()).await;
    assert_eq!(body["error"], "invalid_grant");
    let (status, _, _) = userinfo(&app, first["access_token"].as_str().unwrap()).await;
    assert_eq!(status, 401, "access token of a revoked grant");
    // Two replays: the code burnt by the wrong verifier, and this one.
    assert_eq!(audited(&app, "oidc.code_replay").await, 2);
    assert!(audited(&app, "oidc.token_refused.invalid_grant").await >= 6);
    app.stop().await;
}

async fn refresh_token_reuse_revokes_the_family(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let b = app.register(&email("reuse")).await;
    let web = web_client(&app).await;
    let (code, verifier) = code_for(&b, &web).await;
    let (_, first) = redeem(&app, &web, &code, &verifier).await;
    let old = first["refresh_token"].as_str().unwrap();
    let (status, second) = refresh(&app, &web, old).await;
    assert_eq!(status, 200, "{second}");
    let new = second["refresh_token"].as_str().unwrap();
    assert_ne!(old, new);
    let (_, reuse) = refresh(&app, &web, old).await;
    assert_eq!(reuse["error"], "invalid_grant");
    let (_, after) = refresh(&app, &web, new).await;
    assert_eq!(after["error"], "invalid_grant", "the family is revoked");
    let (status, _, _) = userinfo(&app, second["access_token"].as_str().unwrap()).await;
    assert_eq!(status, 401);
    assert_eq!(audited(&app, "oidc.refresh_token_reuse").await, 1);
    let why = count_of(
        &app,
        "SELECT COUNT(*) AS n FROM oidc_grants WHERE revoked_why = 'refresh_token_reuse'",
    )
    .await;
    assert_eq!(why, 1);
    // Narrowing the scope is allowed, widening is not.
    let (code, verifier) = code_for(&b, &web).await;
    let (_, grant) = redeem(&app, &web, &code, &verifier).await;
    let token = grant["refresh_token"].as_str().unwrap();
    let (_, wide) = token_request(
        &app,
        Some((&web.id, web.secret.as_deref().unwrap())),
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", token),
            ("scope", "openid assets:read"),
        ],
    )
    .await;
    assert_eq!(wide["error"], "invalid_scope");
    app.stop().await;
}

async fn clients_that_fail_authentication_get_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let web = web_client(&app).await;
    let service = secret_service_client(&app).await;
    let secret = service.secret.as_deref().unwrap();
    let cc = [("grant_type", "client_credentials")];

    let (status, body) = token_request(&app, Some(("c_nobody", secret)), &cc).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let (status, body) = token_request(&app, Some((&service.id, "wrong-secret")), &cc).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let (status, body) = token_request(
        &app,
        None,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &service.id),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_client"))
    );
    let (_, body) = token_request(
        &app,
        Some((&service.id, secret)),
        &[("grant_type", "password")],
    )
    .await;
    assert_eq!(body["error"], "unsupported_grant_type");
    let (_, body) = token_request(
        &app,
        Some((&service.id, secret)),
        &[
            ("grant_type", "client_credentials"),
            ("scope", "reports:read ledger:write"),
        ],
    )
    .await;
    assert_eq!(body["error"], "invalid_scope");
    let web_secret = web.secret.as_deref().unwrap();
    let (_, body) = token_request(&app, Some((&web.id, web_secret)), &cc).await;
    assert_eq!(body["error"], "unauthorized_client");
    let (status, body) = token_request(
        &app,
        Some((&service.id, secret)),
        &[
            ("grant_type", "client_credentials"),
            ("grant_type", "client_credentials"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
    let response = reqwest::Client::new()
        .post(format!("{}/oauth2/token", app.base))
        .basic_auth(&service.id, Some(secret))
        .json(&serde_json::json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400, "JSON bodies are refused");

    let (status, ok) = token_request(&app, Some((&service.id, secret)), &cc).await;
    assert_eq!(status, 200, "{ok}");
    assert_eq!(ok["scope"], "reports:read");
    assert!(ok.get("refresh_token").is_none() && ok.get("id_token").is_none());
    assert!(audited(&app, "oidc.token_refused.invalid_client").await >= 3);
    assert_eq!(
        audited(&app, "oidc.token_issued.client_credentials").await,
        1
    );
    app.stop().await;
}

fn assertion(client: &TestClient, key: &p256::SecretKey, aud: &str, jti: &str, exp: i64) -> String {
    use p256::pkcs8::EncodePrivateKey;
    let der = key.to_pkcs8_der().unwrap();
    let claims = serde_json::json!({
        "iss": client.id, "sub": client.id, "aud": aud, "jti": jti, "exp": exp, "iat": now_unix(),
    });
    jsonwebtoken::encode(
        &Header::new(Algorithm::ES256),
        &claims,
        &EncodingKey::from_ec_der(der.as_bytes()),
    )
    .unwrap()
}

async fn private_key_jwt_assertions_are_checked_and_single_use(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let service = service_client(&app).await;
    let key = service.key.clone().unwrap();
    let endpoint = format!("{}/oauth2/token", app.base);
    let call = |jwt: String| {
        let app = &app;
        async move {
            token_request(
                app,
                None,
                &[
                    ("grant_type", "client_credentials"),
                    (
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    ),
                    ("client_assertion", &jwt),
                ],
            )
            .await
        }
    };
    let good = assertion(&service, &key, &endpoint, "jti-1", now_unix() + 60);
    let (status, body) = call(good.clone()).await;
    assert_eq!(status, 200, "{body}");
    let (_, body) = call(good).await;
    assert_eq!(body["error"], "invalid_client", "replayed assertion");
    let stranger = p256::SecretKey::random(&mut rand::rngs::OsRng);
    let (_, body) = call(assertion(
        &service,
        &stranger,
        &endpoint,
        "jti-2",
        now_unix() + 60,
    ))
    .await;
    assert_eq!(body["error"], "invalid_client", "signed by another key");
    let (_, body) = call(assertion(
        &service,
        &key,
        "https://elsewhere.example/token",
        "jti-3",
        now_unix() + 60,
    ))
    .await;
    assert_eq!(body["error"], "invalid_client", "wrong audience");
    let (_, body) = call(assertion(
        &service,
        &key,
        &endpoint,
        "jti-4",
        now_unix() - 600,
    ))
    .await;
    assert_eq!(body["error"], "invalid_client", "expired");
    let (_, body) = call(assertion(
        &service,
        &key,
        &endpoint,
        "jti-5",
        now_unix() + 86_400,
    ))
    .await;
    assert_eq!(body["error"], "invalid_client", "lives a day");
    let (_, body) = call("not.a.jwt".into()).await;
    assert_eq!(body["error"], "invalid_client");
    assert_eq!(
        audited(&app, "oidc.token_issued.client_credentials").await,
        1
    );
    app.stop().await;
}

/// A customer token signed by the provider's own key with chosen claims.
async fn signed(app: &TestApp, claims: &AccessClaims, typ: &str) -> String {
    app.state.oidc.keys().sign(typ, claims).await.unwrap()
}

async fn forged_or_stale_access_tokens_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let b = app.register(&email("forged")).await;
    let web = web_client(&app).await;
    let (code, verifier) = code_for(&b, &web).await;
    let (_, tokens) = redeem(&app, &web, &code, &verifier).await;
    let good = tokens["access_token"].as_str().unwrap().to_owned();
    let (status, _, info) = userinfo(&app, &good).await;
    assert_eq!(status, 200, "{info}");

    let parts: Vec<&str> = good.split('.').collect();
    let header: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    let mut claims: AccessClaims =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    let encode = |v: &serde_json::Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());

    let mut none_header = header.clone();
    none_header["alg"] = "none".into();
    let alg_none = format!("{}.{}.", encode(&none_header), parts[1]);

    let jwks: serde_json::Value = reqwest::get(format!("{}/oauth2/jwks", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let public = serde_json::to_vec(&jwks["keys"][0]).unwrap();
    let mut hs_header = Header::new(Algorithm::HS256);
    hs_header.kid = header["kid"].as_str().map(str::to_owned);
    hs_header.typ = Some("at+jwt".into());
    let hs256 =
        jsonwebtoken::encode(&hs_header, &claims, &EncodingKey::from_secret(&public)).unwrap();

    let mut unknown_kid = header.clone();
    unknown_kid["kid"] = "no-such-key".into();
    let unknown = format!("{}.{}.{}", encode(&unknown_kid), parts[1], parts[2]);

    let mut tampered_claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    tampered_claims["scope"] = "openid email profile assets:read assets:write".into();
    let tampered = format!("{}.{}.{}", parts[0], encode(&tampered_claims), parts[2]);

    let now = now_unix();
    let original = claims.clone();
    claims.exp = now - 600;
    claims.iat = now - 1200;
    claims.nbf = now - 1200;
    let expired = signed(&app, &claims, "at+jwt").await;
    claims = original.clone();
    claims.nbf = now + 600;
    let not_yet = signed(&app, &claims, "at+jwt").await;
    claims = original.clone();
    claims.aud = "another-api".into();
    let wrong_aud = signed(&app, &claims, "at+jwt").await;
    claims = original.clone();
    claims.iss = "https://idp.example".into();
    let wrong_iss = signed(&app, &claims, "at+jwt").await;
    let id_token = tokens["id_token"].as_str().unwrap().to_owned();
    let as_id_token = signed(&app, &original, "JWT").await;

    for (what, token) in [
        ("alg none", alg_none),
        ("HS256 with the public key", hs256),
        ("unknown kid", unknown),
        ("tampered payload", tampered),
        ("expired", expired),
        ("not yet valid", not_yet),
        ("wrong aud", wrong_aud),
        ("wrong iss", wrong_iss),
        ("ID token", id_token),
        ("typ not at+jwt", as_id_token),
        ("garbage", "a.b.c".into()),
    ] {
        let (status, challenge, _) = userinfo(&app, &token).await;
        assert_eq!(status, 401, "{what}");
        assert!(
            challenge.contains("error=\"invalid_token\""),
            "{what}: {challenge}"
        );
    }
    assert!(audited(&app, "oidc.userinfo_refused.invalid_token").await >= 11);

    // Revoking the access token ends it at once.
    let (status, _) = post_form(
        &app,
        "/oauth2/revoke",
        Some((&web.id, web.secret.as_deref().unwrap())),
        &[("token", &good), ("token_type_hint", "access_token")],
    )
    .await;
    assert_eq!(status, 200);
    let (status, _, _) = userinfo(&app, &good).await;
    assert_eq!(status, 401);
    assert_eq!(audited(&app, "oidc.token_revoked").await, 1);
    app.stop().await;
}

async fn signing_keys_rotate_and_old_keys_stay_until_their_tokens_expire(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let b = app.register(&email("rotate")).await;
    let web = web_client(&app).await;
    let keys = app.state.oidc.keys();
    let before = keys.published_kids().await.unwrap();
    assert_eq!(before.len(), 1);
    let (code, verifier) = code_for(&b, &web).await;
    let (_, old_tokens) = redeem(&app, &web, &code, &verifier).await;
    let old_access = old_tokens["access_token"].as_str().unwrap().to_owned();

    let new_kid = keys
        .rotate(&platform::audit::Actor::system("test"), &Default::default())
        .await
        .unwrap();
    let after = keys.published_kids().await.unwrap();
    assert_eq!(after, vec![new_kid.clone(), before[0].clone()]);
    let (status, _, _) = userinfo(&app, &old_access).await;
    assert_eq!(status, 200, "tokens of the retired key still verify");
    let (code, verifier) = code_for(&b, &web).await;
    let (_, new_tokens) = redeem(&app, &web, &code, &verifier).await;
    let header = jsonwebtoken::decode_header(new_tokens["access_token"].as_str().unwrap()).unwrap();
    assert_eq!(header.kid.as_deref(), Some(new_kid.as_str()));
    let private: Vec<u8> = {
        let mut tx = app.state.db.read().await.unwrap();
        let row = sqlx::query("SELECT private_enc FROM oidc_signing_keys WHERE kid = $1")
            .bind(&new_kid)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        platform::db::col(&row, "private_enc").unwrap()
    };
    assert!(
        !private.windows(7).any(|w| w == b"PRIVATE"),
        "private key sealed"
    );

    // Once every token of the old key has expired, the key goes.
    execute(
        &app,
        "UPDATE oidc_signing_keys SET expires_at = 1 WHERE retired_at IS NOT NULL",
    )
    .await;
    app.state.oidc.maintain().await.unwrap();
    let kids = count_of(&app, "SELECT COUNT(*) AS n FROM oidc_signing_keys").await;
    assert_eq!(kids, 1);
    // A key past the rotation age is replaced by maintenance.
    execute(&app, "UPDATE oidc_signing_keys SET created_at = 1").await;
    app.state.oidc.maintain().await.unwrap();
    let newest = keys.published_kids().await.unwrap();
    assert_eq!(newest.len(), 2);
    assert_ne!(newest[0], new_kid);
    assert_eq!(audited(&app, "oidc.signing_key_rotated").await, 3);
    app.stop().await;
}

async fn end_session_logs_out_only_to_registered_addresses(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let b = app.register(&email("logout")).await;
    let web = web_client(&app).await;
    let (code, verifier) = code_for(&b, &web).await;
    let (_, tokens) = redeem(&app, &web, &code, &verifier).await;
    let id_token = tokens["id_token"].as_str().unwrap();
    let path = |uri: &str, hint: &str| {
        format!(
            "/oauth2/logout?{}",
            serde_urlencoded::to_string([
                ("id_token_hint", hint),
                ("post_logout_redirect_uri", uri),
                ("state", "bye")
            ])
            .unwrap()
        )
    };
    let page = b.get(&path("https://attacker.example/", id_token)).await;
    assert_eq!((page.status, page.location), (400, None));
    let forged = format!("{}x", &id_token[..id_token.len() - 1]);
    let page = b.get(&path(LOGOUT_URI, &forged)).await;
    assert_eq!((page.status, page.location), (400, None));
    assert_eq!(b.get("/dashboard").await.status, 200, "still logged in");

    let page = b.get(&path(LOGOUT_URI, id_token)).await;
    let location = page.location.unwrap();
    assert!(location.starts_with(LOGOUT_URI), "{location}");
    assert_eq!(param(&location, "state").as_deref(), Some("bye"));
    assert_eq!(
        b.get("/dashboard").await.location.as_deref(),
        Some("/login")
    );
    let (_, body) = refresh(&app, &web, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!(
        body["error"], "invalid_grant",
        "the grant ended with the session"
    );
    app.stop().await;
}

async fn password_changes_and_disabled_clients_end_grants(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let b = app.register(&email("grants-end")).await;
    let web = web_client(&app).await;
    let (code, verifier) = code_for(&b, &web).await;
    let (_, tokens) = redeem(&app, &web, &code, &verifier).await;
    let changed = b
        .submit(
            "/profile",
            "/profile/password",
            &[
                ("current_password", support::PASSWORD),
                ("password", "quiet-river-maple-2031"),
                ("password_confirm", "quiet-river-maple-2031"),
            ],
        )
        .await;
    assert_eq!(
        changed.location.as_deref(),
        Some("/profile?notice=password-changed"),
        "{}",
        changed.body
    );
    let (_, body) = refresh(&app, &web, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!(body["error"], "invalid_grant", "a new password ends grants");
    let (status, _, _) = userinfo(&app, tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(status, 401);

    let (code, verifier) = code_for(&b, &web).await;
    let (_, tokens) = redeem(&app, &web, &code, &verifier).await;
    oidc::clients::set_disabled(
        &app.state.db,
        &web.id,
        true,
        &platform::audit::Actor::system("test"),
        &Default::default(),
    )
    .await
    .unwrap();
    let (status, _, _) = userinfo(&app, tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(status, 401, "tokens of a disabled client are refused");
    let (status, body) = refresh(&app, &web, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let (_, challenge) = pkce();
    let page = b.get(&authorize_path(&web.id, &challenge, &[])).await;
    assert_eq!((page.status, page.location), (400, None));
    app.stop().await;
}

async fn fapi_clients_push_single_use_short_lived_requests(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let b = app.register(&email("par")).await;
    let fapi = fapi_client(&app).await;
    let (_, challenge) = pkce();

    // A FAPI client's request sent in full is refused.
    let page = b.get(&authorize_path(&fapi.id, &challenge, &[])).await;
    let location = page.location.unwrap();
    assert!(location.starts_with(REDIRECT_URI), "{location}");
    assert_eq!(
        param(&location, "error").as_deref(),
        Some("invalid_request")
    );
    assert_eq!(param(&location, "code"), None);

    // Pushing needs client authentication, a registered redirect URI and no request_uri.
    let (status, body) = post_form(
        &app,
        "/oauth2/par",
        None,
        &[
            ("client_id", &fapi.id),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT_URI),
            ("scope", "openid"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_client"))
    );
    let (status, body) = push(&app, &fapi, &challenge, &[("request_uri", "urn:x")]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
    let (status, body) = push(
        &app,
        &fapi,
        &challenge,
        &[("redirect_uri", "https://attacker.example/cb")],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
    let (status, body) = push(&app, &fapi, &challenge, &[("code_challenge", "")]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );

    let (status, pushed) = push(&app, &fapi, &challenge, &[]).await;
    assert_eq!(status, 201, "{pushed}");
    let uri = pushed["request_uri"].as_str().unwrap();
    assert!(
        uri.starts_with("urn:ietf:params:oauth:request_uri:"),
        "{uri}"
    );
    let lifetime = pushed["expires_in"].as_i64().unwrap();
    assert!((1..=60).contains(&lifetime), "{lifetime}");

    // Bound to its client: another client cannot use it, and trying does not spend it.
    let other = fapi_client(&app).await;
    let page = b.get(&pushed_path(&other, uri)).await;
    assert_eq!((page.status, page.location), (400, None));
    // Single use.
    let page = b.get(&pushed_path(&fapi, uri)).await;
    let location = page.location.unwrap();
    assert!(param(&location, "code").is_some(), "{location}");
    assert_eq!(param(&location, "iss").as_deref(), Some(app.base.as_str()));
    assert_eq!(param(&location, "state").as_deref(), Some("st-123"));
    let page = b.get(&pushed_path(&fapi, uri)).await;
    assert_eq!((page.status, page.location), (400, None), "used already");
    // Expiring.
    let (_, pushed) = push(&app, &fapi, &challenge, &[]).await;
    execute(
        &app,
        "UPDATE oidc_par_requests SET expires_at = 1 WHERE used_at IS NULL",
    )
    .await;
    let page = b
        .get(&pushed_path(&fapi, pushed["request_uri"].as_str().unwrap()))
        .await;
    assert_eq!((page.status, page.location), (400, None), "expired");
    let page = b
        .get(&pushed_path(
            &fapi,
            "urn:ietf:params:oauth:request_uri:no-such-request",
        ))
        .await;
    assert_eq!((page.status, page.location), (400, None), "unknown");

    // The token endpoint wants a DPoP proof from a FAPI client; the code survives the refusal.
    let (code, verifier) = fapi_code(&app, &b, &fapi).await;
    let (status, body) = redeem_with_key(&app, &fapi, &code, &verifier, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_dpop_proof"))
    );
    let key = DpopKey::new();
    let (status, tokens) = redeem_with_key(&app, &fapi, &code, &verifier, Some(&key)).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "DPoP");
    let access = claims_of(tokens["access_token"].as_str().unwrap());
    assert_eq!(access["cnf"]["jkt"], key.jkt());
    assert!(audited(&app, "oidc.token_refused.invalid_dpop_proof").await >= 1);
    assert!(audited(&app, "oidc.par_refused.invalid_client").await >= 1);
    assert!(
        audited(&app, "oidc.par_accepted").await >= 2,
        "every accepted request is in the trail"
    );
    assert!(audited(&app, "oidc.authorize_refused.invalid_request").await >= 4);
    app.stop().await;
}

async fn web_clients_authenticate_with_short_lived_single_use_assertions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let b = app.register(&email("pkjwt")).await;
    let client = key_web_client(&app, oidc::clients::ClientProfile::Standard).await;
    let token_url = format!("{}/oauth2/token", app.base);
    let redeem_as = |assertion: String, code: String, verifier: String| {
        let app = &app;
        async move {
            let form = vec![
                ("grant_type".to_owned(), "authorization_code".to_owned()),
                ("code".into(), code),
                ("redirect_uri".into(), REDIRECT_URI.into()),
                ("code_verifier".into(), verifier),
                (
                    "client_assertion_type".into(),
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into(),
                ),
                ("client_assertion".into(), assertion),
            ];
            let (status, _, body) = post_with(app, "/oauth2/token", &[], &form).await;
            (status, body)
        }
    };
    // An assertion for ten minutes is refused, as is one for another audience.
    for assertion in [
        client_assertion(&client, &app.base, 600),
        client_assertion(&client, "https://elsewhere.example", 60),
    ] {
        let (code, verifier) = code_for(&b, &client).await;
        let (status, body) = redeem_as(assertion, code, verifier).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_client"))
        );
    }
    // The issuer or the token endpoint as audience; each assertion once.
    let once = client_assertion(&client, &app.base, 60);
    let (code, verifier) = code_for(&b, &client).await;
    let (status, body) = redeem_as(once.clone(), code, verifier).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer", "no proof, no binding");
    let (code, verifier) = code_for(&b, &client).await;
    let (_, body) = redeem_as(once, code.clone(), verifier.clone()).await;
    assert_eq!(body["error"], "invalid_client", "replayed assertion");
    let (status, body) = redeem_as(client_assertion(&client, &token_url, 60), code, verifier).await;
    assert_eq!(status, 200, "{body}");
    app.stop().await;
}

async fn dpop_bound_tokens_need_a_proof_of_possession(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let b = app.register(&email("dpop")).await;
    let fapi = fapi_client(&app).await;
    let key = DpopKey::new();
    let (code, verifier) = fapi_code(&app, &b, &fapi).await;
    let (status, tokens) = redeem_with_key(&app, &fapi, &code, &verifier, Some(&key)).await;
    assert_eq!(status, 200, "{tokens}");
    let access = tokens["access_token"].as_str().unwrap();
    let dpop = format!("DPoP {access}");
    let other = DpopKey::new();
    for path in ["/api/v1/me", "/oauth2/userinfo"] {
        let url = format!("{}{path}", app.base);
        let refused = [
            ("as a bearer token", format!("Bearer {access}"), None),
            ("without a proof", dpop.clone(), None),
            (
                "proof by another key",
                dpop.clone(),
                Some(other.proof("GET", &url, Some(access))),
            ),
            (
                "proof for another method",
                dpop.clone(),
                Some(key.proof("POST", &url, Some(access))),
            ),
            (
                "proof for another URL",
                dpop.clone(),
                Some(key.proof("GET", &format!("{}/api/v1/assets", app.base), Some(access))),
            ),
            (
                "proof for another token",
                dpop.clone(),
                Some(key.proof("GET", &url, Some("another-token"))),
            ),
            (
                "proof without ath",
                dpop.clone(),
                Some(key.proof("GET", &url, None)),
            ),
            (
                "proof five minutes old",
                dpop.clone(),
                Some(key.proof_with("GET", &url, Some(access), "old-jti", 300)),
            ),
        ];
        for (what, authorization, proof) in refused {
            let (status, challenge, _) =
                get_with(&app, path, &authorization, proof.as_deref()).await;
            assert_eq!(status, 401, "{path}: {what}");
            assert!(
                challenge.starts_with("DPoP error="),
                "{path}: {what}: {challenge}"
            );
        }
        // A good proof works, once; the next request needs a new one.
        let good = key.proof("GET", &url, Some(access));
        let (status, _, body) = get_with(&app, path, &dpop, Some(&good)).await;
        assert_eq!(status, 200, "{path}: {body}");
        let (status, challenge, _) = get_with(&app, path, &dpop, Some(&good)).await;
        assert_eq!(status, 401, "{path}: replayed proof");
        assert!(challenge.contains("invalid_dpop_proof"), "{challenge}");
        let fresh = key.proof("GET", &url, Some(access));
        let (status, _, _) = get_with(&app, path, &dpop, Some(&fresh)).await;
        assert_eq!(
            status, 200,
            "{path}: a fresh proof after a remembered token"
        );
    }
    assert!(audited(&app, "oidc.userinfo_refused.invalid_dpop_proof").await >= 1);

    // The refresh token of a FAPI client is bound to the key too.
    let refresh_token = tokens["refresh_token"].as_str().unwrap();
    let (status, body) = refresh_with_key(&app, &fapi, refresh_token, Some(&other)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_dpop_proof"))
    );
    let (_, body) = refresh_with_key(&app, &fapi, refresh_token, None).await;
    assert_eq!(body["error"], "invalid_dpop_proof");
    let (status, body) = refresh_with_key(&app, &fapi, refresh_token, Some(&key)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "DPoP");

    // A proof replayed at the token endpoint is refused.
    let token_url = format!("{}/oauth2/token", app.base);
    let proof = key.proof("POST", &token_url, None);
    let mut form = vec![
        ("grant_type".to_owned(), "refresh_token".to_owned()),
        (
            "refresh_token".into(),
            body["refresh_token"].as_str().unwrap().to_owned(),
        ),
    ];
    form.extend(assertion_fields(&app, &fapi));
    let (status, _, first) = post_with(&app, "/oauth2/token", &[("DPoP", &proof)], &form).await;
    assert_eq!(status, 200, "{first}");
    let mut again = vec![
        ("grant_type".to_owned(), "refresh_token".to_owned()),
        (
            "refresh_token".into(),
            first["refresh_token"].as_str().unwrap().to_owned(),
        ),
    ];
    again.extend(assertion_fields(&app, &fapi));
    let (_, _, replayed) = post_with(&app, "/oauth2/token", &[("DPoP", &proof)], &again).await;
    assert_eq!(replayed["error"], "invalid_dpop_proof");

    // Unbound tokens of other clients keep working as bearer tokens, and only as those.
    let web = web_client(&app).await;
    let (verifier, challenge) = pkce();
    let page = b
        .get(&authorize_path(
            &web.id,
            &challenge,
            &[("scope", "openid assets:read")],
        ))
        .await;
    let code = param(&page.location.unwrap(), "code").unwrap();
    let (_, plain) = redeem(&app, &web, &code, &verifier).await;
    assert_eq!(plain["token_type"], "Bearer");
    let bearer = plain["access_token"].as_str().unwrap();
    let (status, _, _) = get_with(&app, "/api/v1/me", &format!("Bearer {bearer}"), None).await;
    assert_eq!(status, 200);
    let me = format!("{}/api/v1/me", app.base);
    let (status, _, _) = get_with(
        &app,
        "/api/v1/me",
        &format!("DPoP {bearer}"),
        Some(&key.proof("GET", &me, Some(bearer))),
    )
    .await;
    assert_eq!(status, 401, "an unbound token is not a DPoP token");
    app.stop().await;
}

async fn max_age_forces_a_fresh_login(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let address = email("max-age");
    let b = app.register(&address).await;
    let web = web_client(&app).await;
    let (verifier, challenge) = pkce();

    let page = b
        .get(&authorize_path(&web.id, &challenge, &[("max_age", "3600")]))
        .await;
    assert!(
        param(&page.location.unwrap(), "code").is_some(),
        "recent enough"
    );
    let page = b
        .get(&authorize_path(
            &web.id,
            &challenge,
            &[("max_age", "0"), ("prompt", "none")],
        ))
        .await;
    assert_eq!(
        param(&page.location.unwrap(), "error").as_deref(),
        Some("login_required")
    );

    let asked = now_unix();
    let page = b
        .get(&authorize_path(&web.id, &challenge, &[("max_age", "0")]))
        .await;
    assert_eq!(page.location.as_deref(), Some("/login?notice=login-again"));
    let told = b.get("/login?notice=login-again").await;
    assert!(
        told.body.contains("あらためてご本人の確認"),
        "{}",
        told.body
    );
    assert_eq!(
        b.get("/dashboard").await.location.as_deref(),
        Some("/login"),
        "the old session ended"
    );
    let login = b.login(&address, support::PASSWORD).await;
    let resume = login.location.unwrap();
    assert!(resume.starts_with("/oauth2/authorize?"), "{resume}");
    // Only this browser may resume the request.
    let stranger = app.register(&email("max-age-other")).await;
    let page = stranger.get(&resume.replace("resume=", "resume=x")).await;
    assert_eq!((page.status, page.location), (400, None));
    let page = b.get(&resume).await;
    let code = param(&page.location.unwrap(), "code").expect("a code after the fresh login");
    let (status, tokens) = redeem(&app, &web, &code, &verifier).await;
    assert_eq!(status, 200, "{tokens}");
    let id = claims_of(tokens["id_token"].as_str().unwrap());
    assert!(id["auth_time"].as_i64().unwrap() >= asked, "{id}");
    let page = b.get(&resume).await;
    assert_eq!((page.status, page.location), (400, None), "resumed once");
    app.stop().await;
}

async fn acr_mfa_asks_for_the_second_step(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let address = email("acr");
    let b = app.register(&address).await;
    let web = web_client(&app).await;
    let (verifier, challenge) = pkce();
    let mfa = [("acr_values", "urn:assetstatus:acr:mfa")];

    // No second factor set up: the request cannot be met.
    let page = b.get(&authorize_path(&web.id, &challenge, &mfa)).await;
    let location = page.location.unwrap();
    assert_eq!(
        param(&location, "error").as_deref(),
        Some("unmet_authentication_requirements")
    );
    assert_eq!(param(&location, "code"), None);
    assert_eq!(param(&location, "state").as_deref(), Some("st-123"));
    let (code, plain_verifier) = code_for(&b, &web).await;
    let (_, tokens) = redeem(&app, &web, &code, &plain_verifier).await;
    let id = claims_of(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["acr"], "urn:assetstatus:acr:pwd");

    // With an authenticator set up, a password-only session is not enough.
    let setup = b.get("/profile/two-step").await;
    let key = support::authenticator_key(&setup.body);
    let done = b
        .submit(
            "/profile/two-step",
            "/profile/two-step/confirm",
            &[("code", &support::code_at(&key, 0))],
        )
        .await;
    assert_eq!(done.status, 200);
    let page = b.get(&authorize_path(&web.id, &challenge, &mfa)).await;
    assert_eq!(page.location.as_deref(), Some("/login?notice=login-again"));
    let login = b.login(&address, support::PASSWORD).await;
    assert_eq!(login.location.as_deref(), Some("/login/code"));
    let second = b
        .submit(
            "/login/code",
            "/login/code",
            &[("code", &support::code_at(&key, 1))],
        )
        .await;
    let resume = second.location.unwrap();
    assert!(resume.starts_with("/oauth2/authorize?"), "{resume}");
    let page = b.get(&resume).await;
    let code = param(&page.location.unwrap(), "code").expect("a code after the second step");
    let (status, tokens) = redeem(&app, &web, &code, &verifier).await;
    assert_eq!(status, 200, "{tokens}");
    let id = claims_of(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["acr"], "urn:assetstatus:acr:mfa");
    assert!(
        id["amr"].as_array().unwrap().contains(&"otp".into()),
        "{id}"
    );

    // The session now has the second factor: no further login.
    let page = b.get(&authorize_path(&web.id, &challenge, &mfa)).await;
    assert!(param(&page.location.unwrap(), "code").is_some());
    app.stop().await;
}

on_both_backends!(
    discovery_describes_a_strict_provider,
    authorization_requests_that_cannot_be_trusted_never_redirect,
    faulty_authorization_requests_return_the_standard_error,
    codes_are_single_use_bound_and_short_lived,
    refresh_token_reuse_revokes_the_family,
    clients_that_fail_authentication_get_nothing,
    private_key_jwt_assertions_are_checked_and_single_use,
    forged_or_stale_access_tokens_are_refused,
    signing_keys_rotate_and_old_keys_stay_until_their_tokens_expire,
    end_session_logs_out_only_to_registered_addresses,
    password_changes_and_disabled_clients_end_grants,
    fapi_clients_push_single_use_short_lived_requests,
    web_clients_authenticate_with_short_lived_single_use_assertions,
    dpop_bound_tokens_need_a_proof_of_possession,
    max_age_forces_a_fresh_login,
    acr_mfa_asks_for_the_second_step,
);
