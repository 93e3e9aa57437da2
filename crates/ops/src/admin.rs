//! The one extractor every operations page takes: a signed-in member of staff (second factor
//! done) holding the `admin` role. Staff without it get a 403 page; customers' sessions mean
//! nothing on the staff listener, so they are sent to the staff sign-in.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use console::staff::{SignedIn, StaffVisitor};
use identity::staff::{StaffRole, StaffSession};
use pages::chrome::Chrome;
use pages::error::WebError;
use platform::audit::{Actor, RequestMeta};

use crate::OpsState;

/// An administrator at work.
pub struct Admin {
    visitor: StaffVisitor,
    /// Their session.
    pub session: StaffSession,
}

impl FromRequestParts<OpsState> for Admin {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &OpsState) -> Result<Self, WebError> {
        let SignedIn(visitor, session) = SignedIn::from_request_parts(parts, state).await?;
        if !session.roles.has(StaffRole::Admin) {
            return Err(WebError::Forbidden);
        }
        Ok(Self { visitor, session })
    }
}

impl Admin {
    /// Page chrome with the staff navigation.
    pub fn chrome(&self) -> Chrome {
        self.visitor.chrome()
    }

    /// The administrator as the audit trail names them.
    pub fn actor(&self) -> Actor {
        Actor::staff(self.session.id)
    }

    /// Audit details of the request.
    pub fn meta(&self) -> &RequestMeta {
        &self.visitor.meta
    }
}
