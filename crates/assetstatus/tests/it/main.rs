//! The application's integration tests, one binary: each module is one area, run against a
//! real server on SQLite and PostgreSQL with real mail, object storage and browser processes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod oidc_support;
#[macro_use]
mod support;

mod account_recovery;
mod api;
mod application;
mod at_rest;
mod authorization;
mod back_office_customers;
mod back_office_review;
mod backups;
mod bad_input;
mod browser;
mod command_line;
mod console;
mod gateway;
mod group_commit;
mod journey;
mod ledger_api;
mod login_protection;
mod logs;
mod mail_delivery;
mod maker_checker_notice;
mod metrics;
mod oidc_interop;
mod oidc_provider;
mod openapi;
mod ops_alerts;
mod ops_console;
mod passkeys;
mod roles;
mod smtp;
mod staff_federation;
mod staff_pool;
mod storage;
mod storage_faults;
mod traces;
mod transport;
mod two_step;
mod work_queue;
