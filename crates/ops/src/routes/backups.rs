//! The backup history (O1): the most recent runs of the application's own backups, newest
//! first, with what each held, where it went, how its test restore came out and, for a failed
//! run, why; above them, the newest good backup, or a notice when there is none or the newest
//! run failed. Like the other console views, looking is not audited; the runs themselves are.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse};
use backup::runs::{self, Run};
use pages::chrome::{Chrome, render};
use pages::error::PageResult;
use platform::i18n::Arg;
use ui::charts::Unit;
use ui::format::grouped;

use crate::OpsState;
use crate::admin::Admin;
use crate::probes::{self, BackupRun};

/// Runs shown.
const LIMIT: i64 = 50;

/// What a cell without a value shows.
const NONE: &str = "—";

/// One run as shown.
struct RunView {
    id: String,
    started: String,
    duration: String,
    reason: String,
    /// `ok`, `down` or `running`, for the row's status class.
    health: &'static str,
    status: String,
    name: String,
    size: String,
    records: String,
    documents: String,
    drill: String,
    destinations: String,
    /// Why it failed; empty unless it did.
    failure: String,
}

/// The newest good backup, for the summary.
struct GoodView {
    name: String,
    when: String,
    size: String,
}

#[derive(Template)]
#[template(path = "ops_backups.html")]
struct BackupsPage {
    c: Chrome,
    runs: Vec<RunView>,
    good: Option<GoodView>,
    /// When the newest finished run failed, the notice saying when.
    failed: Option<String>,
    /// True while a run is in progress.
    running: bool,
}

/// `GET /ops/backups`.
pub(crate) async fn page(State(state): State<OpsState>, admin: Admin) -> PageResult {
    let c = admin.chrome();
    let db = &state.db;
    let found = runs::recent(db, LIMIT).await?;
    let last = probes::last_backup(db).await?;
    let good = probes::last_good_backup_run(db).await?;
    let page = BackupsPage {
        running: found.iter().any(|r| r.status == "running"),
        runs: found.iter().map(|r| view(&c, r)).collect(),
        good: good.as_ref().map(|g| good_view(&c, g)),
        failed: last.filter(|l| !l.succeeded).map(|l| {
            c.locale.t_args(
                "ops-backups-failed-notice",
                &[("when", Arg::from(c.timestamp(l.finished_at)))],
            )
        }),
        c,
    };
    Ok(Html(render(&page)?).into_response())
}

fn view(c: &Chrome, r: &Run) -> RunView {
    let (health, status) = match r.status.as_str() {
        "succeeded" => ("ok", c.t("ops-backups-status-succeeded")),
        "failed" => ("down", c.t("ops-backups-status-failed")),
        "running" => ("running", c.t("ops-backups-status-running")),
        other => ("running", other.to_owned()),
    };
    let reason = match r.reason.as_str() {
        "schedule" => c.t("ops-backups-reason-schedule"),
        "manual" => c.t("ops-backups-reason-manual"),
        other => other.to_owned(),
    };
    let drill = match r.drill.as_deref() {
        Some(code @ ("passed" | "failed" | "skipped")) => c.t(&format!("ops-backups-drill-{code}")),
        Some(other) => other.to_owned(),
        None => NONE.to_owned(),
    };
    let count = |n: Option<i64>| n.map_or_else(|| NONE.to_owned(), grouped);
    RunView {
        id: r.id.clone(),
        started: c.timestamp(r.started_at),
        duration: r
            .finished_at
            .map_or_else(|| NONE.to_owned(), |end| duration(c, end - r.started_at)),
        reason,
        health,
        status,
        name: r.name.clone().unwrap_or_else(|| NONE.to_owned()),
        size: size(r.bytes),
        records: count(r.records),
        documents: count(r.documents),
        drill,
        destinations: if r.destinations.is_empty() {
            NONE.to_owned()
        } else {
            r.destinations.clone()
        },
        failure: if r.status == "failed" {
            r.detail.clone()
        } else {
            String::new()
        },
    }
}

fn good_view(c: &Chrome, g: &BackupRun) -> GoodView {
    GoodView {
        name: g.name.clone().unwrap_or_else(|| NONE.to_owned()),
        when: c.timestamp(g.finished_at),
        size: size(g.bytes),
    }
}

/// An archive size in binary units: `12.3 MB`.
fn size(bytes: Option<i64>) -> String {
    bytes.map_or_else(|| NONE.to_owned(), |b| Unit::Bytes.format(b as f64))
}

/// A run's length in words: seconds, minutes and seconds, or hours and minutes.
fn duration(c: &Chrome, seconds: i64) -> String {
    let s = seconds.max(0);
    let (h, m, s) = (s / 3600, s % 3600 / 60, s % 60);
    let (key, args) = if h > 0 {
        ("ops-backups-duration-hours", vec![("h", h), ("m", m)])
    } else if m > 0 {
        ("ops-backups-duration-minutes", vec![("m", m), ("s", s)])
    } else {
        ("ops-backups-duration-seconds", vec![("s", s)])
    };
    let args: Vec<(&'static str, Arg<'static>)> =
        args.into_iter().map(|(k, v)| (k, Arg::from(v))).collect();
    c.locale.t_args(key, &args)
}
