//! A running application for black-box tests over a real socket, on SQLite or PostgreSQL, and a
//! browser-like client that keeps cookies and fills in form tokens.

pub mod applying;
pub mod binary;

use std::path::{Path, PathBuf};

use assetstatus::server::{self, Built, Running};
use platform::config::{Config, Overrides};
use portal::AppState;
use reqwest::header::{HeaderMap, LOCATION};
use tempfile::TempDir;

/// Which storage engine a test runs on.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs one async test body on both engines.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name($crate::support::Backend::Sqlite).await } )*
        }
        mod postgres {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name($crate::support::Backend::Postgres).await } )*
        }
    };
}

/// How the test instance's processes are put together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Topology {
    /// One process runs every role; the edge stack wraps its routers.
    InProcess,
    /// A gateway-only process forwards to a process running every other role.
    Split,
}

/// Runs one async test body on both engines and both topologies.
#[macro_export]
macro_rules! on_both_backends_and_topologies {
    ($($name:ident),* $(,)?) => {
        mod in_process {
            mod sqlite {
                $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::super::$name($crate::support::Backend::Sqlite, $crate::support::Topology::InProcess).await } )*
            }
            mod postgres {
                $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::super::$name($crate::support::Backend::Postgres, $crate::support::Topology::InProcess).await } )*
            }
        }
        mod split {
            mod sqlite {
                $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::super::$name($crate::support::Backend::Sqlite, $crate::support::Topology::Split).await } )*
            }
            mod postgres {
                $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::super::$name($crate::support::Backend::Postgres, $crate::support::Topology::Split).await } )*
            }
        }
    };
}

pub const PASSWORD: &str = "blue-harbor-lantern-1987";

/// A running application with its own data directory and database.
pub struct TestApp {
    pub base: String,
    pub dir: TempDir,
    pub config: Config,
    pub state: AppState,
    pub staff_addr: std::net::SocketAddr,
    pub outbox: std::sync::Arc<platform::outbox::Outbox>,
    /// In split mode: the upstream process's listeners (the gateway's are `base`/`staff_addr`).
    pub upstream: Option<(std::net::SocketAddr, std::net::SocketAddr)>,
    running: Vec<Running>,
}

/// A loopback address with a port nobody listens on.
pub fn free_addr() -> std::net::SocketAddr {
    format!("127.0.0.1:{}", testkit::net::free_port())
        .parse()
        .unwrap()
}

/// Configuration for a test instance in `dir`.
pub async fn test_config(dir: &std::path::Path, backend: Backend) -> Config {
    let port = testkit::net::free_port();
    let database_url = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(testkit::postgres::fresh_database().await),
    };
    let overrides = Overrides {
        data_dir: Some(dir.to_owned()),
        public_addr: Some(format!("127.0.0.1:{port}")),
        staff_addr: Some("127.0.0.1:0".into()),
        database_url,
    };
    let mut config = Config::load(None, &overrides).unwrap();
    // A test that spans the nightly slot must not start a backup behind its back; the backup
    // tests turn the schedule on themselves.
    config.backup.scheduled = false;
    // Tests reach both listeners from loopback, many requests each, and most approve with one
    // operator: the safe defaults (no staff network, no rate-limit exemption, four eyes) are
    // set aside here, and the tests of those defaults put them back.
    let loopback: Vec<ipnet::IpNet> =
        vec!["127.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()];
    config.edge.staff_allow = loopback.clone();
    config.edge.rate_limits.exempt = loopback;
    config.applications.maker_checker = false;
    config
}

impl TestApp {
    /// The audit trail verifies from its first entry: the check every fault test ends with.
    pub async fn assert_audit_intact(&self) {
        let mut tx = self.state.db.read().await.unwrap();
        let verdict = platform::audit::verify(&mut tx, |_| {}).await.unwrap();
        assert!(
            matches!(verdict, platform::audit::Verdict::Intact { .. }),
            "{verdict:?}"
        );
    }

    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Self {
        Self::spawn_in(backend, Topology::InProcess, tweak).await
    }

    /// An instance in `topology`; in split mode the gateway gets the configured addresses and
    /// the upstream roles listen on free loopback ports.
    pub async fn spawn_in(
        backend: Backend,
        topology: Topology,
        tweak: impl FnOnce(&mut Config),
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = test_config(dir.path(), backend).await;
        tweak(&mut config);
        if topology == Topology::Split {
            return Self::spawn_split(dir, config).await;
        }
        let built: Built = server::build(&config).await.expect("build the app");
        let running = server::start(&config, &built, &server::Role::ALL)
            .await
            .expect("start the app");
        Self {
            base: format!("http://{}", running.public_addr.expect("public listener")),
            staff_addr: running.staff_addr,
            dir,
            config,
            state: built.state,
            outbox: built.outbox,
            upstream: None,
            running: vec![running],
        }
    }

    async fn spawn_split(dir: TempDir, mut config: Config) -> Self {
        let free = free_addr;
        config.staff_addr = free();
        config.public_base_url = Some(config.public_base_url());
        config.staff_base_url = Some(config.staff_base_url());
        let mut upstream_config = config.clone();
        upstream_config.public_addr = free();
        upstream_config.staff_addr = free();
        let upstream_built = server::build(&upstream_config)
            .await
            .expect("build upstream");
        let upstream = server::start(
            &upstream_config,
            &upstream_built,
            &[
                server::Role::Portal,
                server::Role::Identity,
                server::Role::Backoffice,
                server::Role::Ops,
                server::Role::Worker,
            ],
        )
        .await
        .expect("start upstream roles");
        let upstream_public = upstream.public_addr.expect("upstream public listener");
        config.edge.upstream_public = Some(format!("http://{upstream_public}/").parse().unwrap());
        config.edge.upstream_staff =
            Some(format!("http://{}/", upstream.staff_addr).parse().unwrap());
        let gateway_built = server::build(&config).await.expect("build gateway");
        let gateway = server::start(&config, &gateway_built, &[server::Role::Gateway])
            .await
            .expect("start gateway");
        Self {
            base: format!(
                "http://{}",
                gateway.public_addr.expect("gateway public listener")
            ),
            staff_addr: gateway.staff_addr,
            dir,
            config,
            state: upstream_built.state,
            outbox: upstream_built.outbox,
            upstream: Some((upstream_public, upstream.staff_addr)),
            running: vec![gateway, upstream],
        }
    }

    pub async fn stop(mut self) {
        for r in self.running.drain(..) {
            r.stop().await;
        }
        self.state.db.close().await;
    }

    pub fn browser(&self) -> Browser {
        Browser::new(&self.base)
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.dir.path().join("mail")
    }

    /// Signs up, confirms the address from the mail, logs in; returns the logged-in browser.
    pub async fn register(&self, email: &str) -> Browser {
        let b = self.browser();
        let page = b.sign_up(email, PASSWORD).await;
        assert_eq!(page.status, 303, "{}", page.body);
        self.confirm_email(&b, email).await;
        let page = b.login(email, PASSWORD).await;
        assert_eq!(
            page.location.as_deref(),
            Some("/dashboard"),
            "{}",
            page.body
        );
        b
    }

    /// Opens the newest verification link mailed to `email`.
    pub async fn confirm_email(&self, b: &Browser, email: &str) -> Page {
        let link = self.latest_link(email, "/verify/").await;
        b.submit(&link, &link, &[]).await
    }

    /// The path of the newest link containing `fragment` mailed to `email`.
    pub async fn latest_link(&self, email: &str, fragment: &str) -> String {
        latest_link(&self.base, &self.mail_dir(), email, fragment).await
    }
}

/// The path of the newest link to `base` containing `fragment` mailed to `email` into `mail_dir`.
pub async fn latest_link(base: &str, mail_dir: &Path, email: &str, fragment: &str) -> String {
    let link = testkit::mail::wait_for_link(mail_dir, email, fragment).await;
    link.strip_prefix(&format!("{base}/"))
        .map(|p| format!("/{p}"))
        .expect("link to this app")
}

/// What a request returned.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub body: String,
    pub location: Option<String>,
    pub headers: HeaderMap,
}

/// A browser: cookies kept, redirects not followed (tests assert them).
#[derive(Clone)]
pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
}

impl Browser {
    pub fn new(base: &str) -> Self {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            client,
            base: base.to_owned(),
        }
    }

    pub async fn page(response: reqwest::Response) -> Page {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let location = headers
            .get(LOCATION)
            .map(|v| v.to_str().unwrap().to_owned());
        let body = response.text().await.unwrap();
        Page {
            status,
            body,
            location,
            headers,
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        Self::page(
            self.client
                .get(format!("{}{path}", self.base))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn get_bytes(&self, path: &str) -> (u16, HeaderMap, Vec<u8>) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        (status, headers, r.bytes().await.unwrap().to_vec())
    }

    /// The form token embedded in the page at `path`.
    pub async fn token(&self, path: &str) -> String {
        let page = self.get(path).await;
        form_token(&page.body)
            .unwrap_or_else(|| panic!("no form token on {path} ({}): {}", page.status, page.body))
    }

    /// Posts to `action` with the form token from the page at `form_page`.
    pub async fn submit(&self, form_page: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.token(form_page).await;
        self.post_with_token(action, &token, fields).await
    }

    pub async fn post_with_token(
        &self,
        action: &str,
        token: &str,
        fields: &[(&str, &str)],
    ) -> Page {
        let mut form: Vec<(&str, &str)> = vec![("csrf", token)];
        form.extend_from_slice(fields);
        Self::page(
            self.client
                .post(format!("{}{action}", self.base))
                .form(&form)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn sign_up(&self, email: &str, password: &str) -> Page {
        self.submit(
            "/signup",
            "/signup",
            &[
                ("name_kanji", "試験 花子"),
                ("name_kana", "シケン ハナコ"),
                ("email", email),
                ("birth_date", "1990-04-01"),
                ("password", password),
                ("password_confirm", password),
            ],
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> Page {
        self.submit(
            "/login",
            "/login",
            &[("email", email), ("password", password)],
        )
        .await
    }

    pub async fn add_asset(&self, category: &str, name: &str, amount: &str, date: &str) -> Page {
        self.submit(
            "/assets/new",
            "/assets/new",
            &[
                ("category", category),
                ("name", name),
                ("institution", "テスト銀行"),
                ("amount", amount),
                ("valuation_date", date),
                ("note", ""),
            ],
        )
        .await
    }

    /// IDs of the assets listed on `/assets`.
    pub async fn asset_ids(&self) -> Vec<String> {
        let page = self.get("/assets").await;
        page.body
            .split("href=\"/assets/")
            .skip(1)
            .filter_map(|s| s.split_once('"').map(|(id, _)| id.to_owned()))
            .filter(|id| id.len() == 36 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-'))
            .collect()
    }

    /// Uploads a CSV file to the import form; returns status and page.
    pub async fn import_csv(&self, bytes: Vec<u8>) -> (u16, String) {
        let token = self.token("/assets/import").await;
        let form = reqwest::multipart::Form::new()
            .text("csrf", token)
            .text("encoding", "auto")
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name("assets.csv"),
            );
        let r = self
            .client
            .post(format!("{}/assets/import", self.base))
            .multipart(form)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// The ID of the listed asset called `name`.
    pub async fn asset_id_named(&self, name: &str) -> String {
        let page = self.get("/assets").await;
        let row = page
            .body
            .split("<li>")
            .find(|row| row.contains(&format!("class=\"row-title\">{name}</span>")))
            .expect("a row with that name");
        row.split("href=\"/assets/")
            .nth(1)
            .and_then(|s| s.split_once('"'))
            .map(|(id, _)| id.to_owned())
            .unwrap()
    }

    /// The figure shown as net worth on the dashboard.
    pub async fn net_worth(&self) -> String {
        let page = self.get("/dashboard").await;
        assert_eq!(page.status, 200, "{}", page.body);
        page.body
            .split("id=\"net-worth\">")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap()
            .to_owned()
    }
}

pub fn form_token(html: &str) -> Option<String> {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .map(str::to_owned)
}

/// A unique address for one test.
pub fn email(tag: &str) -> String {
    format!("{tag}-{}@example.jp", uuid::Uuid::new_v4().simple())
}

/// Today in Japan, as the forms expect it.
pub fn today() -> String {
    platform::fields::iso_date(platform::time_util::today_jst())
}

/// The authenticator code of a base32 TOTP secret, `offset_steps` 30-second steps from now.
pub fn code_at(key: &str, offset_steps: i64) -> String {
    let secret = data_encoding::BASE32_NOPAD.decode(key.as_bytes()).unwrap();
    let totp = totp_rs::Builder::new().with_secret(secret).build().unwrap();
    let now = platform::time_util::now_unix() + offset_steps * 30;
    totp.generate(u64::try_from(now).unwrap()).to_string()
}

/// The number a `SELECT COUNT(*) AS n …` query returns.
pub async fn count_of(app: &TestApp, sql: &str) -> i64 {
    let mut tx = app.state.db.read().await.unwrap();
    let row = sqlx::query(sql).fetch_one(&mut *tx).await.unwrap();
    platform::db::col::<i64>(&row, "n").unwrap()
}

/// How many audit entries record `action`.
pub async fn audited(app: &TestApp, action: &str) -> i64 {
    let mut tx = app.state.db.read().await.unwrap();
    let row = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    platform::db::col::<i64>(&row, "n").unwrap()
}

/// A member of staff with `roles` ("operator", "operator,admin"…), signed in on the staff
/// listener with password and a freshly enrolled authenticator; returns their browser and
/// staff ID.
pub async fn staff_browser(app: &TestApp, username: &str, roles: &str) -> (Browser, String) {
    let new = identity::staff::NewStaff {
        username: identity::staff::Username::parse(username).unwrap(),
        display_name: format!("{username} 担当"),
        roles: identity::staff::StaffRoles::parse(roles).unwrap(),
    };
    let meta = platform::audit::RequestMeta::default();
    let (id, password) = app.state.identity.create_staff(new, &meta).await.unwrap();
    let staff = Browser::new(&format!("http://{}", app.staff_addr));
    let first = staff
        .submit(
            "/staff/login",
            "/staff/login",
            &[("username", username), ("password", &password)],
        )
        .await;
    assert_eq!(first.location.as_deref(), Some("/staff/enrol"));
    let enrol = staff.get("/staff/enrol").await;
    let key = authenticator_key(&enrol.body);
    let done = staff
        .submit(
            "/staff/enrol",
            "/staff/enrol",
            &[("code", &code_at(&key, 0))],
        )
        .await;
    assert_eq!(done.status, 200, "second factor enrolled");
    (staff, id.to_string())
}

/// The base32 authenticator secret an enrolment page shows.
pub fn authenticator_key(body: &str) -> String {
    body.split("<code class=\"key\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("an authenticator secret on the page")
        .to_owned()
}

/// The ID of the customer registered with `address`.
pub async fn customer_id(app: &TestApp, address: &str) -> String {
    let index = app
        .state
        .keyring
        .email_index(identity::Email::parse(address).unwrap().as_str());
    let mut tx = app.state.db.read().await.unwrap();
    let row = sqlx::query("SELECT id FROM customers WHERE email_index = $1")
        .bind(index.0)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    platform::db::col(&row, "id").unwrap()
}
