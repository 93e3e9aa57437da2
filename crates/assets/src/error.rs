//! Errors of the asset ledger.

use platform::crypto::{CryptoError, KeyringError};
use platform::db::DbError;
use platform::fields::FormErrors;

/// What can go wrong with assets.
#[derive(Debug, thiserror::Error)]
pub enum AssetError {
    /// No such asset for this customer (whether it exists for someone else is not said).
    #[error("asset not found")]
    NotFound,
    /// Form values were refused; nothing was changed.
    #[error("invalid input")]
    Invalid(FormErrors),
    /// The customer already has the maximum number of entries.
    #[error("too many assets")]
    TooMany,
    /// The customer's data key is gone.
    #[error("customer data no longer readable")]
    Shredded,
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// Keys failed.
    #[error(transparent)]
    Keyring(#[from] KeyringError),
    /// A stored field failed to decrypt.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

impl From<sqlx::Error> for AssetError {
    fn from(e: sqlx::Error) -> Self {
        AssetError::Db(DbError::Query(e))
    }
}

impl platform::fault::Classify for AssetError {
    fn fault(&self) -> platform::fault::Fault {
        use platform::fault::Fault;
        match self {
            AssetError::NotFound => Fault::NotFound,
            AssetError::Invalid(_) => Fault::Invalid,
            AssetError::TooMany => Fault::Conflict,
            AssetError::Shredded => Fault::SignInRequired,
            AssetError::Db(e) => e.fault(),
            AssetError::Keyring(e) => e.fault(),
            AssetError::Crypto(e) => e.fault(),
        }
    }
}
