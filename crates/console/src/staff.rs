//! Who is asking on the staff listener: language, form token, audit details and the staff
//! session, if any. Pages take [`SignedIn`] (second factor done) or [`Enrolling`] (not yet).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::cookie::CookieJar;
use identity::staff::StaffSession;
use pages::chrome::Chrome;
use pages::cookies::{self, Kind};
use pages::csrf::csrf_binding;
use pages::error::WebError;
use pages::locale::locale_from_headers;
use platform::audit::RequestMeta;
use platform::i18n::Locale;

use crate::ConsoleState;

/// Any visitor of a console page.
pub struct StaffVisitor {
    /// Page language.
    pub locale: Locale,
    /// Audit details.
    pub meta: RequestMeta,
    /// Form token.
    pub csrf: String,
    /// The staff session, if any.
    pub session: Option<StaffSession>,
    /// The raw session cookie, if any.
    pub token: Option<String>,
    path: String,
}

/// A member of staff who has completed the second factor.
pub struct SignedIn(pub StaffVisitor, pub StaffSession);

/// A member of staff who still has to enrol a second factor.
pub struct Enrolling(pub StaffVisitor, pub StaffSession);

impl FromRequestParts<ConsoleState> for StaffVisitor {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &ConsoleState) -> Result<Self, WebError> {
        let secure = state.secure_cookies;
        let token = CookieJar::from_headers(&parts.headers)
            .get(cookies::name(Kind::StaffSession, secure))
            .map(|c| c.value().to_owned());
        let session = match &token {
            Some(token) => state.identity.staff_session(token).await?,
            None => None,
        };
        if let Some(session) = &session {
            edge::note_user(&parts.extensions, format_args!("staff:{}", session.id));
        }
        let binding = csrf_binding(parts, secure).unwrap_or_default();
        Ok(StaffVisitor {
            locale: locale_from_headers(&parts.headers),
            meta: edge::request_meta(parts),
            csrf: state.keyring.form_token(&binding),
            session,
            token,
            path: parts.uri.path().to_owned(),
        })
    }
}

impl StaffVisitor {
    /// Page chrome with the staff navigation.
    pub fn chrome(&self) -> Chrome {
        Chrome {
            locale: self.locale,
            csrf: self.csrf.clone(),
            logged_in: self.session.as_ref().is_some_and(|s| s.mfa_done),
            staff: true,
            path: self.path.clone(),
            css_version: ui::static_files::css_version(),
        }
    }
}

impl FromRequestParts<ConsoleState> for SignedIn {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &ConsoleState) -> Result<Self, WebError> {
        let visitor = StaffVisitor::from_request_parts(parts, state).await?;
        match visitor.session.clone() {
            Some(session) if session.mfa_done => Ok(SignedIn(visitor, session)),
            Some(_) => Err(WebError::EnrolmentRequired),
            None => Err(WebError::StaffLoginRequired),
        }
    }
}

impl FromRequestParts<ConsoleState> for Enrolling {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &ConsoleState) -> Result<Self, WebError> {
        let visitor = StaffVisitor::from_request_parts(parts, state).await?;
        match visitor.session.clone() {
            Some(session) if !session.mfa_done => Ok(Enrolling(visitor, session)),
            Some(_) => Err(WebError::NotFound),
            None => Err(WebError::StaffLoginRequired),
        }
    }
}
