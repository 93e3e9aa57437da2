//! The home page after login: net worth with its change over a month and a year, the
//! allocation as a donut with each category's share (liabilities apart), and net worth over
//! time as columns stacked by category, each chart with its figures beside it. For premium
//! customers the linked bank account's balance joins 預金 everywhere.

use applications::{ApplicationError, LinkedAccount};
use askama::Template;
use assets::{Category, CategoryTotals, Change, Comparison, Period, Stacked, net_worth, stacked};
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse};
use platform::i18n::{Arg, Locale};
use platform::time_util::today_jst;
use serde::Deserialize;
use time::Date;
use ui::charts::{self, Caption, Drawings, Frame, Layer, Slice};

use crate::AppState;
use crate::visitor::Customer;
use pages::chrome::{Chrome, render};
use pages::error::PageResult;

/// Which chart period to show.
#[derive(Deserialize)]
pub struct View {
    view: Option<String>,
}

/// One line of a legend: colour, name, amount and share.
struct LegendItem {
    colour: &'static str,
    label: String,
    amount: String,
    share: String,
    /// 預金, where the linked account's balance is counted.
    deposits: bool,
}

/// The linked account's part of 預金, shown under that line of the allocation.
struct BankPart {
    label: String,
    amount: String,
}

/// 先月比 or 前年比, formatted.
struct ChangeView {
    label: String,
    amount: String,
    percent: Option<String>,
}

/// One date of the history table.
struct TrendRow {
    date: String,
    assets: String,
    liabilities: String,
    net: String,
}

/// Totals at the top of the page.
struct Totals {
    net: i64,
    assets: i64,
    liabilities: i64,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    c: Chrome,
    totals: Totals,
    changes: Vec<ChangeView>,
    as_of: String,
    allocation: AllocationView,
    bank_part: Option<BankPart>,
    layers: Vec<LegendItem>,
    trend_rows: Vec<TrendRow>,
    trend_svg: Drawings,
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
    let today = today_jst();
    let held = state.assets.list(customer.id).await?;
    let history = state.assets.history(customer.id).await?;
    let period = Period::from_query(view.view.as_deref());
    let mut trend = stacked(&history, period, today);
    let mut comparison = Comparison::new(&history, today);
    let mut totals = CategoryTotals::of(&held);
    let (linked, bank_unavailable) = linked_account(&state, &customer).await?;
    if let Some(bank) = &linked {
        let on = |d: Date| balance_on(&bank.history, d);
        trend.add(Category::Deposits, on);
        comparison.add(Category::Deposits, on);
        totals.add(Category::Deposits, bank.balance.ledger);
    }
    let worth = net_worth(&held);
    let bank = linked.as_ref().map_or(0, |b| b.balance.ledger);
    let locale = c.locale;
    let changes = comparison.changes();
    let page = DashboardPage {
        totals: Totals {
            net: worth.net.saturating_add(bank),
            assets: worth.assets.saturating_add(bank),
            liabilities: -worth.liabilities,
        },
        changes: [
            ("dashboard-change-month", changes.month),
            ("dashboard-change-year", changes.year),
        ]
        .into_iter()
        .filter_map(|(key, ch)| ch.map(|ch| change_view(&c, key, ch)))
        .collect(),
        as_of: locale.t_args(
            "dashboard-as-of",
            &[("date", Arg::from(ui::format::date(today, locale)))],
        ),
        empty: held.is_empty() && linked.is_none(),
        bank_unavailable,
        allocation: allocation(&c, &totals),
        bank_part: linked.as_ref().map(|b| BankPart {
            label: c.t("dashboard-bank-deposit"),
            amount: c.yen(b.balance.ledger),
        }),
        layers: layer_legend(&trend, locale),
        trend_rows: trend_rows(&trend, locale),
        trend_svg: trend_chart(&c, &trend, period),
        period: period.code(),
        c,
    };
    Ok(Html(render(&page)?).into_response())
}

fn change_view(c: &Chrome, key: &str, ch: Change) -> ChangeView {
    ChangeView {
        label: c.t(key),
        amount: ui::format::yen_change(ch.amount, c.locale),
        percent: ch.basis_points.map(ui::format::percent_change),
    }
}

/// The donut, its legend with shares, and liabilities apart.
struct AllocationView {
    slices: Vec<LegendItem>,
    liabilities: Option<LegendItem>,
    svg: String,
}

fn allocation(c: &Chrome, totals: &CategoryTotals) -> AllocationView {
    let shares = totals.shares();
    let locale = c.locale;
    let slices: Vec<Slice<'_>> = shares
        .assets
        .iter()
        .map(|s| Slice {
            colour: charts::category_colour(s.category.index()),
            value: s.amount,
        })
        .collect();
    let svg = charts::donut(
        &Caption {
            id: "allocation",
            title: &c.t("dashboard-allocation"),
            description: &c.t("dashboard-allocation-desc"),
        },
        &slices,
        &[
            c.t("dashboard-assets"),
            ui::format::yen_compact(shares.total_assets, locale),
        ],
    );
    AllocationView {
        slices: shares
            .assets
            .iter()
            .map(|s| LegendItem {
                colour: charts::category_colour(s.category.index()),
                label: s.category.label(locale),
                amount: ui::format::yen(s.amount, locale),
                share: share_text(s.basis_points),
                deposits: s.category == Category::Deposits,
            })
            .collect(),
        liabilities: (shares.liabilities > 0).then(|| LegendItem {
            colour: charts::category_colour(Category::Liabilities.index()),
            label: Category::Liabilities.label(locale),
            amount: ui::format::yen(-shares.liabilities, locale),
            share: String::new(),
            deposits: false,
        }),
        svg,
    }
}

/// A share of all assets with one decimal: `12.3%` (halves round up).
fn share_text(basis_points: i64) -> String {
    let tenths = (basis_points.max(0) + 5) / 10;
    format!("{}.{}%", tenths / 10, tenths % 10)
}

/// The legend of the history chart: one entry per category drawn.
fn layer_legend(trend: &Stacked, locale: Locale) -> Vec<LegendItem> {
    trend
        .layers()
        .iter()
        .map(|l| LegendItem {
            colour: charts::category_colour(l.category.index()),
            label: l.category.label(locale),
            amount: String::new(),
            share: String::new(),
            deposits: false,
        })
        .collect()
}

/// Columns stacked by category over the period, with net worth as a line: drawn twice, for
/// wide screens and for phones, and the page shows the one that fits.
fn trend_chart(c: &Chrome, trend: &Stacked, period: Period) -> Drawings {
    let locale = c.locale;
    let layers = trend.layers();
    let dates: Vec<String> = trend
        .dates()
        .iter()
        .map(|d| axis_date(*d, period, locale))
        .collect();
    let drawn: Vec<Layer<'_>> = layers
        .iter()
        .map(|l| Layer {
            colour: charts::category_colour(l.category.index()),
            values: &l.values,
        })
        .collect();
    let title = c.t("dashboard-trend");
    let description = c.t("dashboard-trend-desc");
    let draw = |id: &str, frame: Frame| {
        charts::stacked_columns(
            &Caption {
                id,
                title: &title,
                description: &description,
            },
            frame,
            &dates,
            &drawn,
            &|v| ui::format::yen_compact(v, locale),
        )
    };
    Drawings {
        wide: draw("trend", Frame::WIDE),
        phone: draw("trend-phone", Frame::PHONE),
    }
}

/// A date as short as the period allows on the axis: `12/7`, `2026/12`, `2026年`.
fn axis_date(d: Date, period: Period, locale: Locale) -> String {
    let month = u8::from(d.month());
    match (period, locale) {
        (Period::Day, Locale::Ja) => format!("{month}/{}", d.day()),
        (Period::Day, Locale::En) => format!("{} {}", d.day(), &d.month().to_string()[..3]),
        (Period::Month, Locale::Ja) => format!("{}/{month}", d.year()),
        (Period::Month, Locale::En) => format!("{} {}", &d.month().to_string()[..3], d.year()),
        (Period::Year, Locale::Ja) => format!("{}年", d.year()),
        (Period::Year, Locale::En) => d.year().to_string(),
    }
}

/// The figures of the chart, newest first: assets, liabilities and net worth per date.
fn trend_rows(trend: &Stacked, locale: Locale) -> Vec<TrendRow> {
    let layers = trend.layers();
    let mut rows: Vec<TrendRow> = trend
        .dates()
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let (owned, owed) = layers.iter().fold((0i64, 0i64), |(a, l), layer| {
                let v = layer.values[i];
                if v < 0 {
                    (a, l.saturating_add(v))
                } else {
                    (a.saturating_add(v), l)
                }
            });
            TrendRow {
                date: ui::format::date(*d, locale),
                assets: ui::format::yen(owned, locale),
                liabilities: ui::format::yen(owed, locale),
                net: ui::format::yen(owned.saturating_add(owed), locale),
            }
        })
        .collect();
    rows.reverse();
    rows
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

/// The end-of-day balance on `date` (the last one recorded on or before it); `None` before
/// the account's history starts. `history` is oldest first.
fn balance_on(history: &[(Date, i64)], date: Date) -> Option<i64> {
    let after = history.partition_point(|(d, _)| *d <= date);
    after.checked_sub(1).map(|i| history[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn balance_on_takes_the_last_known_day() {
        let history = [(date!(2026 - 01 - 01), 100), (date!(2026 - 01 - 05), 250)];
        assert_eq!(balance_on(&history, date!(2025 - 12 - 31)), None);
        assert_eq!(balance_on(&history, date!(2026 - 01 - 01)), Some(100));
        assert_eq!(balance_on(&history, date!(2026 - 01 - 04)), Some(100));
        assert_eq!(balance_on(&history, date!(2026 - 02 - 01)), Some(250));
    }

    #[test]
    fn shares_read_with_one_decimal() {
        assert_eq!(share_text(10_000), "100.0%");
        assert_eq!(share_text(1_234), "12.3%");
        assert_eq!(share_text(1_235), "12.4%");
        assert_eq!(share_text(4), "0.0%");
    }

    #[test]
    fn axis_dates_are_short() {
        let d = date!(2026 - 12 - 07);
        assert_eq!(axis_date(d, Period::Day, Locale::Ja), "12/7");
        assert_eq!(axis_date(d, Period::Month, Locale::Ja), "2026/12");
        assert_eq!(axis_date(d, Period::Year, Locale::Ja), "2026年");
        assert_eq!(axis_date(d, Period::Month, Locale::En), "Dec 2026");
    }
}
