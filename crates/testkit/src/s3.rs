//! A real S3-compatible server process (Python's moto in server mode), so object-store code is
//! tested against the S3 protocol itself: signed requests, path-style buckets, real status codes.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running moto server; killed when dropped. It accepts any access key.
pub struct S3Server {
    child: Child,
    /// Port it listens on (127.0.0.1).
    pub port: u16,
}

impl S3Server {
    /// Starts the server on a free port and waits until it answers HTTP requests.
    pub fn start() -> Self {
        let port = crate::net::free_port();
        let port_arg = port.to_string();
        let server_args = ["-H", "127.0.0.1", "-p", port_arg.as_str()];
        let quiet =
            |command: &mut Command| command.stdout(Stdio::null()).stderr(Stdio::null()).spawn();
        let child = match quiet(Command::new("moto_server").args(server_args)) {
            Ok(child) => child,
            Err(_) => quiet(
                Command::new("python3")
                    .args(["-m", "moto.server"])
                    .args(server_args),
            )
            .expect("start moto (pip install 'moto[server]')"),
        };
        let mut server = Self { child, port };
        let deadline = Instant::now() + Duration::from_secs(30);
        while server.request("GET", "/moto-api/").is_none() {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("moto server exited at start ({status})");
            }
            assert!(
                Instant::now() < deadline,
                "moto server did not answer on port {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    /// The endpoint URL to give an S3 client (`http://127.0.0.1:PORT`), path-style buckets.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A client of `bucket` straight to this server, to look at what the application stored.
    pub fn bucket(&self, bucket: &str) -> object_store::aws::AmazonS3 {
        object_store::aws::AmazonS3Builder::new()
            .with_bucket_name(bucket)
            .with_region("ap-northeast-1")
            .with_endpoint(self.endpoint())
            .with_allow_http(true)
            .with_access_key_id("testing")
            .with_secret_access_key("testing")
            .build()
            .unwrap()
    }

    /// Creates a bucket (an anonymous `PUT /<bucket>`, which moto accepts).
    pub fn create_bucket(&self, name: &str) {
        let status = self.request("PUT", &format!("/{name}"));
        assert_eq!(status, Some(200), "create bucket {name}");
    }

    /// Sends one bodiless HTTP/1.1 request and returns the response status, or `None` when
    /// the server is not (yet) answering.
    fn request(&self, method: &str, path: &str) -> Option<u16> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .ok()?;
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.port
        )
        .ok()?;
        let mut response = String::new();
        stream.read_to_string(&mut response).ok()?;
        response
            .strip_prefix("HTTP/1.")?
            .split(' ')
            .nth(1)?
            .parse()
            .ok()
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
