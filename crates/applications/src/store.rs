//! SQL for applications, their documents and entitlements. Every query a customer's request
//! reaches names the customer, so another customer's rows behave as if they did not exist.

use platform::db::{DbError, WriteTx, col};
use platform::ids::{ApplicationId, CustomerId, DocumentId, StaffId};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::status::{Side, Status};

/// An application as stored (account and note still sealed).
pub(crate) struct AppRow {
    pub id: ApplicationId,
    pub customer: CustomerId,
    pub status: Status,
    pub account_enc: Option<Vec<u8>>,
    pub previous: Option<ApplicationId>,
    pub rejection_reason: Option<String>,
    pub rejection_note_enc: Option<Vec<u8>>,
    pub created_at: i64,
    pub submitted_at: Option<i64>,
    pub decided_at: Option<i64>,
    pub decided_by: Option<String>,
    pub assigned_to: Option<StaffId>,
    pub assigned_at: Option<i64>,
    pub proposed_by: Option<StaffId>,
    pub proposed_at: Option<i64>,
}

const APP_COLUMNS: &str = "id, customer_id, status, account_enc, previous_id, rejection_reason, \
     rejection_note_enc, created_at, submitted_at, decided_at, decided_by, assigned_to, assigned_at, \
     approval_proposed_by, approval_proposed_at";

/// A customer's applications, newest first. Timestamps are in seconds, so ties are broken by
/// what the rules guarantee: a new application starts only once the previous one is closed, so
/// the open one is the newest, and of two closed ones the later decided is the newer.
const NEWEST_FIRST: &str = "ORDER BY created_at DESC, \
     CASE WHEN status IN ('draft', 'submitted', 'under_review', 'returned') THEN 0 ELSE 1 END, \
     decided_at DESC, id DESC";

fn corrupt(column: &'static str) -> DbError {
    DbError::Corrupt { column }
}

fn app_row(row: &AnyRow) -> Result<AppRow, DbError> {
    let id: String = col(row, "id")?;
    let customer: String = col(row, "customer_id")?;
    let status: String = col(row, "status")?;
    let previous: Option<String> = col(row, "previous_id")?;
    let staff = |column: &'static str| -> Result<Option<StaffId>, DbError> {
        let value: Option<String> = col(row, column)?;
        value
            .map(|v| v.parse().map_err(|_| corrupt(column)))
            .transpose()
    };
    Ok(AppRow {
        id: id.parse().map_err(|_| corrupt("id"))?,
        customer: customer.parse().map_err(|_| corrupt("customer_id"))?,
        status: Status::from_code(&status).ok_or(corrupt("status"))?,
        account_enc: col(row, "account_enc")?,
        previous: match previous {
            Some(p) => Some(p.parse().map_err(|_| corrupt("previous_id"))?),
            None => None,
        },
        rejection_reason: col(row, "rejection_reason")?,
        rejection_note_enc: col(row, "rejection_note_enc")?,
        created_at: col(row, "created_at")?,
        submitted_at: col(row, "submitted_at")?,
        decided_at: col(row, "decided_at")?,
        decided_by: col(row, "decided_by")?,
        assigned_to: staff("assigned_to")?,
        assigned_at: col(row, "assigned_at")?,
        proposed_by: staff("approval_proposed_by")?,
        proposed_at: col(row, "approval_proposed_at")?,
    })
}

/// Rows of a query with one key parameter, each read by `read`.
async fn keyed<T>(
    conn: &mut AnyConnection,
    sql: &str,
    key: String,
    read: fn(&AnyRow) -> Result<T, DbError>,
) -> Result<Vec<T>, DbError> {
    let rows = sqlx::query(sql).bind(key).fetch_all(&mut *conn).await?;
    rows.iter().map(read).collect()
}

/// The customer's most recent application, open or not.
pub(crate) async fn latest_of(
    conn: &mut AnyConnection,
    customer: CustomerId,
) -> Result<Option<AppRow>, DbError> {
    let sql = format!(
        "SELECT {APP_COLUMNS} FROM applications WHERE customer_id = $1 {NEWEST_FIRST} LIMIT 1"
    );
    Ok(keyed(conn, &sql, customer.to_string(), app_row)
        .await?
        .pop())
}

/// Every application of the customer, newest first.
pub(crate) async fn all_of(
    conn: &mut AnyConnection,
    customer: CustomerId,
) -> Result<Vec<AppRow>, DbError> {
    let sql =
        format!("SELECT {APP_COLUMNS} FROM applications WHERE customer_id = $1 {NEWEST_FIRST}");
    keyed(conn, &sql, customer.to_string(), app_row).await
}

/// One application by ID, whoever it belongs to (staff and command-line use only).
pub(crate) async fn by_id(
    conn: &mut AnyConnection,
    id: ApplicationId,
) -> Result<Option<AppRow>, DbError> {
    let sql = format!("SELECT {APP_COLUMNS} FROM applications WHERE id = $1");
    Ok(keyed(conn, &sql, id.to_string(), app_row).await?.pop())
}

/// Applications matching `filter`, oldest submission first (the operators' queue).
pub(crate) async fn matching(
    conn: &mut AnyConnection,
    filter: &QueueFilter,
) -> Result<Vec<AppRow>, DbError> {
    let n = filter.statuses.len();
    let placeholders: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
    let awaiting = if filter.awaiting_second_approval {
        "AND approval_proposed_by IS NOT NULL"
    } else {
        ""
    };
    let mine = if filter.assigned_to.is_some() {
        format!("AND assigned_to = ${}", n + 3)
    } else {
        String::new()
    };
    let sql = format!(
        "SELECT {APP_COLUMNS} FROM applications WHERE status IN ({}) {awaiting} {mine} \
         AND COALESCE(submitted_at, created_at) <= ${} \
         ORDER BY COALESCE(submitted_at, created_at), id LIMIT ${}",
        placeholders.join(", "),
        n + 1,
        n + 2
    );
    let mut query = sqlx::query(&sql);
    for s in &filter.statuses {
        query = query.bind(s.code());
    }
    query = query
        .bind(filter.submitted_before.unwrap_or(i64::MAX))
        .bind(filter.limit);
    if let Some(staff) = filter.assigned_to {
        query = query.bind(staff.to_string());
    }
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter().map(app_row).collect()
}

/// Hands a submitted or reviewed application to `staff` (and starts the review of a submitted
/// one); false when it is in neither state any more.
pub(crate) async fn assign(
    tx: &mut WriteTx,
    id: ApplicationId,
    staff: StaffId,
    now: i64,
) -> Result<bool, DbError> {
    stamp(
        tx,
        "UPDATE applications SET status = 'under_review', assigned_to = $1, assigned_at = $2, \
         updated_at = $2 WHERE id = $3 AND status IN ('submitted', 'under_review')",
        id,
        staff,
        now,
    )
    .await
}

/// Records the first of two approvals; false when the application is not waiting for a
/// decision or someone proposed first.
pub(crate) async fn propose_approval(
    tx: &mut WriteTx,
    id: ApplicationId,
    staff: StaffId,
    now: i64,
) -> Result<bool, DbError> {
    stamp(
        tx,
        "UPDATE applications SET status = 'under_review', approval_proposed_by = $1, \
         approval_proposed_at = $2, updated_at = $2 \
         WHERE id = $3 AND status IN ('submitted', 'under_review') AND approval_proposed_by IS NULL",
        id,
        staff,
        now,
    )
    .await
}

/// Sends an approved application back to the queue, as if just submitted: assignment,
/// proposal and decision are cleared, and the premium entitlement it granted ends. False when
/// it was not approved.
pub(crate) async fn reopen(
    tx: &mut WriteTx,
    id: ApplicationId,
    customer: CustomerId,
    now: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE applications SET status = 'submitted', submitted_at = $1, updated_at = $1, \
         decided_at = NULL, decided_by = NULL, assigned_to = NULL, \
         approval_proposed_by = NULL, approval_proposed_at = NULL \
         WHERE id = $2 AND status = 'approved'",
    )
    .bind(now)
    .bind(id.to_string())
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query(
        "DELETE FROM entitlements WHERE customer_id = $1 AND name = 'premium' AND application_id = $2",
    )
    .bind(customer.to_string())
    .bind(id.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

/// Runs an update that records `staff` at `now` ($1, $2) on application `id` ($3); true when
/// the row was in a state the update allows.
async fn stamp(
    tx: &mut WriteTx,
    sql: &str,
    id: ApplicationId,
    staff: StaffId,
    now: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(sql)
        .bind(staff.to_string())
        .bind(now)
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// How many submitted applications nobody has opened.
pub(crate) async fn unopened_count(conn: &mut AnyConnection) -> Result<i64, DbError> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM applications WHERE status = 'submitted' AND assigned_to IS NULL",
    )
    .fetch_one(&mut *conn)
    .await?;
    col(&row, "n")
}

/// Starts a draft; a unique violation means the customer already has an open application.
pub(crate) async fn insert_draft(
    tx: &mut WriteTx,
    id: ApplicationId,
    customer: CustomerId,
    account_enc: &[u8],
    previous: Option<ApplicationId>,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO applications (id, customer_id, status, account_enc, previous_id, created_at, updated_at) \
         VALUES ($1, $2, 'draft', $3, $4, $5, $5)",
    )
    .bind(id.to_string())
    .bind(customer.to_string())
    .bind(account_enc.to_vec())
    .bind(previous.map(|p| p.to_string()))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Replaces the account of a draft; false when it is no longer a draft of this customer.
pub(crate) async fn update_draft_account(
    tx: &mut WriteTx,
    id: ApplicationId,
    customer: CustomerId,
    account_enc: &[u8],
    now: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE applications SET account_enc = $1, updated_at = $2 \
         WHERE id = $3 AND customer_id = $4 AND status IN ('draft', 'returned')",
    )
    .bind(account_enc.to_vec())
    .bind(now)
    .bind(id.to_string())
    .bind(customer.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Which applications the operators' queue lists.
#[derive(Clone, Debug)]
pub struct QueueFilter {
    /// In any of these states.
    pub statuses: Vec<Status>,
    /// Only those with an approval waiting for a second operator.
    pub awaiting_second_approval: bool,
    /// Only those assigned to this operator.
    pub assigned_to: Option<StaffId>,
    /// Only those sent (or started) at or before this time (Unix seconds).
    pub submitted_before: Option<i64>,
    /// At most this many.
    pub limit: i64,
}

/// What a state change writes besides the state.
#[derive(Default)]
pub(crate) struct Change<'a> {
    pub submitted_at: Option<i64>,
    pub decided_at: Option<i64>,
    pub decided_by: Option<&'a str>,
    pub rejection_reason: Option<&'a str>,
    pub rejection_note_enc: Option<Vec<u8>>,
}

/// Moves an application from one of `from` to `to`; false when it was in none of them (someone
/// else decided first, or it was never in a state allowing this).
pub(crate) async fn transition(
    tx: &mut WriteTx,
    id: ApplicationId,
    from: &[Status],
    to: Status,
    change: Change<'_>,
    now: i64,
) -> Result<bool, DbError> {
    let placeholders: Vec<String> = (0..from.len()).map(|i| format!("${}", i + 9)).collect();
    let sql = format!(
        "UPDATE applications SET status = $1, updated_at = $2, \
         submitted_at = COALESCE($3, submitted_at), decided_at = COALESCE($4, decided_at), \
         decided_by = COALESCE($5, decided_by), rejection_reason = COALESCE($6, rejection_reason), \
         rejection_note_enc = COALESCE($7, rejection_note_enc) \
         WHERE id = $8 AND status IN ({})",
        placeholders.join(", ")
    );
    let mut query = sqlx::query(&sql)
        .bind(to.code())
        .bind(now)
        .bind(change.submitted_at)
        .bind(change.decided_at)
        .bind(change.decided_by.map(str::to_owned))
        .bind(change.rejection_reason.map(str::to_owned))
        .bind(change.rejection_note_enc)
        .bind(id.to_string());
    for s in from {
        query = query.bind(s.code());
    }
    Ok(query.execute(&mut **tx).await?.rows_affected() == 1)
}

/// A document as stored.
#[derive(Clone, Debug)]
pub(crate) struct DocRow {
    pub id: DocumentId,
    pub application: ApplicationId,
    pub side: Side,
    pub kind: String,
    pub object_key: String,
    pub size_bytes: i64,
    pub width: i64,
    pub height: i64,
    pub uploaded_at: i64,
}

const DOC_COLUMNS: &str =
    "id, application_id, side, kind, object_key, size_bytes, width, height, uploaded_at";

fn doc_row(row: &AnyRow) -> Result<DocRow, DbError> {
    let id: String = col(row, "id")?;
    let application: String = col(row, "application_id")?;
    let side: String = col(row, "side")?;
    Ok(DocRow {
        id: id.parse().map_err(|_| corrupt("id"))?,
        application: application.parse().map_err(|_| corrupt("application_id"))?,
        side: Side::from_code(&side).ok_or(corrupt("side"))?,
        kind: col(row, "kind")?,
        object_key: col(row, "object_key")?,
        size_bytes: col(row, "size_bytes")?,
        width: col(row, "width")?,
        height: col(row, "height")?,
        uploaded_at: col(row, "uploaded_at")?,
    })
}

/// The current documents of an application (not those sent back), front first.
pub(crate) async fn documents_of(
    conn: &mut AnyConnection,
    application: ApplicationId,
) -> Result<Vec<DocRow>, DbError> {
    let sql = format!(
        "SELECT {DOC_COLUMNS} FROM application_documents WHERE application_id = $1 \
         AND returned_at IS NULL ORDER BY side DESC"
    );
    keyed(conn, &sql, application.to_string(), doc_row).await
}

/// Documents of an application that were sent back for correction, oldest first, with when.
pub(crate) async fn returned_documents_of(
    conn: &mut AnyConnection,
    application: ApplicationId,
) -> Result<Vec<(DocRow, i64)>, DbError> {
    let sql = format!(
        "SELECT {DOC_COLUMNS}, returned_at FROM application_documents WHERE application_id = $1 \
         AND returned_at IS NOT NULL ORDER BY returned_at, side DESC"
    );
    let rows = sqlx::query(&sql)
        .bind(application.to_string())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|row| Ok((doc_row(row)?, col(row, "returned_at")?)))
        .collect()
}

/// Sends a submitted or reviewed application back to its customer, clearing assignment and
/// any proposed approval; false when it is in neither state any more.
pub(crate) async fn send_back(
    tx: &mut WriteTx,
    id: ApplicationId,
    now: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE applications SET status = 'returned', updated_at = $1, assigned_to = NULL, \
         assigned_at = NULL, approval_proposed_by = NULL, approval_proposed_at = NULL \
         WHERE id = $2 AND status IN ('submitted', 'under_review')",
    )
    .bind(now)
    .bind(id.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks the current document on `side` as sent back (kept for the history); false when there
/// is none.
pub(crate) async fn return_document(
    tx: &mut WriteTx,
    application: ApplicationId,
    side: Side,
    now: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE application_documents SET returned_at = $1 \
         WHERE application_id = $2 AND side = $3 AND returned_at IS NULL",
    )
    .bind(now)
    .bind(application.to_string())
    .bind(side.code())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One document of one customer.
pub(crate) async fn document_of(
    conn: &mut AnyConnection,
    customer: CustomerId,
    id: DocumentId,
) -> Result<Option<DocRow>, DbError> {
    let sql = format!(
        "SELECT {DOC_COLUMNS} FROM application_documents WHERE id = $1 AND customer_id = $2"
    );
    let row = sqlx::query(&sql)
        .bind(id.to_string())
        .bind(customer.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(doc_row).transpose()
}

/// Removes the document on `side` of a draft; returns its object key to delete after commit.
pub(crate) async fn remove_document(
    tx: &mut WriteTx,
    application: ApplicationId,
    side: Side,
) -> Result<Option<String>, DbError> {
    let row = sqlx::query(
        "SELECT object_key FROM application_documents WHERE application_id = $1 AND side = $2 \
         AND returned_at IS NULL",
    )
    .bind(application.to_string())
    .bind(side.code())
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    sqlx::query(
        "DELETE FROM application_documents WHERE application_id = $1 AND side = $2 \
         AND returned_at IS NULL",
    )
    .bind(application.to_string())
    .bind(side.code())
    .execute(&mut **tx)
    .await?;
    Ok(Some(col(&row, "object_key")?))
}

/// Records a stored document.
pub(crate) async fn insert_document(
    tx: &mut WriteTx,
    customer: CustomerId,
    doc: &DocRow,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO application_documents (id, application_id, customer_id, side, kind, object_key, \
         size_bytes, width, height, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(doc.id.to_string())
    .bind(doc.application.to_string())
    .bind(customer.to_string())
    .bind(doc.side.code())
    .bind(doc.kind.clone())
    .bind(doc.object_key.clone())
    .bind(doc.size_bytes)
    .bind(doc.width)
    .bind(doc.height)
    .bind(doc.uploaded_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Grants the premium entitlement (once; a repeat is a no-op).
pub(crate) async fn grant_premium(
    tx: &mut WriteTx,
    customer: CustomerId,
    application: ApplicationId,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO entitlements (customer_id, name, application_id, granted_at) VALUES ($1, 'premium', $2, $3) \
         ON CONFLICT (customer_id, name) DO NOTHING",
    )
    .bind(customer.to_string())
    .bind(application.to_string())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The application that granted premium, if the customer has it.
pub(crate) async fn premium_source(
    conn: &mut AnyConnection,
    customer: CustomerId,
) -> Result<Option<ApplicationId>, DbError> {
    let row = sqlx::query(
        "SELECT application_id FROM entitlements WHERE customer_id = $1 AND name = 'premium'",
    )
    .bind(customer.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(row) => {
            let id: String = col(&row, "application_id")?;
            Ok(Some(id.parse().map_err(|_| corrupt("application_id"))?))
        }
        None => Ok(None),
    }
}

/// Marks a draft of this customer as changed; false when it is no longer a draft (a submit
/// raced ahead), so the caller must not attach anything to it.
pub(crate) async fn update_draft_touch(
    tx: &mut WriteTx,
    id: ApplicationId,
    customer: CustomerId,
    now: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE applications SET updated_at = $1 WHERE id = $2 AND customer_id = $3 \
         AND status IN ('draft', 'returned')",
    )
    .bind(now)
    .bind(id.to_string())
    .bind(customer.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
