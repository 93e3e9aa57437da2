//! The dashboard (A1, M5): the state of each dependency and running process, open alerts, the
//! last backup, and charts of the last hour, day or week. The live part is also served alone
//! (`/ops/live`), which the page's script fetches every few seconds; without the script the
//! page is complete and a link reloads it.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse};
use pages::chrome::{Chrome, render};
use pages::error::{PageResult, internal};
use platform::i18n::Arg;
use platform::time_util::{now_unix, to_jst};
use serde::Deserialize;
use ui::charts::{self, Caption, Series as Line, Unit};

use crate::OpsState;
use crate::admin::Admin;
use crate::alerts::incidents;
use crate::figures::series::{self, Range, Series, Values};
use crate::instance;
use crate::probes::{self, Check, Dependency};

/// Seconds between two refreshes of the live part.
const REFRESH_SECONDS: u64 = 15;

/// The `?range=` of both routes.
#[derive(Deserialize)]
pub(crate) struct RangeQuery {
    range: Option<String>,
}

impl RangeQuery {
    fn range(&self) -> Range {
        self.range
            .as_deref()
            .and_then(Range::from_code)
            .unwrap_or_default()
    }
}

/// One dependency's card.
struct CheckView {
    code: &'static str,
    health: &'static str,
    detail: String,
}

/// One process's row.
struct InstanceView {
    id: String,
    roles: String,
    version: String,
    started: String,
    seen: String,
    up: bool,
}

/// One chart with its text summary.
struct ChartView {
    id: &'static str,
    title: String,
    svg: String,
    summary: String,
}

/// What the live part shows.
struct Live {
    checks: Vec<CheckView>,
    instances: Vec<InstanceView>,
    open_alerts: i64,
    backup: String,
    backup_health: &'static str,
    backup_state: String,
    charts: Vec<ChartView>,
    updated: String,
}

#[derive(Template)]
#[template(path = "ops_dashboard.html")]
struct DashboardPage {
    c: Chrome,
    live: Live,
    range: &'static str,
    ranges: Vec<(&'static str, String, bool)>,
    refresh: u64,
    script_version: String,
}

#[derive(Template)]
#[template(path = "ops_live.html")]
struct LivePart {
    c: Chrome,
    live: Live,
}

/// `GET /ops`.
pub(crate) async fn page(
    State(state): State<OpsState>,
    admin: Admin,
    Query(q): Query<RangeQuery>,
) -> PageResult {
    let c = admin.chrome();
    let range = q.range();
    let live = gather(&state, &c, range).await?;
    let ranges = Range::ALL
        .into_iter()
        .map(|r| {
            (
                r.code(),
                c.t(&format!("ops-range-{}", r.code())),
                r == range,
            )
        })
        .collect();
    let page = DashboardPage {
        live,
        range: range.code(),
        ranges,
        refresh: REFRESH_SECONDS,
        script_version: ui::static_files::ops_js_version(),
        c,
    };
    Ok(Html(render(&page)?).into_response())
}

/// `GET /ops/live`: the live part alone.
pub(crate) async fn fragment(
    State(state): State<OpsState>,
    admin: Admin,
    Query(q): Query<RangeQuery>,
) -> PageResult {
    let c = admin.chrome();
    let live = gather(&state, &c, q.range()).await?;
    Ok(Html(render(&LivePart { c, live })?).into_response())
}

async fn gather(
    state: &OpsState,
    c: &Chrome,
    range: Range,
) -> Result<Live, pages::error::WebError> {
    let now = now_unix();
    let checks = probes::all(state, state.settings.rules.disk_space.threshold).await;
    let db = &state.db;
    let seen = instance::seen_since(db, now - 86_400)
        .await
        .map_err(|e| internal(&e))?;
    let stale_after = (state.settings.sample_seconds as i64 * 3).max(30);
    let instances = seen
        .into_iter()
        .map(|s| InstanceView {
            up: now - s.seen_at <= stale_after,
            started: c.timestamp(s.started_at),
            seen: c.timestamp(s.seen_at),
            id: s.id,
            roles: s.roles,
            version: s.version,
        })
        .collect();
    let open_alerts = incidents::unacknowledged(db)
        .await
        .map_err(|e| internal(&e))?;
    let (backup, backup_health) = match probes::last_backup(db).await.map_err(|e| internal(&e))? {
        None => (c.t("ops-backup-none"), "warn"),
        Some(run) if run.succeeded => (
            format!("{} {}", c.t("ops-backup-ok"), c.timestamp(run.finished_at)),
            "ok",
        ),
        Some(run) => (
            format!(
                "{} {}",
                c.t("ops-backup-failed"),
                c.timestamp(run.finished_at)
            ),
            "down",
        ),
    };
    let figures = series::load(db, range, now)
        .await
        .map_err(|e| internal(&e))?;
    Ok(Live {
        checks: checks.iter().map(|check| check_view(c, check)).collect(),
        instances,
        open_alerts,
        backup,
        backup_state: c.t(&format!("ops-health-{backup_health}")),
        backup_health,
        charts: chart_views(c, &figures),
        updated: c.timestamp(now),
    })
}

fn check_view(c: &Chrome, check: &Check) -> CheckView {
    let detail = match (check.dependency, check.disk) {
        (Dependency::Disk, Some(disk)) => c.locale.t_args(
            "ops-disk-free",
            &[
                ("free", Arg::from(Unit::Bytes.format(disk.free as f64))),
                ("percent", Arg::from(format!("{:.1}", disk.free_percent()))),
            ],
        ),
        _ => c.t(&format!("ops-health-{}", check.health.code())),
    };
    CheckView {
        code: check.dependency.code(),
        health: check.health.code(),
        detail,
    }
}

/// Bucket labels in Japan time: hours and minutes, with the date for the week.
fn labels(s: &Series) -> Vec<String> {
    s.starts
        .iter()
        .map(|start| {
            let t = to_jst(*start);
            match s.range {
                Range::Week => format!("{}/{} {:02}:00", u8::from(t.month()), t.day(), t.hour()),
                _ => format!("{:02}:{:02}", t.hour(), t.minute()),
            }
        })
        .collect()
}

/// Latest and highest value of the first series, as a sentence.
fn summary(c: &Chrome, values: &Values, unit: Unit) -> String {
    let latest = values.iter().rev().flatten().next().copied();
    let peak = values
        .iter()
        .flatten()
        .copied()
        .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
    match (latest, peak) {
        (Some(latest), Some(peak)) => c.locale.t_args(
            "ops-chart-summary",
            &[
                ("latest", Arg::from(unit.format(latest))),
                ("peak", Arg::from(unit.format(peak))),
            ],
        ),
        _ => c.t("ops-chart-no-data"),
    }
}

/// A chart: its ID, unit, and series by message key.
type ChartSpec<'a> = (&'static str, Unit, Vec<(&'static str, &'a Values)>);

fn chart_views(c: &Chrome, s: &Series) -> Vec<ChartView> {
    let labels = labels(s);
    let spec: [ChartSpec<'_>; 9] = [
        ("requests", Unit::Count, vec![("requests", &s.requests)]),
        ("errors", Unit::Percent, vec![("errors", &s.error_percent)]),
        (
            "latency",
            Unit::Millis,
            vec![("p50", &s.p50), ("p95", &s.p95), ("p99", &s.p99)],
        ),
        (
            "logins",
            Unit::Count,
            vec![("logins", &s.logins), ("login-failures", &s.login_failures)],
        ),
        (
            "security",
            Unit::Count,
            vec![
                ("token-failures", &s.token_failures),
                ("waf-matches", &s.waf_matches),
                ("rate-limited", &s.rate_limited),
            ],
        ),
        (
            "outbox",
            Unit::Count,
            vec![("outbox-depth", &s.outbox_depth)],
        ),
        (
            "outbox-age",
            Unit::Count,
            vec![("outbox-oldest", &s.outbox_oldest)],
        ),
        (
            "database",
            Unit::Bytes,
            vec![("database-bytes", &s.database_bytes)],
        ),
        ("disk", Unit::Bytes, vec![("disk-free", &s.disk_free)]),
    ];
    spec.into_iter()
        .map(|(id, unit, lines)| {
            let title = c.t(&format!("ops-chart-{id}"));
            let names: Vec<String> = lines
                .iter()
                .map(|(key, _)| c.t(&format!("ops-series-{key}")))
                .collect();
            let series: Vec<Line<'_>> = lines
                .iter()
                .zip(&names)
                .map(|((_, values), name)| Line { name, values })
                .collect();
            let summary = summary(c, lines[0].1, unit);
            let svg = charts::timeline(
                &Caption {
                    id,
                    title: &title,
                    description: &summary,
                },
                &labels,
                &series,
                unit,
            );
            ChartView {
                id,
                title,
                svg,
                summary,
            }
        })
        .collect()
}
