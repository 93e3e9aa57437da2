//! Bearer authentication, the last layer before the API's handlers. The access token is verified
//! by the identity provider (signature with the key its `kid` names, the algorithm of that key,
//! `iss`, `aud`, `exp`, `nbf`, revocation) and must act for a customer; the verified caller goes
//! into the request as an [`edge::Principal`], which handlers take as [`ApiCaller`].
//!
//! A verified token is remembered by its SHA-256 hash for a short, configured time (bounded in
//! entries, never past its `exp`), so steady traffic does not pay for an ES256 check and the
//! revocation lookups on every request. Behind a gateway in split mode the principal arrives in
//! the gateway's signed assertion and this layer has nothing left to do.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use edge::{HttpMetrics, Principal};
use oidc::{Provider, ProviderError};
use platform::audit::RequestMeta;
use platform::ids::CustomerId;
use platform::time_util::now_unix;
use sha2::{Digest, Sha256};

use crate::problem::{ApiError, internal};

/// A verified token, as remembered.
#[derive(Clone)]
struct Verified {
    principal: Principal,
    expires_at: i64,
}

/// Verifies bearer tokens and remembers the verified ones for a while.
pub struct Authenticator {
    oidc: Arc<Provider>,
    metrics: Arc<HttpMetrics>,
    cache: Option<moka::sync::Cache<[u8; 32], Verified>>,
}

impl Authenticator {
    /// Remembers up to `entries` tokens for `remember` each; a zero duration disables it.
    pub fn new(
        oidc: Arc<Provider>,
        metrics: Arc<HttpMetrics>,
        remember: Duration,
        entries: u64,
    ) -> Self {
        let cache = (!remember.is_zero()).then(|| {
            moka::sync::Cache::builder()
                .max_capacity(entries)
                .time_to_live(remember)
                .build()
        });
        Self {
            oidc,
            metrics,
            cache,
        }
    }

    async fn principal(&self, token: &str) -> Result<Principal, ApiError> {
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        if let Some(cache) = &self.cache
            && let Some(hit) = cache.get(&key)
        {
            if hit.expires_at > now_unix() {
                return Ok(hit.principal);
            }
            cache.invalidate(&key);
        }
        let claims = match self.oidc.verify_access_token(token).await {
            Ok(claims) => claims,
            Err(ProviderError::OAuth(e)) => {
                self.metrics.token_rejected(e.description);
                return Err(ApiError::InvalidToken);
            }
            Err(e) => return Err(internal(&e)),
        };
        let Some(customer) = claims
            .sid
            .as_ref()
            .and_then(|_| claims.sub.parse::<CustomerId>().ok())
        else {
            self.metrics.token_rejected("token acts for no customer");
            return Err(ApiError::InvalidToken);
        };
        let principal = Principal {
            customer,
            client_id: claims.client_id,
            scopes: claims.scope.split(' ').map(str::to_owned).collect(),
        };
        if let Some(cache) = &self.cache {
            let verified = Verified {
                principal: principal.clone(),
                expires_at: claims.exp,
            };
            cache.insert(key, verified);
        }
        Ok(principal)
    }
}

/// The token of an `Authorization: Bearer` header.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
}

/// Middleware verifying the bearer token, if any. A request without one goes on without a
/// principal (operations that need one refuse it); an invalid token is refused here.
pub async fn authenticate(
    State(auth): State<Arc<Authenticator>>,
    mut request: Request,
    next: Next,
) -> Response {
    if request.extensions().get::<Principal>().is_some() {
        return next.run(request).await;
    }
    let Some(token) = bearer(request.headers()) else {
        auth.metrics.auth_outcome("bearer", "absent");
        return next.run(request).await;
    };
    match auth.principal(token).await {
        Ok(principal) => {
            auth.metrics.auth_outcome("bearer", "accepted");
            edge::note_user(
                request.extensions(),
                format!("customer:{}", principal.customer),
            );
            request.extensions_mut().insert(principal);
            next.run(request).await
        }
        Err(refusal) => refusal.into_response(),
    }
}

/// A verified API caller acting for a customer.
pub struct ApiCaller {
    /// The customer.
    pub customer: CustomerId,
    principal: Principal,
    /// For the audit trail.
    pub meta: RequestMeta,
}

impl ApiCaller {
    /// Whether the token carries `scope`.
    pub fn has(&self, scope: &str) -> bool {
        self.principal.has(scope)
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

impl<S: Send + Sync> FromRequestParts<S> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let principal = parts
            .extensions
            .get::<Principal>()
            .cloned()
            .ok_or(ApiError::Unauthenticated)?;
        Ok(ApiCaller {
            customer: principal.customer,
            principal,
            meta: edge::request_meta(parts),
        })
    }
}
