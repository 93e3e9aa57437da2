//! The portal's application state: one value built at start-up and passed to every handler.

use std::sync::Arc;

use applications::Applications;
use assets::AssetBook;
use identity::Identity;
use platform::crypto::Keyring;
use platform::db::Db;

/// Everything the portal's handlers use.
pub struct App {
    /// Storage, for readiness checks.
    pub db: Db,
    /// Keys, for form tokens.
    pub keyring: Arc<Keyring>,
    /// The customer pool.
    pub identity: Arc<Identity>,
    /// Customers' assets.
    pub assets: AssetBook,
    /// Applications for the additional service, and the linked bank accounts.
    pub applications: Arc<Applications>,
    /// The encrypted document store, for readiness checks.
    pub vault: Arc<documents::Vault>,
    /// The OpenID Connect provider.
    pub oidc: Arc<oidc::Provider>,
    /// True when customers arrive over TLS: cookies get `Secure` and the `__Host-` prefix.
    pub secure_cookies: bool,
}

/// Cheap-to-clone handle on [`App`].
#[derive(Clone)]
pub struct AppState(pub Arc<App>);

impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}

impl pages::WebState for AppState {
    fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    fn secure_cookies(&self) -> bool {
        self.secure_cookies
    }
}
