//! The administrators' operations console over HTTP on the staff listener: who may open it, the
//! dashboard drawn from the figures every process keeps in the database (and still there after a
//! restart), an alert raised by real failed logins and its acknowledgement, the audit-trail
//! search with its refusals, paging and audited CSV export, the error-log viewer, and the backup
//! history with the `backup` alert rule that is on by default.

use crate::support;

use std::future::Future;
use std::time::Duration;

use platform::audit::{self, Actor, Event, RequestMeta, Target};
use platform::time_util::{now_unix, to_jst};
use support::{Backend, Browser, Page, TestApp, audited, count_of, email, staff_browser};

/// How long a test waits for something a background job does.
const DEADLINE: Duration = Duration::from_secs(20);

/// Polls `check` until it yields a value; fails naming `what` once the deadline has passed.
async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} within {DEADLINE:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The number `sql` (`SELECT … AS n`) returns with `binds` bound in order.
async fn number(app: &TestApp, sql: &str, binds: &[&str]) -> i64 {
    let mut tx = app.state.db.read().await.unwrap();
    let mut query = sqlx::query(sql);
    for b in binds {
        query = query.bind(*b);
    }
    let row = query.fetch_one(&mut *tx).await.unwrap();
    platform::db::col::<i64>(&row, "n").unwrap()
}

/// Text column `column` of the first row `sql` returns.
async fn text(app: &TestApp, sql: &str, binds: &[&str], column: &'static str) -> String {
    let mut tx = app.state.db.read().await.unwrap();
    let mut query = sqlx::query(sql);
    for b in binds {
        query = query.bind(*b);
    }
    let row = query.fetch_one(&mut *tx).await.unwrap();
    platform::db::col::<String>(&row, column).unwrap()
}

/// Tries a wrong password for `address` from a browser of its own.
async fn fail_password(app: &TestApp, address: &str) {
    let page = app
        .browser()
        .login(address, "not-the-right-password-42")
        .await;
    assert_ne!(
        page.location.as_deref(),
        Some("/dashboard"),
        "a wrong password does not log in"
    );
}

/// The element with `id` up to the end of the tag `end` that closes it.
fn element<'a>(body: &'a str, id: &str, end: &str) -> &'a str {
    body.split(&format!("id=\"{id}\""))
        .nth(1)
        .and_then(|rest| rest.split(end).next())
        .unwrap_or_else(|| panic!("no element {id} in {body}"))
}

/// The operations pages the access test walks through.
const OPS_PAGES: [&str; 11] = [
    "/ops",
    "/ops?range=24h",
    "/ops/live",
    "/ops/alerts",
    "/ops/alerts?show=all",
    "/ops/backups",
    "/ops/audit",
    "/ops/audit?action=customer.login",
    "/ops/audit/export",
    "/ops/logs",
    "/ops/logs?level=all",
];

/// Inserts a firing security alert; returns its ID.
async fn insert_alert(app: &TestApp, rule: &str, subject: &str) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_unix();
    let mut tx = app.state.db.write().await.unwrap();
    sqlx::query(
        "INSERT INTO alerts (id, rule, subject, kind, state, detail, started_at, fired_at, last_seen_at, reminders) \
         VALUES ($1, $2, $3, 'security', 'firing', $4, $5, $6, $7, 0)",
    )
    .bind(&id)
    .bind(rule)
    .bind(subject)
    .bind(r#"{"value":12.0,"threshold":10.0,"window_seconds":900}"#)
    .bind(now)
    .bind(now)
    .bind(now)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn only_admins_reach_the_console(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        // The inserted alert below stays as it is: no evaluation touches its rule.
        c.ops.rules.password_failures_account.enabled = false;
    })
    .await;
    let alert = insert_alert(&app, "password_failures_account", "customer:test").await;
    let acknowledge = format!("/ops/alerts/{alert}/acknowledge");

    let nobody = Browser::new(&format!("http://{}", app.staff_addr));
    for path in OPS_PAGES {
        let page = nobody.get(path).await;
        assert_eq!(page.status, 303, "{path} without a session");
        assert_eq!(page.location.as_deref(), Some("/staff/login"), "{path}");
    }

    let (operator, _) = staff_browser(&app, "ops.operator", "operator").await;
    let home = operator.get("/staff").await;
    assert_eq!(home.status, 200);
    assert!(
        !home.body.contains("href=\"/ops"),
        "no console links for staff without the admin role"
    );
    for path in OPS_PAGES {
        let page = operator.get(path).await;
        assert_eq!(page.status, 403, "{path} for an operator");
        assert!(
            page.body.contains("この画面を利用する権限がありません"),
            "{path}: {}",
            page.body
        );
    }
    let token = operator.token("/staff").await;
    let refused = operator.post_with_token(&acknowledge, &token, &[]).await;
    assert_eq!(refused.status, 403, "an operator cannot acknowledge");
    assert_eq!(
        number(
            &app,
            "SELECT COUNT(*) AS n FROM alerts WHERE id = $1 AND acknowledged_at IS NULL",
            &[&alert],
        )
        .await,
        1,
        "nothing changed"
    );
    assert_eq!(audited(&app, "alert.acknowledged").await, 0);
    assert_eq!(
        audited(&app, "audit.exported").await,
        0,
        "a refused export writes nothing"
    );

    let (admin, _) = staff_browser(&app, "ops.admin", "admin").await;
    let home = admin.get("/staff").await;
    for link in [
        "/ops",
        "/ops/alerts",
        "/ops/backups",
        "/ops/audit",
        "/ops/logs",
    ] {
        assert!(
            home.body.contains(&format!("<a href=\"{link}\"")),
            "admins see {link} in the staff navigation"
        );
    }
    for path in OPS_PAGES {
        let page = admin.get(path).await;
        assert_eq!(page.status, 200, "{path} for an admin: {}", page.body);
    }
    let dashboard = admin.get("/ops").await;
    assert!(
        dashboard.body.contains("<html lang=\"ja\">"),
        "Japanese by default"
    );
    assert!(dashboard.body.contains("運用ダッシュボード"));
    assert!(
        dashboard
            .body
            .contains("<a href=\"/ops\" aria-current=\"page\">"),
        "the navigation marks the dashboard"
    );
    app.stop().await;
}

/// The sentence under a chart: (latest, peak), or `None` when it says there is no data. With
/// several series the latest figures are named and `latest` is `None`; the peak is the highest
/// figure of any series.
fn chart_summary(body: &str, chart: &str) -> Option<(Option<i64>, i64)> {
    let figure = element(body, &format!("chart-{chart}"), "</figure>");
    let summary = figure
        .split(&format!("id=\"{chart}-desc\">"))
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap_or_else(|| panic!("no summary in chart {chart}: {figure}"));
    if summary == "この期間の記録はありません" {
        return None;
    }
    let figure_after = |label: &str| -> Option<i64> {
        summary
            .split(label)
            .nth(1)
            .and_then(|s| s.split(['、', '（', '。']).next())
            .map(|s| s.trim().trim_end_matches(" ms").replace(',', ""))
            .and_then(|s| s.parse().ok())
    };
    let peak = figure_after("期間中の最大 ").unwrap_or_else(|| panic!("no peak in {summary:?}"));
    Some((figure_after("最新 "), peak))
}

/// Every figure a chart draws: the `y` of each point read back through its axis labels.
fn drawn_peak(chart: &str) -> (f64, f64) {
    let axis = |anchor: &str| -> (f64, f64) {
        let text = chart
            .split(&format!("data-axis=\"{anchor}\">"))
            .nth(1)
            .unwrap();
        let label: f64 = text
            .split('<')
            .next()
            .unwrap()
            .trim_end_matches(" ms")
            .replace(',', "")
            .parse()
            .unwrap();
        let before = chart
            .split(&format!("data-axis=\"{anchor}\">"))
            .next()
            .unwrap();
        let y: f64 = before
            .rsplit(" y=\"")
            .next()
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        (label, y - 5.0)
    };
    let (top, top_y) = axis("hi");
    let (_, zero_y) = axis("lo");
    let points = chart.split("<path d=\"").skip(1).flat_map(|d| {
        d.split('"')
            .next()
            .unwrap()
            .split(' ')
            .filter_map(|p| p.trim_start_matches(['M', 'L']).split(',').nth(1))
            .filter_map(|y| y.parse::<f64>().ok())
            .collect::<Vec<_>>()
    });
    let circles = chart.split("<circle ").skip(1).filter_map(|c| {
        c.split("cy=\"")
            .nth(1)?
            .split('"')
            .next()?
            .parse::<f64>()
            .ok()
    });
    let peak = points
        .chain(circles)
        .map(|y| (zero_y - y) / (zero_y - top_y) * top)
        .fold(0.0, f64::max);
    (peak, top)
}

/// The sentence under a chart states the highest figure the chart draws, whichever series
/// holds it.
fn summary_states_the_drawn_peak(body: &str, chart: &str) {
    let (_, stated) = chart_summary(body, chart).unwrap_or_else(|| panic!("{chart} has data"));
    let (drawn, top) = drawn_peak(element(body, &format!("chart-{chart}"), "</figure>"));
    assert!(
        (stated as f64 - drawn).abs() <= top * 0.002 + 1.0,
        "{chart}: the text says the highest figure is {stated}, the chart draws {drawn}"
    );
}

/// Whether the first line of a chart is not flat: its buckets do not all hold the same figure.
fn line_rises(chart: &str) -> bool {
    let Some(path) = chart
        .split("<path d=\"")
        .nth(1)
        .or_else(|| chart.split("<polyline points=\"").nth(1))
        .and_then(|s| s.split('"').next())
    else {
        return false;
    };
    let heights: std::collections::BTreeSet<&str> = path
        .split(' ')
        .filter_map(|point| point.trim_start_matches(['M', 'L']).split(',').nth(1))
        .collect();
    heights.len() > 1
}

/// The most requests any one minute holds in `metric_samples`, over every process.
async fn busiest_minute(app: &TestApp) -> i64 {
    number(
        app,
        "SELECT CAST(COALESCE(MAX(t), 0) AS BIGINT) AS n FROM \
         (SELECT minute, SUM(value) AS t FROM metric_samples WHERE metric = 'requests' GROUP BY minute) s",
        &[],
    )
    .await
}

/// The most successful logins (customers and staff) any one minute of the trail holds.
async fn busiest_login_minute(app: &TestApp) -> i64 {
    let mut tx = app.state.db.read().await.unwrap();
    let rows = sqlx::query(
        "SELECT COUNT(*) AS n FROM audit_log WHERE outcome = 'success' AND action IN \
         ('customer.login', 'staff.login', 'staff.login_password', 'staff.login_federated') \
         GROUP BY at_ms / 60000",
    )
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    rows.iter()
        .map(|r| platform::db::col::<i64>(r, "n").unwrap())
        .max()
        .unwrap_or(0)
}

async fn dashboard_draws_figures_kept_in_the_database(backend: Backend) {
    let mut app = TestApp::spawn_with(backend, |c| c.ops.sample_seconds = 1).await;
    let address = email("dashboard");
    let customer = app.register(&address).await;
    assert_eq!(customer.get("/dashboard").await.status, 200);
    assert_eq!(customer.get("/assets").await.status, 200);
    assert_eq!(customer.get("/no-such-page").await.status, 404);
    let (admin, _) = staff_browser(&app, "ops.admin", "admin").await;

    let app_ref = &app;
    eventually("a requests row in metric_samples", move || async move {
        (busiest_minute(app_ref).await > 0).then_some(())
    })
    .await;
    let (instance, roles) = {
        let mut tx = app.state.db.read().await.unwrap();
        let row = sqlx::query("SELECT instance, roles FROM instances")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        (
            platform::db::col::<String>(&row, "instance").unwrap(),
            platform::db::col::<String>(&row, "roles").unwrap(),
        )
    };
    assert!(
        roles.contains("ops") && roles.contains("worker"),
        "this process runs every role: {roles}"
    );
    let least_peak = busiest_minute(&app).await;
    let login_peak = busiest_login_minute(&app).await;
    assert!(login_peak >= 1, "the customer and the admin logged in");

    let page = admin.get("/ops").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(!page.body.contains("NaN"), "no broken figures");
    for dependency in ["database", "documents", "mail", "disk"] {
        let card = element(&page.body, &format!("dep-{dependency}"), "</li>");
        assert!(
            [
                "<strong>正常</strong>",
                "<strong>注意</strong>",
                "<strong>停止</strong>"
            ]
            .iter()
            .any(|state| card.contains(state)),
            "{dependency} card names its state: {card}"
        );
    }
    assert!(
        element(&page.body, "dep-database", "</li>").contains("<strong>正常</strong>"),
        "the database answers"
    );
    for card in ["database", "documents", "mail", "disk", "backup"] {
        let card = element(&page.body, &format!("dep-{card}"), "</li>");
        let states = ["正常", "注意", "停止"]
            .iter()
            .map(|state| card.matches(state).count())
            .sum::<usize>();
        assert_eq!(states, 1, "each card says its state once: {card}");
    }
    for chart in ["requests", "latency", "logins"] {
        summary_states_the_drawn_peak(&page.body, chart);
    }
    let latency = element(&page.body, "chart-latency", "</figure>");
    assert!(
        latency.contains("期間中の最大 ") && latency.contains("パーセンタイル）")
            || latency.contains("中央値）"),
        "the latency text names the series that holds the peak: {latency}"
    );
    let instances = element(&page.body, "instances", "</table>");
    assert!(
        instances.contains(&format!(
            "<th scope=\"row\" class=\"nowrap\">{instance}</th><td>{}</td>",
            roles.replace(',', ", ")
        )),
        "this process and its roles: {instances}"
    );
    assert!(instances.contains("稼働中"), "{instances}");
    let chart = element(&page.body, "chart-requests", "</figure>");
    assert!(
        line_rises(chart),
        "the request chart draws its data: {chart}"
    );
    let (_, peak) = chart_summary(&page.body, "requests").expect("request figures");
    assert!(
        peak >= least_peak,
        "the busiest minute shows at least the {least_peak} requests already stored, not {peak}"
    );
    let logins = element(&page.body, "chart-logins", "</figure>");
    assert!(logins.contains("成功"), "the logins line is named");
    let (_, peak) = chart_summary(&page.body, "logins").expect("login figures");
    assert_eq!(peak, login_peak, "logins come from the audit trail");

    let live = admin.get("/ops/live?range=24h").await;
    assert_eq!(live.status, 200, "{}", live.body);
    assert!(
        live.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "{:?}",
        live.headers
    );
    assert!(!live.body.contains("<html"), "the live part alone");
    assert!(live.body.contains("id=\"dep-database\""));
    assert!(live.body.contains("id=\"chart-requests\""));
    assert!(!live.body.contains("NaN"));
    assert!(
        line_rises(element(&live.body, "chart-requests", "</figure>")),
        "the day's chart holds the requests too"
    );

    for (query, current) in [
        ("?range=24h", "24h"),
        ("?range=7d", "7d"),
        ("?range=zzz", "1h"),
    ] {
        let page = admin.get(&format!("/ops{query}")).await;
        assert_eq!(page.status, 200, "{query}: {}", page.body);
        assert!(
            page.body
                .contains(&format!("data-range=\"{current}\" aria-current=\"page\"")),
            "{query} shows the range {current}"
        );
        assert!(
            page.body
                .contains(&format!("data-live-src=\"/ops/live?range={current}\"")),
            "{query}"
        );
        assert!(!page.body.contains("NaN"), "{query}");
    }

    let stored = number(
        &app,
        "SELECT CAST(COALESCE(SUM(value), 0) AS BIGINT) AS n FROM metric_samples \
         WHERE metric = 'requests' AND instance = $1",
        &[&instance],
    )
    .await;
    assert!(stored > 0, "this process stored its requests");
    let data_dir = app.config.data_dir.clone();
    let database_url = app.config.database_url.clone();
    let kept = std::mem::replace(&mut app.dir, tempfile::tempdir().unwrap());
    app.stop().await;

    let again = TestApp::spawn_with(backend, |c| {
        c.data_dir = data_dir;
        c.database_url = database_url;
    })
    .await;
    let after = number(
        &again,
        "SELECT CAST(COALESCE(SUM(value), 0) AS BIGINT) AS n FROM metric_samples \
         WHERE metric = 'requests' AND instance = $1",
        &[&instance],
    )
    .await;
    assert!(
        after >= stored,
        "the stopped process's {stored} requests are still stored after a restart, found {after}"
    );
    let (admin, _) = staff_browser(&again, "ops.again", "admin").await;
    let page = admin.get("/ops").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let instances = element(&page.body, "instances", "</table>");
    assert!(
        instances.contains(&format!(
            "<th scope=\"row\" class=\"nowrap\">{instance}</th>"
        )),
        "the stopped process is still listed: {instances}"
    );
    let (_, peak) = chart_summary(&page.body, "requests").expect("request figures");
    assert!(
        peak >= least_peak,
        "the chart still holds the earlier figures: {peak} < {least_peak}"
    );
    again.stop().await;
    drop(kept);
}

/// The alert card about `subject`: its ID, class and contents.
fn alert_card<'a>(body: &'a str, subject: &str) -> Option<(String, &'a str, &'a str)> {
    body.split("<li class=\"")
        .skip(1)
        .filter_map(|chunk| {
            let (class, rest) = chunk.split_once('"')?;
            let id = rest.strip_prefix(" id=\"alert-")?.split('"').next()?;
            let card = rest.split("</li>").next()?;
            Some((id.to_owned(), class, card))
        })
        .find(|(_, _, card)| card.contains(&format!("<dd>{subject}</dd>")))
}

async fn failed_passwords_raise_an_alert_an_admin_acknowledges(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.ops.sample_seconds = 1;
        c.ops.evaluate_seconds = 1;
        let rule = &mut c.ops.rules.password_failures_account;
        rule.threshold = 3.0;
        // Long enough that the alert cannot clear while the test runs.
        rule.window_seconds = 600;
        rule.for_seconds = 0;
    })
    .await;
    let first_address = email("alerted");
    let second_address = email("alerted-too");
    app.register(&first_address).await;
    app.register(&second_address).await;
    let first = format!(
        "customer:{}",
        support::customer_id(&app, &first_address).await
    );
    let second = format!(
        "customer:{}",
        support::customer_id(&app, &second_address).await
    );
    let (admin, admin_id) = staff_browser(&app, "ops.admin", "admin").await;
    let page = admin.get("/ops/alerts").await;
    assert!(
        alert_card(&page.body, &first).is_none(),
        "no alert before the failures"
    );
    for address in [&first_address, &second_address] {
        for _ in 0..3 {
            fail_password(&app, address).await;
        }
    }

    let admin_ref = &admin;
    let (first_subject, second_subject) = (&first, &second);
    let (alert, other, page) = eventually("both alerts listed", move || async move {
        let page = admin_ref.get("/ops/alerts").await;
        let (alert, _, _) = alert_card(&page.body, first_subject)?;
        let (other, _, _) = alert_card(&page.body, second_subject)?;
        Some((alert, other, page))
    })
    .await;
    let (_, class, card) = alert_card(&page.body, &first).unwrap();
    assert_eq!(class, "card sev-security state-firing", "{card}");
    assert!(uuid::Uuid::parse_str(&alert).is_ok(), "{alert}");
    assert!(
        card.contains("セキュリティ: 同じアカウントへのパスワード誤りが続いています"),
        "the rule's Japanese title: {card}"
    );
    assert!(card.contains("発生中"), "{card}");
    let acknowledge = format!("/ops/alerts/{alert}/acknowledge");
    assert!(
        card.contains(&format!("action=\"{acknowledge}\"")),
        "{card}"
    );
    assert!(
        !card.contains("class=\"alert-ack\""),
        "not yet acknowledged"
    );
    for address in [&first_address, &second_address] {
        assert!(
            !page.body.contains(address.as_str()),
            "the page names the customer by ID only"
        );
    }
    let dashboard = admin.get("/ops").await;
    let open = element(&dashboard.body, "dep-alerts", "</li>");
    let shown: i64 = open
        .split("<strong>")
        .nth(1)
        .and_then(|s| s.split(" 件</strong>").next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of open alerts: {open}"));
    assert!(shown >= 2, "the dashboard counts both open alerts: {open}");

    let token = support::form_token(&page.body).expect("a form token on the alert page");
    let done = admin.post_with_token(&acknowledge, &token, &[]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        done.location.as_deref(),
        Some("/ops/alerts?done=acknowledged")
    );
    let notice = admin.get("/ops/alerts?done=acknowledged").await;
    assert!(notice.body.contains("アラートを確認済みにしました。"));
    let history = admin.get("/ops/alerts?show=all").await;
    let (_, _, card) = alert_card(&history.body, &first).expect("the alert in the history");
    let when = card
        .split("class=\"alert-ack\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap_or_else(|| panic!("no acknowledgement time: {card}"));
    assert!(!when.trim().is_empty(), "{card}");
    assert!(
        !card.contains(&format!("action=\"{acknowledge}\"")),
        "no button once acknowledged: {card}"
    );
    let again = admin.post_with_token(&acknowledge, &token, &[]).await;
    assert_eq!(again.location.as_deref(), Some("/ops/alerts?done=settled"));
    assert!(
        admin
            .get("/ops/alerts?done=settled")
            .await
            .body
            .contains("このアラートはすでに確認済みか、復旧しています。")
    );
    let malformed = admin
        .post_with_token("/ops/alerts/not-an-id/acknowledge", &token, &[])
        .await;
    assert_eq!(malformed.status, 404);
    let unknown = uuid::Uuid::new_v4();
    let unknown = admin
        .post_with_token(&format!("/ops/alerts/{unknown}/acknowledge"), &token, &[])
        .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(audited(&app, "alert.acknowledged").await, 1);
    let target = format!("alert:{alert}");
    assert_eq!(
        text(
            &app,
            "SELECT actor FROM audit_log WHERE action = 'alert.acknowledged' AND target = $1",
            &[&target],
            "actor",
        )
        .await,
        admin_id,
        "acknowledged in the admin's name"
    );
    assert_eq!(
        text(
            &app,
            "SELECT acknowledged_by FROM alerts WHERE id = $1",
            &[&alert],
            "acknowledged_by",
        )
        .await,
        admin_id
    );

    // Without the form token the other alert stays as it is.
    let bare = Browser::page(
        admin
            .client
            .post(format!("{}/ops/alerts/{other}/acknowledge", admin.base))
            .form(&[("note", "")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    let still_open = number(
        &app,
        "SELECT COUNT(*) AS n FROM alerts WHERE id = $1 AND acknowledged_at IS NULL",
        &[&other],
    )
    .await;
    assert_eq!(
        (
            bare.status,
            still_open,
            audited(&app, "alert.acknowledged").await
        ),
        (403, 1, 1),
        "an acknowledgement without the form token is refused and changes nothing: {:?}",
        bare.location
    );
    app.stop().await;
}

/// One row of the audit table.
#[derive(Debug)]
struct Row {
    seq: i64,
    actor: String,
    role: String,
    action: String,
    target: String,
    outcome: String,
    client_ip: String,
    request_id: String,
    /// The row's cells as shown.
    shown: String,
}

/// The rows an audit page lists, in order: the stored codes from each row's `data-` attributes,
/// and the labels the row shows.
fn audit_rows(body: &str) -> Vec<Row> {
    body.split("<tr data-seq=\"")
        .skip(1)
        .map(|chunk| {
            let (seq, rest) = chunk.split_once('"').unwrap();
            let (tag, row) = rest.split_once('>').unwrap();
            let row = row.split("</tr>").next().unwrap();
            let attr = |name: &str| -> String {
                tag.split(&format!(" data-{name}=\""))
                    .nth(1)
                    .and_then(|v| v.split('"').next())
                    .unwrap_or_else(|| panic!("no data-{name} in {tag}"))
                    .replace("&#58;", ":")
                    .replace("&#45;", "-")
            };
            let cells = row.split("<td").skip(1).count();
            assert_eq!(cells, 7, "{row}");
            Row {
                seq: seq.parse().unwrap(),
                actor: attr("actor"),
                role: attr("role"),
                action: attr("action"),
                target: attr("target"),
                outcome: attr("outcome"),
                client_ip: attr("ip"),
                request_id: attr("request-id"),
                shown: row.to_owned(),
            }
        })
        .collect()
}

/// The text a row shows, without its markup.
fn visible(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// The audit page for these search fields.
async fn search(admin: &Browser, pairs: &[(&str, &str)]) -> Page {
    let query = serde_urlencoded::to_string(pairs).unwrap();
    let page = admin.get(&format!("/ops/audit?{query}")).await;
    assert_eq!(page.status, 200, "{query}: {}", page.body);
    page
}

/// A minute as the search form's time fields take it, in Japan time.
fn jst_minute(unix: i64) -> String {
    let t = to_jst(unix);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

async fn audit_trail_search_pages_and_export(backend: Backend) {
    // The firewall only counts its signatures here, so the search itself meets injection text.
    let app = TestApp::spawn_with(backend, |c| {
        for rule in edge::Waf::rule_ids() {
            c.edge.waf.rules.insert(rule.to_owned(), "count".to_owned());
        }
    })
    .await;
    let address = email("audited");
    app.register(&address).await;
    let id = support::customer_id(&app, &address).await;
    let target = format!("customer:{id}");
    fail_password(&app, &address).await;
    fail_password(&app, &address).await;
    let (admin, admin_id) = staff_browser(&app, "ops.admin", "admin").await;
    let logins = [("target", target.as_str()), ("action", "customer.login")];

    let page = search(&admin, &logins).await;
    let rows = audit_rows(&page.body);
    assert_eq!(rows.len(), 3, "one login and two failures: {rows:?}");
    assert!(rows.windows(2).all(|w| w[0].seq > w[1].seq), "newest first");
    assert!(
        rows.iter()
            .all(|r| r.action == "customer.login" && r.target == target)
    );
    let success = rows.iter().find(|r| r.outcome == "success").unwrap();
    let shown = visible(&success.shown);
    let customer = match app
        .state
        .identity
        .customer_number(id.parse().unwrap())
        .await
        .unwrap()
    {
        Some(number) => format!("顧客番号 {number}"),
        None => format!("お客さま（{}）", &id[..8]),
    };
    assert!(
        shown.contains("お客さまのログイン") && shown.contains(&customer),
        "the action in Japanese and the customer as {customer}: {shown}"
    );
    assert!(
        !shown.contains(&id),
        "the customer by a short label, not the whole ID: {shown}"
    );
    assert_eq!(
        (success.actor.as_str(), success.role.as_str()),
        (id.as_str(), "customer")
    );
    assert!(!page.body.contains(&address), "identifiers only");

    let by_actor = audit_rows(
        &search(&admin, &[("actor", &id), ("action", "customer.login")])
            .await
            .body,
    );
    assert_eq!(
        by_actor.iter().map(|r| r.seq).collect::<Vec<_>>(),
        [success.seq],
        "the customer acted once: the login"
    );
    let failures = audit_rows(
        &search(&admin, &[logins[0], logins[1], ("outcome", "failure")])
            .await
            .body,
    );
    assert_eq!(failures.len(), 2);
    assert!(
        failures
            .iter()
            .all(|r| r.outcome == "failure" && r.actor == "-" && r.role == "anonymous")
    );
    let anonymous = audit_rows(
        &search(&admin, &[logins[0], logins[1], ("role", "anonymous")])
            .await
            .body,
    );
    assert_eq!(
        anonymous.iter().map(|r| r.seq).collect::<Vec<_>>(),
        failures.iter().map(|r| r.seq).collect::<Vec<_>>()
    );
    let local = audit_rows(
        &search(&admin, &[logins[0], logins[1], ("ip", "127.0.0.1")])
            .await
            .body,
    );
    assert_eq!(local.len(), 3);
    assert!(local.iter().all(|r| r.client_ip == "127.0.0.1"));
    let elsewhere = search(&admin, &[logins[0], ("ip", "192.0.2.1")]).await;
    assert!(elsewhere.body.contains("id=\"audit-none\""));
    assert!(audit_rows(&elsewhere.body).is_empty());
    assert_ne!(success.request_id, "-");
    let one_request = audit_rows(
        &search(&admin, &[("request_id", &success.request_id)])
            .await
            .body,
    );
    assert!(one_request.iter().any(|r| r.seq == success.seq));
    assert!(
        one_request
            .iter()
            .all(|r| r.request_id == success.request_id),
        "{one_request:?}"
    );
    assert!(
        failures
            .iter()
            .all(|f| one_request.iter().all(|r| r.seq != f.seq)),
        "other requests are left out"
    );
    let prefix = audit_rows(
        &search(&admin, &[logins[0], ("action", "customer.*")])
            .await
            .body,
    );
    assert!(
        prefix.iter().any(|r| r.action == "customer.signup"),
        "{prefix:?}"
    );
    assert!(
        prefix
            .iter()
            .filter(|r| r.action == "customer.login")
            .count()
            == 3
    );

    let now = now_unix();
    let around = (jst_minute(now - 3600), jst_minute(now + 3600));
    let within = audit_rows(
        &search(
            &admin,
            &[logins[0], logins[1], ("from", &around.0), ("to", &around.1)],
        )
        .await
        .body,
    );
    assert_eq!(within.len(), 3, "the last hour holds the logins");
    let future = search(
        &admin,
        &[
            logins[0],
            ("from", "2099-01-01T00:00"),
            ("to", "2099-01-02T00:00"),
        ],
    )
    .await;
    assert!(future.body.contains("id=\"audit-none\""));
    assert!(audit_rows(&future.body).is_empty());
    let past = search(&admin, &[logins[0], ("to", &around.0)]).await;
    assert!(
        past.body.contains("id=\"audit-none\""),
        "nothing before the test"
    );

    for (pairs, field, message) in [
        (
            vec![("role", "root")],
            "role",
            "立場は一覧から選択してください。",
        ),
        (
            vec![("from", "yesterday")],
            "from",
            "日時は「2026-11-21T09:30」の形式で入力してください。",
        ),
        (
            vec![("from", "2026-01-02T00:00"), ("to", "2026-01-01T00:00")],
            "to",
            "終了日時は開始日時より後にしてください。",
        ),
    ] {
        let mut pairs = pairs;
        pairs.push(logins[0]);
        let page = search(&admin, &pairs).await;
        let errors = element(&page.body, "audit-errors", "</div>");
        assert!(
            errors.contains(&format!("<a href=\"#f-{field}\">{message}</a>")),
            "{pairs:?}: {errors}"
        );
        assert!(
            audit_rows(&page.body).is_empty(),
            "{pairs:?} searches nothing"
        );
        assert!(!page.body.contains("id=\"audit-export\""), "{pairs:?}");
    }

    for (field, value) in [
        ("target", "' OR 1=1 --"),
        ("actor", "\"><script>alert(1)</script>"),
        ("request_id", "x'; DROP TABLE audit_log; --"),
        ("action", "customer.login' OR '1'='1"),
        ("ip", "127.0.0.1' --"),
    ] {
        let page = search(&admin, &[(field, value)]).await;
        assert!(page.body.contains("id=\"audit-none\""), "{field}={value}");
        assert!(audit_rows(&page.body).is_empty(), "{field}={value}");
        assert!(
            !page.body.contains("<script>alert(1)"),
            "{field} is escaped"
        );
    }
    let unchanged = audit_rows(&search(&admin, &logins).await.body);
    assert_eq!(
        unchanged.iter().map(|r| r.seq).collect::<Vec<_>>(),
        rows.iter().map(|r| r.seq).collect::<Vec<_>>(),
        "the trail is as it was"
    );

    for _ in 0..120 {
        audit::record(
            &app.state.db,
            &Event::success(Actor::system("test"), "test.paging", Target::none()),
            &RequestMeta::default(),
        )
        .await
        .unwrap();
    }
    let first = search(&admin, &[("action", "test.paging")]).await;
    let first_rows = audit_rows(&first.body);
    assert_eq!(first_rows.len(), 100, "a page holds 100 entries");
    let older = first
        .body
        .split("href=\"")
        .find_map(|s| {
            s.split_once("\" id=\"audit-older\"")
                .map(|(href, _)| href.replace("&amp;", "&"))
        })
        .expect("a link to older entries");
    let second = admin.get(&older).await;
    assert_eq!(second.status, 200, "{older}: {}", second.body);
    let second_rows = audit_rows(&second.body);
    assert_eq!(second_rows.len(), 20, "{older}");
    assert!(
        second_rows[0].seq < first_rows.last().unwrap().seq,
        "the next page continues below the first"
    );
    assert!(second_rows.iter().all(|r| r.action == "test.paging"));
    assert!(
        !second.body.contains("id=\"audit-older\""),
        "nothing older is left"
    );

    let expected = count_of(
        &app,
        "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'customer.login'",
    )
    .await;
    assert!(expected >= 3);
    let (status, headers, bytes) = admin
        .get_bytes("/ops/audit/export?action=customer.login")
        .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"),
        "{headers:?}"
    );
    assert_eq!(headers["cache-control"], "no-store");
    let csv = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = csv.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "seq,at_jst,actor,role,action,target,outcome,client_ip,request_id"
    );
    assert_eq!(lines.len() as i64, expected + 1, "{csv}");
    assert!(
        lines[1..].iter().all(|l| l.contains(",customer.login,")),
        "{csv}"
    );
    assert!(!csv.contains(&address));
    assert_eq!(audited(&app, "audit.exported").await, 1);
    assert_eq!(
        text(
            &app,
            "SELECT target FROM audit_log WHERE action = 'audit.exported'",
            &[],
            "target"
        )
        .await,
        format!("audit:rows={expected}")
    );
    assert_eq!(
        text(
            &app,
            "SELECT actor FROM audit_log WHERE action = 'audit.exported'",
            &[],
            "actor"
        )
        .await,
        admin_id
    );
    let by_user_name = audit_rows(&search(&admin, &[("actor", "ops.admin")]).await.body);
    assert!(
        !by_user_name.is_empty() && by_user_name.iter().all(|r| r.actor == admin_id),
        "the actor field takes a staff user name: {by_user_name:?}"
    );
    let exported = audit_rows(&search(&admin, &[("action", "audit.exported")]).await.body);
    assert_eq!(exported.len(), 1, "{exported:?}");
    let shown = visible(&exported[0].shown);
    assert!(
        shown.contains("監査ログのCSV出力") && shown.contains("ops.admin 担当 (ops.admin)"),
        "the export is named in Japanese and the administrator by name and user name: {shown}"
    );
    assert!(
        !shown.contains(&admin_id),
        "the administrator's ID is not shown as text: {shown}"
    );
    assert!(
        shown.contains("行員") && shown.contains("成功") && !shown.contains("success"),
        "role and outcome in words: {shown}"
    );
    assert!(
        exported[0]
            .shown
            .contains("<code class=\"detail\">audit.exported</code>"),
        "the action's code as a small detail: {}",
        exported[0].shown
    );
    let english = admin
        .get("/lang/en?next=%2Fops%2Faudit%3Faction%3Daudit.exported")
        .await;
    assert!(english.status < 400, "{}", english.status);
    let english = admin.get("/ops/audit?action=audit.exported").await;
    let shown = visible(&audit_rows(&english.body)[0].shown);
    assert!(
        shown.contains("Audit trail exported as CSV") && shown.contains("Succeeded"),
        "{shown}"
    );
    admin.get("/lang/ja?next=%2Fops%2Faudit").await;
    let refused = admin.get("/ops/audit/export?role=root").await;
    assert_eq!(refused.status, 400);
    let refused = admin.get("/ops/audit/export?from=yesterday").await;
    assert_eq!(refused.status, 400);
    assert_eq!(
        audited(&app, "audit.exported").await,
        1,
        "a refused export is not recorded as one"
    );
    app.stop().await;
}

async fn error_log_lists_errors_with_their_request(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (admin, _) = staff_browser(&app, "ops.admin", "admin").await;
    let empty = admin.get("/ops/logs?level=all").await;
    assert_eq!(empty.status, 200);
    assert!(empty.body.contains("id=\"logs-none\""), "{}", empty.body);

    let request_id = text(
        &app,
        "SELECT request_id FROM audit_log WHERE request_id <> '-' ORDER BY seq DESC LIMIT 1",
        &[],
        "request_id",
    )
    .await;
    let now_ms = now_unix() * 1000;
    for (level, target, message, request) in [
        (
            "warn",
            "documents::store",
            "slow answer from the document store",
            "",
        ),
        (
            "error",
            "portal::routes",
            "database write failed",
            request_id.as_str(),
        ),
    ] {
        let mut tx = app.state.db.write().await.unwrap();
        sqlx::query(
            "INSERT INTO log_events (at_ms, instance, level, target, message, request_id) \
             VALUES ($1, 'test-instance', $2, $3, $4, $5)",
        )
        .bind(now_ms)
        .bind(level)
        .bind(target)
        .bind(message)
        .bind(request)
        .execute(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }

    let errors = admin.get("/ops/logs").await;
    assert_eq!(errors.status, 200);
    let table = element(&errors.body, "log-events", "</table>");
    assert!(table.contains("database write failed"), "{table}");
    assert!(table.contains("エラー"));
    assert!(table.contains("test-instance"));
    assert!(
        !table.contains("slow answer from the document store"),
        "warnings only on request"
    );
    let link = table
        .split("<a href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the request ID links to the audit trail");
    assert!(link.starts_with("/ops/audit?request_id="), "{link}");
    assert!(table.contains(&format!("<code>{request_id}</code>")));

    let all = admin.get("/ops/logs?level=all").await;
    let table = element(&all.body, "log-events", "</table>");
    assert!(table.contains("database write failed"));
    assert!(table.contains("slow answer from the document store"));
    assert!(table.contains("警告"));
    assert_eq!(table.matches("<a href=\"/ops/audit?request_id=").count(), 1);

    let trail = admin.get(&link.replace("&amp;", "&")).await;
    assert_eq!(trail.status, 200);
    let rows = audit_rows(&trail.body);
    assert!(!rows.is_empty(), "the request's audit entries");
    assert!(rows.iter().all(|r| r.request_id == request_id), "{rows:?}");
    app.stop().await;
}

/// One row of `backup_runs`, as the backup crate records a run.
struct BackupRow<'a> {
    reason: &'a str,
    started_at: i64,
    /// How long it took; `None` while it runs.
    seconds: Option<i64>,
    status: &'a str,
    detail: &'a str,
    name: Option<&'a str>,
    bytes: Option<i64>,
    records: Option<i64>,
    documents: Option<i64>,
    drill: Option<&'a str>,
}

/// Records a backup run directly; returns its ID.
async fn insert_backup_run(app: &TestApp, run: &BackupRow<'_>) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    let mut tx = app.state.db.write().await.unwrap();
    sqlx::query(
        "INSERT INTO backup_runs (id, reason, slot, started_at, finished_at, status, detail, name, \
         bytes, records, documents, drill, destinations) \
         VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&id)
    .bind(run.reason)
    .bind(run.started_at)
    .bind(run.seconds.map(|s| run.started_at + s))
    .bind(run.status)
    .bind(run.detail)
    .bind(run.name)
    .bind(run.bytes)
    .bind(run.records)
    .bind(run.documents)
    .bind(run.drill)
    .bind("local, s3://backups-osaka/assetstatus")
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

/// The cells of the backup table's row for run `id`, as text.
fn backup_cells(body: &str, id: &str) -> Vec<String> {
    element(body, &format!("run-{id}"), "</tr>")
        .split("<td")
        .skip(1)
        .map(|cell| {
            let inner = cell.split_once('>').unwrap().1;
            let inner = inner.split("</td>").next().unwrap();
            inner
                .replace(
                    "<span class=\"status-mark\" aria-hidden=\"true\"></span>",
                    "",
                )
                .replace("<span lang=\"en\">", "")
                .replace("</span>", "")
        })
        .collect()
}

async fn backup_history_and_the_backup_alert(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.ops.evaluate_seconds = 1).await;
    assert!(
        app.config.ops.rules.backup.enabled,
        "the backup rule is on by default"
    );
    let (admin, _) = staff_browser(&app, "ops.admin", "admin").await;
    let empty = admin.get("/ops/backups").await;
    assert_eq!(empty.status, 200, "{}", empty.body);
    assert!(empty.body.contains("id=\"backups-none\""), "{}", empty.body);
    let summary = element(&empty.body, "backup-summary", "</section>");
    assert!(
        summary.contains("正常に完了したバックアップはまだありません。"),
        "{summary}"
    );
    assert!(!summary.contains("id=\"backup-failed\""), "{summary}");

    // The alert engine runs several times on a system with no backup yet: the rule counts from
    // the installation (and from the migration that began recording runs), so nothing fires.
    let recording = ops::probes::backups_recorded_since(&app.state.db)
        .await
        .unwrap()
        .expect("the migration that redefined backup_runs is recorded");
    assert!(
        (now_unix() - recording).abs() < 300,
        "recording began when this test system was set up: {recording}"
    );
    let app_ref = &app;
    eventually("the alert engine holds its lease", move || async move {
        (number(
            app_ref,
            "SELECT COUNT(*) AS n FROM leases WHERE name = 'ops'",
            &[],
        )
        .await
            > 0)
        .then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        number(
            &app,
            "SELECT COUNT(*) AS n FROM alerts WHERE rule = 'backup'",
            &[]
        )
        .await,
        0,
        "no backup alert before the first backup was due"
    );

    let now = now_unix();
    let good = insert_backup_run(
        &app,
        &BackupRow {
            reason: "manual",
            started_at: now - 2 * 86_400,
            seconds: Some(95),
            status: "succeeded",
            detail: "1234 records, 56 documents, 3 customer keys in escrow; test restore passed",
            name: Some("20260101T020000Z-good"),
            bytes: Some(12_900_000),
            records: Some(1234),
            documents: Some(56),
            drill: Some("passed"),
        },
    )
    .await;
    let failed = insert_backup_run(
        &app,
        &BackupRow {
            reason: "schedule",
            started_at: now - 86_400,
            seconds: Some(3725),
            status: "failed",
            detail: "cannot write to s3://backups-osaka: <script>alert(1)</script> access denied",
            name: Some("20260102T020000Z-bad"),
            bytes: Some(2048),
            records: Some(1240),
            documents: Some(57),
            drill: Some("failed"),
        },
    )
    .await;
    let running = insert_backup_run(
        &app,
        &BackupRow {
            reason: "schedule",
            started_at: now - 30,
            seconds: None,
            status: "running",
            detail: "",
            name: None,
            bytes: None,
            records: None,
            documents: None,
            drill: None,
        },
    )
    .await;

    let page = admin.get("/ops/backups").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains("<a href=\"/ops/backups\" aria-current=\"page\">バックアップ</a>"),
        "the navigation marks the page"
    );
    let table = element(&page.body, "backup-runs", "</table>");
    let order: Vec<usize> = [&running, &failed, &good]
        .iter()
        .map(|id| table.find(&format!("id=\"run-{id}\"")).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "newest first");
    assert_eq!(
        backup_cells(&page.body, &good)[1..],
        [
            "1分35秒",
            "手動",
            "成功",
            "20260101T020000Z-good",
            "12.3 MB",
            "1,234",
            "56",
            "合格",
            "local, s3://backups-osaka/assetstatus",
            "—",
        ],
        "the good run, Japanese labels"
    );
    let cells = backup_cells(&page.body, &failed);
    assert_eq!(
        cells[1..10],
        [
            "1時間2分",
            "定期",
            "失敗",
            "20260102T020000Z-bad",
            "2.0 KB",
            "1,240",
            "57",
            "不合格",
            "local, s3://backups-osaka/assetstatus",
        ],
        "the failed run"
    );
    assert_eq!(
        cells[10],
        "cannot write to s3://backups-osaka: &#60;script&#62;alert(1)&#60;/script&#62; access denied",
        "the failure detail, escaped"
    );
    assert!(!page.body.contains("<script>alert(1)"), "nothing runs");
    let cells = backup_cells(&page.body, &running);
    assert_eq!(
        (cells[1].as_str(), cells[3].as_str(), cells[4].as_str()),
        ("—", "実行中", "—"),
        "a run in progress"
    );
    assert!(
        table.contains(&format!("<tr class=\"status-down\" id=\"run-{failed}\">")),
        "the colour repeats the label"
    );
    let summary = element(&page.body, "backup-summary", "</section>");
    let good_summary = element(summary, "backup-good", "</dl>");
    assert!(
        good_summary.contains("<code>20260101T020000Z-good</code>")
            && good_summary.contains("12.3 MB"),
        "the newest good backup: {good_summary}"
    );
    let notice = element(summary, "backup-failed", "</div>");
    assert!(
        notice.contains("直近のバックアップは失敗しました")
            && notice.contains("assetstatus backup"),
        "{notice}"
    );
    assert!(summary.contains("id=\"backup-running\""), "{summary}");

    let dashboard = admin.get("/ops").await;
    let card = element(&dashboard.body, "dep-backup", "</li>");
    assert!(card.contains("<a href=\"/ops/backups\">"), "{card}");
    assert!(card.contains("失敗"), "{card}");

    // The newest finished run failed: the rule fires on the redefined table.
    eventually("a backup alert about the failed run", move || async move {
        (number(
            app_ref,
            "SELECT COUNT(*) AS n FROM alerts WHERE rule = 'backup' AND subject = 'failed' \
             AND state = 'firing'",
            &[],
        )
        .await
            == 1)
            .then_some(())
    })
    .await;
    let alerts = admin.get("/ops/alerts").await;
    assert!(
        alerts.body.contains("障害: バックアップが完了していません"),
        "{}",
        alerts.body
    );

    admin.get("/lang/en?next=/ops/backups").await;
    let english = admin.get("/ops/backups").await;
    assert_eq!(english.status, 200, "{}", english.body);
    assert!(english.body.contains("<html lang=\"en\">"));
    assert_eq!(
        backup_cells(&english.body, &good)[1..5],
        ["1 min 35 s", "Manual", "Succeeded", "20260101T020000Z-good"]
    );
    let cells = backup_cells(&english.body, &failed);
    assert_eq!(
        (cells[2].as_str(), cells[3].as_str(), cells[8].as_str()),
        ("Schedule", "Failed", "Failed")
    );
    assert!(cells[10].contains("&#60;script&#62;"), "{}", cells[10]);
    assert!(english.body.contains("The latest backup failed"));
    assert!(english.body.contains("Running"));
    assert!(!english.body.contains("<script>alert(1)"));
    app.stop().await;
}

on_both_backends!(
    only_admins_reach_the_console,
    dashboard_draws_figures_kept_in_the_database,
    failed_passwords_raise_an_alert_an_admin_acknowledges,
    audit_trail_search_pages_and_export,
    error_log_lists_errors_with_their_request,
    backup_history_and_the_backup_alert,
);
