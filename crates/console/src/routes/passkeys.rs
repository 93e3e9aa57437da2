//! Staff passkeys: registered as the second factor while enrolling, used instead of a code at
//! the second step. The ceremonies answer JSON to the page's script.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use identity::{Ceremony, IdentityError};
use pages::cookies::{self, Kind};
use pages::csrf::CsrfJson;
use pages::error::WebError;
use serde::Deserialize;
use serde_json::{Value, json};

use super::sign_in::signed_in;
use crate::ConsoleState;
use crate::staff::{Enrolling, StaffVisitor};

/// The browser's answer to a ceremony.
#[derive(Deserialize)]
pub struct Answer {
    ceremony: String,
    credential: Value,
}

/// `POST /staff/passkeys/start`.
pub async fn enrol_start(
    State(state): State<ConsoleState>,
    who: Enrolling,
    CsrfJson(_): CsrfJson<Value>,
) -> Result<Response, WebError> {
    let token = who.0.token.clone().unwrap_or_default();
    ceremony_answer(state.identity.start_staff_passkey_enrolment(&token).await)
}

/// `POST /staff/passkeys/finish`: the enrol-only session becomes a full one.
pub async fn enrol_finish(
    State(state): State<ConsoleState>,
    who: Enrolling,
    CsrfJson(answer): CsrfJson<Answer>,
) -> Result<Response, WebError> {
    let token = who.0.token.clone().unwrap_or_default();
    let done = state
        .identity
        .finish_staff_passkey_enrolment(
            &token,
            &answer.ceremony,
            &answer.credential.to_string(),
            &who.0.meta,
        )
        .await;
    match done {
        Ok(()) => Ok(Json(json!({ "next": "/staff" })).into_response()),
        Err(e) => refusal(e),
    }
}

/// `POST /staff/login/passkey/start`.
pub async fn step_start(
    State(state): State<ConsoleState>,
    headers: HeaderMap,
    CsrfJson(_): CsrfJson<Value>,
) -> Result<Response, WebError> {
    let pending = pending(&headers, state.secure_cookies);
    ceremony_answer(state.identity.start_staff_passkey_step(&pending).await)
}

/// `POST /staff/login/passkey/finish`.
pub async fn step_finish(
    State(state): State<ConsoleState>,
    visitor: StaffVisitor,
    headers: HeaderMap,
    CsrfJson(answer): CsrfJson<Answer>,
) -> Result<Response, WebError> {
    let secure = state.secure_cookies;
    let done = state
        .identity
        .finish_staff_passkey_step(
            &pending(&headers, secure),
            &answer.ceremony,
            &answer.credential.to_string(),
            &visitor.meta,
        )
        .await;
    match done {
        Ok(token) => {
            let redirect = signed_in(token, secure, "/staff");
            let mut response = Json(json!({ "next": "/staff" })).into_response();
            for cookie in redirect.headers().get_all(axum::http::header::SET_COOKIE) {
                response
                    .headers_mut()
                    .append(axum::http::header::SET_COOKIE, cookie.clone());
            }
            Ok(response)
        }
        Err(e) => refusal(e),
    }
}

fn pending(headers: &HeaderMap, secure: bool) -> String {
    CookieJar::from_headers(headers)
        .get(cookies::name(Kind::StaffPending, secure))
        .map(|c| c.value().to_owned())
        .unwrap_or_default()
}

fn ceremony_answer(ceremony: Result<Ceremony, IdentityError>) -> Result<Response, WebError> {
    match ceremony {
        Ok(c) => Ok(Json(json!({ "ceremony": c.token, "options": c.options })).into_response()),
        Err(e) => refusal(e),
    }
}

fn refusal(e: IdentityError) -> Result<Response, WebError> {
    match e {
        IdentityError::PasskeyRefused | IdentityError::SecondStepExpired => {
            Ok(StatusCode::BAD_REQUEST.into_response())
        }
        IdentityError::PasskeysUnavailable => Ok(StatusCode::NOT_FOUND.into_response()),
        other => Err(other.into()),
    }
}
