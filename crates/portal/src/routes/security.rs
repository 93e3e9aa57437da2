//! The links of security notices: "this was not me" after a change to the ways into an account,
//! and "keep" for the factors a password reset suspended. Like every mailed link, each opens a
//! page with a button, so that mail scanners fetching links do not use it up.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use axum_extra::extract::cookie::CookieJar;
use identity::{IdentityError, SecurityLink};

use crate::AppState;
use crate::visitor::Visitor;
use pages::chrome::{Chrome, render};
use pages::cookies::{self, Kind};
use pages::csrf::{CsrfForm, NoFields};
use pages::error::PageResult;
use pages::message;

#[derive(Template)]
#[template(path = "security_link.html")]
struct LinkPage {
    c: Chrome,
    action: String,
    title: &'static str,
    lead: &'static str,
    submit: &'static str,
}

fn texts(link: SecurityLink) -> (&'static str, &'static str, &'static str, &'static str) {
    match link {
        SecurityLink::NotMe => (
            "security/not-me",
            "not-me-title",
            "not-me-lead",
            "not-me-submit",
        ),
        SecurityLink::KeepFactors => (
            "security/keep",
            "keep-factors-title",
            "keep-factors-lead",
            "keep-factors-submit",
        ),
    }
}

async fn confirm_page(
    state: &AppState,
    visitor: Visitor,
    link: SecurityLink,
    token: &str,
) -> PageResult {
    if !state.identity.security_link_is_live(link, token).await? {
        return invalid(visitor);
    }
    let (path, title, lead, submit) = texts(link);
    let page = LinkPage {
        c: visitor.chrome(),
        action: format!("/{path}/{token}"),
        title,
        lead,
        submit,
    };
    Ok(Html(render(&page)?).into_response())
}

fn invalid(visitor: Visitor) -> PageResult {
    message::page(
        visitor.chrome(),
        StatusCode::GONE,
        "link-invalid-title",
        "security-link-invalid-body",
        Some(("/login", "nav-login")),
    )
}

/// `GET /security/not-me/{token}`.
pub async fn not_me_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> PageResult {
    confirm_page(&state, visitor, SecurityLink::NotMe, &token).await
}

/// `POST /security/not-me/{token}`: every session ends, this browser's included.
pub async fn not_me(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    match state.identity.report_not_me(&token, &visitor.meta).await {
        Ok(()) => {
            let jar = CookieJar::new().add(cookies::removal(Kind::Session, state.secure_cookies));
            let c = Chrome {
                logged_in: false,
                ..visitor.chrome()
            };
            let page = message::page(
                c,
                StatusCode::OK,
                "not-me-done-title",
                "not-me-done-body",
                None,
            )?;
            Ok((jar, page).into_response())
        }
        Err(IdentityError::LinkInvalid) => invalid(visitor),
        Err(e) => Err(e.into()),
    }
}

/// `GET /security/keep/{token}`.
pub async fn keep_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> PageResult {
    confirm_page(&state, visitor, SecurityLink::KeepFactors, &token).await
}

/// `POST /security/keep/{token}`.
pub async fn keep(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    match state.identity.keep_factors(&token, &visitor.meta).await {
        Ok(()) => message::page(
            visitor.chrome(),
            StatusCode::OK,
            "keep-factors-done-title",
            "keep-factors-done-body",
            Some(("/login", "nav-login")),
        ),
        Err(IdentityError::LinkInvalid) => invalid(visitor),
        Err(e) => Err(e.into()),
    }
}
