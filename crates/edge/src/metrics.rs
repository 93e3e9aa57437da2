//! Request figures for `/metrics`: count and latency per route template, method and status, the
//! requests the rate limits turned away by route class, firewall matches by rule, authentication
//! outcomes by scheme and outcome, and token-verification failures by reason.
//! Held in the application state, not in a global registry. The same figures are also tallied
//! since the last flush ([`Tally`]), so the operations console can keep a per-minute history in
//! the database that survives restarts and adds up over every instance.

use std::sync::atomic::{AtomicU64, Ordering};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ClassLabels {
    class: String,
}

type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// Request counters and latency histograms of one process.
pub struct HttpMetrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
    rate_limited: Family<ClassLabels, Counter>,
    waf_matches: Family<WafLabels, Counter>,
    auth_outcomes: Family<AuthLabels, Counter>,
    token_failures: Family<ReasonLabels, Counter>,
    tally: Tally,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AuthLabels {
    scheme: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WafLabels {
    rule: String,
    blocked: bool,
}

/// Number of latency buckets with an upper bound; one more counts everything slower.
pub const LATENCY_BUCKETS: usize = 16;

/// Upper bound of latency bucket `i`, in seconds: 0.25 ms to about 8 s in doubling steps.
pub fn latency_bound(i: usize) -> f64 {
    0.000_25 * f64::from(1_u32 << i.min(30))
}

fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.000_25, 2.0, LATENCY_BUCKETS as u16))
}

/// Figures since the last [`Tally::take`].
#[derive(Default)]
pub struct Tally {
    requests: AtomicU64,
    server_errors: AtomicU64,
    latency: [AtomicU64; LATENCY_BUCKETS + 1],
    rate_limited: AtomicU64,
    waf_matches: AtomicU64,
    waf_blocks: AtomicU64,
    token_failures: AtomicU64,
}

/// What a [`Tally`] held when it was taken.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TallySnapshot {
    /// Requests answered.
    pub requests: u64,
    /// Of which with a 5xx status.
    pub server_errors: u64,
    /// Requests per latency bucket (see [`latency_bound`]); the last counts the slowest.
    pub latency: [u64; LATENCY_BUCKETS + 1],
    /// Requests a rate limit refused.
    pub rate_limited: u64,
    /// Requests a firewall rule matched.
    pub waf_matches: u64,
    /// Of which refused.
    pub waf_blocks: u64,
    /// Bearer tokens refused.
    pub token_failures: u64,
}

impl Tally {
    /// The figures so far, leaving zero behind.
    pub fn take(&self) -> TallySnapshot {
        let take = |a: &AtomicU64| a.swap(0, Ordering::Relaxed);
        TallySnapshot {
            requests: take(&self.requests),
            server_errors: take(&self.server_errors),
            latency: std::array::from_fn(|i| take(&self.latency[i])),
            rate_limited: take(&self.rate_limited),
            waf_matches: take(&self.waf_matches),
            waf_blocks: take(&self.waf_blocks),
            token_failures: take(&self.token_failures),
        }
    }

    /// Adds taken figures back, when they could not be stored, so that none is lost.
    pub fn restore(&self, s: &TallySnapshot) {
        let add = |a: &AtomicU64, n: u64| a.fetch_add(n, Ordering::Relaxed);
        add(&self.requests, s.requests);
        add(&self.server_errors, s.server_errors);
        for (bucket, n) in self.latency.iter().zip(s.latency) {
            add(bucket, n);
        }
        add(&self.rate_limited, s.rate_limited);
        add(&self.waf_matches, s.waf_matches);
        add(&self.waf_blocks, s.waf_blocks);
        add(&self.token_failures, s.token_failures);
    }

    fn bump(a: &AtomicU64) {
        a.fetch_add(1, Ordering::Relaxed);
    }
}

impl Default for HttpMetrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("assetstatus");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: LatencyFamily = Family::new_with_constructor(latency_histogram);
        registry.register(
            "http_requests",
            "Requests by method, route template and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer, by route template",
            latency.clone(),
        );
        let rate_limited = Family::<ClassLabels, Counter>::default();
        registry.register(
            "rate_limited_requests",
            "Requests refused by a rate limit, by route class",
            rate_limited.clone(),
        );
        let waf_matches = Family::<WafLabels, Counter>::default();
        registry.register(
            "waf_matches",
            "Requests a firewall rule matched, by rule and whether it was refused",
            waf_matches.clone(),
        );
        let auth_outcomes = Family::<AuthLabels, Counter>::default();
        registry.register(
            "auth_outcomes",
            "Authentication attempts at the edge, by scheme (bearer, gateway) and outcome",
            auth_outcomes.clone(),
        );
        let token_failures = Family::<ReasonLabels, Counter>::default();
        registry.register(
            "token_verification_failures",
            "Bearer tokens refused, by reason",
            token_failures.clone(),
        );
        Self {
            registry,
            auth_outcomes,
            token_failures,
            requests,
            latency,
            rate_limited,
            waf_matches,
            tally: Tally::default(),
        }
    }
}

impl HttpMetrics {
    /// Records one answered request.
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let labels = RequestLabels {
            method: method.to_owned(),
            route: route.to_owned(),
            status,
        };
        self.requests.get_or_create(&labels).inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_owned(),
            })
            .observe(seconds);
        Tally::bump(&self.tally.requests);
        if status >= 500 {
            Tally::bump(&self.tally.server_errors);
        }
        let bucket = (0..LATENCY_BUCKETS)
            .find(|i| seconds <= latency_bound(*i))
            .unwrap_or(LATENCY_BUCKETS);
        Tally::bump(&self.tally.latency[bucket]);
    }

    /// The figures since the last flush.
    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    /// Records a request a rate limit refused.
    pub fn rate_limited(&self, class: &str) {
        self.rate_limited
            .get_or_create(&ClassLabels {
                class: class.to_owned(),
            })
            .inc();
        Tally::bump(&self.tally.rate_limited);
    }

    /// Records a firewall match.
    pub fn waf_match(&self, rule: &str, blocked: bool) {
        self.waf_matches
            .get_or_create(&WafLabels {
                rule: rule.to_owned(),
                blocked,
            })
            .inc();
        Tally::bump(&self.tally.waf_matches);
        if blocked {
            Tally::bump(&self.tally.waf_blocks);
        }
    }

    /// Records the outcome of one authentication attempt; both labels come from fixed sets.
    pub fn auth_outcome(&self, scheme: &'static str, outcome: &'static str) {
        self.auth_outcomes
            .get_or_create(&AuthLabels { scheme, outcome })
            .inc();
    }

    /// Records a refused bearer token; `reason` is one of the verifier's fixed descriptions.
    pub fn token_rejected(&self, reason: &'static str) {
        self.auth_outcome("bearer", "refused");
        self.token_failures
            .get_or_create(&ReasonLabels { reason })
            .inc();
        Tally::bump(&self.tally.token_failures);
    }

    /// The figures in the OpenMetrics text format, without the closing `# EOF`, so that other
    /// sections can follow.
    pub fn encode_open(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            return String::new();
        }
        out.strip_suffix("# EOF\n")
            .map(str::to_owned)
            .unwrap_or(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_requests_and_latency_per_route() {
        let m = HttpMetrics::default();
        m.observe("GET", "/login", 200, 0.002);
        m.observe("GET", "/login", 200, 0.004);
        m.observe("POST", "/login", 401, 0.02);
        let text = m.encode_open();
        assert!(
            text.contains(
                r#"assetstatus_http_requests_total{method="GET",route="/login",status="200"} 2"#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#"assetstatus_http_request_duration_seconds_count{route="/login"} 3"#),
            "{text}"
        );
        assert!(!text.contains("# EOF"));
    }

    #[test]
    fn tally_counts_since_the_last_take_and_restores() {
        let m = HttpMetrics::default();
        m.observe("GET", "/", 200, 0.0002);
        m.observe("GET", "/", 503, 0.003);
        m.observe("GET", "/", 200, 100.0);
        m.waf_match("sqli", true);
        m.waf_match("xss", false);
        m.rate_limited("login");
        m.token_rejected("expired");
        let taken = m.tally().take();
        assert_eq!((taken.requests, taken.server_errors), (3, 1));
        assert_eq!(taken.latency[0], 1, "0.2 ms is in the first bucket");
        assert_eq!(taken.latency[4], 1, "3 ms is at most 4 ms");
        assert_eq!(
            taken.latency[LATENCY_BUCKETS], 1,
            "100 s is beyond every bound"
        );
        assert_eq!((taken.waf_matches, taken.waf_blocks), (2, 1));
        assert_eq!((taken.rate_limited, taken.token_failures), (1, 1));
        assert_eq!(m.tally().take(), TallySnapshot::default());
        m.tally().restore(&taken);
        assert_eq!(m.tally().take(), taken);
    }
}
