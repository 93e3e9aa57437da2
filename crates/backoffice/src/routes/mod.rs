//! The back office's route table, under `/staff/` next to the console shell.

mod customers;
mod documents;
mod queue;
mod review;
mod usage;

use std::collections::HashMap;

use applications::ApplicationError;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use identity::IdentityError;
use pages::chrome::Chrome;
use pages::csrf;
use pages::error::{WebError, error_pages};
use platform::ids::{ApplicationId, StaffId};

use crate::BackOfficeState;

/// Every back-office page, wrapped in the page kit's layers.
pub fn router(state: BackOfficeState) -> Router {
    Router::new()
        .route("/staff/applications", get(queue::page))
        .route("/staff/applications/{id}", get(review::page))
        .route("/staff/applications/next", post(queue::next))
        .route("/staff/applications/{id}/open", post(queue::open))
        .route(
            "/staff/applications/{id}/take-over",
            post(review::take_over),
        )
        .route("/staff/applications/{id}/decision", post(review::decide))
        .route("/staff/applications/{id}/return", post(review::send_back))
        .route(
            "/staff/applications/{id}/documents/{document}",
            get(documents::image),
        )
        .merge(usage::routes())
        .merge(customers::routes())
        .layer(DefaultBodyLimit::max(64 * 1024))
        .layer(from_fn_with_state(
            state.clone(),
            csrf::guard::<BackOfficeState>,
        ))
        .layer(from_fn(error_pages))
        .with_state(state)
}

/// An application error as a staff page answers it: a customer whose data is gone (deleted, or
/// shredded while the page was built) is simply not found, never a redirect to the customers'
/// login.
fn staff_error(e: ApplicationError) -> WebError {
    match e {
        ApplicationError::Shredded
        | ApplicationError::Identity(IdentityError::NotLoggedIn | IdentityError::Shredded) => {
            WebError::NotFound
        }
        other => other.into(),
    }
}

/// An application ID from the path; anything malformed is simply not found.
fn parse_id(raw: &str) -> Result<ApplicationId, WebError> {
    raw.parse().map_err(|_| WebError::NotFound)
}

/// Staff display names, for "assigned to" and "decided by".
struct StaffNames(HashMap<StaffId, String>);

impl StaffNames {
    async fn load(state: &BackOfficeState) -> Result<Self, WebError> {
        Ok(Self(
            state.identity.staff_names().await?.into_iter().collect(),
        ))
    }

    /// The name, or a placeholder for an account that no longer exists.
    fn get(&self, id: StaffId, c: &Chrome) -> String {
        self.0
            .get(&id)
            .cloned()
            .unwrap_or_else(|| c.t("staff-unknown"))
    }
}
