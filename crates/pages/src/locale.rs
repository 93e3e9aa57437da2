//! The language of a request.

use axum::http::HeaderMap;
use axum_extra::extract::cookie::CookieJar;
use platform::i18n::Locale;

/// Language from the `lang` cookie, else `Accept-Language`, else Japanese.
pub fn locale_from_headers(headers: &HeaderMap) -> Locale {
    let jar = CookieJar::from_headers(headers);
    jar.get("lang")
        .and_then(|c| Locale::from_code(c.value()))
        .unwrap_or_else(|| {
            headers
                .get(axum::http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map_or(Locale::Ja, Locale::negotiate)
        })
}
