//! Step-up for staff: both factors again (password and authenticator code) or a passkey, before
//! an export; then back to the page asked for. See [`crate::staff::require_recent`].

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use identity::IdentityError;
use pages::chrome::{Chrome, FormState, render};
use pages::csrf::{CsrfForm, CsrfJson};
use pages::error::{PageResult, WebError};
use pages::next::{return_to, with_next};
use pages::passkey::{self, Answer};
use platform::fields::{FieldError, FormErrors};
use platform::i18n::Arg;
use serde::Deserialize;
use serde_json::Value;

use crate::ConsoleState;
use crate::staff::SignedIn;

/// Where to return.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct Next {
    next: String,
}

/// Both factors, and where to return.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct ReauthForm {
    password: String,
    code: String,
    next: String,
}

#[derive(Template)]
#[template(path = "staff_reauth.html")]
struct ReauthPage {
    c: Chrome,
    form: FormState,
    next: String,
    passkeys: bool,
    passkey_finish: String,
    locked: Option<String>,
}

/// Only a page of the staff listener; anything else returns to its home.
fn target(next: &str) -> String {
    return_to(next, &["/staff", "/ops"], "/staff/reauth", "/staff")
}

fn page(
    state: &ConsoleState,
    who: &SignedIn,
    form: FormState,
    next: String,
    locked: Option<String>,
) -> Result<String, WebError> {
    render(&ReauthPage {
        c: who.0.chrome(),
        form,
        passkey_finish: with_next("/staff/reauth/passkey/finish", &next),
        next,
        passkeys: state.identity.passkeys_offered(true),
        locked,
    })
}

/// `GET /staff/reauth?next=/path`.
pub async fn form(
    State(state): State<ConsoleState>,
    who: SignedIn,
    Query(q): Query<Next>,
) -> PageResult {
    let form = FormState::fresh(who.0.locale);
    Ok(Html(page(&state, &who, form, target(&q.next), None)?).into_response())
}

/// `POST /staff/reauth`.
pub async fn submit(
    State(state): State<ConsoleState>,
    who: SignedIn,
    CsrfForm(f): CsrfForm<ReauthForm>,
) -> PageResult {
    let next = target(&f.next);
    let token = who.0.token.clone().unwrap_or_default();
    let locale = who.0.locale;
    let errors = match state
        .identity
        .staff_reauthenticate(&token, &f.password, &f.code, &who.0.meta)
        .await
    {
        Ok(()) => return Ok(Redirect::to(&next).into_response()),
        Err(IdentityError::InvalidCredentials) => {
            FormErrors(vec![("password", FieldError::IncorrectPassword)])
        }
        Err(IdentityError::Invalid(errors)) => errors,
        Err(IdentityError::Throttled { retry_after }) => {
            let minutes = (retry_after + 59) / 60;
            let text = locale.t_args("factor-check-locked", &[("minutes", Arg::from(minutes))]);
            let html = page(&state, &who, FormState::fresh(locale), next, Some(text))?;
            return Ok((
                StatusCode::TOO_MANY_REQUESTS,
                [(RETRY_AFTER, HeaderValue::from(retry_after))],
                Html(html),
            )
                .into_response());
        }
        Err(e) => return Err(e.into()),
    };
    let html = page(&state, &who, FormState::with(locale, errors), next, None)?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
}

/// `POST /staff/reauth/passkey/start`.
pub async fn passkey_start(
    State(state): State<ConsoleState>,
    who: SignedIn,
    CsrfJson(_): CsrfJson<Value>,
) -> Result<Response, WebError> {
    let token = who.0.token.clone().unwrap_or_default();
    passkey::ceremony(state.identity.start_staff_passkey_reauth(&token).await)
}

/// `POST /staff/reauth/passkey/finish?next=/path`.
pub async fn passkey_finish(
    State(state): State<ConsoleState>,
    who: SignedIn,
    Query(q): Query<Next>,
    CsrfJson(answer): CsrfJson<Answer>,
) -> Result<Response, WebError> {
    let token = who.0.token.clone().unwrap_or_default();
    let done = state
        .identity
        .finish_staff_passkey_reauth(
            &token,
            &answer.ceremony,
            &answer.credential.to_string(),
            &who.0.meta,
        )
        .await;
    match done {
        Ok(()) => Ok(passkey::next(&target(&q.next))),
        Err(e) => passkey::refusal(e),
    }
}
