//! What the customer entered set beside what the core banking system holds for the account, row
//! by row, each row with its verdict. Operators are not IT specialists: the review page shows
//! this table instead of one sentence, so a differing holder name is seen, not inferred, and an
//! approval over any difference needs a written reason and a second operator (see
//! [`crate::decision`]).
//!
//! Holder names are compared by [`core_banking::holder_key`], the folding the account form
//! already uses (half-width kana and hiragana to full-width katakana, spaces and middle dots
//! removed, small kana as large ones), and both folded forms are kept so the page can show them.

use core_banking::{Account, AccountType, holder_key};
use identity::Profile;
use time::Date;

use crate::account::BankAccount;
use crate::review::AccountCheck;

/// One compared item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// The customer's registered name in kana against the account holder.
    NameKana,
    /// The holder name the customer typed on the application against the account holder.
    Holder,
    /// The account type (普通・当座).
    AccountType,
    /// The registered name in kanji: the core banking system gives none, so it is checked
    /// against the identity document by eye.
    NameKanji,
    /// The date of birth: likewise only on the identity document.
    BirthDate,
}

impl Field {
    /// The message key suffix.
    pub fn code(self) -> &'static str {
        match self {
            Field::NameKana => "name-kana",
            Field::Holder => "holder",
            Field::AccountType => "account-type",
            Field::NameKanji => "name-kanji",
            Field::BirthDate => "birth-date",
        }
    }
}

/// A row's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Both sides name the same thing.
    Match,
    /// They differ.
    Mismatch,
    /// The bank has nothing to compare with (no answer, no account, or not a field it keeps):
    /// the operator checks it against the documents.
    Unknown,
}

impl Verdict {
    /// The stored-style code, also the message key suffix and the page's `data-verdict`.
    pub fn code(self) -> &'static str {
        match self {
            Verdict::Match => "match",
            Verdict::Mismatch => "mismatch",
            Verdict::Unknown => "unknown",
        }
    }
}

/// What the customer entered and what the bank holds, for one field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComparedField {
    /// Which field.
    pub field: Field,
    /// As the customer entered it.
    pub entered: Value,
    /// As the core banking system holds it; `None` when it holds nothing to compare.
    pub bank: Option<Value>,
    /// The names in the form they are compared in (holder names only).
    pub folded: Option<(String, String)>,
    /// The verdict.
    pub verdict: Verdict,
}

/// A compared value, left for the page to format in its language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// A name or other text, shown as is.
    Text(String),
    /// An account type.
    AccountType(AccountType),
    /// A date.
    Date(Date),
}

/// Every compared row, in the order the page shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comparison {
    /// The rows.
    pub rows: Vec<ComparedField>,
    /// The core banking system's answer the rows were built from.
    pub check: AccountCheck,
}

impl Comparison {
    /// Builds the comparison from the customer's registered details, the account they entered
    /// and the core banking system's answer (`None` unless `check` found the account).
    pub fn of(
        customer: &Profile,
        entered: Option<&BankAccount>,
        check: AccountCheck,
        bank: Option<&Account>,
    ) -> Self {
        let mut rows = vec![
            holder_row(Field::NameKana, &customer.name_kana, bank),
            ComparedField {
                field: Field::NameKanji,
                entered: Value::Text(customer.name_kanji.clone()),
                bank: None,
                folded: None,
                verdict: Verdict::Unknown,
            },
            ComparedField {
                field: Field::BirthDate,
                entered: Value::Date(customer.birth_date),
                bank: None,
                folded: None,
                verdict: Verdict::Unknown,
            },
        ];
        if let Some(entered) = entered {
            rows.insert(1, holder_row(Field::Holder, entered.holder.as_str(), bank));
            rows.insert(
                2,
                ComparedField {
                    field: Field::AccountType,
                    entered: Value::AccountType(entered.account.kind),
                    bank: bank.map(|b| Value::AccountType(b.kind)),
                    folded: None,
                    verdict: match bank {
                        Some(b) if b.kind == entered.account.kind => Verdict::Match,
                        Some(_) => Verdict::Mismatch,
                        None => Verdict::Unknown,
                    },
                },
            );
        }
        Self { rows, check }
    }

    /// Whether any row differs.
    pub fn has_mismatch(&self) -> bool {
        self.rows.iter().any(|r| r.verdict == Verdict::Mismatch)
    }

    /// Whether an approval overrides what the bank says: a row differs, or the account was not
    /// cleanly confirmed (not found, closed, no answer, none registered). Such an approval
    /// needs a written reason and a second operator, whatever the maker-checker setting.
    pub fn needs_override(&self) -> bool {
        self.has_mismatch() || self.check != AccountCheck::Confirmed
    }
}

fn holder_row(field: Field, entered: &str, bank: Option<&Account>) -> ComparedField {
    let entered_key = holder_key(entered);
    match bank {
        Some(account) => {
            let bank_key = holder_key(account.holder.as_str());
            let verdict = if !entered_key.is_empty() && entered_key == bank_key {
                Verdict::Match
            } else {
                Verdict::Mismatch
            };
            ComparedField {
                field,
                entered: Value::Text(entered.to_owned()),
                bank: Some(Value::Text(account.holder.as_str().to_owned())),
                folded: Some((entered_key, bank_key)),
                verdict,
            }
        }
        None => ComparedField {
            field,
            entered: Value::Text(entered.to_owned()),
            bank: None,
            folded: None,
            verdict: Verdict::Unknown,
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use core_banking::{AccountNumber, AccountRef, BranchCode, Currency, HolderName};
    use identity::CustomerStatus;
    use platform::i18n::Locale;
    use time::macros::date;

    use super::*;

    fn customer(kana: &str) -> Profile {
        Profile {
            id: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d".parse().unwrap(),
            email: "a@example.jp".into(),
            name_kanji: "山田 花子".into(),
            name_kana: kana.into(),
            birth_date: date!(1990 - 04 - 01),
            locale: Locale::Ja,
            status: CustomerStatus::Active,
        }
    }

    fn entered(holder: &str, kind: AccountType) -> BankAccount {
        BankAccount {
            account: AccountRef {
                branch: BranchCode::parse("123").unwrap(),
                kind,
                number: AccountNumber::parse("0123456").unwrap(),
            },
            holder: HolderName::parse(holder).unwrap(),
        }
    }

    fn bank(holder: &str, kind: AccountType) -> Account {
        Account {
            holder: HolderName::parse(holder).unwrap(),
            kind,
            currency: Currency::Jpy,
            opened_on: date!(2015 - 01 - 05),
        }
    }

    fn verdict(c: &Comparison, field: Field) -> Verdict {
        c.rows.iter().find(|r| r.field == field).unwrap().verdict
    }

    #[test]
    fn the_same_holder_however_written_matches_on_every_row() {
        let c = Comparison::of(
            &customer("やまだ　はなこ"),
            Some(&entered("ﾔﾏﾀﾞ ﾊﾅｺ", AccountType::Ordinary)),
            AccountCheck::Confirmed,
            Some(&bank("ﾔﾏﾀﾞ ﾊﾅｺ", AccountType::Ordinary)),
        );
        assert_eq!(verdict(&c, Field::NameKana), Verdict::Match);
        assert_eq!(verdict(&c, Field::Holder), Verdict::Match);
        assert_eq!(verdict(&c, Field::AccountType), Verdict::Match);
        let kana = c.rows.iter().find(|r| r.field == Field::NameKana).unwrap();
        assert_eq!(
            kana.folded,
            Some(("ヤマダハナコ".to_owned(), "ヤマダハナコ".to_owned())),
            "both sides folded the same way"
        );
        assert!(!c.has_mismatch());
        assert!(!c.needs_override());
    }

    #[test]
    fn another_holder_is_a_mismatch_and_needs_an_override() {
        let c = Comparison::of(
            &customer("ヤマダ ハナコ"),
            Some(&entered("ヤマダ ハナコ", AccountType::Ordinary)),
            AccountCheck::HolderDiffers,
            Some(&bank("スズキ イチロウ", AccountType::Current)),
        );
        assert_eq!(verdict(&c, Field::NameKana), Verdict::Mismatch);
        assert_eq!(verdict(&c, Field::Holder), Verdict::Mismatch);
        assert_eq!(verdict(&c, Field::AccountType), Verdict::Mismatch);
        let holder = c.rows.iter().find(|r| r.field == Field::Holder).unwrap();
        assert_eq!(
            holder.bank,
            Some(Value::Text("スズキ イチロウ".into())),
            "the bank's holder is shown, not the typed one"
        );
        assert!(c.has_mismatch() && c.needs_override());
    }

    #[test]
    fn without_an_answer_rows_are_unknown_and_still_need_an_override() {
        for check in [
            AccountCheck::NotFound,
            AccountCheck::Closed,
            AccountCheck::Unavailable,
        ] {
            let c = Comparison::of(
                &customer("ヤマダ ハナコ"),
                Some(&entered("ヤマダ ハナコ", AccountType::Ordinary)),
                check,
                None,
            );
            assert!(
                c.rows
                    .iter()
                    .all(|r| r.verdict == Verdict::Unknown && r.bank.is_none())
            );
            assert!(!c.has_mismatch());
            assert!(c.needs_override(), "{check:?}");
        }
        let missing = Comparison::of(
            &customer("ヤマダ ハナコ"),
            None,
            AccountCheck::Missing,
            None,
        );
        assert_eq!(missing.rows.len(), 3, "no account rows without an account");
        assert!(missing.needs_override());
    }

    #[test]
    fn kanji_name_and_birth_date_are_left_to_the_documents() {
        let c = Comparison::of(
            &customer("ヤマダ ハナコ"),
            Some(&entered("ヤマダ ハナコ", AccountType::Ordinary)),
            AccountCheck::Confirmed,
            Some(&bank("ヤマダ ハナコ", AccountType::Ordinary)),
        );
        assert_eq!(verdict(&c, Field::NameKanji), Verdict::Unknown);
        assert_eq!(verdict(&c, Field::BirthDate), Verdict::Unknown);
        let fields: Vec<Field> = c.rows.iter().map(|r| r.field).collect();
        assert_eq!(
            fields,
            vec![
                Field::NameKana,
                Field::Holder,
                Field::AccountType,
                Field::NameKanji,
                Field::BirthDate
            ]
        );
        assert!(
            !c.needs_override(),
            "fields the bank does not keep do not block"
        );
    }
}
