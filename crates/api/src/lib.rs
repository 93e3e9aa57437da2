//! The customer JSON API under `/api/v1`, for the bank's own and contracted applications: the
//! caller presents an access token of our identity provider (`Authorization: Bearer`), whose
//! scopes decide what it may read (`assets:read`) or change (`assets:write`). Answers are JSON;
//! refusals are `application/problem+json` (RFC 9457). The router expects [`authenticate`] in
//! front of it, as the last layer of the edge stack.

mod auth;
mod openapi;
mod problem;
mod recent;
mod routes;

use std::sync::Arc;

use assets::AssetBook;
use identity::Identity;

pub use auth::{ApiCaller, Authenticator, authenticate};
pub use openapi::document;
pub use problem::ApiError;
pub use recent::RecentReads;
pub use routes::{PREFIX, router};

/// What the API's handlers use.
pub struct Api {
    /// The customer pool, for `/me`.
    pub identity: Arc<Identity>,
    /// Customers' assets.
    pub assets: AssetBook,
    /// Reads remembered for a moment, for applications that poll.
    pub recent: RecentReads,
}

/// Cheap-to-clone handle on [`Api`].
pub type ApiState = Arc<Api>;
