//! The dashboard: net worth, allocation by category and net worth over time, as charts with
//! the same figures in tables beside them. For premium customers the linked bank account's
//! balance joins the totals, the allocation and the curve.

use applications::{ApplicationError, LinkedAccount};
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
    bank_unavailable: bool,
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
    let mut points = series(&history, period, today_jst());
    let mut rows: Vec<(String, i64)> = allocation(&held)
        .into_iter()
        .map(|Allocation { category, amount }| (category.label(c.locale), amount))
        .collect();
    let mut totals = net_worth(&held);
    let (linked, bank_unavailable) = linked_account(&state, &customer).await?;
    if let Some(bank) = &linked {
        let balance = bank.balance.ledger;
        totals.assets = totals.assets.saturating_add(balance);
        totals.net = totals.net.saturating_add(balance);
        rows.insert(0, (c.t("dashboard-bank-deposit"), balance));
        for p in &mut points {
            p.net = p.net.saturating_add(balance_on(&bank.history, p.date));
        }
    }
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
        totals,
        empty: held.is_empty() && linked.is_none(),
        bank_unavailable,
        allocation: rows,
        allocation_svg,
        points,
        trend_svg,
        period: period.code(),
        c,
    };
    Ok(Html(render(&page)?).into_response())
}

/// The linked account for premium customers; when the core banking system does not answer,
/// the dashboard still shows the recorded assets and says the bank figures are missing.
async fn linked_account(
    state: &AppState,
    customer: &Customer,
) -> Result<(Option<LinkedAccount>, bool), pages::error::WebError> {
    match state.applications.linked_account(customer.id).await {
        Ok(linked) => Ok((linked, false)),
        Err(ApplicationError::Banking(e)) => {
            tracing::warn!(error = %e, "core banking did not answer for the dashboard");
            Ok((None, true))
        }
        Err(e) => Err(e.into()),
    }
}

/// The end-of-day balance on `date` (the last one recorded on or before it; 0 before the
/// account's history starts). `history` is oldest first.
fn balance_on(history: &[(time::Date, i64)], date: time::Date) -> i64 {
    let after = history.partition_point(|(d, _)| *d <= date);
    after.checked_sub(1).map_or(0, |i| history[i].1)
}

#[cfg(test)]
mod tests {
    use super::balance_on;
    use time::macros::date;

    #[test]
    fn balance_on_takes_the_last_known_day() {
        let history = [(date!(2026 - 01 - 01), 100), (date!(2026 - 01 - 05), 250)];
        assert_eq!(balance_on(&history, date!(2025 - 12 - 31)), 0);
        assert_eq!(balance_on(&history, date!(2026 - 01 - 01)), 100);
        assert_eq!(balance_on(&history, date!(2026 - 01 - 04)), 100);
        assert_eq!(balance_on(&history, date!(2026 - 02 - 01)), 250);
    }
}
