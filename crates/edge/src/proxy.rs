//! Split mode: the gateway runs the whole layer stack, then forwards the request to the upstream
//! role that serves it, with its assertion of what the stack established. Written on hyper's
//! client rather than taken from a proxy crate because the maintained ones do not let the
//! gateway add a signed header per request and read the upstream's report headers back without
//! buffering bodies; bodies stream both ways here.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{ACCEPT_LANGUAGE, CONNECTION, HOST};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use platform::time_util::now_unix;

use crate::assertion::{ASSERTION_HEADER, Assertion};
use crate::behind_gateway::{ROUTE_HEADER, USER_HEADER, target_of};
use crate::{AccessNote, GatewaySeal, Principal};

/// Headers that belong to one connection and are never forwarded (RFC 9110 §7.6.1).
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Why an upstream cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    /// Only plain HTTP inside the private network is supported.
    #[error("upstream address {0} must be http://host:port")]
    Address(String),
}

/// One upstream role the gateway forwards to.
pub struct Upstream {
    scheme_and_authority: String,
    client: Client<HttpConnector, Body>,
    seal: GatewaySeal,
}

impl Upstream {
    /// An upstream at `base` (`http://host:port`), its requests signed with `seal`.
    pub fn new(base: &url::Url, seal: GatewaySeal) -> Result<Self, UpstreamError> {
        let invalid = || UpstreamError::Address(base.to_string());
        if base.scheme() != "http" || base.path() != "/" {
            return Err(invalid());
        }
        let host = base.host_str().ok_or_else(invalid)?;
        let port = base.port_or_known_default().ok_or_else(invalid)?;
        let host = if host.contains(':') && !host.starts_with('[') {
            format!("[{host}]")
        } else {
            host.to_owned()
        };
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        Ok(Self {
            scheme_and_authority: format!("http://{host}:{port}"),
            client: Client::builder(TokioExecutor::new()).build(connector),
            seal,
        })
    }
}

/// Removes connection-scoped headers, including those the `Connection` header names.
fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in HOP_BY_HOP {
        headers.remove(name);
    }
}

/// Handler forwarding a request to the upstream and streaming its answer back.
pub async fn forward(State(upstream): State<Arc<Upstream>>, request: Request) -> Response {
    let target = target_of(&request);
    let (mut parts, body) = request.into_parts();
    let meta = crate::request_meta_of(&parts.extensions);
    let assertion = Assertion {
        request_id: meta.request_id,
        client_ip: meta.client_ip.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        method: parts.method.to_string(),
        target: target.clone(),
        issued_at: now_unix(),
        principal: parts.extensions.get::<Principal>().cloned(),
    };
    let note = AccessNote::of(&mut parts.extensions);
    strip_hop_by_hop(&mut parts.headers);
    if !parts.headers.contains_key(HOST)
        && let Some(value) = parts
            .uri
            .authority()
            .and_then(|a| HeaderValue::from_str(a.as_str()).ok())
    {
        parts.headers.insert(HOST, value);
    }
    let (Some(sealed), Ok(uri)) = (
        upstream.seal.seal(&assertion),
        format!("{}{target}", upstream.scheme_and_authority).parse::<Uri>(),
    ) else {
        return unavailable(&parts.headers);
    };
    parts.headers.insert(ASSERTION_HEADER, sealed);
    platform::telemetry::inject_context(&mut parts.headers);
    parts.uri = uri;
    // The refusal's language, kept aside: the request goes to the upstream.
    let mut language = HeaderMap::new();
    if let Some(value) = parts.headers.get(ACCEPT_LANGUAGE) {
        language.insert(ACCEPT_LANGUAGE, value.clone());
    }
    let answer = match upstream
        .client
        .request(Request::from_parts(parts, body))
        .await
    {
        Ok(answer) => answer,
        Err(e) => {
            tracing::error!(error = %e, "upstream unreachable");
            return unavailable(&language);
        }
    };
    let (mut parts, body) = answer.into_parts();
    strip_hop_by_hop(&mut parts.headers);
    if let Some(route) = take(&mut parts.headers, ROUTE_HEADER) {
        note.set_route(route);
    }
    if let Some(user) = take(&mut parts.headers, USER_HEADER) {
        note.set_user(user);
    }
    Response::from_parts(parts, Body::new(body))
}

fn take(headers: &mut HeaderMap, name: &str) -> Option<String> {
    headers
        .remove(name)
        .and_then(|v| v.to_str().ok().map(str::to_owned))
}

fn unavailable(headers: &HeaderMap) -> Response {
    crate::refusal::plain(
        StatusCode::BAD_GATEWAY,
        headers,
        "ただいまサービスをご利用いただけません。しばらくしてから再度お試しください。",
        "The service is temporarily unavailable. Please try again later.",
    )
}
