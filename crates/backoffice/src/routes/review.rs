//! Reviewing one application: the customer's details, the account and what the core banking
//! system says of it, the identity documents (each image fetched from the decrypting endpoint,
//! shown under an overlay naming the viewer and the time), the earlier applications, and the
//! decision forms. Opening the page is recorded before it is built (see `applications::review`).

use applications::{
    AccountCheck, ApplicationError, ApplicationView, Decision, DocumentInfo, Outcome,
    RejectionReason, Review, Side, Status, Viewer,
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
}

/// What the page says after a redirect.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct Notice {
    notice: String,
}

/// Notices a redirect may carry, each a message key suffix.
const NOTICES: [&str; 3] = ["approved", "rejected", "proposed"];

#[derive(Template)]
#[template(path = "backoffice_review.html")]
struct ReviewPage {
    c: Chrome,
    r: Review,
    names: StaffNames,
    me: StaffId,
    viewer: String,
    viewed_at: i64,
    reasons: Vec<(&'static str, String)>,
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

    fn image_url(&self, doc: &DocumentInfo) -> String {
        format!(
            "/staff/applications/{}/documents/{}",
            self.r.application.id, doc.id
        )
    }

    fn app(&self) -> &ApplicationView {
        &self.r.application
    }

    fn decidable(&self) -> bool {
        !self.r.application.status.is_decided()
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
        "approve" => Decision::Approve,
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
    let page = ReviewPage {
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
