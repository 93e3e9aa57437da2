//! The claims of the tokens this provider signs.

use serde::{Deserialize, Serialize};

/// `typ` of access tokens (RFC 9068), so an ID token can never pass as one.
pub const ACCESS_TOKEN_TYP: &str = "at+jwt";

/// Authentication context class of a login with a password only.
pub const ACR_PWD: &str = "urn:assetstatus:acr:pwd";
/// Authentication context class of a login with a second factor (authenticator app, recovery
/// code or passkey).
pub const ACR_MFA: &str = "urn:assetstatus:acr:mfa";
/// The classes in increasing strength, for discovery.
pub const ACR_VALUES: [&str; 2] = [ACR_PWD, ACR_MFA];

/// The class a session's `amr` values meet.
pub fn acr_of(amr: &str) -> &'static str {
    if amr.split(' ').any(|m| m == "mfa") {
        ACR_MFA
    } else {
        ACR_PWD
    }
}

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
    /// The key the token is bound to (RFC 9449 §6): only its holder may use the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cnf: Option<Confirmation>,
}

/// The confirmation claim of a sender-constrained token (RFC 7800).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    /// The JWK SHA-256 thumbprint (RFC 7638) of the DPoP key.
    pub jkt: String,
}

impl AccessClaims {
    /// The thumbprint of the DPoP key the token is bound to, if it is bound.
    pub fn jkt(&self) -> Option<&str> {
        self.cnf.as_ref().map(|c| c.jkt.as_str())
    }

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
    /// The authentication context met: [`ACR_MFA`] with a second factor, else [`ACR_PWD`].
    #[serde(default)]
    pub acr: String,
    /// The grant, so end-session can end exactly it.
    pub sid: String,
    /// Roles and entitlements of the customer.
    #[serde(default)]
    pub roles: Vec<String>,
}
