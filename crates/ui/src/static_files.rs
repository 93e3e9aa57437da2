//! Static files, embedded in the binary so one file deploys everywhere. Served with a content
//! hash in the URL, so browsers may cache them for a year.

use std::sync::LazyLock;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The stylesheet.
pub const APP_CSS: &str = include_str!("../../../web/static/app.css");

/// The passkey script, used wherever people sign in.
pub const PASSKEY_JS: &str = include_str!("../../../web/static/passkey.js");

/// The customer's privacy switch: hides amounts on screen, remembered per device.
pub const PRIVACY_JS: &str = include_str!("../../../web/static/privacy.js");

/// Copy and print buttons for recovery codes; only the page that shows the codes loads it.
pub const CODES_JS: &str = include_str!("../../../web/static/codes.js");

/// The operations console's live refresh; a separate file so other pages do not load it.
pub const OPS_JS: &str = include_str!("../../../web/static/ops.js");

/// Version tag in the stylesheet URL; changes whenever the file does.
pub fn css_version() -> String {
    static VERSION: LazyLock<String> = LazyLock::new(|| version_of(APP_CSS));
    VERSION.clone()
}

/// Version tag in the script URL.
pub fn js_version() -> String {
    static VERSION: LazyLock<String> = LazyLock::new(|| version_of(PASSKEY_JS));
    VERSION.clone()
}

/// Version tag in the privacy script URL.
pub fn privacy_js_version() -> String {
    static VERSION: LazyLock<String> = LazyLock::new(|| version_of(PRIVACY_JS));
    VERSION.clone()
}

/// Version tag in the recovery-codes script URL.
pub fn codes_js_version() -> String {
    static VERSION: LazyLock<String> = LazyLock::new(|| version_of(CODES_JS));
    VERSION.clone()
}

/// Version tag in the operations script URL.
pub fn ops_js_version() -> String {
    static VERSION: LazyLock<String> = LazyLock::new(|| version_of(OPS_JS));
    VERSION.clone()
}

/// The callers above keep its result for the process: every page names the stylesheet, and
/// hashing its 36 KB byte by byte on every render cost more than rendering the page.
fn version_of(content: &str) -> String {
    // FNV-1a is enough to tell versions apart; this is not a security boundary.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in content.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:016x}", h)
}

/// Serves the stylesheet.
pub async fn app_css() -> Response {
    immutable(APP_CSS, "text/css; charset=utf-8")
}

/// Serves the passkey script.
pub async fn passkey_js() -> Response {
    immutable(PASSKEY_JS, "text/javascript; charset=utf-8")
}

/// Serves the privacy switch script.
pub async fn privacy_js() -> Response {
    immutable(PRIVACY_JS, "text/javascript; charset=utf-8")
}

/// Serves the recovery-codes script.
pub async fn codes_js() -> Response {
    immutable(CODES_JS, "text/javascript; charset=utf-8")
}

/// Serves the operations console's live refresh script.
pub async fn ops_js() -> Response {
    immutable(OPS_JS, "text/javascript; charset=utf-8")
}

fn immutable(body: &'static str, content_type: &'static str) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    response
}
