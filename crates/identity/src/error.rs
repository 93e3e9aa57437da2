//! Errors of the customer pool. Messages shown to people come from the web layer's catalog;
//! these variants only say what happened.

use platform::crypto::{CryptoError, KeyringError};
use platform::db::DbError;
use platform::fields::FormErrors;

/// What can go wrong in the customer pool.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// Form values were refused; nothing was changed.
    #[error("invalid input")]
    Invalid(FormErrors),
    /// E-mail and password do not match an account (deliberately vague).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// The account exists but its e-mail address is not yet verified; a new link was sent.
    #[error("e-mail address not verified")]
    NotVerified,
    /// Too many failed attempts: try again after this many seconds.
    #[error("too many attempts")]
    Throttled {
        /// Seconds until the next attempt is accepted.
        retry_after: i64,
    },
    /// The account has been disabled by the bank.
    #[error("account disabled")]
    Disabled,
    /// A verification link was opened outside the browser that signed up: the password chosen
    /// at sign-up is needed.
    #[error("password required")]
    PasswordRequired,
    /// A verification or reset link is unknown, used or expired.
    #[error("link invalid or expired")]
    LinkInvalid,
    /// No such object for this customer.
    #[error("not found")]
    NotFound,
    /// The second login step is unknown, expired or out of attempts: log in again.
    #[error("second step expired")]
    SecondStepExpired,
    /// A staff account with that user name exists already.
    #[error("user name taken")]
    UsernameTaken,
    /// The session is unknown or expired.
    #[error("not logged in")]
    NotLoggedIn,
    /// A passkey answer did not verify, or its ceremony is unknown, used or expired.
    #[error("passkey refused")]
    PasskeyRefused,
    /// This address has no domain name, so it cannot be a WebAuthn relying party.
    #[error("passkeys unavailable here")]
    PasskeysUnavailable,
    /// The customer's data key has been destroyed.
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
    /// Hashing a password failed.
    #[error("password hashing failed")]
    Hashing,
    /// Every password check is taken and the queue is full: try again in a few seconds.
    #[error("password checks busy")]
    Busy,
}

impl From<sqlx::Error> for IdentityError {
    fn from(e: sqlx::Error) -> Self {
        IdentityError::Db(DbError::Query(e))
    }
}

impl platform::fault::Classify for IdentityError {
    fn fault(&self) -> platform::fault::Fault {
        use platform::fault::Fault;
        match self {
            IdentityError::Invalid(_)
            | IdentityError::PasswordRequired
            | IdentityError::PasskeyRefused => Fault::Invalid,
            IdentityError::InvalidCredentials
            | IdentityError::NotVerified
            | IdentityError::Throttled { .. }
            | IdentityError::Disabled => Fault::Forbidden,
            IdentityError::LinkInvalid
            | IdentityError::NotFound
            | IdentityError::PasskeysUnavailable => Fault::NotFound,
            IdentityError::SecondStepExpired
            | IdentityError::NotLoggedIn
            | IdentityError::Shredded => Fault::SignInRequired,
            IdentityError::UsernameTaken => Fault::Conflict,
            IdentityError::Busy => Fault::Busy,
            IdentityError::Db(e) => e.fault(),
            IdentityError::Keyring(e) => e.fault(),
            IdentityError::Crypto(e) => e.fault(),
            IdentityError::Hashing => Fault::Internal,
        }
    }
}
