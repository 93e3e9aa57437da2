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

/// Views of one record less than this many seconds apart belong to one visit: a member of staff
/// paging through a record makes many views within minutes, and the customer should read one
/// row for them, not ten.
pub const VISIT_GAP_SECS: i64 = 30 * 60;

/// Views of one record in one capacity close together in time, as one row of the customer's list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Visit {
    /// In which capacity.
    pub role: ViewerRole,
    /// What.
    pub subject: Subject,
    /// The first view (Unix seconds).
    pub first: i64,
    /// The last view (Unix seconds).
    pub last: i64,
    /// How many views.
    pub views: i64,
}

/// Groups views, given in any order, into visits, newest first. A view joins the latest visit of
/// the same role and subject when it comes less than `gap` seconds after that visit's last view;
/// otherwise it starts a new one. Views of other records in between do not split a visit.
pub fn visits(accesses: &[Access], gap: i64) -> Vec<Visit> {
    let mut ordered = accesses.to_vec();
    ordered.sort_by_key(|a| a.at);
    let mut visits: Vec<Visit> = Vec::new();
    for access in ordered {
        let latest = visits
            .iter_mut()
            .rev()
            .find(|v| v.role == access.role && v.subject == access.subject);
        match latest {
            Some(visit) if access.at - visit.last < gap => {
                visit.last = access.at;
                visit.views += 1;
            }
            _ => visits.push(Visit {
                role: access.role,
                subject: access.subject,
                first: access.at,
                last: access.at,
                views: 1,
            }),
        }
    }
    visits.sort_by(|a, b| b.last.cmp(&a.last).then(b.first.cmp(&a.first)));
    visits
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

#[cfg(test)]
mod tests {
    use super::*;

    fn view(role: ViewerRole, subject: Subject, at: i64) -> Access {
        Access { role, subject, at }
    }

    const T: i64 = 1_780_000_000;

    #[test]
    fn ten_views_within_a_minute_are_one_visit() {
        let views: Vec<Access> = (0..10)
            .map(|i| view(ViewerRole::Operator, Subject::DocumentFront, T + i * 6))
            .rev()
            .collect();
        assert_eq!(
            visits(&views, VISIT_GAP_SECS),
            vec![Visit {
                role: ViewerRole::Operator,
                subject: Subject::DocumentFront,
                first: T,
                last: T + 54,
                views: 10,
            }]
        );
    }

    #[test]
    fn a_gap_of_exactly_the_limit_starts_a_new_visit() {
        let just_inside = [
            view(ViewerRole::Operator, Subject::Profile, T),
            view(
                ViewerRole::Operator,
                Subject::Profile,
                T + VISIT_GAP_SECS - 1,
            ),
        ];
        assert_eq!(visits(&just_inside, VISIT_GAP_SECS).len(), 1);
        let at_the_limit = [
            view(ViewerRole::Operator, Subject::Profile, T),
            view(ViewerRole::Operator, Subject::Profile, T + VISIT_GAP_SECS),
        ];
        let split = visits(&at_the_limit, VISIT_GAP_SECS);
        assert_eq!(split.len(), 2);
        assert_eq!((split[0].first, split[0].views), (T + VISIT_GAP_SECS, 1));
        assert_eq!((split[1].first, split[1].views), (T, 1));
    }

    #[test]
    fn the_gap_counts_from_the_last_view_not_the_first() {
        let chain: Vec<Access> = (0..4)
            .map(|i| view(ViewerRole::Admin, Subject::Application, T + i * 20 * 60))
            .collect();
        let grouped = visits(&chain, VISIT_GAP_SECS);
        assert_eq!(grouped.len(), 1);
        assert_eq!((grouped[0].first, grouped[0].last), (T, T + 60 * 60));
    }

    #[test]
    fn other_roles_and_subjects_are_their_own_visits() {
        let views = [
            view(ViewerRole::Operator, Subject::Profile, T),
            view(ViewerRole::Operator, Subject::Application, T + 10),
            view(ViewerRole::Admin, Subject::Profile, T + 20),
            view(ViewerRole::Operator, Subject::Profile, T + 30),
        ];
        let grouped = visits(&views, VISIT_GAP_SECS);
        assert_eq!(grouped.len(), 3, "{grouped:?}");
        let operator_profile = grouped
            .iter()
            .find(|v| v.role == ViewerRole::Operator && v.subject == Subject::Profile);
        assert_eq!(
            operator_profile.map(|v| (v.first, v.last, v.views)),
            Some((T, T + 30, 2))
        );
        assert_eq!(grouped[0].last, T + 30, "newest visit first");
        assert_eq!(grouped[2].last, T + 10);
    }

    #[test]
    fn no_views_no_visits() {
        assert!(visits(&[], VISIT_GAP_SECS).is_empty());
    }
}
