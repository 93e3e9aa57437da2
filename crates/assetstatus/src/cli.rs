//! The command line. Flags override the configuration file and `ASSETSTATUS_*` variables.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use platform::audit::{self, Verdict};
use platform::config::{Config, Overrides};
use platform::db::Db;

/// assetstatus: the bank's asset-status platform.
#[derive(Parser, Debug)]
#[command(name = "assetstatus", version, about)]
pub struct Args {
    /// TOML configuration file.
    #[arg(long, env = "ASSETSTATUS_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// Directory for the SQLite database, key file, mail files and objects [default: ./data].
    #[arg(long, env = "ASSETSTATUS_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// Address of the customer listener [default: 127.0.0.1:8080].
    #[arg(long, env = "ASSETSTATUS_PUBLIC_ADDR", global = true)]
    public_addr: Option<String>,
    /// Address of the staff listener [default: 127.0.0.1:8081].
    #[arg(long, env = "ASSETSTATUS_STAFF_ADDR", global = true)]
    staff_addr: Option<String>,
    /// postgres://… or sqlite://… [default: SQLite in the data directory].
    #[arg(
        long,
        env = "ASSETSTATUS_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the portal and the staff listener.
    Serve {
        /// Create a demo customer with a year of asset history and demo staff if none exist, and
        /// print how to log in.
        #[arg(long)]
        demo: bool,
        /// Which roles this process runs, comma-separated [default: all].
        #[arg(long, value_delimiter = ',', value_enum)]
        roles: Vec<crate::server::Role>,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Configuration tools.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Audit trail tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Staff accounts: create, list, disable, enable, reset a lost second factor.
    Users {
        #[command(subcommand)]
        command: crate::users::UsersCommand,
    },
    /// Applications for the additional service: list, review, approve, reject.
    Applications {
        #[command(subcommand)]
        command: crate::application_commands::ApplicationsCommand,
    },
    /// OAuth clients of the identity provider: add, list, disable, enable.
    Clients {
        #[command(subcommand)]
        command: crate::clients::ClientsCommand,
    },
    /// Signing keys of the identity provider: rotate, list.
    Keys {
        #[command(subcommand)]
        command: crate::clients::KeysCommand,
    },
    /// Take a backup now (or list or verify backups): the database and every document in one
    /// encrypted archive at every destination of `[backup]`.
    Backup {
        #[command(subcommand)]
        command: Option<crate::backup_commands::BackupCommand>,
    },
    /// Restore a backup into the configured database and document store. Stop every other
    /// process first.
    Restore {
        /// A backup directory (…/backups/<name>) or s3://bucket/prefix/<name>.
        source: String,
        /// Replace what the database holds (refused otherwise when it is not empty).
        #[arg(long)]
        force: bool,
    },
    /// Exit 0 when the URL answers 200 (container health checks without curl).
    Healthcheck {
        /// URL to probe.
        #[arg(long, default_value = "http://127.0.0.1:8080/healthz")]
        url: String,
    },
}

#[derive(Subcommand, Debug)]
enum ConfigCommand {
    /// Print the effective configuration with secrets masked; refuse invalid values.
    Check,
}

#[derive(Subcommand, Debug)]
enum AuditCommand {
    /// Check the hash chain and report the first broken entry.
    Verify,
}

impl Args {
    fn load_config(&self) -> anyhow::Result<Config> {
        let overrides = Overrides {
            data_dir: self.data_dir.clone(),
            public_addr: self.public_addr.clone(),
            staff_addr: self.staff_addr.clone(),
            database_url: self.database_url.clone(),
        };
        Ok(Config::load(self.config.as_deref(), &overrides)?)
    }
}

/// Runs the command; the exit code says whether it succeeded.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    match &args.command {
        Command::Healthcheck { url } => healthcheck(url).await,
        Command::Config {
            command: ConfigCommand::Check,
        } => {
            let config = args.load_config()?;
            print!("{}", config.to_masked_toml());
            eprintln!("configuration is valid");
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let config = args.load_config()?;
            let db = Db::connect(&config.database_url()).await?;
            db.close().await;
            eprintln!("database schema is up to date");
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => verify_audit(&args.load_config()?).await,
        Command::Users { command } => crate::users::run(&args.load_config()?, command).await,
        Command::Applications { command } => {
            crate::application_commands::run(&args.load_config()?, command).await
        }
        Command::Clients { command } => {
            crate::clients::run_clients(&args.load_config()?, command).await
        }
        Command::Keys { command } => crate::clients::run_keys(&args.load_config()?, command).await,
        Command::Backup { command } => {
            crate::backup_commands::run(&args.load_config()?, command.as_ref()).await
        }
        Command::Restore { source, force } => {
            crate::backup_commands::restore(&args.load_config()?, source, *force).await
        }
        Command::Serve { demo, roles } => {
            let roles = if roles.is_empty() {
                crate::server::Role::ALL.to_vec()
            } else {
                roles.clone()
            };
            let mut config = args.load_config()?;
            if *demo {
                name_loopback_listeners(&mut config);
                crate::demo::configure(&mut config);
            }
            serve(&config, *demo, &roles).await
        }
    }
}

/// The demo addresses loopback listeners as `localhost`: passkeys need a host name, and
/// WebAuthn treats `localhost` as a secure origin even without TLS.
fn name_loopback_listeners(config: &mut Config) {
    let named = |addr: std::net::SocketAddr| {
        (addr.ip().is_loopback() && addr.port() != 0)
            .then(|| format!("http://localhost:{}/", addr.port()).parse().ok())
            .flatten()
    };
    if config.public_base_url.is_none() {
        config.public_base_url = named(config.public_addr);
    }
    if config.staff_base_url.is_none() {
        config.staff_base_url = named(config.staff_addr);
    }
}

async fn serve(
    config: &Config,
    demo: bool,
    roles: &[crate::server::Role],
) -> anyhow::Result<ExitCode> {
    let traces =
        config
            .telemetry
            .otlp_endpoint
            .clone()
            .map(|endpoint| platform::telemetry::Traces {
                endpoint,
                service_name: crate::server::service_name(roles),
                sample_ratio: config.telemetry.sample_ratio,
            });
    let telemetry =
        platform::telemetry::init(&config.log_filter, std::io::stdout, traces.as_ref())?;
    let built = crate::server::build(config).await?;
    let login = if demo {
        Some(crate::demo::seed(&built.state).await?)
    } else {
        None
    };
    let running = crate::server::start(config, &built, roles).await?;
    print_banner(
        config,
        &built,
        running.public_addr,
        running.staff_addr,
        login.as_ref(),
    );
    tokio::select! {
        () = crate::server::termination() => {
            tracing::info!("shutting down");
            running.stop().await;
        }
        () = std::future::pending::<()>() => {}
    }
    tokio::task::spawn_blocking(move || telemetry.shutdown()).await?;
    Ok(ExitCode::SUCCESS)
}

fn print_banner(
    config: &Config,
    built: &crate::server::Built,
    public: Option<std::net::SocketAddr>,
    staff: std::net::SocketAddr,
    demo: Option<&crate::demo::DemoLogin>,
) {
    eprintln!();
    eprintln!("  assetstatus is running");
    match public {
        Some(public) if public.port() == config.public_addr.port() => {
            eprintln!("  customer portal : {}", config.public_base_url());
        }
        Some(public) => eprintln!("  customer portal : http://{public}/"),
        None => eprintln!("  customer portal : not served by this process"),
    }
    let staff_url = if staff.port() == config.staff_addr.port() {
        config.staff_base_url().to_string()
    } else {
        format!("http://{staff}/")
    };
    eprintln!("  staff console   : {staff_url}staff  (health: /healthz, figures: /metrics)");
    eprintln!(
        "  operations      : {staff_url}ops  (administrators: dashboard, alerts, audit trail)"
    );
    if public.is_some() {
        eprintln!(
            "  OpenID Connect  : {}.well-known/openid-configuration",
            config.public_base_url()
        );
    }
    eprintln!("  data directory  : {}", config.data_dir.display());
    eprintln!("  mail            : {}", built.mail);
    if let Some(login) = demo {
        eprintln!(
            "  demo customer   : {}  /  password: {}",
            login.email, login.password
        );
        eprintln!(
            "  demo staff      : {} (operator), {} (admin)  /  password: {}",
            login.staff[0], login.staff[1], login.staff_password
        );
        eprintln!(
            "  second operator : {} (operator; confirms approvals another operator proposed)",
            login.staff[2]
        );
        eprintln!(
            "                    authenticator secret (TOTP, base32): {}",
            login.staff_totp_secret
        );
        eprintln!(
            "                    add it to an authenticator app, or: oathtool --totp -b {}",
            login.staff_totp_secret
        );
        eprintln!("                    sign in at {staff_url}staff/login");
    }
    eprintln!("  stop with Ctrl-C");
    eprintln!();
}

async fn verify_audit(config: &Config) -> anyhow::Result<ExitCode> {
    let db = Db::connect(&config.database_url()).await?;
    let keyring = platform::crypto::Keyring::open(&db, &config.master_key_file()).await?;
    let mut tx = db.read().await?;
    let total = audit::length(&mut tx).await?;
    let checkpoints = audit::checkpoint::count(&mut tx).await?;
    let bar = ProgressBar::new(u64::try_from(total).unwrap_or(0));
    bar.set_style(
        ProgressStyle::with_template("verifying audit trail {bar:40} {pos}/{len} entries")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let verdict = audit::verify_signed(&mut tx, &keyring.audit_verifying_key(), |n| {
        bar.set_position(u64::try_from(n).unwrap_or(0))
    })
    .await?;
    bar.finish_and_clear();
    match verdict {
        Verdict::Intact { entries } => {
            println!(
                "audit trail intact: {entries} entries, chain verified, {checkpoints} signed checkpoints checked"
            );
            Ok(ExitCode::SUCCESS)
        }
        Verdict::Broken { seq, reason } => {
            println!("audit trail BROKEN at entry #{seq}: {reason}");
            Ok(ExitCode::from(2))
        }
    }
}

async fn healthcheck(url: &str) -> anyhow::Result<ExitCode> {
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(3))
        .build()?;
    let response = client
        .get(url)
        .send()
        .await
        .with_context(|| format!("no answer from {url}"))?;
    if response.status().is_success() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("{url} answered {}", response.status());
        Ok(ExitCode::FAILURE)
    }
}
