//! The interface to the core banking system (勘定系): what the portal may ask about a linked
//! account, and what it gets back. The application holds one `Arc<dyn CoreBanking>`; the
//! production connector and [`crate::SandboxCoreBanking`] both implement it. The semantics each
//! implementation must keep are in `docs/core-banking.md`.

use std::fmt;

use async_trait::async_trait;
use time::{Date, OffsetDateTime};

use crate::account::{AccountRef, AccountType};
use crate::holder::HolderName;

/// Results of the connector.
pub type Result<T> = std::result::Result<T, CoreBankingError>;

/// Why the core banking system gave no answer. Messages never contain account numbers.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CoreBankingError {
    /// The system cannot be reached or is closed (night batch, maintenance); try again later.
    #[error("core banking system unavailable")]
    Unavailable,
    /// No answer within the time limit; the question may be asked again (every operation reads).
    #[error("core banking system timed out")]
    Timeout,
    /// The bank does not know this account (no such branch, type and number).
    #[error("account not found")]
    NotFound,
    /// The account exists but is closed (解約) or frozen; the bank gives no figures for it.
    #[error("account closed or frozen")]
    Closed,
    /// The bank refused the connector itself (client certificate, permissions): an operations
    /// problem, not something a retry or the customer can fix.
    #[error("refused by the core banking system")]
    Refused,
    /// The answer broke the agreed format; the detail is for the log and holds no personal data.
    #[error("malformed answer from the core banking system: {0}")]
    Malformed(String),
}

impl CoreBankingError {
    /// True when the same question may succeed if asked again later, so the caller may retry
    /// with back-off or tell the customer to come back.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            CoreBankingError::Unavailable | CoreBankingError::Timeout
        )
    }
}

/// The currency of an account. Only yen accounts can be linked; foreign-currency deposits are
/// kept in another system of the bank.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Currency {
    /// Japanese yen; amounts are whole yen.
    Jpy,
}

impl Currency {
    /// The ISO 4217 code.
    pub fn code(self) -> &'static str {
        match self {
            Currency::Jpy => "JPY",
        }
    }
}

/// What the bank knows about an account (the caller already holds its [`AccountRef`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// The holder name as the bank registered it.
    pub holder: HolderName,
    /// 普通 or 当座, as the bank records it.
    pub kind: AccountType,
    /// Always yen.
    pub currency: Currency,
    /// The day the account was opened, on the bank's calendar (Asia/Tokyo).
    pub opened_on: Date,
}

/// The money in an account at one moment, in yen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Balance {
    /// The booked balance (残高).
    pub ledger: i64,
    /// What can be withdrawn now (お引出し可能額): the ledger less holds such as pending debit
    /// card payments.
    pub available: i64,
    /// When the bank computed these figures, in Japan time.
    pub as_of: OffsetDateTime,
}

/// One booked transaction, as printed in a passbook.
#[derive(Clone, PartialEq, Eq)]
pub struct Transaction {
    /// The booking date on the bank's calendar.
    pub date: Date,
    /// The description as the bank prints it, e.g. `給与　カ）サンプルショウジ`, `デンキ`,
    /// `ATM`, `振込　ヤマダ　ハナコ`. It can name people: never log it.
    pub description: String,
    /// Signed yen: deposits positive, withdrawals negative.
    pub amount: i64,
    /// The ledger balance right after this transaction.
    pub balance_after: i64,
}

/// The description is left out: it can hold the names of the customer's contacts.
impl fmt::Debug for Transaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transaction")
            .field("date", &self.date)
            .field("amount", &self.amount)
            .field("balance_after", &self.balance_after)
            .finish_non_exhaustive()
    }
}

/// Read access to the bank's accounts. Every operation only reads, so every operation can be
/// retried; amounts are integer yen and dates are on the Asia/Tokyo calendar.
#[async_trait]
pub trait CoreBanking: Send + Sync {
    /// The account, or `None` when the bank has no such account.
    async fn account(&self, account: &AccountRef) -> Result<Option<Account>>;

    /// The current balance. [`CoreBankingError::NotFound`] for an unknown account.
    async fn balance(&self, account: &AccountRef) -> Result<Balance>;

    /// Up to `limit` most recent transactions, newest first; within a day, the later booking
    /// first. [`CoreBankingError::NotFound`] for an unknown account.
    async fn transactions(&self, account: &AccountRef, limit: usize) -> Result<Vec<Transaction>>;

    /// End-of-day ledger balances for the last `days` days up to and including today, oldest
    /// first, one per calendar day. Fewer when the account is younger or the bank keeps less
    /// history. [`CoreBankingError::NotFound`] for an unknown account.
    async fn balance_history(&self, account: &AccountRef, days: u32) -> Result<Vec<(Date, i64)>>;
}

impl platform::fault::Classify for CoreBankingError {
    fn fault(&self) -> platform::fault::Fault {
        use platform::fault::Fault;
        match self {
            e if e.is_retryable() => Fault::Unavailable,
            CoreBankingError::NotFound | CoreBankingError::Closed => Fault::Invalid,
            _ => Fault::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_transient_failures_are_retryable() {
        assert!(CoreBankingError::Unavailable.is_retryable());
        assert!(CoreBankingError::Timeout.is_retryable());
        for permanent in [
            CoreBankingError::NotFound,
            CoreBankingError::Closed,
            CoreBankingError::Refused,
            CoreBankingError::Malformed("missing field".into()),
        ] {
            assert!(!permanent.is_retryable(), "{permanent:?}");
        }
    }

    #[test]
    fn transaction_descriptions_stay_out_of_debug_output() {
        let transaction = Transaction {
            date: time::macros::date!(2026 - 04 - 25),
            description: "振込　ヤマダ　ハナコ".into(),
            amount: 30_000,
            balance_after: 530_000,
        };
        let debug = format!("{transaction:?}");
        assert!(!debug.contains("ヤマダ"), "{debug}");
        assert!(debug.contains("30000"), "{debug}");
    }

    #[test]
    fn currency_is_yen() {
        assert_eq!(Currency::Jpy.code(), "JPY");
    }
}
