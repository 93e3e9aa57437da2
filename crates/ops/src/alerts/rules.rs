//! What each rule observes. Failure rules read the probes, the per-minute figures, the outbox
//! and the backup runs; security rules read the audit trail, which every instance writes, so
//! the counts hold for the whole system.

use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;

use ipnet::IpNet;
use platform::db::{DbError, col};

use super::{Finding, Rule};
use crate::Ops;
use crate::figures::{gauges, metric, minute_of, series};
use crate::probes;

/// Requests a window must hold before the error rate and latency mean anything.
const MIN_REQUESTS: i64 = 20;

// The SQL below is assembled only from these constant lists; every value is bound.

/// Login actions whose failures count as failed passwords.
const LOGIN_ACTIONS: &str = "('customer.login', 'staff.login')";

/// Second steps of a sign-in whose failures count as wrong second-factor codes.
const SECOND_STEP_ACTIONS: &str = "('customer.login_second_step', 'staff.login_second_step')";

/// Staff sign-ins whose address is remembered per account.
const STAFF_SIGN_INS: &str = "('staff.login_password', 'staff.login_federated')";

/// The conditions of `rule` that hold at `now`. The database is known to answer; the
/// `audit_chain` rule is given the result of the last verification (`audit_break`).
pub async fn evaluate(
    ops: &Ops,
    rule: &Rule,
    now: i64,
    audit_break: Option<i64>,
) -> Result<Vec<Finding>, DbError> {
    let s = rule.settings;
    let since_ms = (now - s.window_seconds as i64) * 1000;
    let found = |subject: &str, value: f64| Finding {
        rule: rule.name,
        subject: subject.to_owned(),
        value,
    };
    let when = |holds: bool, subject: &str, value: f64| {
        if holds {
            vec![found(subject, value)]
        } else {
            Vec::new()
        }
    };
    Ok(match rule.name {
        "document_store" => when(!probes::documents(ops).await, "documents", 1.0),
        "smtp" => when(!probes::mail(ops).await, "smtp", 1.0),
        "error_rate" | "latency" | "waf_blocks" => {
            let totals =
                series::totals_since(&ops.db, minute_of(now - s.window_seconds as i64)).await?;
            let requests = totals.get(metric::REQUESTS).copied().unwrap_or(0);
            match rule.name {
                "error_rate" => {
                    let errors = totals.get(metric::SERVER_ERRORS).copied().unwrap_or(0);
                    let percent = errors as f64 * 100.0 / requests.max(1) as f64;
                    when(
                        requests >= MIN_REQUESTS && percent >= s.threshold,
                        "http",
                        percent,
                    )
                }
                "latency" => {
                    let p95 = series::percentile(&series::histogram(&totals), 0.95).unwrap_or(0.0);
                    when(requests >= MIN_REQUESTS && p95 >= s.threshold, "http", p95)
                }
                _ => {
                    let blocks = totals.get(metric::WAF_BLOCKS).copied().unwrap_or(0) as f64;
                    when(blocks >= s.threshold, "waf", blocks)
                }
            }
        }
        "outbox_backlog" => {
            let backlog = gauges::outbox(&ops.db, now).await?;
            let age = backlog.oldest_seconds as f64;
            when(age >= s.threshold, "outbox", age)
        }
        "disk_space" => match gauges::disk(&ops.data_dir) {
            Ok(disk) => when(
                disk.free_percent() < s.threshold,
                &ops.instance.id,
                disk.free_percent(),
            ),
            Err(_) => vec![found(&ops.instance.id, 0.0)],
        },
        "backup" => backup(ops, s.threshold, now).await?,
        "password_failures_account" | "second_factor_guessing" => {
            let actions = if rule.name == "second_factor_guessing" {
                SECOND_STEP_ACTIONS
            } else {
                LOGIN_ACTIONS
            };
            let rows = failures_per_account(ops, actions, since_ms).await?;
            rows.into_iter()
                .filter(|(target, n)| target != "-" && *n as f64 >= s.threshold)
                .map(|(target, n)| found(&target, n as f64))
                .collect()
        }
        "password_failures_network" | "credential_stuffing" => {
            let per_network = failures_per_network(ops, since_ms).await?;
            per_network
                .into_iter()
                .filter_map(|(net, (failures, accounts))| {
                    let value = if rule.name == "credential_stuffing" {
                        accounts.len() as f64
                    } else {
                        failures as f64
                    };
                    (value >= s.threshold).then(|| found(&net, value))
                })
                .collect()
        }
        "refresh_token_reuse" => {
            let n = count_action(ops, "oidc.refresh_token_reuse", since_ms).await?;
            when(n as f64 >= s.threshold, "oidc", n as f64)
        }
        "staff_document_views" => {
            let mut tx = ops.db.read().await?;
            let rows = sqlx::query(
                "SELECT actor, COUNT(*) AS n FROM audit_log WHERE action = 'document.viewed' \
                 AND role = 'staff' AND outcome = 'success' AND at_ms >= $1 GROUP BY actor",
            )
            .bind(since_ms)
            .fetch_all(&mut *tx)
            .await?;
            let mut out = Vec::new();
            for r in &rows {
                let n: i64 = col(r, "n")?;
                if n as f64 >= s.threshold {
                    out.push(found(
                        &format!("staff:{}", col::<String>(r, "actor")?),
                        n as f64,
                    ));
                }
            }
            out
        }
        "staff_new_address" => staff_new_addresses(ops, since_ms)
            .await?
            .into_iter()
            .map(|subject| found(&subject, 1.0))
            .collect(),
        "audit_chain" => match audit_break {
            Some(seq) => vec![found("audit", seq as f64)],
            None => Vec::new(),
        },
        _ => Vec::new(),
    })
}

/// A failed last backup (subject `failed`), or none good for longer than `max_hours` (subject
/// `missing`). With no good backup ever, the hours count from when the installation began
/// recording its backup runs: its installation, or its upgrade to the release that records
/// them, whichever is later, so neither a new system nor an upgraded one fires before its
/// first scheduled backup could have run.
async fn backup(ops: &Ops, max_hours: f64, now: i64) -> Result<Vec<Finding>, DbError> {
    let finding = |subject: &str, value: f64| Finding {
        rule: "backup",
        subject: subject.to_owned(),
        value,
    };
    if let Some(last) = probes::last_backup(&ops.db).await?
        && !last.succeeded
    {
        return Ok(vec![finding("failed", 0.0)]);
    }
    let since = match probes::last_good_backup(&ops.db).await? {
        Some(at) => at,
        None => {
            let installed = probes::installed_at(&ops.db).await?;
            let recording = probes::backups_recorded_since(&ops.db).await?;
            recording.map_or(installed, |at| at.max(installed))
        }
    };
    let hours = (now - since) as f64 / 3600.0;
    Ok(if hours >= max_hours {
        vec![finding("missing", hours.floor())]
    } else {
        Vec::new()
    })
}

async fn count_action(ops: &Ops, action: &str, since_ms: i64) -> Result<i64, DbError> {
    let mut tx = ops.db.read().await?;
    let row = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = $1 AND at_ms >= $2")
        .bind(action)
        .bind(since_ms)
        .fetch_one(&mut *tx)
        .await?;
    col(&row, "n")
}

/// Failures of `actions` (one of the constant lists above) since `since_ms` per account
/// tried, named by its ID (`customer:…`, `staff:…`).
async fn failures_per_account(
    ops: &Ops,
    actions: &str,
    since_ms: i64,
) -> Result<Vec<(String, i64)>, DbError> {
    let sql = format!(
        "SELECT target AS k, COUNT(*) AS n FROM audit_log WHERE action IN {actions} \
         AND outcome = 'failure' AND at_ms >= $1 GROUP BY target"
    );
    let mut tx = ops.db.read().await?;
    let rows = sqlx::query(&sql).bind(since_ms).fetch_all(&mut *tx).await?;
    rows.iter()
        .map(|r| Ok((col(r, "k")?, col(r, "n")?)))
        .collect()
}

/// Per network (/24 for IPv4, /64 for IPv6): failed passwords and the accounts they tried.
async fn failures_per_network(
    ops: &Ops,
    since_ms: i64,
) -> Result<HashMap<String, (i64, BTreeSet<String>)>, DbError> {
    let sql = format!(
        "SELECT client_ip, target, COUNT(*) AS n FROM audit_log WHERE action IN {LOGIN_ACTIONS} \
         AND outcome = 'failure' AND at_ms >= $1 GROUP BY client_ip, target"
    );
    let mut tx = ops.db.read().await?;
    let rows = sqlx::query(&sql).bind(since_ms).fetch_all(&mut *tx).await?;
    let mut out: HashMap<String, (i64, BTreeSet<String>)> = HashMap::new();
    for r in &rows {
        let Some(net) = network(&col::<String>(r, "client_ip")?) else {
            continue;
        };
        let entry = out.entry(net).or_default();
        entry.0 += col::<i64>(r, "n")?;
        entry.1.insert(col(r, "target")?);
    }
    Ok(out)
}

/// The network an address belongs to, as the rules group them.
pub fn network(ip: &str) -> Option<String> {
    let ip: IpAddr = ip.parse().ok()?;
    let prefix = if ip.is_ipv4() { 24 } else { 64 };
    IpNet::new(ip, prefix).ok().map(|n| n.trunc().to_string())
}

/// Staff sign-ins since `since_ms` from an address the account had never signed in from
/// before; an account's very first sign-in has nothing to compare with and is left out.
async fn staff_new_addresses(ops: &Ops, since_ms: i64) -> Result<Vec<String>, DbError> {
    let sql = format!(
        "SELECT l.actor AS actor, l.client_ip AS client_ip FROM audit_log l \
         WHERE l.action IN {STAFF_SIGN_INS} AND l.outcome = 'success' AND l.at_ms >= $1 \
           AND EXISTS (SELECT 1 FROM audit_log p WHERE p.actor = l.actor AND p.seq < l.seq \
                       AND p.action IN {STAFF_SIGN_INS} AND p.outcome = 'success') \
           AND NOT EXISTS (SELECT 1 FROM audit_log p WHERE p.actor = l.actor AND p.seq < l.seq \
                       AND p.action IN {STAFF_SIGN_INS} AND p.outcome = 'success' \
                       AND p.client_ip = l.client_ip)"
    );
    let mut tx = ops.db.read().await?;
    let rows = sqlx::query(&sql).bind(since_ms).fetch_all(&mut *tx).await?;
    let mut out = BTreeSet::new();
    for r in &rows {
        out.insert(format!(
            "staff:{}@{}",
            col::<String>(r, "actor")?,
            col::<String>(r, "client_ip")?
        ));
    }
    Ok(out.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_group_into_networks() {
        assert_eq!(network("203.0.113.77").as_deref(), Some("203.0.113.0/24"));
        assert_eq!(
            network("2001:db8:1:2:3:4:5:6").as_deref(),
            Some("2001:db8:1:2::/64")
        );
        assert_eq!(network("-"), None);
    }
}
