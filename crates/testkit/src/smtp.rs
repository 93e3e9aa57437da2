//! A real SMTP server process (Python's aiosmtpd) that stores every message it receives in a
//! maildir, so tests see exactly what crossed the wire.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

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
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
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
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not start listening on port {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Self { child, port, dir }
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
