//! What a backup does with each table. Every table of the schema is listed here, in an order in
//! which restoring never breaks a foreign key; a table the database has and this list lacks
//! stops the backup, so a new migration has to decide.

/// How a table is treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Every row goes into the archive.
    Copy,
    /// Every row, with these credential columns left out unless credentials are included;
    /// restored rows get a password hash nobody knows.
    CopyWithout(&'static [&'static str]),
    /// Credentials: only with `include_credentials`.
    Credentials,
    /// Customer data keys: kept beside the archives, one object per customer, so destroying
    /// a customer's key also takes it out of every older backup (crypto-shredding).
    Escrowed,
    /// Short-lived state (sessions, one-time tokens, throttles, leases, telemetry): rebuilt by
    /// use, so never backed up.
    Transient,
}

/// Password-hash columns.
const PASSWORD_HASH: &[&str] = &["password_hash"];

/// Every table, in restore order.
pub const TABLES: &[(&str, Policy)] = &[
    ("system_keys", Policy::Copy),
    ("customer_keys", Policy::Escrowed),
    ("customers", Policy::CopyWithout(PASSWORD_HASH)),
    ("sessions", Policy::Transient),
    ("one_time_tokens", Policy::Transient),
    ("security_links", Policy::Transient),
    ("assets", Policy::Copy),
    ("asset_history", Policy::Copy),
    ("audit_log", Policy::Copy),
    ("audit_head", Policy::Copy),
    ("auth_throttle", Policy::Transient),
    ("known_devices", Policy::Copy),
    ("mfa_secrets", Policy::Credentials),
    ("recovery_codes", Policy::Credentials),
    ("pending_logins", Policy::Transient),
    ("staff", Policy::CopyWithout(PASSWORD_HASH)),
    ("staff_sessions", Policy::Transient),
    ("mail_outbox", Policy::Transient),
    ("oidc_signing_keys", Policy::Copy),
    ("oauth_clients", Policy::Copy),
    ("oidc_grants", Policy::Copy),
    ("oidc_codes", Policy::Transient),
    ("oidc_refresh_tokens", Policy::Transient),
    ("oidc_revoked_jtis", Policy::Copy),
    ("oidc_assertion_jtis", Policy::Copy),
    ("oidc_par_requests", Policy::Transient),
    ("oidc_dpop_jtis", Policy::Transient),
    ("staff_federated_identities", Policy::Copy),
    ("staff_federation_logins", Policy::Transient),
    ("passkeys", Policy::Credentials),
    ("passkey_ceremonies", Policy::Transient),
    ("applications", Policy::Copy),
    ("application_documents", Policy::Copy),
    ("application_events", Policy::Copy),
    ("entitlements", Policy::Copy),
    ("customer_name_index", Policy::Copy),
    ("customer_numbers", Policy::Copy),
    ("customer_search_index", Policy::Copy),
    ("staff_access", Policy::Copy),
    ("metric_samples", Policy::Transient),
    ("instances", Policy::Transient),
    ("write_probe", Policy::Transient),
    ("log_events", Policy::Transient),
    ("alerts", Policy::Copy),
    ("leases", Policy::Transient),
    ("audit_checkpoints", Policy::Copy),
    ("audit_prune_permit", Policy::Transient),
    ("backup_runs", Policy::Transient),
];

/// Tables whose rows are owned through an `owner` column (`customer:<id>`) rather than a
/// foreign key, which a shredded customer's restore removes explicitly.
pub const OWNER_TABLES: &[&str] = &["mfa_secrets", "recovery_codes", "passkeys"];

/// The policy of `table`, if it is classified.
pub fn policy(table: &str) -> Option<Policy> {
    TABLES
        .iter()
        .find(|(name, _)| *name == table)
        .map(|(_, p)| *p)
}

/// Whether the archive carries rows of `table`.
pub fn archived(policy: Policy, include_credentials: bool) -> bool {
    match policy {
        Policy::Copy | Policy::CopyWithout(_) => true,
        Policy::Credentials => include_credentials,
        Policy::Escrowed | Policy::Transient => false,
    }
}

/// The columns left out of `table`'s rows in the archive.
pub fn masked(policy: Policy, include_credentials: bool) -> &'static [&'static str] {
    match policy {
        Policy::CopyWithout(columns) if !include_credentials => columns,
        _ => &[],
    }
}
