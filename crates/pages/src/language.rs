//! Switching the page language, on every listener.

use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use platform::i18n::Locale;
use platform::redirect::local_path;
use serde::Deserialize;

use crate::cookies::{self, Kind};

/// Where to go back to.
#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// `GET /lang/{code}?next=/path`: remembers the choice and returns to a page of this site; any
/// other `next` (another host, a control character) returns to the top page.
pub async fn switch(Path(code): Path<String>, Query(next): Query<Next>) -> Response {
    let target = next
        .next
        .as_deref()
        .and_then(local_path)
        .unwrap_or_else(|| "/".to_owned());
    let Some(locale) = Locale::from_code(&code) else {
        return Redirect::to(&target).into_response();
    };
    let jar = CookieJar::new().add(cookies::build(Kind::Lang, false, locale.code().to_owned()));
    (jar, Redirect::to(&target)).into_response()
}
