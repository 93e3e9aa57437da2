//! The console home: who is signed in, and the work waiting for them in each console their
//! roles open (see [`crate::home_cards`]).

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse};
use identity::staff::StaffRole;
use pages::chrome::{Chrome, render};
use pages::error::PageResult;

use crate::ConsoleState;
use crate::home_cards::HomeCard;
use crate::staff::SignedIn;

#[derive(Template)]
#[template(path = "staff_home.html")]
struct HomePage {
    c: Chrome,
    name: String,
    username: String,
    roles: Vec<String>,
    cards: Vec<HomeCard>,
}

/// `GET /staff`.
pub async fn page(
    State(state): State<ConsoleState>,
    SignedIn(visitor, session): SignedIn,
) -> PageResult {
    let mut c = visitor.chrome();
    let mut cards = Vec::new();
    for console in &state.home {
        cards.extend(console.cards(&session, c.locale).await?);
        c.staff_menu.new_applications += console.new_applications(&session).await?;
    }
    let roles = [StaffRole::Operator, StaffRole::Admin]
        .into_iter()
        .filter(|r| session.roles.has(*r))
        .map(|r| c.t(&format!("role-{}", r.code())))
        .collect();
    let page = HomePage {
        name: session.display_name,
        username: session.username,
        roles,
        cards,
        c,
    };
    Ok(Html(render(&page)?).into_response())
}
