//! The signature every customer mail closes with: the bank, the desk that answers questions,
//! its telephone number and hours, and a web page. Customers read it to know whom to call
//! when a mail worries them, so a value that would print badly stops start-up.

use serde::{Deserialize, Serialize};
use url::Url;

use super::ConfigError;

/// `[mail.signature]`: the contact shared by both languages, and the words of each language.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct SignatureConfig {
    /// Telephone number of the desk, as customers dial it (`0120-000-000`).
    pub phone: String,
    /// The desk's web page (`https://…`).
    pub url: Url,
    /// The words in Japanese.
    pub ja: SignatureWords,
    /// The words in English.
    pub en: SignatureWords,
}

/// `[mail.signature.ja]` or `[mail.signature.en]`: what is written, not dialled. Keys left
/// out of the file keep the built-in words of their language (the layers merge key by key).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SignatureWords {
    /// The bank's name.
    pub bank: String,
    /// The desk that answers customers.
    pub department: String,
    /// When the desk answers the telephone.
    pub hours: String,
}

/// Longest bank name, desk or hours accepted: one line of a mail.
const MAX_CHARS: usize = 60;

impl Default for SignatureConfig {
    #[allow(clippy::expect_used)] // a constant URL
    fn default() -> Self {
        Self {
            phone: "0120-000-000".to_owned(),
            url: Url::parse("https://www.bank.example/support/").expect("a valid constant URL"),
            ja: SignatureWords {
                bank: "〇〇銀行".to_owned(),
                department: "資産管理サービス窓口".to_owned(),
                hours: "平日 9:00〜17:00".to_owned(),
            },
            en: SignatureWords {
                bank: "Example Bank".to_owned(),
                department: "Asset Status Service Desk".to_owned(),
                hours: "weekdays 9:00–17:00 Japan time".to_owned(),
            },
        }
    }
}

impl SignatureConfig {
    /// Refuses values that would print badly or could not be used to reach the desk.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let digits = self.phone.chars().filter(char::is_ascii_digit).count();
        let allowed = |c: char| c.is_ascii_digit() || matches!(c, '-' | '+' | ' ' | '(' | ')');
        if !(6..=15).contains(&digits) || !self.phone.chars().all(allowed) {
            return Err(ConfigError::Invalid {
                key: "mail.signature.phone",
                reason: "must be a telephone number of 6 to 15 digits, such as 0120-000-000"
                    .to_owned(),
            });
        }
        if !matches!(self.url.scheme(), "https" | "http") || self.url.host_str().is_none() {
            return Err(ConfigError::Invalid {
                key: "mail.signature.url",
                reason: "must be an https:// address of the bank's web page".to_owned(),
            });
        }
        let words = [
            ("mail.signature.ja.bank", &self.ja.bank),
            ("mail.signature.ja.department", &self.ja.department),
            ("mail.signature.ja.hours", &self.ja.hours),
            ("mail.signature.en.bank", &self.en.bank),
            ("mail.signature.en.department", &self.en.department),
            ("mail.signature.en.hours", &self.en.hours),
        ];
        for (key, value) in words {
            if let Err(reason) = one_line(value) {
                return Err(ConfigError::Invalid {
                    key,
                    reason: reason.to_owned(),
                });
            }
        }
        Ok(())
    }
}

fn one_line(value: &str) -> Result<(), &'static str> {
    if value.trim().is_empty() {
        return Err("must not be empty");
    }
    if value.chars().any(char::is_control) {
        return Err("must be one line without control characters");
    }
    if value.chars().count() > MAX_CHARS {
        return Err("must be at most 60 characters");
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    fn refused_key(config: &SignatureConfig) -> &'static str {
        match config.validate() {
            Err(ConfigError::Invalid { key, .. }) => key,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn the_defaults_are_accepted() {
        assert!(SignatureConfig::default().validate().is_ok());
    }

    #[test]
    fn bad_values_are_refused_naming_the_key() {
        for phone in ["call us", "0120", "0120-000-000; ext. 9999999999"] {
            let config = SignatureConfig {
                phone: phone.to_owned(),
                ..SignatureConfig::default()
            };
            assert_eq!(refused_key(&config), "mail.signature.phone", "{phone}");
        }

        let config = SignatureConfig {
            url: Url::parse("mailto:desk@bank.example").unwrap(),
            ..SignatureConfig::default()
        };
        assert_eq!(refused_key(&config), "mail.signature.url");

        let mut config = SignatureConfig::default();
        config.en.department = " ".to_owned();
        assert_eq!(refused_key(&config), "mail.signature.en.department");

        let mut config = SignatureConfig::default();
        config.ja.bank = "〇〇銀行\n偽の窓口".to_owned();
        assert_eq!(refused_key(&config), "mail.signature.ja.bank");

        let mut config = SignatureConfig::default();
        config.ja.hours = "あ".repeat(61);
        assert_eq!(refused_key(&config), "mail.signature.ja.hours");
    }
}
