//! The outermost layer of an upstream role in split mode. Requests get in only with the
//! gateway's assertion, which supplies the request ID, the client address and the verified
//! caller the gateway established; health probes and metric scrapes from inside the network are
//! the exception. On the way out the route template and the user are reported back to the
//! gateway's access log in two headers the gateway removes.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, OriginalUri, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use platform::time_util::now_unix;

use crate::assertion::{ASSERTION_HEADER, AssertionError};
use crate::{AccessNote, ClientIp, GatewaySeal, HttpMetrics, RequestId};

/// The header reporting the route template an upstream matched.
pub const ROUTE_HEADER: &str = "x-assetstatus-route";
/// The header reporting the user an upstream authenticated.
pub const USER_HEADER: &str = "x-assetstatus-user";

/// Paths reachable without the gateway: load-balancer probes and metric scrapes.
const PROBES: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// What the layer needs.
pub struct BehindGateway {
    /// Checks assertions.
    pub seal: GatewaySeal,
    /// Counts refusals.
    pub metrics: Arc<HttpMetrics>,
}

/// The path and query a request was sent to, before any nesting stripped a prefix.
pub(crate) fn target_of(request: &Request) -> String {
    let uri = request
        .extensions()
        .get::<OriginalUri>()
        .map_or(request.uri(), |o| &o.0);
    uri.path_and_query()
        .map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned())
}

/// Middleware admitting only requests the gateway vouches for.
pub async fn behind_gateway(
    State(gate): State<Arc<BehindGateway>>,
    mut request: Request,
    next: Next,
) -> Response {
    let opened = gate.seal.open(
        request.headers().get(ASSERTION_HEADER),
        request.method().as_str(),
        &target_of(&request),
        now_unix(),
    );
    request.headers_mut().remove(ASSERTION_HEADER);
    let probe = PROBES.contains(&request.uri().path());
    match opened {
        Ok(assertion) => {
            let extensions = request.extensions_mut();
            extensions.insert(RequestId(assertion.request_id));
            extensions.insert(ClientIp(assertion.client_ip));
            if let Some(principal) = assertion.principal {
                extensions.insert(principal);
            }
        }
        Err(AssertionError::Missing) if probe => {
            platform::telemetry::forget_context(request.headers_mut());
            let peer = request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip());
            let extensions = request.extensions_mut();
            extensions.insert(RequestId(uuid::Uuid::new_v4().simple().to_string()));
            if let Some(peer) = peer {
                extensions.insert(ClientIp(peer));
            }
        }
        Err(e) => {
            gate.metrics.auth_outcome("gateway", e.label());
            tracing::warn!(reason = e.label(), "request refused: not from the gateway");
            return crate::refusal::plain(
                StatusCode::FORBIDDEN,
                request.headers(),
                "このアドレスへ直接アクセスすることはできません。",
                "This address cannot be reached directly.",
            );
        }
    }
    let note = AccessNote::of(request.extensions_mut());
    let mut response = next.run(request).await;
    let noted = note.read();
    let headers = response.headers_mut();
    for (name, value) in [(ROUTE_HEADER, noted.route), (USER_HEADER, noted.user)] {
        if let Some(value) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
            headers.insert(name, value);
        }
    }
    response
}
