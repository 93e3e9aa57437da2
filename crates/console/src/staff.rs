//! Who is asking on the staff listener: language, form token, audit details and the staff
//! session, if any. Pages take [`SignedIn`] (second factor done) or [`Enrolling`] (not yet).
//! Every console on the staff listener (this shell, the back office, the operations console)
//! uses these through [`StaffSite`], so a staff page is guarded the same way wherever it lives.

use axum::extract::FromRequestParts;
use axum::http::Uri;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use identity::staff::StaffSession;
use pages::chrome::{Chrome, StaffMenu};
use pages::cookies::{self, Kind};
use pages::csrf::csrf_binding;
use pages::error::WebError;
use pages::locale::locale_from_headers;
use platform::audit::RequestMeta;
use platform::i18n::Locale;

use identity::Identity;
use identity::staff::StaffRole;
use pages::WebState;

/// What a console's state offers the staff extractors.
pub trait StaffSite: WebState + Send + Sync {
    /// The staff pool.
    fn identity(&self) -> &Identity;
}

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

impl<S: StaffSite> FromRequestParts<S> for StaffVisitor {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, WebError> {
        let secure = state.secure_cookies();
        let token = CookieJar::from_headers(&parts.headers)
            .get(cookies::name(Kind::StaffSession, secure))
            .map(|c| c.value().to_owned());
        let session = match &token {
            Some(token) => state.identity().staff_session(token).await?,
            None => None,
        };
        if let Some(session) = &session {
            edge::note_user(&parts.extensions, format_args!("staff:{}", session.id));
        }
        let binding = csrf_binding(parts, secure).unwrap_or_default();
        Ok(StaffVisitor {
            locale: locale_from_headers(&parts.headers),
            meta: edge::request_meta(parts),
            csrf: state.keyring().form_token(&binding),
            session,
            token,
            path: parts.uri.path().to_owned(),
        })
    }
}

impl StaffVisitor {
    /// Page chrome with the staff navigation.
    pub fn chrome(&self) -> Chrome {
        let signed_in = self.session.as_ref().filter(|s| s.mfa_done);
        Chrome {
            locale: self.locale,
            csrf: self.csrf.clone(),
            logged_in: signed_in.is_some(),
            staff: true,
            staff_menu: StaffMenu {
                operator: signed_in.is_some_and(|s| s.roles.has(StaffRole::Operator)),
                admin: signed_in.is_some_and(|s| s.roles.has(StaffRole::Admin)),
                new_applications: 0,
            },
            path: self.path.clone(),
            css_version: ui::static_files::css_version(),
            notice: None,
        }
    }
}

impl<S: StaffSite> FromRequestParts<S> for SignedIn {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, WebError> {
        let visitor = StaffVisitor::from_request_parts(parts, state).await?;
        match visitor.session.clone() {
            Some(session) if session.mfa_done => Ok(SignedIn(visitor, session)),
            Some(_) => Err(WebError::EnrolmentRequired),
            None => Err(WebError::StaffLoginRequired),
        }
    }
}

impl<S: StaffSite> FromRequestParts<S> for Enrolling {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, WebError> {
        let visitor = StaffVisitor::from_request_parts(parts, state).await?;
        match visitor.session.clone() {
            Some(session) if !session.mfa_done => Ok(Enrolling(visitor, session)),
            Some(_) => Err(WebError::NotFound),
            None => Err(WebError::StaffLoginRequired),
        }
    }
}

/// The detour to confirm who is there, when the member of staff's last proof of identity is
/// older than the step-up window ([`identity::STEP_UP_SECS`]); it returns to the page asked
/// for. Exports of customers' personal data and of the audit trail ask this first.
pub fn step_up_due(session: &StaffSession, uri: &Uri) -> Option<Response> {
    if session.recently_authenticated(platform::time_util::now_unix()) {
        return None;
    }
    let next = uri.path_and_query().map_or("/staff", |p| p.as_str());
    Some(Redirect::to(&pages::next::with_next("/staff/reauth", next)).into_response())
}
