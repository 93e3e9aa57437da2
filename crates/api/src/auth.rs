//! Bearer authentication: the access token is verified by the identity provider (signature with
//! the key its `kid` names, the algorithm of that key, `iss`, `aud`, `exp`, `nbf`, revocation),
//! and must belong to a customer. The verified caller reaches handlers as [`ApiCaller`].

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use oidc::ProviderError;
use platform::audit::RequestMeta;
use platform::ids::CustomerId;

use crate::ApiState;
use crate::problem::{ApiError, internal};

/// A verified API caller acting for a customer.
pub struct ApiCaller {
    /// The customer.
    pub customer: CustomerId,
    /// Granted scopes.
    scopes: Vec<String>,
    /// For the audit trail.
    pub meta: RequestMeta,
}

impl ApiCaller {
    /// Whether the token carries `scope`.
    pub fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// Refuses unless the token carries `scope`.
    pub fn require(&self, scope: &'static str) -> Result<(), ApiError> {
        if self.has(scope) {
            Ok(())
        } else {
            Err(ApiError::InsufficientScope(scope))
        }
    }
}

impl FromRequestParts<ApiState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim().to_owned())
            .ok_or(ApiError::Unauthenticated)?;
        let claims = match state.oidc.verify_access_token(&token).await {
            Ok(claims) => claims,
            Err(ProviderError::OAuth(_)) => return Err(ApiError::InvalidToken),
            Err(e) => return Err(internal(&e)),
        };
        let customer: CustomerId = claims
            .sid
            .as_ref()
            .and_then(|_| claims.sub.parse().ok())
            .ok_or(ApiError::InvalidToken)?;
        Ok(ApiCaller {
            customer,
            scopes: claims.scope.split(' ').map(str::to_owned).collect(),
            meta: edge::request_meta(parts),
        })
    }
}
