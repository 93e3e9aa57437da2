//! The evaluation loop of the worker holding the `ops` lease: gauges, the audit chain, every
//! rule, signed checkpoints and pruning. While the database is down only the readiness rule
//! can act: the last lease holder sends that notice directly and, once the database answers
//! again, records the incident and queues the recovery notice.

use std::sync::Arc;

use platform::audit::{self, Actor, Event, RequestMeta, Target, Verdict};
use platform::db::{DbError, lease};

use super::incidents::{self, Alert, Notice, State};
use super::{Finding, Rule, catalogue, notify, rules};
use crate::figures::{gauges, metric, minute_of, samples};
use crate::{Ops, instance, logs, probes};

/// Name of the lease the evaluating worker holds.
const LEASE: &str = "ops";
/// Seconds between two prunings of old figures, events, alerts and audit entries.
const PRUNE_EVERY: i64 = 3600;

/// The database outage being watched.
struct Outage {
    since: i64,
    notified: Option<Alert>,
}

/// State the loop keeps between evaluations.
pub struct Engine {
    ops: Arc<Ops>,
    rules: Vec<Rule>,
    holder: bool,
    outage: Option<Outage>,
    audit_checked_at: i64,
    audit_break: Option<i64>,
    checkpoint_at: i64,
    pruned_at: i64,
}

impl Engine {
    /// An engine for the rules the configuration enables.
    pub fn new(ops: Arc<Ops>) -> Self {
        let rules = catalogue(&ops.settings.rules);
        Self {
            ops,
            rules,
            holder: false,
            outage: None,
            audit_checked_at: i64::MIN / 2,
            audit_break: None,
            checkpoint_at: i64::MIN / 2,
            pruned_at: i64::MIN / 2,
        }
    }

    fn rule(&self, name: &str) -> Option<Rule> {
        self.rules.iter().find(|r| r.name == name).copied()
    }

    /// One evaluation at `now`.
    pub async fn tick(&mut self, now: i64) -> Result<(), DbError> {
        if !probes::database(&self.ops.db).await {
            self.database_down(now).await;
            return Ok(());
        }
        self.database_back(now).await?;
        let lease_seconds = (self.ops.settings.evaluate_seconds as i64 * 3).max(30);
        self.holder = lease::acquire(
            &self.ops.db,
            LEASE,
            &self.ops.instance.id,
            now,
            lease_seconds,
        )
        .await?;
        if !self.holder {
            return Ok(());
        }
        self.record_gauges(now).await?;
        self.check_audit(now).await?;
        for rule in self.rules.clone() {
            if rule.name == "readiness" {
                continue;
            }
            // One rule's failure must not keep the others from being evaluated.
            let outcome = match rules::evaluate(&self.ops, &rule, now, self.audit_break).await {
                Ok(findings) => incidents::apply(&self.ops, &rule, &findings, now).await,
                Err(e) => Err(e),
            };
            if let Err(e) = outcome {
                tracing::error!(rule = rule.name, error = %e, "alert rule not evaluated");
            }
        }
        self.checkpoint(now).await?;
        self.prune(now).await
    }

    async fn record_gauges(&self, now: i64) -> Result<(), DbError> {
        let backlog = gauges::outbox(&self.ops.db, now).await?;
        let bytes = gauges::database_bytes(&self.ops.db).await?;
        samples::set_gauges(
            &self.ops.db,
            &self.ops.instance.id,
            minute_of(now),
            &[
                (metric::OUTBOX_DEPTH, backlog.depth),
                (metric::OUTBOX_OLDEST, backlog.oldest_seconds),
                (metric::DATABASE_BYTES, bytes),
            ],
        )
        .await
    }

    /// Verifies the whole chain and its signed checkpoints every `audit_chain.window_seconds`.
    async fn check_audit(&mut self, now: i64) -> Result<(), DbError> {
        let Some(rule) = self.rule("audit_chain") else {
            return Ok(());
        };
        if now - self.audit_checked_at < rule.settings.window_seconds as i64 {
            return Ok(());
        }
        let key = self.ops.keyring.audit_verifying_key();
        let mut tx = self.ops.db.read().await?;
        let verdict = audit::verify_signed(&mut tx, &key, |_| {}).await?;
        self.audit_checked_at = now;
        self.audit_break = match verdict {
            Verdict::Intact { .. } => None,
            Verdict::Broken { seq, reason } => {
                tracing::error!(seq, %reason, "audit trail broken");
                Some(seq)
            }
        };
        Ok(())
    }

    async fn checkpoint(&mut self, now: i64) -> Result<(), DbError> {
        if now - self.checkpoint_at < self.ops.audit.checkpoint_seconds as i64 {
            return Ok(());
        }
        audit::checkpoint::write(&self.ops.db, &self.ops.keyring).await?;
        self.checkpoint_at = now;
        Ok(())
    }

    async fn prune(&mut self, now: i64) -> Result<(), DbError> {
        if now - self.pruned_at < PRUNE_EVERY {
            return Ok(());
        }
        let s = &self.ops.settings;
        let day = 86_400;
        samples::prune_before(
            &self.ops.db,
            minute_of(now - i64::from(s.metric_retention_days) * day),
        )
        .await?;
        logs::prune_before(
            &self.ops.db,
            (now - i64::from(s.log_retention_days) * day) * 1000,
        )
        .await?;
        incidents::prune_before(&self.ops.db, now - i64::from(s.alert_retention_days) * day)
            .await?;
        instance::forget_before(&self.ops.db, now - day).await?;
        let keep_days = i64::from(self.ops.audit.retention_days);
        if keep_days > 0 {
            let removed =
                audit::retention::prune(&self.ops.db, (now - keep_days * day) * 1000).await?;
            if removed > 0 {
                let rows = usize::try_from(removed).unwrap_or(usize::MAX);
                audit::record(
                    &self.ops.db,
                    &Event::success(
                        Actor::system("ops"),
                        "audit.pruned",
                        Target::audit_rows(rows),
                    ),
                    &RequestMeta::default(),
                )
                .await?;
            }
        }
        self.pruned_at = now;
        Ok(())
    }

    /// The database does not answer: the last lease holder tells the administrators directly
    /// once the outage has lasted the rule's duration.
    async fn database_down(&mut self, now: i64) {
        let Some(rule) = self.rule("readiness") else {
            return;
        };
        if !self.holder {
            return;
        }
        let outage = self.outage.get_or_insert(Outage {
            since: now,
            notified: None,
        });
        if outage.notified.is_some() || now - outage.since < rule.settings.for_seconds as i64 {
            return;
        }
        let finding = Finding {
            rule: rule.name,
            subject: "database".to_owned(),
            value: (now - outage.since) as f64,
        };
        let mut alert = incidents::new_alert(&rule, &finding, outage.since);
        alert.state = State::Firing;
        alert.fired_at = Some(now);
        alert.last_seen_at = now;
        alert.notified_at = Some(now);
        tracing::error!("database unreachable; administrators alerted directly");
        if notify::send_direct(&self.ops, &alert, Notice::Fired).await {
            outage.notified = Some(alert);
        }
    }

    /// The database answers again: an outage that was notified becomes a resolved incident
    /// with its recovery notice.
    async fn database_back(&mut self, now: i64) -> Result<(), DbError> {
        let Some(outage) = self.outage.take() else {
            return Ok(());
        };
        let Some(alert) = &outage.notified else {
            return Ok(());
        };
        if let Err(e) = incidents::record_outage(&self.ops, alert, now).await {
            self.outage = Some(outage);
            return Err(e);
        }
        Ok(())
    }
}
