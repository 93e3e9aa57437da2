//! The fields that identify an account at the bank: branch code (支店番号), account type
//! (預金種目) and account number (口座番号). Each is parsed once from what a customer typed;
//! a value of these types is well formed.

use std::fmt;

use platform::fields::{FieldError, fold_full_width};
use platform::i18n::Locale;

/// Trims what was typed and turns full-width digits (`１２３`) into ASCII, as typed with a
/// Japanese input method.
fn normalise(raw: &str) -> String {
    fold_full_width(raw).trim().to_owned()
}

/// A branch code (支店番号): exactly three digits, e.g. `123`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BranchCode(String);

impl BranchCode {
    /// Parses what a customer typed; full-width digits are accepted.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let value = normalise(raw);
        if value.is_empty() {
            return Err(FieldError::Required);
        }
        if value.len() == 3 && value.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(value))
        } else {
            Err(FieldError::BranchCodeInvalid)
        }
    }

    /// The three digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The type of a yen deposit account the portal can link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccountType {
    /// 普通預金: the everyday account salaries are paid into; earns a little interest.
    Ordinary,
    /// 当座預金: the cheque account of businesses and sole traders; earns no interest.
    Current,
}

impl AccountType {
    /// Every type, in the order a form offers them.
    pub const ALL: [AccountType; 2] = [AccountType::Ordinary, AccountType::Current];

    /// The stable code stored and sent by forms.
    pub fn code(self) -> &'static str {
        match self {
            AccountType::Ordinary => "ordinary",
            AccountType::Current => "current",
        }
    }

    /// Parses a stored or submitted code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// The name shown to customers (普通 / 当座 in Japanese).
    pub fn label(self, locale: Locale) -> String {
        locale.t(self.message_key())
    }

    fn message_key(self) -> &'static str {
        match self {
            AccountType::Ordinary => "banking-account-type-ordinary",
            AccountType::Current => "banking-account-type-current",
        }
    }
}

/// An account number (口座番号): exactly seven digits, e.g. `0012345`. Shorter numbers are
/// written with leading zeros at Japanese banks, so leading zeros are significant.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountNumber(String);

impl AccountNumber {
    /// Parses what a customer typed; full-width digits are accepted. Anything but digits
    /// (letters, signs, hyphens, spaces inside) is refused before the length is checked, so the
    /// customer is told what is actually wrong.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let value = normalise(raw);
        if value.is_empty() {
            return Err(FieldError::Required);
        }
        if !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldError::AccountNumberNotDigits);
        }
        if value.len() != 7 {
            return Err(FieldError::AccountNumberLength);
        }
        Ok(Self(value))
    }

    /// The seven digits, for the connector and storage only: never log or show them whole.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number with all but its last three digits hidden, e.g. `****567`, for logs and
    /// screens.
    pub fn masked(&self) -> String {
        let tail = self.0.get(self.0.len().saturating_sub(3)..).unwrap_or("");
        format!("****{tail}")
    }
}

/// Masked, so a stray `{:?}` never puts an account number in a log.
impl fmt::Debug for AccountNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountNumber({})", self.masked())
    }
}

/// One account at the bank: what the connector is asked about.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountRef {
    /// The branch holding the account.
    pub branch: BranchCode,
    /// 普通 or 当座.
    pub kind: AccountType,
    /// The account number.
    pub number: AccountNumber,
}

impl AccountRef {
    /// The account as shown on screens, number masked: `123 普通 ****567` in Japanese,
    /// `123 Ordinary ****567` in English.
    pub fn masked(&self, locale: Locale) -> String {
        format!(
            "{} {} {}",
            self.branch.as_str(),
            self.kind.label(locale),
            self.number.masked()
        )
    }
}

/// The masked form in the bank's own terms (`123 普通 ****567`), safe for logs.
impl fmt::Display for AccountRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked(Locale::Ja))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn branch_codes_are_three_digits_and_full_width_is_folded() {
        assert_eq!(BranchCode::parse("123").unwrap().as_str(), "123");
        assert_eq!(BranchCode::parse("１２３").unwrap().as_str(), "123");
        assert_eq!(BranchCode::parse("  001\u{3000}").unwrap().as_str(), "001");
        assert_eq!(BranchCode::parse(""), Err(FieldError::Required));
        assert_eq!(BranchCode::parse(" \u{3000} "), Err(FieldError::Required));
        for bad in [
            "12",
            "1234",
            "12a",
            "1 3",
            "-12",
            "+12",
            "１２",
            "1.2",
            "一二三",
        ] {
            assert_eq!(
                BranchCode::parse(bad),
                Err(FieldError::BranchCodeInvalid),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn account_numbers_are_seven_digits() {
        assert_eq!(AccountNumber::parse("0012345").unwrap().as_str(), "0012345");
        assert_eq!(
            AccountNumber::parse("０１２３４５６").unwrap().as_str(),
            "0123456"
        );
        assert_eq!(
            AccountNumber::parse(" 1234567 ").unwrap().as_str(),
            "1234567"
        );
        assert_eq!(AccountNumber::parse(""), Err(FieldError::Required));
        for short_or_long in ["123456", "12345678", "1", "１２３４５６"] {
            assert_eq!(
                AccountNumber::parse(short_or_long),
                Err(FieldError::AccountNumberLength),
                "{short_or_long:?}"
            );
        }
        for not_digits in [
            "123456a",
            "12-4567",
            "123 4567",
            "-123456",
            "+123456",
            "１２３４５６Ａ",
            "1234567\u{200B}",
            "一二三四五六七",
        ] {
            assert_eq!(
                AccountNumber::parse(not_digits),
                Err(FieldError::AccountNumberNotDigits),
                "{not_digits:?}"
            );
        }
    }

    #[test]
    fn account_types_round_trip_and_are_named_per_locale() {
        for kind in AccountType::ALL {
            assert_eq!(AccountType::from_code(kind.code()), Some(kind));
        }
        assert_eq!(AccountType::from_code("savings"), None);
        assert_eq!(AccountType::from_code("Ordinary"), None);
        assert_eq!(AccountType::Ordinary.label(Locale::Ja), "普通");
        assert_eq!(AccountType::Current.label(Locale::Ja), "当座");
        assert_eq!(AccountType::Ordinary.label(Locale::En), "Ordinary");
        assert_eq!(AccountType::Current.label(Locale::En), "Current");
    }

    #[test]
    fn account_numbers_never_show_whole() {
        let account = AccountRef {
            branch: BranchCode::parse("123").unwrap(),
            kind: AccountType::Ordinary,
            number: AccountNumber::parse("1234567").unwrap(),
        };
        assert_eq!(account.to_string(), "123 普通 ****567");
        assert_eq!(account.masked(Locale::En), "123 Ordinary ****567");
        let debug = format!("{account:?}");
        assert!(!debug.contains("1234567"), "{debug}");
        assert!(debug.contains("****567"), "{debug}");
    }
}
