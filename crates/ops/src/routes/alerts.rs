//! The alert list (A2, A3): open alerts first, or the whole history, with acknowledgement.
//! Acknowledging stops reminders and is audited with the administrator's ID.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect};
use pages::chrome::{Chrome, render};
use pages::csrf::{CsrfForm, NoFields};
use pages::error::{PageResult, WebError};
use platform::time_util::now_unix;
use serde::Deserialize;

use crate::OpsState;
use crate::admin::Admin;
use crate::alerts::incidents::{self, AckError, Alert, Show, State as AlertState};
use crate::alerts::notify::describe;

/// Alerts per page.
const PAGE: i64 = 50;

/// `?show=all&before=…&done=…`.
#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    show: Option<String>,
    before: Option<i64>,
    done: Option<String>,
}

struct AlertView {
    id: String,
    kind: &'static str,
    state: &'static str,
    title: String,
    detail: String,
    subject: String,
    started: String,
    resolved: String,
    acknowledged: String,
    can_ack: bool,
}

#[derive(Template)]
#[template(path = "ops_alerts.html")]
struct AlertsPage {
    c: Chrome,
    alerts: Vec<AlertView>,
    all: bool,
    next: Option<i64>,
    notice: Option<String>,
}

fn view(c: &Chrome, a: &Alert) -> AlertView {
    let (title, detail) = describe(c.locale, a);
    AlertView {
        id: a.id.clone(),
        kind: a.kind.code(),
        state: a.state.code(),
        title,
        detail,
        subject: a.subject.clone(),
        started: c.timestamp(a.started_at),
        resolved: a.resolved_at.map(|t| c.timestamp(t)).unwrap_or_default(),
        acknowledged: a
            .acknowledged_at
            .map(|t| c.timestamp(t))
            .unwrap_or_default(),
        can_ack: a.acknowledged_at.is_none() && a.state != AlertState::Resolved,
    }
}

/// `GET /ops/alerts`.
pub(crate) async fn page(
    State(state): State<OpsState>,
    admin: Admin,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let c = admin.chrome();
    let show = if q.show.as_deref() == Some("all") {
        Show::All
    } else {
        Show::Open
    };
    let found = incidents::list(&state.db, show, q.before, PAGE + 1).await?;
    let next = (found.len() as i64 > PAGE)
        .then(|| found.get(PAGE as usize - 1).map(|a| a.started_at))
        .flatten();
    let notice = match q.done.as_deref() {
        Some("acknowledged") => Some(c.t("ops-alert-acknowledged")),
        Some("settled") => Some(c.t("ops-alert-settled")),
        _ => None,
    };
    let page = AlertsPage {
        alerts: found
            .iter()
            .take(PAGE as usize)
            .map(|a| view(&c, a))
            .collect(),
        all: show == Show::All,
        next,
        notice,
        c,
    };
    Ok(Html(render(&page)?).into_response())
}

/// `POST /ops/alerts/{id}/acknowledge`.
pub(crate) async fn acknowledge(
    State(state): State<OpsState>,
    admin: Admin,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(WebError::NotFound);
    }
    let done = match incidents::acknowledge(&state.db, &id, admin.actor(), admin.meta(), now_unix())
        .await
    {
        Ok(()) => "acknowledged",
        Err(AckError::Settled) => "settled",
        Err(AckError::NotFound) => return Err(WebError::NotFound),
        Err(AckError::Db(e)) => return Err(e.into()),
    };
    Ok(Redirect::to(&format!("/ops/alerts?done={done}")).into_response())
}
