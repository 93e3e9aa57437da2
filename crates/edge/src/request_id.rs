//! A fresh ID for every request, never taken from the client (which could forge one to confuse
//! the logs), returned in `X-Request-Id` so a customer can quote it to support. This is the
//! outermost layer, so it also strips the gateway's internal header from what clients send.
//!
//! The ID is a UUID version 7: its first 48 bits are the time in milliseconds and the rest is
//! random. Every audit entry is indexed by its request ID, so IDs that grow with time are appended
//! at the end of that index instead of dirtying a random page of it with every entry, which is
//! most of what a commit writes under load.

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
    platform::telemetry::forget_context(request.headers_mut());
    let id = fresh_id();
    request.extensions_mut().insert(RequestId(id.clone()));
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

/// 32 lowercase hex digits, the time first.
fn fresh_id() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

#[cfg(test)]
mod tests {
    use super::fresh_id;

    #[test]
    fn ids_are_hex_and_grow_with_time() {
        let first = fresh_id();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let second = fresh_id();
        for id in [&first, &second] {
            assert_eq!(id.len(), 32);
            assert!(
                id.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            );
            assert_eq!(&id[12..13], "7", "a version 7 UUID: {id}");
        }
        assert!(second > first, "{second} sorts after {first}");
        assert_ne!(first[12..], second[12..], "the random part differs");
    }
}
