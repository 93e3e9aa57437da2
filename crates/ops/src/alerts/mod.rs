//! Alerts (A2, A3). The worker holding the `alerts` lease evaluates every rule every few
//! seconds ([`rules`]); each condition becomes at most one open alert per rule and subject,
//! pending until it has held for the rule's duration, then firing with one notice, a reminder
//! while it lasts unacknowledged, and a recovery notice when it clears ([`incidents`]).
//! Notices go by mail to the administrators and to a Slack-compatible webhook, queued in the
//! outbox in the same transaction as the state change ([`notify`]), so none is lost or sent
//! twice. The one exception is the database itself: while it is down nothing can be queued, so
//! that notice is sent directly and the incident recorded when the database is back
//! ([`engine`]).

pub mod engine;
pub mod incidents;
pub mod notify;
pub mod rules;

use platform::config::{AlertRules, RuleSettings};

/// Whether a rule watches for failures or for attacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Outages and slow answers (A2).
    Failure,
    /// Attacks and leaks (A3).
    Security,
}

impl Kind {
    /// Stable code, stored and used in message keys.
    pub fn code(self) -> &'static str {
        match self {
            Kind::Failure => "failure",
            Kind::Security => "security",
        }
    }
}

/// A rule as configured.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    /// Its name, as in the configuration (`ops.rules.<name>`).
    pub name: &'static str,
    /// Failure or security.
    pub kind: Kind,
    /// Threshold and durations.
    pub settings: RuleSettings,
}

/// The rules that watch for attacks; every other rule watches for failures.
const SECURITY_RULES: [&str; 9] = [
    "password_failures_account",
    "second_factor_guessing",
    "password_failures_network",
    "credential_stuffing",
    "refresh_token_reuse",
    "waf_blocks",
    "staff_new_address",
    "staff_document_views",
    "audit_chain",
];

/// Every enabled rule.
pub fn catalogue(config: &AlertRules) -> Vec<Rule> {
    config
        .all()
        .into_iter()
        .filter(|(_, settings)| settings.enabled)
        .map(|(name, settings)| Rule {
            name,
            kind: if SECURITY_RULES.contains(&name) {
                Kind::Security
            } else {
                Kind::Failure
            },
            settings,
        })
        .collect()
}

/// A condition that holds now: which rule, about what, and the value observed.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// The rule's name.
    pub rule: &'static str,
    /// What it is about: `database`, an account (`customer:…`, `staff:…`), a network
    /// (`203.0.113.0/24`), a member of staff; never a name or an address of a person.
    pub subject: String,
    /// The observed value, in the rule's unit.
    pub value: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_rules_exist_and_disabled_rules_are_left_out() {
        let mut config = AlertRules::default();
        let names: Vec<&str> = config.all().iter().map(|(n, _)| *n).collect();
        for rule in SECURITY_RULES {
            assert!(names.contains(&rule), "{rule} is configurable");
        }
        config.waf_blocks.enabled = false;
        config.backup.enabled = true;
        let rules = catalogue(&config);
        assert_eq!(rules.len(), 16);
        assert!(rules.iter().all(|r| r.name != "waf_blocks"));
        let kinds: Vec<Kind> = rules.iter().map(|r| r.kind).collect();
        assert_eq!(kinds.iter().filter(|k| **k == Kind::Security).count(), 8);
    }
}
