//! `assetstatus backup` and `assetstatus restore`: the operator's side of the backups, with
//! progress bars for the long steps and the counts at the end.

use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use backup::runs::{Drill, Reason};
use backup::{Backups, Destination, Options, Progress, Target};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use platform::config::Config;
use platform::crypto::{Keyring, MasterKey};
use platform::db::Db;

/// What `assetstatus backup` does; without a subcommand it takes a backup now.
#[derive(Subcommand, Debug)]
pub enum BackupCommand {
    /// Take a backup now, test-restore it and prune old ones (the default).
    Now,
    /// List the backups at every configured destination.
    List,
    /// Check a backup end to end (manifest, archive, every table and object, escrowed keys)
    /// without restoring it.
    Verify {
        /// A backup directory (…/backups/<name>) or s3://bucket/prefix/<name>.
        source: String,
    },
}

/// Runs `assetstatus backup`.
pub async fn run(config: &Config, command: Option<&BackupCommand>) -> anyhow::Result<ExitCode> {
    match command.unwrap_or(&BackupCommand::Now) {
        BackupCommand::Now => now(config).await,
        BackupCommand::List => list(config).await,
        BackupCommand::Verify { source } => verify(config, source).await,
    }
}

async fn now(config: &Config) -> anyhow::Result<ExitCode> {
    let db = Db::connect(&config.database_url()).await?;
    let keyring = Arc::new(Keyring::open(&db, &config.master_key_file()).await?);
    let vault = Arc::new(documents::Vault::from_config(
        &config.documents,
        &config.data_dir,
    )?);
    let backups = Backups {
        db: db.clone(),
        vault,
        keyring,
        config: config.backup.clone(),
        data_dir: config.data_dir.clone(),
        holder: format!("cli-{}", std::process::id()),
    };
    let result = backups.run(Reason::Manual, &Bars::default()).await;
    db.close().await;
    let Some(report) = result? else {
        anyhow::bail!("no backup was taken");
    };
    let manifest = &report.manifest;
    println!("backup {} complete", manifest.id);
    println!(
        "  records      : {} in {} tables",
        manifest.records(),
        manifest.tables.len()
    );
    println!("  documents    : {}", manifest.documents.len());
    println!(
        "  customer keys: {} (kept beside the archive)",
        manifest.escrowed_keys
    );
    println!(
        "  archive      : {} ({} bytes)",
        size(manifest.archive.bytes),
        manifest.archive.bytes
    );
    println!("  copies       : {}", report.destinations.join(", "));
    println!(
        "  test restore : {}",
        match report.drill {
            Drill::Passed => "passed",
            Drill::Failed => "failed",
            Drill::Skipped => "skipped (backup.drill = false)",
        }
    );
    println!("  pruned       : {} old backups", report.pruned);
    if !manifest.include_credentials {
        println!("  credentials  : not included (backup.include_credentials = false)");
    }
    Ok(ExitCode::SUCCESS)
}

async fn list(config: &Config) -> anyhow::Result<ExitCode> {
    for destination in Destination::configured(&config.backup, &config.data_dir)? {
        println!("{}", destination.label());
        let listed = destination.list().await?;
        if listed.is_empty() {
            println!("  (no backups)");
        }
        for backup in listed.iter().rev() {
            let state = if backup.complete {
                "complete"
            } else {
                "INCOMPLETE (no manifest)"
            };
            println!("  {}  {state}", backup.id);
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn verify(config: &Config, source: &str) -> anyhow::Result<ExitCode> {
    let master = MasterKey::load_or_create(&config.master_key_file(), false)?;
    let (location, id) = backup::locate(source, config.backup.s3.as_ref())?;
    let scratch = tempfile::tempdir()?;
    let verified =
        backup::restore::verify(&location, &id, &master, scratch.path(), &Bars::default()).await?;
    let manifest = &verified.manifest;
    println!(
        "backup {id} is intact: {} records in {} tables, {} documents, archive {}",
        manifest.records(),
        manifest.tables.len(),
        manifest.documents.len(),
        size(manifest.archive.bytes)
    );
    if !verified.shredded.is_empty() {
        println!(
            "  {} customers were deleted since and would stay out of a restore",
            verified.shredded.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `assetstatus restore`.
pub async fn restore(config: &Config, source: &str, force: bool) -> anyhow::Result<ExitCode> {
    let master = MasterKey::load_or_create(&config.master_key_file(), false)?;
    let (location, id) = backup::locate(source, config.backup.s3.as_ref())?;
    let db = Db::connect(&config.database_url()).await?;
    let vault = documents::Vault::from_config(&config.documents, &config.data_dir)?;
    let target = Target {
        db: &db,
        vault: &vault,
    };
    let options = Options { force, audit: true };
    let result = backup::restore(&location, &id, &master, target, options, &Bars::default()).await;
    db.close().await;
    let restored = result?;
    let records: u64 = restored.tables.iter().map(|(_, n)| n).sum();
    println!(
        "restored backup {}: {records} records in {} tables, {} documents",
        restored.id,
        restored.tables.len(),
        restored.documents
    );
    for (table, rows) in &restored.tables {
        println!("  {table:<28} {rows}");
    }
    if restored.shredded > 0 {
        println!(
            "  {} customers deleted after this backup stay deleted: their keys are gone",
            restored.shredded
        );
    }
    if !restored.include_credentials {
        println!("passwords and second factors were not in the backup:");
        println!(
            "  customers set a new password with “パスワードをお忘れの方 / Forgot your password?” and enrol their second factor again;"
        );
        println!(
            "  staff get a new password with `assetstatus users reset-password <username>` and enrol their second factor at sign-in."
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// A size as the operations console writes it (`426.6 MB`).
fn size(bytes: u64) -> String {
    ui::charts::Unit::Bytes.format(bytes as f64)
}

/// Progress bars on standard error (hidden when it is not a terminal).
#[derive(Default)]
struct Bars {
    bar: Mutex<Option<ProgressBar>>,
}

impl Progress for Bars {
    fn stage(&self, step: &'static str, total: u64) {
        let (label, unit) = match step {
            "tables" => ("reading the database", "rows"),
            "documents" => ("copying documents", "objects"),
            "keys" => ("escrowing customer keys", "keys"),
            "download" => ("fetching the archive", "bytes"),
            "verify" => ("verifying the archive", "items"),
            "load" => ("restoring", "items"),
            other => (other, "items"),
        };
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template(&format!(
                "{label:<26} {{bar:40}} {{pos}}/{{len}} {unit} {{eta}}"
            ))
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        if let Ok(mut current) = self.bar.lock()
            && let Some(old) = current.replace(bar)
        {
            old.finish_and_clear();
        }
    }

    fn advance(&self, n: u64) {
        if let Ok(current) = self.bar.lock()
            && let Some(bar) = current.as_ref()
        {
            bar.inc(n);
        }
    }

    fn done(&self) {
        if let Ok(mut current) = self.bar.lock()
            && let Some(bar) = current.take()
        {
            bar.finish_and_clear();
        }
    }
}
