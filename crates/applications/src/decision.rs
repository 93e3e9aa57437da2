//! An operator's work on an application: opening it (which assigns it to them and starts the
//! review), approving — which grants the `premium` entitlement — or rejecting with a reason.
//! With maker-checker on, an approval takes two operators: the first proposes, a second one
//! confirms; the proposer can never confirm their own proposal. An approval over a difference
//! from the core banking system (any mismatching row of the [`crate::Comparison`], or an account
//! that was not cleanly confirmed) always takes two operators, whatever the maker-checker
//! setting, and the first must write why: the reason is kept, sealed, in the application's
//! history and the proposal is audited as `application.override_proposed`. The state change,
//! the entitlement, the customer's mail, the history and the audit entries commit together; a
//! second decision on the same application is refused, whoever comes second.

use platform::audit::{self, Actor, Event, RequestMeta, Target};
use platform::fields::text;
use platform::ids::{ApplicationId, StaffId};
use platform::mail::Addressee;
use platform::time_util::now_unix;

use crate::error::ApplicationError;
use crate::events::{self, EventKind, Step};
use crate::mails::{Notice, compose, queue};
use crate::status::{RejectionReason, Status};
use crate::store::{self, AppRow, Change};
use crate::{Applications, note_aad, reception_number};

/// Longest free-text note on a rejection.
pub const MAX_NOTE_CHARS: usize = 500;

/// Longest written reason for approving over a difference from the core banking system.
pub const MAX_OVERRIDE_REASON_CHARS: usize = 500;

/// What the operator decided.
#[derive(Clone, Debug)]
pub enum Decision {
    /// Approve: the customer gets the premium service. `reason` is required (and kept) when
    /// the approval overrides a difference from the core banking system, ignored otherwise.
    Approve {
        /// Why the operator approves despite the difference.
        reason: String,
    },
    /// Reject with a reason from the list and an optional note the customer will read.
    Reject {
        /// Reason from the list.
        reason: RejectionReason,
        /// Free text shown to the customer on their status page (not in the mail).
        note: String,
    },
}

/// What a decision led to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Approved or rejected; the customer has been told.
    Decided(Status),
    /// Maker-checker: the approval is proposed and waits for a second operator.
    AwaitingSecondApproval,
}

impl Applications {
    /// Assigns a submitted or reviewed application to `operator`; a submitted one goes under
    /// review. Taking over a colleague's case needs a written `reason` (ignored otherwise),
    /// which the review's history keeps.
    pub async fn open(
        &self,
        id: ApplicationId,
        operator: StaffId,
        reason: &str,
        meta: &RequestMeta,
    ) -> Result<(), ApplicationError> {
        let mut tx = self.db.write().await?;
        let row = store::by_id(&mut tx, id)
            .await?
            .filter(|r| r.status != Status::Draft)
            .ok_or(ApplicationError::NotFound)?;
        if row.assigned_to == Some(operator) && row.status == Status::UnderReview {
            return Ok(());
        }
        let taking_over = row
            .assigned_to
            .filter(|colleague| *colleague != operator && row.status.is_open());
        let reason = match taking_over {
            Some(_) => Some(checked_reason("takeover_reason", reason)?),
            None => None,
        };
        let now = now_unix();
        if !store::assign(&mut tx, id, operator, now).await? {
            return Err(ApplicationError::NotDecidable(row.status.code()));
        }
        let action = match reason {
            Some(ref why) => {
                let key = self.customer_key(&mut tx, row.customer).await?;
                let step = Step::staff(EventKind::Reassigned, operator, Some(why));
                events::record(&mut tx, &key, (id, row.customer), &step, now).await?;
                "application.reassigned"
            }
            None => "application.review_started",
        };
        staff_record(&mut tx, &Actor::staff(operator), action, id, meta).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Approves or rejects a submitted or reviewed application. With maker-checker on, the
    /// first approval only proposes; see [`Outcome`].
    pub async fn decide(
        &self,
        id: ApplicationId,
        decision: &Decision,
        operator: StaffId,
        meta: &RequestMeta,
    ) -> Result<Outcome, ApplicationError> {
        let note = match decision {
            Decision::Reject { note, .. } => checked_note(note)?,
            Decision::Approve { .. } => String::new(),
        };
        let row = {
            let mut conn = self.db.read().await?;
            store::by_id(&mut conn, id)
                .await?
                .filter(|r| r.status != Status::Draft)
                .ok_or(ApplicationError::NotFound)?
        };
        if let Decision::Approve { reason } = decision {
            if !Status::DECIDABLE.contains(&row.status) {
                return Err(ApplicationError::NotDecidable(row.status.code()));
            }
            match row.proposed_by {
                Some(proposer) if proposer == operator => {
                    return Err(ApplicationError::SelfApproval);
                }
                Some(_) => {}
                None => {
                    let comparison = self.comparison_of(&row).await?;
                    if comparison.needs_override() {
                        let reason = checked_override_reason(reason)?;
                        return self.propose(&row, operator, Some(&reason), meta).await;
                    }
                    if self.settings.maker_checker {
                        return self.propose(&row, operator, None, meta).await;
                    }
                }
            }
        }
        self.finish(&row, decision, &note, operator, meta).await
    }

    async fn propose(
        &self,
        row: &AppRow,
        operator: StaffId,
        override_reason: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<Outcome, ApplicationError> {
        let mut tx = self.db.write().await?;
        let key = self.customer_key(&mut tx, row.customer).await?;
        let now = now_unix();
        if !store::propose_approval(&mut tx, row.id, operator, now).await? {
            let current = current_status(&mut tx, row).await?;
            return Err(ApplicationError::NotDecidable(current.code()));
        }
        let (kind, action) = match override_reason {
            Some(_) => (EventKind::OverrideProposed, "application.override_proposed"),
            None => (EventKind::ApprovalProposed, "application.approval_proposed"),
        };
        let step = Step::staff(kind, operator, override_reason);
        events::record(&mut tx, &key, (row.id, row.customer), &step, now).await?;
        staff_record(&mut tx, &Actor::staff(operator), action, row.id, meta).await?;
        tx.commit().await?;
        Ok(Outcome::AwaitingSecondApproval)
    }

    async fn finish(
        &self,
        row: &AppRow,
        decision: &Decision,
        note: &str,
        operator: StaffId,
        meta: &RequestMeta,
    ) -> Result<Outcome, ApplicationError> {
        let id = row.id;
        let profile = self.identity.profile(row.customer).await?;
        let mut tx = self.db.write().await?;
        let key = self.customer_key(&mut tx, row.customer).await?;
        let now = now_unix();
        let decider = operator.to_string();
        let (to, change, action, notice) = match decision {
            Decision::Approve { .. } => (
                Status::Approved,
                Change {
                    decided_at: Some(now),
                    decided_by: Some(&decider),
                    ..Change::default()
                },
                "application.approved",
                Notice::Approved,
            ),
            Decision::Reject { reason, .. } => (
                Status::Rejected,
                Change {
                    decided_at: Some(now),
                    decided_by: Some(&decider),
                    rejection_reason: Some(reason.code()),
                    rejection_note_enc: Some(key.seal(note.as_bytes(), &note_aad(id))),
                    ..Change::default()
                },
                "application.rejected",
                Notice::Rejected {
                    reason: reason.label(profile.locale),
                },
            ),
        };
        if !store::transition(&mut tx, id, &Status::DECIDABLE, to, change, now).await? {
            let current = current_status(&mut tx, row).await?;
            return Err(ApplicationError::NotDecidable(current.code()));
        }
        let kind = match to {
            Status::Approved => EventKind::Approved,
            _ => EventKind::Rejected,
        };
        let step = Step::staff(kind, operator, None);
        events::record(&mut tx, &key, (id, row.customer), &step, now).await?;
        let actor = Actor::staff(operator);
        staff_record(&mut tx, &actor, action, id, meta).await?;
        if to == Status::Approved {
            store::grant_premium(&mut tx, row.customer, id, now).await?;
            let event = Event::success(
                actor,
                "customer.premium_granted",
                Target::customer(row.customer),
            );
            audit::append(&mut tx, &event, meta).await?;
        }
        let mail = compose(
            self.outbox.letterhead(),
            &notice,
            profile.locale,
            profile.email,
            &Addressee::customer(Some(&profile.name_kanji)),
            &reception_number(id),
            &self.public_link("application"),
        );
        queue(&self.outbox, &mut tx, &notice, &mail).await?;
        tx.commit().await?;
        self.outbox.wake();
        Ok(Outcome::Decided(to))
    }
}

/// The written reason for an override: required, one to [`MAX_OVERRIDE_REASON_CHARS`]
/// characters, line breaks allowed.
fn checked_override_reason(reason: &str) -> Result<String, ApplicationError> {
    checked_reason("override_reason", reason)
}

/// A required written reason for the form field `field`, one to
/// [`MAX_OVERRIDE_REASON_CHARS`] characters, line breaks allowed.
fn checked_reason(field: &'static str, reason: &str) -> Result<String, ApplicationError> {
    let checked = text(reason, MAX_OVERRIDE_REASON_CHARS, true).and_then(|r| {
        if r.is_empty() {
            Err(platform::fields::FieldError::Required)
        } else {
            Ok(r)
        }
    });
    checked.map_err(|e| {
        let mut errors = platform::fields::FormErrors::default();
        errors.0.push((field, e));
        ApplicationError::Invalid(errors)
    })
}

fn checked_note(note: &str) -> Result<String, ApplicationError> {
    text(note, MAX_NOTE_CHARS, true).map_err(|e| {
        let mut errors = platform::fields::FormErrors::default();
        errors.0.push(("note", e));
        ApplicationError::Invalid(errors)
    })
}

async fn current_status(
    tx: &mut platform::db::WriteTx,
    row: &AppRow,
) -> Result<Status, ApplicationError> {
    Ok(store::by_id(tx, row.id)
        .await?
        .map_or(row.status, |r| r.status))
}

async fn staff_record(
    tx: &mut platform::db::WriteTx,
    actor: &Actor,
    action: &'static str,
    id: ApplicationId,
    meta: &RequestMeta,
) -> Result<(), ApplicationError> {
    let event = Event::success(actor.clone(), action, Target::application(id));
    audit::append(tx, &event, meta).await?;
    Ok(())
}
