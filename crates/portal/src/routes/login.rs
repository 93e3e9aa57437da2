//! Login.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect};
use axum_extra::extract::cookie::CookieJar;
use identity::IdentityError;
use platform::crypto::SecretToken;
use serde::Deserialize;

use crate::AppState;
use crate::chrome::{Chrome, render};
use crate::cookies::{self, Kind};
use crate::csrf::CsrfForm;
use crate::error::PageResult;
use crate::visitor::Visitor;

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
    email: String,
    error: Option<String>,
    notice: Option<String>,
}

/// `GET /login`.
pub async fn form(visitor: Visitor, Query(q): Query<Notice>) -> PageResult {
    if visitor.session.is_some() {
        return Ok(Redirect::to("/dashboard").into_response());
    }
    let c = visitor.chrome();
    let notice = match q.notice.as_deref() {
        Some("logged-out") => Some(c.t("notice-logged-out")),
        Some("password-changed") => Some(c.t("notice-password-changed")),
        _ => None,
    };
    let page = LoginPage {
        c,
        email: String::new(),
        error: None,
        notice,
    };
    Ok(Html(render(&page)?).into_response())
}

/// `POST /login`: on success a new session (never the old one: no session fixation) and a new
/// form-token cookie.
pub async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(f): CsrfForm<LoginForm>,
) -> PageResult {
    let secure = state.secure_cookies;
    let (status, key) = match state
        .identity
        .log_in(&f.email, &f.password, &visitor.meta)
        .await
    {
        Ok(done) => {
            let jar = CookieJar::new()
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
                ));
            return Ok((jar, Redirect::to("/dashboard")).into_response());
        }
        Err(IdentityError::InvalidCredentials) => (StatusCode::UNAUTHORIZED, "login-failed"),
        Err(IdentityError::NotVerified) => (StatusCode::FORBIDDEN, "login-not-verified"),
        Err(IdentityError::Disabled) => (StatusCode::FORBIDDEN, "login-disabled"),
        Err(e) => return Err(e.into()),
    };
    let c = visitor.chrome();
    let page = LoginPage {
        error: Some(c.t(key)),
        c,
        email: f.email,
        notice: None,
    };
    Ok((status, Html(render(&page)?)).into_response())
}
