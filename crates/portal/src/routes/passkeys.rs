//! Passkeys: the customer's list with registration and deletion, and passwordless login. The
//! ceremonies answer JSON to the page's script; everything else is an ordinary form.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use identity::PasskeyView;
use serde_json::Value;

use super::login::{login_context, session_cookies};
use crate::AppState;
use crate::visitor::{Customer, Recent, Visitor, reauth_path};
use pages::chrome::{Chrome, render};
use pages::csrf::{CsrfForm, CsrfJson, NoFields};
use pages::error::{PageResult, WebError};
use pages::notice::{self, Notice};
use pages::passkey::{self, Answer};

#[derive(Template)]
#[template(path = "passkeys.html")]
struct PasskeysPage {
    c: Chrome,
    offered: bool,
    /// Adding one needs a recent proof of who is there; otherwise the page offers it first.
    recent: bool,
    reauth: String,
    passkeys: Vec<PasskeyView>,
}

/// `GET /profile/passkeys`.
pub async fn page(State(state): State<AppState>, customer: Customer) -> PageResult {
    let passkeys = state.identity.customer_passkeys(customer.id).await?;
    let recent = customer
        .visitor
        .session
        .as_ref()
        .is_some_and(|s| s.recently_authenticated(platform::time_util::now_unix()));
    let page = PasskeysPage {
        c: customer.visitor.chrome(),
        offered: state.identity.passkeys_offered(false),
        recent,
        reauth: reauth_path("/profile/passkeys"),
        passkeys,
    };
    Ok(Html(render(&page)?).into_response())
}

/// `POST /profile/passkeys/start`.
pub async fn start(
    State(state): State<AppState>,
    Recent(customer): Recent,
    CsrfJson(_): CsrfJson<Value>,
) -> Result<Response, WebError> {
    let ceremony = state.identity.start_customer_passkey(customer.id).await;
    passkey::ceremony(ceremony)
}

/// `POST /profile/passkeys/finish`.
pub async fn finish(
    State(state): State<AppState>,
    Recent(customer): Recent,
    CsrfJson(answer): CsrfJson<Answer>,
) -> Result<Response, WebError> {
    let done = state
        .identity
        .finish_customer_passkey(
            customer.id,
            &answer.ceremony,
            &answer.credential.to_string(),
            &customer.visitor.meta,
        )
        .await;
    match done {
        Ok(()) => Ok(passkey::next(&format!(
            "/profile/passkeys?notice={}",
            Notice::PasskeyAdded.code()
        ))),
        Err(e) => passkey::refusal(e),
    }
}

/// `POST /profile/passkeys/{id}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    Recent(customer): Recent,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    state
        .identity
        .delete_customer_passkey(customer.id, &id, &customer.visitor.meta)
        .await?;
    Ok(notice::redirect("/profile/passkeys", Notice::PasskeyDeleted).into_response())
}

/// `POST /login/passkey/start`.
pub async fn login_start(
    State(state): State<AppState>,
    _visitor: Visitor,
    CsrfJson(_): CsrfJson<Value>,
) -> Result<Response, WebError> {
    passkey::ceremony(state.identity.start_passkey_login().await)
}

/// `POST /login/passkey/finish`: a new session, like a password and second step would give.
pub async fn login_finish(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    CsrfJson(answer): CsrfJson<Answer>,
) -> Result<Response, WebError> {
    let secure = state.secure_cookies;
    let ctx = login_context(&headers, secure);
    let done = state
        .identity
        .finish_passkey_login(
            &answer.ceremony,
            &answer.credential.to_string(),
            &ctx,
            &visitor.meta,
        )
        .await;
    match done {
        Ok(done) => {
            let (jar, next) = session_cookies(done, &headers, secure);
            Ok((jar, passkey::next(&next)).into_response())
        }
        Err(e) => passkey::refusal(e),
    }
}
