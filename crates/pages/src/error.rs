//! The portal's one web error type and its mapping to responses.
//!
//! Policy: domain errors classify themselves ([`platform::fault`]) and become a [`WebError`]
//! through the one table in [`WebError::for_fault`] here. Errors the client caused
//! get a 4xx and a page that says what to do, in the client's language; failures of ours get a
//! generic 500 page with the request ID, while the detail goes to the log. Form validation is not
//! an error here: handlers show the form again with messages next to the fields.

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use platform::fault::{Classify, Fault, classify};

use crate::chrome::{Chrome, render};
use crate::locale::locale_from_headers;

/// Why a request could not be served.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WebError {
    /// No such page or object (also for objects of other customers).
    #[error("not found")]
    NotFound,
    /// The page needs a logged-in customer.
    #[error("login required")]
    LoginRequired,
    /// The page needs a signed-in member of staff.
    #[error("staff sign-in required")]
    StaffLoginRequired,
    /// The member of staff must enrol a second factor before anything else.
    #[error("second factor enrolment required")]
    EnrolmentRequired,
    /// The form token is missing or wrong.
    #[error("form token rejected")]
    Csrf,
    /// The request body is malformed.
    #[error("bad request")]
    BadRequest,
    /// The request body exceeds the route's limit.
    #[error("request too large")]
    TooLarge,
    /// The object is not in a state that allows this (sent twice, decided already).
    #[error("conflict")]
    Conflict,
    /// A member of staff without the role the page needs.
    #[error("forbidden")]
    Forbidden,
    /// A bounded queue is full (password checks in a burst of logins): try again shortly.
    #[error("busy")]
    Busy,
    /// Storage failed for a reason that passes (a full disk, a lost connection, a database
    /// restarting): nothing of the request was stored, and it may be sent again shortly.
    #[error("temporarily unavailable")]
    Unavailable,
    /// Our failure; details are in the log.
    #[error("internal error")]
    Internal,
}

impl WebError {
    fn status(self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::LoginRequired
            | WebError::StaffLoginRequired
            | WebError::EnrolmentRequired => StatusCode::SEE_OTHER,
            WebError::Csrf | WebError::Forbidden => StatusCode::FORBIDDEN,
            WebError::BadRequest => StatusCode::BAD_REQUEST,
            WebError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::Conflict => StatusCode::CONFLICT,
            WebError::Busy | WebError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn message_key(self) -> &'static str {
        match self {
            WebError::NotFound => "error-page-not-found",
            WebError::LoginRequired
            | WebError::StaffLoginRequired
            | WebError::EnrolmentRequired => "error-page-login-required",
            WebError::Csrf => "error-page-csrf",
            WebError::BadRequest => "error-page-bad-request",
            WebError::TooLarge => "error-page-too-large",
            WebError::Conflict => "error-page-conflict",
            WebError::Forbidden => "error-page-forbidden",
            WebError::Busy => "error-page-busy",
            WebError::Unavailable => "error-page-unavailable",
            WebError::Internal => "error-page-internal",
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::LoginRequired => return Redirect::to("/login").into_response(),
            WebError::StaffLoginRequired => return Redirect::to("/staff/login").into_response(),
            WebError::EnrolmentRequired => return Redirect::to("/staff/enrol").into_response(),
            _ => {}
        }
        let mut response = self.status().into_response();
        let retry_after = match self {
            WebError::Busy => Fault::Busy.retry_after(),
            WebError::Unavailable => Fault::Unavailable.retry_after(),
            _ => None,
        };
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
        }
        response.extensions_mut().insert(self);
        response
    }
}

impl WebError {
    /// The pages' column of the one fault table: a sign-in that is missing sends the customer to
    /// the customer sign-in page (staff pages ask for their own sign-in before any domain call).
    pub fn for_fault(fault: Fault) -> Self {
        match fault {
            Fault::NotFound => WebError::NotFound,
            Fault::SignInRequired => WebError::LoginRequired,
            Fault::Forbidden => WebError::Forbidden,
            Fault::Invalid => WebError::BadRequest,
            Fault::Conflict => WebError::Conflict,
            Fault::Busy => WebError::Busy,
            Fault::Unavailable => WebError::Unavailable,
            Fault::Internal => WebError::Internal,
        }
    }
}

/// Every domain error becomes a page by its own classification, logged when the fault is ours.
impl<E: Classify> From<E> for WebError {
    fn from(e: E) -> Self {
        WebError::of(&e)
    }
}

impl WebError {
    /// The page for a domain error held by reference, logged when the fault is ours.
    pub fn of(e: &dyn Classify) -> Self {
        WebError::for_fault(classify(e))
    }
}

impl WebError {
    /// Maps a body-reading failure: over the limit, or malformed.
    pub fn from_body_status(status: StatusCode) -> Self {
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            WebError::TooLarge
        } else {
            WebError::BadRequest
        }
    }
}

#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Chrome,
    title: String,
    message: String,
    request_id: String,
}

/// Middleware turning bare error responses into pages in the visitor's language.
pub async fn error_pages(request: Request, next: Next) -> Response {
    let locale = locale_from_headers(request.headers());
    let request_id = request
        .extensions()
        .get::<edge::RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let kind = match response.extensions().get::<WebError>() {
        Some(kind) => *kind,
        None if response.status() == StatusCode::NOT_FOUND && !has_body(&response) => {
            WebError::NotFound
        }
        None if response.status() == StatusCode::PAYLOAD_TOO_LARGE => WebError::TooLarge,
        None if is_bare_client_error(&response) => WebError::BadRequest,
        None => return response,
    };
    let status = response.status();
    let chrome = Chrome::anonymous(locale, path);
    let page = ErrorPage {
        title: chrome.t(kind.message_key()),
        message: chrome.t(&format!("{}-detail", kind.message_key())),
        c: chrome,
        request_id: if kind == WebError::Internal {
            request_id
        } else {
            String::new()
        },
    };
    let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
    let mut page = match render(&page) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => status.into_response(),
    };
    if let Some(value) = retry_after {
        page.headers_mut().insert(header::RETRY_AFTER, value);
    }
    page
}

fn has_body(response: &Response) -> bool {
    response.headers().get(header::CONTENT_TYPE).is_some()
}

/// axum's own rejections (malformed form bodies, wrong content types) come as plain text; they
/// get the same page as ours.
fn is_bare_client_error(response: &Response) -> bool {
    let status = response.status();
    status.is_client_error()
        && status != StatusCode::NOT_FOUND
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_none_or(|v| v.to_str().is_ok_and(|s| s.starts_with("text/plain")))
}

/// Pages return either HTML or an error.
pub type PageResult = Result<Response, WebError>;

/// Wraps rendered HTML as a response.
pub fn html(body: String) -> Response {
    Html(body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use platform::db::{DbError, WriterGone};

    /// The pages answer every fault with the fault's own status and advice to wait, except a
    /// missing sign-in, which goes to the sign-in page.
    #[test]
    fn every_fault_has_its_page() {
        for fault in Fault::ALL {
            let response = WebError::for_fault(fault).into_response();
            let expected = match fault {
                Fault::SignInRequired => StatusCode::SEE_OTHER,
                other => other.status(),
            };
            assert_eq!(response.status(), expected, "{fault:?}");
            let retry_after = response
                .headers()
                .get(header::RETRY_AFTER)
                .map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
            assert_eq!(retry_after, fault.retry_after(), "{fault:?}");
        }
        assert_eq!(
            WebError::from(DbError::WriterStopped(WriterGone)),
            WebError::Unavailable
        );
        assert_eq!(
            WebError::from(DbError::Corrupt { column: "x" }),
            WebError::Internal
        );
    }

    #[test]
    fn every_error_has_its_status_and_message() {
        let table = [
            (WebError::NotFound, StatusCode::NOT_FOUND),
            (WebError::LoginRequired, StatusCode::SEE_OTHER),
            (WebError::StaffLoginRequired, StatusCode::SEE_OTHER),
            (WebError::EnrolmentRequired, StatusCode::SEE_OTHER),
            (WebError::Csrf, StatusCode::FORBIDDEN),
            (WebError::BadRequest, StatusCode::BAD_REQUEST),
            (WebError::TooLarge, StatusCode::PAYLOAD_TOO_LARGE),
            (WebError::Conflict, StatusCode::CONFLICT),
            (WebError::Forbidden, StatusCode::FORBIDDEN),
            (WebError::Busy, StatusCode::SERVICE_UNAVAILABLE),
            (WebError::Unavailable, StatusCode::SERVICE_UNAVAILABLE),
            (WebError::Internal, StatusCode::INTERNAL_SERVER_ERROR),
        ];
        for (error, status) in table {
            assert_eq!(error.into_response().status(), status);
            for locale in platform::i18n::Locale::ALL {
                assert!(locale.has(error.message_key()), "{error:?} {locale:?}");
                assert!(
                    locale.has(&format!("{}-detail", error.message_key())),
                    "{error:?} {locale:?}"
                );
            }
        }
        let busy = WebError::Busy.into_response();
        assert_eq!(busy.headers()[header::RETRY_AFTER], "5");
        let unavailable = WebError::Unavailable.into_response();
        assert_eq!(unavailable.headers()[header::RETRY_AFTER], "30");
    }
}
