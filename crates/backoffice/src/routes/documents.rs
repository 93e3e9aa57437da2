//! The decrypting endpoint for identity-document images: only for operators, never cached,
//! every fetch recorded. Anyone else — another role, an unknown or malformed ID, a document of
//! another application — gets the same "not found", so the answer never reveals what exists;
//! a member of staff without the operator role is also recorded as refused. Requests another
//! site started are refused before anything is looked up.

use applications::Viewer;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::IntoResponse;
use console::staff::SignedIn;
use identity::staff::StaffRole;
use pages::error::{PageResult, WebError};
use platform::access_log::ViewerRole;
use platform::audit::{self, Actor, Event, Outcome, Target};

use crate::BackOfficeState;
use crate::routes::staff_error;

/// `GET /staff/applications/{id}/documents/{document}`.
pub async fn image(
    State(state): State<BackOfficeState>,
    SignedIn(visitor, session): SignedIn,
    headers: HeaderMap,
    Path((id, document)): Path<(String, String)>,
) -> PageResult {
    if pages::csrf::is_cross_site(&headers) {
        return Err(WebError::NotFound);
    }
    let (Ok(id), Ok(document)) = (id.parse(), document.parse()) else {
        return Err(WebError::NotFound);
    };
    if !session.roles.has(StaffRole::Operator) {
        let event = Event {
            actor: Actor::staff(session.id),
            action: "document.viewed",
            target: Target::document(document),
            outcome: Outcome::Denied,
        };
        audit::record(&state.db, &event, &visitor.meta).await?;
        return Err(WebError::NotFound);
    }
    let viewer = Viewer {
        staff: session.id,
        role: ViewerRole::Operator,
    };
    let image = state
        .applications
        .staff_document(id, document, viewer, &visitor.meta)
        .await
        .map_err(staff_error)?;
    let headers = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static(image.content_type),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("inline"),
        ),
        (
            header::HeaderName::from_static("cross-origin-resource-policy"),
            HeaderValue::from_static("same-origin"),
        ),
    ];
    Ok((headers, image.bytes).into_response())
}
