//! The two user pools. Customers: sign-up with e-mail verification, password login with
//! server-side sessions, optional two-step verification, password reset, profile changes and
//! account deletion by crypto-shredding. Staff: accounts with roles and a mandatory second
//! factor (see [`staff`]). Both share the login protection (back-off and lockout).
//!
//! Every outcome is written to the audit trail in the same transaction as the change it
//! records. Nothing here ever tells a caller whether an e-mail address is registered.

mod deletion;
mod device;
mod directory;
mod error;
mod fields;
mod login;
mod mails;
mod mfa;
mod passkeys;
mod password;
mod profile;
mod recovery;
mod reset;
mod sessions;
mod signup;
pub mod staff;
mod step_up;
mod store;
mod throttle;
mod verification;

use std::sync::Arc;

use platform::config::SessionConfig;
use platform::crypto::Keyring;
use platform::db::Db;
use platform::outbox::Outbox;
use url::Url;

pub use directory::{
    CustomerDetails, DirectoryExport, DirectoryPage, DirectoryQuery, DirectoryRow,
    EMAIL_PREFIX_MIN, KANA_PREFIX_MIN, PAGE_SIZE, PageNumber, SEARCH_MAX_CHARS, SearchError,
    SearchTerm, SortOrder, StatusFilter,
};
pub use error::IdentityError;
pub use fields::{BirthDate, Email, KanaName, KanjiName, NewPassword, password_field};
pub use login::{LoggedIn, LoginContext, LoginOutcome};
pub use mfa::{MfaEnrolment, MfaState};
pub use passkeys::{Ceremony, PasskeyView};
pub use password::PasswordHasher;
pub use profile::{Profile, ProfileUpdate};
pub use recovery::SecurityLink;
pub use sessions::{STEP_UP_SECS, SessionInfo};
pub use signup::SignupRequest;
pub use store::{CustomerStatus, SessionView};
pub use verification::SignupProof;

/// Where links in mails point and how long sessions last.
pub struct Settings {
    /// The public address of the portal.
    pub base_url: Url,
    /// The address of the staff consoles.
    pub staff_base_url: Url,
    /// Customer session lifetimes.
    pub sessions: SessionConfig,
    /// Staff session lifetimes.
    pub staff_sessions: SessionConfig,
}

/// Both user pools and what they need: storage, keys, the password hasher and the mail outbox.
pub struct Identity {
    db: Db,
    keyring: Arc<Keyring>,
    hasher: PasswordHasher,
    outbox: Arc<Outbox>,
    base_url: Url,
    sessions: SessionConfig,
    staff_sessions: SessionConfig,
    passkeys: passkeys::RelyingParties,
}

impl Identity {
    /// Assembles the pools.
    pub fn new(
        db: Db,
        keyring: Arc<Keyring>,
        hasher: PasswordHasher,
        outbox: Arc<Outbox>,
        settings: Settings,
    ) -> Self {
        let Settings {
            base_url,
            staff_base_url,
            sessions,
            staff_sessions,
        } = settings;
        let passkeys = passkeys::RelyingParties::new(&base_url, &staff_base_url);
        Self {
            db,
            keyring,
            hasher,
            outbox,
            base_url,
            sessions,
            staff_sessions,
            passkeys,
        }
    }

    fn link(&self, path: &str) -> String {
        self.base_url
            .join(path)
            .map_or_else(|_| path.to_owned(), |u| u.to_string())
    }
}
