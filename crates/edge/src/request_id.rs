//! A fresh random ID for every request, never taken from the client (which could forge one to
//! confuse the logs), returned in `X-Request-Id` so a customer can quote it to support. This is
//! the outermost layer, so it also strips the gateway's internal header from what clients send.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

/// The ID of the request being handled.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// Middleware assigning the request ID.
/// Also removes any gateway assertion a client sent: only the gateway itself adds one, after
/// the whole stack has run.
pub async fn request_id(mut request: Request, next: Next) -> Response {
    request
        .headers_mut()
        .remove(crate::assertion::ASSERTION_HEADER);
    let id = uuid::Uuid::new_v4().simple().to_string();
    request.extensions_mut().insert(RequestId(id.clone()));
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}
