//! Enrolling the mandatory second factor: the only thing a new staff session may do.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use identity::IdentityError;
use pages::chrome::{Chrome, FormState, render};
use pages::csrf::CsrfForm;
use pages::error::{PageResult, WebError};
use serde::Deserialize;

use crate::ConsoleState;
use crate::staff::Enrolling;

/// The confirmation code.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct ConfirmForm {
    code: String,
}

#[derive(Template)]
#[template(path = "staff_enrol.html")]
struct EnrolPage {
    c: Chrome,
    qr_svg: String,
    key: String,
    form: FormState,
    codes: Vec<String>,
    passkeys: bool,
}

async fn show(
    state: &ConsoleState,
    who: &Enrolling,
    form: FormState,
    status: StatusCode,
) -> PageResult {
    let enrolment = state.identity.staff_enrolment(&who.1).await?;
    let page = EnrolPage {
        c: who.0.chrome(),
        qr_svg: ui::qr::svg(&enrolment.uri).unwrap_or_default(),
        key: enrolment.key,
        form,
        codes: Vec::new(),
        passkeys: state.identity.passkeys_offered(true),
    };
    Ok((status, Html(render(&page)?)).into_response())
}

/// `GET /staff/enrol`.
pub async fn page(State(state): State<ConsoleState>, who: Enrolling) -> PageResult {
    show(&state, &who, FormState::fresh(who.0.locale), StatusCode::OK).await
}

/// `POST /staff/enrol`: on success the session becomes a full one and the recovery codes are
/// shown this once.
pub async fn confirm(
    State(state): State<ConsoleState>,
    who: Enrolling,
    CsrfForm(f): CsrfForm<ConfirmForm>,
) -> PageResult {
    let token = who.0.token.clone().ok_or(WebError::StaffLoginRequired)?;
    match state
        .identity
        .confirm_staff_enrolment(&token, &f.code, &who.0.meta)
        .await
    {
        Ok(codes) => {
            let c = Chrome {
                logged_in: true,
                ..who.0.chrome()
            };
            let page = EnrolPage {
                c,
                qr_svg: String::new(),
                key: String::new(),
                form: FormState::fresh(who.0.locale),
                codes,
                passkeys: false,
            };
            Ok(Html(render(&page)?).into_response())
        }
        Err(IdentityError::Invalid(errors)) => {
            show(
                &state,
                &who,
                FormState::with(who.0.locale, errors),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
