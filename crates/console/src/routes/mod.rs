//! The console's route table.

mod enrol;
mod federation;
mod home;
mod passkeys;
mod reauth;
mod sign_in;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use pages::csrf;
use pages::error::{WebError, error_pages};

use crate::ConsoleState;

/// Every console page, wrapped in the page kit's layers.
pub fn router(state: ConsoleState) -> Router {
    Router::new()
        .route("/staff", get(home::page))
        .route("/staff/login", get(sign_in::form).post(sign_in::submit))
        .route(
            "/staff/login/code",
            get(sign_in::code_form).post(sign_in::code),
        )
        .route("/staff/login/passkey/start", post(passkeys::step_start))
        .route("/staff/login/passkey/finish", post(passkeys::step_finish))
        .route("/staff/passkeys/start", post(passkeys::enrol_start))
        .route("/staff/passkeys/finish", post(passkeys::enrol_finish))
        .route("/staff/login/federated", get(federation::start))
        .route("/staff/login/federated/callback", get(federation::callback))
        .route("/staff/enrol", get(enrol::page).post(enrol::confirm))
        .route("/staff/logout", post(sign_in::log_out))
        .route("/staff/reauth", get(reauth::form).post(reauth::submit))
        .route("/staff/reauth/passkey/start", post(reauth::passkey_start))
        .route("/staff/reauth/passkey/finish", post(reauth::passkey_finish))
        .route("/lang/{code}", get(pages::language::switch))
        .route("/static/app.css", get(ui::static_files::app_css))
        .route("/static/passkey.js", get(ui::static_files::passkey_js))
        .fallback(|| async { WebError::NotFound })
        .layer(DefaultBodyLimit::max(64 * 1024))
        .layer(from_fn_with_state(
            state.clone(),
            csrf::guard::<ConsoleState>,
        ))
        .layer(from_fn(error_pages))
        .with_state(state)
}
