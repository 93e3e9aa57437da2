//! `GET /staff/customers/{id}`: one customer's registered details and applications. The view
//! is recorded (audit entry and the customer's access record, in one transaction) before the
//! page is returned; an unknown and a malformed ID get the same 404.

use applications::Status;
use askama::Template;
use axum::extract::{Path, State};
use identity::CustomerDetails;
use pages::chrome::{Chrome, render};
use pages::error::{PageResult, WebError, html};
use platform::access_log::{self, Access, Subject};
use platform::audit::{self, Event, Target};
use platform::ids::CustomerId;
use platform::time_util::now_unix;

use super::{number_label, premium_label, status_label};
use crate::BackOfficeState;
use crate::operator::Operator;

#[derive(Template)]
#[template(path = "backoffice_customer.html")]
struct CustomerPage {
    c: Chrome,
    customer: CustomerDetails,
    number: String,
    status: String,
    premium: String,
    last_login: String,
    applications: Vec<ApplicationLine>,
}

/// One application as listed.
struct ApplicationLine {
    href: String,
    number: String,
    status: String,
    submitted: String,
    decided: String,
}

/// `GET /staff/customers/{id}`.
pub(super) async fn page(
    State(state): State<BackOfficeState>,
    operator: Operator,
    Path(id): Path<String>,
) -> PageResult {
    let id: CustomerId = id.parse().map_err(|_| WebError::NotFound)?;
    let customer = state
        .identity
        .customer_details(id)
        .await?
        .ok_or(WebError::NotFound)?;
    let history = state.applications.history(id).await?;
    record_view(&state, &operator, id).await?;
    let c = operator.chrome();
    let when = |t: Option<i64>| t.map_or_else(String::new, |t| c.timestamp(t));
    let applications = history
        .into_iter()
        .filter(|a| a.status != Status::Draft)
        .map(|a| ApplicationLine {
            href: format!("/staff/applications/{}", a.id),
            number: a.number,
            status: a.status.label(c.locale),
            submitted: when(a.submitted_at),
            decided: when(a.decided_at),
        })
        .collect();
    let page = CustomerPage {
        number: number_label(c.locale, customer.number),
        status: status_label(c.locale, customer.status),
        premium: premium_label(c.locale, customer.premium),
        last_login: customer
            .last_login_at
            .map_or_else(|| c.t("customers-never-logged-in"), |t| c.timestamp(t)),
        applications,
        customer,
        c,
    };
    Ok(html(render(&page)?))
}

/// Writes the audit entry and the customer's access record of this view, together.
async fn record_view(
    state: &BackOfficeState,
    operator: &Operator,
    id: CustomerId,
) -> Result<(), platform::db::DbError> {
    let mut tx = state.db.write().await?;
    let event = Event::success(operator.actor(), "customer.viewed", Target::customer(id));
    audit::append(&mut tx, &event, operator.meta()).await?;
    let access = Access {
        role: operator.role(),
        subject: Subject::Profile,
        at: now_unix(),
    };
    access_log::record(&mut tx, id, access).await?;
    tx.commit().await
}
