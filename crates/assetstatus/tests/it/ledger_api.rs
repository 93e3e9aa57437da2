//! The JSON API does not carry the acquisition cost, so replacing an asset through it must
//! keep the cost the customer recorded on the pages, except for a debt, which has none.

use crate::oidc_support;
use crate::support;

use assets::AssetForm;
use oidc::clients::{ClientAuth, GrantType, NewClient};
use oidc_support::*;
use platform::audit::RequestMeta;
use platform::ids::{AssetId, CustomerId};
use platform::time_util::today_jst;
use serde_json::{Value, json};
use support::{Backend, TestApp, email, today};

async fn token(app: &TestApp) -> String {
    let client = register(
        app,
        NewClient {
            name: "家計簿アプリ".into(),
            auth: ClientAuth::ClientSecretBasic,
            public_jwk: None,
            redirect_uris: vec![REDIRECT_URI.into()],
            logout_uris: vec![],
            grant_types: vec![GrantType::AuthorizationCode],
            scopes: ["openid", "assets:read", "assets:write"]
                .map(String::from)
                .to_vec(),
        },
        None,
    )
    .await;
    let b = app.register(&email("ledger")).await;
    let (verifier, challenge) = pkce();
    let page = b
        .get(&authorize_path(
            &client.id,
            &challenge,
            &[("scope", "openid assets:read assets:write")],
        ))
        .await;
    let code = param(&page.location.unwrap(), "code").unwrap();
    let (status, tokens) = redeem(app, &client, &code, &verifier).await;
    assert_eq!(status, 200, "{tokens}");
    tokens["access_token"].as_str().unwrap().to_owned()
}

async fn call(app: &TestApp, method: &str, path: &str, token: &str, body: Value) -> (u16, Value) {
    let client = reqwest::Client::new();
    let url = format!("{}{path}", app.base);
    let request = match method {
        "POST" => client.post(url).json(&body),
        "PUT" => client.put(url).json(&body),
        _ => client.get(url),
    };
    let response = request.bearer_auth(token).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn holding(category: &str, amount: i64) -> Value {
    json!({
        "category": category, "name": "日本株式", "institution": "みらい証券",
        "amount": amount, "valuation_date": today(),
    })
}

async fn cost_of(app: &TestApp, customer: CustomerId, id: AssetId) -> Option<i64> {
    let asset = app.state.assets.get(customer, id).await.unwrap();
    asset.acquisition_cost.map(|c| c.get())
}

async fn replacing_through_the_api_keeps_the_acquisition_cost(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = token(&app).await;
    let (status, me) = call(&app, "GET", "/api/v1/me", &token, Value::Null).await;
    assert_eq!(status, 200, "{me}");
    let customer: CustomerId = me["id"].as_str().unwrap().parse().unwrap();

    let (status, created) = call(
        &app,
        "POST",
        "/api/v1/assets",
        &token,
        holding("stocks", 1_000_000),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id: AssetId = created["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(cost_of(&app, customer, id).await, None);

    // The customer records the cost on the pages.
    let with_cost = AssetForm {
        category: "stocks".into(),
        name: "日本株式".into(),
        institution: "みらい証券".into(),
        amount: "1,000,000".into(),
        valuation_date: today(),
        note: String::new(),
        acquisition_cost: "800,000".into(),
    }
    .parse(today_jst())
    .unwrap();
    let meta = RequestMeta {
        client_ip: None,
        request_id: "ledger-api".into(),
    };
    app.state
        .assets
        .update(customer, id, &with_cost, &meta)
        .await
        .unwrap();

    let path = format!("/api/v1/assets/{id}");
    let (status, updated) = call(&app, "PUT", &path, &token, holding("stocks", 1_200_000)).await;
    assert_eq!((status, updated["amount"].as_i64()), (200, Some(1_200_000)));
    assert_eq!(cost_of(&app, customer, id).await, Some(800_000));
    assert!(
        updated.get("acquisition_cost").is_none(),
        "the API's answers keep their shape: {updated}"
    );

    // Turned into a debt, it loses the cost rather than being refused for a field the client
    // cannot see.
    let (status, updated) = call(&app, "PUT", &path, &token, holding("liabilities", 500_000)).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(cost_of(&app, customer, id).await, None);

    // Someone else's asset stays out of reach.
    let (status, _) = call(
        &app,
        "PUT",
        &format!("/api/v1/assets/{}", AssetId::new()),
        &token,
        holding("stocks", 1),
    )
    .await;
    assert_eq!(status, 404);
    app.stop().await;
}

on_both_backends!(replacing_through_the_api_keeps_the_acquisition_cost);
