//! The additional-service application, step by step: account, identity document, review,
//! submission, and the status page. The customer's own application is found from their session;
//! the only IDs a page sends back (the reviewed application, a document to preview) are checked
//! against that customer and answer "not found" otherwise.

use applications::{AccountForm, ApplicationError, ApplicationView, RejectionReason, Side, Status};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use documents::DocumentError;
use serde::Deserialize;

use crate::AppState;
use crate::visitor::{Customer, Recent};
use pages::chrome::{Chrome, FormState, Plain, render};
use pages::csrf::CsrfForm;
use pages::error::{PageResult, WebError};
use pages::notice::{self, Notice};
use pages::upload::CsrfUpload;
use platform::access_log::{self, VISIT_GAP_SECS, Visit};
use platform::i18n::{Arg, Locale};
use time::format_description::well_known::Rfc3339;

#[derive(Template)]
#[template(path = "application.html")]
struct StatusPage {
    c: Chrome,
    current: Option<ApplicationView>,
    earlier: Vec<ApplicationView>,
    premium: bool,
    visits: Vec<Visit>,
}

/// How many of the latest staff views are read to build the list: enough for many visits.
const ACCESSES_READ: i64 = 1_000;
/// How many staff visits the status page lists.
const VISITS_SHOWN: usize = 50;

/// How far an application has come, as one step of the status timeline.
struct Stage {
    label: String,
    at: Option<i64>,
    state: StageState,
}

/// Where a stage of the timeline stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum StageState {
    Done,
    Current,
    Pending,
}

/// The status timeline of a sent application: received, under review, result. Drafts have none.
fn timeline(app: &ApplicationView, locale: Locale) -> Vec<Stage> {
    let reviewing = matches!(
        app.status,
        Status::UnderReview | Status::Returned | Status::Approved | Status::Rejected
    );
    let decided = matches!(app.status, Status::Approved | Status::Rejected);
    let state = |done: bool, current: bool| {
        if current {
            StageState::Current
        } else if done {
            StageState::Done
        } else {
            StageState::Pending
        }
    };
    let result = if decided {
        format!(
            "{}：{}",
            locale.t("application-timeline-result"),
            app.status.label(locale)
        )
    } else {
        locale.t("application-timeline-result")
    };
    vec![
        Stage {
            label: locale.t("application-timeline-received"),
            at: app.submitted_at,
            state: state(true, app.status == Status::Submitted),
        },
        Stage {
            label: locale.t("application-timeline-review"),
            at: None,
            state: state(
                reviewing,
                matches!(app.status, Status::UnderReview | Status::Returned),
            ),
        },
        Stage {
            label: result,
            at: app.decided_at.filter(|_| decided),
            state: state(decided, false),
        },
    ]
}

#[derive(Template)]
#[template(path = "application_account.html")]
struct AccountPage {
    c: Chrome,
    form: FormState,
    v: AccountForm,
    types: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "application_documents.html")]
struct DocumentsPage {
    c: Chrome,
    app: ApplicationView,
    error: Option<String>,
    /// The message is about a state on our side that passes (a full queue, an unreachable
    /// store), not about the customer's file: shown as a notice, not as an error.
    passing: bool,
    max_mb: u64,
}

#[derive(Template)]
#[template(path = "application_review.html")]
struct ReviewPage {
    c: Chrome,
    app: ApplicationView,
    error: Option<String>,
}

impl StatusPage {
    fn reason(&self, reason: &RejectionReason) -> String {
        reason.label(self.c.locale)
    }

    fn access_role(&self, visit: &Visit) -> String {
        self.c.t(&format!("role-{}", visit.role.code()))
    }

    fn access_subject(&self, visit: &Visit) -> String {
        self.c.t(&format!(
            "access-{}",
            visit.subject.code().replace('_', "-")
        ))
    }

    fn timeline(&self, app: &ApplicationView) -> Vec<Stage> {
        timeline(app, self.c.locale)
    }

    fn returned_item(&self, item: &applications::ReturnedItem) -> String {
        item.label(self.c.locale)
    }

    /// Where the customer corrects what was sent back.
    fn returned_link(&self, item: &applications::ReturnedItem) -> &'static str {
        match item {
            applications::ReturnedItem::Account => "/application/account",
            applications::ReturnedItem::Document(_) => "/application/documents",
        }
    }

    /// When a visit was: one time, or the first and last; the date once when both share it.
    fn visit_time(&self, visit: &Visit) -> String {
        let first = self.c.timestamp(visit.first);
        if visit.first == visit.last {
            return first;
        }
        let last = self.c.timestamp(visit.last);
        let to = match (first.rsplit_once(' '), last.rsplit_once(' ')) {
            (Some((day, _)), Some((last_day, clock))) if day == last_day => clock.to_owned(),
            _ => last,
        };
        self.c.locale.t_args(
            "access-visit-span",
            &[("from", Arg::from(first)), ("to", Arg::from(to))],
        )
    }
}

/// Labels both templates need.
trait Labels {
    fn chrome(&self) -> &Chrome;

    fn status(&self, status: &Status) -> String {
        status.label(self.chrome().locale)
    }

    fn side(&self, side: &Side) -> String {
        side.label(self.chrome().locale)
    }

    /// A stored time for the `datetime` attribute of `<time>`.
    fn iso(&self, unix: impl Plain<i64>) -> String {
        time::OffsetDateTime::from_unix_timestamp(unix.plain())
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok())
            .unwrap_or_default()
    }

    fn account(&self, app: &ApplicationView) -> String {
        app.account
            .as_ref()
            .map(|a| {
                format!(
                    "{} {} {}",
                    a.account.branch.as_str(),
                    a.account.kind.label(self.chrome().locale),
                    a.account.number.as_str()
                )
            })
            .unwrap_or_default()
    }
}

impl Labels for StatusPage {
    fn chrome(&self) -> &Chrome {
        &self.c
    }
}
impl Labels for DocumentsPage {
    fn chrome(&self) -> &Chrome {
        &self.c
    }
}
impl Labels for ReviewPage {
    fn chrome(&self) -> &Chrome {
        &self.c
    }
}

fn has_front(app: &ApplicationView) -> bool {
    app.documents.iter().any(|d| d.side == Side::Front)
}

impl DocumentsPage {
    fn has_front(&self) -> bool {
        has_front(&self.app)
    }

    fn image_of(&self, side: &Side) -> Option<&applications::DocumentInfo> {
        self.app.documents.iter().find(|d| d.side == *side)
    }
}

/// `GET /application`: where the application stands, and earlier ones.
pub async fn status(State(state): State<AppState>, customer: Customer) -> PageResult {
    let mut all = state.applications.history(customer.id).await?;
    let current = if all.is_empty() {
        None
    } else {
        Some(all.remove(0))
    };
    let premium = state.applications.is_premium(customer.id).await?;
    let accesses = {
        let mut conn = state.db.read().await?;
        access_log::of_customer(&mut conn, customer.id, ACCESSES_READ).await?
    };
    let mut visits = access_log::visits(&accesses, VISIT_GAP_SECS);
    visits.truncate(VISITS_SHOWN);
    let page = StatusPage {
        c: customer.visitor.chrome(),
        current,
        earlier: all,
        premium,
        visits,
    };
    Ok(Html(render(&page)?).into_response())
}

fn account_page(c: Chrome, form: FormState, v: AccountForm, status: StatusCode) -> PageResult {
    let types = core_banking::AccountType::ALL
        .iter()
        .map(|t| (t.code(), t.label(c.locale)))
        .collect();
    let page = AccountPage { c, form, v, types };
    Ok((status, Html(render(&page)?)).into_response())
}

/// `GET /application/account`: the account form, filled from the draft or the last
/// application (to apply again after a rejection).
pub async fn account_form(State(state): State<AppState>, Recent(customer): Recent) -> PageResult {
    let current = state.applications.current(customer.id).await?;
    if let Some(done) = finished_or_waiting(current.as_ref()) {
        return Ok(done);
    }
    let v = current
        .and_then(|a| a.account)
        .map(|a| AccountForm::from_account(&a))
        .unwrap_or_else(|| AccountForm {
            account_type: "ordinary".into(),
            ..AccountForm::default()
        });
    account_page(
        customer.visitor.chrome(),
        FormState::fresh(customer.visitor.locale),
        v,
        StatusCode::OK,
    )
}

/// Applications already sent or approved go back to the status page.
fn finished_or_waiting(current: Option<&ApplicationView>) -> Option<Response> {
    current
        .filter(|a| {
            matches!(
                a.status,
                Status::Submitted | Status::UnderReview | Status::Approved
            )
        })
        .map(|_| Redirect::to("/application").into_response())
}

/// `POST /application/account`.
pub async fn save_account(
    State(state): State<AppState>,
    Recent(customer): Recent,
    CsrfForm(v): CsrfForm<AccountForm>,
) -> PageResult {
    let meta = &customer.visitor.meta;
    match state.applications.save_account(customer.id, &v, meta).await {
        Ok(_) => {
            Ok(notice::redirect("/application/documents", Notice::AccountSaved).into_response())
        }
        Err(ApplicationError::Invalid(errors)) => account_page(
            customer.visitor.chrome(),
            FormState::with(customer.visitor.locale, errors),
            v,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => Err(e.into()),
    }
}

/// The customer's draft, or the status page when there is none to edit.
async fn draft(
    state: &AppState,
    customer: &Customer,
) -> Result<Result<ApplicationView, Response>, WebError> {
    match state.applications.current(customer.id).await? {
        Some(app) if app.status.is_editable() => Ok(Ok(app)),
        Some(_) => Ok(Err(Redirect::to("/application").into_response())),
        None => Ok(Err(Redirect::to("/application/account").into_response())),
    }
}

fn documents_page(
    state: &AppState,
    c: Chrome,
    app: ApplicationView,
    error: Option<String>,
) -> PageResult {
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = DocumentsPage::new(state, c, app, error, false);
    Ok((status, Html(render(&page)?)).into_response())
}

impl DocumentsPage {
    fn new(
        state: &AppState,
        c: Chrome,
        app: ApplicationView,
        error: Option<String>,
        passing: bool,
    ) -> Self {
        Self {
            c,
            app,
            error,
            passing,
            max_mb: state.applications.document_limits().max_bytes / 1_000_000,
        }
    }
}

/// `GET /application/documents`.
pub async fn documents_form(State(state): State<AppState>, customer: Customer) -> PageResult {
    match draft(&state, &customer).await? {
        Ok(app) => documents_page(&state, customer.visitor.chrome(), app, None),
        Err(elsewhere) => Ok(elsewhere),
    }
}

/// `POST /application/documents`: one side's image; a refused file stores nothing and the page
/// says why.
pub async fn upload(
    State(state): State<AppState>,
    customer: Customer,
    upload: CsrfUpload,
) -> PageResult {
    let side = Side::from_code(upload.field("side")).ok_or(WebError::BadRequest)?;
    let c = customer.visitor.chrome();
    let Some(file) = upload.file else {
        return refused(
            &state,
            &customer,
            c,
            c_text(&customer, "application-error-no-file"),
        )
        .await;
    };
    match state
        .applications
        .attach_document(customer.id, side, file, &customer.visitor.meta)
        .await
    {
        Ok(_) => Ok(
            notice::redirect("/application/documents", Notice::DocumentUploaded).into_response(),
        ),
        Err(ApplicationError::Document(e)) if e.is_refusal() => {
            let message = e.message(customer.visitor.locale);
            refused(&state, &customer, c, message).await
        }
        Err(ApplicationError::Document(e @ DocumentError::Busy { retry_after_secs })) => {
            let message = e.message(customer.visitor.locale);
            try_later(&state, &customer, c, message, retry_after_secs).await
        }
        Err(ApplicationError::Document(e)) if e.is_unavailable() => {
            tracing::warn!(error = %e, "upload refused: document store unavailable");
            let message = e.message(customer.visitor.locale);
            try_later(&state, &customer, c, message, STORE_RETRY_SECS).await
        }
        Err(ApplicationError::NotEditable) => Ok(Redirect::to("/application").into_response()),
        Err(ApplicationError::NotFound) => Ok(Redirect::to("/application/account").into_response()),
        Err(e) => Err(e.into()),
    }
}

/// Seconds a customer is asked to wait when the document store is unreachable, as for any
/// storage that fails for a while.
const STORE_RETRY_SECS: u64 = 30;

/// The form with a message about a state that passes (the cleaning queue is full, the store is
/// unreachable), shown as a notice: 503 with `Retry-After`, so that browsers and clients see a
/// temporary refusal and when to try again. A redirect (the draft has gone meanwhile) stays a
/// redirect.
async fn try_later(
    state: &AppState,
    customer: &Customer,
    c: Chrome,
    message: String,
    retry_after_secs: u64,
) -> PageResult {
    let app = match draft(state, customer).await? {
        Ok(app) => app,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let page = DocumentsPage::new(state, c, app, Some(message), true);
    Ok(unavailable(render(&page)?, retry_after_secs))
}

/// A rendered page as a temporary refusal: 503 with `Retry-After`.
fn unavailable(html: String, retry_after_secs: u64) -> Response {
    let retry_after = [(header::RETRY_AFTER, HeaderValue::from(retry_after_secs))];
    (StatusCode::SERVICE_UNAVAILABLE, retry_after, Html(html)).into_response()
}

fn c_text(customer: &Customer, key: &str) -> String {
    customer.visitor.locale.t(key)
}

async fn refused(state: &AppState, customer: &Customer, c: Chrome, message: String) -> PageResult {
    match draft(state, customer).await? {
        Ok(app) => documents_page(state, c, app, Some(message)),
        Err(elsewhere) => Ok(elsewhere),
    }
}

/// Which side to remove.
#[derive(Deserialize)]
pub struct SideForm {
    side: String,
}

/// `POST /application/documents/remove`.
pub async fn remove(
    State(state): State<AppState>,
    customer: Customer,
    CsrfForm(f): CsrfForm<SideForm>,
) -> PageResult {
    let side = Side::from_code(&f.side).ok_or(WebError::BadRequest)?;
    match state
        .applications
        .remove_document(customer.id, side, &customer.visitor.meta)
        .await
    {
        Ok(()) => {
            Ok(notice::redirect("/application/documents", Notice::DocumentRemoved).into_response())
        }
        Err(ApplicationError::NotEditable) => Ok(Redirect::to("/application").into_response()),
        Err(e) => Err(e.into()),
    }
}

/// `GET /application/documents/{id}`: the customer's own image, never cached.
pub async fn image(
    State(state): State<AppState>,
    customer: Customer,
    Path(id): Path<String>,
) -> PageResult {
    let id = id.parse().map_err(|_| WebError::NotFound)?;
    let image = state.applications.document_image(customer.id, id).await?;
    let mut response = image.bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(image.content_type),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, private"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("inline"),
    );
    Ok(response)
}

fn review_page(c: Chrome, app: ApplicationView, error: Option<String>) -> PageResult {
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Html(render(&ReviewPage { c, app, error })?)).into_response())
}

/// `GET /application/review`.
pub async fn review(State(state): State<AppState>, customer: Customer) -> PageResult {
    match draft(&state, &customer).await? {
        Ok(app) if !has_front(&app) => Ok(Redirect::to("/application/documents").into_response()),
        Ok(app) => review_page(customer.visitor.chrome(), app, None),
        Err(elsewhere) => Ok(elsewhere),
    }
}

/// The submission: which application was reviewed, and the confirmation box.
#[derive(Deserialize)]
pub struct SubmitForm {
    application: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /application/submit`.
pub async fn submit(
    State(state): State<AppState>,
    customer: Customer,
    CsrfForm(f): CsrfForm<SubmitForm>,
) -> PageResult {
    let id = f.application.parse().map_err(|_| WebError::NotFound)?;
    if f.confirm != "yes" {
        return match draft(&state, &customer).await? {
            Ok(app) => {
                let c = customer.visitor.chrome();
                let message = c.t("application-error-confirm");
                review_page(c, app, Some(message))
            }
            Err(elsewhere) => Ok(elsewhere),
        };
    }
    match state
        .applications
        .submit(customer.id, id, &customer.visitor.meta)
        .await
    {
        Ok(()) => {
            Ok(notice::redirect("/application", Notice::ApplicationSubmitted).into_response())
        }
        Err(ApplicationError::NotEditable) => Ok(Redirect::to("/application").into_response()),
        Err(ApplicationError::Incomplete) => {
            Ok(Redirect::to("/application/documents").into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use platform::access_log::{Subject, ViewerRole};

    const SENT: i64 = 1_780_000_000;
    const DECIDED: i64 = SENT + 86_400;

    fn sent(status: Status) -> ApplicationView {
        ApplicationView {
            id: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d".parse().unwrap(),
            number: "A-0001".into(),
            status,
            account: None,
            documents: Vec::new(),
            rejection: None,
            returned: None,
            previous: None,
            created_at: SENT - 600,
            submitted_at: Some(SENT),
            decided_at: matches!(status, Status::Approved | Status::Rejected).then_some(DECIDED),
        }
    }

    fn states(app: &ApplicationView) -> Vec<(Option<i64>, bool, bool)> {
        timeline(app, Locale::Ja)
            .iter()
            .map(|s| {
                (
                    s.at,
                    s.state == StageState::Current,
                    s.state == StageState::Pending,
                )
            })
            .collect()
    }

    #[test]
    fn a_full_cleaning_queue_answers_503_with_retry_after() {
        let error = DocumentError::Busy {
            retry_after_secs: 5,
        };
        let response = unavailable("form".to_owned(), 5);
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "5");
        assert!(!error.is_refusal());
        assert!(
            error
                .message(Locale::Ja)
                .starts_with("ただいま混み合っております")
        );
    }

    #[test]
    fn a_received_application_waits_for_review_and_result() {
        assert_eq!(
            states(&sent(Status::Submitted)),
            vec![
                (Some(SENT), true, false),
                (None, false, true),
                (None, false, true)
            ]
        );
    }

    #[test]
    fn sent_back_the_review_stays_the_current_stage() {
        assert_eq!(
            states(&sent(Status::Returned)),
            states(&sent(Status::UnderReview))
        );
    }

    #[test]
    fn under_review_the_review_is_the_current_stage() {
        assert_eq!(
            states(&sent(Status::UnderReview)),
            vec![
                (Some(SENT), false, false),
                (None, true, false),
                (None, false, true)
            ]
        );
    }

    #[test]
    fn a_decision_completes_every_stage_and_names_the_result() {
        for status in [Status::Approved, Status::Rejected] {
            let app = sent(status);
            assert_eq!(
                states(&app),
                vec![
                    (Some(SENT), false, false),
                    (None, false, false),
                    (Some(DECIDED), false, false)
                ]
            );
            let stages = timeline(&app, Locale::Ja);
            assert!(stages[2].label.ends_with(&status.label(Locale::Ja)));
        }
    }

    fn status_page() -> StatusPage {
        StatusPage {
            c: Chrome::anonymous(Locale::Ja, "/application".into()),
            current: None,
            earlier: Vec::new(),
            premium: false,
            visits: Vec::new(),
        }
    }

    fn visit(first: i64, last: i64) -> Visit {
        Visit {
            role: ViewerRole::Operator,
            subject: Subject::Profile,
            first,
            last,
            views: 3,
        }
    }

    #[test]
    fn a_visit_within_one_day_names_the_date_once() {
        let page = status_page();
        let first = page.c.timestamp(SENT);
        let text = page.visit_time(&visit(SENT, SENT + 600));
        assert!(text.starts_with(&first), "{text}");
        assert_eq!(
            text.matches(first.split(' ').next().unwrap()).count(),
            1,
            "{text}"
        );
        assert_eq!(page.visit_time(&visit(SENT, SENT)), first);
    }

    #[test]
    fn a_visit_over_midnight_names_both_dates() {
        let page = status_page();
        let text = page.visit_time(&visit(SENT, SENT + 86_400));
        assert!(text.ends_with(&page.c.timestamp(SENT + 86_400)), "{text}");
    }
}
