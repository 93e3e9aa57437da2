//! The JSON side of passkey ceremonies, shared by the portal and the consoles: the browser's
//! answer, the options handed to its script, and refusals the script reports with the page's own
//! message.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use identity::{Ceremony, IdentityError};
use platform::redirect::local_path;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::WebError;

/// The browser's answer to a ceremony.
#[derive(Deserialize)]
pub struct Answer {
    /// The ceremony's token.
    pub ceremony: String,
    /// The credential `navigator.credentials` returned, as JSON.
    pub credential: Value,
}

/// The options a ceremony's script hands to `navigator.credentials`.
pub fn ceremony(ceremony: Result<Ceremony, IdentityError>) -> Result<Response, WebError> {
    match ceremony {
        Ok(c) => Ok(Json(json!({ "ceremony": c.token, "options": c.options })).into_response()),
        Err(e) => refusal(e),
    }
}

/// Where the script goes next: a path of this site, or the top page if `path` is anything else.
pub fn next(path: &str) -> Response {
    let path = local_path(path).unwrap_or_else(|| "/".to_owned());
    Json(json!({ "next": path })).into_response()
}

/// A refusal as a bare status: the script shows the page's own message.
pub fn refusal(e: IdentityError) -> Result<Response, WebError> {
    match e {
        IdentityError::PasskeyRefused | IdentityError::SecondStepExpired => {
            Ok(StatusCode::BAD_REQUEST.into_response())
        }
        IdentityError::PasskeysUnavailable => Ok(StatusCode::NOT_FOUND.into_response()),
        IdentityError::Disabled | IdentityError::NotVerified => {
            Ok(StatusCode::FORBIDDEN.into_response())
        }
        other => Err(other.into()),
    }
}
