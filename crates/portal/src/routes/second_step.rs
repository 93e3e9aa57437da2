//! The second login step: a code from the authenticator app, or a recovery code.

use askama::Template;
use axum::extract::State;
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect};
use axum_extra::extract::cookie::CookieJar;
use identity::IdentityError;
use platform::i18n::Arg;
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

#[derive(Template)]
#[template(path = "message.html")]
struct LockedPage {
    c: Chrome,
    title: String,
    body: String,
    link_href: &'static str,
    link_text: String,
}

/// The answer while a factor is slowed down or locked (`IdentityError::Throttled`): what
/// happened and the wait in minutes, from the catalog text `message`, with `Retry-After`, and a
/// way back (`back`: the address and the catalog key of its label).
pub(crate) fn locked(
    c: Chrome,
    retry_after: i64,
    message: &str,
    back: (&'static str, &str),
) -> PageResult {
    let minutes = (retry_after + 59) / 60;
    let page = LockedPage {
        title: c.t("factor-locked-title"),
        body: c.locale.t_args(message, &[("minutes", Arg::from(minutes))]),
        link_href: back.0,
        link_text: c.t(back.1),
        c,
    };
    Ok((
        StatusCode::TOO_MANY_REQUESTS,
        [(RETRY_AFTER, HeaderValue::from(retry_after))],
        Html(render(&page)?),
    )
        .into_response())
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
        Err(IdentityError::Throttled { retry_after }) => locked(
            visitor.chrome(),
            retry_after,
            "code-locked",
            ("/login", "code-restart"),
        ),
        Err(e) => Err(e.into()),
    }
}
