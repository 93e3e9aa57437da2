//! The audit-trail viewer (A4): search by actor, role, action, target, outcome, address,
//! request ID and time range (Japan time), newest first, a page at a time; and the same search
//! as a CSV file (through the spreadsheet-safe writer, since entries can carry what visitors
//! sent), whose export is itself audited with the number of rows. The trail holds
//! identifiers only, so viewing it shows no customer's personal data.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{Uri, header};
use axum::response::{Html, IntoResponse, Response};
use pages::chrome::{Chrome, render};
use pages::error::{PageResult, WebError};
use platform::audit::search::{self, Filter};
use platform::audit::{self, Entry, Event, Target};
use platform::csv::{self, Cell};
use platform::i18n::Arg;
use platform::ids::{CustomerId, CustomerNumber};
use platform::time_util::JST;
use serde::Deserialize;
use time::{OffsetDateTime, PrimitiveDateTime, format_description::well_known::Rfc3339};

use crate::OpsState;
use crate::actions;
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

/// One row as shown: labels in the page's language first, the stored codes as small details
/// and as links that search for the same actor, action, target or request.
struct Row {
    seq: i64,
    /// `2026/12/07 14:05:09`, Japan time.
    at: String,
    /// RFC 3339, for `<time datetime>`.
    at_iso: String,
    actor: String,
    actor_code: String,
    role: String,
    role_code: String,
    action: String,
    /// The stored action code, shown small under its label.
    action_code: String,
    target: String,
    target_code: String,
    outcome: String,
    outcome_code: String,
    /// `ok`, `warn` or `down`, for the status marker.
    outcome_health: &'static str,
    client_ip: String,
    request_id: String,
    /// The request ID by its first eight characters.
    request_label: String,
}

fn at_jst(at_ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(at_ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(JST)
}

/// A time as Japanese offices write it: `2026/12/07 14:05:09`.
fn at_text(t: OffsetDateTime) -> String {
    format!(
        "{}/{:02}/{:02} {:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The first eight characters of an identifier (a UUID's first group), enough to tell entries
/// apart on one page; the whole identifier stays in the search link.
fn short(id: &str) -> &str {
    id.char_indices().nth(8).map_or(id, |(i, _)| &id[..i])
}

/// How a customer is named in the trail's view: by their customer number (`1234-5678-9`,
/// which staff read out on the phone), or by the first eight characters of their ID when they
/// have none (deleted customers). The trail itself holds only the ID.
fn customer_label(c: &Chrome, id: &str, names: &Names) -> String {
    match names.customers.get(id) {
        Some(number) => c.locale.t_args(
            "ops-audit-who-customer-number",
            &[("number", Arg::from(number.to_string()))],
        ),
        None => c.locale.t_args(
            "ops-audit-who-customer",
            &[("id", Arg::from(short(id).to_owned()))],
        ),
    }
}

/// Staff names by ID, read once per page.
type StaffNames = HashMap<String, String>;

/// Who the entries of one page name: staff by "display name (user name)", customers by
/// customer number, each read in one query per page.
#[derive(Default)]
struct Names {
    staff: StaffNames,
    customers: HashMap<String, CustomerNumber>,
}

impl Names {
    /// The names of everyone `entries` mention.
    async fn of(state: &OpsState, staff: StaffNames, entries: &[Entry]) -> Result<Self, WebError> {
        let mut ids: Vec<CustomerId> = entries
            .iter()
            .flat_map(|e| {
                let actor = (e.role == "customer").then_some(e.actor.as_str());
                let target = e
                    .target
                    .strip_prefix("customer:")
                    .or_else(|| e.target.strip_prefix("assets-of:"));
                actor.into_iter().chain(target)
            })
            .filter_map(|id| id.parse().ok())
            .collect();
        ids.sort_by_key(|id: &CustomerId| id.to_string());
        ids.dedup();
        let customers = state
            .identity
            .customer_numbers(&ids)
            .await?
            .into_iter()
            .map(|(id, number)| (id.to_string(), number))
            .collect();
        Ok(Self { staff, customers })
    }
}

/// Every member of staff's "display name (user name)" by ID, in one query.
async fn staff_names(state: &OpsState) -> Result<StaffNames, WebError> {
    Ok(state
        .identity
        .staff_names()
        .await?
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect())
}

/// The filter with its actor read as a member of staff's user name (`demo.operator`) when it
/// names one: the trail records staff by ID, which nobody types.
fn with_staff_actor(mut filter: Filter, staff: &StaffNames) -> Filter {
    if let Some(actor) = &filter.actor {
        let wanted = format!("({actor})");
        if let Some((id, _)) = staff.iter().find(|(_, name)| name.ends_with(&wanted)) {
            filter.actor = Some(id.clone());
        }
    }
    filter
}

/// Who acted, in words.
fn actor_label(c: &Chrome, role: &str, id: &str, names: &Names) -> String {
    match role {
        "staff" => staff_label(c, id, &names.staff),
        "customer" => customer_label(c, id, names),
        "anonymous" => c.t("ops-audit-who-anonymous"),
        "system" => c.locale.t_args(
            "ops-audit-who-system",
            &[("name", Arg::from(id.to_owned()))],
        ),
        "client" => c
            .locale
            .t_args("ops-audit-who-client", &[("id", Arg::from(id.to_owned()))]),
        _ => id.to_owned(),
    }
}

/// A member of staff by display name and user name, or by a short ID when the account is gone.
fn staff_label(c: &Chrome, id: &str, staff: &StaffNames) -> String {
    staff.get(id).cloned().unwrap_or_else(|| {
        c.locale.t_args(
            "ops-audit-who-staff-unknown",
            &[("id", Arg::from(short(id).to_owned()))],
        )
    })
}

/// What the entry is about, in words (see `platform::audit::Target` for the shapes).
fn target_label(c: &Chrome, raw: &str, names: &Names) -> String {
    let Some((kind, rest)) = raw.split_once(':') else {
        return if raw == "-" {
            c.t("ops-audit-target-none")
        } else {
            raw.to_owned()
        };
    };
    let with = |key: &str, name: &'static str, value: String| {
        c.locale.t_args(key, &[(name, Arg::from(value))])
    };
    let rows = |key: &str| match rest
        .strip_prefix("rows=")
        .and_then(|n| n.parse::<i64>().ok())
    {
        Some(n) => c.locale.t_args(key, &[("n", Arg::from(n))]),
        None => raw.to_owned(),
    };
    match kind {
        "customer" => customer_label(c, rest, names),
        "staff" => staff_label(c, rest, &names.staff),
        "assets-of" => with(
            "ops-audit-target-assets-of",
            "who",
            customer_label(c, rest, names),
        ),
        "asset" => with("ops-audit-target-asset", "id", short(rest).to_owned()),
        "application" => with("ops-audit-target-application", "id", short(rest).to_owned()),
        "document" => with("ops-audit-target-document", "id", short(rest).to_owned()),
        "customers" => rows("ops-audit-target-customer-rows"),
        "audit" => rows("ops-audit-target-audit-rows"),
        "alert" => with("ops-audit-target-alert", "id", short(rest).to_owned()),
        "client" => with("ops-audit-target-client", "id", rest.to_owned()),
        "grant" => with("ops-audit-target-grant", "id", short(rest).to_owned()),
        "signing-key" => with("ops-audit-target-signing-key", "id", short(rest).to_owned()),
        "backup" => with("ops-audit-target-backup", "id", rest.to_owned()),
        _ => raw.to_owned(),
    }
}

/// An action's label, or its code when it has none (entries of older versions, tests).
fn action_label(c: &Chrome, action: &str) -> String {
    actions::message_key(action).map_or_else(|| action.to_owned(), |key| c.t(&key))
}

fn row(c: &Chrome, names: &Names, e: Entry) -> Row {
    let t = at_jst(e.at_ms);
    let role_known = ROLES.contains(&e.role.as_str());
    let outcome_health = match e.outcome.as_str() {
        "success" => "ok",
        "failure" => "warn",
        _ => "down",
    };
    Row {
        seq: e.seq,
        at: at_text(t),
        at_iso: t.format(&Rfc3339).unwrap_or_default(),
        actor: actor_label(c, &e.role, &e.actor, names),
        role: if role_known {
            c.t(&format!("ops-audit-role-{}", e.role))
        } else {
            e.role.clone()
        },
        action: action_label(c, &e.action),
        target: target_label(c, &e.target, names),
        outcome: if OUTCOMES.contains(&e.outcome.as_str()) {
            c.t(&format!("ops-audit-outcome-{}", e.outcome))
        } else {
            e.outcome.clone()
        },
        outcome_health,
        request_label: c.locale.t_args(
            "ops-audit-request-short",
            &[("id", Arg::from(short(&e.request_id).to_owned()))],
        ),
        actor_code: e.actor,
        role_code: e.role,
        outcome_code: e.outcome,
        action_code: e.action,
        target_code: e.target,
        client_ip: e.client_ip,
        request_id: e.request_id,
    }
}

/// A search link for one field's value, keeping nothing else of the current search.
fn search_link(field: &str, value: &str) -> String {
    let query = serde_urlencoded::to_string([(field, value)]).unwrap_or_default();
    format!("/ops/audit?{query}")
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
    /// Every known action with its label, for the action field's suggestions.
    actions: Vec<(&'static str, String)>,
}

impl AuditPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    fn link(&self, field: &str, value: &str) -> String {
        search_link(field, value)
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
            let staff = staff_names(&state).await?;
            let filter = with_staff_actor(filter, &staff);
            let found = {
                let mut tx = state.db.read().await?;
                search::page(&mut tx, &filter, form.before, PAGE + 1).await?
            };
            let next = (found.len() as i64 > PAGE)
                .then(|| found.get(PAGE as usize - 1).map(|e| e.seq))
                .flatten();
            let shown: Vec<Entry> = found.into_iter().take(PAGE as usize).collect();
            let names = Names::of(&state, staff, &shown).await?;
            let rows = shown.into_iter().map(|e| row(&c, &names, e)).collect();
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
        actions: actions::KNOWN
            .iter()
            .map(|a| (*a, action_label(&c, a)))
            .collect(),
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
    let filter = with_staff_actor(filter, &staff_names(&state).await?);
    let entries = {
        let mut tx = state.db.read().await?;
        search::all(&mut tx, &filter, EXPORT_CAP).await?
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
    ])?;
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
        ])?;
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
    fn a_staff_user_name_searches_by_their_id() {
        let staff = StaffNames::from([
            ("id-1".to_owned(), "業務 花子 (demo.operator)".to_owned()),
            ("id-2".to_owned(), "管理 太郎 (demo.admin)".to_owned()),
        ]);
        let by_name = |actor: &str| {
            let form = SearchForm {
                actor: actor.into(),
                ..SearchForm::default()
            };
            with_staff_actor(form.filter().unwrap(), &staff).actor
        };
        assert_eq!(by_name("demo.admin").as_deref(), Some("id-2"));
        assert_eq!(by_name(" demo.operator ").as_deref(), Some("id-1"));
        assert_eq!(
            by_name("demo").as_deref(),
            Some("demo"),
            "whole user names only"
        );
        assert_eq!(by_name("id-1").as_deref(), Some("id-1"));
        assert_eq!(by_name("").as_deref(), None);
    }

    #[test]
    fn customers_and_targets_read_in_words() {
        let c = Chrome::anonymous(platform::i18n::Locale::Ja, "/ops/audit".into());
        let id = "0f8e2c4a-1111-2222-3333-444455556666";
        let numbered = "9a9a9a9a-1111-2222-3333-444455556666";
        let names = Names {
            staff: StaffNames::from([("s-1".to_owned(), "業務 花子 (demo.operator)".to_owned())]),
            customers: HashMap::from([(
                numbered.to_owned(),
                CustomerNumber::from_body(12_345_678).unwrap(),
            )]),
        };
        let number = CustomerNumber::from_body(12_345_678).unwrap().to_string();
        assert_eq!(customer_label(&c, id, &names), "お客さま（0f8e2c4a）");
        assert_eq!(
            customer_label(&c, numbered, &names),
            format!("顧客番号 {number}")
        );
        assert_eq!(
            actor_label(&c, "staff", "s-1", &names),
            "業務 花子 (demo.operator)"
        );
        assert_eq!(actor_label(&c, "staff", id, &names), "行員（0f8e2c4a）");
        assert_eq!(
            actor_label(&c, "anonymous", "-", &names),
            "未ログインの利用者"
        );
        assert_eq!(
            target_label(&c, &format!("customer:{id}"), &names),
            "お客さま（0f8e2c4a）"
        );
        assert_eq!(
            target_label(&c, &format!("assets-of:{numbered}"), &names),
            format!("顧客番号 {number}の資産すべて")
        );
        assert_eq!(
            target_label(&c, "customers:rows=3", &names),
            "顧客一覧 3 件"
        );
        assert_eq!(target_label(&c, "audit:rows=x", &names), "audit:rows=x");
        assert_eq!(target_label(&c, "-", &names), "なし");
        assert_eq!(action_label(&c, "application.viewed"), "申し込みの閲覧");
        assert_eq!(action_label(&c, "test.paging"), "test.paging");
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
