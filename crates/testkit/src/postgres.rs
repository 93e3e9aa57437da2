//! A PostgreSQL 15 cluster for the tests of one process, started on first use in a temporary
//! directory and stopped by a watchdog when the process ends. Each call to
//! [`fresh_database`] creates a new database in it, so tests never share state: a copy of a
//! template migrated once per process, so no test pays for running every migration.
//!
//! A test that stops the database (outage alerts, reconnection) gets an [`OwnCluster`] of its
//! own instead, so the shared cluster keeps serving the other tests.

use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use sqlx::{Connection, Executor, PgConnection};

const BIN: &str = "/usr/lib/postgresql/15/bin";

struct Cluster {
    port: u16,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();

/// The user ID this process runs as.
fn uid() -> String {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn is_root() -> bool {
    uid() == "0"
}

/// Runs a PostgreSQL tool; as root it runs as the `postgres` user, which the server requires.
fn pg(tool: &str, args: &[&str]) -> Command {
    let program = format!("{BIN}/{tool}");
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", &program]).args(args);
        c
    } else {
        let mut c = Command::new(program);
        c.args(args);
        c
    }
}

fn run(mut command: Command, what: &str) {
    let out = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}{}\n(is postgresql-15 installed? /usr/lib/postgresql/15/bin)",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A scratch cluster's files: `data` (owned by `postgres` when running as root), its socket
/// directory and its server log, under one temporary directory.
struct Files {
    dir: PathBuf,
    data: PathBuf,
    socket: PathBuf,
    log: PathBuf,
}

/// Creates a new cluster in a new temporary directory.
fn init() -> Files {
    let dir: PathBuf = tempfile::Builder::new()
        .prefix("assetstatus-pg-")
        .tempdir()
        .unwrap()
        .keep();
    if is_root() {
        run(Command::new_chown(&dir), "chown scratch cluster directory");
    }
    let data = dir.join("data");
    let socket = dir.join("socket");
    std::fs::create_dir_all(&socket).unwrap();
    if is_root() {
        run(Command::new_chown(&socket), "chown socket directory");
    }
    run(
        pg(
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        ),
        "initdb",
    );
    let log = dir.join("server.log");
    Files {
        dir,
        data,
        socket,
        log,
    }
}

/// Starts the server of `files` on `port` and waits until it accepts connections.
fn pg_start(files: &Files, port: u16) {
    let options = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
        files.socket.display()
    );
    run(
        pg(
            "pg_ctl",
            &[
                "-D",
                files.data.to_str().unwrap(),
                "-o",
                &options,
                "-l",
                files.log.to_str().unwrap(),
                "-w",
                "start",
            ],
        ),
        "pg_ctl start",
    );
}

fn start() -> Cluster {
    let files = init();
    let port = crate::net::free_port();
    pg_start(&files, port);
    watchdog(&files.dir, &files.data);
    Cluster { port }
}

/// True when something accepts TCP connections on the loopback `port`.
fn accepts(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
}

/// Waits up to 30 s for `accepts(port)` to become `wanted`.
fn wait_until_accepting(port: u16, wanted: bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while accepts(port) != wanted {
        assert!(
            Instant::now() < deadline,
            "port {port} still {} connections after 30 s",
            if wanted { "refuses" } else { "accepts" }
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A PostgreSQL cluster of one test's own, which the test may stop and start again on the same
/// port with the same data, without disturbing the cluster the other tests share. Dropping it
/// stops the server and removes its files; should the process die first, a watchdog does.
///
/// Its methods block (they run `pg_ctl`); from async code the few seconds this takes are
/// acceptable in a test.
pub struct OwnCluster {
    files: Files,
    port: u16,
    running: bool,
}

impl OwnCluster {
    /// The database [`OwnCluster::url`] names, created when the cluster starts.
    pub const DATABASE: &str = "assetstatus";

    /// Creates a cluster in a temporary directory, starts it on a free port and creates
    /// [`OwnCluster::DATABASE`] in it.
    pub fn start() -> Self {
        let files = init();
        let port = crate::net::free_port();
        pg_start(&files, port);
        watchdog(&files.dir, &files.data);
        let port_s = port.to_string();
        run(
            pg(
                "createdb",
                &[
                    "-h",
                    "127.0.0.1",
                    "-p",
                    &port_s,
                    "-U",
                    "postgres",
                    Self::DATABASE,
                ],
            ),
            "createdb",
        );
        Self {
            files,
            port,
            running: true,
        }
    }

    /// The URL of [`OwnCluster::DATABASE`]; it stays the same across stops and restarts.
    pub fn url(&self) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/{}",
            self.port,
            Self::DATABASE
        )
    }

    /// Stops the server (open connections are closed) and waits until its port refuses
    /// connections.
    pub fn stop(&mut self) {
        run(
            pg(
                "pg_ctl",
                &[
                    "-D",
                    self.files.data.to_str().unwrap(),
                    "-m",
                    "fast",
                    "-w",
                    "stop",
                ],
            ),
            "pg_ctl stop",
        );
        self.running = false;
        wait_until_accepting(self.port, false);
    }

    /// Moves [`OwnCluster::DATABASE`] into a new tablespace at `dir`, an empty directory (say
    /// on a small filesystem the test mounted): its tables and indexes then live there while
    /// the write-ahead log stays with the cluster, so filling `dir` makes writes fail without
    /// stopping the server. No one may be connected to the database yet.
    pub fn move_database_to(&self, dir: &Path) {
        let owner = if is_root() {
            Command::new_chown(dir)
        } else {
            let mut c = Command::new("sudo");
            c.args(["-n", "chown", "-R", &uid()]).arg(dir);
            c
        };
        run(owner, "chown tablespace directory");
        let port = self.port.to_string();
        for sql in [
            format!("CREATE TABLESPACE outside LOCATION '{}'", dir.display()),
            format!("ALTER DATABASE {} SET TABLESPACE outside", Self::DATABASE),
        ] {
            run(
                pg(
                    "psql",
                    &[
                        "-h",
                        "127.0.0.1",
                        "-p",
                        &port,
                        "-U",
                        "postgres",
                        "-d",
                        "postgres",
                        "-v",
                        "ON_ERROR_STOP=1",
                        "-c",
                        &sql,
                    ],
                ),
                "psql",
            );
        }
    }

    /// Starts the stopped server again on the same port with the same data and waits until it
    /// accepts connections.
    pub fn restart(&mut self) {
        pg_start(&self.files, self.port);
        self.running = true;
        wait_until_accepting(self.port, true);
    }
}

impl Drop for OwnCluster {
    fn drop(&mut self) {
        if self.running {
            let stop = pg(
                "pg_ctl",
                &[
                    "-D",
                    &self.files.data.to_string_lossy(),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ],
            )
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
            if let Err(e) = stop {
                eprintln!("stopping a scratch PostgreSQL cluster: {e}");
            }
        }
        if let Err(e) = std::fs::remove_dir_all(&self.files.dir) {
            eprintln!("removing scratch cluster {}: {e}", self.files.dir.display());
        }
    }
}

/// Stops the cluster and removes its files once this test process has exited. The watchdog
/// outlives the test process by design, so it is never waited for.
#[allow(clippy::zombie_processes)]
fn watchdog(dir: &Path, data: &Path) {
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop}; rm -rf '{dir}'",
        pid = std::process::id(),
        stop = if is_root() {
            format!(
                "runuser -u postgres -- {BIN}/pg_ctl -D '{}' -m immediate stop",
                data.display()
            )
        } else {
            format!("{BIN}/pg_ctl -D '{}' -m immediate stop", data.display())
        },
        dir = dir.display(),
    );
    crate::watchdog::spawn(&script).expect("start the cluster watchdog");
}

trait Chown {
    fn new_chown(path: &Path) -> Command;
}

impl Chown for Command {
    fn new_chown(path: &Path) -> Command {
        let mut c = Command::new("chown");
        c.args(["-R", "postgres:postgres"]).arg(path);
        c
    }
}

/// The URL of a new database in the process's scratch cluster, with the schema already in
/// place and no data: a copy of a template the first call migrates.
pub async fn fresh_database() -> String {
    let port = tokio::task::spawn_blocking(|| CLUSTER.get_or_init(start).port)
        .await
        .unwrap();
    let template = TEMPLATE.get_or_init(|| migrated_template(port)).await;
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut conn = admin(port).await;
    let create = format!("CREATE DATABASE {name} TEMPLATE {template}");
    // The template's last connection may still be closing on the server's side.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match conn.execute(create.as_str()).await {
            Ok(_) => break,
            Err(e) if Instant::now() < deadline && is_in_use(&e) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => panic!("create a test database: {e}"),
        }
    }
    conn.close().await.ok();
    format!("postgres://postgres@127.0.0.1:{port}/{name}")
}

/// Name of the process's migrated template database, once made.
static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();

/// Creates the template database and runs every migration in it, as the application does at
/// start; returns its name.
async fn migrated_template(port: u16) -> String {
    let name = "migrated_template".to_owned();
    let mut conn = admin(port).await;
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create the template database");
    conn.close().await.ok();
    let db = platform::db::Db::connect(&format!("postgres://postgres@127.0.0.1:{port}/{name}"))
        .await
        .expect("migrate the template database");
    db.close().await;
    name
}

async fn admin(port: u16) -> PgConnection {
    PgConnection::connect(&format!("postgres://postgres@127.0.0.1:{port}/postgres"))
        .await
        .expect("connect to the scratch cluster")
}

/// PostgreSQL's "object in use" (55006): a connection to the template is still open.
fn is_in_use(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|code| code == "55006")
}
