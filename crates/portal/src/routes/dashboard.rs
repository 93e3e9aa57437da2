//! The dashboard: net worth, allocation by category and net worth over time, as charts with
//! the same figures in tables beside them.

use askama::Template;
use assets::{Allocation, NetWorth, Period, Point, allocation, net_worth, series};
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse};
use platform::time_util::today_jst;
use serde::Deserialize;
use ui::charts::{self, Caption};

use crate::AppState;
use crate::visitor::Customer;
use pages::chrome::{Chrome, render};
use pages::error::PageResult;

/// Which chart period to show.
#[derive(Deserialize)]
pub struct View {
    view: Option<String>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    c: Chrome,
    totals: NetWorth,
    allocation: Vec<(String, i64)>,
    allocation_svg: String,
    points: Vec<Point>,
    trend_svg: String,
    period: &'static str,
    empty: bool,
}

/// `GET /dashboard?view=day|month|year`.
pub async fn page(
    State(state): State<AppState>,
    customer: Customer,
    Query(view): Query<View>,
) -> PageResult {
    let c = customer.visitor.chrome();
    let held = state.assets.list(customer.id).await?;
    let history = state.assets.history(customer.id).await?;
    let period = Period::from_query(view.view.as_deref());
    let points = series(&history, period, today_jst());
    let rows: Vec<(String, i64)> = allocation(&held)
        .into_iter()
        .map(|Allocation { category, amount }| (category.label(c.locale), amount))
        .collect();
    let bars: Vec<(String, i64, String)> = rows
        .iter()
        .map(|(l, v)| (l.clone(), *v, c.yen(v)))
        .collect();
    let allocation_svg = charts::bars(
        &Caption {
            id: "allocation",
            title: &c.t("dashboard-allocation"),
            description: &c.t("dashboard-allocation-desc"),
        },
        &bars,
    );
    let labels: Vec<(String, i64)> = points.iter().map(|p| (c.date(p.date), p.net)).collect();
    let trend_svg = charts::line(
        &Caption {
            id: "trend",
            title: &c.t("dashboard-trend"),
            description: &c.t("dashboard-trend-desc"),
        },
        &labels,
    );
    let page = DashboardPage {
        totals: net_worth(&held),
        empty: held.is_empty(),
        allocation: rows,
        allocation_svg,
        points,
        trend_svg,
        period: period.code(),
        c,
    };
    Ok(Html(render(&page)?).into_response())
}
