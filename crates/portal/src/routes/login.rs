//! Login.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::{RETRY_AFTER, USER_AGENT};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect};
use axum_extra::extract::cookie::CookieJar;
use identity::{IdentityError, LoggedIn, LoginContext, LoginOutcome};
use platform::crypto::SecretToken;
use platform::i18n::Arg;
use serde::Deserialize;

use crate::AppState;
use crate::visitor::Visitor;
use pages::chrome::{Chrome, render};
use pages::cookies::{self, Kind};
use pages::csrf::CsrfForm;
use pages::error::PageResult;

/// The login form's fields.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    email: String,
    password: String,
}

/// Notices the login page can show after a redirect.
#[derive(Deserialize)]
pub struct Notice {
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    passkeys: bool,
    email: String,
    error: Option<String>,
    notice: Option<String>,
}

/// `GET /login`.
pub async fn form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<Notice>,
) -> PageResult {
    if visitor.session.is_some() {
        return Ok(Redirect::to("/dashboard").into_response());
    }
    let c = visitor.chrome();
    let notice = match q.notice.as_deref() {
        Some("logged-out") => Some(c.t("notice-logged-out")),
        Some("password-changed") => Some(c.t("notice-password-changed")),
        Some("code-expired") => Some(c.t("notice-code-expired")),
        Some("login-again") => Some(c.t("notice-login-again")),
        _ => None,
    };
    let page = LoginPage {
        c,
        passkeys: state.identity.passkeys_offered(false),
        email: String::new(),
        error: None,
        notice,
    };
    Ok(Html(render(&page)?).into_response())
}

/// `POST /login`: on success a new session (never the old one: no session fixation), a new
/// form-token cookie and, for a browser seen for the first time, a device cookie.
pub async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    CsrfForm(f): CsrfForm<LoginForm>,
) -> PageResult {
    let secure = state.secure_cookies;
    let ctx = login_context(&headers, secure);
    let c = visitor.chrome();
    let (status, message) = match state
        .identity
        .log_in(&f.email, &f.password, &ctx, &visitor.meta)
        .await
    {
        Ok(LoginOutcome::LoggedIn(done)) => return Ok(logged_in(done, &headers, secure)),
        Ok(LoginOutcome::SecondStep { pending_token }) => {
            let jar =
                CookieJar::new().add(cookies::build(Kind::PendingLogin, secure, pending_token));
            return Ok((jar, Redirect::to("/login/code")).into_response());
        }
        Err(IdentityError::InvalidCredentials) => (StatusCode::UNAUTHORIZED, c.t("login-failed")),
        Err(IdentityError::NotVerified) => (StatusCode::FORBIDDEN, c.t("login-not-verified")),
        Err(IdentityError::Disabled) => (StatusCode::FORBIDDEN, c.t("login-disabled")),
        Err(IdentityError::Throttled { retry_after }) => {
            let minutes = (retry_after + 59) / 60;
            let text = c
                .locale
                .t_args("login-throttled", &[("minutes", Arg::from(minutes))]);
            let page = LoginPage {
                error: Some(text),
                passkeys: state.identity.passkeys_offered(false),
                c,
                email: f.email,
                notice: None,
            };
            let retry = HeaderValue::from(retry_after);
            return Ok((
                StatusCode::TOO_MANY_REQUESTS,
                [(RETRY_AFTER, retry)],
                Html(render(&page)?),
            )
                .into_response());
        }
        Err(e) => return Err(e.into()),
    };
    let page = LoginPage {
        error: Some(message),
        passkeys: state.identity.passkeys_offered(false),
        c,
        email: f.email,
        notice: None,
    };
    Ok((status, Html(render(&page)?)).into_response())
}

/// The cookies of a fresh session (a new form-token cookie too: the old one was seen before
/// login) and the way on: back to a waiting authorization request, or to the dashboard.
pub fn logged_in(done: LoggedIn, headers: &HeaderMap, secure: bool) -> axum::response::Response {
    let (jar, next) = session_cookies(done, headers, secure);
    (jar, Redirect::to(&next)).into_response()
}

/// The cookies of a fresh session and where the customer goes next.
pub fn session_cookies(done: LoggedIn, headers: &HeaderMap, secure: bool) -> (CookieJar, String) {
    let next = super::authorize::resume_target(headers, secure);
    let mut jar = CookieJar::new()
        .add(cookies::build(Kind::Session, secure, done.session_token))
        .add(cookies::build(
            Kind::Csrf,
            secure,
            SecretToken::generate().plain,
        ))
        .add(cookies::build(
            Kind::Lang,
            false,
            done.locale.code().to_owned(),
        ))
        .add(cookies::removal(Kind::PendingLogin, secure))
        .add(cookies::removal(Kind::Resume, secure));
    if let Some(device) = done.new_device_token {
        jar = jar.add(cookies::build(Kind::Device, secure, device));
    }
    (jar, next.unwrap_or_else(|| "/dashboard".to_owned()))
}

/// The browser's device cookie and user agent, which the login records.
pub fn login_context(headers: &HeaderMap, secure: bool) -> LoginContext {
    let jar = CookieJar::from_headers(headers);
    LoginContext {
        user_agent: headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        device_token: jar
            .get(cookies::name(Kind::Device, secure))
            .map(|c| c.value().to_owned()),
    }
}
