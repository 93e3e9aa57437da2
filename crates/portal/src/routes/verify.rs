//! Confirming an e-mail address. The link opens a page with a button: mail scanners that fetch
//! links must not use up the single-use token.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use identity::IdentityError;

use crate::AppState;
use crate::visitor::Visitor;
use pages::chrome::{Chrome, render};
use pages::csrf::{CsrfForm, NoFields};
use pages::error::PageResult;
use pages::message;

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    c: Chrome,
    token: String,
}

/// `GET /verify/{token}`.
pub async fn confirm_page(visitor: Visitor, Path(token): Path<String>) -> PageResult {
    let page = VerifyPage {
        c: visitor.chrome(),
        token,
    };
    Ok(axum::response::Html(render(&page)?).into_response())
}

/// `POST /verify/{token}`.
pub async fn confirm(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    match state.identity.verify_email(&token, &visitor.meta).await {
        Ok(()) => message::page(
            visitor.chrome(),
            StatusCode::OK,
            "verify-done-title",
            "verify-done-body",
            Some(("/login", "nav-login")),
        ),
        Err(IdentityError::LinkInvalid) => message::page(
            visitor.chrome(),
            StatusCode::GONE,
            "link-invalid-title",
            "verify-invalid-body",
            Some(("/login", "nav-login")),
        ),
        Err(e) => Err(e.into()),
    }
}
