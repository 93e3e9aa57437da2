//! The `assetstatus` program: one binary with subcommands to serve every role, check the
//! configuration, apply migrations and verify the audit trail.

pub mod application_commands;
pub mod backup_commands;
pub mod cli;
pub mod clients;
pub mod demo;
pub mod health;
pub mod metrics;
pub mod routes;
pub mod server;
pub mod supervisor;
pub mod tls;
pub mod users;
