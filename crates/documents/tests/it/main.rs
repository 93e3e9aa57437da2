//! The document vault's integration tests, one binary: refusals, sanitizing, messages and the
//! vault on a real S3-protocol server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod messages;
mod refusals;
mod sanitize;
mod vault;
