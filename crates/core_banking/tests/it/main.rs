//! The core-banking connector's integration tests, one binary: its messages and the sandbox.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod messages;
mod sandbox;
