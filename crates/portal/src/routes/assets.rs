//! Listing, adding, changing and deleting assets. Asset IDs in paths are checked against the
//! logged-in customer: someone else's ID answers exactly like an unknown one.

use askama::Template;
use assets::{Asset, AssetError, AssetForm, Category};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect};
use platform::fields::{FieldError, FormErrors};
use platform::ids::AssetId;
use platform::time_util::today_jst;

use crate::AppState;
use crate::visitor::Customer;
use pages::chrome::{Chrome, FormState, render};
use pages::csrf::{CsrfForm, NoFields};
use pages::error::PageResult;
use pages::error::WebError;

#[derive(Template)]
#[template(path = "assets.html")]
struct ListPage {
    c: Chrome,
    assets: Vec<Asset>,
}

#[derive(Template)]
#[template(path = "asset_form.html")]
struct FormPage {
    c: Chrome,
    form: FormState,
    v: AssetForm,
    /// `None` when adding.
    id: Option<String>,
    categories: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "asset_delete.html")]
struct DeletePage {
    c: Chrome,
    asset: Asset,
}

impl ListPage {
    fn label(&self, category: &Category) -> String {
        category.label(self.c.locale)
    }
}

fn categories(c: &Chrome) -> Vec<(&'static str, String)> {
    Category::ALL
        .iter()
        .map(|k| (k.code(), k.label(c.locale)))
        .collect()
}

fn parse_id(raw: &str) -> Result<AssetId, WebError> {
    raw.parse().map_err(|_| WebError::NotFound)
}

fn form_page(
    c: Chrome,
    form: FormState,
    v: AssetForm,
    id: Option<String>,
    status: StatusCode,
) -> PageResult {
    let page = FormPage {
        categories: categories(&c),
        c,
        form,
        v,
        id,
    };
    Ok((status, Html(render(&page)?)).into_response())
}

/// `GET /assets`.
pub async fn list(State(state): State<AppState>, customer: Customer) -> PageResult {
    let assets = state.assets.list(customer.id).await?;
    Ok(Html(render(&ListPage {
        c: customer.visitor.chrome(),
        assets,
    })?)
    .into_response())
}

/// `GET /assets/new`.
pub async fn new_form(customer: Customer) -> PageResult {
    let v = AssetForm {
        valuation_date: platform::fields::iso_date(today_jst()),
        ..AssetForm::default()
    };
    form_page(
        customer.visitor.chrome(),
        FormState::fresh(customer.visitor.locale),
        v,
        None,
        StatusCode::OK,
    )
}

/// `POST /assets/new`.
pub async fn create(
    State(state): State<AppState>,
    customer: Customer,
    CsrfForm(v): CsrfForm<AssetForm>,
) -> PageResult {
    let locale = customer.visitor.locale;
    let draft = match v.parse(today_jst()) {
        Ok(d) => d,
        Err(errors) => {
            return form_page(
                customer.visitor.chrome(),
                FormState::with(locale, errors),
                v,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    match state
        .assets
        .create(customer.id, &draft, &customer.visitor.meta)
        .await
    {
        Ok(_) => Ok(Redirect::to("/assets").into_response()),
        Err(AssetError::TooMany) => {
            let errors = FormErrors(vec![(
                "name",
                FieldError::TooLong {
                    max: assets::MAX_ASSETS_PER_CUSTOMER as usize,
                },
            )]);
            form_page(
                customer.visitor.chrome(),
                FormState::with(locale, errors),
                v,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /assets/{id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    customer: Customer,
    Path(raw): Path<String>,
) -> PageResult {
    let asset = state.assets.get(customer.id, parse_id(&raw)?).await?;
    let v = AssetForm {
        category: asset.category.code().to_owned(),
        name: asset.name,
        institution: asset.institution,
        amount: asset.amount.get().to_string(),
        valuation_date: platform::fields::iso_date(asset.valuation_date),
        note: asset.note,
    };
    form_page(
        customer.visitor.chrome(),
        FormState::fresh(customer.visitor.locale),
        v,
        Some(raw),
        StatusCode::OK,
    )
}

/// `POST /assets/{id}/edit`.
pub async fn update(
    State(state): State<AppState>,
    customer: Customer,
    Path(raw): Path<String>,
    CsrfForm(v): CsrfForm<AssetForm>,
) -> PageResult {
    let id = parse_id(&raw)?;
    let draft = match v.parse(today_jst()) {
        Ok(d) => d,
        Err(errors) => {
            state.assets.get(customer.id, id).await?;
            let form = FormState::with(customer.visitor.locale, errors);
            return form_page(
                customer.visitor.chrome(),
                form,
                v,
                Some(raw),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    state
        .assets
        .update(customer.id, id, &draft, &customer.visitor.meta)
        .await?;
    Ok(Redirect::to("/assets").into_response())
}

/// `GET /assets/{id}/delete`: asks for confirmation.
pub async fn delete_confirm(
    State(state): State<AppState>,
    customer: Customer,
    Path(raw): Path<String>,
) -> PageResult {
    let asset = state.assets.get(customer.id, parse_id(&raw)?).await?;
    Ok(Html(render(&DeletePage {
        c: customer.visitor.chrome(),
        asset,
    })?)
    .into_response())
}

/// `POST /assets/{id}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    customer: Customer,
    Path(raw): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    state
        .assets
        .delete(
            customer.id,
            parse_id(&raw)?,
            today_jst(),
            &customer.visitor.meta,
        )
        .await?;
    Ok(Redirect::to("/assets").into_response())
}
