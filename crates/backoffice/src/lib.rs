//! The business operators' console (the back office) on the staff listener, for staff holding
//! the `operator` role with their second factor done. Operators see usage figures and the
//! customer list, work through the queue of applications, open a customer's details and
//! identity documents to review them, and decide. Every view of a customer's data writes an
//! audit entry and a line of the customer's access record in one transaction, before anything
//! is shown. Operators never need a cloud console or the raw store (B6).

mod figures;
mod home;
mod operator;
mod routes;

use std::sync::Arc;

use applications::Applications;
use identity::Identity;
use platform::business_calendar::BusinessCalendar;
use platform::crypto::Keyring;
use platform::db::Db;

pub use routes::router;

/// What the back office's handlers use.
pub struct BackOffice {
    /// Storage, for the usage figures.
    pub db: Db,
    /// Both user pools.
    pub identity: Arc<Identity>,
    /// Applications and their documents.
    pub applications: Arc<Applications>,
    /// Keys, for form tokens and blind indexes.
    pub keyring: Arc<Keyring>,
    /// True when staff arrive over TLS.
    pub secure_cookies: bool,
    /// How the queue's work is paced.
    pub work: WorkSettings,
}

/// How the queue's work is paced: the service-level target counted on the bank's calendar, and
/// how many open cases one operator holds at most.
#[derive(Clone, Debug)]
pub struct WorkSettings {
    /// The bank's business days.
    pub calendar: BusinessCalendar,
    /// Business days within which a submitted application should be decided.
    pub service_level_days: u32,
    /// Open cases one operator holds at most; "next case" gives no more.
    pub assignment_cap: u32,
}

/// Cheap-to-clone handle on [`BackOffice`].
#[derive(Clone)]
pub struct BackOfficeState(pub Arc<BackOffice>);

impl std::ops::Deref for BackOfficeState {
    type Target = BackOffice;
    fn deref(&self) -> &BackOffice {
        &self.0
    }
}

impl console::staff::StaffSite for BackOfficeState {
    fn identity(&self) -> &Identity {
        &self.identity
    }
}

impl pages::WebState for BackOfficeState {
    fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    fn secure_cookies(&self) -> bool {
        self.secure_cookies
    }
}
