//! The JSON side of passkey ceremonies, shared by the portal and the consoles: the browser's
//! answer, the options handed to its script, and refusals the script reports with the page's own
//! message.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use platform::fault::{Classify, Fault};
use platform::redirect::local_path;
use serde::{Deserialize, Serialize};
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

/// The options a ceremony's script hands to `navigator.credentials`: the ceremony as JSON (its
/// token and the options), or a refusal.
pub fn ceremony<C: Serialize, E: Classify>(ceremony: Result<C, E>) -> Result<Response, WebError> {
    match ceremony {
        Ok(c) => Ok(Json(c).into_response()),
        Err(e) => refusal(e),
    }
}

/// Where the script goes next: a path of this site, or the top page if `path` is anything else.
pub fn next(path: &str) -> Response {
    let path = local_path(path).unwrap_or_else(|| "/".to_owned());
    Json(json!({ "next": path })).into_response()
}

/// A refusal as a bare status by its kind, the script showing the page's own message: a refused
/// or expired ceremony 400, passkeys not offered here 404, an account that may not sign in 403.
/// Failures of ours are error pages like anywhere else.
pub fn refusal<E: Classify>(e: E) -> Result<Response, WebError> {
    let status = match e.fault() {
        Fault::Invalid | Fault::SignInRequired => StatusCode::BAD_REQUEST,
        Fault::NotFound => StatusCode::NOT_FOUND,
        Fault::Forbidden => StatusCode::FORBIDDEN,
        _ => return Err(e.into()),
    };
    Ok(status.into_response())
}
