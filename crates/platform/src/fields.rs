//! Rules shared by every form field, and the errors they produce. Each error names a message
//! in the catalogs, so a refusal always reads in the user's language.

use time::Date;

use crate::i18n::{Arg, Locale};

/// Why one field's value was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// Nothing was entered.
    #[error("required")]
    Required,
    /// More characters than allowed.
    #[error("longer than {max} characters")]
    TooLong {
        /// The limit.
        max: usize,
    },
    /// Control or invisible formatting characters.
    #[error("contains control characters")]
    ControlCharacters,
    /// Not an e-mail address.
    #[error("not an e-mail address")]
    InvalidEmail,
    /// Not written in katakana.
    #[error("not katakana")]
    NotKana,
    /// Not a calendar date.
    #[error("not a date")]
    InvalidDate,
    /// A date after today where only the past makes sense.
    #[error("in the future")]
    FutureDate,
    /// A date before 1900.
    #[error("too far in the past")]
    TooOld,
    /// Not a whole number of yen.
    #[error("not an amount")]
    InvalidAmount,
    /// Below zero.
    #[error("negative amount")]
    NegativeAmount,
    /// Beyond any plausible holding.
    #[error("amount too large")]
    AmountTooLarge,
    /// Not one of the offered choices.
    #[error("unknown choice")]
    UnknownChoice,
    /// Password shorter than the minimum.
    #[error("password too short")]
    PasswordTooShort {
        /// The minimum.
        min: usize,
    },
    /// Password easy to guess.
    #[error("password too easy to guess")]
    PasswordWeak,
    /// The two password entries differ.
    #[error("passwords differ")]
    PasswordMismatch,
    /// The customer's current password was entered wrongly.
    #[error("incorrect password")]
    IncorrectPassword,
    /// A verification code from an authenticator app or a recovery code is wrong or used.
    #[error("invalid code")]
    InvalidCode,
    /// A bank branch code (支店番号) is not exactly three digits.
    #[error("branch code is not 3 digits")]
    BranchCodeInvalid,
    /// A bank account number has digits only but not seven of them; shorter numbers are
    /// written with leading zeros, which the message says.
    #[error("account number is not 7 digits long")]
    AccountNumberLength,
    /// A bank account number contains something other than digits (letters, signs, spaces).
    #[error("account number has characters other than digits")]
    AccountNumberNotDigits,
    /// An account holder name is not written in kana.
    #[error("holder name is not kana")]
    HolderNotKana,
    /// The account holder name differs from the customer's registered kana name: only the
    /// customer's own account may be linked.
    #[error("holder name differs from the registered name")]
    HolderMismatch,
    /// An acquisition cost was given for a debt, where a purchase price means nothing.
    #[error("no acquisition cost for liabilities")]
    CostForLiability,
}

impl FieldError {
    /// The message shown next to the field.
    pub fn message(&self, locale: Locale) -> String {
        match *self {
            FieldError::Required => locale.t("error-required"),
            FieldError::TooLong { max } => {
                locale.t_args("error-too-long", &[("max", Arg::from(max))])
            }
            FieldError::ControlCharacters => locale.t("error-control-characters"),
            FieldError::InvalidEmail => locale.t("error-invalid-email"),
            FieldError::NotKana => locale.t("error-not-kana"),
            FieldError::InvalidDate => locale.t("error-invalid-date"),
            FieldError::FutureDate => locale.t("error-future-date"),
            FieldError::TooOld => locale.t("error-too-old"),
            FieldError::InvalidAmount => locale.t("error-invalid-amount"),
            FieldError::NegativeAmount => locale.t("error-negative-amount"),
            FieldError::AmountTooLarge => locale.t("error-amount-too-large"),
            FieldError::UnknownChoice => locale.t("error-unknown-choice"),
            FieldError::PasswordTooShort { min } => {
                locale.t_args("error-password-too-short", &[("min", Arg::from(min))])
            }
            FieldError::PasswordWeak => locale.t("error-password-weak"),
            FieldError::PasswordMismatch => locale.t("error-password-mismatch"),
            FieldError::IncorrectPassword => locale.t("error-incorrect-password"),
            FieldError::InvalidCode => locale.t("error-invalid-code"),
            FieldError::BranchCodeInvalid => locale.t("error-branch-code"),
            FieldError::AccountNumberLength => locale.t("error-account-number-length"),
            FieldError::AccountNumberNotDigits => locale.t("error-account-number-digits"),
            FieldError::HolderNotKana => locale.t("error-holder-not-kana"),
            FieldError::HolderMismatch => locale.t("error-holder-mismatch"),
            FieldError::CostForLiability => locale.t("error-cost-for-liability"),
        }
    }
}

/// Errors of a whole form, by field name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FormErrors(pub Vec<(&'static str, FieldError)>);

impl FormErrors {
    /// Records the outcome of one field's check and passes its value on.
    pub fn check<T>(&mut self, field: &'static str, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push((field, e));
                None
            }
        }
    }

    /// True when every field passed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The error of one field, if any.
    pub fn get(&self, field: &str) -> Option<FieldError> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, e)| *e)
    }
}

/// Trims a free-text value and refuses control characters and over-long input. Line breaks and
/// tabs are allowed only where `multiline` is set.
pub fn text(raw: &str, max: usize, multiline: bool) -> Result<String, FieldError> {
    let value = raw.trim();
    let allowed = |c: char| multiline && (c == '\n' || c == '\r' || c == '\t');
    if value
        .chars()
        .any(|c| (c.is_control() && !allowed(c)) || is_invisible_format(c))
    {
        return Err(FieldError::ControlCharacters);
    }
    if value.chars().count() > max {
        return Err(FieldError::TooLong { max });
    }
    Ok(value.replace("\r\n", "\n"))
}

/// [`text`] that must not be empty.
pub fn required_text(raw: &str, max: usize) -> Result<String, FieldError> {
    let value = text(raw, max, false)?;
    if value.is_empty() {
        Err(FieldError::Required)
    } else {
        Ok(value)
    }
}

/// Bidirectional overrides and zero-width characters can disguise text; they never belong in
/// a name or note.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Turns full-width ASCII (as typed with a Japanese input method: `１２３`, `ｔａｒｏ＠…`) into
/// ordinary ASCII, so customers are not refused for the width of their characters.
pub fn fold_full_width(raw: &str) -> String {
    raw.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// A calendar date, not in the future, not before 1900. Besides `YYYY-MM-DD` (what a date input
/// sends) it takes what people and Japanese Excel write: `YYYY/M/D`, `YYYY-M-D`, `YYYY年M月D日`,
/// in full-width digits too.
pub fn past_date(raw: &str, today: Date) -> Result<Date, FieldError> {
    let folded = fold_full_width(raw);
    let value = folded.trim();
    if value.is_empty() {
        return Err(FieldError::Required);
    }
    let [year, month, day] = date_parts(value).ok_or(FieldError::InvalidDate)?;
    let year = number(year, 4..=4).ok_or(FieldError::InvalidDate)?;
    let month = number(month, 1..=2)
        .and_then(|m| u8::try_from(m).ok())
        .and_then(|m| time::Month::try_from(m).ok())
        .ok_or(FieldError::InvalidDate)?;
    let day = number(day, 1..=2)
        .and_then(|d| u8::try_from(d).ok())
        .ok_or(FieldError::InvalidDate)?;
    let date = Date::from_calendar_date(year, month, day).map_err(|_| FieldError::InvalidDate)?;
    if date > today {
        return Err(FieldError::FutureDate);
    }
    if date.year() < 1900 {
        return Err(FieldError::TooOld);
    }
    Ok(date)
}

/// Year, month and day of `2026-12-01`, `2026/12/1` or `2026年12月1日`; the two separators of
/// one date must be the same.
fn date_parts(value: &str) -> Option<[&str; 3]> {
    if let Some(rest) = value.strip_suffix('日') {
        let (year, rest) = rest.split_once('年')?;
        let (month, day) = rest.split_once('月')?;
        return Some([year.trim(), month.trim(), day.trim()]);
    }
    let separator = value.chars().find(|c| *c == '-' || *c == '/')?;
    let mut parts = value.split(separator);
    let date = [parts.next()?, parts.next()?, parts.next()?];
    parts.next().is_none().then_some(date)
}

/// A number of ASCII digits whose count lies in `digits`.
fn number(raw: &str, digits: std::ops::RangeInclusive<usize>) -> Option<i32> {
    (digits.contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_digit()))
        .then(|| raw.parse().ok())
        .flatten()
}

/// A date as `YYYY-MM-DD`.
pub fn iso_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn text_refuses_control_and_overlong_input() {
        assert_eq!(text("  みずほ銀行 ", 10, false).unwrap(), "みずほ銀行");
        assert_eq!(
            text("a\u{0007}b", 10, false),
            Err(FieldError::ControlCharacters)
        );
        assert_eq!(
            text("a\u{202E}b", 10, false),
            Err(FieldError::ControlCharacters)
        );
        assert_eq!(text("a\nb", 10, false), Err(FieldError::ControlCharacters));
        assert_eq!(text("a\r\nb", 10, true).unwrap(), "a\nb");
        assert_eq!(
            text("あいうえおか", 5, false),
            Err(FieldError::TooLong { max: 5 })
        );
        assert_eq!(required_text("   ", 5), Err(FieldError::Required));
    }

    #[test]
    fn folds_full_width_characters() {
        assert_eq!(
            fold_full_width("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ"),
            "taro@example.jp"
        );
        assert_eq!(fold_full_width("１，０００"), "1,000");
    }

    #[test]
    fn dates_must_be_real_and_past() {
        let today = date!(2026 - 11 - 21);
        assert_eq!(
            past_date("1980-02-29", today).unwrap(),
            date!(1980 - 02 - 29)
        );
        assert_eq!(past_date("1981-02-29", today), Err(FieldError::InvalidDate));
        assert_eq!(past_date("2026-11-22", today), Err(FieldError::FutureDate));
        assert_eq!(past_date("1899-12-31", today), Err(FieldError::TooOld));
        assert_eq!(past_date("", today), Err(FieldError::Required));
        assert_eq!(iso_date(date!(2001 - 02 - 03)), "2001-02-03");
    }

    #[test]
    fn dates_as_people_and_excel_write_them() {
        let today = date!(2026 - 12 - 07);
        let first = date!(2026 - 12 - 01);
        for written in [
            "2026-12-01",
            "2026-12-1",
            "2026/12/1",
            "2026/12/01",
            "2026年12月1日",
            "2026年12月01日",
            "２０２６／１２／１",
            "２０２６年１２月１日",
            " 2026/12/1 ",
        ] {
            assert_eq!(past_date(written, today), Ok(first), "{written}");
        }
    }

    #[test]
    fn refuses_impossible_dates_and_garbage_in_every_format() {
        let today = date!(2026 - 12 - 07);
        for garbage in [
            "2026/2/30",
            "2026年2月30日",
            "2026/13/1",
            "2026/0/1",
            "2026/12/1/1",
            "2026/12-1",
            "26/12/1",
            "2026/123/1",
            "2026/+1/1",
            "2026年12月",
            "12/1/2026",
            "令和8年12月1日",
            "abc",
        ] {
            assert_eq!(
                past_date(garbage, today),
                Err(FieldError::InvalidDate),
                "{garbage}"
            );
        }
        assert_eq!(past_date("2026/12/8", today), Err(FieldError::FutureDate));
        assert_eq!(past_date("1899/12/31", today), Err(FieldError::TooOld));
        assert_eq!(past_date("　", today), Err(FieldError::Required));
    }
}
