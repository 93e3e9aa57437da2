//! Recent warning and error events of every process (A4), each with its request ID linked to
//! the audit entries of the same request.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse};
use pages::chrome::{Chrome, render};
use pages::error::PageResult;
use serde::Deserialize;

use crate::OpsState;
use crate::admin::Admin;
use crate::logs::{self, Stored};

/// Events shown.
const LIMIT: i64 = 200;

/// `?level=all`.
#[derive(Deserialize)]
pub(crate) struct LevelQuery {
    level: Option<String>,
}

struct EventView {
    at: String,
    event: Stored,
}

#[derive(Template)]
#[template(path = "ops_logs.html")]
struct LogsPage {
    c: Chrome,
    events: Vec<EventView>,
    all: bool,
}

/// `GET /ops/logs`.
pub(crate) async fn page(
    State(state): State<OpsState>,
    admin: Admin,
    Query(q): Query<LevelQuery>,
) -> PageResult {
    let c = admin.chrome();
    let all = q.level.as_deref() == Some("all");
    let events = logs::recent(&state.db, !all, LIMIT)
        .await?
        .into_iter()
        .map(|event| EventView {
            at: c.timestamp(event.at_ms / 1000),
            event,
        })
        .collect();
    Ok(Html(render(&LogsPage { c, events, all })?).into_response())
}
