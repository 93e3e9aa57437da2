//! The two OpenID Connect endpoints that involve the customer's browser: authorization, which
//! signs the customer in with the portal's own login and hands a code to the client, and
//! end-session, which logs the customer out for a client.
//!
//! When the request asks for a more recent login (`max_age`) or a second factor (`acr_values`)
//! than the current session has, the session ends and the customer logs in again (with the
//! second step when it is on) before the code is issued. While the customer logs in, the
//! request is kept by the provider; only this browser may resume it, with a newer session.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum_extra::extract::cookie::CookieJar;
use oidc::{AuthorizeError, ProviderError, SessionVerdict};

use crate::AppState;
use crate::visitor::Visitor;
use pages::cookies::{self, Kind};
use pages::error::PageResult;
use pages::message;

const AUTHORIZE_PREFIX: &str = "/oauth2/authorize?";

/// `GET /oauth2/authorize`.
pub async fn authorize(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
) -> PageResult {
    let query = query.unwrap_or_default();
    let request = match state
        .oidc
        .check_authorization(query.as_bytes(), &visitor.meta)
        .await
    {
        Ok(request) => request,
        Err(AuthorizeError::Redirect(url)) => return Ok(Redirect::to(url.as_str()).into_response()),
        Err(AuthorizeError::NoRedirect(_)) => return refused(visitor),
    };
    let verdict = match &visitor.session {
        Some(session) => state.oidc.judge_session(&request, session).await?,
        None => SessionVerdict::LoginAgain,
    };
    match (verdict, &visitor.session) {
        (SessionVerdict::Sufficient, Some(session)) => {
            let url = state
                .oidc
                .issue_code(&request, session, &visitor.meta)
                .await?;
            Ok(Redirect::to(url.as_str()).into_response())
        }
        (SessionVerdict::Unmet(url), _) => Ok(Redirect::to(url.as_str()).into_response()),
        (_, _) if request.prompt_none => {
            Ok(Redirect::to(state.oidc.login_required(&request).as_str()).into_response())
        }
        (_, session) => {
            let mut jar = CookieJar::new();
            let mut login = "/login";
            if let (Some(_), Some(token)) = (session, &visitor.session_token) {
                // A fresh login is due: this session ends.
                state.identity.log_out(token, &visitor.meta).await?;
                jar = jar.add(cookies::removal(Kind::Session, state.secure_cookies));
                login = "/login?notice=login-again";
            }
            // The request waits for a session started after now, in this browser only.
            let resume = state.oidc.park(&request).await?;
            jar = jar.add(cookies::build(Kind::Resume, state.secure_cookies, resume));
            Ok((jar, Redirect::to(login)).into_response())
        }
    }
}

/// Where a login continues: the authorization request that sent the customer to log in, if
/// its cookie is still there and points at the authorization endpoint (never elsewhere).
pub fn resume_target(headers: &HeaderMap, secure: bool) -> Option<String> {
    CookieJar::from_headers(headers)
        .get(cookies::name(Kind::Resume, secure))
        .map(|c| c.value().to_owned())
        .filter(|v| v.starts_with(AUTHORIZE_PREFIX) && !v.contains(['\r', '\n', '\\']))
}

/// `GET /oauth2/logout`: RP-initiated logout with an ID token we issued.
pub async fn end_session(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
) -> PageResult {
    let query = query.unwrap_or_default();
    let logout = match state
        .oidc
        .end_session(query.as_bytes(), &visitor.meta)
        .await
    {
        Ok(logout) => logout,
        Err(ProviderError::OAuth(_)) => return refused(visitor),
        Err(e) => return Err(e.into()),
    };
    let mut jar = CookieJar::new();
    if let (Some(token), Some(session)) = (&visitor.session_token, &visitor.session)
        && session.customer == logout.customer
    {
        state.identity.log_out(token, &visitor.meta).await?;
        jar = jar.add(cookies::removal(Kind::Session, state.secure_cookies));
    }
    match logout.redirect {
        Some(url) => Ok((jar, Redirect::to(url.as_str())).into_response()),
        None => Ok((jar, Redirect::to("/login?notice=logged-out")).into_response()),
    }
}

/// Our own page for a request we cannot trust enough to send anywhere.
fn refused(visitor: Visitor) -> PageResult {
    message::page(
        visitor.chrome(),
        StatusCode::BAD_REQUEST,
        "oidc-refused-title",
        "oidc-refused-body",
        Some(("/", "oidc-refused-link")),
    )
}
