//! Values a customer types, parsed once at the edge: a value of these types is valid.

use std::fmt;

use platform::fields::{FieldError, fold_full_width, past_date, required_text};
use time::Date;

/// Minimum password length; long passphrases beat composition rules.
pub const PASSWORD_MIN: usize = 10;
/// Maximum password length, bounding hashing work.
pub const PASSWORD_MAX: usize = 128;

/// A normalised e-mail address (trimmed, full-width folded, lower-cased).
#[derive(Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Parses what a customer typed.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let folded = fold_full_width(raw).trim().to_lowercase();
        if folded.is_empty() {
            return Err(FieldError::Required);
        }
        if folded.chars().count() > 254 {
            return Err(FieldError::TooLong { max: 254 });
        }
        let domain_ok = folded
            .rsplit_once('@')
            .is_some_and(|(_, d)| d.contains('.') && !d.ends_with('.'));
        if !folded.is_ascii() || !domain_ok || !email_address::EmailAddress::is_valid(&folded) {
            return Err(FieldError::InvalidEmail);
        }
        Ok(Self(folded))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Personal values print redacted, so a stray `{:?}` can never put them in a log.
macro_rules! redacted_debug {
    ($($t:ty),*) => {$(
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($t), "(…)"))
            }
        }
    )*};
}

redacted_debug!(Email, KanjiName, KanaName);

/// A name as written in kanji (or any script), e.g. 山田 太郎.
#[derive(Clone, PartialEq, Eq)]
pub struct KanjiName(String);

impl KanjiName {
    /// Parses a name: 1 to 50 characters, no control characters.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        required_text(&raw.replace('\u{3000}', " "), 50).map(Self)
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A name in full-width katakana, e.g. ヤマダ タロウ; hiragana is converted.
#[derive(Clone, PartialEq, Eq)]
pub struct KanaName(String);

impl KanaName {
    /// Parses a reading of a name.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let value = required_text(&raw.replace('\u{3000}', " "), 50)?;
        let katakana: String = value
            .chars()
            .map(|c| match c {
                '\u{3041}'..='\u{3096}' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
                _ => c,
            })
            .collect();
        let is_kana = |c: char| matches!(c, '\u{30A1}'..='\u{30FA}' | 'ー' | '・' | ' ');
        if katakana.chars().all(is_kana) {
            Ok(Self(
                katakana.split_whitespace().collect::<Vec<_>>().join(" "),
            ))
        } else {
            Err(FieldError::NotKana)
        }
    }

    /// The reading.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A date of birth: a real date, not in the future.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BirthDate(Date);

impl BirthDate {
    /// Parses `YYYY-MM-DD`.
    pub fn parse(raw: &str, today: Date) -> Result<Self, FieldError> {
        past_date(raw, today).map(Self)
    }

    /// The date.
    pub fn date(self) -> Date {
        self.0
    }
}

/// The form field a password error belongs to: a mismatch is the confirmation's fault.
pub fn password_field(error: FieldError) -> &'static str {
    if error == FieldError::PasswordMismatch {
        "password_confirm"
    } else {
        "password"
    }
}

/// A new password that passed the policy: at least [`PASSWORD_MIN`] characters, at most
/// [`PASSWORD_MAX`], and not easy to guess (zxcvbn score 3 or more, which refuses common
/// passwords and ones built from the customer's own name or address).
#[derive(Clone)]
pub struct NewPassword(String);

impl NewPassword {
    /// Checks a new password and its confirmation.
    pub fn parse(raw: &str, confirmation: &str, personal: &[&str]) -> Result<Self, FieldError> {
        let length = raw.chars().count();
        if length == 0 {
            return Err(FieldError::Required);
        }
        if length < PASSWORD_MIN {
            return Err(FieldError::PasswordTooShort { min: PASSWORD_MIN });
        }
        if length > PASSWORD_MAX {
            return Err(FieldError::TooLong { max: PASSWORD_MAX });
        }
        if raw != confirmation {
            return Err(FieldError::PasswordMismatch);
        }
        if (zxcvbn::zxcvbn(raw, personal).score() as u8) < 3 {
            return Err(FieldError::PasswordWeak);
        }
        Ok(Self(raw.to_owned()))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(********)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse(" Taro.Yamada@Example.JP ").unwrap().as_str(),
            "taro.yamada@example.jp"
        );
        assert_eq!(
            Email::parse("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ")
                .unwrap()
                .as_str(),
            "taro@example.jp"
        );
        for bad in [
            "taro",
            "taro@",
            "@example.jp",
            "taro@example",
            "山田@example.jp",
            "a b@example.jp",
        ] {
            assert_eq!(Email::parse(bad), Err(FieldError::InvalidEmail), "{bad}");
        }
        assert_eq!(Email::parse(""), Err(FieldError::Required));
        let long = format!("{}@example.jp", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(FieldError::TooLong { max: 254 }));
    }

    #[test]
    fn kana_names_accept_katakana_and_hiragana_only() {
        assert_eq!(
            KanaName::parse("ヤマダ　タロウ").unwrap().as_str(),
            "ヤマダ タロウ"
        );
        assert_eq!(
            KanaName::parse("やまだ たろう").unwrap().as_str(),
            "ヤマダ タロウ"
        );
        assert_eq!(KanaName::parse("山田"), Err(FieldError::NotKana));
        assert_eq!(KanaName::parse("Yamada"), Err(FieldError::NotKana));
        assert_eq!(KanaName::parse("ﾔﾏﾀﾞ"), Err(FieldError::NotKana));
    }

    #[test]
    fn birth_dates_cannot_lie_in_the_future() {
        let today = date!(2026 - 11 - 21);
        assert!(BirthDate::parse("1985-04-01", today).is_ok());
        assert_eq!(
            BirthDate::parse("2030-01-01", today),
            Err(FieldError::FutureDate)
        );
    }

    #[test]
    fn password_policy_refuses_short_common_and_personal_passwords() {
        let p = |raw: &str| {
            NewPassword::parse(raw, raw, &["taro.yamada@example.jp", "ヤマダ タロウ"]).map(|_| ())
        };
        assert_eq!(p("short"), Err(FieldError::PasswordTooShort { min: 10 }));
        assert_eq!(p("password123"), Err(FieldError::PasswordWeak));
        assert_eq!(p("qwertyuiop"), Err(FieldError::PasswordWeak));
        assert_eq!(p("taro.yamada@example.jp"), Err(FieldError::PasswordWeak));
        assert!(p("correct horse battery staple").is_ok());
        assert!(p("桜の花が咲く春の朝に散歩").is_ok());
        assert_eq!(
            NewPassword::parse("correct horse battery staple", "other", &[]).map(|_| ()),
            Err(FieldError::PasswordMismatch)
        );
        assert_eq!(p(&"x".repeat(129)), Err(FieldError::TooLong { max: 128 }));
    }
}
