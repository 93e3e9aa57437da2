//! Foundations every role of assetstatus stands on: typed configuration, one storage interface
//! over SQLite and PostgreSQL, envelope encryption of personal data, the hash-chained audit
//! trail, outgoing mail, message catalogs and telemetry, and the checks for what leaves through
//! a redirect or a spreadsheet.

pub mod access_log;
pub mod audit;
pub mod business_calendar;
pub mod config;
pub mod crypto;
pub mod csv;
pub mod db;
pub mod fault;
pub mod fields;
pub mod i18n;
pub mod ids;
pub mod log_capture;
pub mod mail;
pub mod outbox;
pub mod redirect;
pub mod telemetry;
pub mod time_util;
