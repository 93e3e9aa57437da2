//! Forgotten password: request a link, then set a new password with it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect};
use identity::{Email, IdentityError};
use platform::fields::FormErrors;
use serde::Deserialize;

use crate::AppState;
use crate::visitor::Visitor;
use pages::chrome::{Chrome, FormState, render};
use pages::csrf::CsrfForm;
use pages::error::PageResult;
use pages::message;

/// The request form's field.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct RequestForm {
    email: String,
}

/// The new-password form's fields.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct ResetForm {
    password: String,
    password_confirm: String,
}

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage {
    c: Chrome,
    form: FormState,
    email: String,
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage {
    c: Chrome,
    form: FormState,
    token: String,
}

/// `GET /password/forgot`.
pub async fn request_form(visitor: Visitor) -> PageResult {
    let page = ForgotPage {
        form: FormState::fresh(visitor.locale),
        c: visitor.chrome(),
        email: String::new(),
    };
    Ok(Html(render(&page)?).into_response())
}

/// `POST /password/forgot`: the same answer for known and unknown addresses.
pub async fn request(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(f): CsrfForm<RequestForm>,
) -> PageResult {
    let email = match Email::parse(&f.email) {
        Ok(email) => email,
        Err(e) => {
            let form = FormState::with(visitor.locale, FormErrors(vec![("email", e)]));
            let page = ForgotPage {
                form,
                c: visitor.chrome(),
                email: f.email,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response());
        }
    };
    state
        .identity
        .request_password_reset(&email, visitor.locale, &visitor.meta)
        .await?;
    message::page(
        visitor.chrome(),
        StatusCode::OK,
        "forgot-sent-title",
        "forgot-sent-body",
        None,
    )
}

/// `GET /password/reset/{token}`.
pub async fn form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> PageResult {
    if !state.identity.reset_link_is_live(&token).await? {
        return invalid(visitor);
    }
    let page = ResetPage {
        form: FormState::fresh(visitor.locale),
        c: visitor.chrome(),
        token,
    };
    Ok(Html(render(&page)?).into_response())
}

/// `POST /password/reset/{token}`.
pub async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
    CsrfForm(f): CsrfForm<ResetForm>,
) -> PageResult {
    match state
        .identity
        .reset_password(&token, &f.password, &f.password_confirm, &visitor.meta)
        .await
    {
        Ok(()) => Ok(Redirect::to("/login?notice=password-changed").into_response()),
        Err(IdentityError::Invalid(errors)) => {
            let page = ResetPage {
                form: FormState::with(visitor.locale, errors),
                c: visitor.chrome(),
                token,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response())
        }
        Err(IdentityError::LinkInvalid) => invalid(visitor),
        Err(e) => Err(e.into()),
    }
}

fn invalid(visitor: Visitor) -> PageResult {
    message::page(
        visitor.chrome(),
        StatusCode::GONE,
        "link-invalid-title",
        "reset-invalid-body",
        Some(("/password/forgot", "forgot-again")),
    )
}
