//! Assembling and running the server: storage, keys, mail, the services, then the two listeners
//! (their URL maps in [`crate::routes`]) and the background tasks the roles need.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use applications::Applications;
use assets::AssetBook;
use axum::Router;
use backoffice::{BackOffice, BackOfficeState};
use console::{Console, ConsoleState};
use edge::HttpMetrics;
use identity::{Identity, PasswordHasher, Settings};
use ops::{Ops, OpsState};
use platform::business_calendar::BusinessCalendar;
use platform::config::Config;
use platform::crypto::Keyring;
use platform::db::Db;
use platform::mail::Mailer;
use platform::outbox::Outbox;
use portal::{App, AppState};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::supervisor::Supervisor;

/// Everything built from the configuration, before any socket is opened.
pub struct Built {
    /// The portal's state (also used by demo seeding).
    pub state: AppState,
    /// Where mail goes, for the banner.
    pub mail: String,
    /// Request figures of this process, shared by both listeners.
    pub http_metrics: Arc<HttpMetrics>,
    /// Mails waiting for delivery; the worker role delivers them.
    pub outbox: Arc<Outbox>,
    /// The staff console shell's state.
    pub console: ConsoleState,
    /// The business operators' console's state.
    pub backoffice: BackOfficeState,
    /// The operations console's state (also its sampler and alert engine).
    pub ops: OpsState,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Arc<edge::TrustedProxies>,
    /// Who may reach the staff listener.
    pub staff_allow: Arc<edge::AllowList>,
    /// Per-address request budgets, shared by both listeners.
    pub rate_limits: Arc<edge::RateLimits>,
    /// The web application firewall.
    pub waf: Arc<edge::Waf>,
    /// Bearer-token verification for the API.
    pub authenticator: Arc<api::Authenticator>,
    /// The JSON API's handlers' state.
    pub api: api::ApiState,
    /// The latest readiness probe, which `/readyz` answers from.
    pub readiness: Arc<crate::health::Readiness>,
}

/// Connects storage, opens the keyring and assembles the services.
pub async fn build(config: &Config) -> anyhow::Result<Built> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create data directory {}", config.data_dir.display()))?;
    let db = Db::connect(&config.database_url()).await?;
    let keyring = Arc::new(Keyring::open(&db, &config.master_key_file()).await?);
    let mailer = Arc::new(Mailer::from_config(config)?);
    let outbox = Arc::new(Outbox::new(
        db.clone(),
        Arc::clone(&keyring),
        Arc::clone(&mailer),
        &config.mail,
        &config.data_dir,
    ));
    let parallelism = std::thread::available_parallelism().map_or(2, |n| n.get());
    let hasher = PasswordHasher::new(parallelism)?;
    let settings = Settings {
        base_url: config.public_base_url(),
        staff_base_url: config.staff_base_url(),
        sessions: config.session.clone(),
        staff_sessions: config.staff_session.clone(),
    };
    let identity = Arc::new(Identity::new(
        db.clone(),
        Arc::clone(&keyring),
        hasher,
        Arc::clone(&outbox),
        settings,
    ));
    identity
        .index_missing_names()
        .await
        .context("cannot index customers' kana readings")?;
    identity
        .assign_missing_customer_numbers()
        .await
        .context("cannot assign customer numbers")?;
    let assets = AssetBook::new(db.clone(), Arc::clone(&keyring));
    let vault = Arc::new(
        documents::Vault::from_config(&config.documents, &config.data_dir)
            .context("cannot open the document store")?,
    );
    let applications = Arc::new(Applications::new(
        db.clone(),
        Arc::clone(&keyring),
        Arc::clone(&identity),
        Arc::clone(&vault),
        Arc::clone(&outbox),
        Arc::new(core_banking::SandboxCoreBanking::new()),
        applications::Settings {
            public_base_url: config.public_base_url(),
            staff_base_url: config.staff_base_url(),
            operator_addresses: config.applications.operator_addresses.clone(),
            document_limits: documents::UploadLimits::from_config(&config.documents),
            maker_checker: config.applications.maker_checker,
            auto_assign_cap: config
                .applications
                .auto_assign
                .then_some(config.applications.assignment_cap),
        },
    ));
    let oidc = oidc::Provider::new(
        db.clone(),
        Arc::clone(&keyring),
        Arc::clone(&identity),
        oidc::Settings::from_config(config),
    )
    .await
    .context("cannot start the identity provider")?;
    let app = App {
        db,
        keyring,
        identity,
        assets,
        applications,
        vault,
        oidc: Arc::new(oidc),
        secure_cookies: config.secure_cookies(),
    };
    let federation = match &config.staff_federation {
        Some(settings) => Some(Arc::new(
            federation::Federation::new(settings.clone(), app.db.clone(), Arc::clone(&app.keyring))
                .context("cannot set up staff federation")?,
        )),
        None => None,
    };
    let backoffice = BackOfficeState(Arc::new(BackOffice {
        db: app.db.clone(),
        identity: Arc::clone(&app.identity),
        applications: Arc::clone(&app.applications),
        keyring: Arc::clone(&app.keyring),
        secure_cookies: app.secure_cookies,
        work: backoffice::WorkSettings {
            calendar: BusinessCalendar::new(config.applications.closed_dates()?),
            service_level_days: config.applications.service_level_business_days,
            assignment_cap: config.applications.assignment_cap,
        },
    }));
    let state_db = app.db.clone();
    let http_metrics = Arc::new(HttpMetrics::default());
    let ops = OpsState(Arc::new(Ops {
        db: app.db.clone(),
        identity: Arc::clone(&app.identity),
        keyring: Arc::clone(&app.keyring),
        vault: Arc::clone(&app.vault),
        mailer: Arc::clone(&mailer),
        outbox: Arc::clone(&outbox),
        http_metrics: Arc::clone(&http_metrics),
        instance: ops::Instance::new(),
        settings: config.ops.clone(),
        audit: config.audit.clone(),
        backup: config.backup.clone(),
        data_dir: config.data_dir.clone(),
        staff_base_url: config.staff_base_url(),
        secure_cookies: app.secure_cookies,
    }));
    let console = ConsoleState(Arc::new(Console {
        identity: Arc::clone(&app.identity),
        keyring: Arc::clone(&app.keyring),
        secure_cookies: app.secure_cookies,
        federation,
        home: vec![Arc::new(backoffice.clone()), Arc::new(ops.clone())],
    }));
    let authenticator = Arc::new(api::Authenticator::new(
        Arc::clone(&app.oidc),
        Arc::clone(&http_metrics),
        Duration::from_secs(config.edge.token_cache_seconds),
        config.edge.token_cache_entries,
    ));
    let api = Arc::new(api::Api {
        identity: Arc::clone(&app.identity),
        assets: app.assets.clone(),
        recent: api::RecentReads::new(Duration::from_secs(config.edge.api_read_seconds)),
    });
    let readiness = Arc::new(crate::health::Readiness::new(
        state_db.clone(),
        Arc::clone(&app.vault),
        crate::health::DiskFloor {
            dirs: std::iter::once(config.data_dir.clone())
                .chain(
                    config
                        .sqlite_file()
                        .and_then(|f| f.parent().map(std::path::Path::to_path_buf)),
                )
                .collect(),
            min_free_bytes: config.health.min_free_bytes(),
        },
        config.health.probe_interval(),
    ));
    Ok(Built {
        authenticator,
        api,
        readiness,
        waf: Arc::new(firewall(&config.edge.waf, Arc::clone(&http_metrics))),
        rate_limits: Arc::new(edge::RateLimits::new(
            &config.edge.rate_limits,
            Arc::clone(&http_metrics),
        )),
        state: AppState(Arc::new(app)),
        console,
        backoffice,
        ops,
        mail: mailer.describe(),
        http_metrics,
        outbox,
        trusted_proxies: Arc::new(edge::TrustedProxies(config.edge.trusted_proxies.clone())),
        staff_allow: Arc::new(edge::AllowList {
            nets: config.edge.staff_allow.clone(),
            db: state_db,
        }),
    })
}

/// The firewall the configuration describes.
fn firewall(config: &platform::config::WafConfig, metrics: Arc<HttpMetrics>) -> edge::Waf {
    let limits = edge::WafLimits {
        header_bytes: config.max_header_bytes,
        uri_bytes: config.max_uri_bytes,
        query_bytes: config.max_query_bytes,
        body_bytes: config.max_body_bytes,
        upload_bytes: config.max_upload_bytes,
    };
    let modes = config
        .rules
        .iter()
        .map(|(rule, mode)| {
            let mode = if mode == "count" {
                edge::WafMode::Count
            } else {
                edge::WafMode::Block
            };
            (rule.clone(), mode)
        })
        .collect();
    edge::Waf::new(limits, &modes, metrics)
}

/// The parts of the platform one process runs. Production runs groups of them per container;
/// the default runs them all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Role {
    /// The layer stack in front of the listeners this process binds.
    Gateway,
    /// Customer pages on the public listener.
    Portal,
    /// Customer sign-up, login and sessions on the public listener.
    Identity,
    /// Business operators' console on the staff listener.
    Backoffice,
    /// Administrators' console on the staff listener.
    Ops,
    /// Background jobs (mail and webhook delivery from the outbox, expired-session cleanup,
    /// alert evaluation, audit checkpoints, pruning).
    Worker,
}

/// The name this process's spans carry: `assetstatus` when it runs every role, otherwise
/// `assetstatus-` and its roles, e.g. `assetstatus-gateway`, so that a trace shows which tier
/// each part of a request ran in.
pub fn service_name(roles: &[Role]) -> String {
    if Role::ALL.iter().all(|r| roles.contains(r)) {
        return "assetstatus".to_owned();
    }
    format!("assetstatus-{}", role_names(roles).join("+"))
}

/// The roles by their command-line names.
fn role_names(roles: &[Role]) -> Vec<String> {
    roles
        .iter()
        .filter_map(|r| clap::ValueEnum::to_possible_value(r).map(|v| v.get_name().to_owned()))
        .collect()
}

impl Role {
    /// Every role: the single-process default.
    pub const ALL: [Role; 6] = [
        Role::Gateway,
        Role::Portal,
        Role::Identity,
        Role::Backoffice,
        Role::Ops,
        Role::Worker,
    ];
}

/// A running server.
pub struct Running {
    /// Bound public address, when this process serves customers.
    pub public_addr: Option<SocketAddr>,
    /// Bound staff address.
    pub staff_addr: SocketAddr,
    /// Bound address of the HTTP-to-HTTPS redirect, when configured.
    pub redirect_addr: Option<SocketAddr>,
    tasks: Supervisor,
}

impl Running {
    /// Stops accepting connections and waits for requests in flight and every task.
    pub async fn stop(self) {
        self.tasks.stop().await;
    }
}

/// Binds the listeners `roles` need and serves until [`Running::stop`] or a termination
/// signal. The staff listener is always bound, so every process answers health checks there;
/// a process that serves the staff consoles, or a gateway in front of them, refuses to start
/// without `edge.staff_allow`. Readiness is probed once before the listeners open, then in the
/// background. Every task runs under one [`Supervisor`], by name.
pub async fn start(config: &Config, built: &Built, roles: &[Role]) -> anyhow::Result<Running> {
    if roles
        .iter()
        .any(|r| matches!(r, Role::Gateway | Role::Backoffice | Role::Ops))
    {
        config.validate_staff_listener()?;
    }
    let mut tasks = Supervisor::new();
    let stack = crate::routes::Stack::of(roles);
    let tls = match stack {
        crate::routes::Stack::Upstream => None,
        _ => crate::tls::server_config(config).await?,
    };
    built.readiness.probe().await;
    let readiness = Arc::clone(&built.readiness);
    tasks.keep("readiness", move |signal| {
        crate::health::refresh(Arc::clone(&readiness), signal)
    });
    let public_addr = if roles
        .iter()
        .any(|r| matches!(r, Role::Portal | Role::Identity | Role::Gateway))
    {
        let router = crate::routes::public::router(config, built, stack)?;
        let public = bind(config.public_addr, "public").await?;
        let addr = public.local_addr()?;
        tasks.own(
            "public listener",
            serve(public, router, tls.clone(), tasks.signal()),
        );
        Some(addr)
    } else {
        None
    };
    let router = crate::routes::staff::router(config, built, stack, roles)?;
    let staff = bind(config.staff_addr, "staff").await?;
    let staff_addr = staff.local_addr()?;
    tasks.own(
        "staff listener",
        serve(staff, router, tls.clone(), tasks.signal()),
    );
    let redirect_addr = match (config.tls.redirect_addr, public_addr, &tls) {
        (Some(addr), Some(_), Some(_)) => {
            let listener = bind(addr, "redirect").await?;
            let bound = listener.local_addr()?;
            let router = crate::tls::redirect_router(config.public_base_url());
            tasks.own(
                "redirect listener",
                serve(listener, router, None, tasks.signal()),
            );
            Some(bound)
        }
        _ => None,
    };
    let limits = Arc::clone(&built.rate_limits);
    tasks.keep("rate-limit pruning", move |signal| {
        prune_rate_limits(Arc::clone(&limits), signal)
    });
    let (ops, running_roles) = (Arc::clone(&built.ops.0), role_names(roles).join(","));
    tasks.keep("figure sampler", move |signal| {
        ops::jobs::sampler(Arc::clone(&ops), running_roles.clone(), signal)
    });
    if roles.contains(&Role::Worker) {
        let ops = Arc::clone(&built.ops.0);
        tasks.keep("alert engine", move |signal| {
            ops::jobs::engine(Arc::clone(&ops), signal)
        });
        if config.backup.scheduled {
            // The schedule was checked when the configuration was loaded.
            let schedule = config.backup.schedule()?;
            let ops = Arc::clone(&built.ops.0);
            tasks.keep("backup schedule", move |signal| {
                ops::jobs::backups(Arc::clone(&ops), schedule.clone(), signal)
            });
        }
        let outbox = Arc::clone(&built.outbox);
        tasks.keep("outbox", move |signal| {
            tokio::spawn(Arc::clone(&outbox).run(signal))
        });
        let state = built.state.clone();
        tasks.keep("housekeeping", move |signal| {
            housekeeping(state.clone(), signal)
        });
    }
    Ok(Running {
        public_addr,
        staff_addr,
        redirect_addr,
        tasks,
    })
}

async fn bind(addr: SocketAddr, which: &str) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {which} address {addr}"))
}

fn serve(
    listener: TcpListener,
    router: Router,
    tls: Option<axum_server::tls_rustls::RustlsConfig>,
    mut signal: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        let stopped = async move {
            let _ = signal.wait_for(|stop| *stop).await;
        };
        let result = match tls {
            Some(tls) => crate::tls::serve(listener, service, tls, stopped).await,
            None => axum::serve(listener, service)
                .with_graceful_shutdown(stopped)
                .await
                .map_err(anyhow::Error::from),
        };
        if let Err(e) = result {
            tracing::error!(error = %e, "listener failed");
        }
    })
}

/// Every minute: forgets addresses whose rate-limit budget is full again, so the limiter's
/// memory stays proportional to recent traffic.
fn prune_rate_limits(
    limits: Arc<edge::RateLimits>,
    mut signal: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            tokio::select! {
                _ = every.tick() => limits.prune(),
                _ = signal.changed() => break,
            }
        }
    })
}

/// Every 15 minutes: removes expired sessions, rotates the signing key when it is due and
/// removes expired codes, grants and keys.
fn housekeeping(state: AppState, mut signal: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(15 * 60));
        loop {
            tokio::select! {
                _ = every.tick() => {
                    match state.identity.prune_sessions().await {
                        Ok(n) if n > 0 => tracing::info!(removed = n, "expired sessions removed"),
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "session pruning failed"),
                    }
                    if let Err(e) = state.oidc.maintain().await {
                        tracing::warn!(error = %e, "identity provider maintenance failed");
                    }
                },
                _ = signal.changed() => break,
            }
        }
    })
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn termination() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
