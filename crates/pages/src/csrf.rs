//! Protection against cross-site request forgery.
//!
//! Every browser gets a random, HttpOnly `csrf` cookie; every form carries an HMAC of it under a
//! server key. A state-changing request must carry the token that matches its own cookie, which
//! a foreign site can neither read nor compute. Browsers that announce a cross-site request
//! (`Sec-Fetch-Site` or a foreign `Origin`) are refused before the body is read.
//!
//! Handlers that change state take [`CsrfForm`] (or call [`verify`] for file uploads), so a
//! state-changing form without the check does not compile into a handler by accident.

use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use platform::crypto::SecretToken;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::WebState;
use crate::cookies::{self, Kind};
use crate::error::WebError;
use axum::http::request::Parts;

/// A CSRF cookie issued during this request (the browser does not have it yet).
#[derive(Clone)]
pub struct FreshCsrfCookie(pub String);

/// Middleware: issues the CSRF cookie when missing and refuses cross-site writes early.
pub async fn guard<S: WebState>(
    state: axum::extract::State<S>,
    mut request: Request,
    next: Next,
) -> Response {
    let secure = state.secure_cookies();
    if is_write(request.method()) && is_cross_site(request.headers()) {
        return WebError::Csrf.into_response();
    }
    let has_cookie = CookieJar::from_headers(request.headers())
        .get(cookies::name(Kind::Csrf, secure))
        .is_some();
    if has_cookie {
        return next.run(request).await;
    }
    let value = SecretToken::generate().plain;
    request
        .extensions_mut()
        .insert(FreshCsrfCookie(value.clone()));
    let response = next.run(request).await;
    (
        CookieJar::new().add(cookies::build(Kind::Csrf, secure, value)),
        response,
    )
        .into_response()
}

fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether the browser says the request came from another site (or, without `Sec-Fetch-Site`,
/// from a foreign `Origin`). Pages that hand out customer data on a GET (downloads, document
/// images) refuse these, so a link on another site cannot make a signed-in operator's browser
/// fetch them.
pub fn is_cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    match (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        (Some(origin), Some(host)) => origin.split_once("://").map(|(_, rest)| rest) != Some(host),
        _ => false,
    }
}

/// Checks a presented token against the request's binding.
pub fn verify<S: WebState>(
    state: &S,
    binding: Option<&str>,
    presented: &str,
) -> Result<(), WebError> {
    match binding {
        Some(binding) if state.keyring().form_token_matches(binding, presented) => Ok(()),
        _ => Err(WebError::Csrf),
    }
}

/// A form with no fields besides its token (logout, delete, confirm buttons).
#[derive(Deserialize)]
pub struct NoFields {}

/// A URL-encoded form whose CSRF token has been verified.
pub struct CsrfForm<T>(pub T);

#[derive(Deserialize)]
struct TokenField {
    #[serde(default)]
    csrf: String,
}

impl<T: DeserializeOwned, S: WebState> FromRequest<S> for CsrfForm<T> {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &S) -> Result<Self, WebError> {
        let (parts, body) = request.into_parts();
        let binding = csrf_binding(&parts, state.secure_cookies());
        let is_form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(WebError::BadRequest);
        }
        let request = Request::from_parts(parts, body);
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|rejection| WebError::from_body_status(rejection.status()))?;
        let token: TokenField =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| WebError::BadRequest)?;
        verify(state, binding.as_deref(), &token.csrf)?;
        serde_urlencoded::from_bytes(&bytes)
            .map(CsrfForm)
            .map_err(|_| WebError::BadRequest)
    }
}

/// A JSON body (from the page's own script) whose CSRF token came in `X-CSRF-Token`.
pub struct CsrfJson<T>(pub T);

/// Largest JSON body a ceremony answer needs.
const JSON_LIMIT: usize = 64 * 1024;

impl<T: DeserializeOwned, S: WebState> FromRequest<S> for CsrfJson<T> {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &S) -> Result<Self, WebError> {
        let (parts, body) = request.into_parts();
        let binding = csrf_binding(&parts, state.secure_cookies());
        let presented = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        verify(state, binding.as_deref(), &presented)?;
        let is_json = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(WebError::BadRequest);
        }
        let bytes = axum::body::to_bytes(body, JSON_LIMIT)
            .await
            .map_err(|_| WebError::TooLarge)?;
        serde_json::from_slice(&bytes)
            .map(CsrfJson)
            .map_err(|_| WebError::BadRequest)
    }
}

/// The value forms are bound to: the browser's CSRF cookie (or the one being set now).
pub fn csrf_binding(parts: &Parts, secure: bool) -> Option<String> {
    if let Some(fresh) = parts.extensions.get::<FreshCsrfCookie>() {
        return Some(fresh.0.clone());
    }
    CookieJar::from_headers(&parts.headers)
        .get(cookies::name(Kind::Csrf, secure))
        .map(|c| c.value().to_owned())
}
