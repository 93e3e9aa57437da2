//! The edge: the staff listener admits only the configured networks (IPv4 and IPv6), refusing
//! everyone else with a 403 and an audit entry before anything else runs; the client address
//! comes from `X-Forwarded-For` only when the peer is a trusted proxy. Nothing is exempt from
//! the rate limits unless configured, loopback included.

use crate::support;

use platform::config::RateLimitConfig;
use platform::time_util::now_unix;
use support::{Backend, TestApp, Topology};

fn nets(list: &[&str]) -> Vec<ipnet::IpNet> {
    list.iter().map(|n| n.parse().unwrap()).collect()
}

async fn staff_get(app: &TestApp, path: &str, forwarded: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(format!("http://{}{path}", app.staff_addr));
    if let Some(hops) = forwarded {
        request = request.header("x-forwarded-for", hops);
    }
    request.send().await.unwrap()
}

async fn refusals(app: &TestApp) -> Vec<String> {
    let mut tx = app.state.db.read().await.unwrap();
    let rows = sqlx::query(
        "SELECT client_ip FROM audit_log WHERE action = 'edge.staff_listener_refused' ORDER BY seq",
    )
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    rows.iter()
        .map(|r| platform::db::col::<String>(r, "client_ip").unwrap())
        .collect()
}

async fn staff_listener_admits_only_allowed_networks(backend: Backend, topology: Topology) {
    let app = TestApp::spawn_in(backend, topology, |config| {
        config.edge.staff_allow = nets(&["10.0.0.0/8", "2001:db8::/32"]);
    })
    .await;
    for path in ["/staff/login", "/metrics", "/healthz", "/no-such-page"] {
        let response = staff_get(&app, path, None).await;
        assert_eq!(response.status(), 403, "{path}");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("アクセスできません")
        );
    }
    assert_eq!(refusals(&app).await, vec!["127.0.0.1"; 4]);
    let public = reqwest::get(format!("{}/login", app.base)).await.unwrap();
    assert_eq!(
        public.status(),
        200,
        "the public listener has no allow-list"
    );
    app.stop().await;
}

async fn forwarded_addresses_count_only_from_trusted_proxies(backend: Backend, topology: Topology) {
    let untrusted = TestApp::spawn_in(backend, topology, |config| {
        config.edge.staff_allow = nets(&["203.0.113.0/24"]);
    })
    .await;
    let spoofed = staff_get(&untrusted, "/staff/login", Some("203.0.113.9")).await;
    assert_eq!(spoofed.status(), 403, "a spoofed header changes nothing");
    assert_eq!(refusals(&untrusted).await, vec!["127.0.0.1"]);
    untrusted.stop().await;

    let behind_proxy = TestApp::spawn_in(backend, topology, |config| {
        config.edge.trusted_proxies = nets(&["127.0.0.0/8", "10.0.0.0/8"]);
        config.edge.staff_allow = nets(&["203.0.113.0/24", "2001:db8::/32"]);
    })
    .await;
    for (hops, expected) in [
        ("203.0.113.9", 200),
        ("198.51.100.1, 203.0.113.9, 10.1.1.1", 200),
        ("203.0.113.9, 198.51.100.1", 403),
        ("2001:db8::5", 200),
        ("2001:db9::1", 403),
        ("not-an-address", 403),
    ] {
        let response = staff_get(&behind_proxy, "/staff/login", Some(hops)).await;
        assert_eq!(response.status(), expected, "{hops}");
    }
    assert_eq!(
        refusals(&behind_proxy).await,
        vec!["198.51.100.1", "2001:db9::1", "127.0.0.1"],
        "the audit names the address the edge determined"
    );
    behind_proxy.stop().await;
}

async fn post_login(app: &TestApp, forwarded: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/login", app.base))
        .header("x-forwarded-for", forwarded)
        .form(&[("email", "nobody@example.jp"), ("password", "x")])
        .send()
        .await
        .unwrap()
}

/// A login attempt straight from this machine, with no proxy in between.
async fn post_login_from_loopback(app: &TestApp) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/login", app.base))
        .form(&[("email", "nobody@example.jp"), ("password", "x")])
        .send()
        .await
        .unwrap()
}

async fn loopback_is_limited_like_any_address_by_default(backend: Backend, topology: Topology) {
    let app = TestApp::spawn_in(backend, topology, |config| {
        config.edge.rate_limits = RateLimitConfig {
            login: [1, 2],
            ..RateLimitConfig::default()
        };
    })
    .await;
    assert!(app.config.edge.trusted_proxies.is_empty());
    for _ in 0..2 {
        assert_ne!(post_login_from_loopback(&app).await.status(), 429);
    }
    let refused = post_login_from_loopback(&app).await;
    assert_eq!(
        refused.status(),
        429,
        "a same-host proxy must not lift the limits"
    );
    assert!(refused.headers().contains_key("retry-after"));
    app.stop().await;
}

async fn rate_limits_answer_429_per_address_and_class(backend: Backend, topology: Topology) {
    let app = TestApp::spawn_in(backend, topology, |config| {
        config.edge.trusted_proxies = nets(&["127.0.0.0/8"]);
        config.edge.rate_limits.exempt = Vec::new();
        config.edge.rate_limits.login = [1, 2];
    })
    .await;
    for _ in 0..2 {
        assert_ne!(post_login(&app, "203.0.113.7").await.status(), 429);
    }
    let refused = post_login(&app, "203.0.113.7").await;
    assert_eq!(refused.status(), 429);
    let retry: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert!(refused.text().await.unwrap().contains("しばらく待って"));
    assert_ne!(
        post_login(&app, "203.0.113.8").await.status(),
        429,
        "another address"
    );
    let page = reqwest::Client::new()
        .get(format!("{}/login", app.base))
        .header("x-forwarded-for", "203.0.113.7")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200, "other classes keep their budget");
    let figures = staff_get(&app, "/metrics", None)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        figures.contains(r#"assetstatus_rate_limited_requests_total{class="login"} 1"#),
        "{figures}"
    );
    app.stop().await;
}

/// Sends raw bytes (shapes an HTTP client library would refuse to produce); returns the status.
async fn raw_status(app: &TestApp, request: String) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let text = String::from_utf8_lossy(&answer);
    text.split_whitespace()
        .nth(1)
        .unwrap_or("0")
        .parse()
        .unwrap()
}

async fn firewall_stops_attacks_and_lets_ordinary_input_through(
    backend: Backend,
    topology: Topology,
) {
    let app = TestApp::spawn_in(backend, topology, |config| {
        config
            .edge
            .waf
            .rules
            .insert("xss-tags".into(), "count".into());
    })
    .await;
    let client = reqwest::Client::new();
    let get = |path: String| {
        let client = client.clone();
        let url = format!("{}{path}", app.base);
        async move { client.get(url).send().await.unwrap() }
    };
    let sqli = get("/login?notice=%27%20OR%201%3D1%20--".into()).await;
    assert_eq!(sqli.status(), 403);
    assert!(sqli.text().await.unwrap().contains("お受けできません"));
    assert_eq!(get("/login?notice=logged-out".into()).await.status(), 200);
    assert_eq!(
        get(format!("/login?notice={}", "a".repeat(3000)))
            .await
            .status(),
        414
    );
    let big_header = client
        .get(format!("{}/login", app.base))
        .header("x-padding", "p".repeat(20 * 1024))
        .send()
        .await
        .unwrap();
    assert_eq!(big_header.status(), 431);

    let b = app.browser();
    let signup = |name: &'static str| async {
        let token = b.token("/signup").await;
        b.post_with_token("/signup", &token, &[("name_kanji", name), ("email", "")])
            .await
    };
    assert_eq!(signup("<script>alert(1)</script>").await.status, 403);
    assert_eq!(
        signup("<img src=x>").await.status,
        422,
        "count mode lets it through"
    );
    let corpus = include_str!("../../../../tests/waf/ordinary_input.txt");
    for line in corpus
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let token = b.token("/signup").await;
        let page = b
            .post_with_token("/signup", &token, &[("name_kanji", line), ("email", "")])
            .await;
        assert_eq!(page.status, 422, "false positive on {line}");
    }

    let host = app.base.trim_start_matches("http://").to_owned();
    for (what, request, expected) in [
        (
            "traversal",
            "GET /static/%2e%2e/%2e%2e/etc/passwd HTTP/1.1",
            400,
        ),
        ("null byte", "GET /login%00.html HTTP/1.1", 400),
        ("invalid UTF-8", "GET /login%ff%fe HTTP/1.1", 400),
        ("ordinary", "GET /login HTTP/1.1", 200),
    ] {
        let status = raw_status(
            &app,
            format!("{request}\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        )
        .await;
        assert_eq!(status, expected, "{what}");
    }
    let smuggled = format!(
        "POST /login HTTP/1.1\r\nHost: {host}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n"
    );
    assert_eq!(
        raw_status(&app, smuggled).await,
        400,
        "length and chunking together"
    );

    let figures = staff_get(&app, "/metrics", None)
        .await
        .text()
        .await
        .unwrap();
    for line in [
        r#"assetstatus_waf_matches_total{rule="sqli-tautology",blocked="true"} 1"#,
        r#"assetstatus_waf_matches_total{rule="xss-script",blocked="true"} 1"#,
        r#"assetstatus_waf_matches_total{rule="xss-tags",blocked="false"} 1"#,
    ] {
        assert!(figures.contains(line), "{line}\n{figures}");
    }
    app.stop().await;
}

/// A correctly signed assertion, as only the gateway can make it.
fn assertion(app: &TestApp, method: &str, target: &str, issued_at: i64) -> String {
    let seal = edge::GatewaySeal(app.state.keyring.clone());
    let principal = edge::Principal {
        customer: platform::ids::CustomerId::new(),
        client_id: "forger".into(),
        scopes: vec!["assets:read".into(), "assets:write".into()],
    };
    seal.seal(&edge::Assertion {
        request_id: "forged-request".into(),
        client_ip: "203.0.113.50".parse().unwrap(),
        method: method.into(),
        target: target.into(),
        issued_at,
        principal: Some(principal),
    })
    .unwrap()
    .to_str()
    .unwrap()
    .to_owned()
}

async fn internal_headers_from_clients_are_never_believed(backend: Backend, topology: Topology) {
    let app = TestApp::spawn_in(backend, topology, |_| {}).await;
    let signed = assertion(&app, "GET", "/api/v1/assets", now_unix());
    let response = reqwest::Client::new()
        .get(format!("{}/api/v1/assets", app.base))
        .header(edge::ASSERTION_HEADER, signed)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        401,
        "a client cannot hand itself a caller"
    );
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    for internal in [
        edge::ROUTE_HEADER,
        edge::USER_HEADER,
        edge::ASSERTION_HEADER,
    ] {
        assert!(
            !response.headers().contains_key(internal),
            "{internal} never leaves the gateway"
        );
    }
    let figures = staff_get(&app, "/metrics", None)
        .await
        .text()
        .await
        .unwrap();
    let line =
        r#"assetstatus_http_requests_total{method="GET",route="/api/v1/assets",status="401"} 1"#;
    assert!(
        figures.contains(line),
        "route templates reach the gateway's figures\n{figures}"
    );
    let line = r#"assetstatus_auth_outcomes_total{scheme="bearer",outcome="absent"} 1"#;
    assert!(figures.contains(line), "{figures}");
    app.stop().await;
}

async fn upstream_roles_admit_only_the_gateway(backend: Backend) {
    let app = TestApp::spawn_in(backend, Topology::Split, |_| {}).await;
    let (public, staff) = app.upstream.unwrap();
    let get = |addr: std::net::SocketAddr, path: &str, header: Option<String>| {
        let mut request = reqwest::Client::new().get(format!("http://{addr}{path}"));
        if let Some(value) = header {
            request = request.header(edge::ASSERTION_HEADER, value);
        }
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let now = now_unix();
    let valid = assertion(&app, "GET", "/login", now);
    let (body, _) = valid.split_once('.').unwrap();
    for (what, header, expected) in [
        ("no assertion", None, 403),
        ("forged signature", Some(format!("{body}.AAAA")), 403),
        ("garbage", Some("not-an-assertion".to_owned()), 403),
        (
            "signed for another path",
            Some(assertion(&app, "GET", "/signup", now)),
            403,
        ),
        (
            "signed for another method",
            Some(assertion(&app, "POST", "/login", now)),
            403,
        ),
        (
            "too old",
            Some(assertion(&app, "GET", "/login", now - 120)),
            403,
        ),
        ("signed for this request", Some(valid.clone()), 200),
    ] {
        assert_eq!(get(public, "/login", header).await, expected, "{what}");
    }
    assert_eq!(
        get(staff, "/staff/login", None).await,
        403,
        "staff upstream too"
    );
    assert_eq!(
        get(public, "/healthz", None).await,
        200,
        "probes need no gateway"
    );
    let figures = reqwest::get(format!("http://{staff}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        r#"assetstatus_auth_outcomes_total{scheme="gateway",outcome="missing"} 2"#,
        r#"assetstatus_auth_outcomes_total{scheme="gateway",outcome="forged"} 2"#,
        r#"assetstatus_auth_outcomes_total{scheme="gateway",outcome="other_request"} 2"#,
        r#"assetstatus_auth_outcomes_total{scheme="gateway",outcome="expired"} 1"#,
    ] {
        assert!(figures.contains(line), "{line}\n{figures}");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_roles_admit_only_the_gateway_on_sqlite() {
    upstream_roles_admit_only_the_gateway(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_roles_admit_only_the_gateway_on_postgres() {
    upstream_roles_admit_only_the_gateway(Backend::Postgres).await;
}

on_both_backends_and_topologies!(
    internal_headers_from_clients_are_never_believed,
    firewall_stops_attacks_and_lets_ordinary_input_through,
    staff_listener_admits_only_allowed_networks,
    forwarded_addresses_count_only_from_trusted_proxies,
    rate_limits_answer_429_per_address_and_class,
    loopback_is_limited_like_any_address_by_default,
);
