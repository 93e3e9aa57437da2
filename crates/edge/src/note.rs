//! What inner layers learn about a request that the access log, written outermost, reports: the
//! authenticated user once a session or token has been checked, and, behind the gateway in split
//! mode, the route template the upstream role matched.

use std::sync::{Arc, Mutex, PoisonError};

use axum::http::Extensions;

/// A slot the access log puts in every request's extensions and reads after the answer.
#[derive(Clone, Debug, Default)]
pub struct AccessNote(Arc<Mutex<Noted>>);

/// What was noted.
#[derive(Clone, Debug, Default)]
pub struct Noted {
    /// Who the request acted for: `customer:<id>`, `staff:<id>`.
    pub user: Option<String>,
    /// The route template, when the router that matched it is in another process.
    pub route: Option<String>,
}

impl AccessNote {
    /// The note of a request, creating and attaching one if no outer layer did.
    pub fn of(extensions: &mut Extensions) -> Self {
        extensions.get_or_insert_default::<AccessNote>().clone()
    }

    /// What has been noted so far.
    pub fn read(&self) -> Noted {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Records the user.
    pub fn set_user(&self, user: String) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).user = Some(user);
    }

    /// Records the route template.
    pub fn set_route(&self, route: String) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).route = Some(route);
    }
}

/// Tells the access log whom the request acts for; a no-op when no access log runs.
pub fn note_user(extensions: &Extensions, user: impl std::fmt::Display) {
    if let Some(note) = extensions.get::<AccessNote>() {
        note.set_user(user.to_string());
    }
}
