//! Confirming an e-mail address. The link opens a page with a button: mail scanners that fetch
//! links must not use up the single-use token. In the browser that signed up, the button is
//! enough; elsewhere the page asks for the password chosen at sign-up, so that an address
//! registered by someone else cannot be confirmed by its owner's click.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderValue;
use axum::http::StatusCode;
use axum::http::header::RETRY_AFTER;
use axum::response::{Html, IntoResponse};
use axum_extra::extract::cookie::CookieJar;
use identity::{IdentityError, SignupProof};
use platform::fields::{FieldError, FormErrors};
use platform::i18n::Arg;
use serde::Deserialize;

use crate::AppState;
use crate::visitor::Visitor;
use pages::chrome::{Chrome, FormState, render};
use pages::cookies::{self, Kind};
use pages::csrf::CsrfForm;
use pages::error::PageResult;
use pages::message;

/// The password, when this is not the browser that signed up.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct VerifyForm {
    password: Option<String>,
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    c: Chrome,
    token: String,
    form: FormState,
    ask_password: bool,
    locked: Option<String>,
}

fn signup_cookie(jar: &CookieJar, secure: bool) -> Option<String> {
    jar.get(cookies::name(Kind::Signup, secure))
        .map(|c| c.value().to_owned())
}

fn page(
    visitor: &Visitor,
    token: String,
    form: FormState,
    ask: bool,
    locked: Option<String>,
) -> Result<String, pages::error::WebError> {
    render(&VerifyPage {
        c: visitor.chrome(),
        token,
        form,
        ask_password: ask,
        locked,
    })
}

/// `GET /verify/{token}`.
pub async fn confirm_page(
    State(state): State<AppState>,
    visitor: Visitor,
    jar: CookieJar,
    Path(token): Path<String>,
) -> PageResult {
    let ask = signup_cookie(&jar, state.secure_cookies).is_none();
    let html = page(&visitor, token, FormState::fresh(visitor.locale), ask, None)?;
    Ok(Html(html).into_response())
}

/// `POST /verify/{token}`.
pub async fn confirm(
    State(state): State<AppState>,
    visitor: Visitor,
    jar: CookieJar,
    Path(token): Path<String>,
    CsrfForm(f): CsrfForm<VerifyForm>,
) -> PageResult {
    let cookie = signup_cookie(&jar, state.secure_cookies);
    let proof = match &f.password {
        Some(password) => SignupProof::Password(password),
        None => SignupProof::Browser(cookie.as_deref()),
    };
    let locale = visitor.locale;
    let (status, form, locked) = match state
        .identity
        .verify_email(&token, proof, &visitor.meta)
        .await
    {
        Ok(()) => {
            let done = message::page(
                visitor.chrome(),
                StatusCode::OK,
                "verify-done-title",
                "verify-done-body",
                Some(("/login", "nav-login")),
            )?;
            let jar = CookieJar::new().add(cookies::removal(Kind::Signup, state.secure_cookies));
            return Ok((jar, done).into_response());
        }
        Err(IdentityError::LinkInvalid) => {
            return message::page(
                visitor.chrome(),
                StatusCode::GONE,
                "link-invalid-title",
                "verify-invalid-body",
                Some(("/login", "nav-login")),
            );
        }
        Err(IdentityError::PasswordRequired) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FormState::fresh(locale),
            None,
        ),
        Err(IdentityError::InvalidCredentials) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FormState::with(
                locale,
                FormErrors(vec![("password", FieldError::IncorrectPassword)]),
            ),
            None,
        ),
        Err(IdentityError::Throttled { retry_after }) => {
            let minutes = (retry_after + 59) / 60;
            let text = locale.t_args("password-check-locked", &[("minutes", Arg::from(minutes))]);
            let html = page(&visitor, token, FormState::fresh(locale), true, Some(text))?;
            return Ok((
                StatusCode::TOO_MANY_REQUESTS,
                [(RETRY_AFTER, HeaderValue::from(retry_after))],
                Html(html),
            )
                .into_response());
        }
        Err(e) => return Err(e.into()),
    };
    let html = page(&visitor, token, form, true, locked)?;
    Ok((status, Html(html)).into_response())
}
