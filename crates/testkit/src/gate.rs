//! A TCP relay the test can cut: the application talks to a server (the S3 server, say)
//! through it, and the test makes that server stop answering or vanish without losing what the
//! server holds. [`Gate::hold`] keeps connections open but passes no byte (a server that hangs),
//! [`Gate::close`] drops every connection and closes each new one at once (a server that is
//! down), [`Gate::open`] brings it back. The port stays bound throughout, so that no other
//! socket can take it while the server is "down".

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

const OPEN: u8 = 0;
const HELD: u8 = 1;
const CLOSED: u8 = 2;
const DROPPED: u8 = 3;

/// How often the relay's threads look at the gate's state.
const TICK: Duration = Duration::from_millis(10);

/// A relay from a local port to `127.0.0.1:target`; stops when dropped.
pub struct Gate {
    /// Port the application connects to (127.0.0.1).
    pub port: u16,
    state: Arc<AtomicU8>,
    connections: Arc<Mutex<Vec<TcpStream>>>,
}

impl Gate {
    /// Relays a free local port to `127.0.0.1:target`, open.
    pub fn start(target: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let gate = Self {
            port,
            state: Arc::new(AtomicU8::new(OPEN)),
            connections: Arc::new(Mutex::new(Vec::new())),
        };
        gate.accept(listener, target);
        gate
    }

    /// `http://127.0.0.1:PORT`: the endpoint to give the application.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Connections stay open, but no byte passes either way until [`Gate::open`] or
    /// [`Gate::close`]; new connections are accepted and held too.
    pub fn hold(&self) {
        self.state.store(HELD, Ordering::SeqCst);
    }

    /// Every connection is cut, and each new one is closed at once, until [`Gate::open`].
    pub fn close(&self) {
        self.state.store(CLOSED, Ordering::SeqCst);
        for stream in self.connections.lock().unwrap().drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    /// Bytes pass again.
    pub fn open(&self) {
        self.state.store(OPEN, Ordering::SeqCst);
    }

    fn accept(&self, listener: TcpListener, target: u16) {
        let (state, connections) = (Arc::clone(&self.state), Arc::clone(&self.connections));
        thread::spawn(move || {
            listener.set_nonblocking(true).unwrap();
            loop {
                let state_now = state.load(Ordering::SeqCst);
                if state_now == DROPPED {
                    return;
                }
                match listener.accept() {
                    // Down: the connection is closed before a byte is read.
                    Ok((client, _)) if state_now == CLOSED => drop(client),
                    Ok((client, _)) => relay(client, target, &state, &connections),
                    Err(_) => thread::sleep(TICK),
                }
            }
        });
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.close();
        self.state.store(DROPPED, Ordering::SeqCst);
    }
}

/// Connects `client` to the target and copies both ways while the gate allows.
fn relay(
    client: TcpStream,
    target: u16,
    state: &Arc<AtomicU8>,
    connections: &Arc<Mutex<Vec<TcpStream>>>,
) {
    let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    client.set_nonblocking(false).unwrap();
    {
        let mut open = connections.lock().unwrap();
        open.push(client.try_clone().unwrap());
        open.push(server.try_clone().unwrap());
    }
    for (from, to) in [
        (client.try_clone().unwrap(), server.try_clone().unwrap()),
        (server, client),
    ] {
        let state = Arc::clone(state);
        thread::spawn(move || copy(from, to, &state));
    }
}

/// Copies `from` to `to` until either side ends or the gate closes; holds while held.
fn copy(mut from: TcpStream, mut to: TcpStream, state: &AtomicU8) {
    from.set_read_timeout(Some(TICK)).unwrap();
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        match state.load(Ordering::SeqCst) {
            HELD => {
                thread::sleep(TICK);
                continue;
            }
            CLOSED | DROPPED => break,
            _ => {}
        }
        match from.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => {
                if to.write_all(&buffer[..n]).is_err() {
                    break;
                }
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => break,
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}
