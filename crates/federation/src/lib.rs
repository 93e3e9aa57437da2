//! Staff sign-in through the bank's corporate directory, an OpenID Connect provider: we are its
//! client. Authorization code with PKCE and a nonce; the ID token is checked against the
//! provider's published keys; a configured claim decides the staff roles, and `amr`/`acr`
//! whether the directory already asked for a second factor.

mod discovery;
mod mapping;

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use identity::staff::FederatedLogin;
use jsonwebtoken::Validation;
use platform::audit::{self, Actor, Event, Outcome, RequestMeta, Target};
use platform::config::FederationConfig;
use platform::crypto::{CryptoError, Keyring, SecretToken};
use platform::db::{Db, DbError, col};
use platform::time_util::now_unix;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use url::Url;

use discovery::Directory;

/// How long a sign-in may stay at the corporate directory (as long as its cookie lives).
const PENDING_SECS: i64 = 300;

/// Why a federated sign-in failed.
#[derive(Debug, thiserror::Error)]
pub enum FederationError {
    /// The directory could not be reached or answered nonsense.
    #[error("corporate directory unavailable: {0}")]
    Unavailable(String),
    /// The answer failed a check (state, token, signature, nonce): nobody is signed in.
    #[error("sign-in refused: {0}")]
    Refused(&'static str),
    /// The person has none of the mapped roles.
    #[error("no staff role for this person")]
    NoRole,
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A sealed value did not open.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

impl platform::fault::Classify for FederationError {
    fn fault(&self) -> platform::fault::Fault {
        use platform::fault::Fault;
        match self {
            FederationError::Unavailable(_) => Fault::Unavailable,
            FederationError::Refused(_) | FederationError::NoRole => Fault::Forbidden,
            FederationError::Db(e) => e.fault(),
            FederationError::Crypto(e) => e.fault(),
        }
    }
}

/// A sign-in on its way to the directory.
pub struct Started {
    /// The state, to keep in the browser's cookie.
    pub state: String,
    /// Where to send the browser.
    pub url: Url,
}

/// The client of the corporate directory.
pub struct Federation {
    config: FederationConfig,
    directory: Directory,
    db: Db,
    keyring: Arc<Keyring>,
}

impl Federation {
    /// A client for the configured directory; nothing is fetched until the first sign-in.
    pub fn new(
        config: FederationConfig,
        db: Db,
        keyring: Arc<Keyring>,
    ) -> Result<Self, FederationError> {
        let directory = Directory::new(config.issuer.clone())?;
        Ok(Self {
            config,
            directory,
            db,
            keyring,
        })
    }

    /// Remembers a new state, nonce and PKCE verifier and builds the authorization URL.
    pub async fn start(&self) -> Result<Started, FederationError> {
        let meta = self.directory.metadata().await?;
        let state = SecretToken::generate();
        let nonce = SecretToken::generate().plain;
        let verifier = SecretToken::generate().plain;
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        let sealed = self
            .keyring
            .staff_key()
            .seal(verifier.as_bytes(), &aad(&state.hash));
        let mut tx = self.db.write().await?;
        sqlx::query("DELETE FROM staff_federation_logins WHERE expires_at < $1")
            .bind(now_unix())
            .execute(&mut *tx)
            .await
            .map_err(DbError::from)?;
        sqlx::query(
            "INSERT INTO staff_federation_logins (state_hash, nonce, verifier_enc, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&state.hash)
        .bind(&nonce)
        .bind(sealed)
        .bind(now_unix() + PENDING_SECS)
        .execute(&mut *tx)
        .await
        .map_err(DbError::from)?;
        tx.commit().await?;
        let mut url = meta.authorization_endpoint.clone();
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.config.client_id)
            .append_pair("redirect_uri", self.config.redirect_uri.as_str())
            .append_pair("scope", "openid profile email")
            .append_pair("state", &state.plain)
            .append_pair("nonce", &nonce)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256");
        Ok(Started {
            state: state.plain,
            url,
        })
    }

    /// Completes a sign-in from the callback: the state must match the browser's cookie and
    /// be unused; the code is exchanged, the ID token checked and the claims mapped.
    /// Refusals are audited with their reason.
    pub async fn finish(
        &self,
        cookie_state: &str,
        query_state: &str,
        iss: Option<&str>,
        code: &str,
        meta: &RequestMeta,
    ) -> Result<FederatedLogin, FederationError> {
        let result = self.checked(cookie_state, query_state, iss, code).await;
        if let Err(e) = &result {
            self.audit_refusal(e, meta).await;
        }
        result
    }

    /// Records a refused federated sign-in in the audit trail.
    pub async fn audit_refusal(&self, error: &FederationError, meta: &RequestMeta) {
        let (action, outcome) = match error {
            FederationError::NoRole => ("staff.login_federated_no_role", Outcome::Denied),
            FederationError::Unavailable(_) => {
                ("staff.login_federated_unavailable", Outcome::Failure)
            }
            _ => ("staff.login_federated_refused", Outcome::Failure),
        };
        let event = Event {
            actor: Actor::anonymous(),
            action,
            target: Target::none(),
            outcome,
        };
        if let Err(e) = audit::record(&self.db, &event, meta).await {
            tracing::error!(error = %e, "cannot audit a refused federated sign-in");
        }
    }

    async fn checked(
        &self,
        cookie_state: &str,
        query_state: &str,
        iss: Option<&str>,
        code: &str,
    ) -> Result<FederatedLogin, FederationError> {
        let same = cookie_state.len() == query_state.len()
            && bool::from(cookie_state.as_bytes().ct_eq(query_state.as_bytes()));
        if !same || !SecretToken::is_well_formed(query_state) {
            return Err(FederationError::Refused(
                "state does not match this browser",
            ));
        }
        let (nonce, verifier) = self.take_pending(&SecretToken::hash(query_state)).await?;
        let issuer = self.directory.metadata().await?.issuer.clone();
        // RFC 9207: a response naming another issuer is a mix-up attack.
        if iss.is_some_and(|i| i != issuer) {
            return Err(FederationError::Refused("response from another issuer"));
        }
        let tokens = self
            .directory
            .exchange(&self.config, code, &verifier)
            .await?;
        let claims = self.verified_claims(&tokens, &nonce, &issuer).await?;
        mapping::login(&self.config, &issuer, &claims)
    }

    async fn take_pending(&self, hash: &[u8]) -> Result<(String, String), FederationError> {
        let mut tx = self.db.write().await?;
        let row = sqlx::query(
            "SELECT nonce, verifier_enc, expires_at FROM staff_federation_logins WHERE state_hash = $1",
        )
        .bind(hash)
        .fetch_optional(&mut *tx)
        .await
        .map_err(DbError::from)?;
        sqlx::query("DELETE FROM staff_federation_logins WHERE state_hash = $1")
            .bind(hash)
            .execute(&mut *tx)
            .await
            .map_err(DbError::from)?;
        tx.commit().await?;
        let row = row.ok_or(FederationError::Refused("unknown or used state"))?;
        if col::<i64>(&row, "expires_at")? < now_unix() {
            return Err(FederationError::Refused("sign-in took too long"));
        }
        let sealed: Vec<u8> = col(&row, "verifier_enc")?;
        let verifier = self.keyring.staff_key().open_string(&sealed, &aad(hash))?;
        Ok((col(&row, "nonce")?, verifier))
    }

    /// The ID token's claims, completed from userinfo.
    async fn verified_claims(
        &self,
        tokens: &discovery::Tokens,
        nonce: &str,
        issuer: &str,
    ) -> Result<Map<String, Value>, FederationError> {
        let header = jsonwebtoken::decode_header(&tokens.id_token)
            .map_err(|_| FederationError::Refused("ID token malformed"))?;
        let kid = header
            .kid
            .ok_or(FederationError::Refused("ID token has no key ID"))?;
        let (key, algorithm) = self.directory.key(&kid).await?;
        let mut validation = Validation::new(algorithm);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[&self.config.client_id]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = 30;
        let mut claims =
            jsonwebtoken::decode::<Map<String, Value>>(&tokens.id_token, &key, &validation)
                .map_err(|_| FederationError::Refused("ID token signature or claims invalid"))?
                .claims;
        let echoed = claims
            .get("nonce")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if echoed.len() != nonce.len() || !bool::from(echoed.as_bytes().ct_eq(nonce.as_bytes())) {
            return Err(FederationError::Refused("nonce does not match"));
        }
        // Userinfo completes the ID token (name, roles when the token lacks them); what the
        // signed token says wins.
        let info = self.directory.userinfo(&tokens.access_token).await?;
        if !info.is_empty() && info.get("sub") != claims.get("sub") {
            return Err(FederationError::Refused("userinfo is about someone else"));
        }
        for (name, value) in info {
            claims.entry(name).or_insert(value);
        }
        Ok(claims)
    }
}

fn aad(state_hash: &[u8]) -> Vec<u8> {
    let mut aad = b"staff-federation:".to_vec();
    aad.extend_from_slice(state_hash);
    aad
}
