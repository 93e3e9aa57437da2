//! A real SMTP server process (Python's aiosmtpd) that stores every message it receives in a
//! maildir, so tests see exactly what crossed the wire. [`SmtpCapture::start_with`] runs a small
//! aiosmtpd script that can also hold its reply to DATA until the test releases it (to stop a
//! sender between "accepted" and what it does next) and require STARTTLS and AUTH.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// The capture script run by [`SmtpCapture::start_with`].
const SCRIPT: &str = include_str!("../python/smtp_capture.py");

/// How a server from [`SmtpCapture::start_with`] behaves; the default is a plain capture.
#[derive(Clone, Debug, Default)]
pub struct SmtpOptions {
    /// Store each message, then hold the reply to DATA until [`SmtpCapture::release`].
    pub hold: bool,
    /// Require STARTTLS with this PEM certificate chain and PEM private key.
    pub tls: Option<(String, String)>,
    /// Require AUTH (PLAIN or LOGIN) with this user name and password.
    pub auth: Option<(String, String)>,
}

/// A running capture server; killed when dropped.
pub struct SmtpCapture {
    child: Child,
    /// Port it listens on (127.0.0.1).
    pub port: u16,
    dir: TempDir,
}

impl SmtpCapture {
    /// Starts the server on a free port and waits until it accepts connections.
    pub fn start() -> Self {
        let port = crate::net::free_port();
        Self::start_on(port)
    }

    /// Starts the server on `port` (to bring a stopped mail server back).
    pub fn start_on(port: u16) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let child = Command::new("python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(dir.path().join("maildir"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd (pip install aiosmtpd)");
        wait_listening(port);
        Self { child, port, dir }
    }

    /// Starts the bundled capture script on a free port with `options`.
    pub fn start_with(options: SmtpOptions) -> Self {
        let port = crate::net::free_port();
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("smtp_capture.py");
        std::fs::write(&script, SCRIPT).unwrap();
        let mut command = Command::new("python3");
        command
            .arg(&script)
            .args(["--port", &port.to_string(), "--maildir"])
            .arg(dir.path().join("maildir"));
        if options.hold {
            let hold = dir.path().join("hold");
            std::fs::write(&hold, b"").unwrap();
            command.arg("--hold-file").arg(hold);
        }
        if let Some((cert, key)) = &options.tls {
            let (cert_file, key_file) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
            std::fs::write(&cert_file, cert).unwrap();
            std::fs::write(&key_file, key).unwrap();
            command
                .arg("--cert")
                .arg(cert_file)
                .arg("--key")
                .arg(key_file);
        }
        if let Some((user, password)) = &options.auth {
            command
                .args(["--user", user])
                .env("SMTP_CAPTURE_PASSWORD", password);
        }
        let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
        let child = command
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start the SMTP capture script (pip install aiosmtpd)");
        wait_listening(port);
        Self { child, port, dir }
    }

    /// Lets a server started with [`SmtpOptions::hold`] answer DATA: the reply held now and
    /// every later one go out at once.
    pub fn release(&self) {
        let _ = std::fs::remove_file(self.dir.path().join("hold"));
    }

    /// Directory holding the received messages (maildir `new/`).
    pub fn inbox(&self) -> PathBuf {
        self.dir.path().join("maildir").join("new")
    }

    /// Stops the server (to test what happens while mail is down).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for SmtpCapture {
    fn drop(&mut self) {
        self.stop();
    }
}

fn wait_listening(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "the SMTP server did not start listening on port {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
