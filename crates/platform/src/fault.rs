//! What kind of failure an error is, as every HTTP surface needs to know it.
//!
//! Domain errors classify themselves ([`Classify`]); the pages, the JSON API and the identity
//! provider each answer from that one classification ([`Fault`]), so one domain error means the
//! same status and the same advice to wait on every surface, and no handler maps errors by hand.

use http::StatusCode;

/// Seconds to wait after [`Fault::Busy`].
pub const BUSY_RETRY_SECS: u64 = 5;

/// Seconds to wait after [`Fault::Unavailable`].
pub const UNAVAILABLE_RETRY_SECS: u64 = 30;

/// The kinds of failure a request can meet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fault {
    /// No such object, or one of another customer (never told apart).
    NotFound,
    /// Nobody is signed in, or the session's data can no longer be read: sign in again.
    SignInRequired,
    /// Signed in, but not allowed this: a refused credential, a missing role or factor.
    Forbidden,
    /// The input was refused; nothing changed.
    Invalid,
    /// The object is not in a state that allows this (sent twice, decided already, a limit met).
    Conflict,
    /// A bounded queue is full (password checks in a burst): try again in a few seconds.
    Busy,
    /// A dependency fails for a reason that passes (a full disk, a database restarting, the
    /// document store unreachable): nothing was stored, try again shortly.
    Unavailable,
    /// Our failure; the detail goes to the log only.
    Internal,
}

impl Fault {
    /// Every fault, for tables and their tests.
    pub const ALL: [Fault; 8] = [
        Fault::NotFound,
        Fault::SignInRequired,
        Fault::Forbidden,
        Fault::Invalid,
        Fault::Conflict,
        Fault::Busy,
        Fault::Unavailable,
        Fault::Internal,
    ];

    /// The status every surface answers with; pages send [`Fault::SignInRequired`] to their
    /// sign-in page instead.
    pub fn status(self) -> StatusCode {
        match self {
            Fault::NotFound => StatusCode::NOT_FOUND,
            Fault::SignInRequired => StatusCode::UNAUTHORIZED,
            Fault::Forbidden => StatusCode::FORBIDDEN,
            Fault::Invalid => StatusCode::BAD_REQUEST,
            Fault::Conflict => StatusCode::CONFLICT,
            Fault::Busy | Fault::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Fault::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Seconds the client is asked to wait (`Retry-After`) for a fault that passes: a queue
    /// drains in seconds; a pool reconnects or a database fails over within half a minute, short
    /// enough that a customer retries by hand.
    pub fn retry_after(self) -> Option<u64> {
        match self {
            Fault::Busy => Some(BUSY_RETRY_SECS),
            Fault::Unavailable => Some(UNAVAILABLE_RETRY_SECS),
            _ => None,
        }
    }

    /// A failure that is not the client's: a storage fault that passes (found anywhere in the
    /// error's chain of causes) is [`Fault::Unavailable`], anything else [`Fault::Internal`].
    pub fn of_failure(error: &(dyn std::error::Error + 'static)) -> Fault {
        if crate::db::is_transient(error) {
            Fault::Unavailable
        } else {
            Fault::Internal
        }
    }
}

/// An error that knows what kind of failure it is.
pub trait Classify: std::error::Error + 'static {
    /// The kind of failure, decided by the domain that raised it.
    fn fault(&self) -> Fault;
}

/// Classifies `error` and logs the faults that are ours, with the request ID of the current
/// span: a warning for one that passes, an error otherwise. Client faults are not logged.
pub fn classify(error: &dyn Classify) -> Fault {
    let fault = error.fault();
    match fault {
        Fault::Unavailable => {
            tracing::warn!(error = %error, "request refused: a dependency is unavailable for now");
        }
        Fault::Internal => tracing::error!(error = %error, "request failed"),
        _ => {}
    }
    fault
}

impl Classify for crate::db::DbError {
    fn fault(&self) -> Fault {
        if self.is_transient() {
            Fault::Unavailable
        } else {
            Fault::Internal
        }
    }
}

impl Classify for crate::crypto::KeyringError {
    fn fault(&self) -> Fault {
        Fault::of_failure(self)
    }
}

impl Classify for crate::crypto::CryptoError {
    fn fault(&self) -> Fault {
        Fault::Internal
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{DbError, WriterGone};

    #[test]
    fn faults_that_pass_ask_the_client_to_wait() {
        for fault in Fault::ALL {
            let passes = matches!(fault, Fault::Busy | Fault::Unavailable);
            assert_eq!(fault.retry_after().is_some(), passes, "{fault:?}");
            assert_eq!(
                fault.status() == StatusCode::SERVICE_UNAVAILABLE,
                passes,
                "{fault:?}"
            );
        }
    }

    #[test]
    fn storage_faults_that_pass_are_told_apart_from_ours() {
        assert_eq!(
            DbError::WriterStopped(WriterGone).fault(),
            Fault::Unavailable
        );
        assert_eq!(DbError::Corrupt { column: "x" }.fault(), Fault::Internal);
        let io = DbError::Query(sqlx::Error::Io(std::io::Error::other("disk")));
        assert_eq!(Fault::of_failure(&io), Fault::Unavailable);
        assert_eq!(
            Fault::of_failure(&std::io::Error::other("no cause")),
            Fault::Internal
        );
    }
}
