//! Assembling and running the server: storage, keys, mail, the customer pool and ledger, the
//! portal on the public listener, and (for now) health endpoints on the staff listener.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use assets::AssetBook;
use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use console::{Console, ConsoleState};
use edge::HttpMetrics;
use identity::{Identity, PasswordHasher, Settings};
use platform::config::Config;
use platform::crypto::Keyring;
use platform::db::Db;
use platform::mail::Mailer;
use platform::outbox::Outbox;
use portal::{App, AppState};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

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
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Arc<edge::TrustedProxies>,
    /// Who may reach the staff listener.
    pub staff_allow: Arc<edge::AllowList>,
    /// Per-address request budgets, shared by both listeners.
    pub rate_limits: Arc<edge::RateLimits>,
    /// The web application firewall.
    pub waf: Arc<edge::Waf>,
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
        config.mail.max_attempts,
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
    let assets = AssetBook::new(db.clone(), Arc::clone(&keyring));
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
    let console = ConsoleState(Arc::new(Console {
        identity: Arc::clone(&app.identity),
        keyring: Arc::clone(&app.keyring),
        secure_cookies: app.secure_cookies,
        federation,
    }));
    let state_db = app.db.clone();
    let http_metrics = Arc::new(HttpMetrics::default());
    Ok(Built {
        waf: Arc::new(firewall(&config.edge.waf, Arc::clone(&http_metrics))),
        rate_limits: Arc::new(edge::RateLimits::new(
            &config.edge.rate_limits,
            Arc::clone(&http_metrics),
        )),
        state: AppState(Arc::new(app)),
        console,
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

/// The edge layers every listener shares, outermost last.
fn with_edge(router: Router, built: &Built) -> Router {
    router
        .layer(from_fn_with_state(
            Arc::clone(&built.rate_limits),
            edge::rate_limit,
        ))
        .layer(from_fn_with_state(Arc::clone(&built.waf), edge::waf))
        .layer(from_fn(edge::security_headers))
        .layer(from_fn_with_state(
            Arc::clone(&built.http_metrics),
            edge::access_log,
        ))
        .layer(from_fn_with_state(
            Arc::clone(&built.trusted_proxies),
            edge::client_ip,
        ))
        .layer(from_fn(edge::request_id))
}

/// The public listener's routes.
pub fn public_router(built: &Built) -> Router {
    let db = built.state.db.clone();
    with_edge(
        portal::router(built.state.clone())
            .merge(oidc::http::router(Arc::clone(&built.state.oidc)))
            .nest(
                api::PREFIX,
                api::router(Arc::new(api::Api {
                    oidc: Arc::clone(&built.state.oidc),
                    identity: Arc::clone(&built.state.identity),
                    assets: built.state.assets.clone(),
                })),
            )
            .merge(crate::health::routes(db)),
        built,
    )
}

/// The staff listener's routes: health and `/metrics` always; the console when this process
/// runs the back office or the operations console.
pub fn staff_router(built: &Built, consoles: bool) -> Router {
    let db = built.state.db.clone();
    let mut routes = crate::health::routes(db.clone())
        .merge(crate::metrics::routes(db, Arc::clone(&built.http_metrics)));
    if consoles {
        routes = routes.merge(console::router(built.console.clone()));
    }
    let guarded = routes.layer(from_fn_with_state(
        Arc::clone(&built.staff_allow),
        edge::allow_list,
    ));
    with_edge(guarded, built)
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
    /// Background jobs (mail delivery from the outbox, expired-session cleanup).
    Worker,
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
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Running {
    /// Stops accepting connections and waits for requests in flight.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }

    /// Waits until both listeners end.
    pub async fn wait(self) {
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Binds the listeners `roles` need and serves until [`Running::stop`] or a termination
/// signal. The staff listener is always bound, so every process answers health checks there.
pub async fn start(config: &Config, built: &Built, roles: &[Role]) -> anyhow::Result<Running> {
    let (shutdown, signal) = watch::channel(false);
    let mut tasks = Vec::new();
    let public_addr = if roles
        .iter()
        .any(|r| matches!(r, Role::Portal | Role::Identity))
    {
        let public = TcpListener::bind(config.public_addr)
            .await
            .with_context(|| format!("cannot listen on public address {}", config.public_addr))?;
        let addr = public.local_addr()?;
        tasks.push(serve(public, public_router(built), signal.clone()));
        Some(addr)
    } else {
        None
    };
    let staff = TcpListener::bind(config.staff_addr)
        .await
        .with_context(|| format!("cannot listen on staff address {}", config.staff_addr))?;
    let staff_addr = staff.local_addr()?;
    tasks.push(serve(
        staff,
        staff_router(
            built,
            roles
                .iter()
                .any(|r| matches!(r, Role::Backoffice | Role::Ops)),
        ),
        signal.clone(),
    ));
    tasks.push(prune_rate_limits(
        Arc::clone(&built.rate_limits),
        signal.clone(),
    ));
    if roles.contains(&Role::Worker) {
        tasks.push(tokio::spawn(Arc::clone(&built.outbox).run(signal.clone())));
        tasks.push(housekeeping(built.state.clone(), signal));
    }
    Ok(Running {
        public_addr,
        staff_addr,
        shutdown,
        tasks,
    })
}

fn serve(
    listener: TcpListener,
    router: Router,
    mut signal: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        let stopped = async move {
            let _ = signal.wait_for(|stop| *stop).await;
        };
        if let Err(e) = axum::serve(listener, service)
            .with_graceful_shutdown(stopped)
            .await
        {
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
