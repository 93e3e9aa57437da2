//! Alert notices: the same short text by mail to each administrator and to the webhook (a
//! Slack-compatible `{"text": …}` with the alert's fields beside it), in the configured
//! language. Queued in the outbox inside the caller's transaction; sent directly only for the
//! database outage, when nothing can be queued.

use platform::db::{DbError, WriteTx};
use platform::i18n::{Arg, Locale};
use platform::mail::OutgoingMail;
use serde_json::json;

use super::incidents::{Alert, Notice};
use crate::Ops;

/// Outbox kind of alert mails.
const MAIL_KIND: &str = "alert";
/// Outbox kind of webhook calls.
const WEBHOOK_KIND: &str = "alert-webhook";

/// A rule's title and what was observed, in `locale`.
pub fn describe(locale: Locale, alert: &Alert) -> (String, String) {
    let title = locale.t(&format!("alert-rule-{}", alert.rule));
    let d = alert.detail;
    let minutes = (d.window_seconds.div_ceil(60)).max(1);
    let figure = |v: f64| Arg::from(format!("{v:.1}").trim_end_matches(".0").to_owned());
    let detail = locale.t_args(
        &format!("alert-detail-{}", alert.rule),
        &[
            ("value", figure(d.value)),
            ("threshold", figure(d.threshold)),
            ("minutes", Arg::from(minutes)),
            ("subject", Arg::from(alert.subject.clone())),
        ],
    );
    (title, detail)
}

/// The notice's subject line and body.
pub fn compose(ops: &Ops, alert: &Alert, notice: Notice) -> (String, String) {
    let locale = Locale::from_code(&ops.settings.alert_language).unwrap_or_default();
    let (title, detail) = describe(locale, alert);
    let kind = locale.t(&format!("alert-kind-{}", alert.kind.code()));
    let which = match notice {
        Notice::Fired => "alert-notice-fired",
        Notice::Reminder => "alert-notice-reminder",
        Notice::Recovered => "alert-notice-recovered",
    };
    let subject = locale.t_args(
        which,
        &[("kind", Arg::from(kind)), ("title", Arg::from(title))],
    );
    // A backup alert is worked from the backup history, every other one from the alert list.
    let page = if alert.rule == "backup" {
        "ops/backups"
    } else {
        "ops/alerts"
    };
    let link = ops
        .staff_base_url
        .join(page)
        .map(|u| u.to_string())
        .unwrap_or_default();
    let body = locale.t_args(
        "alert-notice-body",
        &[
            ("detail", Arg::from(detail)),
            ("subject", Arg::from(alert.subject.clone())),
            (
                "started",
                Arg::from(ui::format::timestamp(alert.started_at, locale)),
            ),
            (
                "now",
                Arg::from(ui::format::timestamp(
                    alert.notified_at.unwrap_or(alert.last_seen_at),
                    locale,
                )),
            ),
            ("link", Arg::from(link)),
            ("id", Arg::from(alert.id.clone())),
        ],
    );
    (subject, body)
}

/// The webhook's JSON body.
fn webhook_body(alert: &Alert, notice: Notice, subject: &str, body: &str) -> serde_json::Value {
    json!({
        "text": format!("{subject}\n{body}"),
        "alert": {
            "id": alert.id,
            "rule": alert.rule,
            "kind": alert.kind.code(),
            "state": alert.state.code(),
            "notice": match notice {
                Notice::Fired => "fired",
                Notice::Reminder => "reminder",
                Notice::Recovered => "recovered",
            },
            "subject": alert.subject,
            "value": alert.detail.value,
            "threshold": alert.detail.threshold,
            "started_at": alert.started_at,
            "resolved_at": alert.resolved_at,
        }
    })
}

/// Queues the notice for every administrator and the webhook, inside `tx`.
pub async fn queue(
    ops: &Ops,
    tx: &mut WriteTx,
    alert: &Alert,
    notice: Notice,
) -> Result<(), DbError> {
    let (subject, body) = compose(ops, alert, notice);
    for to in &ops.settings.alert_mail_to {
        let mail = OutgoingMail::plain(to.clone(), subject.clone(), body.clone());
        ops.outbox.enqueue_in(tx, MAIL_KIND, &mail).await?;
    }
    if let Some(url) = &ops.settings.alert_webhook_url {
        let payload = webhook_body(alert, notice, &subject, &body);
        ops.outbox
            .enqueue_webhook_in(tx, WEBHOOK_KIND, url.expose(), &payload)
            .await?;
    }
    Ok(())
}

/// Sends the notice now, without the outbox; true when at least one recipient took it (or
/// there is none), so that a partial failure is not repeated to those who have it.
pub async fn send_direct(ops: &Ops, alert: &Alert, notice: Notice) -> bool {
    let (subject, body) = compose(ops, alert, notice);
    let recipients =
        ops.settings.alert_mail_to.len() + usize::from(ops.settings.alert_webhook_url.is_some());
    let mut delivered = 0;
    for to in &ops.settings.alert_mail_to {
        let mail = OutgoingMail::plain(to.clone(), subject.clone(), body.clone());
        let id = format!("<alert-{}.direct@assetstatus>", alert.id);
        if let Err(e) = ops.mailer.send_with_id(mail, id).await {
            tracing::warn!(error = %e, rule = alert.rule, "direct alert mail not sent");
        } else {
            delivered += 1;
        }
    }
    if let Some(url) = &ops.settings.alert_webhook_url {
        let payload = webhook_body(alert, notice, &subject, &body);
        let sent = reqwest::Client::new()
            .post(url.expose())
            .timeout(std::time::Duration::from_secs(10))
            .json(&payload)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        if sent {
            delivered += 1;
        } else {
            tracing::warn!(rule = alert.rule, "direct alert webhook not delivered");
        }
    }
    recipients == 0 || delivered > 0
}
