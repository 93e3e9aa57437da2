//! The customer's open sessions: where and on what each was opened, and a button to end it.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect};
use axum_extra::extract::cookie::CookieJar;
use identity::SessionView;

use crate::AppState;
use crate::visitor::{Customer, Recent, reauth_path};
use pages::chrome::{Chrome, render};
use pages::cookies::{self, Kind};
use pages::csrf::{CsrfForm, NoFields};
use pages::error::PageResult;
use pages::error::WebError;
use pages::notice::{Notice, redirect};

#[derive(Template)]
#[template(path = "sessions.html")]
struct SessionsPage {
    c: Chrome,
    sessions: Vec<SessionView>,
}

/// `GET /profile/sessions`.
pub async fn list(State(state): State<AppState>, customer: Customer) -> PageResult {
    let token = customer
        .visitor
        .session_token
        .clone()
        .ok_or(WebError::LoginRequired)?;
    let sessions = state.identity.sessions_of(customer.id, &token).await?;
    let c = customer.visitor.chrome();
    Ok(Html(render(&SessionsPage { c, sessions })?).into_response())
}

/// `POST /profile/sessions/{id}/end`: ending the current session logs out; ending another
/// needs a recent proof, so a stolen session cannot lock the owner's devices out.
pub async fn end(
    State(state): State<AppState>,
    customer: Customer,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    let token = customer
        .visitor
        .session_token
        .clone()
        .ok_or(WebError::LoginRequired)?;
    let current = state
        .identity
        .sessions_of(customer.id, &token)
        .await?
        .iter()
        .any(|s| s.current && s.id == id);
    if !current && !customer.recently_authenticated() {
        return Ok(Redirect::to(&reauth_path("/profile/sessions")).into_response());
    }
    state
        .identity
        .end_session(customer.id, &id, &customer.visitor.meta)
        .await?;
    if current {
        let jar = CookieJar::new().add(cookies::removal(Kind::Session, state.secure_cookies));
        return Ok((jar, Redirect::to("/login?notice=logged-out")).into_response());
    }
    Ok(redirect("/profile/sessions", Notice::SessionEnded).into_response())
}

/// `POST /profile/sessions/end-others`: every device but this one is logged out.
pub async fn end_others(
    State(state): State<AppState>,
    Recent(customer): Recent,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    let token = customer
        .visitor
        .session_token
        .clone()
        .ok_or(WebError::LoginRequired)?;
    state
        .identity
        .end_other_sessions(customer.id, &token, &customer.visitor.meta)
        .await?;
    Ok(redirect("/profile/sessions", Notice::OtherSessionsEnded).into_response())
}
