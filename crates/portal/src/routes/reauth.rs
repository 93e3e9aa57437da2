//! Step-up: the customer confirms who they are (password or passkey) before a sensitive change,
//! then returns to the page they came from. See [`crate::visitor::Recent`].

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use identity::IdentityError;
use platform::fields::{FieldError, FormErrors};
use platform::i18n::Arg;
use serde::Deserialize;
use serde_json::Value;

use crate::AppState;
use crate::visitor::Customer;
use axum_extra::extract::cookie::CookieJar;
use pages::chrome::{Chrome, FormState, render};
use pages::cookies::{self, Kind};
use pages::csrf::{CsrfForm, CsrfJson};
use pages::error::{PageResult, WebError};
use pages::next::{return_to, with_next};
use pages::passkey::{self, Answer};

/// Where to return.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct Next {
    next: String,
}

/// The password, and where to return.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct ReauthForm {
    password: String,
    code: String,
    next: String,
}

#[derive(Template)]
#[template(path = "reauth.html")]
struct ReauthPage {
    c: Chrome,
    form: FormState,
    next: String,
    /// Two-step verification is on: the code is asked as well.
    two_step: bool,
    passkeys: bool,
    passkey_finish: String,
    locked: Option<String>,
}

/// Only a page of this site; anything else returns to the settings.
fn target(next: &str) -> String {
    return_to(next, &["/"], "/reauth", "/profile")
}

async fn page(
    state: &AppState,
    customer: &Customer,
    form: FormState,
    next: String,
    locked: Option<String>,
) -> Result<String, WebError> {
    let two_step = state.identity.mfa_state(customer.id).await?.enabled;
    let page = ReauthPage {
        two_step,
        c: customer.visitor.chrome(),
        form,
        passkey_finish: with_next("/reauth/passkey/finish", &next),
        next,
        passkeys: state.identity.passkeys_offered(false),
        locked,
    };
    render(&page)
}

/// The session cookie with the token the proof gave the session.
fn renewed(state: &AppState, token: String) -> CookieJar {
    CookieJar::new().add(cookies::build(Kind::Session, state.secure_cookies, token))
}

/// `GET /reauth?next=/path`.
pub async fn form(
    State(state): State<AppState>,
    customer: Customer,
    Query(q): Query<Next>,
) -> PageResult {
    let form = FormState::fresh(customer.visitor.locale);
    let html = page(&state, &customer, form, target(&q.next), None).await?;
    Ok(Html(html).into_response())
}

/// `POST /reauth`: the password; back to the page on success.
pub async fn submit(
    State(state): State<AppState>,
    customer: Customer,
    CsrfForm(f): CsrfForm<ReauthForm>,
) -> PageResult {
    let next = target(&f.next);
    let token = customer.visitor.session_token.clone().unwrap_or_default();
    let locale = customer.visitor.locale;
    match state
        .identity
        .reauthenticate(&token, &f.password, &f.code, &customer.visitor.meta)
        .await
    {
        Ok(fresh) => Ok((renewed(&state, fresh), Redirect::to(&next)).into_response()),
        Err(IdentityError::Invalid(errors)) => {
            let form = FormState::with(locale, errors);
            let html = page(&state, &customer, form, next, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(IdentityError::InvalidCredentials) => {
            let errors = FormErrors(vec![("password", FieldError::IncorrectPassword)]);
            let html = page(
                &state,
                &customer,
                FormState::with(locale, errors),
                next,
                None,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(IdentityError::Throttled { retry_after }) => {
            let minutes = (retry_after + 59) / 60;
            let text = locale.t_args("password-check-locked", &[("minutes", Arg::from(minutes))]);
            let html = page(
                &state,
                &customer,
                FormState::fresh(locale),
                next,
                Some(text),
            )
            .await?;
            Ok((
                StatusCode::TOO_MANY_REQUESTS,
                [(RETRY_AFTER, HeaderValue::from(retry_after))],
                Html(html),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /reauth/passkey/start`.
pub async fn passkey_start(
    State(state): State<AppState>,
    _customer: Customer,
    CsrfJson(_): CsrfJson<Value>,
) -> Result<Response, WebError> {
    passkey::ceremony(state.identity.start_passkey_login().await)
}

/// `POST /reauth/passkey/finish?next=/path`: one of the customer's own passkeys.
pub async fn passkey_finish(
    State(state): State<AppState>,
    customer: Customer,
    Query(q): Query<Next>,
    CsrfJson(answer): CsrfJson<Answer>,
) -> Result<Response, WebError> {
    let token = customer.visitor.session_token.clone().unwrap_or_default();
    let done = state
        .identity
        .reauthenticate_with_passkey(
            &token,
            &answer.ceremony,
            &answer.credential.to_string(),
            &customer.visitor.meta,
        )
        .await;
    match done {
        Ok(fresh) => Ok((renewed(&state, fresh), passkey::next(&target(&q.next))).into_response()),
        Err(e) => passkey::refusal(e),
    }
}
