//! The linked bank account of a premium customer: balance, recent transactions and the balance
//! over time (U8). Customers without the service see how to apply.

use applications::LinkedAccount;
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse};
use ui::charts::{self, Caption};

use crate::AppState;
use crate::visitor::Customer;
use pages::chrome::{Chrome, Plain, render};
use pages::error::PageResult;

/// Balance-chart points: one per week keeps the line readable on a phone.
const CHART_STEP_DAYS: usize = 7;

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    c: Chrome,
    linked: Option<LinkedAccount>,
    chart_svg: String,
}

impl AccountsPage {
    fn masked(&self, linked: &LinkedAccount) -> String {
        linked.account.account.masked(self.c.locale)
    }

    /// A transaction's amount with its sign written, so deposits and withdrawals read apart.
    fn signed(&self, amount: impl Plain<i64>) -> String {
        ui::format::yen_change(amount.plain(), self.c.locale)
    }
}

/// `GET /accounts`.
pub async fn page(State(state): State<AppState>, customer: Customer) -> PageResult {
    let c = customer.visitor.chrome();
    let linked = state.applications.linked_account(customer.id).await?;
    let chart_svg = linked.as_ref().map_or_else(String::new, |l| {
        let points: Vec<(String, i64)> = weekly(&l.history)
            .into_iter()
            .map(|(d, v)| (c.date(d), v))
            .collect();
        charts::line(
            &Caption {
                id: "balance",
                title: &c.t("accounts-balance-trend"),
                description: &c.t("accounts-balance-trend-desc"),
            },
            &points,
            &|v| ui::format::yen_compact(v, c.locale),
        )
    });
    let page = AccountsPage {
        c,
        linked,
        chart_svg,
    };
    Ok(Html(render(&page)?).into_response())
}

/// Every seventh day counted back from the last, so today's balance is always drawn.
fn weekly(history: &[(time::Date, i64)]) -> Vec<(time::Date, i64)> {
    let mut picked: Vec<(time::Date, i64)> = history
        .iter()
        .rev()
        .step_by(CHART_STEP_DAYS)
        .copied()
        .collect();
    picked.reverse();
    picked
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn weekly_points_end_on_the_last_day() {
        let start = time::macros::date!(2026 - 01 - 01);
        let history: Vec<(time::Date, i64)> = (0..15)
            .map(|i| (start + time::Duration::days(i), i))
            .collect();
        let picked = weekly(&history);
        assert_eq!(
            picked.iter().map(|p| p.1).collect::<Vec<_>>(),
            vec![0, 7, 14]
        );
        assert!(weekly(&[]).is_empty());
    }
}
