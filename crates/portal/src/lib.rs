//! The customer portal: server-rendered pages that work without JavaScript, in Japanese first
//! and English second, for sign-up, login, assets, the dashboard and the customer's profile.

mod routes;
mod state;
mod visitor;

pub use pages::error::WebError;
pub use routes::router;
pub use state::{App, AppState};
