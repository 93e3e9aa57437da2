//! What the edge stack costs: one authenticated API read (`GET /api/v1/assets`, a customer with
//! three holdings) under the same load, side by side in one run, against
//! - the bare handler: the API router alone on its own listener, the verified caller put in
//!   place by the benchmark, no edge layer at all;
//! - the full stack in one process: request ID, client address, access log, security headers,
//!   firewall, rate limit (loopback is exempted in this benchmark's configuration, so the
//!   limiter is consulted but never refuses), bearer authentication with the verified-token
//!   cache, handler;
//! - the same without the token cache (every request verifies ES256 and checks revocation);
//! - split mode: a gateway process forwarding to an upstream process, both in this process.
//!
//! Each stack gets two phases: one user sending requests one after another, whose p50/p99 show
//! what a request costs without queueing (the stack's cost is its p50 minus the bare handler's),
//! and 32 users at once, whose requests/s show the throughput kept. Peak resident memory ends
//! each row.
//! Virtual users are tokio tasks with their own keep-alive HTTP connection, in the same process
//! as the server (2 cores here: the load generator takes its share of the CPU in every row
//! alike). Run with `cargo bench -p assetstatus --bench gateway_load`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod load;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use assetstatus::server::{self, Built, Role, Running};
use axum::Extension;
use identity::{BirthDate, Email, KanaName, KanjiName, NewPassword, SignupRequest};
use oidc::clients::{ClientAuth, GrantType, NewClient};
use platform::audit::{Actor, RequestMeta};
use platform::config::{Config, Overrides};
use platform::i18n::Locale;
use reqwest::header::LOCATION;
use reqwest::{StatusCode, Url};

use load::{Tally, VirtualUser, peak_memory_mib, percentile_ms, phase, text};

/// Users of the throughput phase: enough to keep both cores busy.
const USERS: usize = 32;
/// The stacks take turns, so that drift in the machine's speed spreads over all of them alike.
const ROUNDS: usize = 5;
/// Length of one turn (after a warm-up turn of the same length).
const ROUND: Duration = Duration::from_secs(2);
const EMAIL: &str = "gateway-bench@example.jp";
const PASSWORD: &str = "blue-harbor-lantern-1987";
const REDIRECT_URI: &str = "https://kakeibo.example/callback";
/// The PKCE pair of RFC 7636, appendix B.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// An application reading the customer's assets with its access token.
struct Reader {
    client: reqwest::Client,
    url: Url,
    token: String,
}

impl VirtualUser for Reader {
    async fn attempt(&self) -> Result<Duration, String> {
        let started = Instant::now();
        let response = self
            .client
            .get(self.url.clone())
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(text)?;
        let status = response.status();
        let body = response.bytes().await.map_err(text)?;
        let took = started.elapsed();
        if status == StatusCode::OK && body.starts_with(b"{\"assets\":[") {
            Ok(took)
        } else {
            Err(format!("GET /api/v1/assets: {status}"))
        }
    }
}

fn free_addr() -> SocketAddr {
    format!("127.0.0.1:{}", testkit::net::free_port())
        .parse()
        .unwrap()
}

fn config(dir: &std::path::Path) -> Config {
    let overrides = Overrides {
        data_dir: Some(dir.to_owned()),
        public_addr: Some(free_addr().to_string()),
        staff_addr: Some(free_addr().to_string()),
        database_url: None,
    };
    let mut config = Config::load(None, &overrides).unwrap();
    // Every process below is the same deployment: one issuer, whatever its own address.
    config.public_base_url = Some(config.public_base_url());
    // The load comes from loopback: it may reach the staff listener, and the limiter is
    // consulted on every request but must not refuse the benchmark's own traffic.
    let loopback = vec!["127.0.0.0/8".parse().unwrap()];
    config.edge.staff_allow.clone_from(&loopback);
    config.edge.rate_limits.exempt = loopback;
    config
}

/// The customer, active, with three holdings.
async fn customer(built: &Built) -> platform::ids::CustomerId {
    let today = platform::time_util::today_jst();
    let request = SignupRequest {
        email: Email::parse(EMAIL).unwrap(),
        name_kanji: KanjiName::parse("試験 花子").unwrap(),
        name_kana: KanaName::parse("シケン ハナコ").unwrap(),
        birth_date: BirthDate::parse("1990-04-01", today).unwrap(),
        password: NewPassword::parse(PASSWORD, PASSWORD, &[]).unwrap(),
        locale: Locale::Ja,
    };
    let meta = RequestMeta::default();
    let id = built
        .state
        .identity
        .create_active_customer(request, &meta)
        .await
        .unwrap()
        .expect("a new customer");
    for (category, name, amount) in [
        ("deposits", "普通預金", "1250000"),
        ("investment_funds", "投資信託", "3400000"),
        ("insurance", "終身保険", "800000"),
    ] {
        let form = assets::AssetForm {
            category: category.into(),
            name: name.into(),
            institution: "みらい銀行".into(),
            amount: amount.into(),
            valuation_date: platform::fields::iso_date(today),
            note: String::new(),
            acquisition_cost: String::new(),
        };
        let draft = form.parse(today).unwrap();
        built.state.assets.create(id, &draft, &meta).await.unwrap();
    }
    id
}

/// An access token with `assets:read`, obtained as a real application would: the customer logs
/// in, the authorization request returns a code, the code is redeemed with PKCE.
async fn access_token(built: &Built, base: &Url) -> String {
    let new = NewClient {
        name: "家計簿アプリ".into(),
        auth: ClientAuth::ClientSecretBasic,
        public_jwk: None,
        redirect_uris: vec![REDIRECT_URI.into()],
        logout_uris: vec![],
        grant_types: vec![GrantType::AuthorizationCode],
        scopes: vec!["openid".into(), "assets:read".into()],
    };
    let actor = Actor::system("bench");
    let registered =
        oidc::clients::register(&built.state.db, &new, &actor, &RequestMeta::default())
            .await
            .unwrap();
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let html = browser
        .get(base.join("login").unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap();
    let login = browser
        .post(base.join("login").unwrap())
        .form(&[("csrf", csrf), ("email", EMAIL), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    let mut authorize = base.join("oauth2/authorize").unwrap();
    authorize
        .query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &registered.client_id)
        .append_pair("redirect_uri", REDIRECT_URI)
        .append_pair("scope", "openid assets:read")
        .append_pair("state", "bench")
        .append_pair("nonce", "bench")
        .append_pair("code_challenge", CHALLENGE)
        .append_pair("code_challenge_method", "S256");
    let answer = browser.get(authorize).send().await.unwrap();
    let location: Url = answer.headers()[LOCATION]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("a code");
    let tokens: serde_json::Value = reqwest::Client::new()
        .post(base.join("oauth2/token").unwrap())
        .basic_auth(&registered.client_id, registered.secret.as_deref())
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    tokens["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned()
}

/// The API router alone, with the verified caller already in place.
async fn bare_handler(built: &Built, customer: platform::ids::CustomerId) -> SocketAddr {
    let principal = edge::Principal {
        customer,
        client_id: "bench".into(),
        scopes: vec!["assets:read".into()],
    };
    let api = api::router(Arc::clone(&built.api)).layer(Extension(principal));
    let router = axum::Router::new().nest(api::PREFIX, api);
    let listener = tokio::net::TcpListener::bind(free_addr()).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, service).await.unwrap();
    });
    addr
}

/// A gateway process and an upstream process on the same data, as `--roles` would run them.
async fn split(config: &Config) -> (Vec<Running>, SocketAddr) {
    let mut upstream_config = config.clone();
    upstream_config.public_addr = free_addr();
    upstream_config.staff_addr = free_addr();
    let upstream_built = server::build(&upstream_config).await.unwrap();
    let upstream = server::start(
        &upstream_config,
        &upstream_built,
        &[Role::Portal, Role::Identity],
    )
    .await
    .unwrap();
    let mut gateway_config = config.clone();
    gateway_config.public_addr = free_addr();
    gateway_config.staff_addr = free_addr();
    gateway_config.edge.upstream_public = Some(
        format!("http://{}/", upstream.public_addr.unwrap())
            .parse()
            .unwrap(),
    );
    gateway_config.edge.upstream_staff =
        Some(format!("http://{}/", upstream.staff_addr).parse().unwrap());
    let gateway_built = server::build(&gateway_config).await.unwrap();
    let gateway = server::start(&gateway_config, &gateway_built, &[Role::Gateway])
        .await
        .unwrap();
    let addr = gateway.public_addr.unwrap();
    (vec![gateway, upstream], addr)
}

/// The same process's full stack with the token cache turned off.
async fn uncached(config: &Config) -> (Running, SocketAddr) {
    let mut config = config.clone();
    config.public_addr = free_addr();
    config.staff_addr = free_addr();
    config.edge.token_cache_seconds = 0;
    let built = server::build(&config).await.unwrap();
    let running = server::start(&config, &built, &Role::ALL).await.unwrap();
    let addr = running.public_addr.unwrap();
    (running, addr)
}

fn readers(addr: SocketAddr, token: &str, users: usize) -> Vec<Arc<Reader>> {
    (0..users)
        .map(|_| {
            Arc::new(Reader {
                client: reqwest::Client::new(),
                url: format!("http://{addr}/api/v1/assets").parse().unwrap(),
                token: token.to_owned(),
            })
        })
        .collect()
}

/// One stack's figures: latency with a single user (no queueing, so differences are the
/// stack's own cost), throughput with [`USERS`] users.
struct Row {
    name: &'static str,
    alone: Tally,
    busy: Tally,
}

impl Row {
    fn per_second(&self) -> f64 {
        self.busy.latencies.len() as f64 / self.busy.elapsed.as_secs_f64()
    }

    fn micros(tally: &Tally, p: f64) -> f64 {
        let mut sorted = tally.latencies.clone();
        sorted.sort_unstable();
        percentile_ms(&sorted, p) * 1000.0
    }
}

fn print_report(rows: &[Row], setup_mib: f64) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("gateway load: {cores} cores, SQLite, GET /api/v1/assets (three holdings)");
    println!(
        "{:<31} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7} {:>9}",
        "stack",
        "requests",
        "failures",
        "1u p50µs",
        "1u p99µs",
        "cost p50",
        "32u req/s",
        "32u p99µs",
        "kept",
        "VmHWM MiB"
    );
    let bare = &rows[0];
    let bare_p50 = Row::micros(&bare.alone, 0.50);
    for row in rows {
        let p50 = Row::micros(&row.alone, 0.50);
        println!(
            "{:<31} {:>8} {:>8} {:>9.0} {:>9.0} {:>7.0}µs {:>9.0} {:>9.0} {:>6.1}% {:>9.1}",
            row.name,
            row.alone.requests() + row.busy.requests(),
            row.alone.failures + row.busy.failures,
            p50,
            Row::micros(&row.alone, 0.99),
            p50 - bare_p50,
            row.per_second(),
            Row::micros(&row.busy, 0.99),
            100.0 * row.per_second() / bare.per_second(),
            row.busy.peak_mib,
        );
        if let Some(why) = row
            .alone
            .first_failure
            .as_ref()
            .or(row.busy.first_failure.as_ref())
        {
            println!("  first failure: {why}");
        }
    }
    println!(
        "1u: one user, requests one after another; 32u: {USERS} users at once. cost p50: the \
         row's one-user p50 minus the bare handler's; kept: its {USERS}-user throughput as a \
         share of the bare handler's; VmHWM: peak resident memory of the process when the row \
         ended ({setup_mib:.1} MiB before any load)"
    );
}

/// `users` users against each stack in turn, [`ROUNDS`] times, each turn after a warm-up;
/// the figures of each stack's turns pooled.
async fn in_turns(stacks: &[(&str, SocketAddr)], token: &str, users: usize) -> Vec<Tally> {
    let mut pooled: Vec<Tally> = stacks.iter().map(|_| Tally::default()).collect();
    for _ in 0..ROUNDS {
        for ((_, addr), pool) in stacks.iter().zip(&mut pooled) {
            let readers = readers(*addr, token, users);
            phase(&readers, ROUND).await;
            let turn = phase(&readers, ROUND).await;
            pool.elapsed += turn.elapsed;
            pool.peak_mib = turn.peak_mib;
            pool.merge(turn);
        }
    }
    pooled
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let built = server::build(&config).await.unwrap();
    let running = server::start(&config, &built, &Role::ALL).await.unwrap();
    let full = running.public_addr.unwrap();
    let base: Url = format!("http://{full}/").parse().unwrap();
    let customer = customer(&built).await;
    let token = access_token(&built, &base).await;
    let bare = bare_handler(&built, customer).await;
    let (cold, cold_addr) = uncached(&config).await;
    let (split_running, split_addr) = split(&config).await;
    let setup_mib = peak_memory_mib();
    let stacks = [
        ("bare handler (no edge layers)", bare),
        ("full stack, one process", full),
        ("full stack, no token cache", cold_addr),
        ("split: gateway → upstream", split_addr),
    ];
    let alone = in_turns(&stacks, &token, 1).await;
    let busy = in_turns(&stacks, &token, USERS).await;
    let rows: Vec<Row> = stacks
        .iter()
        .zip(alone.into_iter().zip(busy))
        .map(|((name, _), (alone, busy))| Row { name, alone, busy })
        .collect();
    print_report(&rows, setup_mib);
    for r in split_running {
        r.stop().await;
    }
    cold.stop().await;
    running.stop().await;
    built.state.db.close().await;
}
