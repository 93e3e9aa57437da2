//! `assetstatus applications …`: the operators' queue and decisions from the command line,
//! until the back-office console offers them. Each decision is attributed to a named operator
//! account and audited like one made on screen.

use std::process::ExitCode;

use applications::{Decision, RejectionReason, Status};
use clap::Subcommand;
use identity::staff::StaffRole;
use platform::audit::Actor;
use platform::config::Config;
use platform::ids::ApplicationId;

/// What to do with applications.
#[derive(Subcommand, Debug)]
pub enum ApplicationsCommand {
    /// List applications waiting for a decision (or in the given states), oldest first.
    List {
        /// Comma-separated: draft, submitted, under_review, approved, rejected.
        #[arg(long, default_value = "submitted,under_review")]
        status: String,
    },
    /// Mark a submitted application as being reviewed.
    Review {
        /// Application ID (as listed).
        #[arg(long)]
        id: String,
        /// Sign-in name of the operator taking it.
        #[arg(long)]
        by: String,
    },
    /// Approve: the customer gets the premium service and a mail.
    Approve {
        /// Application ID (as listed).
        #[arg(long)]
        id: String,
        /// Sign-in name of the deciding operator.
        #[arg(long)]
        by: String,
    },
    /// Reject with a reason; the customer gets a mail and may apply again.
    Reject {
        /// Application ID (as listed).
        #[arg(long)]
        id: String,
        /// Sign-in name of the deciding operator.
        #[arg(long)]
        by: String,
        /// document_unreadable, document_not_accepted, details_mismatch,
        /// account_not_confirmed or other.
        #[arg(long)]
        reason: String,
        /// Note the customer reads on their status page (not in the mail).
        #[arg(long, default_value = "")]
        note: String,
    },
}

/// Runs one `applications` command.
pub async fn run(config: &Config, command: &ApplicationsCommand) -> anyhow::Result<ExitCode> {
    let built = crate::server::build(config).await?;
    let state = &built.state;
    match command {
        ApplicationsCommand::List { status } => {
            let statuses = parse_statuses(status)?;
            println!(
                "{:<10} {:<36} {:<13} {:<17} DOCS",
                "NUMBER", "ID", "STATUS", "SUBMITTED (JST)"
            );
            for item in state.applications.queue(&statuses, 500).await? {
                let submitted = item.submitted_at.map_or_else(
                    || "-".to_owned(),
                    |t| ui::format::timestamp(t, platform::i18n::Locale::Ja),
                );
                println!(
                    "{:<10} {:<36} {:<13} {:<17} {}",
                    item.number,
                    item.id,
                    item.status.code(),
                    submitted,
                    item.documents
                );
            }
        }
        ApplicationsCommand::Review { id, by } => {
            let actor = operator(state, by).await?;
            state
                .applications
                .start_review(parse_id(id)?, &actor, &crate::users::meta())
                .await
                .map_err(explain)?;
            println!("application {id} is now under review");
        }
        ApplicationsCommand::Approve { id, by } => {
            let actor = operator(state, by).await?;
            decide(state, id, &Decision::Approve, &actor).await?;
            println!("application {id} approved; the customer now has the premium service");
        }
        ApplicationsCommand::Reject {
            id,
            by,
            reason,
            note,
        } => {
            let actor = operator(state, by).await?;
            let reason = RejectionReason::from_code(reason).ok_or_else(|| {
                anyhow::anyhow!(
                    "invalid --reason `{reason}`: use document_unreadable, document_not_accepted, details_mismatch, account_not_confirmed or other"
                )
            })?;
            let decision = Decision::Reject {
                reason,
                note: note.clone(),
            };
            decide(state, id, &decision, &actor).await?;
            println!("application {id} rejected; the customer has been told by mail");
        }
    }
    built.outbox.deliver_due().await.ok();
    Ok(ExitCode::SUCCESS)
}

async fn decide(
    state: &portal::AppState,
    id: &str,
    decision: &Decision,
    actor: &Actor,
) -> anyhow::Result<()> {
    state
        .applications
        .decide(parse_id(id)?, decision, actor, &crate::users::meta())
        .await
        .map_err(explain)?;
    Ok(())
}

fn parse_id(raw: &str) -> anyhow::Result<ApplicationId> {
    raw.trim().parse().map_err(|_| {
        anyhow::anyhow!("invalid --id `{raw}`: use the ID shown by `applications list`")
    })
}

fn parse_statuses(raw: &str) -> anyhow::Result<Vec<Status>> {
    raw.split(',')
        .map(|s| {
            Status::from_code(s.trim()).ok_or_else(|| {
                anyhow::anyhow!(
                    "invalid --status `{s}`: use draft, submitted, under_review, approved or rejected"
                )
            })
        })
        .collect()
}

/// The active operator account named `username`, as the actor of the decision.
async fn operator(state: &portal::AppState, username: &str) -> anyhow::Result<Actor> {
    let wanted = username.trim().to_ascii_lowercase();
    let staff = state
        .identity
        .list_staff()
        .await?
        .into_iter()
        .find(|s| s.username == wanted)
        .ok_or_else(|| anyhow::anyhow!("no staff account named `{wanted}`"))?;
    if !staff.active {
        anyhow::bail!("the staff account `{wanted}` is disabled");
    }
    if !staff.roles.has(StaffRole::Operator) {
        anyhow::bail!("the staff account `{wanted}` does not have the operator role");
    }
    Ok(Actor::staff(staff.id))
}

fn explain(e: applications::ApplicationError) -> anyhow::Error {
    use applications::ApplicationError as E;
    match e {
        E::NotFound => anyhow::anyhow!("no application with this ID"),
        E::NotDecidable(status) => {
            anyhow::anyhow!("the application is {status}, not waiting for a decision")
        }
        E::Invalid(_) => anyhow::anyhow!(
            "invalid --note: at most {} characters, no control characters",
            applications::MAX_NOTE_CHARS
        ),
        other => other.into(),
    }
}
