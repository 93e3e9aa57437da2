//! The OpenID Connect provider of the customer pool: registered clients, the authorization
//! code flow with PKCE, pushed authorization requests, refresh-token rotation, client
//! credentials, DPoP-bound tokens, ES256-signed tokens with rotating keys, userinfo, revocation
//! and end-session. Clients registered with the FAPI 2.0 profile must use PAR,
//! `private_key_jwt` and DPoP.
//!
//! Browsers never hold these tokens: the portal keeps its server-side session. Tokens are for
//! other applications and services of the bank, and for the customer API.

mod access;
mod authorize;
mod claims;
pub mod clients;
mod dpop;
mod error;
mod jose;
mod keys;
mod params;
pub mod paths;
mod store;
mod token;

use std::sync::Arc;

use identity::Identity;
use platform::config::Config;
use platform::crypto::Keyring;
use platform::db::Db;
use platform::time_util::now_unix;

pub use access::{Logout, UserinfoError};
pub use authorize::{
    AuthorizationRequest, AuthorizeError, CODE_SECS, PAR_SECS, PushedRequest, REQUEST_URI_PREFIX,
    SessionVerdict,
};
pub use claims::{
    ACCESS_TOKEN_TYP, ACR_MFA, ACR_PWD, ACR_VALUES, AccessClaims, Confirmation, IdClaims,
};
pub use dpop::{DPOP_HEADER, PROOF_WINDOW_SECS, TokenScheme, TokenUse, authorization, challenge};
pub use error::{ErrorCode, OAuthError, ProviderError};
pub use jose::ALGORITHMS as CLIENT_KEY_ALGORITHMS;
pub use keys::SigningKeys;
pub use params::Params;
pub use token::TokenResponse;

/// The provider's settings, from the `oidc` section of the configuration.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The issuer: the public base URL without a trailing slash.
    pub issuer: String,
    /// The `aud` of access tokens.
    pub api_audience: String,
    /// Lifetime of access and ID tokens.
    pub access_secs: i64,
    /// Lifetime of a grant and its refresh tokens.
    pub refresh_secs: i64,
    /// Age at which the signing key is replaced.
    pub rotation_secs: i64,
}

impl Settings {
    /// The settings a configuration gives.
    pub fn from_config(config: &Config) -> Self {
        let issuer = config
            .public_base_url()
            .as_str()
            .trim_end_matches('/')
            .to_owned();
        Self {
            issuer,
            api_audience: config.oidc.api_audience.clone(),
            access_secs: i64::from(config.oidc.access_token_minutes) * 60,
            refresh_secs: i64::from(config.oidc.refresh_token_days) * 86_400,
            rotation_secs: i64::from(config.oidc.signing_key_rotation_days) * 86_400,
        }
    }
}

/// The provider: one per process, shared by the HTTP handlers and the worker.
pub struct Provider {
    db: Db,
    identity: Arc<Identity>,
    keys: SigningKeys,
    clients: clients::Registry,
    settings: Settings,
}

impl Provider {
    /// The provider, with a signing key made if there is none yet.
    pub async fn new(
        db: Db,
        keyring: Arc<Keyring>,
        identity: Arc<Identity>,
        settings: Settings,
    ) -> Result<Self, ProviderError> {
        let keys = SigningKeys::new(db.clone(), keyring, settings.access_secs);
        keys.ensure().await?;
        Ok(Self {
            db,
            identity,
            keys,
            clients: clients::Registry::default(),
            settings,
        })
    }

    /// The signing keys.
    pub fn keys(&self) -> &SigningKeys {
        &self.keys
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The issuer identifier.
    pub fn issuer(&self) -> &str {
        &self.settings.issuer
    }

    /// The absolute URL of one of our endpoints.
    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.settings.issuer)
    }

    /// Audiences a client assertion may name: the issuer (as FAPI 2.0 asks), or the endpoint
    /// it is sent to (token or PAR, as RFC 7523 clients commonly do).
    fn assertion_audiences(&self) -> Vec<String> {
        vec![
            self.settings.issuer.clone(),
            self.endpoint(paths::TOKEN_PATH),
            self.endpoint(paths::PAR_PATH),
        ]
    }

    /// Rotates the signing key when due and deletes expired codes, grants and records.
    /// Run on a schedule by the worker.
    pub async fn maintain(&self) -> Result<u64, ProviderError> {
        self.keys.maintain(self.settings.rotation_secs).await?;
        let mut tx = self.db.write().await?;
        let removed = store::prune(&mut tx, now_unix()).await?;
        tx.commit().await?;
        Ok(removed)
    }
}
