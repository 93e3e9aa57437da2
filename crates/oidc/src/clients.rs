//! Registered clients: who may ask for tokens, how they prove it, where codes may be sent and
//! which scopes they may hold. Clients are registered by the bank (command line), never by
//! themselves.

use std::fmt;
use std::str::FromStr;

use jsonwebtoken::Validation;
use platform::audit::{self, Actor, Event, Outcome, RequestMeta, Target};
use platform::crypto::SecretToken;
use platform::db::{Db, DbError, col};
use platform::time_util::now_unix;
use serde::Deserialize;
use sqlx::AnyConnection;
use subtle::ConstantTimeEq;
use url::Url;

use crate::error::{OAuthError, ProviderError};
use crate::jose;

/// How a client proves who it is at the token endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAuth {
    /// A public client (an app that cannot keep a secret): PKCE is its only protection.
    None,
    /// HTTP Basic with the client ID and a secret we issued.
    ClientSecretBasic,
    /// A JWT signed with the client's private key (RFC 7523); we hold only its public key.
    PrivateKeyJwt,
}

impl ClientAuth {
    /// The name used in discovery and storage.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientAuth::None => "none",
            ClientAuth::ClientSecretBasic => "client_secret_basic",
            ClientAuth::PrivateKeyJwt => "private_key_jwt",
        }
    }
}

impl FromStr for ClientAuth {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "none" => Ok(ClientAuth::None),
            "client_secret_basic" => Ok(ClientAuth::ClientSecretBasic),
            "private_key_jwt" => Ok(ClientAuth::PrivateKeyJwt),
            _ => Err(format!(
                "unknown authentication method `{s}` (none, client_secret_basic, private_key_jwt)"
            )),
        }
    }
}

/// The security profile a client is held to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientProfile {
    /// OAuth 2.0 with PKCE as this provider has always required.
    Standard,
    /// The FAPI 2.0 Security Profile: pushed authorization requests only, `private_key_jwt`,
    /// DPoP-bound tokens.
    Fapi2,
}

impl ClientProfile {
    /// The name used on the command line and in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientProfile::Standard => "standard",
            ClientProfile::Fapi2 => "fapi2",
        }
    }
}

impl FromStr for ClientProfile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "standard" => Ok(ClientProfile::Standard),
            "fapi2" => Ok(ClientProfile::Fapi2),
            _ => Err(format!("unknown profile `{s}` (standard, fapi2)")),
        }
    }
}

/// The grants a client may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrantType {
    /// Authorization code with PKCE: a customer signs in and consents.
    AuthorizationCode,
    /// Refresh tokens, rotated on every use.
    RefreshToken,
    /// Service-to-service calls in the client's own name.
    ClientCredentials,
}

impl GrantType {
    /// The name used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            GrantType::AuthorizationCode => "authorization_code",
            GrantType::RefreshToken => "refresh_token",
            GrantType::ClientCredentials => "client_credentials",
        }
    }
}

impl FromStr for GrantType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "authorization_code" => Ok(GrantType::AuthorizationCode),
            "refresh_token" => Ok(GrantType::RefreshToken),
            "client_credentials" => Ok(GrantType::ClientCredentials),
            _ => Err(format!(
                "unknown grant type `{s}` (authorization_code, refresh_token, client_credentials)"
            )),
        }
    }
}

/// Scopes a customer can grant to a client; any other scope is a service scope, usable only
/// with client credentials.
pub const CUSTOMER_SCOPES: [&str; 5] =
    ["openid", "profile", "email", "assets:read", "assets:write"];

/// A registered client.
#[derive(Clone, Debug)]
pub struct Client {
    /// Public identifier.
    pub id: String,
    /// Name shown to staff and customers.
    pub name: String,
    /// How it authenticates.
    pub auth: ClientAuth,
    secret_hash: Option<Vec<u8>>,
    public_jwk: Option<String>,
    /// Exact redirect URIs for codes.
    pub redirect_uris: Vec<String>,
    /// Exact URIs the end-session endpoint may send the browser back to.
    pub logout_uris: Vec<String>,
    /// Grants it may use.
    pub grant_types: Vec<GrantType>,
    /// Scopes it may hold.
    pub scopes: Vec<String>,
    /// When set, the client can do nothing.
    pub disabled: bool,
    /// The security profile it is held to.
    pub profile: ClientProfile,
}

impl Client {
    /// True for a client held to the FAPI 2.0 Security Profile.
    pub fn is_fapi(&self) -> bool {
        self.profile == ClientProfile::Fapi2
    }

    /// True for a client that cannot keep a secret.
    pub fn is_public(&self) -> bool {
        self.auth == ClientAuth::None
    }

    /// True when the client may use this grant.
    pub fn may_use(&self, grant: GrantType) -> bool {
        self.grant_types.contains(&grant)
    }

    /// True when every scope asked for is one this client may hold.
    pub fn may_hold(&self, scopes: &[String]) -> bool {
        scopes.iter().all(|s| self.scopes.contains(s))
    }
}

/// What the bank registers.
#[derive(Clone, Debug)]
pub struct NewClient {
    /// Name shown to staff and customers.
    pub name: String,
    /// How it authenticates.
    pub auth: ClientAuth,
    /// The client's public key as a JWK (for `private_key_jwt`).
    pub public_jwk: Option<String>,
    /// Redirect URIs (authorization code).
    pub redirect_uris: Vec<String>,
    /// Where end-session may return.
    pub logout_uris: Vec<String>,
    /// Grants.
    pub grant_types: Vec<GrantType>,
    /// Scopes.
    pub scopes: Vec<String>,
}

/// A registration's result; the secret is shown once and never stored in plain text.
#[derive(Debug)]
pub struct Registered {
    /// The new client's ID.
    pub client_id: String,
    /// The secret, for `client_secret_basic` clients.
    pub secret: Option<String>,
}

/// Why a registration was refused.
#[derive(Debug, thiserror::Error)]
pub enum RegistrationError {
    /// A value is not acceptable; the message says which and why.
    #[error("{0}")]
    Invalid(String),
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl NewClient {
    fn validate_for(&self, profile: ClientProfile) -> Result<(), String> {
        self.validate()?;
        if profile == ClientProfile::Fapi2 {
            if self.auth != ClientAuth::PrivateKeyJwt {
                return Err("the fapi2 profile needs private_key_jwt".into());
            }
            if !self.grant_types.contains(&GrantType::AuthorizationCode)
                || self.grant_types.contains(&GrantType::ClientCredentials)
            {
                return Err(
                    "the fapi2 profile is for authorization_code clients (with refresh_token)"
                        .into(),
                );
            }
        }
        Ok(())
    }

    fn validate(&self) -> Result<(), String> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err("name: 1 to 100 characters, no control characters".into());
        }
        if self.grant_types.is_empty() {
            return Err("at least one grant type is needed".into());
        }
        let interactive = self.grant_types.contains(&GrantType::AuthorizationCode);
        if self.grant_types.contains(&GrantType::RefreshToken) && !interactive {
            return Err("refresh_token needs authorization_code".into());
        }
        if interactive && self.redirect_uris.is_empty() {
            return Err("authorization_code needs at least one redirect URI".into());
        }
        if !interactive && !self.redirect_uris.is_empty() {
            return Err("redirect URIs are only for authorization_code clients".into());
        }
        if self.grant_types.contains(&GrantType::ClientCredentials) && self.auth == ClientAuth::None
        {
            return Err("client_credentials needs a confidential client (client_secret_basic or private_key_jwt)".into());
        }
        for uri in self.redirect_uris.iter().chain(&self.logout_uris) {
            check_redirect_uri(uri)?;
        }
        if self.scopes.is_empty() {
            return Err("at least one scope is needed".into());
        }
        for scope in &self.scopes {
            check_scope(scope, interactive)?;
        }
        match (self.auth, &self.public_jwk) {
            (ClientAuth::PrivateKeyJwt, Some(jwk)) => check_public_jwk(jwk),
            (ClientAuth::PrivateKeyJwt, None) => {
                Err("private_key_jwt needs the client's public key (JWK)".into())
            }
            (_, Some(_)) => Err("a public key is only for private_key_jwt clients".into()),
            (_, None) => Ok(()),
        }
    }
}

fn check_redirect_uri(uri: &str) -> Result<(), String> {
    let parsed = Url::parse(uri).map_err(|_| format!("`{uri}` is not an absolute URI"))?;
    if parsed.fragment().is_some() {
        return Err(format!("`{uri}` must not have a fragment"));
    }
    let loopback = matches!(parsed.host_str(), Some("127.0.0.1" | "[::1]" | "localhost"));
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(format!("`{uri}` must use https (http only for loopback)")),
    }
}

fn check_scope(scope: &str, interactive: bool) -> Result<(), String> {
    let well_formed = !scope.is_empty()
        && scope.len() <= 64
        && scope
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.:-".contains(&b));
    if !well_formed {
        return Err(format!(
            "scope `{scope}`: lower-case letters, digits and _ . : - only"
        ));
    }
    if interactive && !CUSTOMER_SCOPES.contains(&scope) {
        return Err(format!(
            "scope `{scope}` is not one a customer can grant ({})",
            CUSTOMER_SCOPES.join(" ")
        ));
    }
    Ok(())
}

fn check_public_jwk(text: &str) -> Result<(), String> {
    let raw: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("public key is not JSON: {e}"))?;
    jose::client_key(&raw).map(|_| ()).map_err(|why| {
        format!(
            "public key refused: {why}; register an EC P-256 or RSA (2048 bits or more) public key"
        )
    })
}

/// Registers a client with the standard profile; audited.
pub async fn register(
    db: &Db,
    new: &NewClient,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Registered, RegistrationError> {
    register_as(db, new, ClientProfile::Standard, actor, meta).await
}

/// Registers a client held to `profile`; audited.
pub async fn register_as(
    db: &Db,
    new: &NewClient,
    profile: ClientProfile,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Registered, RegistrationError> {
    new.validate_for(profile)
        .map_err(RegistrationError::Invalid)?;
    let client_id = format!("c_{}", uuid::Uuid::new_v4().simple());
    let secret = (new.auth == ClientAuth::ClientSecretBasic).then(SecretToken::generate);
    let mut tx = db.write().await?;
    sqlx::query(
        "INSERT INTO oauth_clients (client_id, name, auth_method, secret_hash, public_jwk, redirect_uris, \
         logout_uris, grant_types, scopes, created_at, profile) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&client_id)
    .bind(new.name.trim())
    .bind(new.auth.as_str())
    .bind(secret.as_ref().map(|s| s.hash.clone()))
    .bind(new.public_jwk.as_deref())
    .bind(new.redirect_uris.join(" "))
    .bind(new.logout_uris.join(" "))
    .bind(join(&new.grant_types, |g| g.as_str()))
    .bind(new.scopes.join(" "))
    .bind(now_unix())
    .bind(profile.as_str())
    .execute(&mut *tx)
    .await
    .map_err(DbError::from)?;
    let event = Event {
        actor: actor.clone(),
        action: "oidc.client_registered",
        target: Target::client(&client_id),
        outcome: Outcome::Success,
    };
    audit::append(&mut tx, &event, meta).await?;
    tx.commit().await?;
    Ok(Registered {
        client_id,
        secret: secret.map(|s| s.plain),
    })
}

/// Disables or enables a client; audited. False when there is no such client.
pub async fn set_disabled(
    db: &Db,
    client_id: &str,
    disabled: bool,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<bool, DbError> {
    let mut tx = db.write().await?;
    let done = sqlx::query("UPDATE oauth_clients SET disabled_at = $1 WHERE client_id = $2")
        .bind(disabled.then(now_unix))
        .bind(client_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
        == 1;
    if done && disabled {
        // Its customers' grants end with it: refresh tokens and the access tokens carrying them.
        sqlx::query(
            "UPDATE oidc_grants SET revoked_at = $1, revoked_why = 'client_disabled' WHERE client_id = $2 AND revoked_at IS NULL",
        )
        .bind(now_unix())
        .bind(client_id)
        .execute(&mut *tx)
        .await?;
    }
    if done {
        let event = Event {
            actor: actor.clone(),
            action: if disabled {
                "oidc.client_disabled"
            } else {
                "oidc.client_enabled"
            },
            target: Target::client(client_id),
            outcome: Outcome::Success,
        };
        audit::append(&mut tx, &event, meta).await?;
    }
    tx.commit().await?;
    Ok(done)
}

/// Every registered client, by name.
pub async fn list(db: &Db) -> Result<Vec<Client>, DbError> {
    let mut tx = db.read().await?;
    let rows = sqlx::query(&format!("{SELECT_CLIENT} ORDER BY name, client_id"))
        .fetch_all(&mut *tx)
        .await?;
    rows.iter().map(client_from_row).collect()
}

/// A client by ID, enabled or not.
pub async fn find(conn: &mut AnyConnection, client_id: &str) -> Result<Option<Client>, DbError> {
    if client_id.is_empty() || client_id.len() > 100 {
        return Ok(None);
    }
    let row = sqlx::query(&format!("{SELECT_CLIENT} WHERE client_id = $1"))
        .bind(client_id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(client_from_row).transpose()
}

/// How long a registration read for a token request is remembered: a client disabled through
/// another instance or the command line is refused everywhere within this time.
pub const REMEMBER: std::time::Duration = std::time::Duration::from_secs(5);

/// Registrations as the client-credentials grant sees them, remembered for [`REMEMBER`] so that
/// a service fetching tokens at a high rate does not cost a database read per request. Unknown
/// IDs are never remembered, so a registration made elsewhere is found at once. Every other
/// grant and endpoint reads the registration each time, so disabling a client ends its
/// customers' grants at once.
pub struct Registry {
    cache: moka::sync::Cache<String, Client>,
}

impl Default for Registry {
    fn default() -> Self {
        Self {
            cache: moka::sync::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(REMEMBER)
                .build(),
        }
    }
}

impl Registry {
    /// The client registered as `client_id`, from memory when read within [`REMEMBER`].
    pub async fn find(&self, db: &Db, client_id: &str) -> Result<Option<Client>, DbError> {
        if let Some(client) = self.cache.get(client_id) {
            return Ok(Some(client));
        }
        let found = find(&mut *db.reader().await?, client_id).await?;
        if let Some(client) = &found {
            self.cache.insert(client_id.to_owned(), client.clone());
        }
        Ok(found)
    }
}

const SELECT_CLIENT: &str = "SELECT client_id, name, auth_method, secret_hash, public_jwk, redirect_uris, \
     logout_uris, grant_types, scopes, disabled_at, profile FROM oauth_clients";

fn client_from_row(row: &sqlx::any::AnyRow) -> Result<Client, DbError> {
    let words = |column: &'static str| -> Result<Vec<String>, DbError> {
        let text: String = col(row, column)?;
        Ok(text.split_whitespace().map(str::to_owned).collect())
    };
    let corrupt = |column| DbError::Corrupt { column };
    let auth: String = col(row, "auth_method")?;
    let profile: String = col(row, "profile")?;
    Ok(Client {
        id: col(row, "client_id")?,
        name: col(row, "name")?,
        auth: auth.parse().map_err(|_| corrupt("auth_method"))?,
        secret_hash: col(row, "secret_hash")?,
        public_jwk: col(row, "public_jwk")?,
        redirect_uris: words("redirect_uris")?,
        logout_uris: words("logout_uris")?,
        grant_types: words("grant_types")?
            .iter()
            .map(|g| g.parse().map_err(|_| corrupt("grant_types")))
            .collect::<Result<_, _>>()?,
        scopes: words("scopes")?,
        disabled: col::<Option<i64>>(row, "disabled_at")?.is_some(),
        profile: profile.parse().map_err(|_| corrupt("profile"))?,
    })
}

fn join<T>(items: &[T], name: impl Fn(&T) -> &'static str) -> String {
    items.iter().map(name).collect::<Vec<_>>().join(" ")
}

/// What a client presented at the token or revocation endpoint.
#[derive(Debug, Default)]
pub struct Presented {
    /// From HTTP Basic: ID and secret.
    pub basic: Option<(String, String)>,
    /// `client_id` from the form.
    pub client_id: Option<String>,
    /// `client_assertion_type` from the form.
    pub assertion_type: Option<String>,
    /// `client_assertion` from the form.
    pub assertion: Option<String>,
}

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Latest expiry of a client assertion we accept, from now: a few minutes, as FAPI 2.0 expects.
/// Each assertion is also single-use (its `jti` is remembered until it expires), so a captured
/// one cannot be replayed within that time either.
pub const ASSERTION_MAX_SECS: i64 = 300;

#[derive(Deserialize)]
struct AssertionClaims {
    iss: String,
    sub: String,
    exp: i64,
    jti: String,
}

/// Authenticates the client of a token or revocation request. Exactly one method must be
/// used, and it must be the one the client is registered for.
pub async fn authenticate(
    db: &Db,
    remembered: Option<&Registry>,
    presented: &Presented,
    audiences: &[String],
) -> Result<Client, ProviderError> {
    let methods =
        usize::from(presented.basic.is_some()) + usize::from(presented.assertion.is_some());
    if methods > 1 {
        return Err(OAuthError::request("more than one client authentication method").into());
    }
    let refused = || OAuthError::client("client authentication failed");
    let claimed = match (&presented.basic, &presented.assertion, &presented.client_id) {
        (Some((id, _)), _, Some(form_id)) if form_id != id => {
            return Err(
                OAuthError::request("client_id differs from the authenticated client").into(),
            );
        }
        (Some((id, _)), _, _) => id.clone(),
        (None, Some(assertion), form_id) => assertion_subject(assertion, form_id.as_deref())?,
        (None, None, Some(id)) => id.clone(),
        (None, None, None) => return Err(refused().into()),
    };
    let client = match remembered {
        Some(registry) => registry.find(db, &claimed).await?,
        None => find(&mut *db.reader().await?, &claimed).await?,
    };
    let client = client.filter(|c| !c.disabled).ok_or_else(refused)?;
    match (client.auth, &presented.basic, &presented.assertion) {
        (ClientAuth::None, None, None) => Ok(client),
        (ClientAuth::ClientSecretBasic, Some((_, secret)), None) => {
            let stored = client.secret_hash.as_deref().unwrap_or_default();
            let given = SecretToken::hash(secret);
            if stored.len() == given.len() && bool::from(stored.ct_eq(&given)) {
                Ok(client)
            } else {
                Err(refused().into())
            }
        }
        (ClientAuth::PrivateKeyJwt, None, Some(assertion)) => {
            if presented.assertion_type.as_deref() != Some(ASSERTION_TYPE) {
                return Err(OAuthError::client("client_assertion_type must be jwt-bearer").into());
            }
            verify_assertion(db, &client, assertion, audiences).await?;
            Ok(client)
        }
        _ => Err(refused().into()),
    }
}

/// The `sub` of an assertion, read before its signature is checked only to find the client
/// whose key will check it.
fn assertion_subject(assertion: &str, form_id: Option<&str>) -> Result<String, OAuthError> {
    let data = jsonwebtoken::dangerous::insecure_decode::<AssertionClaims>(assertion)
        .map_err(|_| OAuthError::client("client assertion is malformed"))?;
    if form_id.is_some_and(|id| id != data.claims.sub) {
        return Err(OAuthError::request(
            "client_id differs from the assertion's subject",
        ));
    }
    Ok(data.claims.sub)
}

async fn verify_assertion(
    db: &Db,
    client: &Client,
    assertion: &str,
    audiences: &[String],
) -> Result<(), ProviderError> {
    let refused = |why| OAuthError::client(why);
    let key = client
        .public_jwk
        .as_deref()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok())
        .and_then(|raw| jose::client_key(&raw).ok())
        .ok_or(refused("client has no usable key"))?;
    let mut validation = Validation::new(key.algorithm);
    validation.set_audience(audiences);
    validation.set_issuer(&[&client.id]);
    validation.sub = Some(client.id.clone());
    validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
    validation.leeway = 30;
    let claims = jsonwebtoken::decode::<AssertionClaims>(assertion, &key.decoding, &validation)
        .map_err(|_| refused("client assertion signature or claims invalid"))?
        .claims;
    let now = now_unix();
    if claims.iss != client.id || claims.exp > now + ASSERTION_MAX_SECS {
        return Err(refused("client assertion lives too long").into());
    }
    if claims.jti.is_empty() || claims.jti.len() > 200 {
        return Err(refused("client assertion needs a jti").into());
    }
    let mut tx = db.write().await?;
    let inserted = sqlx::query(
        "INSERT INTO oidc_assertion_jtis (client_id, jti, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (client_id, jti) DO NOTHING",
    )
    .bind(&client.id)
    .bind(&claims.jti)
    .bind(claims.exp + 60)
    .execute(&mut *tx)
    .await
    .map_err(DbError::from)?
    .rows_affected();
    tx.commit().await?;
    if inserted == 0 {
        return Err(refused("client assertion replayed").into());
    }
    Ok(())
}

impl fmt::Display for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.id, self.name)
    }
}
