//! A thousand customers' first visit, against the release binary as a separate process over
//! real sockets: sign up (the form, then `POST /signup`), confirm the address from the mail,
//! log in with the password, add five assets, look at the dashboard and the asset list. Then
//! the same customers' signed-in pages are browsed for a while, the server idles, and is
//! restarted on the same data to see what it holds at rest. It prints, per step, count,
//! errors, p50/p99/max latency and throughput, and the server process's resident memory at each
//! stage: `VmRSS` and its peak `VmHWM` from `/proc/<pid>/status`, and the highest `VmRSS`
//! sampled every 50 ms since the stage before. It never asserts a time.
//!
//! Engines (`JOURNEY_ENGINE`): `sqlite` (one process on SQLite in a temporary data directory),
//! `postgres` (two processes with their own data directories and one database in a scratch
//! PostgreSQL 15 cluster, sharing the master key file; every request goes to either process at
//! random) or `both` (default: SQLite first, then PostgreSQL). Other settings:
//! `JOURNEY_CUSTOMERS` (1000), `JOURNEY_CONCURRENCY` (32 customers at a time, and 32 browsing
//! users), `JOURNEY_BROWSE_SECS` (20), `JOURNEY_IDLE_SECS` (70); with `JOURNEY_KEEP_FILES` set,
//! the data directories and the servers' logs are kept (their directory is printed).
//!
//! The server runs with its defaults except the loopback network: it is exempted from the rate
//! limits (by default nothing is, and every virtual user here comes from 127.0.0.1) and named
//! as the staff network, which a process serving the staff listener must have. Mail goes to
//! `.eml` files in each process's data directory, where the benchmark reads the verification
//! links. Each step's time covers all its requests (for sign-up, verification, login and
//! adding an asset: the form page, then the `POST`); the wait for the mail is its own row.
//! Run with `cargo bench -p assetstatus --bench journey`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod load;

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::Rng;
use rand::seq::SliceRandom;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::{COOKIE, LOCATION};
use reqwest::{StatusCode, Url};

use load::{Tally, VirtualUser, peak_memory_mib, percentile_ms, phase, status_mib, text};

const PASSWORD: &str = "blue-harbor-lantern-1987";
/// The assets every customer adds: category, name, amount in yen.
const ASSETS: [(&str, &str, &str); 5] = [
    ("deposits", "普通預金", "1500000"),
    ("stocks", "国内株式", "250000"),
    ("investment_funds", "投資信託", "800000"),
    ("insurance", "終身保険", "300000"),
    ("liabilities", "住宅ローン", "1200000"),
];
/// How long a customer waits for the verification mail before the step counts as failed.
const MAIL_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the restarted server runs before its memory is read.
const RESTART_REST: Duration = Duration::from_secs(10);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// What the environment asks for.
struct Settings {
    customers: usize,
    concurrency: usize,
    browse: Duration,
    idle: Duration,
    engines: Vec<Engine>,
}

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a whole number, not {v:?}")),
        Err(_) => default,
    }
}

impl Settings {
    fn from_env() -> Self {
        let engines = match std::env::var("JOURNEY_ENGINE").as_deref() {
            Ok("sqlite") => vec![Engine::Sqlite],
            Ok("postgres") => vec![Engine::Postgres],
            Ok("both") | Err(_) => vec![Engine::Sqlite, Engine::Postgres],
            Ok(other) => panic!("JOURNEY_ENGINE is sqlite, postgres or both, not {other:?}"),
        };
        Self {
            customers: usize::try_from(env_number("JOURNEY_CUSTOMERS", 1000)).unwrap(),
            concurrency: usize::try_from(env_number("JOURNEY_CONCURRENCY", 32))
                .unwrap()
                .max(1),
            browse: Duration::from_secs(env_number("JOURNEY_BROWSE_SECS", 20)),
            idle: Duration::from_secs(env_number("JOURNEY_IDLE_SECS", 70)),
            engines,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "SQLite, one process",
            Engine::Postgres => "PostgreSQL 15, two processes",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The server processes.

/// How to start one server process; a restart uses the same description.
struct Spec {
    name: &'static str,
    data_dir: PathBuf,
    config: PathBuf,
    database_url: Option<String>,
    log: PathBuf,
}

/// A running `assetstatus serve`; killed when dropped (on failure), stopped with SIGTERM
/// otherwise.
struct Server {
    name: &'static str,
    child: Child,
    /// Kills the server should this process end without dropping it (killed itself).
    watchdog: Option<Child>,
    base: Url,
    log: PathBuf,
}

/// A shell that kills `server` once this process is gone, and ends by itself when the server
/// does.
fn watchdog(server: u32) -> Option<Child> {
    let script = format!(
        "while kill -0 {me} 2>/dev/null; do kill -0 {server} 2>/dev/null || exit 0; sleep 1; \
         done; kill -KILL {server} 2>/dev/null",
        me = std::process::id()
    );
    testkit::watchdog::spawn(&script).ok()
}

impl Server {
    /// Starts the release binary on free loopback ports and waits until `/readyz` answers 200.
    async fn start(spec: &Spec) -> Result<Self, String> {
        let public = testkit::net::free_port();
        let staff = testkit::net::free_port();
        let log = File::options()
            .create(true)
            .append(true)
            .open(&spec.log)
            .map_err(text)?;
        let mut command = Command::new(env!("CARGO_BIN_EXE_assetstatus"));
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("ASSETSTATUS_") {
                command.env_remove(key);
            }
        }
        if let Some(url) = &spec.database_url {
            command.env("ASSETSTATUS_DATABASE_URL", url);
        }
        command
            .arg("--config")
            .arg(&spec.config)
            .arg("--data-dir")
            .arg(&spec.data_dir)
            .arg("--public-addr")
            .arg(format!("127.0.0.1:{public}"))
            .arg("--staff-addr")
            .arg(format!("127.0.0.1:{staff}"))
            .arg("serve")
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(text)?)
            .stderr(log);
        let child = command.spawn().map_err(text)?;
        let watchdog = watchdog(child.id());
        let mut server = Server {
            name: spec.name,
            child,
            watchdog,
            base: format!("http://127.0.0.1:{public}/").parse().unwrap(),
            log: spec.log.clone(),
        };
        server.wait_ready().await?;
        Ok(server)
    }

    async fn wait_ready(&mut self) -> Result<(), String> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .map_err(text)?;
        let url = self.base.join("readyz").unwrap();
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            if let Some(status) = self.child.try_wait().map_err(text)? {
                return Err(format!(
                    "server {} exited ({status}) before it was ready; its log ends:\n{}",
                    self.name,
                    log_tail(&self.log, 20)
                ));
            }
            if let Ok(response) = client.get(url.clone()).send().await
                && response.status() == StatusCode::OK
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("server {} not ready after 180 s", self.name));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn pid(&self) -> String {
        self.child.id().to_string()
    }

    /// Resident memory now and at its peak, in MiB.
    fn memory(&self) -> Memory {
        let pid = self.pid();
        let rss = status_mib(&pid, "VmRSS").unwrap_or(f64::NAN);
        Memory {
            rss,
            hwm: status_mib(&pid, "VmHWM").unwrap_or(f64::NAN),
            sampled: rss,
        }
    }

    /// SIGTERM, then up to 30 s for a graceful exit (killed after that); how long it took.
    async fn stop(mut self) -> Result<Duration, String> {
        let started = Instant::now();
        let sent = Command::new("kill")
            .args(["-TERM", &self.pid()])
            .status()
            .map_err(text)?;
        if !sent.success() {
            return Err(format!("kill -TERM {} failed", self.name));
        }
        while started.elapsed() < Duration::from_secs(30) {
            if let Some(status) = self.child.try_wait().map_err(text)? {
                if !status.success() {
                    println!("  server {} exited with {status} after SIGTERM", self.name);
                }
                return Ok(started.elapsed());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(format!(
            "server {} still running 30 s after SIGTERM (killed)",
            self.name
        ))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        if let Some(mut watchdog) = self.watchdog.take() {
            let _ = watchdog.kill();
            let _ = watchdog.wait();
        }
    }
}

/// The last `lines` lines of a server's log.
fn log_tail(path: &Path, lines: usize) -> String {
    let log = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = log.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[derive(Clone, Copy)]
struct Memory {
    rss: f64,
    hwm: f64,
    /// The highest `VmRSS` sampled since the stage before.
    sampled: f64,
}

/// The servers' memory at one stage.
struct Snapshot {
    stage: String,
    memory: Vec<Memory>,
}

/// Reads the servers' `VmRSS` every 50 ms on a thread of its own and keeps the highest since
/// the last [`Sampler::snapshot`]: the kernel updates `VmHWM` only at some events (when memory
/// is unmapped, for one), so memory given back with `madvise` takes its peak with it.
struct Sampler {
    pids: Arc<Vec<String>>,
    peaks: Arc<Mutex<Vec<f64>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sampler {
    fn start(servers: &[Server]) -> Self {
        let pids = Arc::new(servers.iter().map(Server::pid).collect::<Vec<_>>());
        let peaks = Arc::new(Mutex::new(vec![0.0; servers.len()]));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (pids, peaks, stop) = (Arc::clone(&pids), Arc::clone(&peaks), Arc::clone(&stop));
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    Self::sample(&pids, &peaks);
                    std::thread::sleep(Duration::from_millis(50));
                }
            })
        };
        Self {
            pids,
            peaks,
            stop,
            thread: Some(thread),
        }
    }

    fn sample(pids: &[String], peaks: &Mutex<Vec<f64>>) {
        let mut peaks = peaks.lock().unwrap();
        for (pid, peak) in pids.iter().zip(peaks.iter_mut()) {
            if let Some(rss) = status_mib(pid, "VmRSS") {
                *peak = peak.max(rss);
            }
        }
    }

    /// The servers' memory now, with the highest sample since the last snapshot.
    fn snapshot(&self, stage: impl Into<String>, servers: &[Server]) -> Snapshot {
        Self::sample(&self.pids, &self.peaks);
        let mut peaks = self.peaks.lock().unwrap();
        let memory = servers
            .iter()
            .zip(peaks.iter_mut())
            .map(|(server, peak)| {
                let now = server.memory();
                let sampled = std::mem::replace(peak, now.rss);
                Memory { sampled, ..now }
            })
            .collect();
        Snapshot {
            stage: stage.into(),
            memory,
        }
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Verification links from the mail files.

/// Reads the `.eml` files the servers write and keeps each recipient's verification link
/// (its path and token, without the host: the benchmark picks the process itself).
struct Mailbox {
    dirs: Vec<PathBuf>,
    links: Mutex<HashMap<String, String>>,
    seen: Mutex<HashSet<PathBuf>>,
    stop: AtomicBool,
}

impl Mailbox {
    fn new(dirs: Vec<PathBuf>) -> Arc<Self> {
        Arc::new(Self {
            dirs,
            links: Mutex::new(HashMap::new()),
            seen: Mutex::new(HashSet::new()),
            stop: AtomicBool::new(false),
        })
    }

    /// Scans the directories every 20 ms on a thread of its own until [`Mailbox::stop`].
    fn watch(self: &Arc<Self>) -> std::thread::JoinHandle<()> {
        let mailbox = Arc::clone(self);
        std::thread::spawn(move || {
            while !mailbox.stop.load(Ordering::Relaxed) {
                mailbox.scan();
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    }

    fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    fn scan(&self) {
        for dir in &self.dirs {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            for entry in entries.filter_map(Result::ok) {
                let path = entry.path();
                if self.seen.lock().unwrap().contains(&path) {
                    continue;
                }
                match read_mail(&path) {
                    Some((to, Some(link))) => {
                        self.links.lock().unwrap().insert(to, link);
                        self.seen.lock().unwrap().insert(path);
                    }
                    // Another kind of mail (a new device's notice), once it is surely complete.
                    Some((_, None)) if settled(&entry) => {
                        self.seen.lock().unwrap().insert(path);
                    }
                    _ => {}
                }
            }
        }
    }

    /// The verification link mailed to `to`, waiting up to `timeout` for it.
    async fn link_for(&self, to: &str, timeout: Duration) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(link) = self.links.lock().unwrap().remove(to) {
                return Ok(link);
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "no verification mail within {} s",
                    timeout.as_secs()
                ));
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// A file last written more than a second ago.
fn settled(entry: &std::fs::DirEntry) -> bool {
    entry
        .metadata()
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age > Duration::from_secs(1))
}

/// Recipient and verification link (`/verify/…`) of one mail file.
fn read_mail(path: &Path) -> Option<(String, Option<String>)> {
    let raw = std::fs::read(path).ok()?;
    let parsed = mail_parser::MessageParser::default().parse(&raw)?;
    let to = parsed.to()?.first()?.address()?.to_owned();
    let body = parsed.body_text(0)?;
    let link = body
        .split_whitespace()
        .filter(|w| w.starts_with("http"))
        .find_map(|w| w.find("/verify/").map(|at| &w[at..]))
        .map(|p| p.trim_end_matches(['.', ')', '>']).to_owned());
    Some((to, link))
}

// ---------------------------------------------------------------------------------------------
// The customer's browser.

/// What one request returned.
struct Page {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

impl Page {
    /// The page's `<title>`, for error reasons (never the body, which holds the customer's data).
    fn title(&self) -> &str {
        self.body
            .split_once("<title>")
            .and_then(|(_, rest)| rest.split_once("</title>"))
            .map_or("", |(title, _)| title.trim())
    }

    /// Why the page is not `status` with `marker` in it (a `Location` prefix for redirects).
    fn expect(self, label: &str, status: StatusCode, marker: &str) -> Result<Page, String> {
        let ok = self.status == status
            && if status.is_redirection() {
                self.location
                    .as_deref()
                    .is_some_and(|l| l.starts_with(marker))
            } else {
                self.body.contains(marker)
            };
        if ok {
            Ok(self)
        } else {
            Err(format!(
                "{label}: {} (Location {}, title «{}»), expected {status} with {marker:?}",
                self.status,
                self.location.as_deref().map_or("-", redact),
                self.title()
            ))
        }
    }
}

/// A location without its token, if it carries one.
fn redact(location: &str) -> &str {
    ["/verify/", "/password/reset/"]
        .iter()
        .find_map(|p| location.find(p).map(|at| &location[..at + p.len()]))
        .unwrap_or(location)
}

/// A transport error without the URL (which may carry a token), with its causes.
fn transport(label: &str, e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut why = format!("{label}: {e}");
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        why.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    why
}

/// One of the servers, chosen at random for each request.
fn pick(bases: &[Url]) -> &Url {
    bases.choose(&mut rand::thread_rng()).unwrap()
}

fn form_token(html: &str) -> Option<String> {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .map(str::to_owned)
}

/// A customer's browser: its own cookies, redirects not followed (the journey checks them).
struct Browser {
    client: reqwest::Client,
    bases: Arc<Vec<Url>>,
}

impl Browser {
    fn new(bases: &Arc<Vec<Url>>, jar: &Arc<Jar>) -> Self {
        let client = reqwest::Client::builder()
            .cookie_provider(Arc::clone(jar))
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .build()
            .unwrap();
        Self {
            client,
            bases: Arc::clone(bases),
        }
    }

    async fn page(label: &str, request: reqwest::RequestBuilder) -> Result<Page, String> {
        let response = request.send().await.map_err(|e| transport(label, e))?;
        let status = response.status();
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response.text().await.map_err(|e| transport(label, e))?;
        Ok(Page {
            status,
            location,
            body,
        })
    }

    fn url(&self, path: &str) -> Url {
        pick(&self.bases).join(path).unwrap()
    }

    async fn get(&self, label: &str, path: &str) -> Result<Page, String> {
        Self::page(label, self.client.get(self.url(path))).await
    }

    /// The form page at `path`, then a `POST` of `fields` with its form token to the same path.
    async fn submit(
        &self,
        label: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Result<Page, String> {
        let get = format!("GET {label}");
        let form = self.get(&get, path).await?;
        let form = form.expect(&get, StatusCode::OK, "name=\"csrf\"")?;
        let token = form_token(&form.body).ok_or_else(|| format!("{get}: no form token"))?;
        let mut body = vec![("csrf", token.as_str())];
        body.extend_from_slice(fields);
        let post = self.client.post(self.url(path)).form(&body);
        Self::page(&format!("POST {label}"), post).await
    }
}

// ---------------------------------------------------------------------------------------------
// The journey.

#[derive(Clone, Copy)]
enum Step {
    SignUp,
    MailWait,
    Verify,
    Login,
    AddAsset,
    Dashboard,
    AssetList,
    Browse,
}

const STEPS: usize = 8;
const STEP_NAMES: [&str; STEPS] = [
    "sign-up",
    "mail (wait)",
    "verify",
    "login",
    "add asset",
    "dashboard",
    "asset list",
    "browsing",
];

/// Per step, the latencies of the successful ones and the failures.
#[derive(Default)]
struct Steps([Tally; STEPS]);

impl Steps {
    /// Records one step that started at `started`; its value when it succeeded.
    fn record<T>(&mut self, step: Step, started: Instant, outcome: Result<T, String>) -> Option<T> {
        let tally = &mut self.0[step as usize];
        match outcome {
            Ok(value) => {
                tally.latencies.push(started.elapsed());
                Some(value)
            }
            Err(why) => {
                tally.failures += 1;
                tally.first_failure.get_or_insert(why);
                None
            }
        }
    }

    fn merge(&mut self, other: Steps) {
        for (mine, theirs) in self.0.iter_mut().zip(other.0) {
            mine.merge(theirs);
        }
    }
}

/// A customer who made it through: their cookies (a signed-in session) and their assets.
struct Customer {
    jar: Arc<Jar>,
    assets: Vec<String>,
}

fn today() -> String {
    platform::fields::iso_date(platform::time_util::today_jst())
}

/// IDs of the assets listed on an asset list page.
fn asset_ids(html: &str) -> Vec<String> {
    html.split("href=\"/assets/")
        .skip(1)
        .filter_map(|s| s.split_once('"').map(|(id, _)| id.to_owned()))
        .filter(|id| id.len() == 36 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-'))
        .collect()
}

/// One customer's journey; stops at the first failed step.
async fn journey(
    bases: &Arc<Vec<Url>>,
    mailbox: &Mailbox,
    i: usize,
    steps: &mut Steps,
) -> Option<Customer> {
    let email = format!("journey-{i}@example.jp");
    let jar = Arc::new(Jar::default());
    let b = Browser::new(bases, &jar);

    let started = Instant::now();
    let fields = [
        ("name_kanji", "試験 花子"),
        ("name_kana", "シケン ハナコ"),
        ("email", email.as_str()),
        ("birth_date", "1990-04-01"),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
    ];
    let signed_up = async {
        b.submit("/signup", "/signup", &fields).await?.expect(
            "POST /signup",
            StatusCode::SEE_OTHER,
            "/signup/sent",
        )
    };
    steps.record(Step::SignUp, started, signed_up.await)?;

    let started = Instant::now();
    let link = steps.record(
        Step::MailWait,
        started,
        mailbox.link_for(&email, MAIL_TIMEOUT).await,
    )?;

    let started = Instant::now();
    let verified = async {
        b.submit("/verify/…", &link, &[]).await?.expect(
            "POST /verify/…",
            StatusCode::OK,
            "メールアドレスの確認が完了しました",
        )
    };
    steps.record(Step::Verify, started, verified.await)?;

    let started = Instant::now();
    let fields = [("email", email.as_str()), ("password", PASSWORD)];
    let logged_in = async {
        b.submit("/login", "/login", &fields).await?.expect(
            "POST /login",
            StatusCode::SEE_OTHER,
            "/dashboard",
        )
    };
    steps.record(Step::Login, started, logged_in.await)?;

    let date = today();
    for (category, name, amount) in ASSETS {
        let started = Instant::now();
        let fields = [
            ("category", category),
            ("name", name),
            ("institution", "テスト銀行"),
            ("amount", amount),
            ("valuation_date", date.as_str()),
            ("note", ""),
            ("acquisition_cost", ""),
        ];
        let added = async {
            b.submit("/assets/new", "/assets/new", &fields)
                .await?
                .expect("POST /assets/new", StatusCode::SEE_OTHER, "/assets?notice=")
        };
        steps.record(Step::AddAsset, started, added.await)?;
    }

    let started = Instant::now();
    let dashboard = async {
        b.get("GET /dashboard", "/dashboard").await?.expect(
            "GET /dashboard",
            StatusCode::OK,
            "id=\"net-worth\"",
        )
    };
    steps.record(Step::Dashboard, started, dashboard.await)?;

    let started = Instant::now();
    let listed = async {
        let page = b.get("GET /assets", "/assets").await?.expect(
            "GET /assets",
            StatusCode::OK,
            "href=\"/assets/new\"",
        )?;
        let ids = asset_ids(&page.body);
        if ids.len() == ASSETS.len() {
            Ok(ids)
        } else {
            Err(format!(
                "GET /assets: {} assets listed, expected {}",
                ids.len(),
                ASSETS.len()
            ))
        }
    };
    let assets = steps.record(Step::AssetList, started, listed.await)?;
    Some(Customer { jar, assets })
}

/// Every customer's journey, `concurrency` at a time; the customers who made it and how long
/// it all took.
async fn journeys(
    settings: &Settings,
    bases: &Arc<Vec<Url>>,
    mailbox: &Arc<Mailbox>,
    steps: &mut Steps,
) -> (Vec<Customer>, Duration) {
    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let customers = settings.customers;
    let tasks: Vec<_> = (0..settings.concurrency)
        .map(|_| {
            let next = Arc::clone(&next);
            let bases = Arc::clone(bases);
            let mailbox = Arc::clone(mailbox);
            tokio::spawn(async move {
                let mut steps = Steps::default();
                let mut done = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= customers {
                        break;
                    }
                    if let Some(c) = journey(&bases, &mailbox, i, &mut steps).await {
                        done.push(c);
                    }
                }
                (steps, done)
            })
        })
        .collect();
    let mut done = Vec::new();
    for task in tasks {
        let (theirs, customers) = task.await.unwrap();
        steps.merge(theirs);
        done.extend(customers);
    }
    (done, started.elapsed())
}

/// A browsing user: each request is one page of a random signed-in customer (their session
/// cookie sent along), the dashboard, the asset list or one of their assets.
struct Viewer {
    client: reqwest::Client,
    bases: Arc<Vec<Url>>,
    customers: Arc<Vec<Customer>>,
}

impl VirtualUser for Viewer {
    async fn attempt(&self) -> Result<Duration, String> {
        let (url, cookies, label, marker) = {
            let mut rng = rand::thread_rng();
            let customer = self.customers.choose(&mut rng).unwrap();
            let base = self.bases.choose(&mut rng).unwrap();
            let cookies = customer
                .jar
                .cookies(base)
                .ok_or_else(|| "a customer without cookies".to_owned())?;
            let (path, label, marker) = match rng.gen_range(0..3) {
                0 => (
                    "/dashboard".to_owned(),
                    "GET /dashboard",
                    "id=\"net-worth\"",
                ),
                1 => ("/assets".to_owned(), "GET /assets", "href=\"/assets/new\""),
                _ => (
                    format!("/assets/{}", customer.assets.choose(&mut rng).unwrap()),
                    "GET /assets/{id}",
                    "id=\"asset-amount\"",
                ),
            };
            (base.join(&path).unwrap(), cookies, label, marker)
        };
        let started = Instant::now();
        let request = self.client.get(url).header(COOKIE, cookies);
        let page = Browser::page(label, request).await?;
        let took = started.elapsed();
        page.expect(label, StatusCode::OK, marker).map(|_| took)
    }
}

async fn browse(
    settings: &Settings,
    bases: &Arc<Vec<Url>>,
    customers: Vec<Customer>,
    steps: &mut Steps,
) -> Duration {
    if customers.is_empty() || settings.browse.is_zero() {
        return Duration::ZERO;
    }
    let customers = Arc::new(customers);
    let viewers: Vec<_> = (0..settings.concurrency)
        .map(|_| {
            Arc::new(Viewer {
                client: reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .timeout(REQUEST_TIMEOUT)
                    .build()
                    .unwrap(),
                bases: Arc::clone(bases),
                customers: Arc::clone(&customers),
            })
        })
        .collect();
    let tally = phase(&viewers, settings.browse).await;
    let elapsed = tally.elapsed;
    steps.0[Step::Browse as usize].merge(tally);
    elapsed
}

// ---------------------------------------------------------------------------------------------
// One engine's run.

/// A configuration file: loopback exempted from the rate limits and named as the staff
/// network, optionally a shared master key file; everything else at its default.
fn write_config(path: &Path, master_key: Option<&Path>) {
    let mut toml = String::new();
    if let Some(key) = master_key {
        toml.push_str(&format!(
            "[master_key]\nfile = {:?}\n\n",
            key.display().to_string()
        ));
    }
    toml.push_str(
        "[edge]\nstaff_allow = [\"127.0.0.0/8\"]\n\n\
         [edge.rate_limits]\nexempt = [\"127.0.0.0/8\"]\n",
    );
    std::fs::write(path, toml).unwrap();
}

async fn start_all(specs: &[Spec]) -> Result<Vec<Server>, String> {
    let mut servers = Vec::new();
    // One after the other: the first creates the keys and the schema, the others find them.
    for spec in specs {
        servers.push(Server::start(spec).await?);
    }
    Ok(servers)
}

async fn stop_all(servers: Vec<Server>) -> Result<Vec<Duration>, String> {
    let mut took = Vec::new();
    for server in servers {
        took.push(server.stop().await?);
    }
    Ok(took)
}

/// Everything one engine's run measured.
struct Report {
    engine: Engine,
    names: Vec<&'static str>,
    steps: Steps,
    journey: Duration,
    browsing: Duration,
    total: Duration,
    customers_done: usize,
    memory: Vec<Snapshot>,
    stops: Vec<Duration>,
    logs: Vec<(&'static str, LogSummary)>,
}

async fn run(settings: &Settings, engine: Engine, specs: &[Spec]) -> Result<Report, String> {
    let started = Instant::now();
    let mut memory = Vec::new();
    let servers = start_all(specs).await?;
    let sampler = Sampler::start(&servers);
    memory.push(sampler.snapshot("start (ready, no customers)", &servers));
    let bases = Arc::new(servers.iter().map(|s| s.base.clone()).collect::<Vec<_>>());
    let mailbox = Mailbox::new(specs.iter().map(|s| s.data_dir.join("mail")).collect());
    let watcher = mailbox.watch();

    let mut steps = Steps::default();
    let (customers, journey) = journeys(settings, &bases, &mailbox, &mut steps).await;
    mailbox.stop();
    watcher.join().unwrap();
    let customers_done = customers.len();
    memory.push(sampler.snapshot(
        format!("after the sign-ups ({customers_done} customers)"),
        &servers,
    ));

    let browsing = browse(settings, &bases, customers, &mut steps).await;
    memory.push(sampler.snapshot("after browsing", &servers));

    tokio::time::sleep(settings.idle).await;
    memory.push(sampler.snapshot(
        format!("at rest ({} s idle)", settings.idle.as_secs()),
        &servers,
    ));
    drop(sampler);

    stop_all(servers).await?;
    let servers = start_all(specs).await?;
    let sampler = Sampler::start(&servers);
    tokio::time::sleep(RESTART_REST).await;
    memory.push(sampler.snapshot(
        format!(
            "restarted with {customers_done} customers, at rest ({} s)",
            RESTART_REST.as_secs()
        ),
        &servers,
    ));
    drop(sampler);
    let stops = stop_all(servers).await?;

    Ok(Report {
        engine,
        names: specs.iter().map(|s| s.name).collect(),
        steps,
        journey,
        browsing,
        total: started.elapsed(),
        customers_done,
        memory,
        stops,
        logs: specs
            .iter()
            .map(|s| (s.name, LogSummary::read(&s.log)))
            .collect(),
    })
}

async fn sqlite(settings: &Settings, root: &Path) -> Result<Report, String> {
    let dir = root.join("sqlite");
    std::fs::create_dir_all(&dir).map_err(text)?;
    let config = dir.join("assetstatus.toml");
    write_config(&config, None);
    let spec = Spec {
        name: "A",
        data_dir: dir.join("data"),
        config,
        database_url: None,
        log: dir.join("server.log"),
    };
    run(settings, Engine::Sqlite, &[spec]).await
}

async fn postgres(settings: &Settings, root: &Path) -> Result<Report, String> {
    let cluster = tokio::task::spawn_blocking(testkit::postgres::OwnCluster::start)
        .await
        .map_err(text)?;
    let dir = root.join("postgres");
    std::fs::create_dir_all(&dir).map_err(text)?;
    // Both processes unseal what the other sealed: one master key file for both.
    let config = dir.join("assetstatus.toml");
    write_config(&config, Some(&dir.join("keys").join("master.key")));
    let specs: Vec<Spec> = ["A", "B"]
        .into_iter()
        .map(|name| Spec {
            name,
            data_dir: dir.join(format!("data-{name}")),
            config: config.clone(),
            database_url: Some(cluster.url()),
            log: dir.join(format!("server-{name}.log")),
        })
        .collect();
    let report = run(settings, Engine::Postgres, &specs).await;
    // The cluster stops when dropped, after the servers.
    tokio::task::spawn_blocking(move || drop(cluster))
        .await
        .map_err(text)?;
    report
}

// ---------------------------------------------------------------------------------------------
// What the servers logged.

/// Warnings, errors and 5xx answers in a server's JSON log.
#[derive(Default)]
struct LogSummary {
    warnings: usize,
    errors: usize,
    server_errors: usize,
    first: Vec<String>,
}

impl LogSummary {
    fn read(path: &Path) -> Self {
        let mut summary = Self::default();
        let log = std::fs::read_to_string(path).unwrap_or_default();
        for line in log.lines() {
            let Ok(entry) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let level = entry.get("level").and_then(|l| l.as_str()).unwrap_or("");
            let status = entry.get("status").and_then(serde_json::Value::as_u64);
            if status.is_some_and(|s| s >= 500) {
                summary.server_errors += 1;
            }
            match level {
                "WARN" => summary.warnings += 1,
                "ERROR" => summary.errors += 1,
                _ => continue,
            }
            let message = entry
                .get("message")
                .and_then(|m| m.as_str())
                .unwrap_or("")
                .to_owned();
            let error = entry
                .get("error")
                .and_then(|m| m.as_str())
                .map(|e| format!(" ({e})"))
                .unwrap_or_default();
            let mut what = format!("{level} {message}{error}");
            if what.chars().count() > 200 {
                what = what.chars().take(200).collect::<String>() + "…";
            }
            if summary.first.len() < 3 && !summary.first.contains(&what) {
                summary.first.push(what);
            }
        }
        summary
    }
}

// ---------------------------------------------------------------------------------------------
// The report.

fn print_report(settings: &Settings, r: &Report) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!();
    println!(
        "journey: {}, {} customers, {} at a time, {cores} cores",
        r.engine.name(),
        settings.customers,
        settings.concurrency
    );
    println!(
        "{:<12} {:>7} {:>6} {:>9} {:>9} {:>9} {:>8}",
        "step", "count", "errors", "p50 ms", "p99 ms", "max ms", "per s"
    );
    for (i, name) in STEP_NAMES.iter().enumerate() {
        let tally = &r.steps.0[i];
        let mut sorted = tally.latencies.clone();
        sorted.sort_unstable();
        let phase = if i == Step::Browse as usize {
            r.browsing
        } else {
            r.journey
        };
        let rate = if i == Step::MailWait as usize || phase.is_zero() {
            "-".to_owned()
        } else {
            format!("{:.1}", tally.latencies.len() as f64 / phase.as_secs_f64())
        };
        println!(
            "{name:<12} {:>7} {:>6} {:>9.1} {:>9.1} {:>9.1} {rate:>8}",
            tally.requests(),
            tally.failures,
            percentile_ms(&sorted, 0.50),
            percentile_ms(&sorted, 0.99),
            percentile_ms(&sorted, 1.0),
        );
    }
    for (i, name) in STEP_NAMES.iter().enumerate() {
        if let Some(why) = &r.steps.0[i].first_failure {
            println!("  first error, {name}: {why}");
        }
    }
    println!(
        "journeys {:.1} s ({} of {} customers completed), browsing {:.1} s, whole run {:.1} s \
         (with the idle time, the restart and the stops: {})",
        r.journey.as_secs_f64(),
        r.customers_done,
        settings.customers,
        r.browsing.as_secs_f64(),
        r.total.as_secs_f64(),
        r.stops
            .iter()
            .zip(&r.names)
            .map(|(d, n)| format!("{n} stopped in {:.1} s", d.as_secs_f64()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "per s: completed steps per second of the journeys' wall time (browsing: of the \
         browsing time); a step's time covers its form page and its POST"
    );
    println!();
    let mut head = format!("{:<44}", "server memory, MiB");
    for name in &r.names {
        head.push_str(&format!(
            " {:>9} {:>9} {:>9}",
            format!("{name} VmRSS"),
            format!("{name} VmHWM"),
            format!("{name} max")
        ));
    }
    println!("{head}");
    for s in &r.memory {
        let mut row = format!("{:<44}", s.stage);
        for m in &s.memory {
            row.push_str(&format!(
                " {:>9.1} {:>9.1} {:>9.1}",
                m.rss, m.hwm, m.sampled
            ));
        }
        println!("{row}");
    }
    println!(
        "VmRSS now; VmHWM the kernel's peak (it is updated lazily, so it can miss a peak whose \
         memory was given back); max: the highest VmRSS sampled every 50 ms since the row before"
    );
    println!(
        "load generator (this process) VmHWM so far: {:.1} MiB",
        peak_memory_mib()
    );
    for (name, log) in &r.logs {
        println!(
            "server {name} log: {} warnings, {} errors, {} responses 5xx",
            log.warnings, log.errors, log.server_errors
        );
        for line in &log.first {
            println!("  {line}");
        }
    }
}

#[tokio::main]
async fn main() {
    let settings = Settings::from_env();
    let root = tempfile::Builder::new()
        .prefix("assetstatus-journey-")
        .tempdir()
        .unwrap();
    let mut failed = false;
    for &engine in &settings.engines {
        let report = match engine {
            Engine::Sqlite => sqlite(&settings, root.path()).await,
            Engine::Postgres => postgres(&settings, root.path()).await,
        };
        match report {
            Ok(report) => print_report(&settings, &report),
            Err(why) => {
                println!("journey on {} stopped: {why}", engine.name());
                failed = true;
            }
        }
    }
    if std::env::var_os("JOURNEY_KEEP_FILES").is_some() {
        println!("files and server logs kept in {}", root.keep().display());
    } else {
        drop(root);
    }
    if failed {
        std::process::exit(1);
    }
}
