//! The staff listener's IP allow-list: only the company's address ranges may reach it. Every
//! refusal is answered 403 and recorded in the audit trail.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use platform::audit::{self, Actor, Event, Outcome, Target};
use platform::db::Db;

use crate::ClientIp;

/// The ranges allowed in, and where refusals are recorded.
pub struct AllowList {
    /// Allowed networks (IPv4 and IPv6).
    pub nets: Vec<IpNet>,
    /// The audit trail's database.
    pub db: Db,
}

/// Middleware refusing every client outside the list.
pub async fn allow_list(
    State(list): State<Arc<AllowList>>,
    request: Request,
    next: Next,
) -> Response {
    let client = request.extensions().get::<ClientIp>().map(|c| c.0);
    if client.is_some_and(|ip| list.nets.iter().any(|net| net.contains(&ip))) {
        return next.run(request).await;
    }
    let meta = crate::request_meta_of(request.extensions());
    let event = Event {
        actor: Actor::anonymous(),
        action: "edge.staff_listener_refused",
        target: Target::none(),
        outcome: Outcome::Denied,
    };
    if let Err(e) = audit::record(&list.db, &event, &meta).await {
        tracing::error!(error = %e, "cannot audit a refused staff-listener request");
    }
    crate::refusal::plain(
        StatusCode::FORBIDDEN,
        request.headers(),
        "このネットワークからはアクセスできません。",
        "Access from this network is not permitted.",
    )
}
