//! Figures over time, kept in the database per minute: counters each process adds to its own
//! row ([`samples`]), gauges the worker or each process overwrites ([`gauges`]), and the series
//! the dashboard draws from them ([`series`]).

pub mod gauges;
pub mod samples;
pub mod series;

/// Names of the stored figures. Counters add up over processes; gauges do not.
pub mod metric {
    /// Requests answered.
    pub const REQUESTS: &str = "requests";
    /// Requests answered with a 5xx status.
    pub const SERVER_ERRORS: &str = "server_errors";
    /// Requests refused by a rate limit.
    pub const RATE_LIMITED: &str = "rate_limited";
    /// Requests a firewall rule matched.
    pub const WAF_MATCHES: &str = "waf_matches";
    /// Requests a firewall rule refused.
    pub const WAF_BLOCKS: &str = "waf_blocks";
    /// Bearer tokens refused.
    pub const TOKEN_FAILURES: &str = "token_failures";
    /// Messages waiting in the outbox (gauge).
    pub const OUTBOX_DEPTH: &str = "outbox_depth";
    /// Age in seconds of the oldest waiting message (gauge).
    pub const OUTBOX_OLDEST: &str = "outbox_oldest_seconds";
    /// Size of the database in bytes (gauge).
    pub const DATABASE_BYTES: &str = "database_bytes";
    /// Free bytes on the data directory's disk, per process (gauge).
    pub const DISK_FREE: &str = "disk_free_bytes";
    /// Size of the data directory's disk, per process (gauge).
    pub const DISK_TOTAL: &str = "disk_total_bytes";

    /// The counter of latency bucket `i` (see `edge::latency_bound`).
    pub fn latency(i: usize) -> String {
        format!("latency_{i:02}")
    }
}

/// The minute a Unix time falls in.
pub fn minute_of(unix: i64) -> i64 {
    unix.div_euclid(60)
}
