//! The work waiting for one operator, as the staff home counts it (their own cases still open,
//! the new ones nobody has taken, the approvals others proposed that only a second operator can
//! confirm), "next case", which hands an operator the oldest new application, and the automatic
//! assignment of each submission to the least busy operator when the bank turns it on.

use identity::staff::StaffRole;
use platform::audit::{self, Actor, Event, RequestMeta, Target};
use platform::db::{DbError, WriteTx, col};
use platform::ids::{ApplicationId, StaffId};
use platform::time_util::now_unix;

use crate::{ApplicationError, Applications};

/// Counts of open work for one operator.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Workload {
    /// Open applications assigned to the operator.
    pub mine: i64,
    /// Submitted applications nobody has opened.
    pub new: i64,
    /// Approvals proposed by another operator, waiting for a second one.
    pub awaiting_confirmation: i64,
}

impl Applications {
    /// The work waiting for `staff`, in one read.
    pub async fn workload(&self, staff: StaffId) -> Result<Workload, ApplicationError> {
        let mut conn = self.db.read().await?;
        let row = sqlx::query(
            "SELECT \
               COALESCE(SUM(CASE WHEN assigned_to = $1 THEN 1 ELSE 0 END), 0) AS mine, \
               COALESCE(SUM(CASE WHEN status = 'submitted' AND assigned_to IS NULL THEN 1 ELSE 0 END), 0) AS new, \
               COALESCE(SUM(CASE WHEN approval_proposed_by IS NOT NULL AND approval_proposed_by <> $1 THEN 1 ELSE 0 END), 0) AS awaiting \
             FROM applications WHERE status IN ('submitted', 'under_review')",
        )
        .bind(staff.to_string())
        .fetch_one(&mut *conn)
        .await
        .map_err(DbError::from)?;
        Ok(Workload {
            mine: col(&row, "mine")?,
            new: col(&row, "new")?,
            awaiting_confirmation: col(&row, "awaiting")?,
        })
    }
}

/// What "next case" did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextCase {
    /// The oldest new application is now the operator's.
    Assigned(ApplicationId),
    /// No new application is waiting.
    NoneWaiting,
    /// The operator already holds as many open cases as one may.
    AtCap,
}

impl Applications {
    /// Gives `staff` the oldest new application nobody has taken, unless they already hold
    /// `cap` open ones. Two operators asking at once get different applications: the claim only
    /// succeeds on a row still unassigned, and a lost race tries the next one.
    pub async fn take_next(
        &self,
        staff: StaffId,
        cap: u32,
        meta: &RequestMeta,
    ) -> Result<NextCase, ApplicationError> {
        let mut tx = self.db.write().await?;
        let held = open_cases_by_operator(&mut tx).await?;
        if held.get(&staff).copied().unwrap_or(0) >= i64::from(cap) {
            return Ok(NextCase::AtCap);
        }
        for _ in 0..CLAIM_ATTEMPTS {
            let Some(row) = sqlx::query(
                "SELECT id FROM applications WHERE status = 'submitted' AND assigned_to IS NULL \
                 ORDER BY submitted_at, id LIMIT 1",
            )
            .fetch_optional(&mut *tx)
            .await
            .map_err(DbError::from)?
            else {
                return Ok(NextCase::NoneWaiting);
            };
            let id: ApplicationId = col::<String>(&row, "id")?
                .parse()
                .map_err(|_| ApplicationError::NotFound)?;
            let now = now_unix();
            let claimed = sqlx::query(
                "UPDATE applications SET status = 'under_review', assigned_to = $1, \
                 assigned_at = $2, updated_at = $2 \
                 WHERE id = $3 AND status = 'submitted' AND assigned_to IS NULL",
            )
            .bind(staff.to_string())
            .bind(now)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(DbError::from)?;
            if claimed.rows_affected() == 1 {
                let event = Event::success(
                    Actor::staff(staff),
                    "application.review_started",
                    Target::application(id),
                );
                audit::append(&mut tx, &event, meta).await?;
                tx.commit().await?;
                return Ok(NextCase::Assigned(id));
            }
        }
        Ok(NextCase::NoneWaiting)
    }

    /// When each open (submitted or under review) application was submitted, for the
    /// service-level clock's overdue count.
    pub async fn open_submission_times(&self) -> Result<Vec<i64>, ApplicationError> {
        let mut conn = self.db.read().await?;
        let rows = sqlx::query(
            "SELECT submitted_at FROM applications \
             WHERE status IN ('submitted', 'under_review') AND submitted_at IS NOT NULL",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(DbError::from)?;
        rows.iter()
            .map(|r| Ok(col::<i64>(r, "submitted_at")?))
            .collect()
    }
}

impl Applications {
    /// Operators who can take a case now: active, with the operator role and a second factor,
    /// in user-name order (which breaks ties between equally busy ones).
    pub(crate) async fn operators_on_duty(&self) -> Result<Vec<StaffId>, ApplicationError> {
        let mut staff = self.identity.list_staff().await?;
        staff.retain(|s| s.active && s.mfa_enrolled && s.roles.has(StaffRole::Operator));
        staff.sort_by(|a, b| a.username.cmp(&b.username));
        Ok(staff.into_iter().map(|s| s.id).collect())
    }
}

/// Gives the just-submitted application `id` to the operator among `operators` holding the
/// fewest open cases, if one holds fewer than `cap`; it stays submitted (the operator starts
/// the review by opening it) and new to nobody else. Audited as the system's act.
pub(crate) async fn assign_automatically(
    tx: &mut WriteTx,
    id: ApplicationId,
    operators: &[StaffId],
    cap: u32,
    meta: &RequestMeta,
) -> Result<(), ApplicationError> {
    let held = open_cases_by_operator(tx).await?;
    let least_busy = operators
        .iter()
        .map(|op| (held.get(op).copied().unwrap_or(0), op))
        .filter(|(n, _)| *n < i64::from(cap))
        .min_by_key(|(n, _)| *n);
    let Some((_, operator)) = least_busy else {
        return Ok(());
    };
    let now = now_unix();
    sqlx::query(
        "UPDATE applications SET assigned_to = $1, assigned_at = $2, updated_at = $2 \
         WHERE id = $3 AND status = 'submitted' AND assigned_to IS NULL",
    )
    .bind(operator.to_string())
    .bind(now)
    .bind(id.to_string())
    .execute(&mut **tx)
    .await
    .map_err(DbError::from)?;
    let event = Event::success(
        Actor::system("assignment"),
        "application.auto_assigned",
        Target::application(id),
    );
    audit::append(tx, &event, meta).await?;
    Ok(())
}

/// How many open (submitted or under review) cases each operator holds; operators holding
/// none are absent. The cap of "next case" and of automatic assignment counts these.
async fn open_cases_by_operator(
    tx: &mut WriteTx,
) -> Result<std::collections::HashMap<StaffId, i64>, ApplicationError> {
    let rows = sqlx::query(
        "SELECT assigned_to, COUNT(*) AS n FROM applications \
         WHERE status IN ('submitted', 'under_review') AND assigned_to IS NOT NULL \
         GROUP BY assigned_to",
    )
    .fetch_all(&mut **tx)
    .await
    .map_err(DbError::from)?;
    let mut held = std::collections::HashMap::with_capacity(rows.len());
    for row in &rows {
        let staff: StaffId = col::<String>(row, "assigned_to")?
            .parse()
            .map_err(|_| ApplicationError::NotFound)?;
        held.insert(staff, col::<i64>(row, "n")?);
    }
    Ok(held)
}

/// Rows tried when other operators claim the same new applications at the same moment.
const CLAIM_ATTEMPTS: usize = 5;
