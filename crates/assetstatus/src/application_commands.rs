//! `assetstatus applications …`: the operators' queue and decisions from the command line, for
//! scripted work next to the back office. Each action is attributed to a named operator account
//! and audited like one made on screen; maker-checker applies here too.

use std::process::ExitCode;

use applications::{Decision, Outcome, QueueFilter, RejectionReason, Status};
use clap::Subcommand;
use identity::staff::StaffRole;
use platform::config::Config;
use platform::ids::{ApplicationId, StaffId};

/// What to do with applications.
#[derive(Subcommand, Debug)]
pub enum ApplicationsCommand {
    /// List applications waiting for a decision (or in the given states), oldest first.
    List {
        /// Comma-separated: draft, submitted, under_review, approved, rejected.
        #[arg(long, default_value = "submitted,under_review")]
        status: String,
    },
    /// Take an application: it is assigned to the operator and a submitted one goes under
    /// review.
    Review {
        /// Application ID (as listed).
        #[arg(long)]
        id: String,
        /// Sign-in name of the operator taking it.
        #[arg(long)]
        by: String,
        /// Why, when taking it over from another operator (required then).
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Approve: the customer gets the premium service and a mail (with maker-checker on, the
    /// first approval is a proposal a second operator confirms).
    Approve {
        /// Application ID (as listed).
        #[arg(long)]
        id: String,
        /// Sign-in name of the deciding operator.
        #[arg(long)]
        by: String,
        /// Why the approval overrides a difference from the core banking system (required
        /// then, and a second operator must confirm).
        #[arg(long, default_value = "")]
        reason: String,
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
            let filter = QueueFilter {
                statuses,
                awaiting_second_approval: false,
                assigned_to: None,
                submitted_before: None,
                limit: 500,
            };
            for item in state.applications.queue(&filter).await? {
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
        ApplicationsCommand::Review { id, by, reason } => {
            let staff = operator(state, by).await?;
            state
                .applications
                .open(parse_id(id)?, staff, reason, &crate::users::meta())
                .await
                .map_err(explain)?;
            println!("application {id} is now under review by {by}");
        }
        ApplicationsCommand::Approve { id, by, reason } => {
            let staff = operator(state, by).await?;
            match decide(
                state,
                id,
                &Decision::Approve {
                    reason: reason.clone(),
                },
                staff,
            )
            .await?
            {
                Outcome::AwaitingSecondApproval => println!(
                    "approval of application {id} proposed; a second operator must confirm it"
                ),
                Outcome::Decided(_) => {
                    println!("application {id} approved; the customer now has the premium service")
                }
            }
        }
        ApplicationsCommand::Reject {
            id,
            by,
            reason,
            note,
        } => {
            let staff = operator(state, by).await?;
            let reason = RejectionReason::from_code(reason).ok_or_else(|| {
                anyhow::anyhow!(
                    "invalid --reason `{reason}`: use document_unreadable, document_not_accepted, details_mismatch, account_not_confirmed or other"
                )
            })?;
            let decision = Decision::Reject {
                reason,
                note: note.clone(),
            };
            decide(state, id, &decision, staff).await?;
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
    staff: StaffId,
) -> anyhow::Result<Outcome> {
    state
        .applications
        .decide(parse_id(id)?, decision, staff, &crate::users::meta())
        .await
        .map_err(explain)
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

/// The active operator account named `username`, who acts.
async fn operator(state: &portal::AppState, username: &str) -> anyhow::Result<StaffId> {
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
    Ok(staff.id)
}

fn explain(e: applications::ApplicationError) -> anyhow::Error {
    use applications::ApplicationError as E;
    match e {
        E::NotFound => anyhow::anyhow!("no application with this ID"),
        E::NotDecidable(status) => {
            anyhow::anyhow!("the application is {status}, not waiting for a decision")
        }
        E::SelfApproval => {
            anyhow::anyhow!("you proposed this approval: a second operator must confirm it")
        }
        E::Invalid(errors) if errors.get("override_reason").is_some() => anyhow::anyhow!(
            "the account differs from what the core banking system holds: give --reason (at most {} characters); a second operator must then confirm",
            applications::MAX_OVERRIDE_REASON_CHARS
        ),
        E::Invalid(_) => anyhow::anyhow!(
            "invalid --note: at most {} characters, no control characters",
            applications::MAX_NOTE_CHARS
        ),
        other => other.into(),
    }
}
