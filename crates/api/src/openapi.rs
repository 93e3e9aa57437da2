//! The API's description (OpenAPI 3.1), generated from the handlers and the types they read and
//! write, so that client developers read what the code does rather than what someone remembered
//! to write down. The refusals' examples are the bodies [`ApiError`] really produces.

use oidc::paths::{AUTHORIZE_PATH, TOKEN_PATH};
use platform::fields::{FieldError, FormErrors};
use utoipa::openapi::example::Example;
use utoipa::openapi::header::Header;
use utoipa::openapi::response::Response;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{
    AuthorizationCode, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Scopes, SecurityScheme,
};
use utoipa::openapi::server::Server;
use utoipa::openapi::{Content, Ref, RefOr};
use utoipa::{Modify, OpenApi, ToResponse, ToSchema};

use crate::problem::{FieldProblem, Problem};
use crate::routes::{
    self, AssetInput, AssetList, AssetView, CategoryCode, Currency, LocaleCode, Me, NetWorth,
    NetWorthPoint, PeriodCode,
};
use crate::{ApiError, PREFIX};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "assetstatus customer API",
        version = "1.0.0",
        // By default the crate's licence would also be written as an SPDX identifier, which
        // "Proprietary" is not.
        license(name = "Proprietary"),
        description = "The customer's assets and net worth, for the bank's own and contracted \
            applications. Every operation takes an access token of our identity provider \
            (`Authorization: Bearer`), obtained with the authorization-code flow and PKCE; its \
            scopes decide what the application may read (`assets:read`) or change \
            (`assets:write`). Amounts are whole yen, dates `YYYY-MM-DD`. Refusals are \
            `application/problem+json` (RFC 9457). The customer (`/me`) and the list of \
            assets may be answered from a memory of about a second: a change made through this \
            API shows at once, one made elsewhere (the bank's web pages) within that time."
    ),
    paths(
        routes::me,
        routes::list,
        routes::one,
        routes::create,
        routes::update,
        routes::remove,
        routes::net_worth,
    ),
    components(
        schemas(
            AssetInput,
            AssetList,
            AssetView,
            CategoryCode,
            Currency,
            FieldProblem,
            LocaleCode,
            Me,
            NetWorth,
            NetWorthPoint,
            PeriodCode,
            Problem
        ),
        responses(
            BadBody,
            InsufficientScope,
            Internal,
            InvalidFields,
            NotFound,
            TooMany,
            Unauthenticated,
            Unavailable
        ),
    ),
    modifiers(&MountAndSecurity),
    tags(
        (name = "customer", description = "Who the token acts for."),
        (name = "assets", description = "The customer's assets and their net worth."),
    ),
)]
struct ApiDoc;

/// The API description as pretty-printed JSON, the same on every call: every map in it is
/// ordered, so the snapshot test and clients' caches see changes only when the API changes.
pub fn document() -> String {
    match ApiDoc::openapi().to_pretty_json() {
        Ok(json) => json + "\n",
        // Only a map with non-string keys fails to serialise, and the description has none.
        Err(e) => {
            tracing::error!(error = %e, "the API description failed to serialise");
            String::new()
        }
    }
}

/// Adds what lives in constants rather than in attributes: where the API is mounted and the
/// identity provider's endpoints.
struct MountAndSecurity;

impl Modify for MountAndSecurity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi.servers = Some(vec![Server::new(PREFIX)]);
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An access token of our identity provider; the operation's scope must \
                         be among its `scope` claim. A token bound to a key (RFC 9449, `cnf.jkt`) \
                         is sent as `Authorization: DPoP <token>` with a `DPoP` proof of that key \
                         for each request; without a valid proof the answer is 401 \
                         `invalid-dpop-proof`.",
                    ))
                    .build(),
            ),
        );
        let scopes = Scopes::from_iter([
            ("assets:read", "Read the customer's assets and net worth."),
            (
                "assets:write",
                "Record, change and delete the customer's assets.",
            ),
            ("profile", "With `/me`: the customer's name."),
            ("email", "With `/me`: the customer's e-mail address."),
        ]);
        components.add_security_scheme(
            "oauth2",
            SecurityScheme::OAuth2(OAuth2::with_description(
                [Flow::AuthorizationCode(
                    AuthorizationCode::with_refresh_url(
                        AUTHORIZE_PATH,
                        TOKEN_PATH,
                        scopes,
                        TOKEN_PATH,
                    ),
                )],
                "Our identity provider; PKCE (`S256`) is required. Its endpoints are on the \
                 same host as the API.",
            )),
        );
    }
}

/// A `application/problem+json` response whose examples are the bodies `errors` produce, with
/// their `WWW-Authenticate` challenges when they have any.
fn refusal(description: &str, errors: &[ApiError]) -> Response {
    let examples = errors.iter().map(|error| {
        let example = Example::builder()
            .summary(error.title())
            .value(serde_json::to_value(error.problem()).ok())
            .build();
        (error.kind(), example)
    });
    let content = Content::builder()
        .schema(Some(Ref::from_schema_name(Problem::name())))
        .examples_from_iter(examples)
        .build();
    let mut response = Response::builder()
        .description(description)
        .content("application/problem+json", content);
    let challenges: Vec<String> = errors
        .iter()
        .filter_map(ApiError::challenge)
        .map(|c| format!("`{c}`"))
        .collect();
    if errors.iter().any(|e| matches!(e, ApiError::Unavailable)) {
        let header = Header::builder()
            .schema(ObjectBuilder::new().schema_type(Type::Integer))
            .description(Some(format!(
                "Seconds to wait before retrying ({}).",
                crate::problem::UNAVAILABLE_RETRY_SECS
            )));
        response = response.header("Retry-After", header.build());
    }
    if !challenges.is_empty() {
        let header = Header::builder()
            .schema(ObjectBuilder::new().schema_type(Type::String))
            .description(Some(format!(
                "The challenge (RFC 6750): {}.",
                challenges.join(" or ")
            )));
        response = response.header("WWW-Authenticate", header.build());
    }
    response.build()
}

/// Declares each documented refusal as a response component, so that operations refer to it
/// instead of repeating it.
macro_rules! refusals {
    ($($name:ident: $description:literal => [$($error:expr),+ $(,)?];)+) => {
        $(
            #[doc = $description]
            pub(crate) struct $name;

            impl<'r> ToResponse<'r> for $name {
                fn response() -> (&'r str, RefOr<Response>) {
                    (stringify!($name), refusal($description, &[$($error),+]).into())
                }
            }
        )+
    };
}

refusals! {
    Unauthenticated: "No bearer token, one that is invalid, expired or revoked, or a DPoP-bound token without a valid proof." => [
        ApiError::Unauthenticated,
        ApiError::InvalidToken,
        ApiError::DpopRefused(oidc::ErrorCode::InvalidDpopProof),
    ];
    InsufficientScope: "The token lacks the scope this operation needs." => [
        ApiError::InsufficientScope(routes::WRITE),
    ];
    NotFound: "No such asset for this customer." => [ApiError::NotFound];
    BadBody: "The body is not JSON of the documented shape, or has fields it does not know." => [
        ApiError::BadBody,
    ];
    InvalidFields: "Some fields were refused; nothing was changed." => [
        ApiError::Invalid(FormErrors(vec![
            ("amount", FieldError::NegativeAmount),
            ("valuation_date", FieldError::FutureDate),
        ])),
    ];
    TooMany: "The customer has the maximum number of assets." => [ApiError::TooMany];
    Internal: "Our failure; try again later." => [ApiError::Internal];
    Unavailable: "Storage is failing for a moment (a full disk, a database restarting); nothing was changed. Retry after the seconds in `Retry-After`." => [ApiError::Unavailable];
}
