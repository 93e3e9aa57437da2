//! Loopback ports for the servers a test starts.
//!
//! Asking the kernel for port 0 and closing the socket hands out a port from the ephemeral range,
//! where the kernel also picks the local ports of outgoing connections (to PostgreSQL, SMTP, S3):
//! between the check and the server's own bind, any of those may take it, and two such calls in
//! one process may even get the same port. Ports here come from below the ephemeral range, are
//! never handed out twice by one process, and start at an offset of the process ID so that test
//! binaries running side by side walk different stretches.

use std::net::TcpListener;
use std::sync::atomic::{AtomicU32, Ordering};

/// The first port handed out; the Linux ephemeral range starts at 32768.
const FIRST: u32 = 20_000;
/// How many ports the walk covers before it wraps.
const SPAN: u32 = 12_000;

static NEXT: AtomicU32 = AtomicU32::new(u32::MAX);

/// A loopback TCP port nobody listens on, not handed out before by this process.
pub fn free_port() -> u16 {
    let start = std::process::id().wrapping_mul(977) % SPAN;
    let _ = NEXT.compare_exchange(u32::MAX, start, Ordering::Relaxed, Ordering::Relaxed);
    for _ in 0..SPAN {
        let offset = NEXT.fetch_add(1, Ordering::Relaxed) % SPAN;
        let port = u16::try_from(FIRST + offset).expect("ports stay below 32768");
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free loopback port between {FIRST} and {}", FIRST + SPAN);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_free_distinct_and_outside_the_ephemeral_range() {
        let held = TcpListener::bind(("127.0.0.1", free_port())).unwrap();
        let mut seen = vec![held.local_addr().unwrap().port()];
        for _ in 0..50 {
            let port = free_port();
            assert!(!seen.contains(&port), "{port} handed out twice");
            assert!((20_000..32_768).contains(&port), "{port}");
            seen.push(port);
        }
    }
}
