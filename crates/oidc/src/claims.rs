//! The claims of the tokens this provider signs.

use serde::{Deserialize, Serialize};

/// `typ` of access tokens (RFC 9068), so an ID token can never pass as one.
pub const ACCESS_TOKEN_TYP: &str = "at+jwt";

/// An access token for the customer API or a service.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AccessClaims {
    /// Issuer.
    pub iss: String,
    /// The customer's ID, or the client's for client credentials.
    pub sub: String,
    /// The API the token is for.
    pub aud: String,
    /// Expiry (Unix seconds).
    pub exp: i64,
    /// Issue time.
    pub iat: i64,
    /// Not valid before.
    pub nbf: i64,
    /// Unique ID, for revocation.
    pub jti: String,
    /// The client the token was issued to.
    pub client_id: String,
    /// Granted scopes, space-separated.
    pub scope: String,
    /// The grant (token family) a customer token belongs to; revoking it ends the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// Roles and entitlements of the subject.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
}

impl AccessClaims {
    /// True when the token carries this scope.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scope.split(' ').any(|s| s == scope)
    }
}

/// An ID token: who logged in, when and how, for one client.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct IdClaims {
    /// Issuer.
    pub iss: String,
    /// The customer's ID.
    pub sub: String,
    /// The client.
    pub aud: String,
    /// The client (authorized party).
    pub azp: String,
    /// Expiry.
    pub exp: i64,
    /// Issue time.
    pub iat: i64,
    /// When the customer authenticated.
    pub auth_time: i64,
    /// The client's `nonce`, when it sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// How the customer authenticated (`pwd`, `otp`, `mfa`).
    pub amr: Vec<String>,
    /// The grant, so end-session can end exactly it.
    pub sid: String,
    /// Roles and entitlements of the customer.
    #[serde(default)]
    pub roles: Vec<String>,
}
