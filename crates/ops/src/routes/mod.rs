//! The operations console's route table, under `/ops/` on the staff listener.

mod alerts;
mod audit;
mod backups;
mod dashboard;
mod logs;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use pages::csrf;
use pages::error::error_pages;

use crate::OpsState;

/// Every operations page, wrapped in the page kit's layers.
pub fn router(state: OpsState) -> Router {
    Router::new()
        .route("/ops", get(dashboard::page))
        .route("/ops/live", get(dashboard::fragment))
        .route("/ops/alerts", get(alerts::page))
        .route("/ops/alerts/{id}/acknowledge", post(alerts::acknowledge))
        .route("/ops/backups", get(backups::page))
        .route("/ops/audit", get(audit::page))
        .route("/ops/audit/export", get(audit::export))
        .route("/ops/logs", get(logs::page))
        .route("/static/ops.js", get(ui::static_files::ops_js))
        .layer(DefaultBodyLimit::max(16 * 1024))
        .layer(from_fn_with_state(state.clone(), csrf::guard::<OpsState>))
        .layer(from_fn(error_pages))
        .with_state(state)
}
