//! The staff listener's IP allow-list: only the company's address ranges may reach it. Every
//! refusal is answered 403 and recorded in the audit trail.

use std::net::IpAddr;
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

/// Whether `client` is inside one of `nets`; an empty list admits no one.
fn admits(nets: &[IpNet], client: Option<IpAddr>) -> bool {
    client.is_some_and(|ip| nets.iter().any(|net| net.contains(&ip)))
}

/// Middleware refusing every client outside the list.
pub async fn allow_list(
    State(list): State<Arc<AllowList>>,
    request: Request,
    next: Next,
) -> Response {
    let client = request.extensions().get::<ClientIp>().map(|c| c.0);
    if admits(&list.nets, client) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_list_admits_no_one() {
        for client in [
            Some(IpAddr::from([127, 0, 0, 1])),
            Some(IpAddr::from([0, 0, 0, 0, 0, 0, 0, 1])),
            Some(IpAddr::from([10, 1, 2, 3])),
            None,
        ] {
            assert!(!admits(&[], client), "{client:?}");
        }
    }

    #[test]
    fn only_listed_networks_are_admitted() {
        let nets: Vec<IpNet> = ["10.0.0.0/8", "2001:db8::/32"]
            .iter()
            .filter_map(|n| n.parse().ok())
            .collect();
        assert_eq!(nets.len(), 2);
        assert!(admits(&nets, Some(IpAddr::from([10, 9, 8, 7]))));
        assert!(admits(&nets, "2001:db8::5".parse().ok()));
        assert!(!admits(&nets, Some(IpAddr::from([127, 0, 0, 1]))));
        assert!(!admits(&nets, "2001:db9::1".parse().ok()));
        assert!(!admits(&nets, None), "no known address, no entry");
    }
}
