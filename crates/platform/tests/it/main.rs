//! The platform's integration tests, one binary: audit checkpoints on both engines, the outbox's
//! webhook delivery, and the glossary that keeps one word for one thing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod audit_checkpoints;
mod glossary;
mod outbox_webhook;
