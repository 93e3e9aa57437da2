//! Split mode: the gateway tells an upstream role what the layer stack established (request ID,
//! client address, verified caller) in one header it signs with a key from the keyring, bound to
//! the request's method and path and valid for a short time. Upstream roles accept requests only
//! with a valid assertion, and the gateway removes any such header a client sends.

use std::net::IpAddr;
use std::sync::Arc;

use axum::http::HeaderValue;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use platform::crypto::Keyring;
use serde::{Deserialize, Serialize};

use crate::Principal;

/// The header carrying the assertion.
pub const ASSERTION_HEADER: &str = "x-assetstatus-gateway";

/// How long an assertion is accepted, for clock differences between instances.
const MAX_AGE_SECS: i64 = 30;

/// What the gateway asserts about one request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assertion {
    /// The request ID the gateway assigned.
    pub request_id: String,
    /// The client address the gateway determined.
    pub client_ip: IpAddr,
    /// The request's method.
    pub method: String,
    /// The request's path and query.
    pub target: String,
    /// When the gateway signed it (Unix seconds).
    pub issued_at: i64,
    /// The verified API caller, if the request carried a valid token.
    pub principal: Option<Principal>,
}

/// Why an assertion was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum AssertionError {
    /// No assertion: the request did not come through the gateway.
    #[error("no gateway assertion")]
    Missing,
    /// Not of our format, or the signature does not match.
    #[error("gateway assertion malformed or forged")]
    Forged,
    /// Signed for another request.
    #[error("gateway assertion made for another request")]
    OtherRequest,
    /// Older than the accepted age, or from the future.
    #[error("gateway assertion expired")]
    Expired,
}

impl AssertionError {
    /// A fixed label for figures.
    pub fn label(&self) -> &'static str {
        match self {
            AssertionError::Missing => "missing",
            AssertionError::Forged => "forged",
            AssertionError::OtherRequest => "other_request",
            AssertionError::Expired => "expired",
        }
    }
}

/// Signs and checks assertions with the keyring's gateway key.
pub struct GatewaySeal(pub Arc<Keyring>);

impl GatewaySeal {
    /// The header value for `assertion`: base64url JSON, a dot, base64url HMAC-SHA-256.
    pub fn seal(&self, assertion: &Assertion) -> Option<HeaderValue> {
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(assertion).ok()?);
        let mac = URL_SAFE_NO_PAD.encode(self.0.gateway_mac(body.as_bytes()));
        HeaderValue::from_str(&format!("{body}.{mac}")).ok()
    }

    /// The assertion in `value`, if the gateway signed it for this method and target recently.
    pub fn open(
        &self,
        value: Option<&HeaderValue>,
        method: &str,
        target: &str,
        now: i64,
    ) -> Result<Assertion, AssertionError> {
        let value = value.ok_or(AssertionError::Missing)?;
        let (body, mac) = value
            .to_str()
            .ok()
            .and_then(|v| v.split_once('.'))
            .ok_or(AssertionError::Forged)?;
        let mac = URL_SAFE_NO_PAD
            .decode(mac)
            .map_err(|_| AssertionError::Forged)?;
        if !self.0.gateway_mac_matches(body.as_bytes(), &mac) {
            return Err(AssertionError::Forged);
        }
        let assertion: Assertion = URL_SAFE_NO_PAD
            .decode(body)
            .ok()
            .and_then(|json| serde_json::from_slice(&json).ok())
            .ok_or(AssertionError::Forged)?;
        if assertion.method != method || assertion.target != target {
            return Err(AssertionError::OtherRequest);
        }
        if (now - assertion.issued_at).abs() > MAX_AGE_SECS {
            return Err(AssertionError::Expired);
        }
        Ok(assertion)
    }
}
