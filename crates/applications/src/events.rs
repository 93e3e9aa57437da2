//! The review's history: each step operators took on an application, kept in order so the
//! review page can show the whole story (who proposed, with which reason, who approved or
//! rejected), even after the application is decided. Written in the same transaction as the
//! step itself and its audit entry.

use platform::crypto::DataKey;
use platform::db::{DbError, WriteTx, col};
use platform::ids::{ApplicationId, CustomerId, StaffId};
use sqlx::AnyConnection;

use crate::error::ApplicationError;
use crate::status::ReturnedItem;

/// One step to record: what, by whom (none for the customer), and for a send-back which item.
pub(crate) struct Step<'a> {
    pub kind: EventKind,
    pub staff: Option<StaffId>,
    pub item: Option<ReturnedItem>,
    pub reason: Option<&'a str>,
}

impl<'a> Step<'a> {
    /// A step an operator took.
    pub(crate) fn staff(kind: EventKind, staff: StaffId, reason: Option<&'a str>) -> Self {
        Self {
            kind,
            staff: Some(staff),
            item: None,
            reason,
        }
    }
}

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// An approval was proposed and waits for a second operator (maker-checker).
    ApprovalProposed,
    /// An approval over a difference from the core banking system was proposed, with a
    /// written reason; a second operator must confirm it.
    OverrideProposed,
    /// Approved.
    Approved,
    /// Rejected.
    Rejected,
    /// Sent back to the customer for correction, with the item and the reason.
    Returned,
    /// Sent again by the customer after a correction.
    Resubmitted,
    /// Taken over from a colleague, with the reason.
    Reassigned,
}

impl EventKind {
    const ALL: [EventKind; 7] = [
        EventKind::ApprovalProposed,
        EventKind::OverrideProposed,
        EventKind::Approved,
        EventKind::Rejected,
        EventKind::Returned,
        EventKind::Resubmitted,
        EventKind::Reassigned,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            EventKind::ApprovalProposed => "approval_proposed",
            EventKind::OverrideProposed => "override_proposed",
            EventKind::Approved => "approved",
            EventKind::Rejected => "rejected",
            EventKind::Returned => "returned",
            EventKind::Resubmitted => "resubmitted",
            EventKind::Reassigned => "reassigned",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// One step of the history, decrypted.
#[derive(Clone, Debug)]
pub struct TimelineEntry {
    /// What happened.
    pub kind: EventKind,
    /// The operator who did it (none for the customer's own steps).
    pub staff: Option<StaffId>,
    /// What was sent back, for a send-back.
    pub item: Option<ReturnedItem>,
    /// The operator's written reason (override proposals and send-backs).
    pub reason: Option<String>,
    /// When (Unix seconds).
    pub at: i64,
}

fn reason_aad(application: ApplicationId, event: &str) -> Vec<u8> {
    format!("application:{application}/event:{event}/reason").into_bytes()
}

/// Records a step, numbered after the application's last one (callers hold the application's
/// row, changed earlier in the same transaction, so two steps never take one number); `reason`
/// is sealed with the customer's key.
pub(crate) async fn record(
    tx: &mut WriteTx,
    key: &DataKey,
    (application, customer): (ApplicationId, CustomerId),
    step: &Step<'_>,
    now: i64,
) -> Result<(), DbError> {
    let id = ApplicationId::new().to_string();
    let sealed = step
        .reason
        .map(|r| key.seal(r.as_bytes(), &reason_aad(application, &id)));
    sqlx::query(
        "INSERT INTO application_events (id, application_id, customer_id, seq, kind, staff_id, item, reason_enc, created_at) \
         VALUES ($1, $2, $3, (SELECT COALESCE(MAX(seq), 0) + 1 FROM application_events WHERE application_id = $2), \
         $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(application.to_string())
    .bind(customer.to_string())
    .bind(step.kind.code())
    .bind(step.staff.map(|s| s.to_string()))
    .bind(step.item.map(|i| i.code().to_owned()))
    .bind(sealed)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The steps of an application, oldest first.
pub(crate) async fn of(
    conn: &mut AnyConnection,
    key: &DataKey,
    application: ApplicationId,
) -> Result<Vec<TimelineEntry>, ApplicationError> {
    let rows = sqlx::query(
        "SELECT id, kind, staff_id, item, reason_enc, created_at FROM application_events \
         WHERE application_id = $1 ORDER BY seq",
    )
    .bind(application.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: String = col(row, "id")?;
        let kind: String = col(row, "kind")?;
        let staff: Option<String> = col(row, "staff_id")?;
        let item: Option<String> = col(row, "item")?;
        let sealed: Option<Vec<u8>> = col(row, "reason_enc")?;
        out.push(TimelineEntry {
            kind: EventKind::from_code(&kind).ok_or(DbError::Corrupt { column: "kind" })?,
            staff: staff.and_then(|s| s.parse().ok()),
            item: item.as_deref().and_then(ReturnedItem::from_code),
            reason: match sealed {
                Some(s) => Some(key.open_string(&s, &reason_aad(application, &id))?),
                None => None,
            },
            at: col(row, "created_at")?,
        });
    }
    Ok(out)
}
