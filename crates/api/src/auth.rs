//! Token authentication, the last layer before the API's handlers. The access token is verified
//! by the identity provider (signature with the key its `kid` names, the algorithm of that key,
//! `iss`, `aud`, `exp`, `nbf`, revocation) and must act for a customer; the verified caller goes
//! into the request as an [`edge::Principal`], which handlers take as [`ApiCaller`].
//!
//! A token bound to a DPoP key (`cnf.jkt`, RFC 9449) is accepted only as `Authorization: DPoP`
//! with a `DPoP` proof by that key for this very request (method, URL, token hash, fresh `jti`);
//! unbound tokens of clients that are not held to FAPI still work as bearer tokens.
//!
//! A verified token is remembered by its SHA-256 hash for a short, configured time (bounded in
//! entries, never past its `exp`), so steady traffic does not pay for an ES256 check and the
//! revocation lookups on every request. The proof of a bound token is checked on every request,
//! remembered or not. Behind a gateway in split mode the principal arrives in
//! the gateway's signed assertion and this layer has nothing left to do.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRequestParts, OriginalUri, Request, State};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use edge::{HttpMetrics, Principal};
use oidc::{Provider, ProviderError, TokenScheme, TokenUse};
use platform::audit::RequestMeta;
use platform::ids::CustomerId;
use platform::time_util::now_unix;
use sha2::{Digest, Sha256};

use crate::problem::ApiError;

/// A verified token, as remembered.
#[derive(Clone)]
struct Verified {
    principal: Principal,
    expires_at: i64,
    jkt: Option<String>,
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

    async fn principal(&self, token_use: &TokenUse<'_>) -> Result<Principal, ApiError> {
        let verified = self.verified(token_use.token).await?;
        match self
            .oidc
            .check_token_use(verified.jkt.as_deref(), token_use)
            .await
        {
            Ok(()) => Ok(verified.principal),
            Err(ProviderError::OAuth(e)) => {
                self.metrics.token_rejected(e.description);
                Err(ApiError::DpopRefused(e.code))
            }
            Err(e) => Err(ApiError::of(&e)),
        }
    }

    async fn verified(&self, token: &str) -> Result<Verified, ApiError> {
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        if let Some(cache) = &self.cache
            && let Some(hit) = cache.get(&key)
        {
            if hit.expires_at > now_unix() {
                return Ok(hit);
            }
            cache.invalidate(&key);
        }
        let claims = match self.oidc.verify_access_token(token).await {
            Ok(claims) => claims,
            Err(ProviderError::OAuth(e)) => {
                self.metrics.token_rejected(e.description);
                return Err(ApiError::InvalidToken);
            }
            Err(e) => return Err(ApiError::of(&e)),
        };
        let Some(customer) = claims
            .sid
            .as_ref()
            .and_then(|_| claims.sub.parse::<CustomerId>().ok())
        else {
            self.metrics.token_rejected("token acts for no customer");
            return Err(ApiError::InvalidToken);
        };
        let verified = Verified {
            principal: Principal {
                customer,
                client_id: claims.client_id.clone(),
                scopes: claims.scope.split(' ').map(str::to_owned).collect(),
            },
            expires_at: claims.exp,
            jkt: claims.jkt().map(str::to_owned),
        };
        if let Some(cache) = &self.cache {
            cache.insert(key, verified.clone());
        }
        Ok(verified)
    }
}

/// The scheme and token of an `Authorization: Bearer` or `Authorization: DPoP` header.
fn presented(headers: &HeaderMap) -> Option<(TokenScheme, &str)> {
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(oidc::authorization)
}

/// The path the client addressed: before any nesting stripped its prefix.
fn request_path(request: &Request) -> String {
    request
        .extensions()
        .get::<OriginalUri>()
        .map_or_else(|| request.uri().path(), |original| original.path())
        .to_owned()
}

/// Middleware verifying the access token, if any. A request without one goes on without a
/// principal (operations that need one refuse it); an invalid token is refused here.
pub async fn authenticate(
    State(auth): State<Arc<Authenticator>>,
    mut request: Request,
    next: Next,
) -> Response {
    if request.extensions().get::<Principal>().is_some() {
        return next.run(request).await;
    }
    let Some((scheme, token)) = presented(request.headers()) else {
        auth.metrics.auth_outcome("bearer", "absent");
        return next.run(request).await;
    };
    let proof = match oidc_http::dpop_proof(request.headers()) {
        Ok(proof) => proof,
        Err(e) => return ApiError::DpopRefused(e.code).into_response(),
    };
    let path = request_path(&request);
    let token_use = TokenUse {
        scheme,
        token,
        proof,
        method: request.method().as_str(),
        path: &path,
    };
    let outcome = match auth.principal(&token_use).await {
        // A token sent with the DPoP scheme is refused with a DPoP challenge (RFC 9449 §7.1).
        Err(ApiError::InvalidToken) if scheme == TokenScheme::Dpop => {
            Err(ApiError::DpopRefused(oidc::ErrorCode::InvalidToken))
        }
        other => other,
    };
    match outcome {
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
