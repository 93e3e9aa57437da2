//! Layered, typed configuration: built-in defaults, then a TOML file, then `ASSETSTATUS_*`
//! environment variables (nested keys joined by `__`), then command-line flags. A bad value stops
//! start-up with a message that names the key; secrets never print.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use url::Url;

mod backup;
mod ops;
mod signature;

pub use backup::{BackupConfig, Retention, S3Location, Schedule};
pub use ops::{AlertRules, AuditConfig, OpsConfig, RuleSettings};
pub use signature::{SignatureConfig, SignatureWords};

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A value could not be read or has the wrong type; the message names the key and source.
    #[error("invalid configuration: {0}")]
    Load(#[from] Box<figment::Error>),
    /// A value was read but breaks a rule.
    #[error("invalid configuration value for `{key}`: {reason}")]
    Invalid {
        /// Dotted key, as written in the TOML file.
        key: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

/// The effective configuration of one process.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Directory for the SQLite database, the master key file, objects and mail files.
    pub data_dir: PathBuf,
    /// Listener for the customer portal and public endpoints.
    pub public_addr: SocketAddr,
    /// Listener for staff consoles, reachable from company networks only.
    pub staff_addr: SocketAddr,
    /// `postgres://…` or `sqlite://…`; SQLite under the data directory when unset.
    pub database_url: Option<SecretUrl>,
    /// Address customers use to reach the portal; links in mails are built from it.
    /// `http://<public_addr>/` when unset.
    pub public_base_url: Option<Url>,
    /// Address staff use to reach the consoles (passkeys are bound to it).
    /// `http://<staff_addr>/` when unset.
    pub staff_base_url: Option<Url>,
    /// Outgoing mail.
    pub mail: MailConfig,
    /// Where the master key comes from.
    pub master_key: MasterKeyConfig,
    /// Customer session lifetimes.
    pub session: SessionConfig,
    /// Staff session lifetimes: shorter, as staff see many customers' data.
    pub staff_session: SessionConfig,
    /// The OpenID Connect provider's token lifetimes and key rotation.
    pub oidc: OidcConfig,
    /// Staff sign-in through the bank's corporate OpenID Connect provider; off when unset.
    pub staff_federation: Option<FederationConfig>,
    /// Trusted proxies and the staff listener's allow-list.
    pub edge: EdgeConfig,
    /// Transport security of both listeners.
    pub tls: TlsConfig,
    /// Identity-document uploads: limits and the encrypted store.
    pub documents: DocumentsConfig,
    /// The additional-service application: who hears of new submissions.
    pub applications: ApplicationsConfig,
    /// The operations console: sampling, alert rules and who hears of alerts.
    pub ops: OpsConfig,
    /// The audit trail's signed checkpoints and retention.
    pub audit: AuditConfig,
    /// Daily encrypted backups: schedule, destinations, retention.
    pub backup: BackupConfig,
    /// How often readiness is probed.
    pub health: HealthConfig,
    /// Distributed traces.
    pub telemetry: TelemetryConfig,
    /// Log filter in `tracing` syntax.
    pub log_filter: String,
}

/// Outgoing mail settings.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct MailConfig {
    /// `smtp://user:pass@host:587?tls=required` or `smtps://…:465`; when unset, mails are
    /// written as `.eml` files under `<data_dir>/mail`.
    pub smtp_url: Option<SecretUrl>,
    /// Sender address shown to customers.
    pub from: String,
    /// Delivery attempts before a mail is given up (retries back off from 15 s to an hour).
    pub max_attempts: i64,
    /// PEM file of the certificate authority that signed a private relay's certificate (banks
    /// run internal relays), trusted besides the public roots; public services such as SES need
    /// none. Needs `smtps://` or `?tls=required`.
    pub smtp_ca_file: Option<PathBuf>,
    /// Seconds a worker holds a claimed mail before another worker may try it again; longer
    /// than any SMTP conversation, short enough that a crashed worker's mails do not wait long.
    pub lease_seconds: i64,
    /// The bank, desk and contact every customer mail closes with (`[mail.signature]`).
    pub signature: SignatureConfig,
}

/// Token lifetimes and signing-key rotation of the OpenID Connect provider.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct OidcConfig {
    /// Lifetime of access and ID tokens (JWTs cannot be recalled, so keep it short).
    pub access_token_minutes: u32,
    /// Lifetime of refresh tokens; each use replaces the token, the family keeps this bound.
    pub refresh_token_days: u32,
    /// A new signing key is made when the current one is this old.
    pub signing_key_rotation_days: u32,
    /// The `aud` of access tokens: the customer API.
    pub api_audience: String,
}

impl Default for OidcConfig {
    fn default() -> Self {
        Self {
            access_token_minutes: 10,
            refresh_token_days: 30,
            signing_key_rotation_days: 30,
            api_audience: "assetstatus-api".to_owned(),
        }
    }
}

/// Who the edge believes and who may reach the staff listener.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct EdgeConfig {
    /// Networks of our own proxies (load balancers): only their `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Networks allowed to reach the staff listener (the company's ranges, and the load
    /// balancer's for health checks). Empty by default, which admits no one: a process serving
    /// the staff consoles refuses to start until it is set, so that no deployment opens them by
    /// accident (a same-host proxy would make every visitor look like loopback).
    pub staff_allow: Vec<ipnet::IpNet>,
    /// Per-address request budgets by route class.
    pub rate_limits: RateLimitConfig,
    /// Firewall limits and rule modes.
    pub waf: WafConfig,
    /// How long a verified access token is remembered (by its hash) so that steady API traffic
    /// does not pay for a signature check and three lookups per request. A revoked token stops
    /// working within this time; 0 checks every request.
    pub token_cache_seconds: u64,
    /// At most this many verified tokens are remembered; the least used go first.
    pub token_cache_entries: u64,
    /// How long a customer's profile and asset list, once read by the API, are served from
    /// memory on this instance, so that applications polling the API do not cost a database
    /// read each. A change made through this instance's API shows at once; one made on the web
    /// pages or another instance within this time. 0 reads the database every time.
    pub api_read_seconds: u64,
    /// Split mode: where a gateway-only process forwards public-listener requests
    /// (`http://host:port` of the portal and identity roles).
    pub upstream_public: Option<Url>,
    /// Split mode: where a gateway-only process forwards staff-listener requests
    /// (`http://host:port` of the back-office and operations roles).
    pub upstream_staff: Option<Url>,
}

/// How the listeners speak TLS.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsMode {
    /// Plain HTTP: on loopback, or behind a load balancer that ends TLS.
    #[default]
    Off,
    /// Certificate chain and private key from PEM files.
    Files,
    /// A self-signed certificate made at first start and kept in the data directory, for
    /// local use only.
    SelfSigned,
}

/// Transport security: certificates, the HTTP-to-HTTPS redirect and HSTS.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct TlsConfig {
    /// Whether and how the listeners speak TLS.
    pub mode: TlsMode,
    /// PEM certificate chain (mode `files`).
    pub cert_file: Option<PathBuf>,
    /// PEM private key (mode `files`).
    pub key_file: Option<PathBuf>,
    /// A plain-HTTP listener that redirects every request to the public listener over HTTPS.
    pub redirect_addr: Option<SocketAddr>,
    /// `Strict-Transport-Security` max-age, sent whenever customers arrive over HTTPS.
    pub hsts_max_age_seconds: u64,
}

impl Default for TlsConfig {
    fn default() -> Self {
        Self {
            mode: TlsMode::Off,
            cert_file: None,
            key_file: None,
            redirect_addr: None,
            hsts_max_age_seconds: 365 * 24 * 60 * 60,
        }
    }
}

/// Firewall limits (bytes) and the mode of each signature rule.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct WafConfig {
    /// All headers together.
    pub max_header_bytes: usize,
    /// Path and query together.
    pub max_uri_bytes: usize,
    /// Query string.
    pub max_query_bytes: usize,
    /// Request body, except uploads.
    pub max_body_bytes: usize,
    /// Upload bodies (an outer bound: each upload route enforces its own, smaller limit with a
    /// proper page).
    pub max_upload_bytes: usize,
    /// Rule ID → `block` or `count`; rules not named block.
    pub rules: std::collections::BTreeMap<String, String>,
}

impl Default for WafConfig {
    fn default() -> Self {
        Self {
            max_header_bytes: 16 * 1024,
            max_uri_bytes: 4 * 1024,
            max_query_bytes: 2 * 1024,
            max_body_bytes: 64 * 1024,
            max_upload_bytes: 16 * 1024 * 1024,
            rules: std::collections::BTreeMap::new(),
        }
    }
}

/// Requests per minute and burst, per client address, for each route class.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct RateLimitConfig {
    /// Sign-in steps (password, code, passkey), customers and staff.
    pub login: [u32; 2],
    /// Account creation.
    pub signup: [u32; 2],
    /// Password-reset requests and resets.
    pub password_reset: [u32; 2],
    /// File uploads.
    pub upload: [u32; 2],
    /// The JSON API and the token endpoint.
    pub api: [u32; 2],
    /// Everything else.
    pub general: [u32; 2],
    /// Networks not limited; none by default. Exempting loopback would exempt every visitor
    /// behind a same-host proxy that is not in `edge.trusted_proxies`.
    pub exempt: Vec<ipnet::IpNet>,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            login: [20, 10],
            signup: [10, 5],
            password_reset: [10, 5],
            upload: [20, 5],
            api: [600, 100],
            general: [1200, 200],
            exempt: Vec::new(),
        }
    }
}

impl Default for EdgeConfig {
    fn default() -> Self {
        Self {
            trusted_proxies: Vec::new(),
            staff_allow: Vec::new(),
            rate_limits: RateLimitConfig::default(),
            waf: WafConfig::default(),
            token_cache_seconds: 30,
            token_cache_entries: 10_000,
            api_read_seconds: 1,
            upstream_public: None,
            upstream_staff: None,
        }
    }
}

/// The corporate directory staff may sign in through (OpenID Connect, authorization code with
/// PKCE). Its claims decide the staff roles; its `amr`/`acr` decide whether it already asked
/// for a second factor.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FederationConfig {
    /// The provider's issuer; its discovery document is read from there.
    pub issuer: Url,
    /// Our client ID at the provider.
    pub client_id: String,
    /// Our client secret at the provider (`client_secret_basic`).
    pub client_secret: SecretString,
    /// Our callback, as registered at the provider: `<staff URL>/staff/login/federated/callback`.
    pub redirect_uri: Url,
    /// The claim (ID token or userinfo) that lists the person's groups or roles.
    #[serde(default = "default_roles_claim")]
    pub roles_claim: String,
    /// Claim value → staff role (`operator` or `admin`). Values not listed grant nothing.
    pub role_map: std::collections::BTreeMap<String, String>,
    /// `amr` values that mean the provider checked a second factor.
    #[serde(default = "default_mfa_amr")]
    pub mfa_amr: Vec<String>,
    /// `acr` values that mean the same.
    #[serde(default)]
    pub mfa_acr: Vec<String>,
}

fn default_roles_claim() -> String {
    "roles".to_owned()
}

fn default_mfa_amr() -> Vec<String> {
    ["mfa", "otp", "hwk", "swk"].map(String::from).to_vec()
}

impl FederationConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key, reason: &str| {
            Err(ConfigError::Invalid {
                key,
                reason: reason.to_owned(),
            })
        };
        if !matches!(self.issuer.scheme(), "http" | "https") {
            return invalid("staff_federation.issuer", "must start with https://");
        }
        if !matches!(self.redirect_uri.scheme(), "http" | "https") {
            return invalid("staff_federation.redirect_uri", "must start with https://");
        }
        if self.client_id.trim().is_empty() {
            return invalid("staff_federation.client_id", "must not be empty");
        }
        if self.role_map.is_empty() {
            return invalid(
                "staff_federation.role_map",
                "must map at least one claim value",
            );
        }
        if self
            .role_map
            .values()
            .any(|role| !matches!(role.as_str(), "operator" | "admin"))
        {
            return invalid(
                "staff_federation.role_map",
                "roles must be operator or admin",
            );
        }
        Ok(())
    }
}

/// A secret value (a client secret): prints and serialises masked.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps a secret.
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("********")
    }
}

impl Serialize for SecretString {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("********")
    }
}

impl<'de> Deserialize<'de> for SecretString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Self)
    }
}

/// Master key settings.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MasterKeyConfig {
    /// Key file; `<data_dir>/keys/master.key` when unset.
    pub file: Option<PathBuf>,
}

/// Distributed traces: each request's spans, exported over OTLP/HTTP to a collector (on AWS the
/// ADOT sidecar, which forwards them to X-Ray), the trace context carried from the gateway to
/// the upstream roles so that one request is one trace. Off unless an endpoint is set.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct TelemetryConfig {
    /// The collector's OTLP/HTTP base URL, e.g. `http://127.0.0.1:4318`; spans go to
    /// `<endpoint>/v1/traces`. Unset: no spans leave the process.
    pub otlp_endpoint: Option<Url>,
    /// Share of new traces recorded, 0.0–1.0; a request continuing a recorded trace is
    /// always recorded.
    pub sample_ratio: f64,
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        Self {
            otlp_endpoint: None,
            sample_ratio: 1.0,
        }
    }
}

/// Readiness probing. A background task checks the database, the document store and the data
/// directory's disk at this pace and `/readyz` answers from its latest result, so that
/// anonymous probes cost no I/O.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct HealthConfig {
    /// Seconds between probes; a result older than three intervals counts as not ready.
    pub probe_interval_seconds: u64,
    /// Below this much free space (MiB) on the data directory's disk the process is not ready:
    /// writes are about to fail, and a replaced task starts on an empty disk. 0 turns the check
    /// off. The `disk_space` alert warns long before, at a share of the disk.
    pub min_free_disk_mib: u64,
}

impl Default for HealthConfig {
    fn default() -> Self {
        Self {
            probe_interval_seconds: 5,
            min_free_disk_mib: 64,
        }
    }
}

impl HealthConfig {
    /// The time between probes.
    pub fn probe_interval(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.probe_interval_seconds)
    }

    /// The free-space floor in bytes (0: no floor).
    pub fn min_free_bytes(&self) -> u64 {
        self.min_free_disk_mib * 1024 * 1024
    }
}

/// Session lifetimes: idle time-out and an absolute limit, as banks are expected to enforce.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionConfig {
    /// Minutes without a request after which a session ends.
    pub idle_minutes: u32,
    /// Hours after login after which a session ends whatever happens.
    pub absolute_hours: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./data"),
            public_addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            staff_addr: SocketAddr::from(([127, 0, 0, 1], 8081)),
            database_url: None,
            public_base_url: None,
            staff_base_url: None,
            mail: MailConfig::default(),
            master_key: MasterKeyConfig::default(),
            session: SessionConfig::default(),
            staff_session: SessionConfig {
                idle_minutes: 15,
                absolute_hours: 8,
            },
            oidc: OidcConfig::default(),
            staff_federation: None,
            edge: EdgeConfig::default(),
            tls: TlsConfig::default(),
            documents: DocumentsConfig::default(),
            applications: ApplicationsConfig::default(),
            ops: OpsConfig::default(),
            backup: BackupConfig::default(),
            audit: AuditConfig::default(),
            health: HealthConfig::default(),
            telemetry: TelemetryConfig::default(),
            log_filter: "info".to_owned(),
        }
    }
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            smtp_url: None,
            from: "assetstatus <no-reply@assetstatus.example>".to_owned(),
            max_attempts: 12,
            smtp_ca_file: None,
            lease_seconds: 300,
            signature: SignatureConfig::default(),
        }
    }
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            idle_minutes: 30,
            absolute_hours: 12,
        }
    }
}

impl SessionConfig {
    fn validate(&self, section: &'static str) -> Result<(), ConfigError> {
        let (idle_key, absolute_key) = match section {
            "staff_session" => ("staff_session.idle_minutes", "staff_session.absolute_hours"),
            _ => ("session.idle_minutes", "session.absolute_hours"),
        };
        if self.idle_minutes == 0 || self.idle_minutes > 24 * 60 {
            return Err(ConfigError::Invalid {
                key: idle_key,
                reason: "must be between 1 and 1440".into(),
            });
        }
        if self.absolute_hours == 0 || self.absolute_hours > 24 * 7 {
            return Err(ConfigError::Invalid {
                key: absolute_key,
                reason: "must be between 1 and 168".into(),
            });
        }
        Ok(())
    }
}

/// Where identity-document images are kept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStoreKind {
    /// A directory on this machine (`local_dir`, or `<data_dir>/documents`): one server, or tests.
    #[default]
    Local,
    /// An S3 bucket (or an S3-compatible server), shared by every instance.
    S3,
}

/// The additional-service application.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplicationsConfig {
    /// Mailboxes of the business operators, each told of every new submission (a team address
    /// is usual). The mail names only the reception number.
    pub operator_addresses: Vec<String>,
    /// Four eyes on every approval: the operator who approves first only proposes, and a second
    /// operator must confirm (B5). On unless turned off (the demo does, and the staff console
    /// then says so on every review page).
    pub maker_checker: bool,
    /// Business days within which a submitted application should be decided: the queue's
    /// service-level clock, counted on the bank's calendar (`platform::business_calendar`).
    pub service_level_business_days: u32,
    /// Days the bank is closed besides weekends, national holidays and 31 December to 3
    /// January, as `YYYY-MM-DD`.
    pub closed_days: Vec<String>,
    /// Open cases one operator holds at most; "next case" and automatic assignment give no
    /// more.
    pub assignment_cap: u32,
    /// Hands each submitted application at once to the operator holding the fewest open cases
    /// (below the cap). Off unless set: operators then take cases from the queue.
    pub auto_assign: bool,
}

impl Default for ApplicationsConfig {
    fn default() -> Self {
        Self {
            operator_addresses: Vec::new(),
            maker_checker: true,
            service_level_business_days: 2,
            closed_days: Vec::new(),
            assignment_cap: 10,
            auto_assign: false,
        }
    }
}

impl ApplicationsConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        let bad = self
            .operator_addresses
            .iter()
            .any(|a| a.parse::<lettre::Address>().is_err());
        if bad {
            return Err(ConfigError::Invalid {
                key: "applications.operator_addresses",
                reason: "each entry must be a mail address such as backoffice@bank.example".into(),
            });
        }
        if !(1..=20).contains(&self.service_level_business_days) {
            return Err(ConfigError::Invalid {
                key: "applications.service_level_business_days",
                reason: "must be between 1 and 20 business days".into(),
            });
        }
        if !(1..=200).contains(&self.assignment_cap) {
            return Err(ConfigError::Invalid {
                key: "applications.assignment_cap",
                reason: "must be between 1 and 200 cases".into(),
            });
        }
        self.closed_dates().map(|_| ())
    }

    /// The bank's extra closed days, parsed.
    pub fn closed_dates(&self) -> Result<Vec<time::Date>, ConfigError> {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        self.closed_days
            .iter()
            .map(|day| {
                time::Date::parse(day, &format).map_err(|_| ConfigError::Invalid {
                    key: "applications.closed_days",
                    reason: format!("{day:?} is not a date such as 2027-05-06"),
                })
            })
            .collect()
    }
}

/// Identity-document uploads: limits that refuse oversized files and decompression bombs before
/// anything is decoded, and the store that keeps the images, each encrypted with its own key.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct DocumentsConfig {
    /// Largest accepted upload in bytes (10 MB); at most `edge.waf.max_upload_bytes`.
    pub max_bytes: u64,
    /// Longest accepted side in pixels, read from the image header before decoding.
    pub max_side: u32,
    /// Most pixels (width × height) accepted, read from the image header before decoding.
    pub max_pixels: u64,
    /// Most bytes an image may take once decoded (pixels × channels × bytes per channel, from
    /// the header before decoding): bounds the memory of cleaning (40 MB, a 12 MP photo is 36).
    pub max_decoded_bytes: u64,
    /// `local` or `s3`.
    pub store: DocumentStoreKind,
    /// Directory of the local store; `<data_dir>/documents` when unset.
    pub local_dir: Option<PathBuf>,
    /// Bucket of the S3 store; required with `store = "s3"`.
    pub s3_bucket: Option<String>,
    /// Region of the bucket.
    pub s3_region: String,
    /// Endpoint of an S3-compatible server; AWS itself when unset. Plain `http://` is allowed
    /// only because such a server may run on the same host.
    pub s3_endpoint: Option<Url>,
    /// Key prefix inside the bucket (`documents/`), for a bucket shared with other data.
    pub s3_prefix: Option<String>,
    /// Access key ID; when unset, credentials come from the environment (an ECS task role).
    pub s3_access_key_id: Option<String>,
    /// Secret access key belonging to `s3_access_key_id`.
    pub s3_secret_access_key: Option<SecretString>,
}

impl Default for DocumentsConfig {
    fn default() -> Self {
        Self {
            max_bytes: 10_000_000,
            max_side: 10_000,
            max_pixels: 40_000_000,
            max_decoded_bytes: 40_000_000,
            store: DocumentStoreKind::Local,
            local_dir: None,
            s3_bucket: None,
            s3_region: "ap-northeast-1".to_owned(),
            s3_endpoint: None,
            s3_prefix: None,
            s3_access_key_id: None,
            s3_secret_access_key: None,
        }
    }
}

impl DocumentsConfig {
    /// The directory of the local store.
    pub fn local_dir(&self, data_dir: &Path) -> PathBuf {
        self.local_dir
            .clone()
            .unwrap_or_else(|| data_dir.join("documents"))
    }

    fn validate(&self, max_upload_bytes: usize) -> Result<(), ConfigError> {
        let invalid = |key, reason: &str| {
            Err(ConfigError::Invalid {
                key,
                reason: reason.to_owned(),
            })
        };
        if self.max_bytes == 0 || self.max_bytes > max_upload_bytes as u64 {
            return invalid(
                "documents.max_bytes",
                "must be between 1 and edge.waf.max_upload_bytes",
            );
        }
        if !(1..=65_535).contains(&self.max_side) {
            return invalid("documents.max_side", "must be between 1 and 65535");
        }
        if !(1..=100_000_000).contains(&self.max_pixels) {
            return invalid("documents.max_pixels", "must be between 1 and 100000000");
        }
        if !(1..=1_000_000_000).contains(&self.max_decoded_bytes) {
            return invalid(
                "documents.max_decoded_bytes",
                "must be between 1 and 1000000000",
            );
        }
        let blank = |value: &Option<String>| value.as_deref().is_none_or(|v| v.trim().is_empty());
        if self.store == DocumentStoreKind::S3 {
            if blank(&self.s3_bucket) {
                return invalid("documents.s3_bucket", "required when documents.store is s3");
            }
            if self.s3_region.trim().is_empty() {
                return invalid("documents.s3_region", "required when documents.store is s3");
            }
        }
        if let Some(endpoint) = &self.s3_endpoint
            && (!matches!(endpoint.scheme(), "http" | "https") || endpoint.host_str().is_none())
        {
            return invalid("documents.s3_endpoint", "must be http(s)://host[:port]");
        }
        let secret_blank = self
            .s3_secret_access_key
            .as_ref()
            .is_none_or(|s| s.expose().trim().is_empty());
        if blank(&self.s3_access_key_id) != secret_blank {
            return if secret_blank {
                invalid(
                    "documents.s3_secret_access_key",
                    "required when documents.s3_access_key_id is set",
                )
            } else {
                invalid(
                    "documents.s3_access_key_id",
                    "required when documents.s3_secret_access_key is set",
                )
            };
        }
        if let Some(prefix) = &self.s3_prefix {
            let segments: Vec<&str> = prefix.trim_matches('/').split('/').collect();
            let valid = segments.iter().all(|segment| {
                !segment.is_empty()
                    && *segment != "."
                    && *segment != ".."
                    && segment
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            });
            if !valid {
                return invalid(
                    "documents.s3_prefix",
                    "must be path segments of letters, digits, `-`, `_` and `.`, such as documents/",
                );
            }
        }
        Ok(())
    }
}

/// Values given on the command line; they win over every other source.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Overrides {
    /// `--data-dir`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    /// `--public-addr`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_addr: Option<String>,
    /// `--staff-addr`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staff_addr: Option<String>,
    /// `--database-url`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
}

impl Config {
    /// Reads defaults, the optional TOML file, the environment and the overrides, then checks
    /// the rules no type can express.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            figment = figment.merge(Toml::file_exact(file));
        }
        let config: Config = figment
            .merge(
                Env::prefixed("ASSETSTATUS_")
                    .split("__")
                    .ignore(&["config"]),
            )
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(Box::new)?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key, reason: &str| {
            Err(ConfigError::Invalid {
                key,
                reason: reason.to_owned(),
            })
        };
        if !matches!(self.public_base_url().scheme(), "http" | "https") {
            return invalid("public_base_url", "must start with http:// or https://");
        }
        if let Some(url) = &self.database_url
            && !matches!(url.0.scheme(), "sqlite" | "postgres" | "postgresql")
        {
            return invalid("database_url", "must start with sqlite:// or postgres://");
        }
        if let Some(url) = &self.mail.smtp_url
            && !matches!(url.0.scheme(), "smtp" | "smtps")
        {
            return invalid("mail.smtp_url", "must start with smtp:// or smtps://");
        }
        if self.mail.from.parse::<lettre::message::Mailbox>().is_err() {
            return invalid(
                "mail.from",
                "must be a mail address such as `Bank <no-reply@example.jp>`",
            );
        }
        if !(1..=100).contains(&self.mail.max_attempts) {
            return invalid("mail.max_attempts", "must be between 1 and 100");
        }
        if !(1..=86_400).contains(&self.mail.lease_seconds) {
            return invalid("mail.lease_seconds", "must be between 1 and 86400");
        }
        self.mail.signature.validate()?;
        self.session.validate("session")?;
        self.staff_session.validate("staff_session")?;
        if !(1..=300).contains(&self.health.probe_interval_seconds) {
            return invalid("health.probe_interval_seconds", "must be between 1 and 300");
        }
        if let Some(url) = &self.telemetry.otlp_endpoint
            && !matches!(url.scheme(), "http" | "https")
        {
            return invalid(
                "telemetry.otlp_endpoint",
                "must start with http:// or https://",
            );
        }
        if !(0.0..=1.0).contains(&self.telemetry.sample_ratio) {
            return invalid("telemetry.sample_ratio", "must be between 0.0 and 1.0");
        }
        if self.health.min_free_disk_mib > 1_048_576 {
            return invalid(
                "health.min_free_disk_mib",
                "must be at most 1048576 (1 TiB); 0 turns the check off",
            );
        }
        if !(1..=60).contains(&self.oidc.access_token_minutes) {
            return invalid("oidc.access_token_minutes", "must be between 1 and 60");
        }
        if !(1..=90).contains(&self.oidc.refresh_token_days) {
            return invalid("oidc.refresh_token_days", "must be between 1 and 90");
        }
        if !(1..=365).contains(&self.oidc.signing_key_rotation_days) {
            return invalid(
                "oidc.signing_key_rotation_days",
                "must be between 1 and 365",
            );
        }
        if self.oidc.api_audience.trim().is_empty() {
            return invalid("oidc.api_audience", "must not be empty");
        }
        let limits = &self.edge.rate_limits;
        let budgets = [
            limits.login,
            limits.signup,
            limits.password_reset,
            limits.upload,
            limits.api,
            limits.general,
        ];
        if budgets.iter().flatten().any(|n| *n == 0 || *n > 1_000_000) {
            return invalid(
                "edge.rate_limits",
                "each budget is [requests per minute, burst], both between 1 and 1000000",
            );
        }
        if self
            .edge
            .waf
            .rules
            .values()
            .any(|mode| !matches!(mode.as_str(), "block" | "count"))
        {
            return invalid("edge.waf.rules", "each rule's mode is block or count");
        }
        if self.edge.api_read_seconds > 10 {
            return invalid(
                "edge.api_read_seconds",
                "must be between 0 and 10: API reads may lag a change by this long",
            );
        }
        self.documents.validate(self.edge.waf.max_upload_bytes)?;
        self.applications.validate()?;
        self.ops.validate()?;
        self.backup.validate()?;
        self.audit.validate()?;
        if let Some(federation) = &self.staff_federation {
            federation.validate()?;
        }
        self.validate_transport()?;
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&self.log_filter) {
            return Err(ConfigError::Invalid {
                key: "log_filter",
                reason: e.to_string(),
            });
        }
        Ok(())
    }

    fn validate_transport(&self) -> Result<(), ConfigError> {
        let invalid = |key, reason: &str| {
            Err(ConfigError::Invalid {
                key,
                reason: reason.to_owned(),
            })
        };
        if self.tls.mode == TlsMode::Files {
            if self.tls.cert_file.is_none() {
                return invalid("tls.cert_file", "required when tls.mode is files");
            }
            if self.tls.key_file.is_none() {
                return invalid("tls.key_file", "required when tls.mode is files");
            }
        }
        if self.tls.redirect_addr.is_some() && self.tls.mode == TlsMode::Off {
            return invalid("tls.redirect_addr", "needs tls.mode files or self_signed");
        }
        for (key, upstream) in [
            ("edge.upstream_public", &self.edge.upstream_public),
            ("edge.upstream_staff", &self.edge.upstream_staff),
        ] {
            if let Some(url) = upstream
                && (url.scheme() != "http" || url.path() != "/" || url.host_str().is_none())
            {
                return invalid(key, "must be http://host:port of an upstream role");
            }
        }
        Ok(())
    }

    /// Checks what a process serving the staff consoles (or a gateway in front of them) needs:
    /// an explicit `edge.staff_allow`. An empty list would admit no one, and no default is safe
    /// (loopback is every visitor behind a same-host proxy), so start-up stops instead.
    pub fn validate_staff_listener(&self) -> Result<(), ConfigError> {
        if self.edge.staff_allow.is_empty() {
            return Err(ConfigError::Invalid {
                key: "edge.staff_allow",
                reason: "required to serve the staff consoles: list the networks allowed to \
                         reach the staff listener (the company's ranges, and the load \
                         balancer's for health checks), e.g. [\"10.0.0.0/8\"]; \
                         `serve --demo` allows loopback"
                    .into(),
            });
        }
        Ok(())
    }

    /// The database to use: the configured URL, or a SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.0.to_string(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("assetstatus.db").display()
            ),
        }
    }

    /// The SQLite database file, when the database is SQLite on a file: its disk matters as
    /// much as the data directory's.
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        let url = self.database_url();
        let rest = url.strip_prefix("sqlite://")?;
        let path = rest.split('?').next().unwrap_or_default();
        (!path.is_empty() && !path.starts_with(':')).then(|| PathBuf::from(path))
    }

    /// Where customers reach the portal: the configured URL, or the public listener itself.
    pub fn public_base_url(&self) -> Url {
        self.public_base_url
            .clone()
            .unwrap_or_else(|| listener_url(self.public_addr, self.tls.mode))
    }

    /// Where staff reach the consoles: the configured URL, or the staff listener itself.
    pub fn staff_base_url(&self) -> Url {
        self.staff_base_url
            .clone()
            .unwrap_or_else(|| listener_url(self.staff_addr, self.tls.mode))
    }

    /// The master key file to use.
    pub fn master_key_file(&self) -> PathBuf {
        self.master_key
            .file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("keys").join("master.key"))
    }

    /// Cookies get the `Secure` attribute and the `__Host-` prefix when customers arrive over TLS.
    pub fn secure_cookies(&self) -> bool {
        self.public_base_url().scheme() == "https"
    }

    /// The effective configuration as TOML, with every secret masked.
    pub fn to_masked_toml(&self) -> String {
        toml::to_string_pretty(self)
            .unwrap_or_else(|e| format!("# cannot print configuration: {e}\n"))
    }
}

#[allow(clippy::expect_used)] // an IP address and a port always form a valid URL
fn listener_url(addr: SocketAddr, tls: TlsMode) -> Url {
    let scheme = if tls == TlsMode::Off { "http" } else { "https" };
    let host = match addr.ip() {
        ip if ip.is_unspecified() => "127.0.0.1".to_owned(),
        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    Url::parse(&format!("{scheme}://{host}:{}/", addr.port()))
        .expect("an address and port form a URL")
}

/// A URL that may carry credentials: it prints and serialises with the password masked.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretUrl(Url);

impl SecretUrl {
    /// Wraps a URL that may carry credentials.
    pub fn new(url: Url) -> Self {
        Self(url)
    }

    /// The full URL, credentials included, for the one place that connects with it.
    pub fn expose(&self) -> &Url {
        &self.0
    }

    fn masked(&self) -> String {
        let mut url = self.0.clone();
        if url.password().is_some() {
            let _ = url.set_password(Some("********"));
        }
        url.to_string()
    }
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Display for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl Serialize for SecretUrl {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.masked())
    }
}

impl<'de> Deserialize<'de> for SecretUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Url::parse(&raw)
            .map(SecretUrl)
            .map_err(|e| serde::de::Error::custom(format!("not a valid URL: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_passwords_in_printed_configuration() {
        let overrides = Overrides {
            database_url: Some("postgres://app:hunter2-secret@db.internal:5432/assets".into()),
            ..Overrides::default()
        };
        let config = Config::load(None, &overrides).unwrap();
        let printed = config.to_masked_toml();
        assert!(
            printed.contains("postgres://app:********@db.internal:5432/assets"),
            "{printed}"
        );
        assert!(!printed.contains("hunter2-secret"));
        assert_eq!(
            config.database_url(),
            "postgres://app:hunter2-secret@db.internal:5432/assets"
        );
    }

    #[test]
    fn rejects_a_bad_address_naming_the_key() {
        let overrides = Overrides {
            public_addr: Some("not-an-address".into()),
            ..Overrides::default()
        };
        let err = Config::load(None, &overrides).unwrap_err().to_string();
        assert!(err.contains("public_addr"), "{err}");
    }

    #[test]
    fn rejects_an_unknown_database_scheme_naming_the_key() {
        let overrides = Overrides {
            database_url: Some("mysql://x@y/z".into()),
            ..Overrides::default()
        };
        let err = Config::load(None, &overrides).unwrap_err().to_string();
        assert!(err.contains("`database_url`"), "{err}");
    }

    #[test]
    fn reads_the_mail_signature_and_refuses_a_bad_one_naming_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(
            &file,
            "[mail.signature]\nphone = \"03-0000-0000\"\n[mail.signature.ja]\nbank = \"みなと銀行\"\n",
        )
        .unwrap();
        let config = Config::load(Some(&file), &Overrides::default()).unwrap();
        assert_eq!(config.mail.signature.phone, "03-0000-0000");
        assert_eq!(config.mail.signature.ja.bank, "みなと銀行");
        assert_eq!(
            config.mail.signature.ja.department, "資産管理サービス窓口",
            "unset keys keep their defaults"
        );
        std::fs::write(&file, "[mail.signature.en]\nhours = \"\"\n").unwrap();
        let err = Config::load(Some(&file), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("`mail.signature.en.hours`"), "{err}");
        std::fs::write(&file, "[mail.signature]\nurl = \"not a url\"\n").unwrap();
        let err = Config::load(Some(&file), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("url"), "{err}");
    }

    #[test]
    fn refuses_incomplete_transport_settings_naming_the_key() {
        let dir = tempfile::tempdir().unwrap();
        for (toml, key) in [
            (
                "[tls]\nmode = \"files\"\nkey_file = \"k.pem\"\n",
                "`tls.cert_file`",
            ),
            (
                "[tls]\nmode = \"files\"\ncert_file = \"c.pem\"\n",
                "`tls.key_file`",
            ),
            (
                "[tls]\nredirect_addr = \"127.0.0.1:8000\"\n",
                "`tls.redirect_addr`",
            ),
            ("[tls]\nmode = \"sometimes\"\n", "mode"),
            (
                "[edge]\nupstream_public = \"https://portal.internal:8080/\"\n",
                "`edge.upstream_public`",
            ),
            (
                "[edge]\nupstream_staff = \"http://ops.internal:8081/console\"\n",
                "`edge.upstream_staff`",
            ),
            (
                "[applications]\noperator_addresses = [\"backoffice\"]\n",
                "`applications.operator_addresses`",
            ),
        ] {
            let file = dir.path().join("c.toml");
            std::fs::write(&file, toml).unwrap();
            let err = Config::load(Some(&file), &Overrides::default())
                .unwrap_err()
                .to_string();
            assert!(err.contains(key), "{toml}: {err}");
        }
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "[tls]\nmode = \"self_signed\"\n").unwrap();
        let config = Config::load(Some(&file), &Overrides::default()).unwrap();
        assert_eq!(config.public_base_url().scheme(), "https");
        assert!(config.secure_cookies());
    }

    #[test]
    fn file_values_apply_and_flags_win() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("assetstatus.toml");
        std::fs::write(
            &file,
            "data_dir = \"/srv/a\"\n[session]\nidle_minutes = 15\n",
        )
        .unwrap();
        let overrides = Overrides {
            data_dir: Some("/srv/b".into()),
            ..Overrides::default()
        };
        let config = Config::load(Some(&file), &overrides).unwrap();
        assert_eq!(config.session.idle_minutes, 15);
        assert_eq!(config.data_dir, PathBuf::from("/srv/b"));
        assert!(
            config
                .database_url()
                .starts_with("sqlite:///srv/b/assetstatus.db")
        );
    }

    #[test]
    fn links_follow_the_public_listener_unless_a_base_url_is_set() {
        let overrides = Overrides {
            public_addr: Some("0.0.0.0:8090".into()),
            ..Overrides::default()
        };
        let config = Config::load(None, &overrides).unwrap();
        assert_eq!(config.public_base_url().as_str(), "http://127.0.0.1:8090/");
        assert!(!config.secure_cookies());
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(
            &file,
            "public_base_url = \"https://www.bank.example.jp/\"\n",
        )
        .unwrap();
        let config = Config::load(Some(&file), &overrides).unwrap();
        assert_eq!(
            config.public_base_url().as_str(),
            "https://www.bank.example.jp/"
        );
        assert!(config.secure_cookies());
    }

    #[test]
    fn documents_default_to_a_local_store_with_upload_limits() {
        let config = Config::load(None, &Overrides::default()).unwrap();
        let documents = &config.documents;
        assert_eq!(documents.store, DocumentStoreKind::Local);
        assert_eq!(documents.max_bytes, 10_000_000);
        assert_eq!(documents.max_side, 10_000);
        assert_eq!(documents.max_pixels, 40_000_000);
        assert_eq!(documents.max_decoded_bytes, 40_000_000);
        assert_eq!(documents.s3_region, "ap-northeast-1");
        assert_eq!(
            documents.local_dir(Path::new("/srv/a")),
            PathBuf::from("/srv/a/documents")
        );
    }

    #[test]
    fn documents_s3_settings_load_and_the_secret_is_masked() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(
            &file,
            "[documents]\nstore = \"s3\"\ns3_bucket = \"bank-documents\"\n\
             s3_endpoint = \"http://127.0.0.1:9000\"\ns3_prefix = \"kyc/documents/\"\n\
             s3_access_key_id = \"AKIAEXAMPLE\"\n\
             s3_secret_access_key = \"wJalr-very-secret\"\nmax_bytes = 5000000\n",
        )
        .unwrap();
        let config = Config::load(Some(&file), &Overrides::default()).unwrap();
        let documents = &config.documents;
        assert_eq!(documents.store, DocumentStoreKind::S3);
        assert_eq!(documents.s3_bucket.as_deref(), Some("bank-documents"));
        assert_eq!(documents.max_bytes, 5_000_000);
        assert_eq!(
            documents.s3_secret_access_key.as_ref().unwrap().expose(),
            "wJalr-very-secret"
        );
        let printed = config.to_masked_toml();
        assert!(printed.contains("[documents]"), "{printed}");
        assert!(printed.contains("store = \"s3\""), "{printed}");
        assert!(!printed.contains("wJalr-very-secret"), "{printed}");
        assert!(!format!("{config:?}").contains("wJalr-very-secret"));
    }

    #[test]
    fn the_sqlite_file_is_found_in_the_database_url() {
        let dir = tempfile::tempdir().unwrap();
        let overrides = |url: Option<&str>| Overrides {
            data_dir: Some(dir.path().to_owned()),
            database_url: url.map(str::to_owned),
            ..Overrides::default()
        };
        let config = Config::load(None, &overrides(None)).unwrap();
        assert_eq!(
            config.sqlite_file(),
            Some(dir.path().join("assetstatus.db"))
        );
        let config =
            Config::load(None, &overrides(Some("sqlite:///mnt/db/a.db?mode=rwc"))).unwrap();
        assert_eq!(config.sqlite_file(), Some(PathBuf::from("/mnt/db/a.db")));
        let config = Config::load(None, &overrides(Some("postgres://db.internal/assets"))).unwrap();
        assert_eq!(config.sqlite_file(), None);
    }

    #[test]
    fn refuses_incomplete_documents_settings_naming_the_key() {
        let dir = tempfile::tempdir().unwrap();
        for (toml, key) in [
            ("[documents]\nstore = \"s3\"\n", "`documents.s3_bucket`"),
            (
                "[documents]\nstore = \"s3\"\ns3_bucket = \" \"\n",
                "`documents.s3_bucket`",
            ),
            ("[documents]\nstore = \"ftp\"\n", "store"),
            ("[documents]\nmax_bytes = 0\n", "`documents.max_bytes`"),
            (
                "[documents]\nmax_bytes = 100000000\n",
                "`documents.max_bytes`",
            ),
            ("[documents]\nmax_side = 0\n", "`documents.max_side`"),
            ("[documents]\nmax_pixels = 0\n", "`documents.max_pixels`"),
            (
                "[documents]\nmax_decoded_bytes = 0\n",
                "`documents.max_decoded_bytes`",
            ),
            (
                "[documents]\ns3_endpoint = \"ftp://files.internal/\"\n",
                "`documents.s3_endpoint`",
            ),
            (
                "[documents]\ns3_access_key_id = \"AKIAEXAMPLE\"\n",
                "`documents.s3_secret_access_key`",
            ),
            (
                "[documents]\ns3_secret_access_key = \"secret\"\n",
                "`documents.s3_access_key_id`",
            ),
            (
                "[documents]\ns3_prefix = \"a/../b\"\n",
                "`documents.s3_prefix`",
            ),
            (
                "[applications]\nservice_level_business_days = 0\n",
                "`applications.service_level_business_days`",
            ),
            (
                "[applications]\nassignment_cap = 500\n",
                "`applications.assignment_cap`",
            ),
            (
                "[applications]\nclosed_days = [\"2027-13-01\"]\n",
                "`applications.closed_days`",
            ),
        ] {
            let file = dir.path().join("c.toml");
            std::fs::write(&file, toml).unwrap();
            let err = Config::load(Some(&file), &Overrides::default())
                .unwrap_err()
                .to_string();
            assert!(err.contains(key), "{toml}: {err}");
        }
    }

    #[test]
    fn defaults_exempt_no_one_allow_no_one_and_need_two_operators() {
        let config = Config::load(None, &Overrides::default()).unwrap();
        assert!(
            config.edge.rate_limits.exempt.is_empty(),
            "no rate-limit exemption"
        );
        assert!(config.edge.staff_allow.is_empty(), "no staff network");
        assert!(config.applications.maker_checker, "four eyes on approvals");
        assert_eq!(config.health.probe_interval_seconds, 5);
        let err = config.validate_staff_listener().unwrap_err().to_string();
        assert!(err.contains("`edge.staff_allow`"), "{err}");
        assert!(
            err.contains("required to serve the staff consoles"),
            "{err}"
        );
    }

    #[test]
    fn safe_defaults_give_way_to_explicit_settings() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(
            &file,
            "[edge]\nstaff_allow = [\"10.0.0.0/8\", \"2001:db8::/32\"]\n\
             [edge.rate_limits]\nexempt = [\"192.0.2.10/32\"]\n\
             [applications]\nmaker_checker = false\n[health]\nprobe_interval_seconds = 2\n",
        )
        .unwrap();
        let config = Config::load(Some(&file), &Overrides::default()).unwrap();
        assert_eq!(config.edge.staff_allow.len(), 2);
        assert!(config.validate_staff_listener().is_ok());
        assert_eq!(config.edge.rate_limits.exempt.len(), 1);
        assert!(!config.applications.maker_checker);
        assert_eq!(
            config.health.probe_interval(),
            std::time::Duration::from_secs(2)
        );
        for toml in [
            (
                "[health]\nprobe_interval_seconds = 0\n",
                "health.probe_interval_seconds",
            ),
            (
                "[health]\nprobe_interval_seconds = 301\n",
                "health.probe_interval_seconds",
            ),
            (
                "[health]\nmin_free_disk_mib = 1048577\n",
                "health.min_free_disk_mib",
            ),
            ("[health]\nmin_free_disk_mib = -1\n", "min_free_disk_mib"),
            ("[backup]\nretry_seconds = 0\n", "backup.retry_seconds"),
            ("[backup]\nretry_seconds = 86401\n", "backup.retry_seconds"),
            ("[backup]\nlease_seconds = 2\n", "backup.lease_seconds"),
            ("[backup]\nlease_seconds = 3601\n", "backup.lease_seconds"),
            (
                "[telemetry]\notlp_endpoint = \"ftp://collector:4318\"\n",
                "telemetry.otlp_endpoint",
            ),
            (
                "[telemetry]\nsample_ratio = 1.5\n",
                "telemetry.sample_ratio",
            ),
            (
                "[telemetry]\nsample_ratio = -0.1\n",
                "telemetry.sample_ratio",
            ),
        ] {
            std::fs::write(&file, toml.0).unwrap();
            let err = Config::load(Some(&file), &Overrides::default())
                .unwrap_err()
                .to_string();
            assert!(err.contains(toml.1), "{}: {err}", toml.0);
        }
        std::fs::write(&file, "[health]\nmin_free_disk_mib = 0\n").unwrap();
        let off = Config::load(Some(&file), &Overrides::default()).unwrap();
        assert_eq!(off.health.min_free_bytes(), 0, "0 turns the floor off");
        assert_eq!(HealthConfig::default().min_free_bytes(), 64 * 1024 * 1024);
        assert!(
            off.telemetry.otlp_endpoint.is_none(),
            "no spans leave the process unless an endpoint is set"
        );
    }

    #[test]
    fn rejects_zero_idle_time_naming_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "[session]\nidle_minutes = 0\n").unwrap();
        let err = Config::load(Some(&file), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("session.idle_minutes"), "{err}");
    }
}
