//! Who is asking: language, address, request ID, form token and, when logged in, the customer.
//! Extracted once per request from cookies and headers.

use axum::extract::FromRequestParts;
use axum::http::Method;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use identity::SessionInfo;
use platform::audit::RequestMeta;
use platform::i18n::Locale;
use platform::ids::CustomerId;

use crate::AppState;
use pages::chrome::Chrome;
use pages::cookies::{self, Kind};
use pages::csrf::csrf_binding;
use pages::error::WebError;
use pages::locale::locale_from_headers;
use pages::notice::Notice;

/// Any visitor of a portal page.
pub struct Visitor {
    /// Language of the page.
    pub locale: Locale,
    /// Address and request ID for the audit trail.
    pub meta: RequestMeta,
    /// Token to embed in forms.
    pub csrf: String,
    /// The logged-in customer, if any.
    pub session: Option<SessionInfo>,
    /// The raw session cookie, if any.
    pub session_token: Option<String>,
    /// The path asked for, for the language switch.
    pub path: String,
    /// The confirmation a redirect after a change asked to show.
    pub notice: Option<Notice>,
}

/// A visitor who must be logged in; others are sent to the login page.
pub struct Customer {
    /// Who.
    pub id: CustomerId,
    /// Everything else about the request.
    pub visitor: Visitor,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let jar = CookieJar::from_headers(&parts.headers);
        let session_token = jar
            .get(cookies::name(Kind::Session, state.secure_cookies))
            .map(|c| c.value().to_owned());
        let session = match &session_token {
            Some(token) => state.identity.session(token).await?,
            None => None,
        };
        if let Some(session) = &session {
            edge::note_user(
                &parts.extensions,
                format_args!("customer:{}", session.customer),
            );
        }
        let explicit = jar.get("lang").and_then(|c| Locale::from_code(c.value()));
        let locale = explicit
            .or(session.as_ref().map(|s| s.locale))
            .unwrap_or_else(|| locale_from_headers(&parts.headers));
        let binding = csrf_binding(parts, state.secure_cookies).unwrap_or_default();
        let meta = edge::request_meta(parts);
        Ok(Visitor {
            locale,
            meta,
            csrf: state.keyring.form_token(&binding),
            session,
            session_token,
            path: parts.uri.path().to_owned(),
            notice: Notice::from_query(parts.uri.query()),
        })
    }
}

impl Visitor {
    /// Page chrome for this visitor.
    pub fn chrome(&self) -> Chrome {
        Chrome {
            locale: self.locale,
            csrf: self.csrf.clone(),
            logged_in: self.session.is_some(),
            staff: false,
            staff_menu: pages::chrome::StaffMenu::default(),
            path: self.path.clone(),
            css_version: ui::static_files::css_version(),
            notice: self.notice,
        }
    }
}

impl Customer {
    /// True when the customer proved who they are within the step-up window.
    pub fn recently_authenticated(&self) -> bool {
        let now = platform::time_util::now_unix();
        self.visitor
            .session
            .as_ref()
            .is_some_and(|s| s.recently_authenticated(now))
    }
}

impl FromRequestParts<AppState> for Customer {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let visitor = Visitor::from_request_parts(parts, state).await?;
        match &visitor.session {
            Some(session) => Ok(Customer {
                id: session.customer,
                visitor,
            }),
            None => Err(WebError::LoginRequired),
        }
    }
}

/// A logged-in customer who proved who they are within the last few minutes
/// ([`identity::STEP_UP_SECS`]), as every sensitive change requires. Others are sent to
/// confirm with their password or a passkey, and then back to the page they came from.
pub struct Recent(pub Customer);

/// Pages whose forms need a recent proof, so a form sent too late returns to its page.
const STEP_UP_PAGES: [&str; 7] = [
    "/profile/two-step",
    "/profile/passkeys",
    "/profile/sessions",
    "/application/account",
    "/account/delete",
    "/assets/export",
    "/profile",
];

impl FromRequestParts<AppState> for Recent {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let customer = Customer::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        if customer.recently_authenticated() {
            return Ok(Recent(customer));
        }
        Err(Redirect::to(&reauth_path(&return_page(parts))).into_response())
    }
}

/// The page to come back to after confirming: the page itself for a `GET`, else the page the
/// form was on.
fn return_page(parts: &Parts) -> String {
    if parts.method == Method::GET {
        return parts
            .uri
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
    }
    let path = parts.uri.path();
    STEP_UP_PAGES
        .into_iter()
        .find(|page| path.starts_with(page))
        .unwrap_or("/profile")
        .to_owned()
}

/// The confirmation page, returning to `next`.
pub fn reauth_path(next: &str) -> String {
    pages::next::with_next("/reauth", next)
}
