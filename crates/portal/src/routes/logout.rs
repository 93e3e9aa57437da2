//! Logout.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use axum_extra::extract::cookie::CookieJar;
use platform::crypto::SecretToken;

use crate::AppState;
use crate::visitor::Visitor;
use pages::cookies::{self, Kind};
use pages::csrf::{CsrfForm, NoFields};
use pages::error::PageResult;

/// `POST /logout`: ends the session on the server and clears the cookie.
pub async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    if let Some(token) = &visitor.session_token {
        state.identity.log_out(token, &visitor.meta).await?;
    }
    let secure = state.secure_cookies;
    let jar = CookieJar::new()
        .add(cookies::removal(Kind::Session, secure))
        .add(cookies::build(
            Kind::Csrf,
            secure,
            SecretToken::generate().plain,
        ));
    Ok((jar, Redirect::to("/login?notice=logged-out")).into_response())
}
