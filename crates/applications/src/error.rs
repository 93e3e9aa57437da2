//! Errors of the application flow. Each refusal a customer can cause has its own variant, so
//! the web layer can say exactly what to do; storage and key failures stay opaque.

use platform::crypto::{CryptoError, KeyringError};
use platform::db::DbError;
use platform::fields::FormErrors;

/// What can go wrong with an application.
#[derive(Debug, thiserror::Error)]
pub enum ApplicationError {
    /// No such application or document for this customer (whether it exists for someone else
    /// is not said).
    #[error("application not found")]
    NotFound,
    /// The account form was refused; nothing was changed.
    #[error("invalid input")]
    Invalid(FormErrors),
    /// An uploaded file was refused; nothing was stored.
    #[error("document refused: {0}")]
    Document(#[from] documents::DocumentError),
    /// The customer already has an application in progress.
    #[error("an application is already open")]
    AlreadyOpen,
    /// The customer already has the service.
    #[error("already approved")]
    AlreadyApproved,
    /// The application is no longer a draft: it has been sent or decided.
    #[error("application can no longer be changed")]
    NotEditable,
    /// Submission without the account or the front of the document.
    #[error("application incomplete")]
    Incomplete,
    /// A decision on an application that is not waiting for one.
    #[error("application is {0}, not waiting for a decision")]
    NotDecidable(&'static str),
    /// Maker-checker: the operator who proposed the approval tried to confirm it.
    #[error("an approval needs a second operator")]
    SelfApproval,
    /// The customer's data key is gone.
    #[error("customer data no longer readable")]
    Shredded,
    /// The customer record could not be read.
    #[error(transparent)]
    Identity(#[from] identity::IdentityError),
    /// The core banking system did not answer.
    #[error(transparent)]
    Banking(#[from] core_banking::CoreBankingError),
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

impl From<sqlx::Error> for ApplicationError {
    fn from(e: sqlx::Error) -> Self {
        ApplicationError::Db(DbError::Query(e))
    }
}

impl platform::fault::Classify for ApplicationError {
    fn fault(&self) -> platform::fault::Fault {
        use platform::fault::Fault;
        match self {
            ApplicationError::NotFound => Fault::NotFound,
            ApplicationError::Invalid(_) => Fault::Invalid,
            ApplicationError::AlreadyOpen
            | ApplicationError::AlreadyApproved
            | ApplicationError::NotEditable
            | ApplicationError::Incomplete
            | ApplicationError::NotDecidable(_)
            | ApplicationError::SelfApproval => Fault::Conflict,
            ApplicationError::Shredded => Fault::SignInRequired,
            ApplicationError::Document(e) => e.fault(),
            ApplicationError::Identity(e) => e.fault(),
            ApplicationError::Banking(e) => e.fault(),
            ApplicationError::Db(e) => e.fault(),
            ApplicationError::Keyring(e) => e.fault(),
            ApplicationError::Crypto(e) => e.fault(),
        }
    }
}

#[cfg(test)]
mod tests {
    use platform::db::WriterGone;
    use platform::fault::{Classify, Fault};

    use super::*;

    /// An error wrapped on its way up keeps the kind of failure its own domain gave it.
    #[test]
    fn wrapped_errors_keep_their_domains_classification() {
        let table = [
            (ApplicationError::NotFound, Fault::NotFound),
            (ApplicationError::NotDecidable("decided"), Fault::Conflict),
            (ApplicationError::Shredded, Fault::SignInRequired),
            (
                ApplicationError::Identity(identity::IdentityError::Busy),
                Fault::Busy,
            ),
            (
                ApplicationError::Identity(identity::IdentityError::NotLoggedIn),
                Fault::SignInRequired,
            ),
            (
                ApplicationError::Document(documents::DocumentError::Busy {
                    retry_after_secs: 5,
                }),
                Fault::Busy,
            ),
            (
                ApplicationError::Document(documents::DocumentError::Pdf),
                Fault::Invalid,
            ),
            (
                ApplicationError::Banking(core_banking::CoreBankingError::Timeout),
                Fault::Unavailable,
            ),
            (
                ApplicationError::Banking(core_banking::CoreBankingError::Refused),
                Fault::Internal,
            ),
            (
                ApplicationError::Db(DbError::WriterStopped(WriterGone)),
                Fault::Unavailable,
            ),
            (
                ApplicationError::Db(DbError::Corrupt { column: "x" }),
                Fault::Internal,
            ),
        ];
        for (error, fault) in table {
            assert_eq!(error.fault(), fault, "{error:?}");
        }
    }
}
