//! The API's routes: who the caller acts for, the customer's assets, and their net worth.
//!
//! Each handler's `#[utoipa::path]` is its entry in the API description served at
//! `/api/v1/openapi.json`; the answer types below are both what the handlers write and what the
//! description shows. Their fields are in alphabetical order so that the keys come out in the
//! order the API wrote them before its answers had types.

use std::sync::LazyLock;

use assets::{Asset, AssetForm, Category, Period};
use axum::Json;
use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use platform::fields::iso_date;
use platform::i18n::Locale;
use platform::ids::AssetId;
use platform::time_util::today_jst;
use serde::{Deserialize, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::openapi::{
    BadBody, InsufficientScope, Internal, InvalidFields, NotFound, TooMany, Unauthenticated,
    Unavailable,
};
use crate::{ApiCaller, ApiError, ApiState};

const READ: &str = "assets:read";
pub(crate) const WRITE: &str = "assets:write";
/// Every amount the API writes is in yen.
const CURRENCY: &str = "JPY";

/// Where the API is mounted.
pub const PREFIX: &str = "/api/v1";

/// Every API route, relative to [`PREFIX`], with its state.
pub fn router(state: ApiState) -> Router {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/me", get(me))
        .route("/assets", get(list).post(create))
        .route("/assets/{id}", get(one).put(update).delete(remove))
        .route("/net-worth", get(net_worth))
        .fallback(|| async { ApiError::NotFound })
        .with_state(state)
}

/// The API description, built once: it only changes with the code.
static DOCUMENT: LazyLock<String> = LazyLock::new(crate::document);

/// `GET /api/v1/openapi.json`: public, so that client developers can read it before they have a
/// token. It is not among the operations it describes, which all need one.
async fn openapi() -> Response {
    ([(CONTENT_TYPE, "application/json")], DOCUMENT.as_str()).into_response()
}

/// Declares string schemas that allow only some codes, taken from the types that define them so
/// that the description follows when a code is added. The types only name schemas; no value of
/// them exists.
macro_rules! codes {
    ($($name:ident: $description:literal => $codes:expr;)+) => {
        $(
            #[doc = $description]
            pub(crate) enum $name {}

            impl PartialSchema for $name {
                fn schema() -> RefOr<Schema> {
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .description(Some($description))
                        .enum_values(Some($codes))
                        .into()
                }
            }

            impl ToSchema for $name {}
        )+
    };
}

codes! {
    CategoryCode: "What kind of holding an asset is; `liabilities` count against net worth." =>
        Category::ALL.map(Category::code);
    LocaleCode: "The language the customer reads." => Locale::ALL.map(Locale::code);
    PeriodCode: "The spacing of a net-worth history: 30 days, 12 month ends or 5 year ends." =>
        [Period::Day, Period::Month, Period::Year].map(Period::code);
    Currency: "The currency of every amount." => [CURRENCY];
}

/// An asset as the API writes it: amounts in yen (integers), dates `YYYY-MM-DD`.
#[derive(Serialize, ToSchema)]
pub(crate) struct AssetView {
    /// In yen.
    #[schema(minimum = 0)]
    amount: i64,
    #[schema(value_type = CategoryCode)]
    category: &'static str,
    #[schema(format = "uuid")]
    id: String,
    /// Bank, broker or insurer; may be empty.
    institution: String,
    name: String,
    /// Free text, line breaks allowed; may be empty.
    note: String,
    /// Last change, in seconds since the Unix epoch.
    updated_at: i64,
    /// The date the amount was valued at.
    #[schema(format = Date)]
    valuation_date: String,
}

impl From<&Asset> for AssetView {
    fn from(a: &Asset) -> Self {
        Self {
            amount: a.amount.get(),
            category: a.category.code(),
            id: a.id.to_string(),
            institution: a.institution.clone(),
            name: a.name.clone(),
            note: a.note.clone(),
            updated_at: a.updated_at,
            valuation_date: iso_date(a.valuation_date),
        }
    }
}

/// The customer's assets.
#[derive(Serialize, ToSchema)]
pub(crate) struct AssetList {
    assets: Vec<AssetView>,
}

/// The customer the token acts for.
#[derive(Serialize, ToSchema)]
pub(crate) struct Me {
    /// Only with the `email` scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, format = "email")]
    email: Option<String>,
    /// The customer's identifier, the token's `sub`.
    #[schema(format = "uuid")]
    id: String,
    #[schema(value_type = LocaleCode)]
    locale: &'static str,
    /// In kanji; only with the `profile` scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    name: Option<String>,
    /// In katakana; only with the `profile` scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    name_kana: Option<String>,
}

/// The customer's net worth now and over a period.
#[derive(Serialize, ToSchema)]
pub(crate) struct NetWorth {
    /// Sum of everything but liabilities, in yen.
    assets: i64,
    #[schema(value_type = Currency)]
    currency: &'static str,
    /// Oldest first.
    history: Vec<NetWorthPoint>,
    /// Sum of liabilities, in yen.
    liabilities: i64,
    /// Assets minus liabilities, in yen; negative when debts exceed holdings.
    net: i64,
    #[schema(value_type = PeriodCode)]
    period: &'static str,
}

/// Net worth at the end of one day.
#[derive(Serialize, ToSchema)]
pub(crate) struct NetWorthPoint {
    #[schema(format = Date)]
    date: String,
    /// In yen.
    net: i64,
}

/// An asset as the API reads it; checked exactly as the pages check their form, and refused
/// whole if it has a field the API does not know.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssetInput {
    /// A category code such as `deposits`, or its label in Japanese or English.
    category: String,
    /// 1 to 100 characters.
    name: String,
    /// Bank, broker or insurer; up to 100 characters.
    #[serde(default)]
    institution: String,
    /// In yen, at most 100 trillion.
    #[schema(minimum = 0)]
    amount: i64,
    /// `YYYY-MM-DD`, not after today (Japan time).
    #[schema(format = Date)]
    valuation_date: String,
    /// Up to 1,000 characters, line breaks allowed.
    #[serde(default)]
    note: String,
}

impl AssetInput {
    fn draft(&self) -> Result<assets::AssetDraft, ApiError> {
        let form = AssetForm {
            category: self.category.clone(),
            name: self.name.clone(),
            institution: self.institution.clone(),
            amount: self.amount.to_string(),
            valuation_date: self.valuation_date.clone(),
            note: self.note.clone(),
            // The API does not carry the acquisition cost; `update` keeps the recorded one.
            acquisition_cost: String::new(),
        };
        form.parse(today_jst()).map_err(ApiError::Invalid)
    }
}

fn body(input: Result<Json<AssetInput>, JsonRejection>) -> Result<AssetInput, ApiError> {
    input.map(|Json(i)| i).map_err(|_| ApiError::BadBody)
}

fn asset_id(raw: &str) -> Result<AssetId, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound)
}

/// Who the token acts for
///
/// The customer's name comes with the `profile` scope, their e-mail address with `email`.
#[utoipa::path(
    get,
    path = "/me",
    operation_id = "getMe",
    tag = "customer",
    security(("bearer" = ["assets:read"]), ("oauth2" = ["assets:read"])),
    responses(
        (status = 200, description = "The customer.", body = Me),
        (status = 401, response = Unauthenticated),
        (status = 403, response = InsufficientScope),
        (status = 500, response = Internal),
        (status = 503, response = Unavailable),
    ),
)]
pub(crate) async fn me(
    State(state): State<ApiState>,
    caller: ApiCaller,
) -> Result<Response, ApiError> {
    caller.require(READ)?;
    let profile = state
        .recent
        .profile(&state.identity, caller.customer)
        .await?;
    let (name, name_kana) = if caller.has("profile") {
        (
            Some(profile.name_kanji.clone()),
            Some(profile.name_kana.clone()),
        )
    } else {
        (None, None)
    };
    let me = Me {
        email: caller.has("email").then(|| profile.email.clone()),
        id: caller.customer.to_string(),
        locale: profile.locale.code(),
        name,
        name_kana,
    };
    Ok(Json(me).into_response())
}

/// The customer's assets
#[utoipa::path(
    get,
    path = "/assets",
    operation_id = "listAssets",
    tag = "assets",
    security(("bearer" = ["assets:read"]), ("oauth2" = ["assets:read"])),
    responses(
        (status = 200, description = "Every asset of the customer.", body = AssetList),
        (status = 401, response = Unauthenticated),
        (status = 403, response = InsufficientScope),
        (status = 500, response = Internal),
        (status = 503, response = Unavailable),
    ),
)]
pub(crate) async fn list(
    State(state): State<ApiState>,
    caller: ApiCaller,
) -> Result<Response, ApiError> {
    caller.require(READ)?;
    let assets = state.recent.assets(&state.assets, caller.customer).await?;
    let list = AssetList {
        assets: assets.iter().map(AssetView::from).collect(),
    };
    Ok(Json(list).into_response())
}

/// One asset
///
/// Another customer's asset is not found, like an unknown one.
#[utoipa::path(
    get,
    path = "/assets/{id}",
    operation_id = "getAsset",
    tag = "assets",
    params(("id" = String, Path, format = "uuid", description = "The asset's identifier.")),
    security(("bearer" = ["assets:read"]), ("oauth2" = ["assets:read"])),
    responses(
        (status = 200, description = "The asset.", body = AssetView),
        (status = 401, response = Unauthenticated),
        (status = 403, response = InsufficientScope),
        (status = 404, response = NotFound),
        (status = 500, response = Internal),
        (status = 503, response = Unavailable),
    ),
)]
pub(crate) async fn one(
    State(state): State<ApiState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require(READ)?;
    let asset = state.assets.get(caller.customer, asset_id(&id)?).await?;
    Ok(Json(AssetView::from(&asset)).into_response())
}

/// Records an asset
#[utoipa::path(
    post,
    path = "/assets",
    operation_id = "createAsset",
    tag = "assets",
    request_body = AssetInput,
    security(("bearer" = ["assets:write"]), ("oauth2" = ["assets:write"])),
    responses(
        (status = 201, description = "The asset as recorded.", body = AssetView),
        (status = 400, response = BadBody),
        (status = 401, response = Unauthenticated),
        (status = 403, response = InsufficientScope),
        (status = 409, response = TooMany),
        (status = 422, response = InvalidFields),
        (status = 500, response = Internal),
        (status = 503, response = Unavailable),
    ),
)]
pub(crate) async fn create(
    State(state): State<ApiState>,
    caller: ApiCaller,
    input: Result<Json<AssetInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    caller.require(WRITE)?;
    let draft = body(input)?.draft()?;
    let id = state
        .assets
        .create(caller.customer, &draft, &caller.meta)
        .await?;
    state.recent.forget_assets(caller.customer);
    let asset = state.assets.get(caller.customer, id).await?;
    Ok((StatusCode::CREATED, Json(AssetView::from(&asset))).into_response())
}

/// Replaces an asset
///
/// Every field is replaced; fields left out take their defaults.
#[utoipa::path(
    put,
    path = "/assets/{id}",
    operation_id = "updateAsset",
    tag = "assets",
    params(("id" = String, Path, format = "uuid", description = "The asset's identifier.")),
    request_body = AssetInput,
    security(("bearer" = ["assets:write"]), ("oauth2" = ["assets:write"])),
    responses(
        (status = 200, description = "The asset as recorded.", body = AssetView),
        (status = 400, response = BadBody),
        (status = 401, response = Unauthenticated),
        (status = 403, response = InsufficientScope),
        (status = 404, response = NotFound),
        (status = 422, response = InvalidFields),
        (status = 500, response = Internal),
        (status = 503, response = Unavailable),
    ),
)]
pub(crate) async fn update(
    State(state): State<ApiState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    input: Result<Json<AssetInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    caller.require(WRITE)?;
    let id = asset_id(&id)?;
    let mut draft = body(input)?.draft()?;
    // A client that cannot see the acquisition cost must not erase it; debts have none.
    if !draft.category.is_liability() {
        draft.acquisition_cost = state
            .assets
            .get(caller.customer, id)
            .await?
            .acquisition_cost;
    }
    state
        .assets
        .update(caller.customer, id, &draft, &caller.meta)
        .await?;
    state.recent.forget_assets(caller.customer);
    let asset = state.assets.get(caller.customer, id).await?;
    Ok(Json(AssetView::from(&asset)).into_response())
}

/// Deletes an asset
///
/// The net-worth history keeps its past values.
#[utoipa::path(
    delete,
    path = "/assets/{id}",
    operation_id = "deleteAsset",
    tag = "assets",
    params(("id" = String, Path, format = "uuid", description = "The asset's identifier.")),
    security(("bearer" = ["assets:write"]), ("oauth2" = ["assets:write"])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, response = Unauthenticated),
        (status = 403, response = InsufficientScope),
        (status = 404, response = NotFound),
        (status = 500, response = Internal),
        (status = 503, response = Unavailable),
    ),
)]
pub(crate) async fn remove(
    State(state): State<ApiState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require(WRITE)?;
    state
        .assets
        .delete(caller.customer, asset_id(&id)?, today_jst(), &caller.meta)
        .await?;
    state.recent.forget_assets(caller.customer);
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The period of the history.
#[derive(Deserialize)]
pub struct PeriodQuery {
    period: Option<String>,
}

/// The customer's net worth
///
/// The current figure, and its history over the period.
#[utoipa::path(
    get,
    path = "/net-worth",
    operation_id = "getNetWorth",
    tag = "assets",
    params((
        "period" = Option<PeriodCode>,
        Query,
        description = "The spacing of the history; anything else counts as `month`, the default."
    )),
    security(("bearer" = ["assets:read"]), ("oauth2" = ["assets:read"])),
    responses(
        (status = 200, description = "The net worth.", body = NetWorth),
        (status = 401, response = Unauthenticated),
        (status = 403, response = InsufficientScope),
        (status = 500, response = Internal),
        (status = 503, response = Unavailable),
    ),
)]
pub(crate) async fn net_worth(
    State(state): State<ApiState>,
    caller: ApiCaller,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, ApiError> {
    caller.require(READ)?;
    let holdings = state.assets.list(caller.customer).await?;
    let now = assets::net_worth(&holdings);
    let history = state.assets.history(caller.customer).await?;
    let period = Period::from_query(q.period.as_deref());
    let worth = NetWorth {
        assets: now.assets,
        currency: CURRENCY,
        history: assets::series(&history, period, today_jst())
            .iter()
            .map(|p| NetWorthPoint {
                date: iso_date(p.date),
                net: p.net,
            })
            .collect(),
        liabilities: now.liabilities,
        net: now.net,
        period: period.code(),
    };
    Ok(Json(worth).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use assets::Yen;
    use time::macros::date;

    #[test]
    fn answers_keep_the_bytes_the_api_wrote_before_they_had_types() {
        let asset = Asset {
            id: "5f0c7d1e-8a52-4c3b-9d7e-2b1a6f4e3c21".parse().unwrap(),
            category: Category::Deposits,
            name: "普通預金".into(),
            institution: "さくら銀行".into(),
            amount: Yen::from_stored(1_200_000).unwrap(),
            valuation_date: date!(2026 - 11 - 01),
            note: String::new(),
            acquisition_cost: None,
            updated_at: 1_790_000_000,
        };
        assert_eq!(
            serde_json::to_string(&AssetView::from(&asset)).unwrap(),
            r#"{"amount":1200000,"category":"deposits","id":"5f0c7d1e-8a52-4c3b-9d7e-2b1a6f4e3c21","institution":"さくら銀行","name":"普通預金","note":"","updated_at":1790000000,"valuation_date":"2026-11-01"}"#
        );
        let me = Me {
            email: None,
            id: "5f0c7d1e-8a52-4c3b-9d7e-2b1a6f4e3c21".into(),
            locale: "ja",
            name: Some("試験 花子".into()),
            name_kana: Some("シケン ハナコ".into()),
        };
        assert_eq!(
            serde_json::to_string(&me).unwrap(),
            r#"{"id":"5f0c7d1e-8a52-4c3b-9d7e-2b1a6f4e3c21","locale":"ja","name":"試験 花子","name_kana":"シケン ハナコ"}"#
        );
    }
}
