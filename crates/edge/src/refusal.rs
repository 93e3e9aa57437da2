//! The short plain-text answer of an edge refusal, in the visitor's language: the edge runs
//! before any page machinery, and a refused request gets no more than it needs.

use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// A refusal with a Japanese and an English text; English only when the browser prefers it.
pub(crate) fn plain(
    status: StatusCode,
    headers: &HeaderMap,
    ja: &'static str,
    en: &'static str,
) -> Response {
    let english = headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("en"));
    let (text, lang) = if english { (en, "en") } else { (ja, "ja") };
    let mut response = (status, text).into_response();
    let out = response.headers_mut();
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    out.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(lang));
    response
}
