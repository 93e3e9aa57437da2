//! The one extractor every back-office page takes: a signed-in member of staff (second factor
//! done) holding the `operator` role. Staff without it get a 403 page; customers' sessions mean
//! nothing on the staff listener, so they are sent to the staff sign-in.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use console::staff::{SignedIn, StaffVisitor};
use identity::staff::{StaffRole, StaffSession};
use pages::chrome::Chrome;
use pages::error::WebError;
use platform::access_log::ViewerRole;
use platform::audit::{Actor, RequestMeta};
use platform::i18n::Locale;

use crate::BackOfficeState;

/// A business operator at work.
pub struct Operator {
    visitor: StaffVisitor,
    /// Their session.
    pub session: StaffSession,
    new_applications: i64,
}

impl FromRequestParts<BackOfficeState> for Operator {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &BackOfficeState,
    ) -> Result<Self, WebError> {
        let SignedIn(visitor, session) = SignedIn::from_request_parts(parts, state).await?;
        if !session.roles.has(StaffRole::Operator) {
            return Err(WebError::Forbidden);
        }
        let new_applications = state.applications.unopened_count().await?;
        Ok(Self {
            visitor,
            session,
            new_applications,
        })
    }
}

impl Operator {
    /// Page chrome with the staff navigation and the count of unopened applications.
    pub fn chrome(&self) -> Chrome {
        let mut c = self.visitor.chrome();
        c.staff_menu.new_applications = self.new_applications;
        c
    }

    /// The operator as the audit trail names them.
    pub fn actor(&self) -> Actor {
        Actor::staff(self.session.id)
    }

    /// The capacity customers are shown in their access record.
    pub fn role(&self) -> ViewerRole {
        ViewerRole::Operator
    }

    /// Audit details of the request.
    pub fn meta(&self) -> &RequestMeta {
        &self.visitor.meta
    }

    /// Page language.
    pub fn locale(&self) -> Locale {
        self.visitor.locale
    }
}
