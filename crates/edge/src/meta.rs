//! Where a request came from, as the audit trail records it: the client address the edge
//! determined and the request ID the access log shows.

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use platform::audit::RequestMeta;

use axum::http::Extensions;

use crate::{ClientIp, RequestId};

/// The audit metadata of a request.
pub fn request_meta(parts: &Parts) -> RequestMeta {
    request_meta_of(&parts.extensions)
}

/// The audit metadata from a request's extensions: the address the edge determined (the TCP
/// peer when no edge layer ran), and the request ID.
pub fn request_meta_of(extensions: &Extensions) -> RequestMeta {
    let client_ip = extensions.get::<ClientIp>().map(|c| c.0).or_else(|| {
        extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
    });
    RequestMeta {
        client_ip,
        request_id: extensions
            .get::<RequestId>()
            .map(|r| r.0.clone())
            .unwrap_or_default(),
    }
}

/// Extractor for [`request_meta`].
pub struct Meta(pub RequestMeta);

impl<S: Send + Sync> FromRequestParts<S> for Meta {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Meta(request_meta(parts)))
    }
}
