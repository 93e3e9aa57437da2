//! The layers every request passes before its handler, in this order: a request ID, the
//! client's address (trusted proxies only), the access log (which also counts requests and their
//! latency), the web application firewall, per-address rate limits by route class, the staff
//! listener's IP allow-list, and security headers on the way out.

mod access_log;
mod allow_list;
mod client_ip;
mod meta;
mod metrics;
mod rate_limit;
mod refusal;
mod request_id;
mod security_headers;
mod waf;

pub use access_log::access_log;
pub use allow_list::{AllowList, allow_list};
pub use client_ip::{ClientIp, TrustedProxies, client_ip};
pub use meta::{Meta, request_meta, request_meta_of};
pub use metrics::HttpMetrics;
pub use rate_limit::{RateLimits, RouteClass, rate_limit};
pub use request_id::{RequestId, request_id};
pub use security_headers::security_headers;
pub use waf::{Limits as WafLimits, Mode as WafMode, Waf, waf};
