//! The API description is generated from the code; its snapshot in `crates/api/openapi.json`
//! makes every change to the public contract show up in review, and the structural checks catch
//! operations documented without the protection the API gives them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use serde_json::Value;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn snapshot_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi.json")
}

fn parsed() -> Value {
    serde_json::from_str(&api::document()).expect("the document is JSON")
}

/// Every `(path, method, operation)` of the document.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                out.push((path.clone(), method.to_owned(), operation.clone()));
            }
        }
    }
    out
}

#[test]
fn the_document_matches_its_snapshot() {
    let document = api::document();
    let path = snapshot_path();
    if std::env::var("UPDATE_SNAPSHOTS").as_deref() == Ok("1") {
        std::fs::write(&path, &document).unwrap();
        return;
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        stored == document,
        "the API description differs from {}; if the change is intended, run \
         `UPDATE_SNAPSHOTS=1 cargo test -p api --test openapi_snapshot` and review the diff",
        path.display()
    );
}

#[test]
fn the_document_is_the_same_on_every_call() {
    assert_eq!(api::document(), api::document());
}

#[test]
fn the_document_is_openapi_3_1_served_under_the_api_prefix() {
    let doc = parsed();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1."));
    assert_eq!(doc["info"]["title"], "assetstatus customer API");
    assert_eq!(doc["info"]["version"], "1.0.0");
    assert_eq!(doc["servers"][0]["url"], api::PREFIX);
    assert_eq!(doc["servers"].as_array().unwrap().len(), 1);
}

#[test]
fn every_operation_needs_a_token_with_the_scope_its_method_implies() {
    let doc = parsed();
    let operations = operations(&doc);
    assert!(operations.len() >= 7, "{operations:?}");
    for (path, method, operation) in operations {
        let scope = if method == "get" {
            "assets:read"
        } else {
            "assets:write"
        };
        let security = operation["security"]
            .as_array()
            .unwrap_or_else(|| panic!("{method} {path} has no security requirement"));
        assert!(!security.is_empty(), "{method} {path}");
        for requirement in security {
            let requirement = requirement.as_object().unwrap();
            assert!(
                !requirement.is_empty(),
                "{method} {path} allows anonymous calls"
            );
            for (scheme, scopes) in requirement {
                assert!(
                    doc["components"]["securitySchemes"].get(scheme).is_some(),
                    "{method} {path} names an undeclared scheme {scheme}"
                );
                assert_eq!(
                    scopes.as_array().unwrap(),
                    &vec![Value::from(scope)],
                    "{method} {path} with {scheme}"
                );
            }
        }
    }
}

#[test]
fn the_security_schemes_are_bearer_jwt_and_the_authorization_code_flow() {
    let doc = parsed();
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["type"], "http");
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["bearer"]["bearerFormat"], "JWT");
    let flow = &schemes["oauth2"]["flows"]["authorizationCode"];
    assert_eq!(flow["authorizationUrl"], "/oauth2/authorize");
    assert_eq!(flow["tokenUrl"], "/oauth2/token");
    for scope in ["assets:read", "assets:write"] {
        assert!(flow["scopes"].get(scope).is_some(), "{scope}");
    }
}

/// The response an operation documents for `status`, with a `$ref` followed.
fn response<'a>(doc: &'a Value, operation: &'a Value, status: &str) -> Option<&'a Value> {
    let response = operation["responses"].get(status)?;
    match response["$ref"].as_str() {
        Some(reference) => {
            let name = reference.strip_prefix("#/components/responses/").unwrap();
            doc["components"]["responses"].get(name)
        }
        None => Some(response),
    }
}

#[test]
fn every_operation_documents_its_refusals_as_problems_with_their_own_status() {
    let doc = parsed();
    for (path, method, operation) in operations(&doc) {
        for status in ["401", "403"] {
            assert!(
                response(&doc, &operation, status).is_some(),
                "{method} {path} documents no {status}"
            );
        }
        for (status, _) in operation["responses"].as_object().unwrap() {
            if !status.starts_with('4') && !status.starts_with('5') {
                continue;
            }
            let refusal = response(&doc, &operation, status)
                .unwrap_or_else(|| panic!("{method} {path} {status}: dangling reference"));
            let content = &refusal["content"]["application/problem+json"];
            assert_eq!(
                content["schema"]["$ref"], "#/components/schemas/Problem",
                "{method} {path} {status}"
            );
            let examples = content["examples"].as_object().unwrap();
            assert!(!examples.is_empty(), "{method} {path} {status}");
            for (name, example) in examples {
                let body = &example["value"];
                assert_eq!(
                    body["status"].to_string(),
                    *status,
                    "{method} {path} {status}: example {name}"
                );
                assert_eq!(
                    body["type"],
                    format!("/api/v1/problems/{name}"),
                    "{method} {path} {status}"
                );
            }
        }
    }
}

#[test]
fn path_parameters_are_declared() {
    let doc = parsed();
    for (path, method, operation) in operations(&doc) {
        let declared: Vec<&str> = operation["parameters"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter(|p| p["in"] == "path")
                    .map(|p| p["name"].as_str().unwrap())
                    .collect()
            })
            .unwrap_or_default();
        let in_path: Vec<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        assert_eq!(declared, in_path, "{method} {path}");
    }
}
