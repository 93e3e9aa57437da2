//! Sending an application back for correction (差し戻し): an operator names one item — a side of
//! the identity document, or the bank account — and writes why; the application goes to
//! `returned`, the customer is mailed (in the same transaction) and reads on their application
//! page what to fix and why, corrects it and sends the application again. A document sent back
//! is kept, marked, so staff still see it; the step and its reason go to the application's
//! history and the audit trail.

use platform::audit::{Actor, RequestMeta};
use platform::fields::{FieldError, FormErrors, text};
use platform::ids::{ApplicationId, StaffId};
use platform::mail::Addressee;
use platform::time_util::now_unix;

use crate::error::ApplicationError;
use crate::events::{self, EventKind, Step};
use crate::mails::{Notice, compose, queue};
use crate::status::{ReturnedItem, Status};
use crate::store;
use crate::{Applications, reception_number};

/// Longest reason for a send-back.
pub const MAX_RETURN_REASON_CHARS: usize = 500;

/// What the customer reads about a send-back.
#[derive(Clone, Debug)]
pub struct SentBack {
    /// What to correct.
    pub item: ReturnedItem,
    /// Why, in the operator's words.
    pub reason: String,
    /// When (Unix seconds).
    pub at: i64,
}

impl Applications {
    /// Sends a submitted or reviewed application back to its customer to correct `item`.
    pub async fn send_back(
        &self,
        id: ApplicationId,
        item: ReturnedItem,
        reason: &str,
        operator: StaffId,
        meta: &RequestMeta,
    ) -> Result<(), ApplicationError> {
        let reason = checked_reason(reason)?;
        let row = {
            let mut conn = self.db.read().await?;
            store::by_id(&mut conn, id)
                .await?
                .filter(|r| r.status != Status::Draft)
                .ok_or(ApplicationError::NotFound)?
        };
        if !Status::DECIDABLE.contains(&row.status) {
            return Err(ApplicationError::NotDecidable(row.status.code()));
        }
        let profile = self.identity.profile(row.customer).await?;
        let mut tx = self.db.write().await?;
        let key = self.customer_key(&mut tx, row.customer).await?;
        let now = now_unix();
        if !store::send_back(&mut tx, id, now).await? {
            let current = store::by_id(&mut tx, id)
                .await?
                .map_or(row.status, |r| r.status);
            return Err(ApplicationError::NotDecidable(current.code()));
        }
        if let ReturnedItem::Document(side) = item
            && !store::return_document(&mut tx, id, side, now).await?
        {
            let mut errors = FormErrors::default();
            errors.0.push(("item", FieldError::UnknownChoice));
            return Err(ApplicationError::Invalid(errors));
        }
        let step = Step {
            kind: EventKind::Returned,
            staff: Some(operator),
            item: Some(item),
            reason: Some(&reason),
        };
        events::record(&mut tx, &key, (id, row.customer), &step, now).await?;
        let event = platform::audit::Event::success(
            Actor::staff(operator),
            "application.returned",
            platform::audit::Target::application(id),
        );
        platform::audit::append(&mut tx, &event, meta).await?;
        let notice = Notice::Returned {
            item: item.label(profile.locale),
        };
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
        Ok(())
    }
}

/// The reason: required, one to [`MAX_RETURN_REASON_CHARS`] characters, line breaks allowed.
fn checked_reason(reason: &str) -> Result<String, ApplicationError> {
    let checked = text(reason, MAX_RETURN_REASON_CHARS, true).and_then(|r| {
        if r.is_empty() {
            Err(FieldError::Required)
        } else {
            Ok(r)
        }
    });
    checked.map_err(|e| {
        let mut errors = FormErrors::default();
        errors.0.push(("return_reason", e));
        ApplicationError::Invalid(errors)
    })
}
