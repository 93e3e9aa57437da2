//! An asset as a customer enters it, parsed and checked.

use platform::fields::{FieldError, FormErrors, past_date, required_text, text};
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
    /// Date of the valuation, `YYYY-MM-DD`.
    #[serde(default)]
    pub valuation_date: String,
    /// Free note.
    #[serde(default)]
    pub note: String,
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
        match (category, name, institution, amount, valuation_date, note) {
            (
                Some(category),
                Some(name),
                Some(institution),
                Some(amount),
                Some(valuation_date),
                Some(note),
            ) if errors.is_empty() => Ok(AssetDraft {
                category,
                name,
                institution,
                amount,
                valuation_date,
                note,
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
    }
}
