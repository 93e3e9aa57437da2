//! The OpenID Connect provider's machine-facing endpoints: discovery, JWKS, pushed authorization
//! requests, token, userinfo and revocation, over the provider (`oidc`).
//! The authorization and end-session endpoints involve the customer's browser session and
//! live with the portal's pages.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, PRAGMA, RETRY_AFTER, WWW_AUTHENTICATE,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use edge::Meta;
use platform::fault::{Fault, classify};
use serde_json::{Value, json};

use oidc::clients::{CUSTOMER_SCOPES, Presented};
use oidc::paths::{
    AUTHORIZE_PATH, DISCOVERY_PATH, END_SESSION_PATH, JWKS_PATH, PAR_PATH, REVOKE_PATH, TOKEN_PATH,
    USERINFO_PATH,
};
use oidc::{
    ACR_VALUES, CLIENT_KEY_ALGORITHMS, DPOP_HEADER, ErrorCode, OAuthError, Params, Provider,
    ProviderError, TokenScheme, TokenUse, UserinfoError, authorization, challenge,
};

/// Longest form body the token and revocation endpoints read.
const MAX_FORM_BYTES: usize = 16 * 1024;

/// The endpoints, with the provider as their state.
pub fn router(provider: Arc<Provider>) -> Router {
    Router::new()
        .route(DISCOVERY_PATH, get(discovery))
        .route(JWKS_PATH, get(jwks))
        .route(TOKEN_PATH, axum::routing::post(token))
        .route(PAR_PATH, axum::routing::post(par))
        .route(USERINFO_PATH, get(userinfo).post(userinfo))
        .route(REVOKE_PATH, axum::routing::post(revoke))
        .with_state(provider)
}

async fn discovery(State(p): State<Arc<Provider>>) -> Response {
    let doc = json!({
        "issuer": p.issuer(),
        "authorization_endpoint": p.endpoint(AUTHORIZE_PATH),
        "token_endpoint": p.endpoint(TOKEN_PATH),
        "pushed_authorization_request_endpoint": p.endpoint(PAR_PATH),
        "require_pushed_authorization_requests": false,
        "userinfo_endpoint": p.endpoint(USERINFO_PATH),
        "jwks_uri": p.endpoint(JWKS_PATH),
        "revocation_endpoint": p.endpoint(REVOKE_PATH),
        "end_session_endpoint": p.endpoint(END_SESSION_PATH),
        "scopes_supported": CUSTOMER_SCOPES,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "private_key_jwt", "none"],
        "token_endpoint_auth_signing_alg_values_supported": CLIENT_KEY_ALGORITHMS,
        "dpop_signing_alg_values_supported": CLIENT_KEY_ALGORITHMS,
        "acr_values_supported": ACR_VALUES,
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "private_key_jwt", "none"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "sid", "email", "email_verified", "name", "locale"],
        "authorization_response_iss_parameter_supported": true,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "claims_parameter_supported": false,
    });
    cached(Json(doc))
}

async fn jwks(State(p): State<Arc<Provider>>) -> Response {
    match p.keys().jwks().await {
        Ok(set) => cached(Json(set)),
        Err(e) => failure(&e),
    }
}

/// Public documents may be cached for a minute, as long as instances use their key table
/// before reloading it: a new key is published about as soon as it signs. Relying parties
/// re-read the key set when they meet an unknown key ID.
fn cached(body: impl IntoResponse) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    response
}

async fn token(
    State(p): State<Arc<Provider>>,
    Meta(meta): Meta,
    headers: HeaderMap,
    ClientForm { params, presented }: ClientForm,
) -> Response {
    let proof = match dpop_proof(&headers) {
        Ok(proof) => proof,
        Err(e) => return oauth_error(&e, &headers),
    };
    match p.token(&params, &presented, proof, &meta).await {
        Ok(tokens) => no_store(Json(tokens)),
        Err(e) => provider_error(&e, &headers),
    }
}

async fn par(
    State(p): State<Arc<Provider>>,
    Meta(meta): Meta,
    headers: HeaderMap,
    ClientForm { params, presented }: ClientForm,
) -> Response {
    match p.push_authorization(&params, &presented, &meta).await {
        Ok(pushed) => no_store((StatusCode::CREATED, Json(pushed))),
        Err(e) => provider_error(&e, &headers),
    }
}

/// The request's single `DPoP` header, if any; two are refused (RFC 9449 §4.3).
pub fn dpop_proof(headers: &HeaderMap) -> Result<Option<&str>, OAuthError> {
    let mut values = headers.get_all(DPOP_HEADER).iter();
    let first = values.next();
    if values.next().is_some() {
        return Err(OAuthError::new(
            ErrorCode::InvalidDpopProof,
            "more than one DPoP header",
        ));
    }
    first
        .map(|v| {
            v.to_str()
                .map_err(|_| OAuthError::new(ErrorCode::InvalidDpopProof, "DPoP header malformed"))
        })
        .transpose()
}

async fn revoke(
    State(p): State<Arc<Provider>>,
    Meta(meta): Meta,
    headers: HeaderMap,
    ClientForm { params, presented }: ClientForm,
) -> Response {
    match p.revoke(&params, &presented, &meta).await {
        Ok(()) => no_store(StatusCode::OK),
        Err(e) => provider_error(&e, &headers),
    }
}

async fn userinfo(
    State(p): State<Arc<Provider>>,
    Meta(meta): Meta,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let Some((scheme, token)) = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(authorization)
    else {
        let mut response = StatusCode::UNAUTHORIZED.into_response();
        response.headers_mut().insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer, DPoP algs=\"ES256 PS256\""),
        );
        return response;
    };
    let proof = match dpop_proof(&headers) {
        Ok(proof) => proof,
        Err(e) => return bearer_error(&e, true),
    };
    let token_use = TokenUse {
        scheme,
        token,
        proof,
        method: method.as_str(),
        path: USERINFO_PATH,
    };
    match p.userinfo(&token_use, &meta).await {
        Ok(claims) => no_store(Json(claims)),
        Err(UserinfoError {
            error: ProviderError::OAuth(e),
            dpop,
        }) => bearer_error(&e, dpop || scheme == TokenScheme::Dpop),
        Err(UserinfoError { error, .. }) => failure(&error),
    }
}

/// A client's form POST to the token, PAR or revocation endpoint: its parameters and the
/// credentials it presented. A malformed one is refused with the standard error before the
/// handler runs.
struct ClientForm {
    params: Params,
    presented: Presented,
}

impl<S: Send + Sync> FromRequest<S> for ClientForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let headers = request.headers().clone();
        let body = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let (params, presented) =
            form_request(&headers, &body).map_err(|e| oauth_error(&e, &headers))?;
        Ok(ClientForm { params, presented })
    }
}

/// The parameters and client credentials of a form POST.
fn form_request(headers: &HeaderMap, body: &[u8]) -> Result<(Params, Presented), OAuthError> {
    let form = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return Err(OAuthError::request(
            "body must be application/x-www-form-urlencoded",
        ));
    }
    if body.len() > MAX_FORM_BYTES {
        return Err(OAuthError::request("body too large"));
    }
    let params = Params::parse(body)?;
    let basic = match headers.get(AUTHORIZATION) {
        None => None,
        Some(value) => Some(
            basic_credentials(value).ok_or(OAuthError::client("malformed Basic credentials"))?,
        ),
    };
    let presented = Presented {
        basic,
        client_id: params.get("client_id").map(str::to_owned),
        assertion_type: params.get("client_assertion_type").map(str::to_owned),
        assertion: params.get("client_assertion").map(str::to_owned),
    };
    Ok((params, presented))
}

/// `Authorization: Basic` with the form-encoded ID and secret of RFC 6749 §2.3.1.
fn basic_credentials(value: &HeaderValue) -> Option<(String, String)> {
    let (scheme, encoded) = value.to_str().ok()?.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8()
            .ok()
            .map(|c| c.into_owned())
    };
    Some((unescape(id)?, unescape(secret)?))
}

fn no_store(body: impl IntoResponse) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

fn provider_error(error: &ProviderError, headers: &HeaderMap) -> Response {
    match error {
        ProviderError::OAuth(e) => oauth_error(e, headers),
        other => failure(other),
    }
}

/// A standard error body; `invalid_client` is a 401 with a challenge when Basic was tried.
fn oauth_error(error: &OAuthError, headers: &HeaderMap) -> Response {
    let status = match error.code {
        ErrorCode::InvalidClient if headers.contains_key(AUTHORIZATION) => StatusCode::UNAUTHORIZED,
        ErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    let body: Value =
        json!({ "error": error.code.as_str(), "error_description": error.description });
    let mut response = no_store((status, Json(body)));
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"assetstatus\""),
        );
    }
    response
}

/// RFC 6750 §3 and RFC 9449 §7.1: the error in the `WWW-Authenticate` challenge, with the
/// `DPoP` scheme when DPoP was used or is due.
fn bearer_error(error: &OAuthError, dpop: bool) -> Response {
    let status = match error.code {
        ErrorCode::InsufficientScope => StatusCode::FORBIDDEN,
        _ => StatusCode::UNAUTHORIZED,
    };
    let challenge = challenge(error, dpop);
    let mut response = no_store(status);
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response.headers_mut().insert(WWW_AUTHENTICATE, value);
    }
    response
}

/// A failure of ours, answered by the one fault table: `server_error` with the fault's status,
/// and `Retry-After` when it passes (storage failing for a moment, a queue full).
fn failure(error: &ProviderError) -> Response {
    let fault = classify(error);
    let description = match fault.retry_after() {
        Some(_) => "temporarily unavailable",
        None => "internal error",
    };
    let body = json!({ "error": "server_error", "error_description": description });
    let status = match fault {
        Fault::Busy | Fault::Unavailable => fault.status(),
        _ => Fault::Internal.status(),
    };
    let mut response = no_store((status, Json(body)));
    if let Some(secs) = fault.retry_after() {
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}
