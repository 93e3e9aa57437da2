//! The public listener, where customers and their applications arrive:
//!
//! | Paths | Served by |
//! |---|---|
//! | `/`, `/signup`, `/login`, `/dashboard`, `/assets…`, `/application…`, `/profile…`, … | the customer portal (`portal::router`) |
//! | `/.well-known/openid-configuration`, `/oauth2/…` (authorize, token, par, userinfo, jwks, revoke, logout) | the identity provider (`oidc_http::router`) |
//! | `/api/v1/…` | the JSON API behind bearer tokens (`api::router`) |
//! | `/healthz`, `/readyz` | this process's health (`crate::health`) |
//!
//! A gateway answers health itself and forwards everything else, the API's bearer check done
//! before forwarding.

use std::sync::Arc;

use anyhow::Context as _;
use axum::Router;
use axum::middleware::from_fn_with_state;
use platform::config::Config;

use super::{Stack, behind_gateway, gateway_routes, hsts, with_edge};
use crate::server::Built;

/// The public listener's own routes: portal, identity provider, API, health.
fn own_routes(built: &Built) -> Router {
    let api = api::router(Arc::clone(&built.api)).layer(from_fn_with_state(
        Arc::clone(&built.authenticator),
        api::authenticate,
    ));
    portal::router(built.state.clone())
        .merge(oidc_http::router(Arc::clone(&built.state.oidc)))
        .nest(api::PREFIX, api)
        .merge(crate::health::routes(Arc::clone(&built.readiness)))
}

/// The public listener's router in `stack`.
pub fn router(config: &Config, built: &Built, stack: Stack) -> anyhow::Result<Router> {
    let hsts = hsts(config, &config.public_base_url());
    Ok(match stack {
        Stack::InProcess => with_edge(own_routes(built), built, hsts),
        Stack::Upstream => behind_gateway(own_routes(built), built),
        Stack::Gateway => {
            let upstream = config
                .edge
                .upstream_public
                .as_ref()
                .context("a gateway-only process needs edge.upstream_public")?;
            with_edge(gateway_routes(built, upstream, Router::new())?, built, hsts)
        }
    })
}
