//! The dashboard (A1, M5): the state of each dependency and running process, open alerts, the
//! last backup, and charts of the last hour, day or week. The live part is also served alone
//! (`/ops/live`), which the page's script fetches every few seconds; without the script the
//! page is complete and a link reloads it.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse};
use pages::chrome::{Chrome, render};
use pages::error::PageResult;
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
    label: String,
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
    let seen = instance::seen_since(db, now - 86_400).await?;
    let stale_after = (state.settings.sample_seconds as i64 * 3).max(30);
    let instances = seen
        .into_iter()
        .map(|s| InstanceView {
            up: now - s.seen_at <= stale_after,
            started: c.timestamp(s.started_at),
            seen: c.timestamp(s.seen_at),
            id: s.id,
            // `gateway,portal,…` as a list that wraps between roles, never inside one.
            roles: s.roles.split(',').collect::<Vec<_>>().join(", "),
            version: s.version,
        })
        .collect();
    let open_alerts = incidents::unacknowledged(db).await?;
    let (backup, backup_health) = match probes::last_backup(db).await? {
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
    let figures = series::load(db, range, now).await?;
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
    let detail = match (check.note, check.dependency, check.disk) {
        (Some(note), ..) => c.t(&format!("ops-probe-{note}")),
        (None, Dependency::Disk, Some(disk)) => c.locale.t_args(
            "ops-disk-free",
            &[
                ("free", Arg::from(Unit::Bytes.format(disk.free as f64))),
                ("percent", Arg::from(format!("{:.1}", disk.free_percent()))),
            ],
        ),
        // The card's heading already names the state: say what was checked instead.
        _ => c.t(&format!("ops-probe-{}", check.health.code())),
    };
    let label = match check.note {
        Some(note) => c.t(&format!("ops-health-{note}")),
        None => c.t(&format!("ops-health-{}", check.health.code())),
    };
    CheckView {
        code: check.dependency.code(),
        health: check.health.code(),
        label,
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

/// A figure as the chart draws it: missing and non-finite values are gaps, negative ones sit
/// on the zero line (see `ui::charts::Series`).
fn drawn(value: Option<f64>) -> Option<f64> {
    value.filter(|v| v.is_finite()).map(|v| v.max(0.0))
}

/// The latest figure of a series, as drawn.
fn latest(values: &Values) -> Option<f64> {
    values.iter().rev().find_map(|v| drawn(*v))
}

/// The highest figure drawn in any of the chart's series, and the series it belongs to (the
/// first one on a tie): the chart's top, which the sentence under it must name.
fn peak(lines: &[(&str, &Values)]) -> Option<(usize, f64)> {
    lines
        .iter()
        .enumerate()
        .flat_map(|(n, (_, values))| values.iter().filter_map(move |v| drawn(*v).map(|v| (n, v))))
        .fold(None, |best: Option<(usize, f64)>, (n, v)| match best {
            Some((_, b)) if b >= v => best,
            _ => Some((n, v)),
        })
}

/// The sentence under a chart: the latest figure of each series and the highest drawn in any,
/// naming the series when there are several.
fn summary(c: &Chrome, lines: &[(&str, &Values)], names: &[String], unit: Unit) -> String {
    let Some((top, high)) = peak(lines) else {
        return c.t("ops-chart-no-data");
    };
    if let [(_, values)] = lines {
        let latest = latest(values).unwrap_or(high);
        return c.locale.t_args(
            "ops-chart-summary",
            &[
                ("latest", Arg::from(unit.format(latest))),
                ("peak", Arg::from(unit.format(high))),
            ],
        );
    }
    let separator = c.t("ops-chart-list-separator");
    let latest = lines
        .iter()
        .zip(names)
        .filter_map(|((_, values), name)| {
            latest(values).map(|v| {
                c.locale.t_args(
                    "ops-chart-series-figure",
                    &[
                        ("series", Arg::from(name.clone())),
                        ("value", Arg::from(unit.format(v))),
                    ],
                )
            })
        })
        .collect::<Vec<_>>()
        .join(&separator);
    c.locale.t_args(
        "ops-chart-summary-series",
        &[
            ("latest", Arg::from(latest)),
            (
                "series",
                Arg::from(names.get(top).cloned().unwrap_or_default()),
            ),
            ("peak", Arg::from(unit.format(high))),
        ],
    )
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
            let summary = summary(c, &lines, &names, unit);
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

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, clippy::panic)]

    use platform::i18n::Locale;

    use super::*;

    /// A day of figures in which the 99th percentile, not the median, holds the peak.
    fn figures() -> Series {
        let n = 6;
        Series {
            range: Range::Hour,
            starts: (0..n).map(|i| 1_765_000_000 + 60 * i).collect(),
            requests: vec![
                Some(3.0),
                None,
                Some(7.0),
                Some(2.0),
                Some(f64::NAN),
                Some(1.0),
            ],
            p50: vec![Some(4.0), Some(8.0), Some(5.0), Some(6.0), None, Some(5.0)],
            p95: vec![
                Some(40.0),
                Some(120.0),
                Some(90.0),
                Some(60.0),
                None,
                Some(50.0),
            ],
            p99: vec![
                Some(60.0),
                Some(498.0),
                Some(130.0),
                Some(80.0),
                None,
                Some(70.0),
            ],
            ..Series::default()
        }
    }

    fn chart<'a>(views: &'a [ChartView], id: &str) -> &'a ChartView {
        views
            .iter()
            .find(|v| v.id == id)
            .unwrap_or_else(|| panic!("no chart {id}"))
    }

    #[test]
    fn the_stated_maximum_is_the_highest_figure_drawn_in_any_series() {
        let s = figures();
        let highest = [&s.p50, &s.p95, &s.p99]
            .iter()
            .flat_map(|v| v.iter().flatten())
            .copied()
            .fold(f64::MIN, f64::max);
        for locale in Locale::ALL {
            let c = Chrome::anonymous(locale, "/ops".into());
            let views = chart_views(&c, &s);
            let latency = chart(&views, "latency");
            let stated = Unit::Millis.format(highest);
            assert_eq!(stated, "498 ms");
            assert!(
                latency.summary.contains(&stated),
                "{locale:?}: {}",
                latency.summary
            );
            assert!(
                !latency.summary.contains("最大 8 ms") && !latency.summary.contains(": 8 ms"),
                "{}",
                latency.summary
            );
            assert!(
                latency.summary.contains(&c.t("ops-series-p99")),
                "the series that holds the peak is named: {}",
                latency.summary
            );
            assert!(
                latency
                    .svg
                    .contains(&format!("<desc id=\"latency-desc\">{}", latency.summary)),
                "the chart's description is the same sentence"
            );
        }
        let c = Chrome::anonymous(Locale::Ja, "/ops".into());
        let views = chart_views(&c, &s);
        assert_eq!(
            chart(&views, "requests").summary,
            "最新 1、期間中の最大 7",
            "a single series: NaN is a gap, not a figure"
        );
        assert_eq!(
            chart(&views, "latency").summary,
            "最新 中央値 5 ms、95パーセンタイル 50 ms、99パーセンタイル 70 ms。期間中の最大 498 ms（99パーセンタイル）"
        );
        assert_eq!(chart(&views, "disk").summary, c.t("ops-chart-no-data"));
    }

    #[test]
    fn peak_takes_every_series_as_drawn() {
        let low = vec![Some(1.0), Some(-5.0)];
        let high = vec![None, Some(f64::INFINITY), Some(3.0)];
        assert_eq!(peak(&[("a", &low), ("b", &high)]), Some((1, 3.0)));
        let negative = vec![Some(-2.0)];
        assert_eq!(
            peak(&[("a", &negative)]),
            Some((0, 0.0)),
            "drawn on the zero line"
        );
        assert_eq!(peak(&[("a", &vec![None])]), None);
    }

    #[test]
    fn each_status_card_says_its_state_once() {
        for locale in Locale::ALL {
            let c = Chrome::anonymous(locale, "/ops".into());
            for health in [probes::Health::Ok, probes::Health::Down] {
                let view = check_view(
                    &c,
                    &Check {
                        dependency: Dependency::Database,
                        health,
                        disk: None,
                        note: None,
                    },
                );
                let state = view.label.clone();
                assert_eq!(state, c.t(&format!("ops-health-{}", view.health)));
                assert!(
                    !view.detail.contains(&state),
                    "{locale:?}: the detail repeats {state}: {}",
                    view.detail
                );
            }
        }
    }

    #[test]
    fn a_database_that_refuses_writes_says_so_on_its_card() {
        for locale in Locale::ALL {
            let c = Chrome::anonymous(locale, "/ops".into());
            let view = check_view(
                &c,
                &Check {
                    dependency: Dependency::Database,
                    health: probes::Health::Down,
                    disk: None,
                    note: Some("not-writable"),
                },
            );
            assert_eq!(view.health, "down", "drawn as a failure");
            assert_eq!(view.label, c.t("ops-health-not-writable"));
            assert_ne!(view.label, c.t("ops-health-down"), "not said to be stopped");
            assert_eq!(view.detail, c.t("ops-probe-not-writable"));
        }
    }
}
