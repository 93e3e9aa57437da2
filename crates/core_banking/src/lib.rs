//! The customer's account at the bank, as the portal knows it: the fields a customer types to
//! register it (branch code, account type, account number, holder name in kana), the interface
//! through which the portal reads the account, its balance and transactions from the core banking
//! system, and [`SandboxCoreBanking`], the deterministic stand-in used for demos and tests until
//! the bank's connector exists. What that connector must provide is written down in
//! `docs/core-banking.md`.

mod account;
mod connector;
mod holder;
mod sandbox;

pub use account::{AccountNumber, AccountRef, AccountType, BranchCode};
pub use connector::{
    Account, Balance, CoreBanking, CoreBankingError, Currency, Result, Transaction,
};
pub use holder::{HOLDER_MAX, HolderName, holder_key, holder_matches};
pub use sandbox::{HISTORY_DAYS, NOT_FOUND_PREFIX, SandboxCoreBanking};
