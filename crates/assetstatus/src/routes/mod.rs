//! The two listeners' URL maps, one file each (`public.rs`, `staff.rs`), and the layers every
//! listener shares. A process running every role puts the edge stack in front of its own
//! routers; a gateway puts it in front of a proxy to the upstream roles; an upstream role admits
//! nothing but the gateway's signed requests (see [`Stack`]).

pub mod public;
pub mod staff;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::Response;
use platform::config::Config;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::server::{Built, Role};

/// How a process's listeners are put together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stack {
    /// The edge stack in front of this process's own routers.
    InProcess,
    /// The edge stack in front of a proxy to the upstream roles (`--roles gateway`).
    Gateway,
    /// This process's routers behind a gateway elsewhere (roles without `gateway`).
    Upstream,
}

impl Stack {
    /// The stack for a set of roles.
    pub fn of(roles: &[Role]) -> Self {
        let app_roles = roles.iter().any(|r| *r != Role::Gateway);
        match (roles.contains(&Role::Gateway), app_roles) {
            (true, true) => Stack::InProcess,
            (true, false) => Stack::Gateway,
            (false, _) => Stack::Upstream,
        }
    }
}

/// The edge layers every listener shares, outermost last; HSTS when visitors arrive over HTTPS.
pub(super) fn with_edge(router: Router, built: &Built, hsts: Option<HeaderValue>) -> Router {
    let router = match hsts {
        Some(value) => router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            value,
        )),
        None => router,
    };
    router
        .layer(from_fn_with_state(
            Arc::clone(&built.rate_limits),
            edge::rate_limit,
        ))
        .layer(from_fn_with_state(Arc::clone(&built.waf), edge::waf))
        .layer(from_fn(edge::security_headers))
        .layer(from_fn_with_state(
            Arc::clone(&built.http_metrics),
            edge::access_log,
        ))
        .layer(from_fn_with_state(
            Arc::clone(&built.trusted_proxies),
            edge::client_ip,
        ))
        .layer(from_fn(edge::request_id))
}

/// The layers of an upstream role: the gateway's assertion first, then the access log.
pub(super) fn behind_gateway(router: Router, built: &Built) -> Router {
    router
        .layer(from_fn(edge::security_headers))
        .layer(from_fn_with_state(
            Arc::clone(&built.http_metrics),
            edge::access_log,
        ))
        .layer(from_fn_with_state(
            Arc::new(edge::BehindGateway {
                seal: edge::GatewaySeal(Arc::clone(&built.state.keyring)),
                metrics: Arc::clone(&built.http_metrics),
            }),
            edge::behind_gateway,
        ))
}

/// `Strict-Transport-Security` for a listener reached at `base`, when that is HTTPS.
pub(super) fn hsts(config: &Config, base: &url::Url) -> Option<HeaderValue> {
    (base.scheme() == "https")
        .then(|| format!("max-age={}", config.tls.hsts_max_age_seconds))
        .and_then(|v| HeaderValue::from_str(&v).ok())
}

/// The gateway's router for one listener: health (and more `local` routes) answered here,
/// everything else authenticated (API paths) and forwarded to `upstream`.
pub(super) fn gateway_routes(
    built: &Built,
    upstream: &url::Url,
    local: Router,
) -> anyhow::Result<Router> {
    let seal = edge::GatewaySeal(Arc::clone(&built.state.keyring));
    let upstream = Arc::new(edge::Upstream::new(upstream, seal)?);
    Ok(Router::new()
        .fallback(edge::forward)
        .with_state(upstream)
        .merge(crate::health::routes(Arc::clone(&built.readiness)))
        .merge(local)
        .layer(from_fn_with_state(
            Arc::clone(&built.authenticator),
            authenticate_api,
        )))
}

/// The bearer check for the API's paths, in front of the gateway's proxy.
async fn authenticate_api(
    State(auth): State<Arc<api::Authenticator>>,
    request: Request,
    next: Next,
) -> Response {
    if request.uri().path().starts_with(api::PREFIX) {
        api::authenticate(State(auth), request, next).await
    } else {
        next.run(request).await
    }
}
