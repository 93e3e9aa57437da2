//! The staff listener, reachable only from the bank's networks (`edge.staff_allow`):
//!
//! | Paths | Served by | When |
//! |---|---|---|
//! | `/staff`, `/staff/login…`, `/staff/enrol`, `/staff/passkeys…`, `/staff/reauth…`, `/staff/logout` | the console shell: staff sign-in, second factors, home (`console::router`) | role `backoffice` or `ops` |
//! | `/staff/applications…`, `/staff/customers…`, `/staff/usage` | the business operators' console (`backoffice::router`) | role `backoffice` |
//! | `/ops…` | the administrators' console (`ops::router`) | role `ops` |
//! | `/metrics` | this process's figures (`crate::metrics`) | always |
//! | `/healthz`, `/readyz` | this process's health (`crate::health`) | always |

use std::sync::Arc;

use anyhow::Context as _;
use axum::Router;
use axum::middleware::from_fn_with_state;
use platform::config::Config;

use super::{Stack, behind_gateway, gateway_routes, hsts, with_edge};
use crate::server::{Built, Role};

/// `/metrics` of this process.
fn metrics_routes(built: &Built) -> Router {
    crate::metrics::routes(
        built.state.db.clone(),
        Arc::clone(&built.http_metrics),
        built.ops.data_dir.clone(),
    )
}

/// The staff listener's router in `stack`: health and `/metrics` always; the console shell when
/// this process runs the back office or the operations console, and the pages of each console
/// it runs; all behind the allow-list.
pub fn router(
    config: &Config,
    built: &Built,
    stack: Stack,
    roles: &[Role],
) -> anyhow::Result<Router> {
    let allow = from_fn_with_state(Arc::clone(&built.staff_allow), edge::allow_list);
    let hsts = hsts(config, &config.staff_base_url());
    if stack == Stack::Gateway {
        let upstream = config
            .edge
            .upstream_staff
            .as_ref()
            .context("a gateway-only process needs edge.upstream_staff")?;
        let routes = gateway_routes(built, upstream, metrics_routes(built))?;
        return Ok(with_edge(routes.layer(allow), built, hsts));
    }
    let mut routes =
        crate::health::routes(Arc::clone(&built.readiness)).merge(metrics_routes(built));
    if roles
        .iter()
        .any(|r| matches!(r, Role::Backoffice | Role::Ops))
    {
        routes = routes.merge(console::router(built.console.clone()));
    }
    if roles.contains(&Role::Backoffice) {
        routes = routes.merge(backoffice::router(built.backoffice.clone()));
    }
    if roles.contains(&Role::Ops) {
        routes = routes.merge(ops::router(built.ops.clone()));
    }
    let guarded = routes.layer(allow);
    Ok(match stack {
        Stack::Upstream => behind_gateway(guarded, built),
        _ => with_edge(guarded, built, hsts),
    })
}
