//! Net worth now, by category, and over time, computed from the recorded history.

use std::collections::{BTreeMap, HashMap};

use platform::ids::AssetId;
use time::{Date, Duration, Month};

use crate::{Asset, Category, HistoryEntry};

/// Totals of the current holdings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NetWorth {
    /// Sum of everything but liabilities.
    pub assets: i64,
    /// Sum of liabilities.
    pub liabilities: i64,
    /// Assets minus liabilities.
    pub net: i64,
}

/// Current net worth.
pub fn net_worth(assets: &[Asset]) -> NetWorth {
    let (mut a, mut l) = (0i64, 0i64);
    for asset in assets {
        if asset.category.is_liability() {
            l = l.saturating_add(asset.amount.get());
        } else {
            a = a.saturating_add(asset.amount.get());
        }
    }
    NetWorth {
        assets: a,
        liabilities: l,
        net: a.saturating_sub(l),
    }
}

/// One category's share of the holdings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allocation {
    /// Which category.
    pub category: Category,
    /// Its total.
    pub amount: i64,
}

/// Totals per category, largest first, empty categories left out; liabilities last.
pub fn allocation(assets: &[Asset]) -> Vec<Allocation> {
    let mut totals: BTreeMap<Category, i64> = BTreeMap::new();
    for asset in assets {
        let total = totals.entry(asset.category).or_default();
        *total = total.saturating_add(asset.amount.get());
    }
    let mut out: Vec<Allocation> = totals
        .into_iter()
        .filter(|(_, v)| *v > 0)
        .map(|(category, amount)| Allocation { category, amount })
        .collect();
    out.sort_by_key(|a| (a.category.is_liability(), std::cmp::Reverse(a.amount)));
    out
}

/// The spacing of points on the net-worth chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    /// The last 30 days, one point a day.
    Day,
    /// The last 12 months, one point per month end.
    Month,
    /// The last 5 years, one point per year end.
    Year,
}

impl Period {
    /// Parses the query-string value, defaulting to months.
    pub fn from_query(s: Option<&str>) -> Self {
        match s {
            Some("day") => Period::Day,
            Some("year") => Period::Year,
            _ => Period::Month,
        }
    }

    /// The query-string value.
    pub fn code(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Month => "month",
            Period::Year => "year",
        }
    }

    fn dates(self, today: Date) -> Vec<Date> {
        let mut dates = match self {
            Period::Day => (0..30)
                .map(|i| today - Duration::days(i))
                .collect::<Vec<_>>(),
            Period::Month => {
                let mut v = vec![today];
                let mut d = today.replace_day(1).unwrap_or(today) - Duration::days(1);
                for _ in 0..11 {
                    v.push(d);
                    d = d.replace_day(1).unwrap_or(d) - Duration::days(1);
                }
                v
            }
            Period::Year => {
                let mut v = vec![today];
                for back in 1..5 {
                    if let Ok(d) =
                        Date::from_calendar_date(today.year() - back, Month::December, 31)
                    {
                        v.push(d);
                    }
                }
                v
            }
        };
        dates.reverse();
        dates
    }
}

/// A point of the net-worth curve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Point {
    /// The day.
    pub date: Date,
    /// Net worth at the end of that day.
    pub net: i64,
}

/// Net worth at each date of `period` up to `today`: for every asset, its latest recorded
/// value dated on or before that day (nothing once deleted), liabilities subtracted.
pub fn series(history: &[HistoryEntry], period: Period, today: Date) -> Vec<Point> {
    let mut entries: Vec<&HistoryEntry> = history.iter().collect();
    entries.sort_by_key(|e| (e.valuation_date, e.seq));
    let mut current: HashMap<AssetId, i64> = HashMap::new();
    let mut next = entries.iter().peekable();
    let mut net = 0i64;
    period
        .dates(today)
        .into_iter()
        .map(|date| {
            while let Some(e) = next.next_if(|e| e.valuation_date <= date) {
                let value = if e.deleted {
                    0
                } else {
                    e.category.signed(e.amount)
                };
                let old = current.insert(e.asset, value).unwrap_or(0);
                net = net.saturating_sub(old).saturating_add(value);
            }
            Point { date, net }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn entry(
        seq: i64,
        asset: AssetId,
        category: Category,
        amount: i64,
        d: Date,
        deleted: bool,
    ) -> HistoryEntry {
        HistoryEntry {
            seq,
            asset,
            category,
            amount,
            valuation_date: d,
            deleted,
        }
    }

    #[test]
    fn series_follows_updates_deletions_and_liabilities() {
        let (a, b, loan) = (AssetId::new(), AssetId::new(), AssetId::new());
        let history = vec![
            entry(
                1,
                a,
                Category::Deposits,
                1_000_000,
                date!(2026 - 01 - 15),
                false,
            ),
            entry(
                2,
                loan,
                Category::Liabilities,
                300_000,
                date!(2026 - 03 - 01),
                false,
            ),
            entry(
                3,
                a,
                Category::Deposits,
                1_500_000,
                date!(2026 - 06 - 10),
                false,
            ),
            entry(
                4,
                b,
                Category::Stocks,
                200_000,
                date!(2026 - 06 - 20),
                false,
            ),
            entry(5, b, Category::Stocks, 0, date!(2026 - 09 - 01), true),
        ];
        let points = series(&history, Period::Month, date!(2026 - 11 - 21));
        assert_eq!(points.len(), 12);
        let at = |d: Date| points.iter().find(|p| p.date == d).unwrap().net;
        assert_eq!(points[0].date, date!(2025 - 12 - 31));
        assert_eq!(at(date!(2025 - 12 - 31)), 0);
        assert_eq!(at(date!(2026 - 01 - 31)), 1_000_000);
        assert_eq!(at(date!(2026 - 03 - 31)), 700_000);
        assert_eq!(at(date!(2026 - 06 - 30)), 1_400_000);
        assert_eq!(at(date!(2026 - 09 - 30)), 1_200_000);
        assert_eq!(points.last().unwrap().date, date!(2026 - 11 - 21));
    }

    #[test]
    fn periods_have_the_expected_points() {
        let today = date!(2026 - 03 - 31);
        let days = Period::Day.dates(today);
        assert_eq!(
            (days.len(), days[0], days[29]),
            (30, date!(2026 - 03 - 02), today)
        );
        let months = Period::Month.dates(today);
        assert_eq!(months[10], date!(2026 - 02 - 28));
        let years = Period::Year.dates(today);
        assert_eq!(
            years,
            vec![
                date!(2022 - 12 - 31),
                date!(2023 - 12 - 31),
                date!(2024 - 12 - 31),
                date!(2025 - 12 - 31),
                today
            ]
        );
    }
}
