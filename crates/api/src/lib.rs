//! The customer JSON API under `/api/v1`, for the bank's own and contracted applications: the
//! caller presents an access token of our identity provider (`Authorization: Bearer`), whose
//! scopes decide what it may read (`assets:read`) or change (`assets:write`). Answers are JSON;
//! refusals are `application/problem+json` (RFC 9457).

mod auth;
mod problem;
mod routes;

use std::sync::Arc;

use assets::AssetBook;
use identity::Identity;
use oidc::Provider;

pub use auth::ApiCaller;
pub use problem::ApiError;
pub use routes::{PREFIX, router};

/// What the API's handlers use.
pub struct Api {
    /// Verifies access tokens.
    pub oidc: Arc<Provider>,
    /// The customer pool, for `/me`.
    pub identity: Arc<Identity>,
    /// Customers' assets.
    pub assets: AssetBook,
}

/// Cheap-to-clone handle on [`Api`].
pub type ApiState = Arc<Api>;
