//! The portal's route table: one place that lists every page and the layers around them.

mod account_deletion;
mod accounts;
mod application;
mod asset_csv;
mod assets;
mod authorize;
mod dashboard;
mod home;
mod login;
mod logout;
mod passkeys;
mod password_reset;
mod profile;
mod reauth;
mod second_step;
mod security;
mod sessions;
mod signup;
mod two_step;
mod verify;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};

use crate::AppState;
use pages::csrf;
use pages::error::WebError;
use pages::error::error_pages;

/// Largest ordinary form body.
const FORM_LIMIT: usize = 64 * 1024;
/// Room for the multipart framing around an uploaded file.
const FRAMING: usize = 64 * 1024;
/// Largest CSV upload, with room for the multipart framing.
const IMPORT_LIMIT: usize = ::assets::csv_io::MAX_IMPORT_BYTES + FRAMING;

/// Every portal page, wrapped in the portal's own layers (error pages, CSRF, body limits).
pub fn router(state: AppState) -> Router {
    let document_limit = usize::try_from(state.applications.document_limits().max_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(FRAMING);
    Router::new()
        .route("/", get(home::page))
        .route("/signup", get(signup::form).post(signup::submit))
        .route("/signup/sent", get(signup::sent))
        .route(
            "/verify/{token}",
            get(verify::confirm_page).post(verify::confirm),
        )
        .route("/login", get(login::form).post(login::submit))
        .route(
            "/login/code",
            get(second_step::form).post(second_step::submit),
        )
        .route("/login/passkey/start", post(passkeys::login_start))
        .route("/login/passkey/finish", post(passkeys::login_finish))
        .route("/logout", post(logout::submit))
        .route(
            "/password/forgot",
            get(password_reset::request_form).post(password_reset::request),
        )
        .route(
            "/password/reset/{token}",
            get(password_reset::form).post(password_reset::submit),
        )
        .route(oidc::paths::AUTHORIZE_PATH, get(authorize::authorize))
        .route(oidc::paths::END_SESSION_PATH, get(authorize::end_session))
        .route("/dashboard", get(dashboard::page))
        .route("/assets", get(assets::list))
        .route("/assets/new", get(assets::new_form).post(assets::create))
        .route("/assets/{id}", get(assets::show))
        .route("/assets/{id}/valuations", post(assets::add_valuation))
        .route(
            "/assets/{id}/edit",
            get(assets::edit_form).post(assets::update),
        )
        .route(
            "/assets/{id}/delete",
            get(assets::delete_confirm).post(assets::delete),
        )
        .route("/assets/export", get(asset_csv::export))
        .route(
            "/assets/import",
            get(asset_csv::form)
                .post(asset_csv::import)
                .layer(DefaultBodyLimit::max(IMPORT_LIMIT)),
        )
        .route("/accounts", get(accounts::page))
        .route("/application", get(application::status))
        .route(
            "/application/account",
            get(application::account_form).post(application::save_account),
        )
        .route(
            "/application/documents",
            get(application::documents_form)
                .post(application::upload)
                .layer(DefaultBodyLimit::max(document_limit)),
        )
        .route("/application/documents/remove", post(application::remove))
        .route("/application/documents/{id}", get(application::image))
        .route("/application/review", get(application::review))
        .route("/application/submit", post(application::submit))
        .route("/profile", get(profile::page).post(profile::update))
        .route("/profile/password", post(profile::change_password))
        .route("/profile/sessions", get(sessions::list))
        .route("/profile/two-step", get(two_step::show))
        .route("/profile/two-step/confirm", post(two_step::confirm))
        .route("/profile/two-step/disable", post(two_step::disable))
        .route("/profile/sessions/{id}/end", post(sessions::end))
        .route("/profile/sessions/end-others", post(sessions::end_others))
        .route("/profile/passkeys", get(passkeys::page))
        .route("/profile/passkeys/start", post(passkeys::start))
        .route("/profile/passkeys/finish", post(passkeys::finish))
        .route("/profile/passkeys/{id}/delete", post(passkeys::delete))
        .route("/reauth", get(reauth::form).post(reauth::submit))
        .route("/reauth/passkey/start", post(reauth::passkey_start))
        .route("/reauth/passkey/finish", post(reauth::passkey_finish))
        .route(
            "/security/not-me/{token}",
            get(security::not_me_page).post(security::not_me),
        )
        .route(
            "/security/keep/{token}",
            get(security::keep_page).post(security::keep),
        )
        .route(
            "/account/delete",
            get(account_deletion::confirm).post(account_deletion::submit),
        )
        .route("/lang/{code}", get(pages::language::switch))
        .route("/static/app.css", get(ui::static_files::app_css))
        .route("/static/passkey.js", get(ui::static_files::passkey_js))
        .route("/static/privacy.js", get(ui::static_files::privacy_js))
        .route("/static/codes.js", get(ui::static_files::codes_js))
        .fallback(|| async { WebError::NotFound })
        .layer(DefaultBodyLimit::max(FORM_LIMIT))
        .layer(from_fn_with_state(state.clone(), csrf::guard::<AppState>))
        .layer(from_fn(error_pages))
        .with_state(state)
}
