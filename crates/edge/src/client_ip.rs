//! The client's address: the TCP peer, unless the peer is one of our trusted proxies, in which
//! case the right-most address in `X-Forwarded-For` that is not a trusted proxy. A client can
//! write anything into that header, so only hops our own proxies appended are believed.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

/// The client address the edge determined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// The proxies whose `X-Forwarded-For` entries are believed (the load balancer's subnets).
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(pub Vec<IpNet>);

impl TrustedProxies {
    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client address for a request from `peer` with these headers.
    pub fn resolve(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            match hop.parse::<IpAddr>() {
                Ok(ip) if self.trusts(client) => client = ip,
                _ => break,
            }
            if !self.trusts(client) {
                break;
            }
        }
        client
    }
}

/// Middleware recording [`ClientIp`] for every later layer and handler.
pub async fn client_ip(
    State(trusted): State<Arc<TrustedProxies>>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if let Some(peer) = peer {
        let ip = trusted.resolve(peer, request.headers());
        request.extensions_mut().insert(ClientIp(ip));
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use axum::http::HeaderValue;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_cannot_choose_its_address() {
        let trusted = TrustedProxies(vec!["10.0.0.0/8".parse().unwrap()]);
        let spoofed = headers(&["198.51.100.7"]);
        assert_eq!(
            trusted.resolve(ip("203.0.113.5"), &spoofed),
            ip("203.0.113.5")
        );
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let trusted = TrustedProxies(vec![
            "10.0.0.0/8".parse().unwrap(),
            "2001:db8::/32".parse().unwrap(),
        ]);
        let chain = headers(&["198.51.100.7, 203.0.113.5", "10.1.2.3"]);
        assert_eq!(trusted.resolve(ip("10.0.0.1"), &chain), ip("203.0.113.5"));
        let v6 = headers(&["2001:db8::9, 2400:4050::1"]);
        assert_eq!(trusted.resolve(ip("2001:db8::1"), &v6), ip("2400:4050::1"));
    }

    #[test]
    fn garbage_stops_the_walk_at_the_last_trusted_hop() {
        let trusted = TrustedProxies(vec!["10.0.0.0/8".parse().unwrap()]);
        assert_eq!(
            trusted.resolve(ip("10.0.0.1"), &headers(&["not-an-ip"])),
            ip("10.0.0.1")
        );
        assert_eq!(
            trusted.resolve(ip("10.0.0.1"), &headers(&[])),
            ip("10.0.0.1")
        );
        let only_proxies = headers(&["10.9.9.9, 10.8.8.8"]);
        assert_eq!(
            trusted.resolve(ip("10.0.0.1"), &only_proxies),
            ip("10.9.9.9")
        );
    }
}
