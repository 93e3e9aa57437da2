//! An operator's decision (the back office builds the screen; the command line calls these
//! today): review, approve — which grants the `premium` entitlement — or reject with a reason.
//! The state change, the entitlement, the customer's mail and the audit entries commit together;
//! a second decision on the same application is refused, whoever comes second.

use platform::audit::{self, Actor, Event, RequestMeta, Target};
use platform::fields::text;
use platform::ids::ApplicationId;
use platform::time_util::now_unix;

use crate::error::ApplicationError;
use crate::mails::{Notice, compose, queue};
use crate::status::{RejectionReason, Status};
use crate::store::{self, AppRow, Change};
use crate::{Applications, note_aad, reception_number};

/// Longest free-text note on a rejection.
pub const MAX_NOTE_CHARS: usize = 500;

/// What the operator decided.
#[derive(Clone, Debug)]
pub enum Decision {
    /// Approve: the customer gets the premium service.
    Approve,
    /// Reject with a reason from the list and an optional note the customer will read.
    Reject {
        /// Reason from the list.
        reason: RejectionReason,
        /// Free text shown to the customer on their status page (not in the mail).
        note: String,
    },
}

impl Applications {
    /// Marks a submitted application as being reviewed by `actor`.
    pub async fn start_review(
        &self,
        id: ApplicationId,
        actor: &Actor,
        meta: &RequestMeta,
    ) -> Result<(), ApplicationError> {
        let mut tx = self.db.write().await?;
        let row = store::by_id(&mut tx, id)
            .await?
            .ok_or(ApplicationError::NotFound)?;
        let now = now_unix();
        if !store::transition(
            &mut tx,
            id,
            &[Status::Submitted],
            Status::UnderReview,
            Change::default(),
            now,
        )
        .await?
        {
            return Err(ApplicationError::NotDecidable(row.status.code()));
        }
        staff_record(&mut tx, actor, "application.review_started", id, meta).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Approves or rejects a submitted or reviewed application.
    pub async fn decide(
        &self,
        id: ApplicationId,
        decision: &Decision,
        actor: &Actor,
        meta: &RequestMeta,
    ) -> Result<Status, ApplicationError> {
        let note = match decision {
            Decision::Reject { note, .. } => text(note, MAX_NOTE_CHARS, true).map_err(|e| {
                let mut errors = platform::fields::FormErrors::default();
                errors.0.push(("note", e));
                ApplicationError::Invalid(errors)
            })?,
            Decision::Approve => String::new(),
        };
        let row = {
            let mut conn = self.db.read().await?;
            store::by_id(&mut conn, id)
                .await?
                .ok_or(ApplicationError::NotFound)?
        };
        let profile = self.identity.profile(row.customer).await?;
        let mut tx = self.db.write().await?;
        let key = self.customer_key(&mut tx, row.customer).await?;
        let now = now_unix();
        let actor_id = actor.id.clone();
        let (to, change, action, notice) = match decision {
            Decision::Approve => (
                Status::Approved,
                Change {
                    decided_at: Some(now),
                    decided_by: Some(&actor_id),
                    ..Change::default()
                },
                "application.approved",
                Notice::Approved,
            ),
            Decision::Reject { reason, .. } => (
                Status::Rejected,
                Change {
                    decided_at: Some(now),
                    decided_by: Some(&actor_id),
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
            let current = current_status(&mut tx, &row).await?;
            return Err(ApplicationError::NotDecidable(current.code()));
        }
        staff_record(&mut tx, actor, action, id, meta).await?;
        if to == Status::Approved {
            store::grant_premium(&mut tx, row.customer, id, now).await?;
            let event = Event::success(
                actor.clone(),
                "customer.premium_granted",
                Target::customer(row.customer),
            );
            audit::append(&mut tx, &event, meta).await?;
        }
        let mail = compose(
            &notice,
            profile.locale,
            profile.email,
            &reception_number(id),
            &self.public_link("application"),
        );
        queue(&self.outbox, &mut tx, &notice, &mail).await?;
        tx.commit().await?;
        self.outbox.wake();
        Ok(to)
    }
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
