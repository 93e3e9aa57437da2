//! Filling in a draft: the account, then the document images. Nothing here is visible to staff
//! until the customer submits.

use documents::CleanImage;
use platform::audit::{self, Actor, Event, RequestMeta, Target};
use platform::ids::{ApplicationId, CustomerId, DocumentId};
use platform::time_util::now_unix;

use crate::account::AccountForm;
use crate::error::ApplicationError;
use crate::status::{Side, Status};
use crate::store::{self, DocRow};
use crate::{Applications, account_aad};

impl Applications {
    /// Saves the account of the customer's draft, starting one if they have none open. After a
    /// rejection this starts the next application, linked to the rejected one.
    pub async fn save_account(
        &self,
        customer: CustomerId,
        form: &AccountForm,
        meta: &RequestMeta,
    ) -> Result<ApplicationId, ApplicationError> {
        let profile = self.identity.profile(customer).await?;
        let account = form
            .validate(&profile.name_kana)
            .map_err(ApplicationError::Invalid)?;
        let mut tx = self.db.write().await?;
        if store::premium_source(&mut tx, customer).await?.is_some() {
            return Err(ApplicationError::AlreadyApproved);
        }
        let key = self.customer_key(&mut tx, customer).await?;
        let latest = store::latest_of(&mut tx, customer).await?;
        let now = now_unix();
        let (id, action) = match latest {
            Some(row) if row.status.is_editable() => {
                let sealed = key.seal(&account.to_plain(), &account_aad(row.id));
                if !store::update_draft_account(&mut tx, row.id, customer, &sealed, now).await? {
                    return Err(ApplicationError::NotEditable);
                }
                (row.id, "application.account_changed")
            }
            Some(row) if row.status.is_open() => return Err(ApplicationError::NotEditable),
            latest => {
                let id = ApplicationId::new();
                let sealed = key.seal(&account.to_plain(), &account_aad(id));
                let previous = latest.map(|r| r.id);
                match store::insert_draft(&mut tx, id, customer, &sealed, previous, now).await {
                    Err(e) if e.is_unique_violation() => return Err(ApplicationError::AlreadyOpen),
                    other => other?,
                }
                (id, "application.started")
            }
        };
        record(&mut tx, customer, action, Target::application(id), meta).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Checks, cleans, encrypts and stores one side of the identity document of the customer's
    /// draft, replacing an earlier image of that side. A refused file stores nothing.
    pub async fn attach_document(
        &self,
        customer: CustomerId,
        side: Side,
        upload: Vec<u8>,
        meta: &RequestMeta,
    ) -> Result<DocumentId, ApplicationError> {
        let draft = self.draft_of(customer).await?;
        let clean = documents::sanitize_async(upload, self.settings.document_limits).await?;
        let key = {
            let mut conn = self.db.read().await?;
            self.customer_key(&mut conn, customer).await?
        };
        let id = DocumentId::new();
        let stored = self.vault.put(&key, id, &clean).await?;
        let new = NewDocument {
            draft,
            side,
            id,
            clean: &clean,
            stored: &stored,
        };
        match self.record_document(customer, &new, meta).await {
            Ok(replaced) => {
                if let Some(old) = replaced {
                    self.discard_object(&old).await;
                }
                Ok(id)
            }
            Err(e) => {
                self.discard_object(&stored.object_key).await;
                Err(e)
            }
        }
    }

    /// Records a stored image on the draft, replacing that side's earlier one; returns the
    /// replaced object's key for deletion after commit.
    async fn record_document(
        &self,
        customer: CustomerId,
        new: &NewDocument<'_>,
        meta: &RequestMeta,
    ) -> Result<Option<String>, ApplicationError> {
        let NewDocument {
            draft,
            side,
            id,
            clean,
            stored,
        } = *new;
        let mut tx = self.db.write().await?;
        let now = now_unix();
        if !store::update_draft_touch(&mut tx, draft, customer, now).await? {
            return Err(ApplicationError::NotEditable);
        }
        // Sent back for correction: only a side without a current image (the one sent back, or
        // a back never sent) may be added; what staff already saw is not replaced.
        let returned = store::by_id(&mut tx, draft)
            .await?
            .is_some_and(|r| r.status == Status::Returned);
        let replaced = if returned {
            let current = store::documents_of(&mut tx, draft).await?;
            if current.iter().any(|d| d.side == side) {
                return Err(ApplicationError::NotEditable);
            }
            None
        } else {
            store::remove_document(&mut tx, draft, side).await?
        };
        let row = DocRow {
            id,
            application: draft,
            side,
            kind: clean.kind.code().to_owned(),
            object_key: stored.object_key.clone(),
            size_bytes: i64::try_from(stored.size).unwrap_or(i64::MAX),
            width: i64::from(clean.width),
            height: i64::from(clean.height),
            uploaded_at: now,
        };
        store::insert_document(&mut tx, customer, &row).await?;
        record(
            &mut tx,
            customer,
            "application.document_uploaded",
            Target::document(id),
            meta,
        )
        .await?;
        tx.commit().await?;
        Ok(replaced)
    }

    /// Removes one side's image from the customer's draft.
    pub async fn remove_document(
        &self,
        customer: CustomerId,
        side: Side,
        meta: &RequestMeta,
    ) -> Result<(), ApplicationError> {
        let draft = self.draft_of(customer).await?;
        let mut tx = self.db.write().await?;
        let returned = store::by_id(&mut tx, draft)
            .await?
            .is_some_and(|r| r.status == Status::Returned);
        if returned || !store::update_draft_touch(&mut tx, draft, customer, now_unix()).await? {
            return Err(ApplicationError::NotEditable);
        }
        let removed = store::remove_document(&mut tx, draft, side).await?;
        record(
            &mut tx,
            customer,
            "application.document_removed",
            Target::application(draft),
            meta,
        )
        .await?;
        tx.commit().await?;
        if let Some(key) = removed {
            self.discard_object(&key).await;
        }
        Ok(())
    }

    /// The customer's draft (or application sent back for correction): `NotFound` without an
    /// application, `NotEditable` once submitted.
    async fn draft_of(&self, customer: CustomerId) -> Result<ApplicationId, ApplicationError> {
        let mut conn = self.db.read().await?;
        match store::latest_of(&mut conn, customer).await? {
            Some(row) if row.status.is_editable() => Ok(row.id),
            Some(row) if row.status.is_open() => Err(ApplicationError::NotEditable),
            _ => Err(ApplicationError::NotFound),
        }
    }

    /// Deletes an object no row refers to; a failure leaves an unreadable orphan, logged.
    async fn discard_object(&self, object_key: &str) {
        if let Err(e) = self.vault.delete(object_key).await {
            tracing::warn!(error = %e, "could not delete a replaced document object");
        }
    }
}

/// An image encrypted and stored, not yet recorded.
#[derive(Clone, Copy)]
struct NewDocument<'a> {
    draft: ApplicationId,
    side: Side,
    id: DocumentId,
    clean: &'a CleanImage,
    stored: &'a documents::StoredDocument,
}

/// Appends a customer's own action to the audit trail.
pub(crate) async fn record(
    tx: &mut platform::db::WriteTx,
    customer: CustomerId,
    action: &'static str,
    target: Target,
    meta: &RequestMeta,
) -> Result<(), ApplicationError> {
    let event = Event::success(Actor::customer(customer), action, target);
    audit::append(tx, &event, meta).await?;
    Ok(())
}
