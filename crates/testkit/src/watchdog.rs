//! Shell watchdogs: a detached `sh -c` script, silent, that cleans up after a test or benchmark
//! process even when that process is killed before its own cleanup runs.

use std::process::{Child, Command, Stdio};

/// Starts `script` in `sh` with no input or output.
pub fn spawn(script: &str) -> std::io::Result<Child> {
    Command::new("sh")
        .args(["-c", script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
}
