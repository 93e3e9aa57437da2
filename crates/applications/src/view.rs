//! Reading applications: the customer's own (decrypted for them), their document images, and
//! the operators' queue (identifiers and states only, no personal data). What operators open
//! with personal data in it is in [`crate::review`].

use platform::crypto::DataKey;
use platform::ids::{ApplicationId, CustomerId, DocumentId, StaffId};

use crate::account::BankAccount;
use crate::error::ApplicationError;
use crate::events::{self, EventKind};
use crate::sendback::SentBack;
use crate::status::{RejectionReason, Side, Status};
use crate::store::{self, AppRow, DocRow, QueueFilter};
use crate::{Applications, account_aad, note_aad, reception_number};

/// One application as its customer sees it.
#[derive(Clone, Debug)]
pub struct ApplicationView {
    /// Identifier.
    pub id: ApplicationId,
    /// Reception number quoted in mails.
    pub number: String,
    /// Where it stands.
    pub status: Status,
    /// The registered account, once entered.
    pub account: Option<BankAccount>,
    /// Uploaded images, front first.
    pub documents: Vec<DocumentInfo>,
    /// Why it was rejected, if it was.
    pub rejection: Option<Rejection>,
    /// What to correct and why, while it is sent back for correction.
    pub returned: Option<SentBack>,
    /// The application this one follows after a rejection.
    pub previous: Option<ApplicationId>,
    /// Started (Unix seconds).
    pub created_at: i64,
    /// Sent to the bank.
    pub submitted_at: Option<i64>,
    /// Decided.
    pub decided_at: Option<i64>,
}

/// A rejection as the customer reads it.
#[derive(Clone, Debug)]
pub struct Rejection {
    /// Reason from the list.
    pub reason: RejectionReason,
    /// The operator's note (may be empty).
    pub note: String,
}

/// An uploaded image, without its content.
#[derive(Clone, Debug)]
pub struct DocumentInfo {
    /// Identifier (for the customer's own preview).
    pub id: DocumentId,
    /// Which side.
    pub side: Side,
    /// Size after cleaning.
    pub size_bytes: i64,
    /// Pixels.
    pub width: i64,
    /// Pixels.
    pub height: i64,
    /// When (Unix seconds).
    pub uploaded_at: i64,
}

/// A decrypted image with its media type.
pub struct DocumentImage {
    /// `image/jpeg` or `image/png`.
    pub content_type: &'static str,
    /// The cleaned image.
    pub bytes: Vec<u8>,
}

/// One line of the operators' queue.
#[derive(Clone, Debug)]
pub struct QueueItem {
    /// Identifier.
    pub id: ApplicationId,
    /// Reception number.
    pub number: String,
    /// Whose it is.
    pub customer: CustomerId,
    /// Where it stands.
    pub status: Status,
    /// Sent (Unix seconds).
    pub submitted_at: Option<i64>,
    /// Decided (Unix seconds).
    pub decided_at: Option<i64>,
    /// Number of images.
    pub documents: usize,
    /// The operator working on it.
    pub assigned_to: Option<StaffId>,
    /// Maker-checker: the operator whose approval waits for a second one.
    pub proposed_by: Option<StaffId>,
}

impl Applications {
    /// The customer's latest application, if any.
    pub async fn current(
        &self,
        customer: CustomerId,
    ) -> Result<Option<ApplicationView>, ApplicationError> {
        let mut conn = self.db.read().await?;
        let Some(row) = store::latest_of(&mut conn, customer).await? else {
            return Ok(None);
        };
        let key = self.customer_key(&mut conn, customer).await?;
        let docs = store::documents_of(&mut conn, row.id).await?;
        let mut view = open_view(&key, row, docs)?;
        view.returned = sent_back(&mut conn, &key, &view).await?;
        Ok(Some(view))
    }

    /// Every application of the customer, newest first.
    pub async fn history(
        &self,
        customer: CustomerId,
    ) -> Result<Vec<ApplicationView>, ApplicationError> {
        let mut conn = self.db.read().await?;
        let rows = store::all_of(&mut conn, customer).await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let key = self.customer_key(&mut conn, customer).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let docs = store::documents_of(&mut conn, row.id).await?;
            let mut view = open_view(&key, row, docs)?;
            view.returned = sent_back(&mut conn, &key, &view).await?;
            out.push(view);
        }
        Ok(out)
    }

    /// One of the customer's own images, decrypted; another customer's ID is not found.
    pub async fn document_image(
        &self,
        customer: CustomerId,
        id: DocumentId,
    ) -> Result<DocumentImage, ApplicationError> {
        let (doc, key) = {
            let mut conn = self.db.read().await?;
            let doc = store::document_of(&mut conn, customer, id)
                .await?
                .ok_or(ApplicationError::NotFound)?;
            (doc, self.customer_key(&mut conn, customer).await?)
        };
        let image = self.vault.get(&key, id, &doc.object_key).await?;
        Ok(DocumentImage {
            content_type: image.kind.mime_type(),
            bytes: image.bytes,
        })
    }

    /// Applications matching `filter`, oldest first.
    pub async fn queue(&self, filter: &QueueFilter) -> Result<Vec<QueueItem>, ApplicationError> {
        let mut conn = self.db.read().await?;
        let rows = store::matching(&mut conn, filter).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let documents = store::documents_of(&mut conn, row.id).await?.len();
            out.push(QueueItem {
                id: row.id,
                number: reception_number(row.id),
                customer: row.customer,
                status: row.status,
                submitted_at: row.submitted_at,
                decided_at: row.decided_at,
                documents,
                assigned_to: row.assigned_to,
                proposed_by: row.proposed_by,
            });
        }
        Ok(out)
    }

    /// Submitted applications no operator has opened yet: the back office's badge.
    pub async fn unopened_count(&self) -> Result<i64, ApplicationError> {
        let mut conn = self.db.read().await?;
        Ok(store::unopened_count(&mut conn).await?)
    }

    /// Whether the customer has the premium service.
    pub async fn is_premium(&self, customer: CustomerId) -> Result<bool, ApplicationError> {
        let mut conn = self.db.read().await?;
        Ok(store::premium_source(&mut conn, customer).await?.is_some())
    }
}

pub(crate) fn document_info(d: DocRow) -> DocumentInfo {
    DocumentInfo {
        id: d.id,
        side: d.side,
        size_bytes: d.size_bytes,
        width: d.width,
        height: d.height,
        uploaded_at: d.uploaded_at,
    }
}

/// The latest send-back of an application that waits for the customer's correction.
pub(crate) async fn sent_back(
    conn: &mut sqlx::AnyConnection,
    key: &DataKey,
    view: &ApplicationView,
) -> Result<Option<SentBack>, ApplicationError> {
    if view.status != Status::Returned {
        return Ok(None);
    }
    let steps = events::of(conn, key, view.id).await?;
    Ok(steps
        .into_iter()
        .rev()
        .find(|e| e.kind == EventKind::Returned)
        .and_then(|e| {
            Some(SentBack {
                item: e.item?,
                reason: e.reason.unwrap_or_default(),
                at: e.at,
            })
        }))
}

pub(crate) fn open_view(
    key: &DataKey,
    row: AppRow,
    docs: Vec<DocRow>,
) -> Result<ApplicationView, ApplicationError> {
    let account = match &row.account_enc {
        Some(sealed) => Some(
            BankAccount::from_plain(&key.open(sealed, &account_aad(row.id))?)
                .ok_or(platform::crypto::CryptoError::Format)?,
        ),
        None => None,
    };
    let rejection = match (&row.rejection_reason, &row.rejection_note_enc) {
        (Some(code), sealed) => Some(Rejection {
            reason: RejectionReason::from_code(code).unwrap_or(RejectionReason::Other),
            note: match sealed {
                Some(s) => key.open_string(s, &note_aad(row.id))?,
                None => String::new(),
            },
        }),
        _ => None,
    };
    Ok(ApplicationView {
        id: row.id,
        number: reception_number(row.id),
        status: row.status,
        account,
        documents: docs.into_iter().map(document_info).collect(),
        rejection,
        returned: None,
        previous: row.previous,
        created_at: row.created_at,
        submitted_at: row.submitted_at,
        decided_at: row.decided_at,
    })
}
