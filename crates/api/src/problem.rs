//! Refusals as `application/problem+json` (RFC 9457), in one place.

use axum::Json;
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use platform::fault::{Classify, Fault, classify};
use platform::fields::FormErrors;
use platform::i18n::Locale;
use serde::Serialize;
use utoipa::ToSchema;

/// Why an API request was refused.
#[derive(Debug)]
pub enum ApiError {
    /// No bearer token.
    Unauthenticated,
    /// The token is invalid, expired or revoked.
    InvalidToken,
    /// A DPoP-bound token came without a valid proof of possession for this request, or an
    /// unbound one with the `DPoP` scheme; the standard error code (RFC 9449 §7.1) is kept.
    DpopRefused(oidc::ErrorCode),
    /// The token lacks the scope this operation needs.
    InsufficientScope(&'static str),
    /// No such object for this customer.
    NotFound,
    /// The body is not the JSON this operation takes.
    BadBody,
    /// Field values were refused; nothing changed.
    Invalid(FormErrors),
    /// The customer has the maximum number of entries.
    TooMany,
    /// The object is not in a state that allows this; nothing was changed.
    Conflict,
    /// Storage is failing for a moment (a full disk, a database restarting); nothing was
    /// changed, and the request may be sent again after `Retry-After` seconds.
    Unavailable,
    /// Our failure.
    Internal,
}

/// Seconds a client is asked to wait before retrying after [`ApiError::Unavailable`].
pub(crate) use platform::fault::UNAVAILABLE_RETRY_SECS;

/// A refusal (RFC 9457).
// Fields in alphabetical order: the keys come out in the order the API wrote them before its
// bodies had types.
#[derive(Serialize, ToSchema)]
pub(crate) struct Problem {
    /// Each refused field; only for `invalid-fields`, and then never empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Vec<FieldProblem>)]
    errors: Option<Vec<FieldProblem>>,
    /// The HTTP status code, repeated for clients that lose it.
    status: u16,
    /// A fixed English summary of the problem type.
    title: &'static str,
    /// `/api/v1/problems/{kind}`: what clients branch on, e.g. `/api/v1/problems/invalid-token`.
    #[serde(rename = "type")]
    #[schema(format = "uri-reference")]
    kind: String,
}

/// Why one field was refused, in both languages the pages speak.
#[derive(Serialize, ToSchema)]
pub(crate) struct FieldProblem {
    /// The field's name in the request body.
    field: &'static str,
    /// In English.
    message: String,
    /// In Japanese.
    message_ja: String,
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            ApiError::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "A bearer access token is required.",
            ),
            ApiError::InvalidToken => (
                StatusCode::UNAUTHORIZED,
                "invalid-token",
                "The access token is invalid, expired or revoked.",
            ),
            ApiError::DpopRefused(oidc::ErrorCode::InvalidDpopProof) => (
                StatusCode::UNAUTHORIZED,
                "invalid-dpop-proof",
                "The DPoP proof is missing, invalid, replayed or for another request or key.",
            ),
            ApiError::DpopRefused(_) => (
                StatusCode::UNAUTHORIZED,
                "invalid-token",
                "The access token is invalid, expired or revoked.",
            ),
            ApiError::InsufficientScope(_) => (
                StatusCode::FORBIDDEN,
                "insufficient-scope",
                "The access token lacks the scope this operation needs.",
            ),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not-found", "No such resource."),
            ApiError::BadBody => (
                StatusCode::BAD_REQUEST,
                "bad-body",
                "The request body is not valid JSON of the expected shape.",
            ),
            ApiError::Invalid(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-fields",
                "Some fields were refused; nothing was changed.",
            ),
            ApiError::TooMany => (
                StatusCode::CONFLICT,
                "too-many",
                "The maximum number of assets has been reached.",
            ),
            ApiError::Conflict => (
                StatusCode::CONFLICT,
                "conflict",
                "The resource is not in a state that allows this; nothing was changed.",
            ),
            ApiError::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "The service is unavailable for a moment; nothing was changed. Retry after the seconds in Retry-After.",
            ),
            ApiError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Something failed on our side; please try again later.",
            ),
        }
    }

    /// The problem type's last segment, e.g. `invalid-token`.
    pub(crate) fn kind(&self) -> &'static str {
        self.parts().1
    }

    /// The problem type's fixed summary.
    pub(crate) fn title(&self) -> &'static str {
        self.parts().2
    }

    /// The body of this refusal; the API description shows the same bodies as examples.
    pub(crate) fn problem(&self) -> Problem {
        let (status, kind, title) = self.parts();
        let errors = match self {
            ApiError::Invalid(errors) => Some(
                errors
                    .0
                    .iter()
                    .map(|(field, error)| FieldProblem {
                        field,
                        message: error.message(Locale::En),
                        message_ja: error.message(Locale::Ja),
                    })
                    .collect(),
            ),
            _ => None,
        };
        Problem {
            errors,
            status: status.as_u16(),
            title,
            kind: format!("/api/v1/problems/{kind}"),
        }
    }

    /// The `WWW-Authenticate` challenge of a refusal about the token (RFC 6750).
    pub(crate) fn challenge(&self) -> Option<String> {
        match self {
            ApiError::Unauthenticated => Some("Bearer".into()),
            ApiError::InvalidToken => Some(r#"Bearer error="invalid_token""#.into()),
            ApiError::DpopRefused(code) => Some(format!(
                r#"DPoP error="{}", algs="{}""#,
                code.as_str(),
                oidc::CLIENT_KEY_ALGORITHMS.join(" ")
            )),
            ApiError::InsufficientScope(scope) => Some(format!(
                r#"Bearer error="insufficient_scope", scope="{scope}""#
            )),
            _ => None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, _, _) = self.parts();
        let mut response = (status, Json(self.problem())).into_response();
        let headers = response.headers_mut();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(value) = self
            .challenge()
            .and_then(|c| HeaderValue::from_str(&c).ok())
        {
            headers.insert(WWW_AUTHENTICATE, value);
        }
        if matches!(self, ApiError::Unavailable) {
            headers.insert(RETRY_AFTER, HeaderValue::from(UNAVAILABLE_RETRY_SECS));
        }
        response
    }
}

impl From<Fault> for ApiError {
    /// The API's column of the one fault table. A refused credential or a missing sign-in is
    /// the token's fault here: the API has no sign-in of its own, only the token.
    fn from(fault: Fault) -> Self {
        match fault {
            Fault::NotFound => ApiError::NotFound,
            Fault::SignInRequired | Fault::Forbidden => ApiError::InvalidToken,
            Fault::Invalid => ApiError::BadBody,
            Fault::Conflict => ApiError::Conflict,
            Fault::Busy | Fault::Unavailable => ApiError::Unavailable,
            Fault::Internal => ApiError::Internal,
        }
    }
}

impl ApiError {
    /// The refusal for a domain error, by its classification; logged when the fault is ours.
    pub(crate) fn of(e: &dyn Classify) -> Self {
        classify(e).into()
    }
}

impl From<assets::AssetError> for ApiError {
    /// Refused fields and the entry limit keep their own problem types.
    fn from(e: assets::AssetError) -> Self {
        match e {
            assets::AssetError::Invalid(errors) => ApiError::Invalid(errors),
            assets::AssetError::TooMany => ApiError::TooMany,
            other => ApiError::of(&other),
        }
    }
}

impl From<identity::IdentityError> for ApiError {
    /// A customer who no longer exists makes the token acting for them invalid.
    fn from(e: identity::IdentityError) -> Self {
        match e {
            identity::IdentityError::NotFound => ApiError::InvalidToken,
            other => ApiError::of(&other),
        }
    }
}

#[cfg(test)]
mod tests {
    use platform::db::{DbError, WriterGone};

    use super::*;

    #[test]
    fn storage_that_fails_for_a_moment_is_unavailable_not_internal() {
        let passing = ApiError::from(assets::AssetError::Db(DbError::WriterStopped(WriterGone)));
        assert!(matches!(passing, ApiError::Unavailable));
        let response = passing.into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[RETRY_AFTER], "30");
        let lasting = ApiError::from(assets::AssetError::Db(DbError::Corrupt { column: "x" }));
        assert!(matches!(lasting, ApiError::Internal));
        assert!(lasting.into_response().headers().get(RETRY_AFTER).is_none());
    }

    /// The API answers every fault with the fault's own status and advice to wait; a missing
    /// sign-in or a refusal of the caller is the token's fault.
    #[test]
    fn every_fault_has_its_problem() {
        for fault in Fault::ALL {
            let response = ApiError::from(fault).into_response();
            let expected = match fault {
                Fault::SignInRequired | Fault::Forbidden => StatusCode::UNAUTHORIZED,
                other => other.status(),
            };
            assert_eq!(response.status(), expected, "{fault:?}");
            assert_eq!(
                response.headers().contains_key(RETRY_AFTER),
                fault.retry_after().is_some(),
                "{fault:?}"
            );
        }
        let gone = ApiError::from(identity::IdentityError::NotFound);
        assert!(matches!(gone, ApiError::InvalidToken));
        let limit = ApiError::from(assets::AssetError::TooMany);
        assert!(matches!(limit, ApiError::TooMany));
    }
}
