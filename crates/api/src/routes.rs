//! The API's routes: who the caller acts for, the customer's assets, and their net worth.

use assets::{Asset, AssetForm};
use axum::Json;
use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use platform::fields::iso_date;
use platform::ids::AssetId;
use platform::time_util::today_jst;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{ApiCaller, ApiError, ApiState};

const READ: &str = "assets:read";
const WRITE: &str = "assets:write";

/// Where the API is mounted.
pub const PREFIX: &str = "/api/v1";

/// Every API route, relative to [`PREFIX`], with its state.
pub fn router(state: ApiState) -> Router {
    Router::new()
        .route("/me", get(me))
        .route("/assets", get(list).post(create))
        .route("/assets/{id}", get(one).put(update).delete(remove))
        .route("/net-worth", get(net_worth))
        .fallback(|| async { ApiError::NotFound })
        .with_state(state)
}

/// An asset as the API writes it: amounts in yen (integers), dates `YYYY-MM-DD`.
fn asset_json(a: &Asset) -> Value {
    json!({
        "id": a.id.to_string(),
        "category": a.category.code(),
        "name": a.name,
        "institution": a.institution,
        "amount": a.amount.get(),
        "valuation_date": iso_date(a.valuation_date),
        "note": a.note,
        "updated_at": a.updated_at,
    })
}

/// An asset as the API reads it; checked exactly as the pages check their form.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetInput {
    category: String,
    name: String,
    #[serde(default)]
    institution: String,
    amount: i64,
    valuation_date: String,
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

/// `GET /api/v1/me`: the customer the token acts for; name and address with `profile`/`email`.
async fn me(State(state): State<ApiState>, caller: ApiCaller) -> Result<Response, ApiError> {
    caller.require(READ)?;
    let profile = state.identity.profile(caller.customer).await?;
    let mut me = json!({
        "id": caller.customer.to_string(),
        "locale": profile.locale.code(),
    });
    if caller.has("profile") {
        me["name"] = Value::String(profile.name_kanji);
        me["name_kana"] = Value::String(profile.name_kana);
    }
    if caller.has("email") {
        me["email"] = Value::String(profile.email);
    }
    Ok(Json(me).into_response())
}

/// `GET /api/v1/assets`.
async fn list(State(state): State<ApiState>, caller: ApiCaller) -> Result<Response, ApiError> {
    caller.require(READ)?;
    let assets = state.assets.list(caller.customer).await?;
    let items: Vec<Value> = assets.iter().map(asset_json).collect();
    Ok(Json(json!({ "assets": items })).into_response())
}

/// `GET /api/v1/assets/{id}`; another customer's asset is not found, like an unknown one.
async fn one(
    State(state): State<ApiState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require(READ)?;
    let asset = state.assets.get(caller.customer, asset_id(&id)?).await?;
    Ok(Json(asset_json(&asset)).into_response())
}

/// `POST /api/v1/assets`.
async fn create(
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
    let asset = state.assets.get(caller.customer, id).await?;
    Ok((StatusCode::CREATED, Json(asset_json(&asset))).into_response())
}

/// `PUT /api/v1/assets/{id}`.
async fn update(
    State(state): State<ApiState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    input: Result<Json<AssetInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    caller.require(WRITE)?;
    let id = asset_id(&id)?;
    let draft = body(input)?.draft()?;
    state
        .assets
        .update(caller.customer, id, &draft, &caller.meta)
        .await?;
    let asset = state.assets.get(caller.customer, id).await?;
    Ok(Json(asset_json(&asset)).into_response())
}

/// `DELETE /api/v1/assets/{id}`.
async fn remove(
    State(state): State<ApiState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require(WRITE)?;
    state
        .assets
        .delete(caller.customer, asset_id(&id)?, today_jst(), &caller.meta)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The period of the history.
#[derive(Deserialize)]
pub struct PeriodQuery {
    period: Option<String>,
}

/// `GET /api/v1/net-worth?period=day|month|year`: the current figure and its history.
async fn net_worth(
    State(state): State<ApiState>,
    caller: ApiCaller,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, ApiError> {
    caller.require(READ)?;
    let holdings = state.assets.list(caller.customer).await?;
    let now = assets::net_worth(&holdings);
    let history = state.assets.history(caller.customer).await?;
    let period = assets::Period::from_query(q.period.as_deref());
    let points: Vec<Value> = assets::series(&history, period, today_jst())
        .iter()
        .map(|p| json!({ "date": iso_date(p.date), "net": p.net }))
        .collect();
    Ok(Json(json!({
        "currency": "JPY",
        "assets": now.assets,
        "liabilities": now.liabilities,
        "net": now.net,
        "period": period.code(),
        "history": points,
    }))
    .into_response())
}
