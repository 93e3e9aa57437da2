//! The layers every request passes before its handler, in this order: a request ID, the
//! client's address (trusted proxies only), the access log (which also counts requests and their
//! latency), security headers on the way out, the web application firewall, per-address rate
//! limits by route class, and the staff listener's IP allow-list. Authentication follows (the
//! API's bearer check hands handlers a [`Principal`]). In split mode the gateway ends the stack
//! by forwarding to the upstream role ([`forward`]) with a signed [`Assertion`], which the
//! upstream checks first ([`behind_gateway`]).

mod access_log;
mod allow_list;
mod assertion;
mod behind_gateway;
mod client_ip;
mod meta;
mod metrics;
mod note;
mod principal;
mod proxy;
mod rate_limit;
mod refusal;
mod request_id;
mod security_headers;
mod waf;

pub use access_log::access_log;
pub use allow_list::{AllowList, allow_list};
pub use assertion::{ASSERTION_HEADER, Assertion, AssertionError, GatewaySeal};
pub use behind_gateway::{BehindGateway, ROUTE_HEADER, USER_HEADER, behind_gateway};
pub use client_ip::{ClientIp, TrustedProxies, client_ip};
pub use meta::{Meta, request_meta, request_meta_of};
pub use metrics::{HttpMetrics, LATENCY_BUCKETS, Tally, TallySnapshot, latency_bound};
pub use note::{AccessNote, Noted, note_user};
pub use principal::Principal;
pub use proxy::{Upstream, UpstreamError, forward};
pub use rate_limit::{RateLimits, RouteClass, rate_limit};
pub use request_id::{RequestId, request_id};
pub use security_headers::security_headers;
pub use waf::{Limits as WafLimits, Mode as WafMode, Waf, waf};
