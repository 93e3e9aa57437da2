//! The sandbox core banking system: the stand-in used for demos and tests until the bank's
//! connector to the core banking system exists (requirements in `docs/core-banking.md`). It holds
//! no real data and calls nothing: every figure is made up.
//!
//! It knows every well-formed account, since there is no directory to check against, except
//! account numbers starting with [`NOT_FOUND_PREFIX`] (`9999`), which it answers as unknown so
//! that path can be exercised. Each account's data is derived from a SHA-256 of its branch, type
//! and number: the same account gives the same data on every run and every machine, different
//! accounts differ. A ledger is generated month by month from the account's opening (2010–2021)
//! up to today on the Japanese calendar: a monthly salary (paid on the business day before payday),
//! bonuses in June and December, rent by transfer with its fee, electricity, gas and water by
//! direct debit (higher in winter and summer), card payments, ATM withdrawals, transfers from
//! family and to friends, and half-yearly interest after 20.315 % tax on ordinary accounts. A
//! withdrawal the balance cannot cover is not booked, so balances never go below zero (overdrafts
//! on current accounts are not modelled). Because each month depends only on the account and the
//! month, past days keep their transactions as the calendar moves on. Weekends move payment
//! dates; Japanese public holidays are not modelled.

use std::collections::HashMap;

use async_trait::async_trait;
use platform::time_util::{JST, today_jst};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};
use time::macros::date;
use time::{Date, Duration, Month, OffsetDateTime, Weekday};

use crate::account::{AccountRef, AccountType};
use crate::connector::{
    Account, Balance, CoreBanking, CoreBankingError, Currency, Result, Transaction,
};
use crate::holder::HolderName;

/// Account numbers starting with these digits are unknown to the sandbox, so the not-found path
/// can be tried from the portal.
pub const NOT_FOUND_PREFIX: &str = "9999";

/// Days of transactions and end-of-day balances the sandbox keeps available (about thirteen
/// months, as internet banking usually shows).
pub const HISTORY_DAYS: u32 = 400;

/// The earliest opening date the sandbox gives an account.
const FIRST_OPENING: Date = date!(2010 - 04 - 01);
/// Opening dates spread over this many days after [`FIRST_OPENING`].
const OPENING_SPREAD_DAYS: i64 = 4_000;

/// Surnames for holders and their contacts (common ones, so no real person is singled out).
const SURNAMES: [&str; 10] = [
    "ヤマダ",
    "サトウ",
    "スズキ",
    "タカハシ",
    "タナカ",
    "ワタナベ",
    "イトウ",
    "ナカムラ",
    "コバヤシ",
    "カトウ",
];
/// Given names for holders and their contacts.
const GIVEN_NAMES: [&str; 10] = [
    "タロウ",
    "ハナコ",
    "ユウコ",
    "ケンジ",
    "ミサキ",
    "ショウタ",
    "アヤ",
    "ヒロシ",
    "ナオキ",
    "サクラ",
];
/// Employers, as printed on salary credits (カ） = 株式会社, ユ） = 有限会社, イ） = 医療法人).
const EMPLOYERS: [&str; 7] = [
    "カ）サンプルショウジ",
    "カ）ミナトデンキ",
    "カ）アオバソフト",
    "ユ）ヒカリセイサクシヨ",
    "カ）サクラウンユ",
    "イ）ケンセイカイ",
    "カ）ハヤテシステム",
];
/// Landlords and letting agents rent is transferred to.
const LANDLORDS: [&str; 4] = [
    "カ）サクラフドウサン",
    "カ）ミドリジユウタクカンリ",
    "ヤマモト　タケシ",
    "カ）アサヒハウジング",
];
/// Card companies, as printed on their monthly debits.
const CARD_ISSUERS: [&str; 4] = [
    "アオゾラカード",
    "ミナトクレジツト",
    "サンプルカード",
    "ヒカリカード",
];

/// Which clock "today" comes from.
#[derive(Clone, Copy, Debug)]
enum Clock {
    /// The system clock, in Japan.
    System,
    /// A fixed instant, so tests and recorded demos see the same figures on any day.
    Fixed(OffsetDateTime),
}

/// The sandbox core banking system: deterministic, realistic, made-up data for every
/// well-formed account. See the module documentation.
#[derive(Clone, Debug)]
pub struct SandboxCoreBanking {
    clock: Clock,
    holders: HashMap<AccountRef, HolderName>,
}

impl Default for SandboxCoreBanking {
    fn default() -> Self {
        Self::new()
    }
}

impl SandboxCoreBanking {
    /// A sandbox whose ledgers end today (Asia/Tokyo).
    pub fn new() -> Self {
        Self {
            clock: Clock::System,
            holders: HashMap::new(),
        }
    }

    /// A sandbox frozen at `now`: ledgers end on that day in Japan and balances are as of it.
    pub fn at(now: OffsetDateTime) -> Self {
        Self {
            clock: Clock::Fixed(now.to_offset(JST)),
            holders: HashMap::new(),
        }
    }

    /// Gives `account` this holder name instead of a made-up one, so a demo customer's account
    /// carries the customer's own name.
    pub fn with_holder(mut self, account: AccountRef, holder: HolderName) -> Self {
        self.holders.insert(account, holder);
        self
    }

    fn now(&self) -> OffsetDateTime {
        match self.clock {
            Clock::System => OffsetDateTime::now_utc().to_offset(JST),
            Clock::Fixed(now) => now,
        }
    }

    fn today(&self) -> Date {
        match self.clock {
            Clock::System => today_jst(),
            Clock::Fixed(now) => now.date(),
        }
    }

    /// The account's profile, or not found for the reserved prefix.
    fn profile(&self, account: &AccountRef) -> Result<Profile> {
        if account.number.as_str().starts_with(NOT_FOUND_PREFIX) {
            Err(CoreBankingError::NotFound)
        } else {
            Ok(Profile::new(account))
        }
    }

    /// The first day whose data is still kept.
    fn window_start(today: Date) -> Date {
        today.saturating_sub(Duration::days(i64::from(HISTORY_DAYS) - 1))
    }
}

#[async_trait]
impl CoreBanking for SandboxCoreBanking {
    async fn account(&self, account: &AccountRef) -> Result<Option<Account>> {
        let profile = match self.profile(account) {
            Ok(profile) => profile,
            Err(CoreBankingError::NotFound) => return Ok(None),
            Err(e) => return Err(e),
        };
        let holder = match self.holders.get(account) {
            Some(holder) => holder.clone(),
            None => HolderName::parse(&format!("{} {}", profile.surname, profile.given))
                .map_err(|_| CoreBankingError::Malformed("holder name not in kana".into()))?,
        };
        Ok(Some(Account {
            holder,
            kind: profile.kind,
            currency: Currency::Jpy,
            opened_on: profile.opened_on,
        }))
    }

    async fn balance(&self, account: &AccountRef) -> Result<Balance> {
        let profile = self.profile(account)?;
        let now = self.now();
        let today = now.date();
        let ledger = profile
            .ledger(today)
            .last()
            .map_or(0, |entry| entry.balance_after);
        Ok(Balance {
            ledger,
            available: ledger - profile.hold(today).min(ledger),
            as_of: now,
        })
    }

    async fn transactions(&self, account: &AccountRef, limit: usize) -> Result<Vec<Transaction>> {
        let profile = self.profile(account)?;
        let today = self.today();
        let first = Self::window_start(today);
        Ok(profile
            .ledger(today)
            .iter()
            .rev()
            .take_while(|entry| entry.date >= first)
            .take(limit)
            .map(|entry| Transaction {
                date: entry.date,
                description: entry.description.text(),
                amount: entry.amount,
                balance_after: entry.balance_after,
            })
            .collect())
    }

    async fn balance_history(&self, account: &AccountRef, days: u32) -> Result<Vec<(Date, i64)>> {
        let profile = self.profile(account)?;
        let today = self.today();
        let days = days.min(HISTORY_DAYS);
        if days == 0 || today < profile.opened_on {
            return Ok(Vec::new());
        }
        let first = today
            .saturating_sub(Duration::days(i64::from(days) - 1))
            .max(profile.opened_on);
        let ledger = profile.ledger(today);
        let mut entries = ledger.iter().peekable();
        let mut balance = 0;
        let mut history = Vec::with_capacity(days as usize);
        let mut day = first;
        loop {
            while let Some(entry) = entries.next_if(|entry| entry.date <= day) {
                balance = entry.balance_after;
            }
            history.push((day, balance));
            match day.next_day() {
                Some(next) if next <= today => day = next,
                _ => break,
            }
        }
        Ok(history)
    }
}

/// What is fixed about one account: who holds it, where they work, what they pay regularly.
struct Profile {
    seed: [u8; 32],
    kind: AccountType,
    opened_on: Date,
    opening_deposit: i64,
    surname: &'static str,
    given: &'static str,
    employer: &'static str,
    salary: i64,
    payday: u8,
    bonus: Option<i64>,
    rent: Option<Rent>,
    card_issuer: &'static str,
    card_day: u8,
    card_spending: i64,
    utility_day: u8,
    household: f64,
    saving: Option<i64>,
    cash_cap: i64,
}

/// Rent paid by transfer each month.
struct Rent {
    landlord: &'static str,
    amount: i64,
    fee: i64,
}

impl Profile {
    fn new(account: &AccountRef) -> Self {
        let seed: [u8; 32] = Sha256::new()
            .chain_update(b"assetstatus sandbox core banking v1\0")
            .chain_update(account.branch.as_str())
            .chain_update(b"\0")
            .chain_update(account.kind.code())
            .chain_update(b"\0")
            .chain_update(account.number.as_str())
            .finalize()
            .into();
        let mut rng = ChaCha8Rng::from_seed(seed);
        let salary: i64 = rng.gen_range(180_000..=520_000);
        let rent = rng.gen_bool(0.7).then(|| Rent {
            landlord: pick(&mut rng, &LANDLORDS),
            amount: rng.gen_range(55..=140) * 1_000,
            fee: pick(&mut rng, &[0, 110, 220, 330]),
        });
        let saving = rng.gen_bool(0.5).then(|| rng.gen_range(1..=5) * 10_000);
        // The card takes what the household spends beyond rent, bills, cash and saving.
        let fixed = rent.as_ref().map_or(0, |r| r.amount) + saving.unwrap_or(0) + 90_000;
        let spend = round_down(salary as f64 * rng.gen_range(0.80..1.0), 1);
        Self {
            seed,
            kind: account.kind,
            opened_on: FIRST_OPENING
                .saturating_add(Duration::days(rng.gen_range(0..OPENING_SPREAD_DAYS))),
            opening_deposit: rng.gen_range(1..=30) * 10_000,
            surname: pick(&mut rng, &SURNAMES),
            given: pick(&mut rng, &GIVEN_NAMES),
            employer: pick(&mut rng, &EMPLOYERS),
            salary,
            payday: pick(&mut rng, &[25, 25, 25, 20, 15, 10]),
            bonus: (account.kind == AccountType::Ordinary && rng.gen_bool(0.6))
                .then(|| round_down(salary as f64 * rng.gen_range(0.8..2.2), 1_000)),
            rent,
            card_issuer: pick(&mut rng, &CARD_ISSUERS),
            card_day: pick(&mut rng, &[4, 10, 26, 27]),
            card_spending: (spend - fixed).max(20_000),
            utility_day: rng.gen_range(5..=24),
            household: rng.gen_range(0.8..1.8),
            saving,
            cash_cap: rng.gen_range(8..=40) * 100_000,
        }
    }

    /// Every booking from the opening up to and including `today`, oldest first.
    fn ledger(&self, today: Date) -> Vec<Entry> {
        let mut entries = Vec::new();
        if today < self.opened_on {
            return entries;
        }
        let mut balance = self.opening_deposit;
        entries.push(Entry {
            date: self.opened_on,
            description: Description::one("入金"),
            amount: self.opening_deposit,
            balance_after: balance,
        });
        let (mut year, mut month) = (self.opened_on.year(), self.opened_on.month());
        while (year, month as u8) <= (today.year(), today.month() as u8) {
            for event in self.month(year, month) {
                if event.date < self.opened_on || event.date > today {
                    continue;
                }
                let amount = match event.amount {
                    Amount::Yen(yen) => yen,
                    Amount::Interest => interest(balance, event.date),
                    Amount::Sweep => -round_down((balance - self.cash_cap).max(0) as f64, 100_000),
                };
                if amount == 0 || balance + amount < 0 {
                    continue;
                }
                balance += amount;
                entries.push(Entry {
                    date: event.date,
                    description: event.description,
                    amount,
                    balance_after: balance,
                });
            }
            month = month.next();
            if month == Month::January {
                year += 1;
            }
        }
        entries
    }

    /// One month's bookings in booking order: credits of a day before its debits.
    fn month(&self, year: i32, month: Month) -> Vec<Event> {
        let seed: [u8; 32] = Sha256::new()
            .chain_update(self.seed)
            .chain_update(year.to_be_bytes())
            .chain_update([month as u8])
            .finalize()
            .into();
        let mut rng = ChaCha8Rng::from_seed(seed);
        let length = month.length(year);
        let mut events = Vec::new();
        let mut add = |date: Option<Date>, description: Description, amount: Amount| {
            if let Some(date) = date {
                events.push(Event {
                    date,
                    description,
                    amount,
                });
            }
        };

        add(
            day(year, month, 1).map(business_day_after),
            Description::two("振替", "テイキヨキン"),
            Amount::Sweep,
        );
        let payday = day(year, month, self.payday).map(business_day_before);
        let pay = self.salary + rng.gen_range(-5_000..=15_000);
        let income = match self.kind {
            AccountType::Ordinary => "給与",
            AccountType::Current => "振込",
        };
        add(
            payday,
            Description::two(income, self.employer),
            Amount::Yen(pay),
        );
        if let Some(bonus) = self.bonus
            && matches!(month, Month::June | Month::December)
        {
            add(
                day(year, month, 10).map(business_day_before),
                Description::two("賞与", self.employer),
                Amount::Yen(bonus),
            );
        }
        if self.kind == AccountType::Ordinary && matches!(month, Month::February | Month::August) {
            add(
                day(year, month, 20).map(business_day_after),
                Description::one("利息"),
                Amount::Interest,
            );
        }
        if rng.gen_bool(0.25) {
            add(
                day(year, month, rng.gen_range(1..=length)),
                Description::three("振込", self.surname, pick(&mut rng, &GIVEN_NAMES)),
                Amount::Yen(rng.gen_range(1..=10) * 10_000),
            );
        }

        if let Some(rent) = &self.rent {
            let date = day(year, month, 27).map(business_day_before);
            add(
                date,
                Description::two("振込", rent.landlord),
                Amount::Yen(-rent.amount),
            );
            if rent.fee > 0 {
                add(date, Description::one("振込手数料"), Amount::Yen(-rent.fee));
            }
        }
        let utility_date = day(year, month, self.utility_day).map(business_day_after);
        let (power, gas) = match month {
            Month::January | Month::February => (1.8, 2.0),
            Month::December | Month::March => (1.5, 1.6),
            Month::July | Month::August | Month::September => (1.6, 0.8),
            _ => (1.0, 1.0),
        };
        let utility = |base: f64, season: f64, rng: &mut ChaCha8Rng| {
            -(base * season * self.household * rng.gen_range(0.85..1.15)).round() as i64
        };
        add(
            utility_date,
            Description::one("デンキ"),
            Amount::Yen(utility(4_500.0, power, &mut rng)),
        );
        add(
            utility_date,
            Description::one("ガス"),
            Amount::Yen(utility(3_200.0, gas, &mut rng)),
        );
        if (month as u8).is_multiple_of(2) {
            add(
                day(year, month, self.utility_day + 3).map(business_day_after),
                Description::one("スイドウ"),
                Amount::Yen(utility(4_800.0, 1.0, &mut rng)),
            );
        }
        let mut card = self.card_spending as f64 * rng.gen_range(0.6..1.4);
        if let Some(bonus) = self.bonus
            && matches!(month, Month::January | Month::July)
        {
            // Holidays and larger purchases after a bonus.
            card += bonus as f64 * rng.gen_range(0.2..0.6);
        }
        add(
            day(year, month, self.card_day).map(business_day_after),
            Description::one(self.card_issuer),
            Amount::Yen(-card.round() as i64),
        );
        if let Some(saving) = self.saving {
            add(
                day(year, month, 27).map(business_day_after),
                Description::two("ツミタテ", "サンプルシヨウケン"),
                Amount::Yen(-saving),
            );
        }
        for _ in 0..rng.gen_range(1..=4) {
            add(
                day(year, month, rng.gen_range(1..=length)),
                Description::one("ATM"),
                Amount::Yen(-rng.gen_range(1..=5) * 10_000),
            );
        }
        if rng.gen_bool(0.2) {
            let date = day(year, month, rng.gen_range(1..=length)).map(business_day_after);
            add(
                date,
                Description::three(
                    "振込",
                    pick(&mut rng, &SURNAMES),
                    pick(&mut rng, &GIVEN_NAMES),
                ),
                Amount::Yen(-rng.gen_range(3..=30) * 1_000),
            );
            add(date, Description::one("振込手数料"), Amount::Yen(-110));
        }
        events.sort_by_key(|event| event.date);
        events
    }

    /// Yen held for pending debit card payments today, if any.
    fn hold(&self, today: Date) -> i64 {
        let seed: [u8; 32] = Sha256::new()
            .chain_update(self.seed)
            .chain_update(b"hold")
            .chain_update(today.to_julian_day().to_be_bytes())
            .finalize()
            .into();
        let mut rng = ChaCha8Rng::from_seed(seed);
        if rng.gen_bool(1.0 / 3.0) {
            rng.gen_range(5..=98) * 100
        } else {
            0
        }
    }
}

/// A booking the month plans; whether it is booked depends on the balance.
struct Event {
    date: Date,
    description: Description,
    amount: Amount,
}

/// The amount of a planned booking.
enum Amount {
    /// Signed yen.
    Yen(i64),
    /// Interest on the balance on the day, after tax.
    Interest,
    /// What exceeds the account's cash cap, in 100,000-yen steps, moved to a time deposit.
    Sweep,
}

/// One booked transaction of the generated ledger.
struct Entry {
    date: Date,
    description: Description,
    amount: i64,
    balance_after: i64,
}

/// A passbook description in up to three parts joined by full-width spaces; built only for
/// the transactions actually returned.
#[derive(Clone, Copy)]
struct Description([&'static str; 3]);

impl Description {
    fn one(text: &'static str) -> Self {
        Self([text, "", ""])
    }

    fn two(first: &'static str, second: &'static str) -> Self {
        Self([first, second, ""])
    }

    fn three(first: &'static str, second: &'static str, third: &'static str) -> Self {
        Self([first, second, third])
    }

    fn text(&self) -> String {
        self.0
            .iter()
            .filter(|part| !part.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("　")
    }
}

/// One of `choices`, uniformly.
fn pick<T: Copy>(rng: &mut ChaCha8Rng, choices: &[T]) -> T {
    choices[rng.gen_range(0..choices.len())]
}

/// `value` rounded down to a multiple of `unit` yen.
fn round_down(value: f64, unit: i64) -> i64 {
    (value as i64 / unit) * unit
}

/// The `day`th of the month, or its last day when the month is shorter.
fn day(year: i32, month: Month, day: u8) -> Option<Date> {
    Date::from_calendar_date(year, month, day.clamp(1, month.length(year))).ok()
}

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// Salaries and transfers due on a weekend are paid on the Friday before.
fn business_day_before(mut date: Date) -> Date {
    while is_weekend(date) {
        date = date.previous_day().unwrap_or(date);
    }
    date
}

/// Direct debits due on a weekend are taken on the Monday after.
fn business_day_after(mut date: Date) -> Date {
    while is_weekend(date) {
        date = date.next_day().unwrap_or(date);
    }
    date
}

/// Half a year's interest on `balance` at the ordinary-deposit rate of the large banks on
/// `date`, after 20.315 % withholding tax (income tax 15.315 %, residents' tax 5 %).
fn interest(balance: i64, date: Date) -> i64 {
    // Annual rate in thousandths of a percent.
    let rate = if date < date!(2024 - 04 - 01) {
        1
    } else if date < date!(2024 - 09 - 01) {
        20
    } else if date < date!(2025 - 03 - 01) {
        100
    } else {
        200
    };
    let gross = balance * rate / 100_000 / 2;
    gross - gross * 20_315 / 100_000
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn payment_dates_move_off_weekends() {
        // 2026-04-25 is a Saturday.
        assert_eq!(
            business_day_before(date!(2026 - 04 - 25)),
            date!(2026 - 04 - 24)
        );
        assert_eq!(
            business_day_after(date!(2026 - 04 - 25)),
            date!(2026 - 04 - 27)
        );
        assert_eq!(
            business_day_before(date!(2026 - 04 - 27)),
            date!(2026 - 04 - 27)
        );
        assert_eq!(
            day(2026, Month::February, 30).unwrap(),
            date!(2026 - 02 - 28)
        );
    }

    #[test]
    fn interest_is_taxed_and_follows_the_rate() {
        assert_eq!(interest(1_000_000, date!(2025 - 08 - 20)), 797);
        assert_eq!(interest(1_000_000, date!(2023 - 02 - 20)), 4);
        assert_eq!(interest(10_000, date!(2023 - 02 - 20)), 0);
    }

    #[test]
    fn descriptions_join_with_full_width_spaces() {
        assert_eq!(
            Description::three("振込", "ヤマダ", "ハナコ").text(),
            "振込　ヤマダ　ハナコ"
        );
        assert_eq!(Description::one("ATM").text(), "ATM");
    }
}
