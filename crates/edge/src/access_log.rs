//! One JSON line per request: request ID, client address, method, route template (never the
//! raw path, which can carry tokens), status and latency.

use std::time::Instant;

use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::{HttpMetrics, RequestId};

/// Middleware writing the access log and counting the request.
pub async fn access_log(
    State(metrics): State<Arc<HttpMetrics>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("-", |p| p.as_str())
        .to_owned();
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let client = crate::request_meta_of(request.extensions())
        .client_ip
        .map(|ip| ip.to_string())
        .unwrap_or_default();
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    metrics.observe(
        method.as_str(),
        &route,
        response.status().as_u16(),
        elapsed.as_secs_f64(),
    );
    tracing::info!(
        target: "access",
        request_id,
        client_ip = client,
        method = %method,
        route,
        status = response.status().as_u16(),
        latency_us = elapsed.as_micros() as u64,
        "request"
    );
    response
}
