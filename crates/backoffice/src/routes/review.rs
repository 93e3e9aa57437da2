//! Reviewing one application: the customer's details, the account and what the core banking
//! system says of it, the identity documents (each image fetched from the decrypting endpoint,
//! shown under an overlay naming the viewer and the time), the earlier applications, and the
//! decision forms. Opening the page is recorded before it is built (see `applications::review`).
//!
//! The comparison panel sets what the customer entered beside what the core banking system
//! holds, each row with an icon and a word for its verdict (never colour alone). The approval
//! form sits in its own card, apart from the rejection: it asks the operator to confirm they
//! compared the entries, the bank's record and the documents, and, when anything differs, for
//! a written reason; such an approval then waits for a second operator (see
//! `applications::decision`). No script is involved: the checkbox is the confirmation step.

use applications::{
    AccountCheck, ApplicationError, ApplicationView, ComparedField, Decision, DocumentInfo,
    EventKind, MAX_OVERRIDE_REASON_CHARS, MAX_RETURN_REASON_CHARS, Outcome, RejectionReason,
    ReturnedItem, Review, Side, Status, Value, Viewer,
};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect};
use pages::chrome::{Chrome, FormState, render};
use pages::csrf::CsrfForm;
use pages::error::{PageResult, WebError};
use platform::fields::{FieldError, FormErrors};
use platform::ids::{ApplicationId, StaffId};
use platform::time_util::now_unix;
use serde::Deserialize;

use crate::BackOfficeState;
use crate::operator::Operator;
use crate::routes::{StaffNames, parse_id, staff_error};

/// The decision form's fields.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
    reason: String,
    note: String,
    /// `yes` when the operator ticked "I compared …" on the approval form.
    compared: String,
    /// Why an approval overrides a difference from the core banking system.
    override_reason: String,
    /// What a send-back returns: `front`, `back` or `account`.
    item: String,
    /// Why it is sent back (shown to the customer).
    return_reason: String,
    /// Why the operator takes over a colleague's case.
    takeover_reason: String,
}

/// What the page says after a redirect.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct Notice {
    notice: String,
}

/// Notices a redirect may carry, each a message key suffix.
const NOTICES: [&str; 4] = ["approved", "rejected", "proposed", "returned"];

#[derive(Template)]
#[template(path = "backoffice_review.html")]
struct ReviewPage {
    c: Chrome,
    r: Review,
    /// The customer's number as the staff pages show it, or the "not yet numbered" text.
    customer_number: String,
    names: StaffNames,
    me: StaffId,
    viewer: String,
    viewed_at: i64,
    reasons: Vec<(&'static str, String)>,
    /// What may be sent back: the sides with a current image, and the account.
    items: Vec<(&'static str, String)>,
    form: FormState,
    v: DecisionForm,
    notice: Option<String>,
    error: Option<String>,
    /// Maker-checker is off: one operator's approval decides, which every review page says.
    single_approver: bool,
}

impl ReviewPage {
    fn status(&self, status: &Status) -> String {
        status.label(self.c.locale)
    }

    fn side(&self, side: &Side) -> String {
        side.label(self.c.locale)
    }

    fn reason(&self, reason: &RejectionReason) -> String {
        reason.label(self.c.locale)
    }

    fn check(&self) -> String {
        self.c
            .t(&format!("review-check-{}", self.r.account_check.code()))
    }

    fn check_ok(&self) -> bool {
        self.r.account_check == AccountCheck::Confirmed
    }

    fn field_label(&self, row: &ComparedField) -> String {
        self.c.t(&format!("compare-field-{}", row.field.code()))
    }

    fn value(&self, value: &Value) -> String {
        match value {
            Value::Text(text) => text.clone(),
            Value::AccountType(kind) => kind.label(self.c.locale),
            Value::Date(date) => self.c.date(*date),
        }
    }

    fn bank_value(&self, row: &ComparedField) -> String {
        row.bank
            .as_ref()
            .map_or_else(|| self.c.t("compare-bank-none"), |v| self.value(v))
    }

    fn verdict(&self, row: &ComparedField) -> String {
        self.c.t(&format!("compare-verdict-{}", row.verdict.code()))
    }

    /// A glyph beside the verdict's word, so it never rests on colour alone.
    fn icon(&self, row: &ComparedField) -> &'static str {
        match row.verdict {
            applications::Verdict::Match => "✓",
            applications::Verdict::Mismatch => "✕",
            applications::Verdict::Unknown => "?",
        }
    }

    fn needs_override(&self) -> bool {
        self.r.comparison.needs_override()
    }

    fn event(&self, kind: &EventKind) -> String {
        self.c
            .t(&format!("review-event-{}", kind.code().replace('_', "-")))
    }

    fn reason_max(&self) -> usize {
        MAX_OVERRIDE_REASON_CHARS
    }

    fn return_max(&self) -> usize {
        MAX_RETURN_REASON_CHARS
    }

    fn item(&self, item: &ReturnedItem) -> String {
        item.label(self.c.locale)
    }

    fn image_url(&self, doc: &DocumentInfo) -> String {
        format!(
            "/staff/applications/{}/documents/{}",
            self.r.application.id, doc.id
        )
    }

    fn app(&self) -> &ApplicationView {
        &self.r.application
    }

    /// Waiting for an operator: not decided, and not with the customer for a correction.
    fn decidable(&self) -> bool {
        Status::DECIDABLE.contains(&self.r.application.status)
    }

    fn assigned_to_me(&self) -> bool {
        self.r.assigned.is_some_and(|(who, _)| who == self.me)
    }

    fn proposed_by_me(&self) -> bool {
        self.r.proposed.is_some_and(|(who, _)| who == self.me)
    }

    fn name(&self, id: &StaffId) -> String {
        self.names.get(*id, &self.c)
    }

    fn decider(&self) -> String {
        self.r
            .decided_by
            .as_deref()
            .and_then(|raw| raw.parse().ok())
            .map_or_else(|| "-".to_owned(), |id| self.name(&id))
    }

    fn account_type(&self) -> String {
        self.r
            .application
            .account
            .as_ref()
            .map(|a| a.account.kind.label(self.c.locale))
            .unwrap_or_default()
    }

    fn account_number(&self) -> String {
        self.r
            .application
            .account
            .as_ref()
            .map(|a| a.account.number.as_str().to_owned())
            .unwrap_or_default()
    }
}

/// `GET /staff/applications/{id}`.
pub async fn page(
    State(state): State<BackOfficeState>,
    operator: Operator,
    Path(id): Path<String>,
    Query(notice): Query<Notice>,
) -> PageResult {
    let id = parse_id(&id)?;
    let c = operator.chrome();
    let notice = NOTICES
        .contains(&notice.notice.as_str())
        .then(|| c.t(&format!("review-notice-{}", notice.notice)));
    let extras = Extras {
        form: FormState::fresh(c.locale),
        v: DecisionForm::default(),
        notice,
        error: None,
    };
    show(&state, &operator, id, c, extras).await
}

/// `POST /staff/applications/{id}/decision`.
pub async fn decide(
    State(state): State<BackOfficeState>,
    operator: Operator,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<DecisionForm>,
) -> PageResult {
    let id = parse_id(&id)?;
    let decision = match f.decision.as_str() {
        "approve" if f.compared != "yes" => {
            let errors = FormErrors(vec![("compared", FieldError::Required)]);
            return refused(&state, &operator, id, f, errors, None).await;
        }
        "approve" => Decision::Approve {
            reason: f.override_reason.clone(),
        },
        "reject" => match RejectionReason::from_code(&f.reason) {
            Some(reason) => Decision::Reject {
                reason,
                note: f.note.clone(),
            },
            None => {
                let errors = FormErrors(vec![("reason", FieldError::Required)]);
                return refused(&state, &operator, id, f, errors, None).await;
            }
        },
        _ => return Err(WebError::BadRequest),
    };
    let result = state
        .applications
        .decide(id, &decision, operator.session.id, operator.meta())
        .await;
    let notice = match result {
        Ok(Outcome::AwaitingSecondApproval) => "proposed",
        Ok(Outcome::Decided(Status::Approved)) => "approved",
        Ok(Outcome::Decided(_)) => "rejected",
        Err(ApplicationError::Invalid(errors)) => {
            return refused(&state, &operator, id, f, errors, None).await;
        }
        Err(e @ (ApplicationError::SelfApproval | ApplicationError::NotDecidable(_))) => {
            let key = match e {
                ApplicationError::SelfApproval => "review-self-approval",
                _ => "review-not-decidable",
            };
            let message = operator.chrome().t(key);
            let errors = FormErrors::default();
            return refused(&state, &operator, id, f, errors, Some(message)).await;
        }
        Err(e) => return Err(staff_error(e)),
    };
    Ok(Redirect::to(&format!("/staff/applications/{id}?notice={notice}")).into_response())
}

/// `POST /staff/applications/{id}/take-over`: take a colleague's case, with a reason.
pub async fn take_over(
    State(state): State<BackOfficeState>,
    operator: Operator,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<DecisionForm>,
) -> PageResult {
    let id = parse_id(&id)?;
    let result = state
        .applications
        .open(id, operator.session.id, &f.takeover_reason, operator.meta())
        .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/staff/applications/{id}")).into_response()),
        Err(ApplicationError::Invalid(errors)) => {
            refused(&state, &operator, id, f, errors, None).await
        }
        Err(e) => Err(staff_error(e)),
    }
}

/// `POST /staff/applications/{id}/return`: send the application back for correction.
pub async fn send_back(
    State(state): State<BackOfficeState>,
    operator: Operator,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<DecisionForm>,
) -> PageResult {
    let id = parse_id(&id)?;
    let Some(item) = ReturnedItem::from_code(&f.item) else {
        let errors = FormErrors(vec![("item", FieldError::Required)]);
        return refused(&state, &operator, id, f, errors, None).await;
    };
    let result = state
        .applications
        .send_back(
            id,
            item,
            &f.return_reason,
            operator.session.id,
            operator.meta(),
        )
        .await;
    match result {
        Ok(()) => {
            Ok(Redirect::to(&format!("/staff/applications/{id}?notice=returned")).into_response())
        }
        Err(ApplicationError::Invalid(errors)) => {
            refused(&state, &operator, id, f, errors, None).await
        }
        Err(ApplicationError::NotDecidable(_)) => {
            let message = operator.chrome().t("review-not-decidable");
            refused(
                &state,
                &operator,
                id,
                f,
                FormErrors::default(),
                Some(message),
            )
            .await
        }
        Err(e) => Err(staff_error(e)),
    }
}

async fn refused(
    state: &BackOfficeState,
    operator: &Operator,
    id: ApplicationId,
    v: DecisionForm,
    errors: FormErrors,
    error: Option<String>,
) -> PageResult {
    let c = operator.chrome();
    let status = if error.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let extras = Extras {
        form: FormState::with(c.locale, errors),
        v,
        notice: None,
        error,
    };
    let page = show(state, operator, id, c, extras).await?;
    Ok((status, page).into_response())
}

/// The page's parts besides the review itself.
struct Extras {
    form: FormState,
    v: DecisionForm,
    notice: Option<String>,
    error: Option<String>,
}

async fn show(
    state: &BackOfficeState,
    operator: &Operator,
    id: ApplicationId,
    c: Chrome,
    extras: Extras,
) -> PageResult {
    let viewer = Viewer {
        staff: operator.session.id,
        role: operator.role(),
    };
    let r = state
        .applications
        .review(id, viewer, operator.meta())
        .await
        .map_err(staff_error)?;
    let customer_number = state
        .identity
        .customer_number(r.customer.id)
        .await?
        .map_or_else(|| c.t("customers-number-pending"), |n| n.to_string());
    let page = ReviewPage {
        customer_number,
        names: StaffNames::load(state).await?,
        me: operator.session.id,
        viewer: format!(
            "{} ({})",
            operator.session.display_name, operator.session.username
        ),
        viewed_at: now_unix(),
        reasons: RejectionReason::ALL
            .iter()
            .map(|r| (r.code(), r.label(c.locale)))
            .collect(),
        items: ReturnedItem::ALL
            .iter()
            .filter(|i| match i {
                ReturnedItem::Document(side) => {
                    r.application.documents.iter().any(|d| d.side == *side)
                }
                ReturnedItem::Account => r.application.account.is_some(),
            })
            .map(|i| (i.code(), i.label(c.locale)))
            .collect(),
        r,
        form: extras.form,
        v: extras.v,
        notice: extras.notice,
        error: extras.error,
        single_approver: !state.applications.maker_checker(),
        c,
    };
    Ok(Html(render(&page)?).into_response())
}
