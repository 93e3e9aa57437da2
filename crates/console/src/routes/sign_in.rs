//! Staff sign-in: user name and password, then the authenticator code.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use identity::IdentityError;
use identity::staff::StaffLoginOutcome;
use pages::chrome::{Chrome, FormState, render};
use pages::cookies::{self, Kind};
use pages::csrf::{CsrfForm, NoFields};
use pages::error::PageResult;
use platform::crypto::SecretToken;
use platform::i18n::Arg;
use serde::Deserialize;

use crate::ConsoleState;
use crate::staff::StaffVisitor;

/// The sign-in form's fields.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct SignInForm {
    username: String,
    password: String,
}

/// The code form's field.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct CodeForm {
    code: String,
}

/// Notices after a redirect.
#[derive(Deserialize)]
pub struct Notice {
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "staff_login.html")]
struct SignInPage {
    c: Chrome,
    federated: bool,
    username: String,
    error: Option<String>,
    notice: Option<String>,
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

/// `GET /staff/login`.
pub async fn form(
    State(state): State<ConsoleState>,
    visitor: StaffVisitor,
    Query(q): Query<Notice>,
) -> PageResult {
    let c = visitor.chrome();
    let notice = match q.notice.as_deref() {
        Some("logged-out") => Some(c.t("notice-logged-out")),
        Some("code-expired") => Some(c.t("notice-code-expired")),
        _ => None,
    };
    Ok(Html(render(&SignInPage {
        c,
        federated: state.federation.is_some(),
        username: String::new(),
        error: None,
        notice,
    })?)
    .into_response())
}

/// `POST /staff/login`.
pub async fn submit(
    State(state): State<ConsoleState>,
    visitor: StaffVisitor,
    CsrfForm(f): CsrfForm<SignInForm>,
) -> PageResult {
    let secure = state.secure_cookies;
    let c = visitor.chrome();
    let (status, message) = match state
        .identity
        .staff_log_in(&f.username, &f.password, &visitor.meta)
        .await
    {
        Ok(StaffLoginOutcome::SecondStep { pending_token }) => {
            let jar =
                CookieJar::new().add(cookies::build(Kind::StaffPending, secure, pending_token));
            return Ok((jar, Redirect::to("/staff/login/code")).into_response());
        }
        Ok(StaffLoginOutcome::Enrol { session_token }) => {
            return Ok(signed_in(session_token, secure, "/staff/enrol"));
        }
        Ok(StaffLoginOutcome::SignedIn { session_token }) => {
            return Ok(signed_in(session_token, secure, "/staff"));
        }
        Err(IdentityError::InvalidCredentials) => {
            (StatusCode::UNAUTHORIZED, c.t("staff-login-failed"))
        }
        Err(IdentityError::Disabled) => (StatusCode::FORBIDDEN, c.t("staff-login-disabled")),
        Err(IdentityError::Throttled { retry_after }) => {
            let text = c.locale.t_args(
                "login-throttled",
                &[("minutes", Arg::from((retry_after + 59) / 60))],
            );
            let page = SignInPage {
                c,
                federated: state.federation.is_some(),
                username: f.username,
                error: Some(text),
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
    let page = SignInPage {
        c,
        federated: state.federation.is_some(),
        username: f.username,
        error: Some(message),
        notice: None,
    };
    Ok((status, Html(render(&page)?)).into_response())
}

/// `GET /staff/login/code`.
pub async fn code_form(State(state): State<ConsoleState>, visitor: StaffVisitor) -> PageResult {
    let page = CodePage {
        form: FormState::fresh(visitor.locale),
        c: visitor.chrome(),
        action: "/staff/login/code",
        restart: "/staff/login",
        passkey_step: state.identity.passkeys_offered(true),
    };
    Ok(Html(render(&page)?).into_response())
}

/// `POST /staff/login/code`.
pub async fn code(
    State(state): State<ConsoleState>,
    visitor: StaffVisitor,
    headers: HeaderMap,
    CsrfForm(f): CsrfForm<CodeForm>,
) -> PageResult {
    let secure = state.secure_cookies;
    let pending = CookieJar::from_headers(&headers)
        .get(cookies::name(Kind::StaffPending, secure))
        .map(|c| c.value().to_owned());
    match state
        .identity
        .complete_staff_second_step(
            pending.as_deref().unwrap_or_default(),
            &f.code,
            &visitor.meta,
        )
        .await
    {
        Ok(token) => Ok(signed_in(token, secure, "/staff")),
        Err(IdentityError::Invalid(errors)) => {
            let page = CodePage {
                form: FormState::with(visitor.locale, errors),
                c: visitor.chrome(),
                action: "/staff/login/code",
                restart: "/staff/login",
                passkey_step: state.identity.passkeys_offered(true),
            };
            Ok((StatusCode::UNAUTHORIZED, Html(render(&page)?)).into_response())
        }
        Err(IdentityError::SecondStepExpired) => {
            let jar = CookieJar::new().add(cookies::removal(Kind::StaffPending, secure));
            Ok((jar, Redirect::to("/staff/login?notice=code-expired")).into_response())
        }
        Err(IdentityError::Throttled { retry_after }) => {
            let c = visitor.chrome();
            let text = c.locale.t_args(
                "code-locked",
                &[("minutes", Arg::from((retry_after + 59) / 60))],
            );
            let page = SignInPage {
                c,
                federated: state.federation.is_some(),
                username: String::new(),
                error: Some(text),
                notice: None,
            };
            let jar = CookieJar::new().add(cookies::removal(Kind::StaffPending, secure));
            let retry = HeaderValue::from(retry_after);
            Ok((
                StatusCode::TOO_MANY_REQUESTS,
                jar,
                [(RETRY_AFTER, retry)],
                Html(render(&page)?),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /staff/logout`.
pub async fn log_out(
    State(state): State<ConsoleState>,
    visitor: StaffVisitor,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    if let Some(token) = &visitor.token {
        state.identity.staff_log_out(token, &visitor.meta).await?;
    }
    let secure = state.secure_cookies;
    let jar = CookieJar::new()
        .add(cookies::removal(Kind::StaffSession, secure))
        .add(cookies::build(
            Kind::Csrf,
            secure,
            SecretToken::generate().plain,
        ));
    Ok((jar, Redirect::to("/staff/login?notice=logged-out")).into_response())
}

/// A fresh staff session cookie (and form-token cookie), then on to `next`.
pub(super) fn signed_in(token: String, secure: bool, next: &str) -> Response {
    let jar = CookieJar::new()
        .add(cookies::build(Kind::StaffSession, secure, token))
        .add(cookies::build(
            Kind::Csrf,
            secure,
            SecretToken::generate().plain,
        ))
        .add(cookies::removal(Kind::StaffPending, secure));
    (jar, Redirect::to(next)).into_response()
}
