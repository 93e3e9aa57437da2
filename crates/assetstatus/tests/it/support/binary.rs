//! The application's own binary, started as an operator starts it: a configuration file, then
//! `assetstatus serve` or another command, for the tests that kill, stop or read its output.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use platform::config::Config;

/// The binary with its configuration in a file, as an operator runs it.
pub struct Binary {
    config: PathBuf,
    /// The public listener's URL, without a trailing slash.
    pub base: String,
}

impl Binary {
    /// Mails claimed by a killed process wait for their claim to lapse before the restarted
    /// one sends them (`mail.lease_seconds`, five minutes by default); five seconds here.
    /// Mails are written to files under `<data_dir>/mail`.
    pub fn new(config: &Config, dir: &Path) -> Self {
        Self::written(config, dir, "assetstatus", "")
    }

    /// The same, mails going to the SMTP server at `smtp_url`.
    pub fn with_smtp(config: &Config, dir: &Path, smtp_url: &str) -> Self {
        Self::written(
            config,
            dir,
            "assetstatus",
            &format!("smtp_url = {smtp_url:?}\n"),
        )
    }

    /// One of several processes sharing `dir`, its configuration in `<name>.toml`.
    pub fn named(config: &Config, dir: &Path, name: &str) -> Self {
        Self::written(config, dir, name, "")
    }

    /// Writes the configuration: listeners, storage, log level, the staff networks, the
    /// gateway's upstreams and the trace collector when `config` has them, and `mail` in the
    /// `[mail]` table.
    fn written(config: &Config, dir: &Path, name: &str, mail: &str) -> Self {
        let file = dir.join(format!("{name}.toml"));
        let quoted = |url: &Option<url::Url>| url.as_ref().map(|u| format!("{:?}", u.as_str()));
        let mut edge = String::new();
        if let Some(url) = quoted(&config.edge.upstream_public) {
            edge.push_str(&format!("upstream_public = {url}\n"));
        }
        if let Some(url) = quoted(&config.edge.upstream_staff) {
            edge.push_str(&format!("upstream_staff = {url}\n"));
        }
        let telemetry = quoted(&config.telemetry.otlp_endpoint)
            .map(|url| format!("[telemetry]\notlp_endpoint = {url}\n"))
            .unwrap_or_default();
        let toml = format!(
            "data_dir = {:?}\npublic_addr = {:?}\nstaff_addr = {:?}\n\
             database_url = {:?}\nlog_filter = {:?}\n\
             [edge]\nstaff_allow = [\"127.0.0.0/8\"]\n{edge}\
             [edge.rate_limits]\nexempt = [\"127.0.0.0/8\"]\n[backup]\nscheduled = false\n\
             {telemetry}[mail]\nlease_seconds = 5\n{mail}",
            config.data_dir.display().to_string(),
            config.public_addr.to_string(),
            config.staff_addr.to_string(),
            config.database_url(),
            config.log_filter,
        );
        std::fs::write(&file, toml).unwrap();
        Self {
            config: file,
            base: format!("http://{}", config.public_addr),
        }
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_assetstatus"));
        command
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default());
        command
    }

    /// `assetstatus audit verify`, as an operator runs it after a crash, must pass.
    pub fn assert_audit_intact(&self) {
        let verify = self.command(&["audit", "verify"]).output().unwrap();
        assert!(
            verify.status.success(),
            "audit verify: {}{}",
            String::from_utf8_lossy(&verify.stdout),
            String::from_utf8_lossy(&verify.stderr)
        );
    }

    /// Registers a service allowed client credentials; returns its ID and secret.
    pub fn register_service(&self) -> (String, String) {
        let out = self
            .command(&[
                "clients",
                "add",
                "--name",
                "burst",
                "--auth",
                "client_secret_basic",
                "--grants",
                "client_credentials",
                "--scopes",
                "assets:read",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name))
                .unwrap()
                .trim()
                .to_owned()
        };
        (field("client_id:"), field("client_secret:"))
    }

    pub async fn serve(&self) -> Server {
        self.serve_with(&[], Stdio::null(), Stdio::null()).await
    }

    /// Serves only `roles` (`serve --roles …`), as one tier of a split deployment.
    pub async fn serve_roles(&self, roles: &str) -> Server {
        self.serve_with(&["--roles", roles], Stdio::null(), Stdio::null())
            .await
    }

    /// Serves with the process's output (log lines and banner) in `log`.
    pub async fn serve_logged(&self, log: &Path) -> Server {
        let out = std::fs::File::create(log).unwrap();
        self.serve_with(&[], out.try_clone().unwrap().into(), out.into())
            .await
    }

    async fn serve_with(&self, flags: &[&str], stdout: Stdio, stderr: Stdio) -> Server {
        let server = Server(
            self.command(&[&["serve"], flags].concat())
                .stdout(stdout)
                .stderr(stderr)
                .stdin(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ready = http
                .get(format!("{}/readyz", self.base))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200);
            if ready {
                return server;
            }
            assert!(Instant::now() < deadline, "the server did not become ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// A running server, killed with SIGKILL when dropped.
pub struct Server(Child);

impl Server {
    /// SIGKILL: nothing in flight gets to finish.
    pub fn kill(mut self) {
        self.0.kill().unwrap();
        self.0.wait().unwrap();
    }

    /// SIGTERM, as a service manager (or ECS) stops a task.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// The exit status, once the process has ended.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.0.try_wait().unwrap()
    }

    /// Waits for the process to end, as ECS waits up to 30 s after its stop signal.
    pub async fn wait_for_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.exited() {
                return status;
            }
            assert!(Instant::now() < deadline, "the process did not end");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
