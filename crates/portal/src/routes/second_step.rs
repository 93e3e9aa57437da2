//! The second login step: a code from the authenticator app, or a recovery code.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect};
use axum_extra::extract::cookie::CookieJar;
use identity::IdentityError;
use serde::Deserialize;

use super::login::{logged_in, login_context};
use crate::AppState;
use crate::visitor::Visitor;
use pages::chrome::{Chrome, FormState, render};
use pages::cookies::{self, Kind};
use pages::csrf::CsrfForm;
use pages::error::PageResult;

/// The code field.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct CodeForm {
    code: String,
}

#[derive(Template)]
#[template(path = "login_code.html")]
struct CodePage {
    c: Chrome,
    form: FormState,
    action: &'static str,
    restart: &'static str,
    passkey_step: bool,
}

/// `GET /login/code`.
pub async fn form(visitor: Visitor) -> PageResult {
    let page = CodePage {
        form: FormState::fresh(visitor.locale),
        c: visitor.chrome(),
        action: "/login/code",
        restart: "/login",
        passkey_step: false,
    };
    Ok(Html(render(&page)?).into_response())
}

/// `POST /login/code`.
pub async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    CsrfForm(f): CsrfForm<CodeForm>,
) -> PageResult {
    let secure = state.secure_cookies;
    let pending = CookieJar::from_headers(&headers)
        .get(cookies::name(Kind::PendingLogin, secure))
        .map(|c| c.value().to_owned());
    let ctx = login_context(&headers, secure);
    match state
        .identity
        .complete_second_step(
            pending.as_deref().unwrap_or_default(),
            &f.code,
            &ctx,
            &visitor.meta,
        )
        .await
    {
        Ok(done) => Ok(logged_in(done, &headers, secure)),
        Err(IdentityError::Invalid(errors)) => {
            let page = CodePage {
                form: FormState::with(visitor.locale, errors),
                c: visitor.chrome(),
                action: "/login/code",
                restart: "/login",
                passkey_step: false,
            };
            Ok((StatusCode::UNAUTHORIZED, Html(render(&page)?)).into_response())
        }
        Err(IdentityError::SecondStepExpired) => {
            let jar = CookieJar::new().add(cookies::removal(Kind::PendingLogin, secure));
            Ok((jar, Redirect::to("/login?notice=code-expired")).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
