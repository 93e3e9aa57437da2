//! Net worth now, over time (stacked by category), its change over a month and a year, and
//! each category's share of the assets, computed from the recorded history.

use std::collections::HashMap;

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
    stacked(history, period, today).net()
}

/// Net worth at each date of `period` up to `today`, split by category, by the same rule as
/// [`series`]. Drawn as stacked columns, a debt recorded today shows as a new layer below zero
/// instead of as a fall of everything the customer owns.
pub fn stacked(history: &[HistoryEntry], period: Period, today: Date) -> Stacked {
    Stacked::at(history, period.dates(today))
}

/// Signed totals per category (indexed like [`Category::ALL`]) at a set of dates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stacked {
    dates: Vec<Date>,
    totals: Vec<[i64; CATEGORIES]>,
    /// Whether anything was recorded on or before each date: a zero before the first entry
    /// means "no history", not "nothing owned".
    recorded: Vec<bool>,
}

/// How many categories there are.
const CATEGORIES: usize = Category::ALL.len();

/// One category's part of net worth at each date of a [`Stacked`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layer {
    /// Which category.
    pub category: Category,
    /// Its total at each date, negative for liabilities.
    pub values: Vec<i64>,
}

impl Stacked {
    /// Totals at `dates` (oldest first) from the recorded history.
    fn at(history: &[HistoryEntry], dates: Vec<Date>) -> Self {
        let mut entries: Vec<&HistoryEntry> = history.iter().collect();
        entries.sort_by_key(|e| (e.valuation_date, e.seq));
        let mut current: HashMap<AssetId, (usize, i64)> = HashMap::new();
        let mut running = [0i64; CATEGORIES];
        let mut next = entries.iter().peekable();
        let mut totals = Vec::with_capacity(dates.len());
        let mut recorded = Vec::with_capacity(dates.len());
        for date in &dates {
            while let Some(e) = next.next_if(|e| e.valuation_date <= *date) {
                let value = if e.deleted {
                    0
                } else {
                    e.category.signed(e.amount)
                };
                let slot = e.category.index();
                if let Some((old_slot, old)) = current.insert(e.asset, (slot, value)) {
                    running[old_slot] = running[old_slot].saturating_sub(old);
                }
                running[slot] = running[slot].saturating_add(value);
            }
            totals.push(running);
            recorded.push(next.len() < entries.len());
        }
        Stacked {
            dates,
            totals,
            recorded,
        }
    }

    /// Adds to `category` at each date what `amount_on` gives for it (with the category's
    /// sign); `None` means nothing was known on that date. The dashboard adds the linked bank
    /// account's end-of-day balance to deposits this way.
    pub fn add(&mut self, category: Category, amount_on: impl Fn(Date) -> Option<i64>) {
        let slot = category.index();
        for (i, date) in self.dates.iter().enumerate() {
            if let Some(amount) = amount_on(*date) {
                self.totals[i][slot] = self.totals[i][slot].saturating_add(category.signed(amount));
                self.recorded[i] = true;
            }
        }
    }

    /// The dates, oldest first.
    pub fn dates(&self) -> &[Date] {
        &self.dates
    }

    /// One layer per category in [`Category::ALL`] order, leaving out those that are zero at
    /// every date.
    pub fn layers(&self) -> Vec<Layer> {
        Category::ALL
            .into_iter()
            .enumerate()
            .map(|(slot, category)| Layer {
                category,
                values: self.totals.iter().map(|t| t[slot]).collect(),
            })
            .filter(|layer| layer.values.iter().any(|v| *v != 0))
            .collect()
    }

    /// Net worth at each date: the sum of the layers.
    pub fn net(&self) -> Vec<Point> {
        self.dates
            .iter()
            .zip(&self.totals)
            .map(|(date, t)| Point {
                date: *date,
                net: t.iter().fold(0i64, |sum, v| sum.saturating_add(*v)),
            })
            .collect()
    }
}

/// Net worth today beside the same day a month and a year earlier, built from the history
/// plus whatever the caller adds (the linked bank account) before asking for [`Changes`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comparison(Stacked);

/// How net worth moved since an earlier day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Change {
    /// The earlier day.
    pub since: Date,
    /// Net worth at the end of that day.
    pub then: i64,
    /// Net worth now minus net worth then.
    pub amount: i64,
    /// The change relative to then, in basis points (1/100 of a percent), rounded half away
    /// from zero; `None` when net worth then was zero or negative, where a ratio means nothing.
    pub basis_points: Option<i64>,
}

/// Net worth now and how it moved over a month and a year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Changes {
    /// Net worth at the end of today.
    pub now: i64,
    /// Against the same day last month (the month's last day when it is shorter); `None`
    /// when nothing had been recorded by then.
    pub month: Option<Change>,
    /// Against the same day last year (28 February for 29 February); `None` when nothing
    /// had been recorded by then.
    pub year: Option<Change>,
}

impl Comparison {
    /// Net worth from the history a year ago, a month ago and today.
    pub fn new(history: &[HistoryEntry], today: Date) -> Self {
        let dates = vec![year_earlier(today), month_earlier(today), today];
        Comparison(Stacked::at(history, dates))
    }

    /// Adds amounts to a category, as [`Stacked::add`].
    pub fn add(&mut self, category: Category, amount_on: impl Fn(Date) -> Option<i64>) {
        self.0.add(category, amount_on);
    }

    /// The changes over a month and a year.
    pub fn changes(&self) -> Changes {
        let net = self.0.net();
        let now = net.last().map_or(0, |p| p.net);
        let change = |i: usize| {
            let then = net.get(i)?;
            self.0
                .recorded
                .get(i)
                .copied()
                .unwrap_or(false)
                .then(|| Change {
                    since: then.date,
                    then: then.net,
                    amount: now.saturating_sub(then.net),
                    basis_points: basis_points(now, then.net),
                })
        };
        Changes {
            now,
            month: change(1),
            year: change(0),
        }
    }
}

/// `(now − then) / then` in basis points, rounded half away from zero; `None` unless
/// `then` is positive.
fn basis_points(now: i64, then: i64) -> Option<i64> {
    if then <= 0 {
        return None;
    }
    let (diff, then) = (i128::from(now) - i128::from(then), i128::from(then));
    let scaled = diff.abs() * 10_000;
    let rounded = (scaled + then / 2) / then;
    let signed = if diff < 0 { -rounded } else { rounded };
    Some(i64::try_from(signed).unwrap_or(if diff < 0 { i64::MIN } else { i64::MAX }))
}

/// The same day in the previous month, or that month's last day when it is shorter.
fn month_earlier(d: Date) -> Date {
    let (year, month) = match d.month() {
        Month::January => (d.year() - 1, Month::December),
        m => (d.year(), m.previous()),
    };
    same_day_in(d, year, month)
}

/// The same day a year earlier; 29 February becomes 28 February.
fn year_earlier(d: Date) -> Date {
    same_day_in(d, d.year() - 1, d.month())
}

/// `d`'s day of the month in `year`/`month`, capped at that month's length.
fn same_day_in(d: Date, year: i32, month: Month) -> Date {
    let day = d.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(d)
}

/// Current totals per category, which the caller may add to (the linked bank account's
/// balance joins deposits) before asking for each category's share.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CategoryTotals([i64; CATEGORIES]);

/// One asset category's total and share of all assets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Share {
    /// Which category.
    pub category: Category,
    /// Its total.
    pub amount: i64,
    /// Its share of all assets in basis points; the shares add up to exactly 10,000.
    pub basis_points: i64,
}

/// The allocation of assets, with liabilities apart.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shares {
    /// Asset categories with a positive total, in [`Category::ALL`] order so a category keeps
    /// its place between visits.
    pub assets: Vec<Share>,
    /// The sum of those totals.
    pub total_assets: i64,
    /// The total of liabilities (positive), not part of the shares.
    pub liabilities: i64,
}

impl CategoryTotals {
    /// Totals of the current holdings.
    pub fn of(assets: &[Asset]) -> Self {
        let mut totals = Self::default();
        for asset in assets {
            totals.add(asset.category, asset.amount.get());
        }
        totals
    }

    /// Adds an amount (positive, as recorded) to a category.
    pub fn add(&mut self, category: Category, amount: i64) {
        let slot = category.index();
        self.0[slot] = self.0[slot].saturating_add(amount);
    }

    /// Each asset category's share by largest-remainder rounding, so the shares add up to
    /// 10,000 basis points exactly; categories at zero or below are left out.
    pub fn shares(&self) -> Shares {
        let held: Vec<(Category, i64)> = Category::ALL
            .into_iter()
            .zip(self.0)
            .filter(|(c, v)| !c.is_liability() && *v > 0)
            .collect();
        let total: i128 = held.iter().map(|(_, v)| i128::from(*v)).sum();
        let mut quotas: Vec<(i64, i128)> = held
            .iter()
            .map(|(_, v)| {
                let scaled = i128::from(*v) * 10_000;
                (i64::try_from(scaled / total).unwrap_or(0), scaled % total)
            })
            .collect();
        let given: i64 = quotas.iter().map(|(q, _)| q).sum();
        let mut order: Vec<usize> = (0..quotas.len()).collect();
        order.sort_by_key(|i| std::cmp::Reverse(quotas[*i].1));
        for i in order
            .into_iter()
            .take(usize::try_from(10_000 - given).unwrap_or(0))
        {
            quotas[i].0 += 1;
        }
        Shares {
            assets: held
                .iter()
                .zip(quotas)
                .map(|((category, amount), (basis_points, _))| Share {
                    category: *category,
                    amount: *amount,
                    basis_points,
                })
                .collect(),
            total_assets: i64::try_from(total).unwrap_or(i64::MAX),
            liabilities: self.0[Category::Liabilities.index()],
        }
    }
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

    /// A year of month-end deposit and stock valuations up to `today`, then a mortgage
    /// recorded today.
    fn year_of_history_then_a_mortgage(today: Date) -> (Vec<HistoryEntry>, Vec<HistoryEntry>) {
        let (deposit, stock, mortgage) = (AssetId::new(), AssetId::new(), AssetId::new());
        let mut history = Vec::new();
        let mut seq = 0;
        let month_ends = Period::Month.dates(date!(2026 - 10 - 31));
        for (month, d) in (0i64..).zip(month_ends) {
            seq += 2;
            history.push(entry(
                seq - 1,
                deposit,
                Category::Deposits,
                3_000_000 + month * 100_000,
                d,
                false,
            ));
            history.push(entry(
                seq,
                stock,
                Category::Stocks,
                1_000_000 + month * 50_000,
                d,
                false,
            ));
        }
        let mut with_mortgage = history.clone();
        with_mortgage.push(entry(
            seq + 1,
            mortgage,
            Category::Liabilities,
            29_800_000,
            today,
            false,
        ));
        (history, with_mortgage)
    }

    #[test]
    fn a_debt_recorded_today_leaves_every_asset_layer_as_it_was() {
        let today = date!(2026 - 11 - 21);
        let (before, after) = year_of_history_then_a_mortgage(today);
        let old = stacked(&before, Period::Month, today);
        let new = stacked(&after, Period::Month, today);
        assert_eq!(old.dates(), new.dates());
        let old_layers = old.layers();
        let new_layers = new.layers();
        let categories: Vec<Category> = new_layers.iter().map(|l| l.category).collect();
        assert_eq!(
            categories,
            vec![Category::Deposits, Category::Stocks, Category::Liabilities]
        );
        assert_eq!(
            &new_layers[..2],
            &old_layers[..],
            "asset layers are untouched"
        );
        let last = new.dates().len() - 1;
        let assets_today: i64 = new_layers[..2].iter().map(|l| l.values[last]).sum();
        let assets_month_before: i64 = new_layers[..2].iter().map(|l| l.values[last - 1]).sum();
        assert!(
            assets_today >= assets_month_before,
            "assets today are not lowered"
        );
        assert!(assets_today > 0);
        let debt = &new_layers[2].values;
        assert_eq!(debt[last], -29_800_000);
        assert!(
            debt[..last].iter().all(|v| *v == 0),
            "the debt appears only today"
        );
        let net = new.net();
        assert_eq!(net[last].net, assets_today - 29_800_000);
        assert_eq!(&net[..last], &old.net()[..last]);
    }

    #[test]
    fn a_changed_category_moves_the_asset_between_layers() {
        let a = AssetId::new();
        let history = vec![
            entry(1, a, Category::Other, 500, date!(2026 - 01 - 10), false),
            entry(2, a, Category::Bonds, 700, date!(2026 - 02 - 10), false),
            entry(3, a, Category::Bonds, 0, date!(2026 - 03 - 10), true),
        ];
        let s = Stacked::at(
            &history,
            vec![
                date!(2026 - 01 - 31),
                date!(2026 - 02 - 28),
                date!(2026 - 03 - 31),
            ],
        );
        let layers = s.layers();
        assert_eq!(layers[0].category, Category::Bonds);
        assert_eq!(layers[0].values, vec![0, 700, 0]);
        assert_eq!(layers[1].category, Category::Other);
        assert_eq!(layers[1].values, vec![500, 0, 0]);
        let nets: Vec<i64> = s.net().iter().map(|p| p.net).collect();
        assert_eq!(nets, vec![500, 700, 0]);
    }

    #[test]
    fn added_amounts_join_their_category_layer() {
        let a = AssetId::new();
        let history = vec![entry(
            1,
            a,
            Category::Stocks,
            1_000,
            date!(2026 - 10 - 01),
            false,
        )];
        let mut s = stacked(&history, Period::Month, date!(2026 - 11 - 21));
        let bank = |d: Date| (d >= date!(2026 - 10 - 15)).then_some(250);
        s.add(Category::Deposits, bank);
        let layers = s.layers();
        assert_eq!(layers[0].category, Category::Deposits);
        assert_eq!(layers[0].values[10..], [250, 250]);
        assert!(layers[0].values[..10].iter().all(|v| *v == 0));
        assert_eq!(s.net().last().unwrap().net, 1_250);
        s.add(Category::Liabilities, |_| Some(100));
        assert_eq!(s.layers().last().unwrap().values[0], -100);
    }

    #[test]
    fn empty_history_has_no_layers() {
        let s = stacked(&[], Period::Year, date!(2026 - 11 - 21));
        assert!(s.layers().is_empty());
        assert!(s.net().iter().all(|p| p.net == 0));
        assert_eq!(s.dates().len(), 5);
    }

    #[test]
    fn earlier_days_clamp_to_shorter_months() {
        assert_eq!(month_earlier(date!(2026 - 03 - 31)), date!(2026 - 02 - 28));
        assert_eq!(month_earlier(date!(2028 - 03 - 31)), date!(2028 - 02 - 29));
        assert_eq!(month_earlier(date!(2026 - 01 - 15)), date!(2025 - 12 - 15));
        assert_eq!(month_earlier(date!(2026 - 05 - 31)), date!(2026 - 04 - 30));
        assert_eq!(year_earlier(date!(2028 - 02 - 29)), date!(2027 - 02 - 28));
        assert_eq!(year_earlier(date!(2026 - 11 - 21)), date!(2025 - 11 - 21));
    }

    #[test]
    fn changes_compare_with_the_end_of_the_same_day_earlier() {
        let a = AssetId::new();
        let history = vec![
            entry(
                1,
                a,
                Category::Deposits,
                1_000_000,
                date!(2025 - 03 - 31),
                false,
            ),
            entry(
                2,
                a,
                Category::Deposits,
                2_000_000,
                date!(2026 - 02 - 28),
                false,
            ),
            entry(
                3,
                a,
                Category::Deposits,
                1_900_000,
                date!(2026 - 03 - 01),
                false,
            ),
        ];
        let changes = Comparison::new(&history, date!(2026 - 03 - 31)).changes();
        assert_eq!(changes.now, 1_900_000);
        let month = changes.month.unwrap();
        assert_eq!(month.since, date!(2026 - 02 - 28));
        assert_eq!((month.then, month.amount), (2_000_000, -100_000));
        assert_eq!(month.basis_points, Some(-500));
        let year = changes.year.unwrap();
        assert_eq!(year.since, date!(2025 - 03 - 31));
        assert_eq!((year.amount, year.basis_points), (900_000, Some(9_000)));
    }

    #[test]
    fn a_new_customer_has_no_changes() {
        let a = AssetId::new();
        let today = date!(2026 - 11 - 21);
        let history = vec![entry(
            1,
            a,
            Category::Deposits,
            500,
            date!(2026 - 11 - 01),
            false,
        )];
        let changes = Comparison::new(&history, today).changes();
        assert_eq!(changes.now, 500);
        assert_eq!(changes.month, None);
        assert_eq!(changes.year, None);
        let nothing = Comparison::new(&[], today).changes();
        assert_eq!((nothing.now, nothing.month, nothing.year), (0, None, None));
    }

    #[test]
    fn changes_count_added_history_and_refuse_ratios_against_zero_or_less() {
        let loan = AssetId::new();
        let today = date!(2026 - 11 - 21);
        let history = vec![entry(
            1,
            loan,
            Category::Liabilities,
            1_000,
            date!(2026 - 01 - 01),
            false,
        )];
        let mut cmp = Comparison::new(&history, today);
        cmp.add(Category::Deposits, |d| {
            (d >= date!(2025 - 11 - 01)).then_some(3_000)
        });
        let changes = cmp.changes();
        assert_eq!(changes.now, 2_000);
        let year = changes.year.unwrap();
        assert_eq!(
            (year.then, year.amount, year.basis_points),
            (3_000, -1_000, Some(-3_333))
        );
        let month = changes.month.unwrap();
        assert_eq!((month.amount, month.basis_points), (0, Some(0)));
        assert_eq!(basis_points(5, 0), None);
        assert_eq!(basis_points(5, -10), None);
        assert_eq!(basis_points(3, 2), Some(5_000));
        assert_eq!(basis_points(2, 3), Some(-3_333));
        assert_eq!(basis_points(1, 3), Some(-6_667));
        assert_eq!(basis_points(i64::MAX, 1), Some(i64::MAX));
    }

    fn holding(category: Category, amount: i64) -> Asset {
        Asset {
            id: AssetId::new(),
            category,
            name: String::new(),
            institution: String::new(),
            amount: crate::Yen::from_stored(amount).unwrap(),
            valuation_date: date!(2026 - 11 - 01),
            note: String::new(),
            acquisition_cost: None,
            updated_at: 0,
        }
    }

    #[test]
    fn shares_add_up_to_exactly_ten_thousand_in_category_order() {
        let held = [
            holding(Category::Other, 1),
            holding(Category::Stocks, 1),
            holding(Category::Liabilities, 5_000),
            holding(Category::Bonds, 1),
            holding(Category::Insurance, 0),
        ];
        let mut totals = CategoryTotals::of(&held);
        let shares = totals.shares();
        let order: Vec<Category> = shares.assets.iter().map(|s| s.category).collect();
        assert_eq!(
            order,
            vec![Category::Stocks, Category::Bonds, Category::Other]
        );
        let bp: Vec<i64> = shares.assets.iter().map(|s| s.basis_points).collect();
        assert_eq!(
            bp,
            vec![3_334, 3_333, 3_333],
            "ties go to the earlier category"
        );
        assert_eq!((shares.total_assets, shares.liabilities), (3, 5_000));
        totals.add(Category::Deposits, 7);
        let shares = totals.shares();
        assert_eq!(shares.assets[0].category, Category::Deposits);
        let bp: Vec<i64> = shares.assets.iter().map(|s| s.basis_points).collect();
        assert_eq!(bp, vec![7_000, 1_000, 1_000, 1_000]);
    }

    #[test]
    fn largest_remainders_get_the_leftover_points() {
        let mut totals = CategoryTotals::default();
        totals.add(Category::Deposits, 66_666);
        totals.add(Category::Stocks, 16_667);
        totals.add(Category::Pension, 16_667);
        let shares = totals.shares();
        let bp: Vec<i64> = shares.assets.iter().map(|s| s.basis_points).collect();
        assert_eq!(
            bp,
            vec![6_666, 1_667, 1_667],
            "rounding each would give 10,001"
        );
        assert_eq!(bp.iter().sum::<i64>(), 10_000);
        let mut big = CategoryTotals::default();
        big.add(Category::RealEstate, i64::MAX);
        big.add(Category::CryptoAssets, i64::MAX);
        let bp: Vec<i64> = big.shares().assets.iter().map(|s| s.basis_points).collect();
        assert_eq!(bp, vec![5_000, 5_000]);
    }

    #[test]
    fn no_assets_means_no_shares() {
        let mut totals = CategoryTotals::of(&[holding(Category::Liabilities, 10)]);
        totals.add(Category::Deposits, -20);
        let shares = totals.shares();
        assert!(shares.assets.is_empty());
        assert_eq!((shares.total_assets, shares.liabilities), (0, 10));
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
