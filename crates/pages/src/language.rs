//! Switching the page language, on every listener.

use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use platform::i18n::Locale;
use serde::Deserialize;

use crate::cookies::{self, Kind};

/// Where to go back to.
#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// `GET /lang/{code}?next=/path`: remembers the choice and returns to a page of this site.
pub async fn switch(Path(code): Path<String>, Query(next): Query<Next>) -> Response {
    let target = next
        .next
        .filter(|n| is_local_path(n))
        .unwrap_or_else(|| "/".to_owned());
    let Some(locale) = Locale::from_code(&code) else {
        return Redirect::to(&target).into_response();
    };
    let jar = CookieJar::new().add(cookies::build(Kind::Lang, false, locale.code().to_owned()));
    (jar, Redirect::to(&target)).into_response()
}

/// Only paths of this site: no scheme, no `//host`, no backslash tricks.
fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.contains("://")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert!(is_local_path("/dashboard"));
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "evil",
            "",
        ] {
            assert!(!is_local_path(bad), "{bad}");
        }
    }
}
