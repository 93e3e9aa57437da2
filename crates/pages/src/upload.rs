//! A file-upload form (`multipart/form-data`) whose CSRF token has been verified: its text
//! fields and its one `file` part. A body cut off mid-stream or over the route's limit is an
//! error before anything reaches the handler, so a handler never acts on half a file.

use std::collections::HashMap;

use axum::extract::multipart::MultipartError;
use axum::extract::{FromRequest, Multipart, Request};

use crate::WebState;
use crate::csrf::{csrf_binding, verify};
use crate::error::WebError;

/// The verified form.
pub struct CsrfUpload {
    /// Text fields by name (the token excluded).
    pub fields: HashMap<String, String>,
    /// The `file` part, `None` when no file was chosen.
    pub file: Option<Vec<u8>>,
}

impl CsrfUpload {
    /// A text field, empty when absent.
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

impl<S: WebState> FromRequest<S> for CsrfUpload {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &S) -> Result<Self, WebError> {
        let (parts, body) = request.into_parts();
        let binding = csrf_binding(&parts, state.secure_cookies());
        let multipart = Multipart::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| WebError::BadRequest)?;
        let (mut fields, file) = read(multipart).await?;
        let token = fields.remove("csrf").unwrap_or_default();
        verify(state, binding.as_deref(), &token)?;
        Ok(Self { fields, file })
    }
}

async fn read(
    mut multipart: Multipart,
) -> Result<(HashMap<String, String>, Option<Vec<u8>>), WebError> {
    let failed = |e: MultipartError| WebError::from_body_status(e.status());
    let mut fields = HashMap::new();
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(failed)? {
        let Some(name) = field.name().map(str::to_owned) else {
            continue;
        };
        if name == "file" {
            let chosen = field.file_name().is_some_and(|n| !n.is_empty());
            let bytes = field.bytes().await.map_err(failed)?;
            if chosen || !bytes.is_empty() {
                file = Some(bytes.to_vec());
            }
        } else {
            fields.insert(name, field.text().await.map_err(failed)?);
        }
    }
    Ok((fields, file))
}
