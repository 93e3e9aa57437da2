//! Setting up, and turning off, two-step verification from the profile.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect};
use identity::{IdentityError, MfaState};
use platform::fields::{FieldError, FormErrors};
use platform::time_util::now_unix;
use serde::Deserialize;

use crate::AppState;
use crate::visitor::{Customer, Recent, reauth_path};
use pages::chrome::{Chrome, FormState, render};
use pages::csrf::CsrfForm;
use pages::error::PageResult;
use pages::notice::{self, Notice};

/// The confirmation code.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct ConfirmForm {
    code: String,
}

/// Password and code to turn it off.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct DisableForm {
    password: String,
    code: String,
}

#[derive(Template)]
#[template(path = "two_step.html")]
struct TwoStepPage {
    c: Chrome,
    state: MfaState,
    qr_svg: String,
    key: String,
    form: FormState,
    codes: Vec<String>,
    codes_js_version: String,
}

async fn page(
    state: &AppState,
    customer: &Customer,
    form: FormState,
    codes: Vec<String>,
    status: StatusCode,
) -> PageResult {
    let mfa = state.identity.mfa_state(customer.id).await?;
    let (qr_svg, key) = if mfa.enabled {
        (String::new(), String::new())
    } else {
        let enrolment = state.identity.mfa_enrolment(customer.id).await?;
        (
            ui::qr::svg(&enrolment.uri).unwrap_or_default(),
            enrolment.key,
        )
    };
    let mut c = customer.visitor.chrome();
    if !codes.is_empty() {
        c.notice = Some(Notice::TwoStepOn);
    }
    let page = TwoStepPage {
        c,
        state: mfa,
        qr_svg,
        key,
        form,
        codes,
        codes_js_version: ui::static_files::codes_js_version(),
    };
    Ok((status, Html(render(&page)?)).into_response())
}

/// `GET /profile/two-step`. Setting it up needs a recent proof of who is there: otherwise
/// whoever held a session could lock the owner out with their own authenticator.
pub async fn show(State(state): State<AppState>, customer: Customer) -> PageResult {
    let recent = customer
        .visitor
        .session
        .as_ref()
        .is_some_and(|s| s.recently_authenticated(now_unix()));
    if !recent && !state.identity.mfa_state(customer.id).await?.enabled {
        return Ok(Redirect::to(&reauth_path("/profile/two-step")).into_response());
    }
    let form = FormState::fresh(customer.visitor.locale);
    page(&state, &customer, form, Vec::new(), StatusCode::OK).await
}

/// `POST /profile/two-step/confirm`: the confirmation, and the recovery codes shown this once.
pub async fn confirm(
    State(state): State<AppState>,
    Recent(customer): Recent,
    CsrfForm(f): CsrfForm<ConfirmForm>,
) -> PageResult {
    let locale = customer.visitor.locale;
    match state
        .identity
        .confirm_mfa(customer.id, &f.code, &customer.visitor.meta)
        .await
    {
        Ok(codes) => {
            page(
                &state,
                &customer,
                FormState::fresh(locale),
                codes,
                StatusCode::OK,
            )
            .await
        }
        Err(IdentityError::Invalid(errors)) => {
            page(
                &state,
                &customer,
                FormState::with(locale, errors),
                Vec::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /profile/two-step/disable`.
pub async fn disable(
    State(state): State<AppState>,
    customer: Customer,
    CsrfForm(f): CsrfForm<DisableForm>,
) -> PageResult {
    let locale = customer.visitor.locale;
    let errors = match state
        .identity
        .disable_mfa(customer.id, &f.password, &f.code, &customer.visitor.meta)
        .await
    {
        Ok(()) => return Ok(notice::redirect("/profile", Notice::TwoStepOff).into_response()),
        Err(IdentityError::InvalidCredentials) => {
            FormErrors(vec![("password", FieldError::IncorrectPassword)])
        }
        Err(IdentityError::Invalid(errors)) => errors,
        Err(IdentityError::Throttled { retry_after }) => {
            return super::second_step::locked(
                customer.visitor.chrome(),
                retry_after,
                "factor-check-locked",
                ("/profile/two-step", "profile-two-step-link"),
            );
        }
        Err(e) => return Err(e.into()),
    };
    page(
        &state,
        &customer,
        FormState::with(locale, errors),
        Vec::new(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}
