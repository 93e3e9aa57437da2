//! Deleting the account: the customer re-enters their password and confirms.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use axum_extra::extract::cookie::CookieJar;
use identity::IdentityError;
use platform::fields::{FieldError, FormErrors};
use serde::Deserialize;

use crate::AppState;
use crate::visitor::Customer;
use pages::chrome::{Chrome, FormState, render};
use pages::cookies::{self, Kind};
use pages::csrf::CsrfForm;
use pages::error::PageResult;
use pages::message;

/// The confirmation form's fields.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct DeleteForm {
    password: String,
    confirm: String,
}

#[derive(Template)]
#[template(path = "account_delete.html")]
struct DeletePage {
    c: Chrome,
    form: FormState,
}

/// `GET /account/delete`.
pub async fn confirm(customer: Customer) -> PageResult {
    let page = DeletePage {
        form: FormState::fresh(customer.visitor.locale),
        c: customer.visitor.chrome(),
    };
    Ok(Html(render(&page)?).into_response())
}

/// `POST /account/delete`.
pub async fn submit(
    State(state): State<AppState>,
    customer: Customer,
    CsrfForm(f): CsrfForm<DeleteForm>,
) -> PageResult {
    let locale = customer.visitor.locale;
    let refuse = |errors| -> PageResult {
        let page = DeletePage {
            form: FormState::with(locale, errors),
            c: customer.visitor.chrome(),
        };
        Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response())
    };
    if f.confirm != "yes" {
        return refuse(FormErrors(vec![("confirm", FieldError::Required)]));
    }
    match state
        .identity
        .delete_account(customer.id, &f.password, &customer.visitor.meta)
        .await
    {
        Ok(()) => {}
        Err(IdentityError::InvalidCredentials) => {
            return refuse(FormErrors(vec![(
                "password",
                FieldError::IncorrectPassword,
            )]));
        }
        Err(IdentityError::Throttled { retry_after }) => {
            return super::second_step::locked(
                customer.visitor.chrome(),
                retry_after,
                "password-check-locked",
                ("/profile", "nav-profile"),
            );
        }
        Err(e) => return Err(e.into()),
    }
    let jar = CookieJar::new().add(cookies::removal(Kind::Session, state.secure_cookies));
    let c = Chrome {
        logged_in: false,
        ..customer.visitor.chrome()
    };
    let page = message::page(
        c,
        StatusCode::OK,
        "deleted-title",
        "deleted-body",
        Some(("/", "nav-home")),
    )?;
    Ok((jar, page).into_response())
}
