//! A page that only says something: confirmations, invalid links, notices, refusals. Shared by
//! the portal and the consoles.

use askama::Template;
use axum::http::StatusCode;
use axum::response::IntoResponse;

use crate::chrome::{Chrome, render};
use crate::error::PageResult;

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    c: Chrome,
    title: String,
    body: String,
    link_href: &'static str,
    link_text: String,
}

/// Renders a message page: title and body are catalog keys; the link is optional.
pub fn page(
    c: Chrome,
    status: StatusCode,
    title: &str,
    body: &str,
    link: Option<(&'static str, &str)>,
) -> PageResult {
    let (link_href, link_text) = link.map_or(("", String::new()), |(href, key)| (href, c.t(key)));
    let page = MessagePage {
        title: c.t(title),
        body: c.t(body),
        link_href,
        link_text,
        c,
    };
    Ok((status, axum::response::Html(render(&page)?)).into_response())
}
