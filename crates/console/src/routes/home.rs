//! The console home: who is signed in, with which roles.

use askama::Template;
use axum::response::{Html, IntoResponse};
use identity::staff::StaffRole;
use pages::chrome::{Chrome, render};
use pages::error::PageResult;

use crate::staff::SignedIn;

#[derive(Template)]
#[template(path = "staff_home.html")]
struct HomePage {
    c: Chrome,
    name: String,
    username: String,
    roles: Vec<String>,
}

/// `GET /staff`.
pub async fn page(SignedIn(visitor, session): SignedIn) -> PageResult {
    let c = visitor.chrome();
    let roles = [StaffRole::Operator, StaffRole::Admin]
        .into_iter()
        .filter(|r| session.roles.has(*r))
        .map(|r| c.t(&format!("role-{}", r.code())))
        .collect();
    let page = HomePage {
        name: session.display_name,
        username: session.username,
        roles,
        c,
    };
    Ok(Html(render(&page)?).into_response())
}
