//! `/metrics` on the staff listener only: request figures by route template, and audited
//! authentication outcomes taken from the audit trail.

use crate::support;

use support::{Backend, TestApp, email};

async fn staff_listener_exposes_request_and_authentication_figures(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let address = email("metrics");
    app.register(&address).await;
    let b = app.browser();
    assert_eq!(
        b.login(&address, "wrong-password-entered").await.status,
        401
    );
    assert_eq!(
        b.get("/metrics").await.status,
        404,
        "never on the public listener"
    );

    let response = reqwest::get(format!("http://{}/metrics", app.staff_addr))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let text = response.text().await.unwrap();
    assert!(
        text.contains(
            r#"assetstatus_http_requests_total{method="POST",route="/login",status="401"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#"assetstatus_http_requests_total{method="POST",route="/login",status="303"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#"assetstatus_audit_events_total{action="customer.login",outcome="failure"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#"assetstatus_audit_events_total{action="customer.login",outcome="success"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#"assetstatus_audit_events_total{action="customer.signup",outcome="success"} 1"#
        ),
        "{text}"
    );
    assert!(text.ends_with("# EOF\n"));
    let gauge = |name: &str| -> i64 {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("assetstatus_{name} ")))
            .unwrap_or_else(|| panic!("no gauge {name} in {text}"))
            .parse()
            .unwrap()
    };
    assert!(gauge("database_bytes") > 0, "the database has a size");
    assert!(gauge("disk_free_bytes") > 0, "the disk has free space");
    assert!(gauge("outbox_depth") >= 0 && gauge("outbox_oldest_seconds") >= 0);
    assert_eq!(gauge("alerts_unacknowledged"), 0);
    assert!(!text.contains(&address), "no personal data");
    assert!(
        text.contains(r#"route="/verify/{token}""#),
        "route templates"
    );
    assert!(
        text.split("/verify/")
            .skip(1)
            .all(|rest| rest.starts_with("{token}")),
        "never a raw path with its token"
    );
    app.stop().await;
}

on_both_backends!(staff_listener_exposes_request_and_authentication_figures);
