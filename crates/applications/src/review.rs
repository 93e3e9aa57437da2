//! What an operator opens to review an application: the customer's details, the account with
//! the core banking system's answer about it, the identity-document images and the customer's
//! earlier applications. Each opening is written to the audit trail and to the customer's
//! access record in one transaction before anything is decrypted, so no view goes unrecorded.
//! Drafts are the customer's own business and do not exist for staff.

use core_banking::{Account, CoreBankingError, holder_matches};
use identity::Profile;
use platform::access_log::{self, Access, Subject, ViewerRole};
use platform::audit::{self, Actor, Event, RequestMeta, Target};
use platform::ids::{ApplicationId, CustomerId, DocumentId, StaffId};
use platform::time_util::now_unix;

use crate::account::BankAccount;
use crate::comparison::Comparison;
use crate::error::ApplicationError;
use crate::events::{self, EventKind, TimelineEntry};
use crate::status::{Side, Status};
use crate::store::{self, AppRow};
use crate::view::{ApplicationView, DocumentImage, DocumentInfo, document_info, open_view};
use crate::{Applications, account_aad};

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
    /// What the customer entered beside what the core banking system holds, row by row.
    pub comparison: Comparison,
    /// Every step taken on this application, oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// Documents sent back for correction, kept for the history, with when they were sent back.
    pub returned_documents: Vec<(DocumentInfo, i64)>,
}

impl Review {
    /// The written reason of the override proposal that waits for a second operator, if the
    /// pending proposal is one.
    pub fn pending_override(&self) -> Option<&str> {
        self.proposed?;
        self.timeline
            .iter()
            .rev()
            .find(|e| {
                matches!(
                    e.kind,
                    EventKind::OverrideProposed | EventKind::ApprovalProposed
                )
            })
            .filter(|e| e.kind == EventKind::OverrideProposed)
            .and_then(|e| e.reason.as_deref())
    }
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
        let timeline = events::of(&mut conn, &key, id).await?;
        let returned_documents = store::returned_documents_of(&mut conn, id)
            .await?
            .into_iter()
            .map(|(d, at)| (document_info(d), at))
            .collect();
        drop(conn);
        let assigned = row.assigned_to.zip(row.assigned_at);
        let proposed = row.proposed_by.zip(row.proposed_at);
        let decided_by = row.decided_by.clone();
        let application = open_view(&key, row, docs)?;
        let (account_check, bank) = self
            .check_account(application.account.as_ref(), &customer)
            .await;
        let comparison = Comparison::of(
            &customer,
            application.account.as_ref(),
            account_check,
            bank.as_ref(),
        );
        Ok(Review {
            application,
            customer,
            premium,
            assigned,
            proposed,
            decided_by,
            earlier,
            account_check,
            comparison,
            timeline,
            returned_documents,
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
            let current = store::documents_of(&mut conn, id).await?;
            let returned = store::returned_documents_of(&mut conn, id).await?;
            current
                .into_iter()
                .chain(returned.into_iter().map(|(d, _)| d))
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

    /// The comparison as it stands now, for a decision: the decision never trusts what a
    /// page showed earlier.
    pub(crate) async fn comparison_of(&self, row: &AppRow) -> Result<Comparison, ApplicationError> {
        let customer = self.identity.profile(row.customer).await?;
        let account = match &row.account_enc {
            Some(sealed) => {
                let mut conn = self.db.read().await?;
                let key = self.customer_key(&mut conn, row.customer).await?;
                drop(conn);
                Some(
                    BankAccount::from_plain(&key.open(sealed, &account_aad(row.id))?)
                        .ok_or(platform::crypto::CryptoError::Format)?,
                )
            }
            None => None,
        };
        let (check, bank) = self.check_account(account.as_ref(), &customer).await;
        Ok(Comparison::of(
            &customer,
            account.as_ref(),
            check,
            bank.as_ref(),
        ))
    }

    async fn check_account(
        &self,
        account: Option<&BankAccount>,
        customer: &Profile,
    ) -> (AccountCheck, Option<Account>) {
        let Some(account) = account else {
            return (AccountCheck::Missing, None);
        };
        match self.banking.account(&account.account).await {
            Ok(Some(found)) if holder_matches(&found.holder, &customer.name_kana) => {
                (AccountCheck::Confirmed, Some(found))
            }
            Ok(Some(found)) => (AccountCheck::HolderDiffers, Some(found)),
            Ok(None) | Err(CoreBankingError::NotFound) => (AccountCheck::NotFound, None),
            Err(CoreBankingError::Closed) => (AccountCheck::Closed, None),
            Err(e) => {
                tracing::warn!(error = %e, "account check failed");
                (AccountCheck::Unavailable, None)
            }
        }
    }
}
