//! The operations console's settings: how often figures are sampled and alert rules evaluated,
//! who hears of alerts, how long figures, log events and alerts are kept, each rule's threshold
//! and durations, and the audit trail's checkpoints and retention.

use serde::{Deserialize, Serialize};

use super::{ConfigError, SecretString};

/// Sampling, alerting and retention.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct OpsConfig {
    /// Seconds between two flushes of this process's figures into the database.
    pub sample_seconds: u64,
    /// Seconds between two evaluations of the alert rules (by one worker at a time).
    pub evaluate_seconds: u64,
    /// Minutes between reminders of an alert that lasts and nobody has acknowledged.
    pub remind_minutes: u64,
    /// Administrators' mailboxes; every alert, reminder and recovery is mailed to each.
    pub alert_mail_to: Vec<String>,
    /// Incoming-webhook URL (Slack-compatible JSON `{"text": …}`); secret, as the URL is the
    /// credential.
    pub alert_webhook_url: Option<SecretString>,
    /// Language of alert mails and webhook texts: `ja` or `en`.
    pub alert_language: String,
    /// Days of per-minute figures kept (the dashboard shows up to seven).
    pub metric_retention_days: u32,
    /// Days of warning and error log events kept for the console.
    pub log_retention_days: u32,
    /// Days resolved alerts are kept.
    pub alert_retention_days: u32,
    /// Each rule's threshold and durations.
    pub rules: AlertRules,
}

impl Default for OpsConfig {
    fn default() -> Self {
        Self {
            sample_seconds: 10,
            evaluate_seconds: 10,
            remind_minutes: 60,
            alert_mail_to: Vec::new(),
            alert_webhook_url: None,
            alert_language: "ja".to_owned(),
            metric_retention_days: 8,
            log_retention_days: 30,
            alert_retention_days: 400,
            rules: AlertRules::default(),
        }
    }
}

/// One alert rule: the condition holds when the observed value over `window_seconds` reaches
/// `threshold`; the alert fires once it has held for `for_seconds`, and recovers when it no
/// longer holds.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct RuleSettings {
    /// False switches the rule off.
    pub enabled: bool,
    /// The value at which the condition holds; its unit depends on the rule.
    pub threshold: f64,
    /// Seconds of history the value is computed over.
    pub window_seconds: u64,
    /// Seconds the condition must hold before the alert fires.
    pub for_seconds: u64,
}

impl Default for RuleSettings {
    fn default() -> Self {
        Self::new(1.0, 300, 0)
    }
}

impl RuleSettings {
    const fn new(threshold: f64, window_seconds: u64, for_seconds: u64) -> Self {
        Self {
            enabled: true,
            threshold,
            window_seconds,
            for_seconds,
        }
    }
}

/// Every rule by name. Failure rules first, then security rules.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct AlertRules {
    /// The database does not answer (threshold unused).
    pub readiness: RuleSettings,
    /// The document store does not answer (threshold unused).
    pub document_store: RuleSettings,
    /// The SMTP server does not answer (threshold unused).
    pub smtp: RuleSettings,
    /// Share of answers that are server errors, in percent (at least 20 requests in the window).
    pub error_rate: RuleSettings,
    /// 95th-percentile answer time, in milliseconds.
    pub latency: RuleSettings,
    /// Age of the oldest undelivered message in the outbox, in seconds.
    pub outbox_backlog: RuleSettings,
    /// Free space on the data directory's disk, in percent: the alert fires below it.
    pub disk_space: RuleSettings,
    /// Hours since the last successful backup recorded in `backup_runs`; a failed last backup
    /// also fires. With no successful backup yet, the hours count from the installation (or the
    /// upgrade that began recording backup runs). On by default, as the application's own
    /// backups (`[backup]`, scheduled daily) record their runs; turn it off only where backups
    /// are neither scheduled nor run by hand.
    pub backup: RuleSettings,
    /// Failed passwords for one account in the window.
    pub password_failures_account: RuleSettings,
    /// Wrong second-factor codes for one account (customer or staff) in the window, across
    /// all its sign-ins: someone who knows the password guessing the code.
    pub second_factor_guessing: RuleSettings,
    /// Failed passwords from one network (/24 or /64) in the window.
    pub password_failures_network: RuleSettings,
    /// Distinct accounts with failed passwords from one network in the window.
    pub credential_stuffing: RuleSettings,
    /// Refresh tokens presented again after use (a stolen token), in the window.
    pub refresh_token_reuse: RuleSettings,
    /// Requests the firewall refused in the window.
    pub waf_blocks: RuleSettings,
    /// A staff sign-in from an address that account never used before (threshold unused).
    pub staff_new_address: RuleSettings,
    /// Identity documents one member of staff viewed in the window.
    pub staff_document_views: RuleSettings,
    /// The audit chain or a signed checkpoint no longer verifies; checked every
    /// `window_seconds`.
    pub audit_chain: RuleSettings,
}

impl Default for AlertRules {
    fn default() -> Self {
        Self {
            readiness: RuleSettings::new(1.0, 60, 30),
            document_store: RuleSettings::new(1.0, 60, 60),
            smtp: RuleSettings::new(1.0, 60, 60),
            error_rate: RuleSettings::new(5.0, 300, 120),
            latency: RuleSettings::new(1500.0, 300, 300),
            outbox_backlog: RuleSettings::new(900.0, 60, 0),
            disk_space: RuleSettings::new(10.0, 60, 60),
            backup: RuleSettings::new(26.0, 3600, 0),
            password_failures_account: RuleSettings::new(10.0, 900, 0),
            second_factor_guessing: RuleSettings::new(5.0, 900, 0),
            password_failures_network: RuleSettings::new(30.0, 900, 0),
            credential_stuffing: RuleSettings::new(10.0, 900, 0),
            refresh_token_reuse: RuleSettings::new(1.0, 900, 0),
            waf_blocks: RuleSettings::new(100.0, 300, 0),
            staff_new_address: RuleSettings::new(1.0, 3600, 0),
            staff_document_views: RuleSettings::new(50.0, 3600, 0),
            audit_chain: RuleSettings::new(1.0, 300, 0),
        }
    }
}

impl AlertRules {
    /// Every rule with its name, in the order the console lists them.
    pub fn all(&self) -> [(&'static str, RuleSettings); 17] {
        [
            ("readiness", self.readiness),
            ("document_store", self.document_store),
            ("smtp", self.smtp),
            ("error_rate", self.error_rate),
            ("latency", self.latency),
            ("outbox_backlog", self.outbox_backlog),
            ("disk_space", self.disk_space),
            ("backup", self.backup),
            ("password_failures_account", self.password_failures_account),
            ("second_factor_guessing", self.second_factor_guessing),
            ("password_failures_network", self.password_failures_network),
            ("credential_stuffing", self.credential_stuffing),
            ("refresh_token_reuse", self.refresh_token_reuse),
            ("waf_blocks", self.waf_blocks),
            ("staff_new_address", self.staff_new_address),
            ("staff_document_views", self.staff_document_views),
            ("audit_chain", self.audit_chain),
        ]
    }
}

/// The audit trail's signed checkpoints and retention.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditConfig {
    /// Seconds between two signed checkpoints of the chain (written when it grew).
    pub checkpoint_seconds: u64,
    /// Days entries are kept; 0 keeps them for ever. Older entries are removed only up to a
    /// signed checkpoint, which then anchors the rest of the chain.
    pub retention_days: u32,
}

impl Default for AuditConfig {
    fn default() -> Self {
        Self {
            checkpoint_seconds: 300,
            retention_days: 0,
        }
    }
}

impl OpsConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key, reason: &str| {
            Err(ConfigError::Invalid {
                key,
                reason: reason.to_owned(),
            })
        };
        if !(1..=3600).contains(&self.sample_seconds) {
            return invalid("ops.sample_seconds", "must be between 1 and 3600");
        }
        if !(1..=3600).contains(&self.evaluate_seconds) {
            return invalid("ops.evaluate_seconds", "must be between 1 and 3600");
        }
        if !(1..=10_080).contains(&self.remind_minutes) {
            return invalid("ops.remind_minutes", "must be between 1 and 10080");
        }
        if self
            .alert_mail_to
            .iter()
            .any(|a| a.parse::<lettre::Address>().is_err())
        {
            return invalid(
                "ops.alert_mail_to",
                "each entry must be a mail address such as ops@bank.example",
            );
        }
        if let Some(url) = &self.alert_webhook_url
            && !webhook_url_allowed(url.expose())
        {
            return invalid(
                "ops.alert_webhook_url",
                "must be an https:// URL (http:// only to this machine)",
            );
        }
        if !matches!(self.alert_language.as_str(), "ja" | "en") {
            return invalid("ops.alert_language", "must be ja or en");
        }
        if !(7..=400).contains(&self.metric_retention_days) {
            return invalid("ops.metric_retention_days", "must be between 7 and 400");
        }
        if !(1..=400).contains(&self.log_retention_days) {
            return invalid("ops.log_retention_days", "must be between 1 and 400");
        }
        if !(1..=3650).contains(&self.alert_retention_days) {
            return invalid("ops.alert_retention_days", "must be between 1 and 3650");
        }
        let bad_rule = self.rules.all().into_iter().any(|(_, rule)| {
            !rule.threshold.is_finite()
                || rule.threshold < 0.0
                || !(1..=7 * 86_400).contains(&rule.window_seconds)
                || rule.for_seconds > 7 * 86_400
        });
        if bad_rule {
            return invalid(
                "ops.rules",
                "each rule needs a threshold of 0 or more, window_seconds between 1 and 604800 and for_seconds up to 604800",
            );
        }
        Ok(())
    }
}

impl AuditConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if !(1..=86_400).contains(&self.checkpoint_seconds) {
            return Err(ConfigError::Invalid {
                key: "audit.checkpoint_seconds",
                reason: "must be between 1 and 86400".into(),
            });
        }
        Ok(())
    }
}

/// HTTPS anywhere; plain HTTP only to this machine (a relay or a test receiver).
fn webhook_url_allowed(raw: &str) -> bool {
    let Ok(url) = url::Url::parse(raw) else {
        return false;
    };
    match url.scheme() {
        "https" => url.host_str().is_some(),
        "http" => {
            matches!(url.host(), Some(url::Host::Domain("localhost")))
                || matches!(url.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback())
                || matches!(url.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_urls_need_https_except_to_this_machine() {
        assert!(webhook_url_allowed(
            "https://hooks.slack.com/services/T/B/x"
        ));
        assert!(webhook_url_allowed("http://127.0.0.1:9000/hook"));
        assert!(webhook_url_allowed("http://localhost:9000/hook"));
        assert!(!webhook_url_allowed("http://hooks.example.com/x"));
        assert!(!webhook_url_allowed("ftp://127.0.0.1/x"));
        assert!(!webhook_url_allowed("not a url"));
    }

    #[test]
    fn backup_rule_is_on_by_default() {
        let backup = AlertRules::default().backup;
        assert!(backup.enabled);
        assert_eq!(backup.threshold, 26.0);
    }

    #[test]
    fn rules_out_of_range_are_refused() {
        let mut ops = OpsConfig::default();
        assert!(ops.validate().is_ok());
        ops.rules.latency.window_seconds = 0;
        let err = ops.validate().unwrap_err().to_string();
        assert!(err.contains("ops.rules"), "{err}");
        let mut ops = OpsConfig::default();
        ops.rules.error_rate.threshold = f64::NAN;
        assert!(ops.validate().is_err());
        let ops = OpsConfig {
            alert_mail_to: vec!["not an address".into()],
            ..OpsConfig::default()
        };
        assert!(
            ops.validate()
                .unwrap_err()
                .to_string()
                .contains("ops.alert_mail_to")
        );
    }
}
