//! Load on the identity provider's two busiest doors, through real sockets: password login
//! (the login form, checked with argon2id at the OWASP parameters, 19 MiB and 2 passes) and the
//! OAuth client-credentials grant (a service authenticating with HTTP Basic and receiving a
//! signed access token). It prints throughput, p50/p99/max latency and the process's peak
//! resident memory, so capacity can be planned against Keycloak's sizing guide, which plans
//! 15 password logins/s and 120 client-credentials grants/s per vCPU.
//!
//! The server runs in this process on SQLite in a temporary directory, with every role, as
//! `assetstatus serve` would. Virtual users are tokio tasks with their own HTTP client: 16 for
//! logins, 32 for grants, each running for a fixed time after a short warm-up. A login user is
//! a returning customer: between logins the browser forgets its session cookies but keeps its
//! device cookie; only the `POST /login` is timed. Run with
//! `cargo bench -p assetstatus --bench identity_load`.
//!
//! After the scenarios, the same password hasher runs alone (no HTTP, no database) for a few
//! seconds with every hashing thread busy: that rate is what this machine's cores allow at that
//! moment, the ceiling for logins, and the logins are also printed as a share of it. On a shared
//! machine the ceiling moves from run to run; the share does not.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod load;

use std::sync::Arc;
use std::time::{Duration, Instant};

use assetstatus::server::{self, Built, Role};
use identity::{BirthDate, Email, KanaName, KanjiName, NewPassword, SignupRequest};
use oidc::clients::{ClientAuth, GrantType, NewClient};
use platform::audit::{Actor, RequestMeta};
use platform::config::{Config, Overrides};
use platform::i18n::Locale;
use reqwest::cookie::Jar;
use reqwest::header::LOCATION;
use reqwest::{StatusCode, Url};

use load::{Tally, VirtualUser, peak_memory_mib, percentile_ms, phase, text};

const WARM_UP: Duration = Duration::from_secs(2);
const MEASURED: Duration = Duration::from_secs(10);

const CUSTOMERS: usize = 64;
const PASSWORD: &str = "blue-harbor-lantern-1987";
const LOGIN_USERS: usize = 16;
const GRANT_USERS: usize = 32;
/// How long the hasher runs alone to find the machine's ceiling.
const CEILING_RUN: Duration = Duration::from_secs(4);

/// A customer's browser: cookies kept, redirects not followed.
struct Browser {
    client: reqwest::Client,
    jar: Arc<Jar>,
    base: Url,
    email: String,
}

impl Browser {
    fn new(base: &Url, email: String) -> Self {
        let jar = Arc::new(Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(Arc::clone(&jar))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            client,
            jar,
            base: base.clone(),
            email,
        }
    }

    /// Closing the browser: its session cookies go (the server sets them without an expiry;
    /// over plain HTTP they have no `__Host-` prefix), the long-lived device cookie stays, as
    /// for a customer who comes back another day.
    fn close(&self) {
        for name in ["session", "csrf"] {
            self.jar
                .add_cookie_str(&format!("{name}=; Max-Age=0; Path=/"), &self.base);
        }
    }

    /// The form token of a fresh login page.
    async fn login_token(&self) -> Result<String, String> {
        let url = self.base.join("login").unwrap();
        let response = self.client.get(url).send().await.map_err(text)?;
        let html = response.text().await.map_err(text)?;
        html.split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .map(str::to_owned)
            .ok_or_else(|| "no form token on /login".to_owned())
    }
}

impl VirtualUser for Browser {
    async fn attempt(&self) -> Result<Duration, String> {
        self.close();
        let token = self.login_token().await?;
        let form = [
            ("csrf", token.as_str()),
            ("email", &self.email),
            ("password", PASSWORD),
        ];
        let started = Instant::now();
        let url = self.base.join("login").unwrap();
        let response = self
            .client
            .post(url)
            .form(&form)
            .send()
            .await
            .map_err(text)?;
        let status = response.status();
        let location = response.headers().get(LOCATION).cloned();
        response.bytes().await.map_err(text)?;
        let took = started.elapsed();
        match (status, location) {
            (StatusCode::SEE_OTHER, Some(to)) if to == "/dashboard" => Ok(took),
            (status, to) => Err(format!("POST /login: {status}, Location {to:?}")),
        }
    }
}

/// A service asking for tokens in its own name.
struct Service {
    client: reqwest::Client,
    token_url: Url,
    id: String,
    secret: String,
}

impl VirtualUser for Service {
    async fn attempt(&self) -> Result<Duration, String> {
        let started = Instant::now();
        let response = self
            .client
            .post(self.token_url.clone())
            .basic_auth(&self.id, Some(&self.secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .map_err(text)?;
        let status = response.status();
        let body: serde_json::Value = response.json().await.map_err(text)?;
        let took = started.elapsed();
        match (status, body.get("access_token")) {
            (StatusCode::OK, Some(serde_json::Value::String(_))) => Ok(took),
            (status, _) => Err(format!("POST /oauth2/token: {status}, {body}")),
        }
    }
}

/// A warm-up whose figures are dropped, then the measured phase.
async fn scenario<U: VirtualUser>(users: &[Arc<U>]) -> Tally {
    phase(users, WARM_UP).await;
    phase(users, MEASURED).await
}

fn config(dir: &std::path::Path) -> Config {
    let overrides = Overrides {
        data_dir: Some(dir.to_owned()),
        public_addr: Some(format!("127.0.0.1:{}", testkit::net::free_port())),
        staff_addr: Some("127.0.0.1:0".into()),
        database_url: None,
    };
    let mut config = Config::load(None, &overrides).unwrap();
    // Every virtual user logs in from loopback: the edge limits would measure themselves.
    let loopback = vec!["127.0.0.0/8".parse().unwrap()];
    config.edge.staff_allow.clone_from(&loopback);
    config.edge.rate_limits.exempt = loopback;
    config
}

/// Active customers with the bench password; returns their addresses.
async fn customers(built: &Built) -> Vec<String> {
    let today = platform::time_util::today_jst();
    let mut emails = Vec::new();
    for i in 0..CUSTOMERS {
        let email = format!("bench-{i}@example.jp");
        let request = SignupRequest {
            email: Email::parse(&email).unwrap(),
            name_kanji: KanjiName::parse("試験 花子").unwrap(),
            name_kana: KanaName::parse("シケン ハナコ").unwrap(),
            birth_date: BirthDate::parse("1990-04-01", today).unwrap(),
            password: NewPassword::parse(PASSWORD, PASSWORD, &[]).unwrap(),
            locale: Locale::Ja,
        };
        let meta = RequestMeta::default();
        let created = built.state.identity.create_active_customer(request, &meta);
        created.await.unwrap().expect("a new customer");
        emails.push(email);
    }
    emails
}

/// A confidential service client allowed the client-credentials grant; its ID and secret.
async fn service_client(built: &Built) -> (String, String) {
    let new = NewClient {
        name: "Load benchmark".into(),
        auth: ClientAuth::ClientSecretBasic,
        public_jwk: None,
        redirect_uris: vec![],
        logout_uris: vec![],
        grant_types: vec![GrantType::ClientCredentials],
        scopes: vec!["reports:read".into()],
    };
    let actor = Actor::system("bench");
    let registered =
        oidc::clients::register(&built.state.db, &new, &actor, &RequestMeta::default())
            .await
            .unwrap();
    (registered.client_id, registered.secret.expect("a secret"))
}

fn services(base: &Url, (id, secret): &(String, String)) -> Vec<Arc<Service>> {
    (0..GRANT_USERS)
        .map(|_| {
            Arc::new(Service {
                client: reqwest::Client::new(),
                token_url: base.join("oauth2/token").unwrap(),
                id: id.clone(),
                secret: secret.clone(),
            })
        })
        .collect()
}

fn print_row(name: &str, users: usize, tally: &Tally) {
    let mut sorted = tally.latencies.clone();
    sorted.sort_unstable();
    let seconds = tally.elapsed.as_secs_f64();
    println!(
        "{name:<20} {users:>5} {:>8} {:>8} {seconds:>6.1} {:>8.1} {:>7.1} {:>7.1} {:>7.1} {:>9.1}",
        tally.requests(),
        tally.failures,
        tally.requests() as f64 / seconds,
        percentile_ms(&sorted, 0.50),
        percentile_ms(&sorted, 0.99),
        percentile_ms(&sorted, 1.0),
        tally.peak_mib,
    );
    if let Some(why) = &tally.first_failure {
        println!("  first failure: {why}");
    }
}

/// Hashes per second the password hasher manages alone, every thread kept busy.
async fn hashing_ceiling() -> f64 {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let hasher = identity::PasswordHasher::new(cores).unwrap();
    let started = Instant::now();
    let workers: Vec<_> = (0..cores * 2)
        .map(|i| {
            let hasher = hasher.clone();
            tokio::spawn(async move {
                let mut done = 0_u32;
                while started.elapsed() < CEILING_RUN {
                    hasher
                        .hash(&format!("{PASSWORD}-{i}-{done}"))
                        .await
                        .unwrap();
                    done += 1;
                }
                done
            })
        })
        .collect();
    let mut hashes = 0_u32;
    for worker in workers {
        hashes += worker.await.unwrap();
    }
    f64::from(hashes) / started.elapsed().as_secs_f64()
}

/// The figures as a small table.
fn print_report(setup_mib: f64, ceiling: f64, logins: &Tally, grants: &Tally) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("identity load: {cores} cores, SQLite, {CUSTOMERS} customers");
    println!(
        "{:<20} {:>5} {:>8} {:>8} {:>6} {:>8} {:>7} {:>7} {:>7} {:>9}",
        "scenario",
        "users",
        "requests",
        "failures",
        "s",
        "req/s",
        "p50 ms",
        "p99 ms",
        "max ms",
        "VmHWM MiB"
    );
    print_row("password login", LOGIN_USERS, logins);
    print_row("client credentials", GRANT_USERS, grants);
    println!(
        "VmHWM: the process's peak resident memory when the row ended (server and load \
         generator together); {setup_mib:.1} MiB before any load"
    );
    let login_rate = logins.requests() as f64 / logins.elapsed.as_secs_f64();
    println!(
        "hashing alone (the same hasher, no HTTP): {ceiling:.1} /s on this machine now; logins \
         reached {:.0}% of it",
        100.0 * login_rate / ceiling
    );
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let built = server::build(&config).await.unwrap();
    let running = server::start(&config, &built, &Role::ALL).await.unwrap();
    let base: Url = format!("http://{}/", running.public_addr.unwrap())
        .parse()
        .unwrap();
    let emails = customers(&built).await;
    let setup_mib = peak_memory_mib();
    let browsers: Vec<_> = (0..LOGIN_USERS)
        .map(|i| Arc::new(Browser::new(&base, emails[i % emails.len()].clone())))
        .collect();
    let logins = scenario(&browsers).await;
    let services = services(&base, &service_client(&built).await);
    let grants = scenario(&services).await;
    // Last, so that its hashing threads do not count in the rows' peak memory.
    let ceiling = hashing_ceiling().await;
    print_report(setup_mib, ceiling, &logins, &grants);
    running.stop().await;
    built.state.db.close().await;
}
