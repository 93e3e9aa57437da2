//! Usage figures: customers by status, sign-ups and logins per day. Aggregates only, so viewing
//! them is not audited.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use pages::chrome::{Chrome, render};
use pages::error::{PageResult, html};
use platform::time_util::today_jst;
use ui::charts::{self, Caption, Drawings, Frame};

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
    signups_svg: Drawings,
    active_svg: Drawings,
}

/// A daily count drawn for wide screens and for phones, on whole-number ticks from zero.
fn counts_chart(id: &str, title: &str, description: &str, points: &[(String, i64)]) -> Drawings {
    let count = |v: i64| ui::format::grouped(v);
    let phone_id = format!("{id}-phone");
    let draw = |id: &str, frame: Frame| {
        charts::line_from_zero(
            &Caption {
                id,
                title,
                description,
            },
            frame,
            points,
            &count,
        )
    };
    Drawings {
        wide: draw(id, Frame::WIDE),
        phone: draw(&phone_id, Frame::PHONE),
    }
}

/// `GET /staff/usage`.
async fn page(State(state): State<BackOfficeState>, operator: Operator) -> PageResult {
    let c = operator.chrome();
    let counts = figures::customer_counts(&state.db).await?;
    let days = figures::daily(&state.db, today_jst(), DAYS).await?;
    let series = |pick: fn(&Day) -> i64| -> Vec<(String, i64)> {
        days.iter().map(|d| (c.date(d.date), pick(d))).collect()
    };
    let signups_total: i64 = days.iter().map(|d| d.signups).sum();
    let signups_svg = counts_chart(
        "signups",
        &c.t("usage-signups"),
        &c.tn("usage-signups-desc", signups_total),
        &series(|d| d.signups),
    );
    let busiest = days.iter().map(|d| d.active).max().unwrap_or(0);
    let active_svg = counts_chart(
        "active",
        &c.t("usage-active"),
        &c.tn("usage-active-desc", busiest),
        &series(|d| d.active),
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
