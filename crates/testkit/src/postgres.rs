//! A PostgreSQL 15 cluster for the tests of one process, started on first use in a temporary
//! directory and stopped by a watchdog when the process ends. Each call to
//! [`fresh_database`] creates a new empty database in it, so tests never share state.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use sqlx::{Connection, Executor, PgConnection};

const BIN: &str = "/usr/lib/postgresql/15/bin";

struct Cluster {
    port: u16,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
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

/// A TCP port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start() -> Cluster {
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
    let data_s = data.to_str().unwrap();
    run(
        pg(
            "initdb",
            &[
                "-D",
                data_s,
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
    let port = free_port();
    let options = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
        socket.display()
    );
    let log = dir.join("server.log");
    run(
        pg(
            "pg_ctl",
            &[
                "-D",
                data_s,
                "-o",
                &options,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "start",
            ],
        ),
        "pg_ctl start",
    );
    watchdog(&dir, &data);
    Cluster { port }
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
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the cluster watchdog");
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

/// The URL of a new, empty database in the process's scratch cluster.
pub async fn fresh_database() -> String {
    let port = tokio::task::spawn_blocking(|| CLUSTER.get_or_init(start).port)
        .await
        .unwrap();
    let admin = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut conn = PgConnection::connect(&admin)
        .await
        .expect("connect to the scratch cluster");
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create a test database");
    conn.close().await.ok();
    format!("postgres://postgres@127.0.0.1:{port}/{name}")
}
