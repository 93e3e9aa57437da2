//! Errors of the provider: the standard OAuth 2.0 / OpenID Connect error codes that clients
//! receive, and the internal failures behind a `server_error`.

use platform::crypto::CryptoError;
use platform::db::DbError;

/// The error codes of RFC 6749, RFC 6750 and OpenID Connect Core that this provider answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// The request is malformed: a missing, repeated or unsupported parameter.
    InvalidRequest,
    /// Client authentication failed.
    InvalidClient,
    /// The code, refresh token or verifier is invalid, expired, used or not this client's.
    InvalidGrant,
    /// The client may not use this grant or response type.
    UnauthorizedClient,
    /// The grant type is not one this provider supports.
    UnsupportedGrantType,
    /// The response type is not `code`.
    UnsupportedResponseType,
    /// A requested scope is unknown or not granted to the client.
    InvalidScope,
    /// `prompt=none` was asked for but nobody is logged in.
    LoginRequired,
    /// The access token is missing, invalid, expired or revoked.
    InvalidToken,
    /// The token lacks a scope the resource needs.
    InsufficientScope,
    /// A DPoP proof is missing, malformed, replayed or for another request or key (RFC 9449).
    InvalidDpopProof,
    /// The customer cannot meet the requested authentication context, e.g. a second factor
    /// they have not set up (OpenID Connect Core, `acr_values`).
    UnmetAuthenticationRequirements,
    /// Something failed on our side.
    ServerError,
}

impl ErrorCode {
    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidClient => "invalid_client",
            ErrorCode::InvalidGrant => "invalid_grant",
            ErrorCode::UnauthorizedClient => "unauthorized_client",
            ErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            ErrorCode::UnsupportedResponseType => "unsupported_response_type",
            ErrorCode::InvalidScope => "invalid_scope",
            ErrorCode::LoginRequired => "login_required",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::InsufficientScope => "insufficient_scope",
            ErrorCode::InvalidDpopProof => "invalid_dpop_proof",
            ErrorCode::UnmetAuthenticationRequirements => "unmet_authentication_requirements",
            ErrorCode::ServerError => "server_error",
        }
    }
}

/// A refusal sent to the client: the standard code and a description for its developers
/// (never personal data, never a secret).
#[derive(Clone, Copy, Debug, thiserror::Error)]
#[error("{}: {description}", code.as_str())]
pub struct OAuthError {
    /// The standard code.
    pub code: ErrorCode,
    /// What was wrong, in English, for the client's developers.
    pub description: &'static str,
}

impl OAuthError {
    /// A refusal with its reason.
    pub fn new(code: ErrorCode, description: &'static str) -> Self {
        Self { code, description }
    }

    /// A malformed request.
    pub fn request(description: &'static str) -> Self {
        Self::new(ErrorCode::InvalidRequest, description)
    }

    /// A refused code, refresh token or verifier.
    pub fn grant(description: &'static str) -> Self {
        Self::new(ErrorCode::InvalidGrant, description)
    }

    /// Failed client authentication.
    pub fn client(description: &'static str) -> Self {
        Self::new(ErrorCode::InvalidClient, description)
    }

    /// A refused access token.
    pub fn token(description: &'static str) -> Self {
        Self::new(ErrorCode::InvalidToken, description)
    }
}

/// Why the provider could not answer at all.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The client's request was refused.
    #[error(transparent)]
    OAuth(#[from] OAuthError),
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A sealed key did not open.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// The customer pool failed.
    #[error(transparent)]
    Identity(#[from] identity::IdentityError),
    /// A signing key could not be made or used.
    #[error("signing key: {0}")]
    Key(String),
}

impl From<jsonwebtoken::errors::Error> for ProviderError {
    fn from(e: jsonwebtoken::errors::Error) -> Self {
        ProviderError::Key(e.to_string())
    }
}

impl platform::fault::Classify for ProviderError {
    fn fault(&self) -> platform::fault::Fault {
        use platform::fault::Fault;
        match self {
            ProviderError::OAuth(e) => match e.code {
                ErrorCode::InvalidClient | ErrorCode::InvalidToken | ErrorCode::LoginRequired => {
                    Fault::SignInRequired
                }
                ErrorCode::UnauthorizedClient
                | ErrorCode::InsufficientScope
                | ErrorCode::UnmetAuthenticationRequirements => Fault::Forbidden,
                ErrorCode::ServerError => Fault::Internal,
                _ => Fault::Invalid,
            },
            ProviderError::Db(e) => e.fault(),
            ProviderError::Crypto(e) => e.fault(),
            ProviderError::Identity(e) => e.fault(),
            ProviderError::Key(_) => Fault::Internal,
        }
    }
}
