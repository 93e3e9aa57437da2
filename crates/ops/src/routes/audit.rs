//! The audit-trail viewer (A4): search by actor, role, action, target, outcome, address,
//! request ID and time range (Japan time), newest first, a page at a time; and the same search
//! as a CSV file (through the spreadsheet-safe writer, since entries can carry what visitors
//! sent), whose export is itself audited with the number of rows. The trail holds
//! identifiers only, so viewing it shows no customer's personal data.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{Uri, header};
use axum::response::{Html, IntoResponse, Response};
use pages::chrome::{Chrome, render};
use pages::error::{PageResult, WebError, internal};
use platform::audit::search::{self, Filter};
use platform::audit::{self, Entry, Event, Target};
use platform::csv::{self, Cell};
use platform::time_util::JST;
use serde::Deserialize;
use time::{OffsetDateTime, PrimitiveDateTime, format_description::well_known::Rfc3339};

use crate::OpsState;
use crate::admin::Admin;

/// Entries per page.
const PAGE: i64 = 100;
/// Most rows one export holds.
const EXPORT_CAP: i64 = 100_000;

/// The search form, as typed.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct SearchForm {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    ip: String,
    #[serde(default)]
    request_id: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    before: Option<i64>,
}

const ROLES: [&str; 5] = ["anonymous", "customer", "staff", "system", "client"];
const OUTCOMES: [&str; 3] = ["success", "failure", "denied"];

/// A `datetime-local` value (`2026-11-21T09:30`) read as Japan time, in milliseconds.
fn jst_ms(raw: &str) -> Result<Option<i64>, ()> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let local = PrimitiveDateTime::parse(raw, &format).map_err(|_| ())?;
    let at = local.assume_offset(JST);
    Ok(Some((at.unix_timestamp_nanos() / 1_000_000) as i64))
}

fn field(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

impl SearchForm {
    /// The filter, or the message keys of the fields that cannot be used.
    fn filter(&self) -> Result<Filter, Vec<(&'static str, &'static str)>> {
        let mut errors = Vec::new();
        let role = field(&self.role);
        if role.as_deref().is_some_and(|r| !ROLES.contains(&r)) {
            errors.push(("role", "ops-audit-error-role"));
        }
        let outcome = field(&self.outcome);
        if outcome.as_deref().is_some_and(|o| !OUTCOMES.contains(&o)) {
            errors.push(("outcome", "ops-audit-error-outcome"));
        }
        let long = [
            &self.actor,
            &self.action,
            &self.target,
            &self.ip,
            &self.request_id,
        ]
        .iter()
        .any(|v| v.chars().count() > 200);
        if long {
            errors.push(("actor", "ops-audit-error-long"));
        }
        let from = jst_ms(&self.from).unwrap_or_else(|()| {
            errors.push(("from", "ops-audit-error-time"));
            None
        });
        let to = jst_ms(&self.to).unwrap_or_else(|()| {
            errors.push(("to", "ops-audit-error-time"));
            None
        });
        if let (Some(f), Some(t)) = (from, to)
            && f >= t
        {
            errors.push(("to", "ops-audit-error-order"));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Filter {
            actor: field(&self.actor),
            role,
            action: field(&self.action),
            target: field(&self.target),
            outcome,
            client_ip: field(&self.ip),
            request_id: field(&self.request_id),
            from_ms: from,
            to_ms: to,
        })
    }

    /// The search as a query string (without `before`), for paging and export links.
    fn query(&self) -> String {
        let mut copy = self.clone();
        copy.before = None;
        serde_urlencoded::to_string(QueryOf(&copy)).unwrap_or_default()
    }
}

/// Serialises the typed fields of a search back into a query string.
struct QueryOf<'a>(&'a SearchForm);

impl serde::Serialize for QueryOf<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let f = self.0;
        let pairs = [
            ("actor", &f.actor),
            ("role", &f.role),
            ("action", &f.action),
            ("target", &f.target),
            ("outcome", &f.outcome),
            ("ip", &f.ip),
            ("request_id", &f.request_id),
            ("from", &f.from),
            ("to", &f.to),
        ];
        let set: Vec<(&str, &String)> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        let mut seq = s.serialize_seq(Some(set.len()))?;
        for pair in set {
            seq.serialize_element(&pair)?;
        }
        seq.end()
    }
}

/// One row as shown.
struct Row {
    seq: i64,
    at: String,
    actor: String,
    role: String,
    action: String,
    target: String,
    outcome: String,
    client_ip: String,
    request_id: String,
}

fn at_jst(at_ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(at_ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(JST)
}

fn row(e: Entry) -> Row {
    let t = at_jst(e.at_ms);
    Row {
        seq: e.seq,
        at: format!(
            "{}-{:02}-{:02} {:02}:{:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        actor: e.actor,
        role: e.role,
        action: e.action,
        target: e.target,
        outcome: e.outcome,
        client_ip: e.client_ip,
        request_id: e.request_id,
    }
}

#[derive(Template)]
#[template(path = "ops_audit.html")]
struct AuditPage {
    c: Chrome,
    form: SearchForm,
    errors: Vec<(&'static str, String)>,
    rows: Vec<Row>,
    query: String,
    next: Option<i64>,
    roles: [&'static str; 5],
    outcomes: [&'static str; 3],
}

impl AuditPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

/// `GET /ops/audit`.
pub(crate) async fn page(
    State(state): State<OpsState>,
    admin: Admin,
    Query(form): Query<SearchForm>,
) -> PageResult {
    let c = admin.chrome();
    let (rows, next, errors) = match form.filter() {
        Ok(filter) => {
            let mut tx = state.db.read().await?;
            let found = search::page(&mut tx, &filter, form.before, PAGE + 1)
                .await
                .map_err(|e| internal(&e))?;
            let next = (found.len() as i64 > PAGE)
                .then(|| found.get(PAGE as usize - 1).map(|e| e.seq))
                .flatten();
            let rows = found.into_iter().take(PAGE as usize).map(row).collect();
            (rows, next, Vec::new())
        }
        Err(errors) => (
            Vec::new(),
            None,
            errors.into_iter().map(|(f, k)| (f, c.t(k))).collect(),
        ),
    };
    let page = AuditPage {
        query: form.query(),
        form,
        errors,
        rows,
        next,
        roles: ROLES,
        outcomes: OUTCOMES,
        c,
    };
    Ok(Html(render(&page)?).into_response())
}

/// `GET /ops/audit/export`: the search as CSV, audited with the row count.
pub(crate) async fn export(
    State(state): State<OpsState>,
    admin: Admin,
    uri: Uri,
    Query(form): Query<SearchForm>,
) -> Result<Response, WebError> {
    if let Some(step_up) = console::staff::step_up_due(&admin.session, &uri) {
        return Ok(step_up);
    }
    let filter = form.filter().map_err(|_| WebError::BadRequest)?;
    let entries = {
        let mut tx = state.db.read().await?;
        search::all(&mut tx, &filter, EXPORT_CAP)
            .await
            .map_err(|e| internal(&e))?
    };
    let mut out = csv::Writer::new(csv::Encoding::Utf8, csv::LineEnd::Lf);
    out.text_record([
        "seq",
        "at_jst",
        "actor",
        "role",
        "action",
        "target",
        "outcome",
        "client_ip",
        "request_id",
    ])
    .map_err(|e| internal(&e))?;
    let count = entries.len();
    for e in entries {
        let when = at_jst(e.at_ms).format(&Rfc3339).unwrap_or_default();
        out.record([
            Cell::Number(e.seq),
            Cell::Text(&when),
            Cell::Text(&e.actor),
            Cell::Text(&e.role),
            Cell::Text(&e.action),
            Cell::Text(&e.target),
            Cell::Text(&e.outcome),
            Cell::Text(&e.client_ip),
            Cell::Text(&e.request_id),
        ])
        .map_err(|e| internal(&e))?;
    }
    let body = out.into_bytes();
    audit::record(
        &state.db,
        &Event::success(admin.actor(), "audit.exported", Target::audit_rows(count)),
        admin.meta(),
    )
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit-trail.csv\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_read_as_japan_time() {
        assert_eq!(jst_ms("1970-01-01T09:00"), Ok(Some(0)));
        assert_eq!(jst_ms(" "), Ok(None));
        assert!(jst_ms("2026-13-01T00:00").is_err());
        assert!(jst_ms("yesterday").is_err());
    }

    #[test]
    fn bad_fields_are_named_and_nothing_is_searched() {
        let form = SearchForm {
            role: "root".into(),
            outcome: "maybe".into(),
            from: "2026-11-21T10:00".into(),
            to: "2026-11-21T09:00".into(),
            ..SearchForm::default()
        };
        let errors = form.filter().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["role", "outcome", "to"]);
    }

    #[test]
    fn query_keeps_only_what_was_typed() {
        let form = SearchForm {
            actor: "a b&c".into(),
            before: Some(9),
            ..SearchForm::default()
        };
        assert_eq!(form.query(), "actor=a+b%26c");
    }
}
