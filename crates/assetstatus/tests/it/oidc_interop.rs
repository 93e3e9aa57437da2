//! A third-party OpenID Connect client (Python's authlib, pinned in tests/oidc/requirements.txt)
//! completes code + PKCE, refresh with rotation, client credentials with private_key_jwt,
//! revocation, and the FAPI 2.0 flow (PAR + private_key_jwt + PKCE + DPoP-bound tokens used at
//! userinfo and the API) against a running server, verifying every token against our JWKS.

use crate::oidc_support;
use crate::support;

use oidc_support::{REDIRECT_URI, fapi_client, service_client, web_client};
use support::{Backend, PASSWORD, TestApp, email};

async fn authlib_completes_every_flow(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let address = email("interop");
    app.register(&address).await;
    let web = web_client(&app).await;
    let service = service_client(&app).await;
    let fapi = fapi_client(&app).await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/oidc/interop.py");
    let output = tokio::process::Command::new("python3")
        .arg(script)
        .env("ISSUER", &app.base)
        .env("EMAIL", &address)
        .env("PASSWORD", PASSWORD)
        .env("CODE_CLIENT_ID", &web.id)
        .env("CODE_CLIENT_SECRET", web.secret.as_deref().unwrap())
        .env("REDIRECT_URI", REDIRECT_URI)
        .env("SERVICE_CLIENT_ID", &service.id)
        .env("SERVICE_KEY_PEM", service.key_pem())
        .env("API_AUDIENCE", "assetstatus-api")
        .env("FAPI_CLIENT_ID", &fapi.id)
        .env("FAPI_KEY_PEM", fapi.key_pem())
        .output()
        .await
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "authlib failed: {stderr}\n{stdout}"
    );
    let seen: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let kids = app.state.oidc.keys().published_kids().await.unwrap();
    assert_eq!(seen["id_token_kid"], kids[0]);
    assert_eq!(seen["id_token_amr"], serde_json::json!(["pwd"]));
    assert_eq!(seen["userinfo_email"], address);
    assert_eq!(seen["access_scope"], "openid email profile assets:read");
    assert_eq!(seen["code_replay"], "invalid_grant");
    assert_eq!(seen["refreshed"], true);
    assert_eq!(seen["refresh_reuse"], "invalid_grant");
    assert_eq!(seen["refresh_after_reuse"], "invalid_grant");
    assert_eq!(seen["service_scope"], "ledger:read");
    assert_eq!(seen["refresh_after_revoke"], "invalid_grant");
    assert_eq!(seen["fapi_plain_request"], "invalid_request");
    assert!((1..=60).contains(&seen["fapi_par_expires_in"].as_i64().unwrap()));
    assert_eq!(seen["fapi_request_uri_reuse"], 400);
    assert_eq!(seen["fapi_token_type"], "DPoP");
    assert_eq!(seen["fapi_jkt_matches"], true);
    assert_eq!(seen["fapi_userinfo_sub_matches"], true);
    assert_eq!(seen["fapi_me_id_matches"], true);
    assert_eq!(seen["fapi_bearer_use"], 401);
    assert_eq!(seen["fapi_bearer_challenge"], "DPoP");
    assert_eq!(seen["fapi_refreshed_type"], "DPoP");
    let customer = seen["id_token_sub"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(customer).is_ok(), "{customer}");
    app.stop().await;
}

on_both_backends!(authlib_completes_every_flow);
