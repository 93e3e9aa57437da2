//! What every server-rendered console shares — the customer portal and the staff consoles
//! alike: page chrome and form state, the CSRF guard and form extractor, cookies, the language
//! of a request, and the one web error type with its error pages.

pub mod chrome;
pub mod cookies;
pub mod csrf;
pub mod error;
pub mod language;
pub mod locale;
pub mod message;
pub mod next;
pub mod notice;
pub mod passkey;
pub mod upload;

use platform::crypto::Keyring;

/// What the shared web layers need from an application's state.
pub trait WebState: Clone + Send + Sync + 'static {
    /// Keys, for form tokens.
    fn keyring(&self) -> &Keyring;
    /// True when cookies get `Secure` and the `__Host-` prefix.
    fn secure_cookies(&self) -> bool;
}
