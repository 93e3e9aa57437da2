//! Alerts as stored: one row per incident, moved from pending to firing to resolved by the
//! evaluation, with the notices each move causes queued in the same transaction.

use std::collections::HashMap;

use platform::audit::{self, Actor, Event, RequestMeta, Target};
use platform::db::{Db, DbError, WriteTx, col, parsed};
use serde::{Deserialize, Serialize};

use super::{Finding, Kind, Rule, notify};
use crate::Ops;

/// Where an incident stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// The condition holds, but not yet for the rule's duration.
    Pending,
    /// The condition holds; administrators were told.
    Firing,
    /// The condition cleared.
    Resolved,
}

impl State {
    /// Stable code, as stored.
    pub fn code(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Firing => "firing",
            State::Resolved => "resolved",
        }
    }
}

impl std::str::FromStr for State {
    type Err = ();

    fn from_str(code: &str) -> Result<Self, ()> {
        match code {
            "pending" => Ok(State::Pending),
            "firing" => Ok(State::Firing),
            "resolved" => Ok(State::Resolved),
            _ => Err(()),
        }
    }
}

/// What a notice says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    /// The alert fired.
    Fired,
    /// It still lasts and nobody acknowledged it.
    Reminder,
    /// It cleared.
    Recovered,
}

/// The figures behind an alert, stored as JSON.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Detail {
    /// The value last observed.
    pub value: f64,
    /// The rule's threshold then.
    pub threshold: f64,
    /// The rule's window in seconds then.
    pub window_seconds: u64,
}

/// One incident.
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    /// Its ID.
    pub id: String,
    /// The rule's name.
    pub rule: String,
    /// What it is about (see [`Finding::subject`]).
    pub subject: String,
    /// Failure or security.
    pub kind: Kind,
    /// Where it stands.
    pub state: State,
    /// The figures.
    pub detail: Detail,
    /// When the condition was first seen (Unix seconds).
    pub started_at: i64,
    /// When it fired.
    pub fired_at: Option<i64>,
    /// When the condition was last seen.
    pub last_seen_at: i64,
    /// When it cleared.
    pub resolved_at: Option<i64>,
    /// When the last notice was queued.
    pub notified_at: Option<i64>,
    /// Reminders sent.
    pub reminders: i64,
    /// The administrator who acknowledged it.
    pub acknowledged_by: Option<String>,
    /// When.
    pub acknowledged_at: Option<i64>,
}

const COLUMNS: &str = "id, rule, subject, kind, state, detail, started_at, fired_at, last_seen_at, \
     resolved_at, notified_at, reminders, acknowledged_by, acknowledged_at";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Alert, DbError> {
    let detail: String = col(r, "detail")?;
    Ok(Alert {
        id: col(r, "id")?,
        rule: col(r, "rule")?,
        subject: col(r, "subject")?,
        kind: if col::<String>(r, "kind")? == "security" {
            Kind::Security
        } else {
            Kind::Failure
        },
        state: parsed(r, "state")?,
        detail: serde_json::from_str(&detail).unwrap_or_default(),
        started_at: col(r, "started_at")?,
        fired_at: col(r, "fired_at")?,
        last_seen_at: col(r, "last_seen_at")?,
        resolved_at: col(r, "resolved_at")?,
        notified_at: col(r, "notified_at")?,
        reminders: col(r, "reminders")?,
        acknowledged_by: col(r, "acknowledged_by")?,
        acknowledged_at: col(r, "acknowledged_at")?,
    })
}

fn detail(rule: &Rule, value: f64) -> Detail {
    Detail {
        value,
        threshold: rule.settings.threshold,
        window_seconds: rule.settings.window_seconds,
    }
}

/// Moves the incidents of `rule` to match what holds at `now`, queueing the notices; returns
/// how many were queued.
pub async fn apply(
    ops: &Ops,
    rule: &Rule,
    findings: &[Finding],
    now: i64,
) -> Result<usize, DbError> {
    let mut tx = ops.db.write().await?;
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM alerts WHERE rule = $1 AND state IN ('pending', 'firing')"
    ))
    .bind(rule.name)
    .fetch_all(&mut *tx)
    .await?;
    let mut open: HashMap<String, Alert> = rows
        .iter()
        .map(|r| from_row(r).map(|a| (a.subject.clone(), a)))
        .collect::<Result<_, _>>()?;
    let remind_after = ops.settings.remind_minutes as i64 * 60;
    let mut notices = Vec::new();
    for finding in findings {
        let mut alert = match open.remove(&finding.subject) {
            Some(alert) => alert,
            None => {
                let alert = new_alert(rule, finding, now);
                insert(&mut tx, &alert).await?;
                alert
            }
        };
        alert.last_seen_at = now;
        alert.detail = detail(rule, finding.value);
        let held = now - alert.started_at >= rule.settings.for_seconds as i64;
        let notice = match alert.state {
            State::Pending if held => {
                alert.state = State::Firing;
                alert.fired_at = Some(now);
                Some(Notice::Fired)
            }
            State::Firing
                if alert.acknowledged_at.is_none()
                    && alert.notified_at.is_some_and(|t| now - t >= remind_after) =>
            {
                alert.reminders += 1;
                Some(Notice::Reminder)
            }
            _ => None,
        };
        if let Some(notice) = notice {
            alert.notified_at = Some(now);
            notices.push((alert.clone(), notice));
        }
        update(&mut tx, &alert).await?;
    }
    for (_, mut alert) in open {
        if alert.state == State::Pending {
            sqlx::query("DELETE FROM alerts WHERE id = $1")
                .bind(&alert.id)
                .execute(&mut *tx)
                .await?;
            continue;
        }
        alert.state = State::Resolved;
        alert.resolved_at = Some(now);
        alert.notified_at = Some(now);
        update(&mut tx, &alert).await?;
        notices.push((alert, Notice::Recovered));
    }
    for (alert, notice) in &notices {
        notify::queue(ops, &mut tx, alert, *notice).await?;
    }
    tx.commit().await?;
    if !notices.is_empty() {
        ops.outbox.wake();
    }
    Ok(notices.len())
}

/// A pending incident of `rule` for `finding`, first seen at `now`.
pub(crate) fn new_alert(rule: &Rule, finding: &Finding, now: i64) -> Alert {
    Alert {
        id: uuid::Uuid::new_v4().to_string(),
        rule: rule.name.to_owned(),
        subject: finding.subject.clone(),
        kind: rule.kind,
        state: State::Pending,
        detail: detail(rule, finding.value),
        started_at: now,
        fired_at: None,
        last_seen_at: now,
        resolved_at: None,
        notified_at: None,
        reminders: 0,
        acknowledged_by: None,
        acknowledged_at: None,
    }
}

async fn insert(tx: &mut WriteTx, a: &Alert) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO alerts (id, rule, subject, kind, state, detail, started_at, last_seen_at, reminders) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0)",
    )
    .bind(&a.id)
    .bind(&a.rule)
    .bind(&a.subject)
    .bind(a.kind.code())
    .bind(a.state.code())
    .bind(serde_json::to_string(&a.detail).unwrap_or_default())
    .bind(a.started_at)
    .bind(a.last_seen_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn update(tx: &mut WriteTx, a: &Alert) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE alerts SET state = $1, detail = $2, fired_at = $3, last_seen_at = $4, resolved_at = $5, \
         notified_at = $6, reminders = $7 WHERE id = $8",
    )
    .bind(a.state.code())
    .bind(serde_json::to_string(&a.detail).unwrap_or_default())
    .bind(a.fired_at)
    .bind(a.last_seen_at)
    .bind(a.resolved_at)
    .bind(a.notified_at)
    .bind(a.reminders)
    .bind(&a.id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records an incident that fired and cleared while the database was down (its notice went
/// out directly), and queues the recovery notice.
pub async fn record_outage(ops: &Ops, fired: &Alert, now: i64) -> Result<(), DbError> {
    let mut alert = fired.clone();
    alert.detail.value = (now - alert.started_at) as f64;
    let mut tx = ops.db.write().await?;
    insert(&mut tx, &alert).await?;
    alert.state = State::Resolved;
    alert.last_seen_at = now;
    alert.resolved_at = Some(now);
    alert.notified_at = Some(now);
    update(&mut tx, &alert).await?;
    notify::queue(ops, &mut tx, &alert, Notice::Recovered).await?;
    tx.commit().await?;
    ops.outbox.wake();
    Ok(())
}

/// Which alerts a list shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Show {
    /// Pending and firing.
    #[default]
    Open,
    /// Every alert, newest first.
    All,
}

/// Alerts newest first, at most `limit`, started before `before` when given.
pub async fn list(
    db: &Db,
    show: Show,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Alert>, DbError> {
    let states = match show {
        Show::Open => "('pending', 'firing')",
        Show::All => "('pending', 'firing', 'resolved')",
    };
    let mut tx = db.read().await?;
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM alerts WHERE state IN {states} AND started_at < $1 \
         ORDER BY started_at DESC, id LIMIT $2"
    ))
    .bind(before.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Firing alerts not yet acknowledged: the dashboard's count.
pub async fn unacknowledged(db: &Db) -> Result<i64, DbError> {
    let mut tx = db.read().await?;
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM alerts WHERE state = 'firing' AND acknowledged_at IS NULL",
    )
    .fetch_one(&mut *tx)
    .await?;
    col(&row, "n")
}

/// Why an acknowledgement was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum AckError {
    /// No such alert.
    #[error("no such alert")]
    NotFound,
    /// It was acknowledged already, or has cleared.
    #[error("the alert was acknowledged already or has cleared")]
    Settled,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for AckError {
    fn from(e: sqlx::Error) -> Self {
        AckError::Db(e.into())
    }
}

/// An administrator takes charge of an alert: reminders stop. Audited.
pub async fn acknowledge(
    db: &Db,
    id: &str,
    actor: Actor,
    meta: &RequestMeta,
    now: i64,
) -> Result<(), AckError> {
    let mut tx = db.write().await?;
    let exists = sqlx::query("SELECT state FROM alerts WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_none() {
        return Err(AckError::NotFound);
    }
    let done = sqlx::query(
        "UPDATE alerts SET acknowledged_by = $1, acknowledged_at = $2 \
         WHERE id = $3 AND acknowledged_at IS NULL AND state IN ('pending', 'firing')",
    )
    .bind(&actor.id)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AckError::Settled);
    }
    audit::append(
        &mut tx,
        &Event::success(actor, "alert.acknowledged", Target::alert(id)),
        meta,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes resolved alerts that cleared before `before`.
pub async fn prune_before(db: &Db, before: i64) -> Result<u64, DbError> {
    crate::prune::delete_before(
        db,
        "DELETE FROM alerts WHERE state = 'resolved' AND resolved_at < $1",
        before,
    )
    .await
}
