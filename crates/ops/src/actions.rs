//! Every action the audit trail records, in one list, and the message key of its label.
//!
//! Actions are written as `&'static str` where each crate records them (`Event::action`), so
//! this list is the one place that knows them all: the audit viewer shows each by its label
//! (`audit-action-…` in `web/locales/{ja,en}/ops.ftl`) with the code as a small detail, and
//! offers them as suggestions in its search form. A test reads the source of every crate and
//! fails when an action written there is missing here or has no label in both languages.

/// Every action recorded anywhere in the application, by namespace.
pub const KNOWN: &[&str] = &[
    "alert.acknowledged",
    "application.access",
    "application.account_changed",
    "application.approval_proposed",
    "application.approved",
    "application.auto_assigned",
    "application.override_proposed",
    "application.document_removed",
    "application.document_uploaded",
    "application.reassigned",
    "application.rejected",
    "application.reopened_name_change",
    "application.resubmitted",
    "application.returned",
    "application.queue_viewed",
    "application.review_started",
    "application.started",
    "application.submitted",
    "application.viewed",
    "asset.create",
    "asset.delete",
    "asset.update",
    "assets.export",
    "assets.import",
    "audit.exported",
    "audit.pruned",
    "backup.create",
    "backup.restore",
    "customer.create",
    "customer.delete",
    "customer.exported",
    "customer.factors_keep",
    "customer.factors_suspend",
    "customer.list_viewed",
    "customer.lockout",
    "customer.login",
    "customer.login_passkey",
    "customer.login_password",
    "customer.login_second_step",
    "customer.logout",
    "customer.mfa_disable",
    "customer.not_me",
    "customer.password_change",
    "customer.password_check_lockout",
    "customer.password_reset",
    "customer.password_reset_request",
    "customer.premium_granted",
    "customer.premium_paused",
    "customer.profile_update",
    "customer.reauth",
    "customer.reauth_passkey",
    "customer.second_factor_lockout",
    "customer.session_end",
    "customer.sessions_end_others",
    "customer.signup",
    "customer.verify_email",
    "customer.viewed",
    "document.viewed",
    "edge.staff_listener_refused",
    "mfa.disable",
    "mfa.enable",
    "oidc.authorize_refused.invalid_request",
    "oidc.authorize_refused.invalid_scope",
    "oidc.authorize_refused.other",
    "oidc.authorize_refused.unauthorized_client",
    "oidc.authorize_refused.unmet_authentication_requirements",
    "oidc.authorize_refused.unsupported_response_type",
    "oidc.client_disabled",
    "oidc.client_enabled",
    "oidc.client_registered",
    "oidc.code_issued",
    "oidc.code_replay",
    "oidc.end_session",
    "oidc.par_accepted",
    "oidc.par_refused.invalid_client",
    "oidc.par_refused.invalid_request",
    "oidc.refresh_token_reuse",
    "oidc.refused",
    "oidc.revoke_refused.invalid_client",
    "oidc.revoke_refused.invalid_request",
    "oidc.signing_key_rotated",
    "oidc.token_issued.authorization_code",
    "oidc.token_issued.client_credentials",
    "oidc.token_issued.refresh_token",
    "oidc.token_refused.invalid_client",
    "oidc.token_refused.invalid_dpop_proof",
    "oidc.token_refused.invalid_grant",
    "oidc.token_refused.invalid_request",
    "oidc.token_refused.invalid_scope",
    "oidc.token_refused.other",
    "oidc.token_refused.unauthorized_client",
    "oidc.token_refused.unsupported_grant_type",
    "oidc.token_revoked",
    "oidc.userinfo",
    "oidc.userinfo_refused.invalid_dpop_proof",
    "oidc.userinfo_refused.invalid_token",
    "passkey.delete",
    "passkey.register",
    "staff.create",
    "staff.create_federated",
    "staff.disable",
    "staff.enable",
    "staff.login",
    "staff.login_federated",
    "staff.login_federated_mfa",
    "staff.login_federated_no_role",
    "staff.login_federated_refused",
    "staff.login_federated_unavailable",
    "staff.login_passkey",
    "staff.login_password",
    "staff.login_second_step",
    "staff.logout",
    "staff.password_check_lockout",
    "staff.reauth",
    "staff.reauth_passkey",
    "staff.reset_mfa",
    "staff.reset_password",
    "staff.roles_synced",
    "staff.second_factor_lockout",
];

/// Whether `action` is one the application records.
pub fn is_known(action: &str) -> bool {
    KNOWN.contains(&action)
}

/// The message key of an action's label (`customer.login` → `audit-action-customer-login`), for
/// known actions only; anything else (entries written by older versions, tests) is shown as
/// its code.
pub fn message_key(action: &str) -> Option<String> {
    is_known(action).then(|| format!("audit-action-{}", action.replace('.', "-")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, clippy::panic)]

    use std::collections::BTreeSet;
    use std::fs;
    use std::path::{Path, PathBuf};

    use super::*;

    /// The first segments actions start with; a dotted literal starting with one of these in
    /// the source is taken for an action.
    fn namespaces() -> BTreeSet<&'static str> {
        KNOWN.iter().filter_map(|a| a.split('.').next()).collect()
    }

    /// Dotted literals in those namespaces that are not actions: configuration keys named
    /// outside `platform::config` (whose files are skipped whole).
    const NOT_ACTIONS: [&str; 1] = ["backup.local_dir"];

    /// File names are dotted literals too.
    const FILE_ENDINGS: [&str; 9] = [
        ".html", ".toml", ".pem", ".db", ".key", ".log", ".py", ".sealed", ".server",
    ];

    /// Every string literal of `text` (before its test module) that looks like an action: a
    /// lower-case dotted name after `action: `, or in one of the action namespaces.
    fn actions_in(text: &str, namespaces: &BTreeSet<&str>) -> BTreeSet<String> {
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        let mut found = BTreeSet::new();
        let mut rest = code;
        while let Some(start) = rest.find('"') {
            let before = &rest[..start];
            let after = &rest[start + 1..];
            let Some(end) = after.find('"') else { break };
            let literal = &after[..end];
            rest = &after[end + 1..];
            let dotted = literal.contains('.')
                && literal
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
                && !literal.starts_with('.')
                && !literal.ends_with('.')
                && !literal.contains("..");
            if !dotted || FILE_ENDINGS.iter().any(|e| literal.ends_with(e)) {
                continue;
            }
            let field = before.trim_end().ends_with("action:");
            let namespace = literal.split('.').next().unwrap_or_default();
            if (field || namespaces.contains(namespace)) && !NOT_ACTIONS.contains(&literal) {
                found.insert(literal.to_owned());
            }
        }
        found
    }

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).expect("a readable source directory") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// Every action written in the `src` of every crate, with the file it is in.
    fn actions_in_the_code() -> Vec<(String, String)> {
        let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let config = crates.join("platform/src/config");
        let namespaces = namespaces();
        let mut files = Vec::new();
        for entry in fs::read_dir(&crates).expect("the crates directory") {
            let src = entry.expect("a directory entry").path().join("src");
            if src.is_dir() {
                rust_files(&src, &mut files);
            }
        }
        files.sort();
        let mut found = Vec::new();
        for file in files {
            let this_list = file.ends_with("ops/src/actions.rs");
            if this_list || file.starts_with(&config) || file.ends_with("platform/src/config.rs") {
                continue;
            }
            let text = fs::read_to_string(&file).expect("a readable source file");
            for action in actions_in(&text, &namespaces) {
                found.push((action, file.display().to_string()));
            }
        }
        found
    }

    /// The message keys of one language's operations catalog.
    fn catalog_keys(lang: &str) -> BTreeSet<String> {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../web/locales/{lang}/ops.ftl"));
        fs::read_to_string(&path)
            .expect("the operations catalog")
            .lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
            .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_owned()))
            .collect()
    }

    #[test]
    fn every_action_in_the_code_is_known_and_labelled_in_both_languages() {
        let found = actions_in_the_code();
        assert!(
            found.len() > 50,
            "the scan found only {} actions: is it reading the crates?",
            found.len()
        );
        let (ja, en) = (catalog_keys("ja"), catalog_keys("en"));
        let mut problems = Vec::new();
        for (action, file) in &found {
            if !is_known(action) {
                problems.push(format!("{file}: `{action}` is not in ops::actions::KNOWN"));
            }
        }
        for action in KNOWN {
            let key = format!("audit-action-{}", action.replace('.', "-"));
            for (lang, keys) in [("ja", &ja), ("en", &en)] {
                if !keys.contains(&key) {
                    problems.push(format!(
                        "web/locales/{lang}/ops.ftl has no `{key}` for `{action}`"
                    ));
                }
            }
        }
        let written: BTreeSet<&str> = found.iter().map(|(a, _)| a.as_str()).collect();
        for action in KNOWN {
            if !written.contains(action) {
                problems.push(format!(
                    "`{action}` is in KNOWN but written nowhere in the code: remove it"
                ));
            }
        }
        assert!(problems.is_empty(), "\n{}", problems.join("\n"));
    }

    #[test]
    fn the_scan_finds_actions_written_every_way() {
        let namespaces = namespaces();
        let source = r#"
            let e = Event { action: "report.made", target };
            audit_change(&mut tx, customer, "asset.create", Target::asset(id), meta).await?;
            const VIEWED: &'static str = "document.viewed";
            ("token", ErrorCode::InvalidGrant) => "oidc.token_refused.invalid_grant",
            render("application.html"); invalid("backup.local_dir"); key: "mail.from",
            #[cfg(test)]
            Event::success(actor, "customer.fake", target)
        "#;
        let found: Vec<String> = actions_in(source, &namespaces).into_iter().collect();
        assert_eq!(
            found,
            [
                "asset.create",
                "document.viewed",
                "oidc.token_refused.invalid_grant",
                "report.made"
            ]
        );
    }

    #[test]
    fn keys_follow_the_code() {
        assert_eq!(
            message_key("customer.login").as_deref(),
            Some("audit-action-customer-login")
        );
        assert_eq!(
            message_key("oidc.token_issued.refresh_token").as_deref(),
            Some("audit-action-oidc-token_issued-refresh_token")
        );
        assert_eq!(message_key("test.paging"), None);
    }
}
