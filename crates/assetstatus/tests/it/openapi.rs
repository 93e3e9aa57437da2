//! The API description at `/api/v1/openapi.json`: readable without a token, the very document
//! the code generates, and every operation it lists exists and refuses a call without a token.

use crate::support;

use reqwest::Method;
use serde_json::{Value, json};
use support::{Backend, TestApp, Topology};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// `path` with each `{parameter}` replaced by a fresh UUID, an identifier nobody holds.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                uuid::Uuid::new_v4().to_string()
            } else {
                segment.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

async fn the_description_is_public_and_every_operation_in_it_is_protected(
    backend: Backend,
    topology: Topology,
) {
    let app = TestApp::spawn_in(backend, topology, |_| {}).await;
    let client = reqwest::Client::new();
    let response = client
        .get(format!("{}/api/v1/openapi.json", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let served: Value = response.json().await.unwrap();
    let generated: Value = serde_json::from_str(&api::document()).unwrap();
    assert_eq!(served, generated);

    let server = served["servers"][0]["url"].as_str().unwrap();
    let mut checked = 0;
    for (path, item) in served["paths"].as_object().unwrap() {
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let url = format!("{}{server}{}", app.base, concrete(path));
            let mut request = client.request(
                Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                &url,
            );
            if operation.get("requestBody").is_some() {
                request = request.json(&json!({}));
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 401, "{method} {path}");
            assert_eq!(
                response.headers()["content-type"],
                "application/problem+json",
                "{method} {path}"
            );
            assert_eq!(
                response.headers()["www-authenticate"],
                "Bearer",
                "{method} {path}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 7, "only {checked} operations documented");
    app.stop().await;
}

on_both_backends_and_topologies!(the_description_is_public_and_every_operation_in_it_is_protected);
