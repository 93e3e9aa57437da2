//! Staff passkeys: registered as the second factor while enrolling, used instead of a code at
//! the second step. The ceremonies answer JSON to the page's script.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use pages::cookies::{self, Kind};
use pages::csrf::CsrfJson;
use pages::error::WebError;
use pages::passkey::{self, Answer};
use serde_json::Value;

use super::sign_in::signed_in;
use crate::ConsoleState;
use crate::staff::{Enrolling, StaffVisitor};

/// `POST /staff/passkeys/start`.
pub async fn enrol_start(
    State(state): State<ConsoleState>,
    who: Enrolling,
    CsrfJson(_): CsrfJson<Value>,
) -> Result<Response, WebError> {
    let token = who.0.token.clone().unwrap_or_default();
    passkey::ceremony(state.identity.start_staff_passkey_enrolment(&token).await)
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
        Ok(()) => Ok(passkey::next("/staff")),
        Err(e) => passkey::refusal(e),
    }
}

/// `POST /staff/login/passkey/start`.
pub async fn step_start(
    State(state): State<ConsoleState>,
    headers: HeaderMap,
    CsrfJson(_): CsrfJson<Value>,
) -> Result<Response, WebError> {
    let pending = pending(&headers, state.secure_cookies);
    passkey::ceremony(state.identity.start_staff_passkey_step(&pending).await)
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
            let mut response = passkey::next("/staff");
            for cookie in redirect.headers().get_all(axum::http::header::SET_COOKIE) {
                response
                    .headers_mut()
                    .append(axum::http::header::SET_COOKIE, cookie.clone());
            }
            Ok(response)
        }
        Err(e) => passkey::refusal(e),
    }
}

fn pending(headers: &HeaderMap, secure: bool) -> String {
    CookieJar::from_headers(headers)
        .get(cookies::name(Kind::StaffPending, secure))
        .map(|c| c.value().to_owned())
        .unwrap_or_default()
}
