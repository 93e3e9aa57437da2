//! The landing page.

use askama::Template;
use axum::response::{IntoResponse, Redirect};

use crate::visitor::Visitor;
use pages::chrome::{Chrome, render};
use pages::error::{PageResult, html};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Chrome,
}

/// `GET /`: logged-in customers go to their dashboard.
pub async fn page(visitor: Visitor) -> PageResult {
    if visitor.session.is_some() {
        return Ok(Redirect::to("/dashboard").into_response());
    }
    Ok(html(render(&HomePage {
        c: visitor.chrome(),
    })?))
}
