//! Liveness and readiness, on every listener.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use platform::db::Db;

/// `/healthz` and `/readyz`.
pub fn routes(db: Db) -> Router {
    Router::new()
        .route("/healthz", get(live))
        .route("/readyz", get(ready))
        .with_state(db)
}

/// The process answers.
async fn live() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

/// The process can do its work: the database answers.
async fn ready(State(db): State<Db>) -> impl IntoResponse {
    match db.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(serde_json::json!({ "status": "ready", "database": "ok" })),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "database not reachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "not ready", "database": "unreachable" })),
            )
        }
    }
}
