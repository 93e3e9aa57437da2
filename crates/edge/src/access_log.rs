//! One JSON line per request: request ID, client address, method, route template (never the
//! raw path, which can carry tokens), status, bytes, latency and, once a session or token has
//! been checked, the user the request acted for. The rest of the request runs inside a
//! `request` span carrying the request ID, so every event logged while handling it names it.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_LENGTH;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use crate::{AccessNote, HttpMetrics, RequestId};

/// Middleware writing the access log and counting the request.
pub async fn access_log(
    State(metrics): State<Arc<HttpMetrics>>,
    mut request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let matched = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let client = crate::request_meta_of(request.extensions())
        .client_ip
        .map(|ip| ip.to_string())
        .unwrap_or_default();
    let note = AccessNote::of(request.extensions_mut());
    if let Some(route) = &matched {
        note.set_route(route.clone());
    }
    // At ERROR level so that a filter of `warn` or `error` keeps it: it records nothing by
    // itself, and the warnings and errors are the events that most need the request ID.
    // It is also the request's span in a trace, continuing the gateway's when there is one;
    // the route and status are recorded on it once known.
    let span = tracing::error_span!(
        "request",
        request_id = request_id.as_str(),
        otel.kind = "server",
        http.request.method = %method,
        http.route = tracing::field::Empty,
        http.response.status_code = tracing::field::Empty,
    );
    platform::telemetry::continue_trace(&span, request.headers());
    let response = next.run(request).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let noted = note.read();
    let route = noted.route.unwrap_or_else(|| "-".to_owned());
    let status = response.status().as_u16();
    platform::telemetry::name_span(&span, method.as_str(), &route);
    span.record("http.route", route.as_str());
    span.record("http.response.status_code", status);
    metrics.observe(method.as_str(), &route, status, elapsed.as_secs_f64());
    let bytes = response
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    tracing::info!(
        target: "access",
        request_id,
        client_ip = client,
        method = %method,
        route,
        status,
        bytes,
        latency_us = elapsed.as_micros() as u64,
        user_id = noted.user,
        "request"
    );
    response
}
