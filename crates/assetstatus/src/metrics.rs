//! `/metrics` on the staff listener: request figures of this process, and audited events
//! (authentication outcomes among them) by action and outcome, read from the audit trail.

use std::fmt::Write;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use edge::HttpMetrics;
use platform::audit;
use platform::db::Db;

#[derive(Clone)]
struct Sources {
    db: Db,
    http: Arc<HttpMetrics>,
}

/// The `/metrics` route.
pub fn routes(db: Db, http: Arc<HttpMetrics>) -> Router {
    Router::new()
        .route("/metrics", get(render))
        .with_state(Sources { db, http })
}

async fn render(State(sources): State<Sources>) -> Response {
    let mut out = sources.http.encode_open();
    let counts = match sources.db.read().await {
        Ok(mut tx) => audit::counts(&mut tx).await,
        Err(e) => Err(e),
    };
    match counts {
        Ok(counts) => {
            out.push_str("# HELP assetstatus_audit_events Audited events by action and outcome.\n");
            out.push_str("# TYPE assetstatus_audit_events counter\n");
            for (action, outcome, n) in counts {
                let _ = writeln!(
                    out,
                    "assetstatus_audit_events_total{{action=\"{action}\",outcome=\"{outcome}\"}} {n}"
                );
            }
        }
        Err(e) => tracing::warn!(error = %e, "audit figures unavailable"),
    }
    out.push_str("# EOF\n");
    let content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    (StatusCode::OK, [(header::CONTENT_TYPE, content_type)], out).into_response()
}
