//! The bank account a customer registers: the form as typed, its checks, and the sealed form
//! kept with the application.

use core_banking::{
    AccountNumber, AccountRef, AccountType, BranchCode, HolderName, holder_matches,
};
use platform::fields::{FieldError, FormErrors};
use serde::{Deserialize, Serialize};

/// The account form as submitted.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct AccountForm {
    /// Branch code (支店番号), three digits.
    pub branch: String,
    /// `ordinary` or `current`.
    pub account_type: String,
    /// Account number, seven digits.
    pub number: String,
    /// Holder name in kana, as the bank prints it.
    pub holder: String,
}

/// A checked account with its holder name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankAccount {
    /// Branch, type and number.
    pub account: AccountRef,
    /// Holder name, normalised to full-width katakana.
    pub holder: HolderName,
}

/// How an account is sealed into the database: codes and digits only.
#[derive(Serialize, Deserialize)]
struct Sealed {
    branch: String,
    kind: String,
    number: String,
    holder: String,
}

impl AccountForm {
    /// Checks every field, and that the holder is the registered customer (by their kana name).
    pub fn validate(&self, registered_kana: &str) -> Result<BankAccount, FormErrors> {
        let mut errors = FormErrors::default();
        let branch = errors.check("branch", BranchCode::parse(&self.branch));
        let kind = errors.check(
            "account_type",
            AccountType::from_code(self.account_type.trim()).ok_or(FieldError::UnknownChoice),
        );
        let number = errors.check("number", AccountNumber::parse(&self.number));
        let holder = errors.check(
            "holder",
            HolderName::parse(&self.holder).and_then(|h| {
                if holder_matches(&h, registered_kana) {
                    Ok(h)
                } else {
                    Err(FieldError::HolderMismatch)
                }
            }),
        );
        match (branch, kind, number, holder) {
            (Some(branch), Some(kind), Some(number), Some(holder)) if errors.is_empty() => {
                Ok(BankAccount {
                    account: AccountRef {
                        branch,
                        kind,
                        number,
                    },
                    holder,
                })
            }
            _ => Err(errors),
        }
    }

    /// The form pre-filled with a stored account (to edit a draft or apply again).
    pub fn from_account(account: &BankAccount) -> Self {
        Self {
            branch: account.account.branch.as_str().to_owned(),
            account_type: account.account.kind.code().to_owned(),
            number: account.account.number.as_str().to_owned(),
            holder: account.holder.as_str().to_owned(),
        }
    }
}

impl BankAccount {
    /// The bytes to seal.
    pub(crate) fn to_plain(&self) -> Vec<u8> {
        let sealed = Sealed {
            branch: self.account.branch.as_str().to_owned(),
            kind: self.account.kind.code().to_owned(),
            number: self.account.number.as_str().to_owned(),
            holder: self.holder.as_str().to_owned(),
        };
        serde_json::to_vec(&sealed).unwrap_or_default()
    }

    /// Reads what [`BankAccount::to_plain`] wrote; `None` for bytes it did not write.
    pub(crate) fn from_plain(bytes: &[u8]) -> Option<Self> {
        let s: Sealed = serde_json::from_slice(bytes).ok()?;
        Some(Self {
            account: AccountRef {
                branch: BranchCode::parse(&s.branch).ok()?,
                kind: AccountType::from_code(&s.kind)?,
                number: AccountNumber::parse(&s.number).ok()?,
            },
            holder: HolderName::parse(&s.holder).ok()?,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn form(branch: &str, kind: &str, number: &str, holder: &str) -> AccountForm {
        AccountForm {
            branch: branch.into(),
            account_type: kind.into(),
            number: number.into(),
            holder: holder.into(),
        }
    }

    #[test]
    fn a_good_form_passes_with_full_width_digits_and_half_width_kana() {
        let account = form("１２３", "ordinary", "０１２３４５６", "ﾔﾏﾀﾞ ﾀﾛｳ")
            .validate("ヤマダ タロウ")
            .unwrap();
        assert_eq!(account.account.branch.as_str(), "123");
        assert_eq!(account.account.number.as_str(), "0123456");
        let again = BankAccount::from_plain(&account.to_plain()).unwrap();
        assert_eq!(again, account);
    }

    #[test]
    fn each_bad_field_is_named() {
        let errors = form("12", "savings", "12345678", "スズキ ハナコ")
            .validate("ヤマダ タロウ")
            .unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, vec!["branch", "account_type", "number", "holder"]);
        assert_eq!(errors.get("holder"), Some(FieldError::HolderMismatch));
        assert_eq!(errors.get("account_type"), Some(FieldError::UnknownChoice));
        let letters = form("1a3", "current", "12-4567", "ヤマダ タロウ")
            .validate("ヤマダ タロウ")
            .unwrap_err();
        assert!(letters.get("branch").is_some() && letters.get("number").is_some());
    }

    #[test]
    fn garbage_in_the_sealed_form_is_not_an_account() {
        assert!(BankAccount::from_plain(b"{}").is_none());
        assert!(BankAccount::from_plain(b"not json").is_none());
    }
}
