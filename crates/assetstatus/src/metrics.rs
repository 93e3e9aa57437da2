//! `/metrics` on the staff listener: request figures of this process, audited events
//! (authentication outcomes among them) by action and outcome, read from the audit trail, and
//! the gauges the operations dashboard charts (outbox backlog, database size, free disk,
//! unacknowledged alerts), read when scraped.

use std::fmt::Write;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use edge::HttpMetrics;
use ops::alerts::incidents;
use ops::figures::gauges;
use platform::audit;
use platform::db::Db;
use platform::time_util::now_unix;

#[derive(Clone)]
struct Sources {
    db: Db,
    http: Arc<HttpMetrics>,
    data_dir: Arc<std::path::PathBuf>,
}

/// The `/metrics` route; `data_dir` is the directory whose disk is reported.
pub fn routes(db: Db, http: Arc<HttpMetrics>, data_dir: std::path::PathBuf) -> Router {
    Router::new()
        .route("/metrics", get(render))
        .with_state(Sources {
            db,
            http,
            data_dir: Arc::new(data_dir),
        })
}

/// One gauge in the OpenMetrics text format.
fn gauge(out: &mut String, name: &str, help: &str, value: i64) {
    let _ = writeln!(out, "# HELP assetstatus_{name} {help}");
    let _ = writeln!(out, "# TYPE assetstatus_{name} gauge");
    let _ = writeln!(out, "assetstatus_{name} {value}");
}

/// The gauges the dashboard shows; a source that cannot be read is left out and logged.
async fn gauges(sources: &Sources, out: &mut String) {
    match gauges::outbox(&sources.db, now_unix()).await {
        Ok(b) => {
            gauge(
                out,
                "outbox_depth",
                "Messages waiting in the outbox.",
                b.depth,
            );
            gauge(
                out,
                "outbox_oldest_seconds",
                "Age of the oldest waiting message.",
                b.oldest_seconds,
            );
        }
        Err(e) => tracing::warn!(error = %e, "outbox figures unavailable"),
    }
    match gauges::database_bytes(&sources.db).await {
        Ok(n) => gauge(out, "database_bytes", "Size of the database.", n),
        Err(e) => tracing::warn!(error = %e, "database size unavailable"),
    }
    if let Ok(disk) = gauges::disk(&sources.data_dir) {
        let free = i64::try_from(disk.free).unwrap_or(i64::MAX);
        gauge(
            out,
            "disk_free_bytes",
            "Free space on the data directory's disk.",
            free,
        );
    }
    match incidents::unacknowledged(&sources.db).await {
        Ok(n) => gauge(
            out,
            "alerts_unacknowledged",
            "Firing alerts nobody acknowledged.",
            n,
        ),
        Err(e) => tracing::warn!(error = %e, "alert count unavailable"),
    }
}

async fn render(State(sources): State<Sources>) -> Response {
    let mut out = sources.http.encode_open();
    let counts = match sources.db.read().await {
        Ok(mut tx) => audit::counts(&mut tx).await,
        Err(e) => Err(e),
    };
    match counts {
        Ok(counts) => {
            out.push_str("# HELP assetstatus_audit_events Audited events by action and outcome.\n");
            out.push_str("# TYPE assetstatus_audit_events counter\n");
            for (action, outcome, n) in counts {
                let _ = writeln!(
                    out,
                    "assetstatus_audit_events_total{{action=\"{action}\",outcome=\"{outcome}\"}} {n}"
                );
            }
        }
        Err(e) => tracing::warn!(error = %e, "audit figures unavailable"),
    }
    gauges(&sources, &mut out).await;
    out.push_str("# EOF\n");
    let content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    (StatusCode::OK, [(header::CONTENT_TYPE, content_type)], out).into_response()
}
