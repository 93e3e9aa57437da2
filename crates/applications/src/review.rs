//! What an operator opens to review an application: the customer's details, the account with
//! the core banking system's answer about it, the identity-document images and the customer's
//! earlier applications. Each opening is written to the audit trail and to the customer's
//! access record in one transaction before anything is decrypted, so no view goes unrecorded.
//! Drafts are the customer's own business and do not exist for staff.

use core_banking::{CoreBankingError, holder_matches};
use identity::Profile;
use platform::access_log::{self, Access, Subject, ViewerRole};
use platform::audit::{self, Actor, Event, RequestMeta, Target};
use platform::ids::{ApplicationId, CustomerId, DocumentId, StaffId};
use platform::time_util::now_unix;

use crate::Applications;
use crate::error::ApplicationError;
use crate::status::{Side, Status};
use crate::store::{self, AppRow};
use crate::view::{ApplicationView, DocumentImage, open_view};

/// The member of staff looking, and in which capacity.
#[derive(Clone, Copy, Debug)]
pub struct Viewer {
    /// Who (for the audit trail).
    pub staff: StaffId,
    /// The capacity the customer is shown.
    pub role: ViewerRole,
}

/// An application as an operator reviews it.
#[derive(Clone, Debug)]
pub struct Review {
    /// The application, decrypted.
    pub application: ApplicationView,
    /// The applicant's registered details.
    pub customer: Profile,
    /// Whether the applicant already has the premium service.
    pub premium: bool,
    /// The operator working on it, and since when.
    pub assigned: Option<(StaffId, i64)>,
    /// Maker-checker: the operator whose approval waits for a second one, and since when.
    pub proposed: Option<(StaffId, i64)>,
    /// The operator who decided, once decided.
    pub decided_by: Option<String>,
    /// The applicant's other applications, newest first (drafts left out).
    pub earlier: Vec<ApplicationView>,
    /// What the core banking system says about the registered account.
    pub account_check: AccountCheck,
}

/// The core banking system's answer about the registered account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountCheck {
    /// The account exists and its holder is the applicant (by the kana reading).
    Confirmed,
    /// The account exists under another holder name.
    HolderDiffers,
    /// The bank has no such account.
    NotFound,
    /// The account is closed or frozen.
    Closed,
    /// The system did not answer; the operator may reload later.
    Unavailable,
    /// No account was registered.
    Missing,
}

impl AccountCheck {
    /// The stored-style code, also the message key suffix.
    pub fn code(self) -> &'static str {
        match self {
            AccountCheck::Confirmed => "confirmed",
            AccountCheck::HolderDiffers => "holder-differs",
            AccountCheck::NotFound => "not-found",
            AccountCheck::Closed => "closed",
            AccountCheck::Unavailable => "unavailable",
            AccountCheck::Missing => "missing",
        }
    }
}

impl Applications {
    /// Opens an application for review, recording the view first.
    pub async fn review(
        &self,
        id: ApplicationId,
        viewer: Viewer,
        meta: &RequestMeta,
    ) -> Result<Review, ApplicationError> {
        let row = self.visible_to_staff(id).await?;
        self.record_view(
            viewer,
            row.customer,
            Target::application(id),
            "application.viewed",
            Subject::Application,
            meta,
        )
        .await?;
        let customer = self.identity.profile(row.customer).await?;
        let mut conn = self.db.read().await?;
        let key = self.customer_key(&mut conn, row.customer).await?;
        let premium = store::premium_source(&mut conn, row.customer)
            .await?
            .is_some();
        let mut earlier = Vec::new();
        for other in store::all_of(&mut conn, row.customer).await? {
            if other.id != id && other.status != Status::Draft {
                earlier.push(open_view(&key, other, Vec::new())?);
            }
        }
        let docs = store::documents_of(&mut conn, id).await?;
        drop(conn);
        let assigned = row.assigned_to.zip(row.assigned_at);
        let proposed = row.proposed_by.zip(row.proposed_at);
        let decided_by = row.decided_by.clone();
        let application = open_view(&key, row, docs)?;
        let account_check = self.check_account(&application, &customer).await;
        Ok(Review {
            application,
            customer,
            premium,
            assigned,
            proposed,
            decided_by,
            earlier,
            account_check,
        })
    }

    /// One image of an application, decrypted for an operator, recording the view first. A
    /// document of another application is not found, like an unknown one.
    pub async fn staff_document(
        &self,
        id: ApplicationId,
        document: DocumentId,
        viewer: Viewer,
        meta: &RequestMeta,
    ) -> Result<DocumentImage, ApplicationError> {
        let row = self.visible_to_staff(id).await?;
        let doc = {
            let mut conn = self.db.read().await?;
            store::documents_of(&mut conn, id)
                .await?
                .into_iter()
                .find(|d| d.id == document)
                .ok_or(ApplicationError::NotFound)?
        };
        let subject = match doc.side {
            Side::Front => Subject::DocumentFront,
            Side::Back => Subject::DocumentBack,
        };
        self.record_view(
            viewer,
            row.customer,
            Target::document(document),
            "document.viewed",
            subject,
            meta,
        )
        .await?;
        let key = {
            let mut conn = self.db.read().await?;
            self.customer_key(&mut conn, row.customer).await?
        };
        let image = self.vault.get(&key, document, &doc.object_key).await?;
        Ok(DocumentImage {
            content_type: image.kind.mime_type(),
            bytes: image.bytes,
        })
    }

    /// The application if staff may see it at all: sent, whatever happened since.
    async fn visible_to_staff(&self, id: ApplicationId) -> Result<AppRow, ApplicationError> {
        let mut conn = self.db.read().await?;
        store::by_id(&mut conn, id)
            .await?
            .filter(|r| r.status != Status::Draft)
            .ok_or(ApplicationError::NotFound)
    }

    async fn record_view(
        &self,
        viewer: Viewer,
        customer: CustomerId,
        target: Target,
        action: &'static str,
        subject: Subject,
        meta: &RequestMeta,
    ) -> Result<(), ApplicationError> {
        let mut tx = self.db.write().await?;
        let event = Event::success(Actor::staff(viewer.staff), action, target);
        audit::append(&mut tx, &event, meta).await?;
        let access = Access {
            role: viewer.role,
            subject,
            at: now_unix(),
        };
        access_log::record(&mut tx, customer, access).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn check_account(
        &self,
        application: &ApplicationView,
        customer: &Profile,
    ) -> AccountCheck {
        let Some(account) = &application.account else {
            return AccountCheck::Missing;
        };
        match self.banking.account(&account.account).await {
            Ok(Some(found)) if holder_matches(&found.holder, &customer.name_kana) => {
                AccountCheck::Confirmed
            }
            Ok(Some(_)) => AccountCheck::HolderDiffers,
            Ok(None) | Err(CoreBankingError::NotFound) => AccountCheck::NotFound,
            Err(CoreBankingError::Closed) => AccountCheck::Closed,
            Err(e) => {
                tracing::warn!(error = %e, "account check failed");
                AccountCheck::Unavailable
            }
        }
    }
}
