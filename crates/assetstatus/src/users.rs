//! `assetstatus users …`: staff accounts from the command line, each change audited.

use std::process::ExitCode;

use clap::Subcommand;
use identity::staff::{NewStaff, StaffRoles, Username};
use platform::audit::RequestMeta;
use platform::config::Config;

/// What to do with staff accounts.
#[derive(Subcommand, Debug)]
pub enum UsersCommand {
    /// Create a staff account; prints a one-time initial password. A second factor must be
    /// enrolled at the first sign-in.
    CreateStaff {
        /// Sign-in name (3 to 32 of a-z, 0-9, `.`, `_`, `-`).
        #[arg(long)]
        username: String,
        /// Name shown in the consoles.
        #[arg(long)]
        name: String,
        /// Comma-separated: operator, admin.
        #[arg(long)]
        roles: String,
    },
    /// List staff accounts.
    List,
    /// Block an account and end its sessions.
    Disable {
        /// Sign-in name.
        #[arg(long)]
        username: String,
    },
    /// Unblock an account.
    Enable {
        /// Sign-in name.
        #[arg(long)]
        username: String,
    },
    /// Give an account a new one-time password (forgotten, or after a restore without
    /// credentials); its sessions end.
    ResetPassword {
        /// Sign-in name.
        username: String,
    },
    /// Forget an account's second factor (lost phone); it must enrol again.
    ResetMfa {
        /// Sign-in name.
        #[arg(long)]
        username: String,
    },
}

/// Audit metadata of a command-line action: no address, a fresh request ID.
pub(crate) fn meta() -> RequestMeta {
    RequestMeta {
        client_ip: None,
        request_id: format!("cli-{}", uuid_like()),
    }
}

fn uuid_like() -> String {
    platform::crypto::SecretToken::generate().plain[..12].to_owned()
}

fn username(raw: &str) -> anyhow::Result<Username> {
    Username::parse(raw).map_err(|_| {
        anyhow::anyhow!("invalid --username `{raw}`: use 3 to 32 of a-z, 0-9, `.`, `_`, `-`")
    })
}

/// Runs one `users` command.
pub async fn run(config: &Config, command: &UsersCommand) -> anyhow::Result<ExitCode> {
    let built = crate::server::build(config).await?;
    let identity = &built.state.identity;
    match command {
        UsersCommand::CreateStaff {
            username: raw,
            name,
            roles,
        } => {
            let roles = StaffRoles::parse(roles).map_err(|_| {
                anyhow::anyhow!("invalid --roles `{roles}`: use operator, admin or both")
            })?;
            let new = NewStaff {
                username: username(raw)?,
                display_name: name.clone(),
                roles,
            };
            let (_, password) = identity
                .create_staff(new, &meta())
                .await
                .map_err(|e| match e {
                    identity::IdentityError::UsernameTaken => {
                        anyhow::anyhow!("a staff account named `{raw}` exists already")
                    }
                    identity::IdentityError::Invalid(_) => {
                        anyhow::anyhow!("invalid --name: 1 to 50 characters, no control characters")
                    }
                    other => other.into(),
                })?;
            println!("created staff account {}", raw.trim().to_ascii_lowercase());
            println!("initial password (shown once): {password}");
            println!("a second factor must be enrolled at the first sign-in");
        }
        UsersCommand::List => {
            println!(
                "{:<20} {:<16} {:<9} {:<5} LAST SIGN-IN (JST)",
                "USERNAME", "ROLES", "STATUS", "MFA"
            );
            for s in identity.list_staff().await? {
                let last = s.last_login_at.map_or_else(
                    || "-".to_owned(),
                    |t| ui::format::timestamp(t, platform::i18n::Locale::Ja),
                );
                let status = if s.active { "active" } else { "disabled" };
                let mfa = if s.mfa_enrolled { "yes" } else { "no" };
                println!(
                    "{:<20} {:<16} {:<9} {:<5} {last}",
                    s.username,
                    s.roles.to_string(),
                    status,
                    mfa
                );
            }
        }
        UsersCommand::Disable { username: raw } => change(
            identity
                .set_staff_active(&username(raw)?, false, &meta())
                .await,
            raw,
            "disabled",
        )?,
        UsersCommand::Enable { username: raw } => change(
            identity
                .set_staff_active(&username(raw)?, true, &meta())
                .await,
            raw,
            "enabled",
        )?,
        UsersCommand::ResetPassword { username: raw } => {
            let password = identity
                .reset_staff_password(&username(raw)?, &meta())
                .await
                .map_err(|e| match e {
                    identity::IdentityError::NotFound => {
                        anyhow::anyhow!("no staff account named `{raw}`")
                    }
                    other => other.into(),
                })?;
            println!(
                "new password for {} (shown once): {password}",
                raw.trim().to_ascii_lowercase()
            );
        }
        UsersCommand::ResetMfa { username: raw } => change(
            identity.reset_staff_mfa(&username(raw)?, &meta()).await,
            raw,
            "second factor reset",
        )?,
    }
    built.state.db.close().await;
    Ok(ExitCode::SUCCESS)
}

fn change(
    result: Result<(), identity::IdentityError>,
    raw: &str,
    done: &str,
) -> anyhow::Result<()> {
    match result {
        Ok(()) => {
            println!("{}: {done}", raw.trim().to_ascii_lowercase());
            Ok(())
        }
        Err(identity::IdentityError::NotFound) => {
            Err(anyhow::anyhow!("no staff account named `{raw}`"))
        }
        Err(e) => Err(e.into()),
    }
}
