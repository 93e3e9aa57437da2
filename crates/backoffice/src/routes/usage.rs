//! Usage figures: customers by status, sign-ups and logins per day. Aggregates only, so viewing
//! them is not audited.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use pages::chrome::{Chrome, render};
use pages::error::{PageResult, html, internal};
use platform::time_util::today_jst;
use ui::charts::{self, Caption};

use crate::BackOfficeState;
use crate::figures::{self, CustomerCounts, Day};
use crate::operator::Operator;

/// How many days the daily series cover.
const DAYS: u16 = 30;

/// The usage page.
pub(crate) fn routes() -> Router<BackOfficeState> {
    Router::new().route("/staff/usage", get(page))
}

#[derive(Template)]
#[template(path = "backoffice_usage.html")]
struct UsagePage {
    c: Chrome,
    counts: CustomerCounts,
    days: Vec<Day>,
    signups_svg: String,
    active_svg: String,
}

/// `GET /staff/usage`.
async fn page(State(state): State<BackOfficeState>, operator: Operator) -> PageResult {
    let c = operator.chrome();
    let counts = figures::customer_counts(&state.db)
        .await
        .map_err(|e| internal(&e))?;
    let days = figures::daily(&state.db, today_jst(), DAYS)
        .await
        .map_err(|e| internal(&e))?;
    let series = |pick: fn(&Day) -> i64| -> Vec<(String, i64)> {
        days.iter().map(|d| (c.date(d.date), pick(d))).collect()
    };
    let signups_total: i64 = days.iter().map(|d| d.signups).sum();
    let count = |v: i64| ui::format::grouped(v);
    let signups_svg = charts::line_from_zero(
        &Caption {
            id: "signups",
            title: &c.t("usage-signups"),
            description: &c.tn("usage-signups-desc", signups_total),
        },
        charts::Frame::LINE,
        &series(|d| d.signups),
        &count,
    );
    let busiest = days.iter().map(|d| d.active).max().unwrap_or(0);
    let active_svg = charts::line_from_zero(
        &Caption {
            id: "active",
            title: &c.t("usage-active"),
            description: &c.tn("usage-active-desc", busiest),
        },
        charts::Frame::LINE,
        &series(|d| d.active),
        &count,
    );
    let page = UsagePage {
        counts,
        days,
        signups_svg,
        active_svg,
        c,
    };
    Ok(html(render(&page)?))
}
