//! The additional-service application, step by step: account, identity document, review,
//! submission, and the status page. The customer's own application is found from their session;
//! the only IDs a page sends back (the reviewed application, a document to preview) are checked
//! against that customer and answer "not found" otherwise.

use applications::{AccountForm, ApplicationError, ApplicationView, RejectionReason, Side, Status};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::AppState;
use crate::visitor::Customer;
use pages::chrome::{Chrome, FormState, render};
use pages::csrf::CsrfForm;
use pages::error::{PageResult, WebError};
use pages::upload::CsrfUpload;
use platform::access_log::{self, Access};

#[derive(Template)]
#[template(path = "application.html")]
struct StatusPage {
    c: Chrome,
    current: Option<ApplicationView>,
    earlier: Vec<ApplicationView>,
    premium: bool,
    accesses: Vec<Access>,
}

/// How many of the latest staff views the status page lists.
const ACCESSES_SHOWN: i64 = 50;

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

    fn access_role(&self, access: &Access) -> String {
        self.c.t(&format!("role-{}", access.role.code()))
    }

    fn access_subject(&self, access: &Access) -> String {
        self.c.t(&format!(
            "access-{}",
            access.subject.code().replace('_', "-")
        ))
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
        access_log::of_customer(&mut conn, customer.id, ACCESSES_SHOWN).await?
    };
    let page = StatusPage {
        c: customer.visitor.chrome(),
        current,
        earlier: all,
        premium,
        accesses,
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
pub async fn account_form(State(state): State<AppState>, customer: Customer) -> PageResult {
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
    customer: Customer,
    CsrfForm(v): CsrfForm<AccountForm>,
) -> PageResult {
    let meta = &customer.visitor.meta;
    match state.applications.save_account(customer.id, &v, meta).await {
        Ok(_) => Ok(Redirect::to("/application/documents").into_response()),
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
        Some(app) if app.status == Status::Draft => Ok(Ok(app)),
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
    let page = DocumentsPage {
        c,
        app,
        error,
        max_mb: state.applications.document_limits().max_bytes / 1_000_000,
    };
    Ok((status, Html(render(&page)?)).into_response())
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
        Ok(_) => Ok(Redirect::to("/application/documents").into_response()),
        Err(ApplicationError::Document(e)) if e.is_refusal() => {
            let message = e.message(customer.visitor.locale);
            refused(&state, &customer, c, message).await
        }
        Err(ApplicationError::NotEditable) => Ok(Redirect::to("/application").into_response()),
        Err(ApplicationError::NotFound) => Ok(Redirect::to("/application/account").into_response()),
        Err(e) => Err(e.into()),
    }
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
        Ok(()) => Ok(Redirect::to("/application/documents").into_response()),
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
        Ok(()) | Err(ApplicationError::NotEditable) => {
            Ok(Redirect::to("/application").into_response())
        }
        Err(ApplicationError::Incomplete) => {
            Ok(Redirect::to("/application/documents").into_response())
        }
        Err(e) => Err(e.into()),
    }
}
