//! Applications for the additional (premium) service.
//!
//! A customer registers the bank account they hold with us and uploads their identity document
//! (front, optionally back); they review and submit; an operator reviews and approves or rejects
//! with a reason (an approval over a difference from the core banking system only with a
//! written reason and a second operator); approval grants the `premium` entitlement, after
//! which the linked account's balance and transactions come from the core banking system. Every state change writes its
//! mails to the outbox and its audit entry in the same transaction, so a change is never
//! recorded without its notification or the other way round.
//!
//! The account is sealed with the customer's data key; document images go through
//! [`documents`] (sniffed, re-encoded, encrypted under a key wrapped by the customer's key), so
//! deleting the customer shreds both. Customers reach only their own application: nothing they
//! send names another customer's record in a way that would be honoured.

mod account;
mod comparison;
mod decision;
mod draft;
mod error;
mod events;
mod linked;
mod mails;
mod recheck;
mod review;
mod sendback;
mod status;
mod store;
mod submission;
mod view;
mod workload;

use std::sync::Arc;

use core_banking::CoreBanking;
use documents::Vault;
use identity::Identity;
use platform::crypto::{DataKey, Keyring};
use platform::db::Db;
use platform::ids::{ApplicationId, CustomerId};
use platform::outbox::Outbox;
use sqlx::AnyConnection;
use url::Url;

pub use account::{AccountForm, BankAccount};
pub use comparison::{ComparedField, Comparison, Field, Value, Verdict};
pub use decision::{Decision, MAX_NOTE_CHARS, MAX_OVERRIDE_REASON_CHARS, Outcome};
pub use error::ApplicationError;
pub use events::{EventKind, TimelineEntry};
pub use linked::{HISTORY_DAYS, LinkedAccount, RECENT_TRANSACTIONS};
pub use review::{AccountCheck, Review, Viewer};
pub use sendback::{MAX_RETURN_REASON_CHARS, SentBack};
pub use status::{RejectionReason, ReturnedItem, Side, Status};
pub use store::QueueFilter;
pub use view::{ApplicationView, DocumentImage, DocumentInfo, QueueItem, Rejection};
pub use workload::{NextCase, Workload};

/// Where links in mails point and who hears of new submissions.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The customers' portal, for links in customer mails.
    pub public_base_url: Url,
    /// The staff console, for links in operator mails.
    pub staff_base_url: Url,
    /// Mailboxes of the business operators told of each new submission (B3).
    pub operator_addresses: Vec<String>,
    /// Limits every uploaded image must meet.
    pub document_limits: documents::UploadLimits,
    /// Approvals need a second operator other than the one who proposed them.
    pub maker_checker: bool,
    /// When set, each submitted application goes at once to the operator holding the fewest
    /// open cases, none beyond this many.
    pub auto_assign_cap: Option<u32>,
}

/// The application service.
pub struct Applications {
    db: Db,
    keyring: Arc<Keyring>,
    identity: Arc<Identity>,
    vault: Arc<Vault>,
    outbox: Arc<Outbox>,
    banking: Arc<dyn CoreBanking>,
    settings: Settings,
}

impl Applications {
    /// The service over its storage, keys, mail outbox and the core banking connector.
    pub fn new(
        db: Db,
        keyring: Arc<Keyring>,
        identity: Arc<Identity>,
        vault: Arc<Vault>,
        outbox: Arc<Outbox>,
        banking: Arc<dyn CoreBanking>,
        settings: Settings,
    ) -> Self {
        Self {
            db,
            keyring,
            identity,
            vault,
            outbox,
            banking,
            settings,
        }
    }

    /// Whether approvals need a second operator; the review page says so when they do not.
    pub fn maker_checker(&self) -> bool {
        self.settings.maker_checker
    }

    /// The document limits, for the upload page's hints.
    pub fn document_limits(&self) -> &documents::UploadLimits {
        &self.settings.document_limits
    }

    async fn customer_key(
        &self,
        conn: &mut AnyConnection,
        customer: CustomerId,
    ) -> Result<DataKey, ApplicationError> {
        self.keyring
            .customer_key(conn, customer)
            .await?
            .ok_or(ApplicationError::Shredded)
    }
}

/// The short reference a customer quotes on the phone: the first eight hex digits of the ID.
pub fn reception_number(id: ApplicationId) -> String {
    let hex: String = id
        .to_string()
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(8)
        .collect::<String>()
        .to_ascii_uppercase();
    format!("{}-{}", &hex[..4.min(hex.len())], &hex[4.min(hex.len())..])
}

fn account_aad(id: ApplicationId) -> Vec<u8> {
    format!("application:{id}/account").into_bytes()
}

fn note_aad(id: ApplicationId) -> Vec<u8> {
    format!("application:{id}/rejection_note").into_bytes()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reception_numbers_are_short_and_stable() {
        let id: ApplicationId = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d".parse().unwrap();
        assert_eq!(reception_number(id), "0A1B-2C3D");
        assert_eq!(reception_number(id), reception_number(id));
    }
}
