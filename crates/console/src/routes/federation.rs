//! Sign-in through the corporate directory: off to the directory with a state bound to this
//! browser, back with a code, then on to the console, or to our second factor when the
//! directory did not check one.

use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum_extra::extract::cookie::CookieJar;
use federation::FederationError;
use identity::IdentityError;
use identity::staff::StaffLoginOutcome;
use pages::cookies::{self, Kind};
use pages::error::{PageResult, WebError};
use serde::Deserialize;

use super::sign_in::signed_in;
use crate::ConsoleState;
use crate::staff::StaffVisitor;

/// The callback's parameters.
#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    iss: Option<String>,
    error: Option<String>,
}

/// `GET /staff/login/federated`: sends the browser to the directory.
pub async fn start(State(state): State<ConsoleState>, visitor: StaffVisitor) -> PageResult {
    let Some(federation) = &state.federation else {
        return Err(WebError::NotFound);
    };
    match federation.start().await {
        Ok(started) => {
            let cookie = cookies::build(Kind::StaffFederation, state.secure_cookies, started.state);
            Ok((
                CookieJar::new().add(cookie),
                Redirect::to(started.url.as_str()),
            )
                .into_response())
        }
        Err(e) => failure_page(&visitor, &e),
    }
}

/// `GET /staff/login/federated/callback`.
pub async fn callback(
    State(state): State<ConsoleState>,
    visitor: StaffVisitor,
    headers: HeaderMap,
    Query(q): Query<Callback>,
) -> PageResult {
    let Some(federation) = &state.federation else {
        return Err(WebError::NotFound);
    };
    let secure = state.secure_cookies;
    let cookie_state = CookieJar::from_headers(&headers)
        .get(cookies::name(Kind::StaffFederation, secure))
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    let login = match (&q.error, &q.code, &q.state) {
        (None, Some(code), Some(query_state)) => {
            federation
                .finish(
                    &cookie_state,
                    query_state,
                    q.iss.as_deref(),
                    code,
                    &visitor.meta,
                )
                .await
        }
        _ => {
            let refused = FederationError::Refused("the directory returned no code");
            federation.audit_refusal(&refused, &visitor.meta).await;
            Err(refused)
        }
    };
    let login = match login {
        Ok(login) => login,
        Err(e) => return failure_page(&visitor, &e),
    };
    let outcome = match state
        .identity
        .staff_federated_log_in(&login, &visitor.meta)
        .await
    {
        Ok(outcome) => outcome,
        Err(IdentityError::Disabled) => {
            return message(&visitor, StatusCode::FORBIDDEN, "staff-login-disabled");
        }
        Err(e) => return Err(e.into()),
    };
    let mut response = match outcome {
        StaffLoginOutcome::SignedIn { session_token } => signed_in(session_token, secure, "/staff"),
        StaffLoginOutcome::Enrol { session_token } => {
            signed_in(session_token, secure, "/staff/enrol")
        }
        StaffLoginOutcome::SecondStep { pending_token } => {
            let jar =
                CookieJar::new().add(cookies::build(Kind::StaffPending, secure, pending_token));
            (jar, Redirect::to("/staff/login/code")).into_response()
        }
    };
    let spent = cookies::removal(Kind::StaffFederation, secure).to_string();
    if let Ok(value) = HeaderValue::from_str(&spent) {
        response.headers_mut().append(SET_COOKIE, value);
    }
    Ok(response)
}

fn failure_page(visitor: &StaffVisitor, error: &FederationError) -> PageResult {
    match error {
        FederationError::NoRole => {
            message(visitor, StatusCode::FORBIDDEN, "staff-federation-no-role")
        }
        FederationError::Refused(why) => {
            tracing::warn!(reason = why, "federated sign-in refused");
            message(visitor, StatusCode::BAD_REQUEST, "staff-federation-refused")
        }
        FederationError::Unavailable(why) => {
            tracing::warn!(reason = %why, "corporate directory unavailable");
            message(
                visitor,
                StatusCode::SERVICE_UNAVAILABLE,
                "staff-federation-unavailable",
            )
        }
        other => Err(WebError::of(other)),
    }
}

fn message(visitor: &StaffVisitor, status: StatusCode, body: &str) -> PageResult {
    pages::message::page(
        visitor.chrome(),
        status,
        "staff-federation-title",
        body,
        Some(("/staff/login", "staff-federation-back")),
    )
}
