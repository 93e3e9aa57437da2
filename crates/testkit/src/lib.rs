//! Test support with real components: a scratch PostgreSQL 15 cluster started on first use, an
//! SMTP server process capturing mail, and helpers to read the mails an application sent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod gate;
pub mod images;
pub mod mail;
pub mod net;
pub mod postgres;
pub mod rng;
pub mod s3;
pub mod smtp;
pub mod watchdog;
