//! Request figures for `/metrics`: count and latency per route template, method and status, the
//! requests the rate limits turned away by route class, firewall matches by rule, authentication
//! outcomes by scheme and outcome, and token-verification failures by reason.
//! Held in the application state, not in a global registry.

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

fn latency_histogram() -> Histogram {
    // 0.25 ms to about 8 s in doubling steps.
    Histogram::new(exponential_buckets(0.000_25, 2.0, 16))
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
    }

    /// Records a request a rate limit refused.
    pub fn rate_limited(&self, class: &str) {
        self.rate_limited
            .get_or_create(&ClassLabels {
                class: class.to_owned(),
            })
            .inc();
    }

    /// Records a firewall match.
    pub fn waf_match(&self, rule: &str, blocked: bool) {
        self.waf_matches
            .get_or_create(&WafLabels {
                rule: rule.to_owned(),
                blocked,
            })
            .inc();
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
}
