//! Liveness and readiness, on every listener.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use documents::Vault;
use platform::db::Db;

/// What readiness checks.
#[derive(Clone)]
struct Deps {
    db: Db,
    vault: Arc<Vault>,
}

/// `/healthz` and `/readyz`.
pub fn routes(db: Db, vault: Arc<Vault>) -> Router {
    Router::new()
        .route("/healthz", get(live))
        .route("/readyz", get(ready))
        .with_state(Deps { db, vault })
}

/// The process answers.
async fn live() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

/// The process can do its work: the database answers. The document store is reported too, but
/// its outage only degrades uploads, so it does not take the instance out of service.
async fn ready(State(deps): State<Deps>) -> impl IntoResponse {
    let documents = match deps.vault.probe().await {
        Ok(()) => "ok",
        Err(e) => {
            tracing::warn!(error = %e, "document store not reachable");
            "unreachable"
        }
    };
    match deps.db.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(serde_json::json!({
                "status": if documents == "ok" { "ready" } else { "degraded" },
                "database": "ok",
                "documents": documents,
            })),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "database not reachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({
                    "status": "not ready",
                    "database": "unreachable",
                    "documents": documents,
                })),
            )
        }
    }
}
