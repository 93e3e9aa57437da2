//! The application queue: oldest first, filtered by state and age, new submissions marked and
//! counted; opening one assigns it to the operator.

use applications::{QueueFilter, QueueItem, Status};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect};
use pages::chrome::{Chrome, render};
use pages::csrf::{CsrfForm, NoFields};
use pages::error::PageResult;
use platform::time_util::now_unix;
use serde::Deserialize;

use crate::BackOfficeState;
use crate::operator::Operator;
use crate::routes::{StaffNames, parse_id, staff_error};

/// How many applications one queue page lists.
const PAGE_SIZE: i64 = 200;

/// Which part of the queue to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum View {
    Open,
    New,
    UnderReview,
    AwaitingSecond,
    Approved,
    Rejected,
    All,
}

impl View {
    const ALL: [View; 7] = [
        View::Open,
        View::New,
        View::UnderReview,
        View::AwaitingSecond,
        View::Approved,
        View::Rejected,
        View::All,
    ];

    fn code(self) -> &'static str {
        match self {
            View::Open => "open",
            View::New => "new",
            View::UnderReview => "under-review",
            View::AwaitingSecond => "awaiting-second",
            View::Approved => "approved",
            View::Rejected => "rejected",
            View::All => "all",
        }
    }

    fn filter(self, submitted_before: Option<i64>) -> QueueFilter {
        let statuses = match self {
            View::Open | View::AwaitingSecond => vec![Status::Submitted, Status::UnderReview],
            View::New => vec![Status::Submitted],
            View::UnderReview => vec![Status::UnderReview],
            View::Approved => vec![Status::Approved],
            View::Rejected => vec![Status::Rejected],
            View::All => vec![
                Status::Submitted,
                Status::UnderReview,
                Status::Approved,
                Status::Rejected,
            ],
        };
        QueueFilter {
            statuses,
            awaiting_second_approval: self == View::AwaitingSecond,
            submitted_before,
            limit: PAGE_SIZE,
        }
    }
}

/// Ages the queue can be narrowed to, in days.
const AGES: [i64; 3] = [1, 3, 7];

/// The queue's filters, as the form sends them.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct Filters {
    view: String,
    age: String,
}

#[derive(Template)]
#[template(path = "backoffice_queue.html")]
struct QueuePage {
    c: Chrome,
    items: Vec<QueueItem>,
    names: StaffNames,
    views: Vec<(&'static str, String)>,
    view: &'static str,
    ages: Vec<(String, String)>,
    age: String,
    now: i64,
    error: Option<String>,
}

impl QueuePage {
    fn status(&self, item: &QueueItem) -> String {
        if item.proposed_by.is_some() && !item.status.is_decided() {
            return self.c.t("queue-awaiting-second");
        }
        item.status.label(self.c.locale)
    }

    fn is_new(&self, item: &QueueItem) -> bool {
        item.status == Status::Submitted && item.assigned_to.is_none()
    }

    fn days_waiting(&self, item: &QueueItem) -> i64 {
        item.submitted_at
            .map_or(0, |at| (self.now - at).max(0) / 86_400)
    }

    fn assignee(&self, item: &QueueItem) -> String {
        item.assigned_to
            .map_or_else(|| "-".to_owned(), |id| self.names.get(id, &self.c))
    }

    fn can_open(&self, item: &QueueItem) -> bool {
        !item.status.is_decided()
    }
}

/// `GET /staff/applications`.
pub async fn page(
    State(state): State<BackOfficeState>,
    operator: Operator,
    Query(filters): Query<Filters>,
) -> PageResult {
    let c = operator.chrome();
    let view = if filters.view.is_empty() {
        Some(View::Open)
    } else {
        View::ALL.into_iter().find(|v| v.code() == filters.view)
    };
    let age = match filters.age.as_str() {
        "" => Some(None),
        raw => raw
            .parse::<i64>()
            .ok()
            .filter(|d| AGES.contains(d))
            .map(Some),
    };
    let error = (view.is_none() || age.is_none()).then(|| c.t("queue-filter-invalid"));
    let view = view.unwrap_or(View::Open);
    let age = age.flatten();
    let now = now_unix();
    let items = state
        .applications
        .queue(&view.filter(age.map(|days| now - days * 86_400)))
        .await?;
    let page = QueuePage {
        names: StaffNames::load(&state).await?,
        views: View::ALL
            .iter()
            .map(|v| (v.code(), c.t(&format!("queue-view-{}", v.code()))))
            .collect(),
        view: view.code(),
        ages: AGES
            .iter()
            .map(|d| (d.to_string(), c.tn("queue-age-days", *d)))
            .collect(),
        age: age.map(|d| d.to_string()).unwrap_or_default(),
        now,
        items,
        error,
        c,
    };
    Ok(Html(render(&page)?).into_response())
}

/// `POST /staff/applications/{id}/open`: take the application and go to its review.
pub async fn open(
    State(state): State<BackOfficeState>,
    operator: Operator,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    let id = parse_id(&id)?;
    state
        .applications
        .open(id, operator.session.id, operator.meta())
        .await
        .map_err(staff_error)?;
    Ok(Redirect::to(&format!("/staff/applications/{id}")).into_response())
}
