//! Per-address rate limits by route class: logins, sign-ups, password resets, uploads, the API
//! and everything else each have their own budget (GCRA, `governor`). A request over budget is
//! answered 429 with `Retry-After`. State lives in memory, one entry per address (per /64 for
//! IPv6, so one host cannot spread itself over its subnet), and is pruned every minute.
//!
//! These limits hold per instance. What protects passwords across instances is the failure
//! throttle in the database (identity's `auth_throttle`); the edge limits only cap volume.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use ipnet::IpNet;
use platform::config::RateLimitConfig;

use crate::ClientIp;

/// The budgets requests are counted against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RouteClass {
    /// Password, code and passkey sign-in steps, customer and staff.
    Login,
    /// Creating an account.
    Signup,
    /// Asking for and using a password-reset link.
    PasswordReset,
    /// File uploads.
    Upload,
    /// The JSON API and the endpoints clients authenticate at (token, pushed requests).
    Api,
    /// Everything else.
    General,
}

impl RouteClass {
    /// The class of a request.
    pub fn of(method: &Method, path: &str) -> Self {
        let write = method != Method::GET && method != Method::HEAD;
        match path {
            p if p.starts_with("/api/") || p == "/oauth2/token" || p == "/oauth2/par" => {
                RouteClass::Api
            }
            p if write && (p.starts_with("/login") || p.starts_with("/staff/login")) => {
                RouteClass::Login
            }
            "/signup" if write => RouteClass::Signup,
            p if write && p.starts_with("/password/") => RouteClass::PasswordReset,
            "/assets/import" | "/application/documents" if write => RouteClass::Upload,
            _ => RouteClass::General,
        }
    }

    fn label(self) -> &'static str {
        match self {
            RouteClass::Login => "login",
            RouteClass::Signup => "signup",
            RouteClass::PasswordReset => "password_reset",
            RouteClass::Upload => "upload",
            RouteClass::Api => "api",
            RouteClass::General => "general",
        }
    }
}

type Limiter = DefaultKeyedRateLimiter<IpAddr>;

/// The limiters of one listener.
pub struct RateLimits {
    classes: Vec<(RouteClass, Limiter)>,
    exempt: Vec<IpNet>,
    metrics: Arc<crate::HttpMetrics>,
}

fn quota(per_minute: u32, burst: u32) -> Quota {
    let rate = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(rate).allow_burst(burst)
}

impl RateLimits {
    /// Limiters from the configured budgets.
    pub fn new(config: &RateLimitConfig, metrics: Arc<crate::HttpMetrics>) -> Self {
        let classes = [
            (RouteClass::Login, config.login),
            (RouteClass::Signup, config.signup),
            (RouteClass::PasswordReset, config.password_reset),
            (RouteClass::Upload, config.upload),
            (RouteClass::Api, config.api),
            (RouteClass::General, config.general),
        ]
        .into_iter()
        .map(|(class, [per_minute, burst])| (class, Limiter::keyed(quota(per_minute, burst))))
        .collect();
        Self {
            classes,
            exempt: config.exempt.clone(),
            metrics,
        }
    }

    /// Forgets addresses whose budget is full again; run every minute.
    pub fn prune(&self) {
        for (_, limiter) in &self.classes {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// Addresses currently tracked, all classes together.
    pub fn tracked(&self) -> usize {
        self.classes.iter().map(|(_, l)| l.len()).sum()
    }

    /// Seconds to wait when `ip` is over its budget for `class`.
    fn over_budget(&self, class: RouteClass, ip: IpAddr) -> Option<u64> {
        if self.exempt.iter().any(|net| net.contains(&ip)) {
            return None;
        }
        let limiter = self
            .classes
            .iter()
            .find(|(c, _)| *c == class)
            .map(|(_, l)| l)?;
        let key = match ip {
            IpAddr::V6(v6) => IpNet::V6(ipnet::Ipv6Net::new(v6, 64).ok()?.trunc()).addr(),
            v4 => v4,
        };
        limiter.check_key(&key).err().map(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}

/// Middleware answering 429 to an address over its budget.
pub async fn rate_limit(
    State(limits): State<Arc<RateLimits>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(ClientIp(ip)) = request.extensions().get::<ClientIp>().copied() else {
        return next.run(request).await;
    };
    let class = RouteClass::of(request.method(), request.uri().path());
    let Some(retry_after) = limits.over_budget(class, ip) else {
        return next.run(request).await;
    };
    limits.metrics.rate_limited(class.label());
    let mut response = crate::refusal::plain(
        StatusCode::TOO_MANY_REQUESTS,
        request.headers(),
        "リクエストが集中しています。しばらく待ってからもう一度お試しください。",
        "Too many requests. Please wait a moment and try again.",
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after.max(1)));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_forgotten_once_their_budget_is_full_again() {
        let config = RateLimitConfig {
            general: [60_000, 1],
            exempt: Vec::new(),
            ..RateLimitConfig::default()
        };
        let limits = RateLimits::new(&config, Arc::new(crate::HttpMetrics::default()));
        for last in 1..=50u8 {
            let ip = IpAddr::from([198, 51, 100, last]);
            assert_eq!(limits.over_budget(RouteClass::General, ip), None);
        }
        assert_eq!(limits.tracked(), 50);
        std::thread::sleep(std::time::Duration::from_millis(20));
        limits.prune();
        assert_eq!(limits.tracked(), 0);
    }

    #[test]
    fn loopback_is_limited_like_any_address_unless_exempted() {
        let config = RateLimitConfig {
            login: [1, 1],
            ..RateLimitConfig::default()
        };
        let limits = RateLimits::new(&config, Arc::new(crate::HttpMetrics::default()));
        for ip in [
            IpAddr::from([127, 0, 0, 1]),
            IpAddr::from([0, 0, 0, 0, 0, 0, 0, 1]),
        ] {
            assert_eq!(limits.over_budget(RouteClass::Login, ip), None, "{ip}");
            assert!(limits.over_budget(RouteClass::Login, ip).is_some(), "{ip}");
        }
        let exempted = RateLimitConfig {
            exempt: vec![IpNet::from(IpAddr::from([127, 0, 0, 1]))],
            ..config
        };
        let limits = RateLimits::new(&exempted, Arc::new(crate::HttpMetrics::default()));
        for _ in 0..3 {
            assert_eq!(
                limits.over_budget(RouteClass::Login, IpAddr::from([127, 0, 0, 1])),
                None
            );
        }
        assert!(
            limits
                .over_budget(RouteClass::Login, IpAddr::from([127, 0, 0, 2]))
                .is_none()
        );
        assert!(
            limits
                .over_budget(RouteClass::Login, IpAddr::from([127, 0, 0, 2]))
                .is_some(),
            "only the configured network is exempt"
        );
    }

    #[test]
    fn an_ipv6_host_shares_the_budget_of_its_64() {
        let config = RateLimitConfig {
            login: [1, 1],
            exempt: Vec::new(),
            ..RateLimitConfig::default()
        };
        let limits = RateLimits::new(&config, Arc::new(crate::HttpMetrics::default()));
        let first: IpAddr = "2001:db8::1".parse().unwrap_or(IpAddr::from([0; 16]));
        let same_64: IpAddr = "2001:db8::ffff".parse().unwrap_or(IpAddr::from([0; 16]));
        let other_64: IpAddr = "2001:db8:0:1::1".parse().unwrap_or(IpAddr::from([0; 16]));
        assert_eq!(limits.over_budget(RouteClass::Login, first), None);
        assert!(limits.over_budget(RouteClass::Login, same_64).is_some());
        assert_eq!(limits.over_budget(RouteClass::Login, other_64), None);
    }

    #[test]
    fn requests_fall_into_their_class() {
        assert_eq!(RouteClass::of(&Method::POST, "/login"), RouteClass::Login);
        assert_eq!(
            RouteClass::of(&Method::POST, "/login/passkey/finish"),
            RouteClass::Login
        );
        assert_eq!(
            RouteClass::of(&Method::POST, "/staff/login/code"),
            RouteClass::Login
        );
        assert_eq!(RouteClass::of(&Method::GET, "/login"), RouteClass::General);
        assert_eq!(RouteClass::of(&Method::POST, "/signup"), RouteClass::Signup);
        assert_eq!(
            RouteClass::of(&Method::POST, "/password/forgot"),
            RouteClass::PasswordReset
        );
        assert_eq!(
            RouteClass::of(&Method::POST, "/assets/import"),
            RouteClass::Upload
        );
        assert_eq!(
            RouteClass::of(&Method::GET, "/api/v1/assets"),
            RouteClass::Api
        );
        assert_eq!(
            RouteClass::of(&Method::POST, "/oauth2/token"),
            RouteClass::Api
        );
        assert_eq!(
            RouteClass::of(&Method::POST, "/oauth2/par"),
            RouteClass::Api
        );
        assert_eq!(
            RouteClass::of(&Method::GET, "/dashboard"),
            RouteClass::General
        );
    }
}
