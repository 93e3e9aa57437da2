//! `assetstatus clients …` and `assetstatus keys …`: the identity provider's registered clients
//! and signing keys, administered from the command line; every change audited.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use oidc::clients::{self, ClientAuth, ClientProfile, GrantType, NewClient, RegistrationError};
use platform::audit::Actor;
use platform::config::Config;

use crate::users::meta;

/// What to do with OAuth clients.
#[derive(Subcommand, Debug)]
pub enum ClientsCommand {
    /// Register a client; prints its ID and, for client_secret_basic, its secret once.
    Add {
        /// Name shown to staff and customers.
        #[arg(long)]
        name: String,
        /// none (public app with PKCE), client_secret_basic or private_key_jwt.
        #[arg(long)]
        auth: String,
        /// Grant types, comma-separated: authorization_code, refresh_token, client_credentials.
        #[arg(long, value_delimiter = ',')]
        grants: Vec<String>,
        /// Scopes, comma-separated.
        #[arg(long, value_delimiter = ',')]
        scopes: Vec<String>,
        /// Exact redirect URI for codes (repeatable).
        #[arg(long = "redirect-uri")]
        redirect_uris: Vec<String>,
        /// Exact URI end-session may return to (repeatable).
        #[arg(long = "logout-uri")]
        logout_uris: Vec<String>,
        /// File with the client's public key as a JWK (private_key_jwt).
        #[arg(long)]
        jwk_file: Option<PathBuf>,
        /// standard, or fapi2 (FAPI 2.0 Security Profile: pushed authorization requests,
        /// private_key_jwt and DPoP-bound tokens required).
        #[arg(long, default_value = "standard")]
        profile: String,
    },
    /// List registered clients.
    List,
    /// Refuse every request of a client.
    Disable {
        /// Client ID.
        #[arg(long)]
        client_id: String,
    },
    /// Accept a disabled client again.
    Enable {
        /// Client ID.
        #[arg(long)]
        client_id: String,
    },
}

/// What to do with signing keys.
#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Make a new signing key now; the old one stays published until its tokens expire.
    Rotate,
    /// List the published keys, the signing one first.
    List,
}

/// Runs one `clients` command.
pub async fn run_clients(config: &Config, command: &ClientsCommand) -> anyhow::Result<ExitCode> {
    let built = crate::server::build(config).await?;
    let db = &built.state.db;
    let actor = Actor::system("command-line");
    match command {
        ClientsCommand::Add {
            name,
            auth,
            grants,
            scopes,
            redirect_uris,
            logout_uris,
            jwk_file,
            profile,
        } => {
            let profile = profile
                .parse::<ClientProfile>()
                .map_err(|e| anyhow::anyhow!("invalid --profile: {e}"))?;
            let public_jwk = match jwk_file {
                Some(path) => Some(std::fs::read_to_string(path).map_err(|e| {
                    anyhow::anyhow!("cannot read --jwk-file {}: {e}", path.display())
                })?),
                None => None,
            };
            let new = NewClient {
                name: name.clone(),
                auth: auth
                    .parse::<ClientAuth>()
                    .map_err(|e| anyhow::anyhow!("invalid --auth: {e}"))?,
                public_jwk,
                redirect_uris: redirect_uris.clone(),
                logout_uris: logout_uris.clone(),
                grant_types: grants
                    .iter()
                    .map(|g| g.parse::<GrantType>())
                    .collect::<Result<_, _>>()
                    .map_err(|e| anyhow::anyhow!("invalid --grants: {e}"))?,
                scopes: scopes.clone(),
            };
            match clients::register_as(db, &new, profile, &actor, &meta()).await {
                Ok(done) => {
                    println!("client_id: {}", done.client_id);
                    if let Some(secret) = done.secret {
                        println!("client_secret: {secret}");
                        eprintln!(
                            "The secret is shown only now; store it in the client's secret store."
                        );
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(RegistrationError::Invalid(why)) => {
                    eprintln!("client not registered: {why}");
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(e.into()),
            }
        }
        ClientsCommand::List => {
            for c in clients::list(db).await? {
                let grants: Vec<&str> = c.grant_types.iter().map(|g| g.as_str()).collect();
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    c.id,
                    c.name,
                    c.auth.as_str(),
                    c.profile.as_str(),
                    grants.join(","),
                    c.scopes.join(","),
                    if c.disabled { "disabled" } else { "active" }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        ClientsCommand::Disable { client_id } | ClientsCommand::Enable { client_id } => {
            let disable = matches!(command, ClientsCommand::Disable { .. });
            if clients::set_disabled(db, client_id, disable, &actor, &meta()).await? {
                eprintln!(
                    "{client_id}: {}",
                    if disable { "disabled" } else { "enabled" }
                );
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("no client with ID `{client_id}`");
                Ok(ExitCode::from(2))
            }
        }
    }
}

/// Runs one `keys` command.
pub async fn run_keys(config: &Config, command: &KeysCommand) -> anyhow::Result<ExitCode> {
    let built = crate::server::build(config).await?;
    let keys = built.state.oidc.keys();
    match command {
        KeysCommand::Rotate => {
            let kid = keys.rotate(&Actor::system("command-line"), &meta()).await?;
            println!("new signing key: {kid}");
        }
        KeysCommand::List => {
            for kid in keys.published_kids().await? {
                println!("{kid}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
