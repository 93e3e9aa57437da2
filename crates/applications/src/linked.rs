//! The approved customer's account at the bank: its balance, recent transactions and balance
//! history from the core banking connector, for the accounts page and the dashboard (U8).

use core_banking::{Balance, Transaction};
use platform::ids::CustomerId;
use time::Date;

use crate::account::BankAccount;
use crate::error::ApplicationError;
use crate::status::Status;
use crate::{Applications, store};

/// How many transactions the accounts page lists.
pub const RECENT_TRANSACTIONS: usize = 20;
/// How many days of balance history the dashboard draws.
pub const HISTORY_DAYS: u32 = 400;

/// A premium customer's linked account with its figures.
#[derive(Clone, Debug)]
pub struct LinkedAccount {
    /// The account as registered.
    pub account: BankAccount,
    /// Current balance.
    pub balance: Balance,
    /// Most recent first.
    pub transactions: Vec<Transaction>,
    /// End-of-day balances, oldest first.
    pub history: Vec<(Date, i64)>,
}

impl Applications {
    /// The linked account of a premium customer; `None` for everyone else.
    pub async fn linked_account(
        &self,
        customer: CustomerId,
    ) -> Result<Option<LinkedAccount>, ApplicationError> {
        let account = {
            let mut conn = self.db.read().await?;
            let Some(source) = store::premium_source(&mut conn, customer).await? else {
                return Ok(None);
            };
            let Some(row) = store::by_id(&mut conn, source)
                .await?
                .filter(|r| r.customer == customer && r.status == Status::Approved)
            else {
                return Ok(None);
            };
            let key = self.customer_key(&mut conn, customer).await?;
            let view = crate::view::open_view(&key, row, Vec::new())?;
            match view.account {
                Some(account) => account,
                None => return Ok(None),
            }
        };
        let balance = self.banking.balance(&account.account).await?;
        let transactions = self
            .banking
            .transactions(&account.account, RECENT_TRANSACTIONS)
            .await?;
        let history = self
            .banking
            .balance_history(&account.account, HISTORY_DAYS)
            .await?;
        Ok(Some(LinkedAccount {
            account,
            balance,
            transactions,
            history,
        }))
    }
}
