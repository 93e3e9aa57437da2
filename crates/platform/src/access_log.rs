//! Access transparency: which staff role looked at which of a customer's records, and when.
//! Customers read this list on their own pages; it names the role, never the person (the audit
//! trail, written in the same transaction, holds who). Rows go with the customer when their
//! account is deleted.

use sqlx::AnyConnection;

use crate::db::{DbError, WriteTx, col};
use crate::ids::CustomerId;

/// The capacity in which a member of staff looked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewerRole {
    /// A business operator (back office).
    Operator,
    /// A system administrator (operations console).
    Admin,
}

impl ViewerRole {
    /// The stored code, also the key of the role's name in the message catalog (`role-…`).
    pub fn code(self) -> &'static str {
        match self {
            ViewerRole::Operator => "operator",
            ViewerRole::Admin => "admin",
        }
    }

    fn parse(code: &str) -> Option<Self> {
        [ViewerRole::Operator, ViewerRole::Admin]
            .into_iter()
            .find(|r| r.code() == code)
    }
}

/// Which record was viewed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// Registered details (name, reading, date of birth, e-mail address).
    Profile,
    /// An application with its bank account.
    Application,
    /// The front of an identity document.
    DocumentFront,
    /// The back of an identity document.
    DocumentBack,
}

impl Subject {
    /// The stored code, also the key suffix of its name in the message catalog (`access-…`).
    pub fn code(self) -> &'static str {
        match self {
            Subject::Profile => "profile",
            Subject::Application => "application",
            Subject::DocumentFront => "document_front",
            Subject::DocumentBack => "document_back",
        }
    }

    fn parse(code: &str) -> Option<Self> {
        [
            Subject::Profile,
            Subject::Application,
            Subject::DocumentFront,
            Subject::DocumentBack,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// One view, as the customer is shown it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Access {
    /// In which capacity.
    pub role: ViewerRole,
    /// What.
    pub subject: Subject,
    /// When (Unix seconds).
    pub at: i64,
}

/// Records a view; call in the transaction that writes the matching audit entry.
pub async fn record(tx: &mut WriteTx, customer: CustomerId, access: Access) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO staff_access (id, customer_id, staff_role, subject, at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(customer.to_string())
    .bind(access.role.code())
    .bind(access.subject.code())
    .bind(access.at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The customer's most recent `limit` views, newest first.
pub async fn of_customer(
    conn: &mut AnyConnection,
    customer: CustomerId,
    limit: i64,
) -> Result<Vec<Access>, DbError> {
    let rows = sqlx::query(
        "SELECT staff_role, subject, at FROM staff_access WHERE customer_id = $1 \
         ORDER BY at DESC, id LIMIT $2",
    )
    .bind(customer.to_string())
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            let role: String = col(row, "staff_role")?;
            let subject: String = col(row, "subject")?;
            Ok(Access {
                role: ViewerRole::parse(&role).ok_or(DbError::Corrupt {
                    column: "staff_role",
                })?,
                subject: Subject::parse(&subject).ok_or(DbError::Corrupt { column: "subject" })?,
                at: col(row, "at")?,
            })
        })
        .collect()
}
