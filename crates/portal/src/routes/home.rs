//! The landing page.

use askama::Template;
use axum::response::{IntoResponse, Redirect};

use crate::chrome::{Chrome, render};
use crate::error::{PageResult, html};
use crate::visitor::Visitor;

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
