//! An asset as a customer enters it, parsed and checked.

use platform::fields::{FieldError, FormErrors, fold_full_width, past_date, required_text, text};
use serde::Deserialize;
use time::Date;

use crate::{Category, Yen};

/// Raw form fields, as the browser or a CSV line sends them.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct AssetForm {
    /// Category code.
    #[serde(default)]
    pub category: String,
    /// Name of the holding.
    #[serde(default)]
    pub name: String,
    /// Bank, broker or insurer.
    #[serde(default)]
    pub institution: String,
    /// Amount in yen.
    #[serde(default)]
    pub amount: String,
    /// Date of the valuation: `YYYY-MM-DD`, or as people write it (`2026/12/1`, `2026年12月1日`).
    #[serde(default)]
    pub valuation_date: String,
    /// Free note.
    #[serde(default)]
    pub note: String,
    /// What was paid for the holding, in yen; empty when not known.
    #[serde(default)]
    pub acquisition_cost: String,
}

/// A valid asset entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetDraft {
    /// Category.
    pub category: Category,
    /// Name, 1 to 100 characters.
    pub name: String,
    /// Institution, up to 100 characters.
    pub institution: String,
    /// Amount.
    pub amount: Yen,
    /// Valuation date, not in the future.
    pub valuation_date: Date,
    /// Note, up to 1,000 characters, line breaks allowed.
    pub note: String,
    /// Acquisition cost (取得価額), never for liabilities.
    pub acquisition_cost: Option<Yen>,
}

impl AssetForm {
    /// Checks every field, collecting all errors at once.
    pub fn parse(&self, today: Date) -> Result<AssetDraft, FormErrors> {
        let mut errors = FormErrors::default();
        let category = errors.check(
            "category",
            Category::from_code_or_label(&self.category).ok_or(
                if self.category.trim().is_empty() {
                    FieldError::Required
                } else {
                    FieldError::UnknownChoice
                },
            ),
        );
        let name = errors.check("name", required_text(&self.name, 100));
        let institution = errors.check("institution", text(&self.institution, 100, false));
        let amount = errors.check("amount", Yen::parse(&self.amount));
        let valuation_date = errors.check("valuation_date", past_date(&self.valuation_date, today));
        let note = errors.check("note", text(&self.note, 1000, true));
        let acquisition_cost = errors.check(
            "acquisition_cost",
            acquisition_cost(&self.acquisition_cost, category),
        );
        match (
            category,
            name,
            institution,
            amount,
            valuation_date,
            note,
            acquisition_cost,
        ) {
            (
                Some(category),
                Some(name),
                Some(institution),
                Some(amount),
                Some(valuation_date),
                Some(note),
                Some(acquisition_cost),
            ) if errors.is_empty() => Ok(AssetDraft {
                category,
                name,
                institution,
                amount,
                valuation_date,
                note,
                acquisition_cost,
            }),
            _ => Err(errors),
        }
    }
}

/// An optional cost; a debt has none (its amount is what is owed, not what was paid).
fn acquisition_cost(raw: &str, category: Option<Category>) -> Result<Option<Yen>, FieldError> {
    if fold_full_width(raw).trim().is_empty() {
        return Ok(None);
    }
    if category.is_some_and(Category::is_liability) {
        return Err(FieldError::CostForLiability);
    }
    Yen::parse(raw).map(Some)
}

/// Raw fields of "add a valuation for a date" on the page of one holding.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ValuationForm {
    /// The date the amount was valued at, written as for [`AssetForm::valuation_date`].
    #[serde(default)]
    pub valuation_date: String,
    /// Amount in yen.
    #[serde(default)]
    pub amount: String,
}

/// A valid valuation: an amount on a date from 1900 up to the day it was parsed. Only
/// [`ValuationForm::parse`] makes one, so the ledger never sees a future date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValuationDraft {
    valuation_date: Date,
    amount: Yen,
}

impl ValuationDraft {
    /// The date the amount applies from.
    pub fn valuation_date(&self) -> Date {
        self.valuation_date
    }

    /// The amount.
    pub fn amount(&self) -> Yen {
        self.amount
    }
}

impl ValuationForm {
    /// Checks both fields, reporting each one's error under the same names as [`AssetForm`].
    pub fn parse(&self, today: Date) -> Result<ValuationDraft, FormErrors> {
        let mut errors = FormErrors::default();
        let valuation_date = errors.check("valuation_date", past_date(&self.valuation_date, today));
        let amount = errors.check("amount", Yen::parse(&self.amount));
        match (valuation_date, amount) {
            (Some(valuation_date), Some(amount)) => Ok(ValuationDraft {
                valuation_date,
                amount,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn form() -> AssetForm {
        AssetForm {
            category: "deposits".into(),
            name: "普通預金".into(),
            institution: "さくら銀行".into(),
            amount: "1,200,000".into(),
            valuation_date: "2026-11-01".into(),
            note: "生活費\n口座".into(),
            acquisition_cost: String::new(),
        }
    }

    #[test]
    fn parses_a_complete_form() {
        let draft = form().parse(date!(2026 - 11 - 21)).unwrap();
        assert_eq!(draft.amount.get(), 1_200_000);
        assert_eq!(draft.category, Category::Deposits);
    }

    #[test]
    fn reports_every_bad_field() {
        let bad = AssetForm {
            category: "gold".into(),
            name: "".into(),
            institution: "x".repeat(101),
            amount: "-5".into(),
            valuation_date: "2027-01-01".into(),
            note: "bell\u{7}".into(),
            acquisition_cost: "1.5".into(),
        };
        let errors = bad.parse(date!(2026 - 11 - 21)).unwrap_err();
        assert_eq!(errors.get("category"), Some(FieldError::UnknownChoice));
        assert_eq!(errors.get("name"), Some(FieldError::Required));
        assert_eq!(
            errors.get("institution"),
            Some(FieldError::TooLong { max: 100 })
        );
        assert_eq!(errors.get("amount"), Some(FieldError::NegativeAmount));
        assert_eq!(errors.get("valuation_date"), Some(FieldError::FutureDate));
        assert_eq!(errors.get("note"), Some(FieldError::ControlCharacters));
        assert_eq!(
            errors.get("acquisition_cost"),
            Some(FieldError::InvalidAmount)
        );
    }

    #[test]
    fn accepts_dates_and_amounts_as_japanese_excel_writes_them() {
        let draft = AssetForm {
            amount: "￥1,234,567".into(),
            valuation_date: "2026年11月1日".into(),
            acquisition_cost: "１，０００，０００円".into(),
            ..form()
        }
        .parse(date!(2026 - 11 - 21))
        .unwrap();
        assert_eq!(draft.amount.get(), 1_234_567);
        assert_eq!(draft.valuation_date, date!(2026 - 11 - 01));
        assert_eq!(draft.acquisition_cost.map(Yen::get), Some(1_000_000));
    }

    #[test]
    fn acquisition_cost_is_optional_and_never_for_liabilities() {
        let today = date!(2026 - 11 - 21);
        assert_eq!(form().parse(today).unwrap().acquisition_cost, None);
        let spaces = AssetForm {
            acquisition_cost: " 　".into(),
            ..form()
        };
        assert_eq!(spaces.parse(today).unwrap().acquisition_cost, None);
        let zero = AssetForm {
            acquisition_cost: "0".into(),
            ..form()
        };
        assert_eq!(
            zero.parse(today).unwrap().acquisition_cost,
            Yen::from_stored(0)
        );
        let loan = AssetForm {
            category: "liabilities".into(),
            acquisition_cost: "30,000,000".into(),
            ..form()
        };
        let errors = loan.parse(today).unwrap_err();
        assert_eq!(
            errors.0,
            vec![("acquisition_cost", FieldError::CostForLiability)]
        );
        let loan_without_cost = AssetForm {
            category: "負債".into(),
            ..form()
        };
        assert_eq!(
            loan_without_cost.parse(today).unwrap().acquisition_cost,
            None
        );
        let negative = AssetForm {
            acquisition_cost: "-1".into(),
            ..form()
        };
        assert_eq!(
            negative.parse(today).unwrap_err().get("acquisition_cost"),
            Some(FieldError::NegativeAmount)
        );
    }

    #[test]
    fn valuation_form_checks_date_and_amount() {
        let today = date!(2026 - 12 - 07);
        let ok = ValuationForm {
            valuation_date: "2026/12/1".into(),
            amount: "1,234,567円".into(),
        }
        .parse(today)
        .unwrap();
        assert_eq!(ok.valuation_date(), date!(2026 - 12 - 01));
        assert_eq!(ok.amount().get(), 1_234_567);
        let cases = [
            ("2026-12-08", "1", "valuation_date", FieldError::FutureDate),
            ("1899-12-31", "1", "valuation_date", FieldError::TooOld),
            ("2026/2/30", "1", "valuation_date", FieldError::InvalidDate),
            ("", "1", "valuation_date", FieldError::Required),
            ("2026-12-01", "-5", "amount", FieldError::NegativeAmount),
            ("2026-12-01", "1.5", "amount", FieldError::InvalidAmount),
            ("2026-12-01", "", "amount", FieldError::Required),
            (
                "2026-12-01",
                "100,000,000,000,001",
                "amount",
                FieldError::AmountTooLarge,
            ),
        ];
        for (date, amount, field, error) in cases {
            let errors = ValuationForm {
                valuation_date: date.into(),
                amount: amount.into(),
            }
            .parse(today)
            .unwrap_err();
            assert_eq!(errors.0, vec![(field, error)], "{date} {amount}");
        }
        let both = ValuationForm::default().parse(today).unwrap_err();
        assert_eq!(both.get("valuation_date"), Some(FieldError::Required));
        assert_eq!(both.get("amount"), Some(FieldError::Required));
    }
}
