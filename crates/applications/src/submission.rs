//! Sending a draft to the bank: the state change, the customer's receipt, the operators' notice
//! and the audit entry commit together.

use platform::audit::{self, Actor, Event, Outcome, RequestMeta, Target};
use platform::i18n::Locale;
use platform::ids::{ApplicationId, CustomerId};
use platform::mail::Addressee;
use platform::time_util::now_unix;

use crate::draft::record;
use crate::error::ApplicationError;
use crate::events::{self, EventKind, Step};
use crate::mails::{Notice, compose, queue};
use crate::status::{ReturnedItem, Side, Status};
use crate::store::{self, Change};
use crate::{Applications, reception_number};

impl Applications {
    /// Submits the customer's draft. `expected` is the application the customer reviewed: a
    /// different ID (another customer's, or a stale page) is refused as not found and audited.
    pub async fn submit(
        &self,
        customer: CustomerId,
        expected: ApplicationId,
        meta: &RequestMeta,
    ) -> Result<(), ApplicationError> {
        let profile = self.identity.profile(customer).await?;
        let operators = match self.settings.auto_assign_cap {
            Some(_) => self.operators_on_duty().await?,
            None => Vec::new(),
        };
        let mut tx = self.db.write().await?;
        let latest = store::latest_of(&mut tx, customer).await?;
        let Some(draft) = latest.filter(|row| row.id == expected) else {
            drop(tx);
            self.record_denied(customer, expected, meta).await?;
            return Err(ApplicationError::NotFound);
        };
        if !draft.status.is_editable() {
            return Err(ApplicationError::NotEditable);
        }
        let docs = store::documents_of(&mut tx, draft.id).await?;
        if draft.account_enc.is_none() || !docs.iter().any(|d| d.side == Side::Front) {
            return Err(ApplicationError::Incomplete);
        }
        let resubmission = draft.status == Status::Returned;
        if resubmission {
            // A document sent back must have been sent again.
            let key = self.customer_key(&mut tx, customer).await?;
            let steps = events::of(&mut tx, &key, draft.id).await?;
            let wanted = steps
                .iter()
                .rev()
                .find(|e| e.kind == EventKind::Returned)
                .and_then(|e| e.item);
            if let Some(ReturnedItem::Document(side)) = wanted
                && !docs.iter().any(|d| d.side == side)
            {
                return Err(ApplicationError::Incomplete);
            }
            let step = Step {
                kind: EventKind::Resubmitted,
                staff: None,
                item: None,
                reason: None,
            };
            events::record(&mut tx, &key, (draft.id, customer), &step, now_unix()).await?;
        }
        let now = now_unix();
        // Sent again after a correction, it keeps its first reception time: its place in the
        // queue and the start of its history.
        let change = Change {
            submitted_at: (!resubmission).then_some(now),
            ..Change::default()
        };
        if !store::transition(
            &mut tx,
            draft.id,
            &[Status::Draft, Status::Returned],
            Status::Submitted,
            change,
            now,
        )
        .await?
        {
            return Err(ApplicationError::NotEditable);
        }
        record(
            &mut tx,
            customer,
            if resubmission {
                "application.resubmitted"
            } else {
                "application.submitted"
            },
            Target::application(draft.id),
            meta,
        )
        .await?;
        if let Some(cap) = self.settings.auto_assign_cap {
            crate::workload::assign_automatically(&mut tx, draft.id, &operators, cap, meta).await?;
        }
        let number = reception_number(draft.id);
        let status_link = self.public_link("application");
        let receipt = compose(
            self.outbox.letterhead(),
            &Notice::Received,
            profile.locale,
            profile.email,
            &Addressee::customer(Some(&profile.name_kanji)),
            &number,
            &status_link,
        );
        queue(&self.outbox, &mut tx, &Notice::Received, &receipt).await?;
        let review_link = self.staff_link(&format!("applications/{}", draft.id));
        for address in &self.settings.operator_addresses {
            let notice = compose(
                self.outbox.letterhead(),
                &Notice::NewForOperators,
                Locale::Ja,
                address.clone(),
                &Addressee::Operators,
                &number,
                &review_link,
            );
            queue(&self.outbox, &mut tx, &Notice::NewForOperators, &notice).await?;
        }
        tx.commit().await?;
        self.outbox.wake();
        Ok(())
    }

    /// Records a refused attempt on an application that is not the customer's open one.
    pub(crate) async fn record_denied(
        &self,
        customer: CustomerId,
        id: ApplicationId,
        meta: &RequestMeta,
    ) -> Result<(), ApplicationError> {
        let event = Event {
            actor: Actor::customer(customer),
            action: "application.access",
            target: Target::application(id),
            outcome: Outcome::Denied,
        };
        audit::record(&self.db, &event, meta).await?;
        Ok(())
    }

    pub(crate) fn public_link(&self, path: &str) -> String {
        join(&self.settings.public_base_url, path)
    }

    pub(crate) fn staff_link(&self, path: &str) -> String {
        join(&self.settings.staff_base_url, path)
    }
}

fn join(base: &url::Url, path: &str) -> String {
    base.join(path)
        .map_or_else(|_| base.to_string(), |u| u.to_string())
}
