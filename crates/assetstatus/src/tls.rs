//! Transport security of the listeners: TLS with rustls from certificate files, or, for local
//! use, a self-signed certificate made at first start and kept in the data directory; and the
//! plain-HTTP listener that sends every visitor to the HTTPS address. In AWS the load balancer
//! ends TLS with its own certificate, and HSTS is still sent because customers arrive over HTTPS.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::OriginalUri;
use axum::http::HeaderValue;
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::IntoResponse;
use axum_server::tls_rustls::RustlsConfig;
use platform::config::{Config, TlsMode};
use tokio::net::TcpListener;

/// The certificate and key the listeners serve, if TLS is on.
pub async fn server_config(config: &Config) -> anyhow::Result<Option<RustlsConfig>> {
    let (cert, key) = match config.tls.mode {
        TlsMode::Off => return Ok(None),
        TlsMode::Files => (
            config
                .tls
                .cert_file
                .clone()
                .context("tls.cert_file is required")?,
            config
                .tls
                .key_file
                .clone()
                .context("tls.key_file is required")?,
        ),
        TlsMode::SelfSigned => self_signed(config)?,
    };
    // Several crates in the build bring a rustls provider; say which one serves.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let loaded = RustlsConfig::from_pem_file(&cert, &key)
        .await
        .with_context(|| {
            format!(
                "cannot load the TLS certificate {} and key {}",
                cert.display(),
                key.display()
            )
        })?;
    Ok(Some(loaded))
}

/// The self-signed certificate in `<data_dir>/tls`, made on first use for `localhost`, the
/// loopback addresses and the configured host names.
fn self_signed(config: &Config) -> anyhow::Result<(PathBuf, PathBuf)> {
    let dir = config.data_dir.join("tls");
    let cert = dir.join("self-signed.crt");
    let key = dir.join("self-signed.key");
    if cert.exists() && key.exists() {
        return Ok((cert, key));
    }
    let mut names = vec!["localhost".to_owned(), "127.0.0.1".into(), "::1".into()];
    for url in [config.public_base_url(), config.staff_base_url()] {
        if let Some(host) = url.host_str() {
            let host = host.trim_matches(['[', ']']).to_owned();
            if !names.contains(&host) {
                names.push(host);
            }
        }
    }
    let made = rcgen::generate_simple_self_signed(names)
        .context("cannot make a self-signed certificate")?;
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    write_private(&key, made.key_pair.serialize_pem().as_bytes())?;
    std::fs::write(&cert, made.cert.pem())
        .with_context(|| format!("cannot write {}", cert.display()))?;
    tracing::warn!(
        certificate = %cert.display(),
        "made a self-signed certificate: for local use only"
    );
    Ok((cert, key))
}

/// Writes a file only its owner can read.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Serves `service` over TLS on `listener` until `stopped` resolves, then lets requests in
/// flight finish (for at most 30 seconds).
pub async fn serve(
    listener: TcpListener,
    service: axum::extract::connect_info::IntoMakeServiceWithConnectInfo<
        Router,
        std::net::SocketAddr,
    >,
    tls: RustlsConfig,
    stopped: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let handle = axum_server::Handle::new();
    let on_stop = handle.clone();
    tokio::spawn(async move {
        stopped.await;
        on_stop.graceful_shutdown(Some(Duration::from_secs(30)));
    });
    axum_server::from_tcp_rustls(listener.into_std()?, tls)
        .handle(handle)
        .serve(service)
        .await?;
    Ok(())
}

/// Every request on the plain-HTTP listener is sent, permanently, to the same path on `base`.
/// Only the path and query are taken from the request, so it can never point elsewhere.
pub fn redirect_router(base: url::Url) -> Router {
    Router::new().fallback(move |OriginalUri(uri): OriginalUri| {
        let mut target = base.clone();
        target.set_path(uri.path());
        target.set_query(uri.query());
        async move {
            match HeaderValue::from_str(target.as_str()) {
                Ok(location) => {
                    (StatusCode::PERMANENT_REDIRECT, [(LOCATION, location)]).into_response()
                }
                Err(_) => StatusCode::BAD_REQUEST.into_response(),
            }
        }
    })
}
