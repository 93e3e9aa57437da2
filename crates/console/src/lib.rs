//! The staff console shell on the staff listener: sign-in with user name, password and a
//! mandatory second factor (an account without one can only enrol), and the home page from
//! which the back office and the operations console are reached. Never served to customers.

pub mod home_cards;
mod routes;
pub mod staff;

use std::sync::Arc;

use identity::Identity;
use platform::crypto::Keyring;

pub use routes::router;

/// What the console's handlers use.
pub struct Console {
    /// Both user pools (the staff pool here).
    pub identity: Arc<Identity>,
    /// Keys, for form tokens.
    pub keyring: Arc<Keyring>,
    /// True when staff arrive over TLS.
    pub secure_cookies: bool,
    /// Sign-in through the corporate directory, when configured.
    pub federation: Option<Arc<federation::Federation>>,
    /// The consoles served beside this one, each adding its cards to the home page.
    pub home: Vec<Arc<dyn home_cards::HomeCards>>,
}

/// Cheap-to-clone handle on [`Console`].
#[derive(Clone)]
pub struct ConsoleState(pub Arc<Console>);

impl std::ops::Deref for ConsoleState {
    type Target = Console;
    fn deref(&self) -> &Console {
        &self.0
    }
}

impl staff::StaffSite for ConsoleState {
    fn identity(&self) -> &Identity {
        &self.identity
    }
}

impl pages::WebState for ConsoleState {
    fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    fn secure_cookies(&self) -> bool {
        self.secure_cookies
    }
}
