//! The application queue, the operators' work list: oldest first, filtered by state, owner and
//! age; each open case with its service-level clock on the bank's calendar (late ones marked);
//! new submissions marked and counted; "next case" hands the operator the oldest new one, and
//! opening one assigns it to the operator.

use std::collections::HashMap;

use applications::{NextCase, QueueFilter, QueueItem, Status};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect};
use pages::chrome::{Chrome, render};
use pages::csrf::{CsrfForm, NoFields};
use pages::error::{PageResult, WebError};
use platform::audit::{self, Event, Target};
use platform::business_calendar::Deadline;
use platform::i18n::Arg;
use platform::ids::{CustomerId, StaffId};
use platform::time_util::{now_unix, today_jst};
use serde::Deserialize;
use time::Date;

use crate::BackOfficeState;
use crate::operator::Operator;
use crate::routes::{StaffNames, parse_id, staff_error};

/// How many applications one queue page lists.
const PAGE_SIZE: i64 = 200;

/// Which part of the queue to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum View {
    Open,
    Mine,
    New,
    UnderReview,
    AwaitingSecond,
    Returned,
    Approved,
    Rejected,
    All,
}

impl View {
    const ALL: [View; 9] = [
        View::Open,
        View::Mine,
        View::New,
        View::UnderReview,
        View::AwaitingSecond,
        View::Returned,
        View::Approved,
        View::Rejected,
        View::All,
    ];

    fn code(self) -> &'static str {
        match self {
            View::Open => "open",
            View::Mine => "mine",
            View::New => "new",
            View::UnderReview => "under-review",
            View::AwaitingSecond => "awaiting-second",
            View::Returned => "returned",
            View::Approved => "approved",
            View::Rejected => "rejected",
            View::All => "all",
        }
    }

    fn filter(self, submitted_before: Option<i64>, me: StaffId) -> QueueFilter {
        let statuses = match self {
            View::Open | View::Mine | View::AwaitingSecond => {
                vec![Status::Submitted, Status::UnderReview]
            }
            View::New => vec![Status::Submitted],
            View::UnderReview => vec![Status::UnderReview],
            View::Returned => vec![Status::Returned],
            View::Approved => vec![Status::Approved],
            View::Rejected => vec![Status::Rejected],
            View::All => vec![
                Status::Submitted,
                Status::UnderReview,
                Status::Returned,
                Status::Approved,
                Status::Rejected,
            ],
        };
        QueueFilter {
            statuses,
            awaiting_second_approval: self == View::AwaitingSecond,
            assigned_to: (self == View::Mine).then_some(me),
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
    notice: String,
}

/// What "next case" may report back on the queue, each a message key suffix.
const NOTICES: [&str; 2] = ["none-waiting", "at-cap"];

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
    notice: Option<String>,
    /// The service-level target, for the heading of the clock column.
    target_days: u32,
    /// Each item's service-level clock: its text and whether it is late.
    clocks: Vec<(String, bool)>,
    /// Who each item is from.
    applicants: HashMap<CustomerId, Applicant>,
    /// The operator looking.
    me: StaffId,
}

/// Who an application is from, as the queue names them for a phone call.
struct Applicant {
    number: String,
    name: String,
    kana: String,
    age: i32,
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

    /// Waiting for an operator and nobody else's: a colleague's case is taken over from its
    /// review page, with a reason.
    fn can_open(&self, item: &QueueItem) -> bool {
        waits_for_operator(item) && item.assigned_to.is_none_or(|who| who == self.me)
    }

    fn applicant(&self, item: &QueueItem) -> Option<&Applicant> {
        self.applicants.get(&item.customer)
    }
}

/// Submitted or under review: the next step is an operator's.
fn waits_for_operator(item: &QueueItem) -> bool {
    matches!(item.status, Status::Submitted | Status::UnderReview)
}

/// Full years from `birth` to `today`; someone born on 29 February turns a year older on
/// 1 March in common years, as Japanese law counts it on the day before.
fn age_on(birth: Date, today: Date) -> i32 {
    let had_birthday =
        (u8::from(today.month()), today.day()) >= (u8::from(birth.month()), birth.day());
    today.year() - birth.year() - i32::from(!had_birthday)
}

/// Name, reading, customer number and age of each listed customer (the page's view of them is
/// audited with the row count, as the customer list's is); customers deleted since are left out
/// (their rows show a dash).
async fn applicants(
    state: &BackOfficeState,
    items: &[QueueItem],
) -> Result<HashMap<CustomerId, Applicant>, WebError> {
    let mut ids: Vec<CustomerId> = items.iter().map(|i| i.customer).collect();
    ids.sort_unstable();
    ids.dedup();
    let numbers = state.identity.customer_numbers(&ids).await?;
    let today = today_jst();
    let mut out = HashMap::with_capacity(ids.len());
    for id in ids {
        let Ok(profile) = state.identity.profile(id).await else {
            continue;
        };
        out.insert(
            id,
            Applicant {
                number: numbers
                    .get(&id)
                    .map_or_else(String::new, ToString::to_string),
                name: profile.name_kanji,
                kana: profile.name_kana,
                age: age_on(profile.birth_date, today),
            },
        );
    }
    Ok(out)
}

/// The service-level clock of one item as the queue shows it: "2営業日（12月9日まで）", "本日中",
/// "超過（12月8日）", and whether it is late or due today; only cases waiting for an operator
/// have one (not decided ones, nor those sent back to the customer).
fn clock(state: &BackOfficeState, item: &QueueItem, now: i64, c: &Chrome) -> (String, bool) {
    let Some(submitted) = item.submitted_at.filter(|_| waits_for_operator(item)) else {
        return ("-".to_owned(), false);
    };
    let work = &state.work;
    // The due moment is 24:00 at the end of the last day; the page names that day.
    let day = |due: i64| c.date(platform::time_util::to_jst(due - 1).date());
    match work
        .calendar
        .deadline(submitted, work.service_level_days, now)
    {
        Deadline::Ahead {
            due,
            business_days_left,
        } => (
            c.locale.t_args(
                "queue-due-ahead",
                &[
                    ("n", Arg::from(business_days_left)),
                    ("date", Arg::from(day(due))),
                ],
            ),
            false,
        ),
        Deadline::DueToday { .. } => (c.t("queue-due-today"), true),
        Deadline::Overdue { due } => (
            c.locale
                .t_args("queue-due-overdue", &[("date", Arg::from(day(due)))]),
            true,
        ),
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
        .queue(&view.filter(age.map(|days| now - days * 86_400), operator.session.id))
        .await?;
    let clocks = items.iter().map(|i| clock(&state, i, now, &c)).collect();
    let applicants = applicants(&state, &items).await?;
    let event = Event::success(
        operator.actor(),
        "application.queue_viewed",
        Target::customer_rows(items.len()),
    );
    audit::record(&state.db, &event, operator.meta()).await?;
    let notice = NOTICES
        .contains(&filters.notice.as_str())
        .then(|| c.t(&format!("queue-notice-{}", filters.notice)));
    let page = QueuePage {
        me: operator.session.id,
        applicants,
        clocks,
        notice,
        target_days: state.work.service_level_days,
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

/// `POST /staff/applications/{id}/open`: take an unassigned application and go to its review
/// (a colleague's is taken over from its review page, with a reason).
pub async fn open(
    State(state): State<BackOfficeState>,
    operator: Operator,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    let id = parse_id(&id)?;
    state
        .applications
        .open(id, operator.session.id, "", operator.meta())
        .await
        .map_err(staff_error)?;
    Ok(Redirect::to(&format!("/staff/applications/{id}")).into_response())
}

/// `POST /staff/applications/next`: take the oldest new application and go to its review.
pub async fn next(
    State(state): State<BackOfficeState>,
    operator: Operator,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    let taken = state
        .applications
        .take_next(
            operator.session.id,
            state.work.assignment_cap,
            operator.meta(),
        )
        .await
        .map_err(staff_error)?;
    let to = match taken {
        NextCase::Assigned(id) => format!("/staff/applications/{id}"),
        NextCase::NoneWaiting => "/staff/applications?notice=none-waiting".to_owned(),
        NextCase::AtCap => "/staff/applications?view=mine&notice=at-cap".to_owned(),
    };
    Ok(Redirect::to(&to).into_response())
}

#[cfg(test)]
mod tests {
    use super::age_on;
    use time::macros::date;

    #[test]
    fn ages_count_whole_years() {
        assert_eq!(age_on(date!(1990 - 12 - 08), date!(2026 - 12 - 07)), 35);
        assert_eq!(age_on(date!(1990 - 12 - 07), date!(2026 - 12 - 07)), 36);
        assert_eq!(age_on(date!(2004 - 02 - 29), date!(2026 - 02 - 28)), 21);
        assert_eq!(age_on(date!(2004 - 02 - 29), date!(2026 - 03 - 01)), 22);
    }
}
