//! The layers every request passes before its handler, in this order: a request ID, the
//! access log (which also counts requests and their latency), and security headers on the way
//! out.

mod access_log;
mod meta;
mod metrics;
mod request_id;
mod security_headers;

pub use access_log::access_log;
pub use meta::{Meta, request_meta};
pub use metrics::HttpMetrics;
pub use request_id::{RequestId, request_id};
pub use security_headers::security_headers;
