//! Listing, adding, changing and deleting assets, and the page of one holding with its
//! valuations. Asset IDs in paths are checked against the logged-in customer: someone else's ID
//! answers exactly like an unknown one.

use askama::Template;
use assets::{Asset, AssetError, AssetForm, Category, UnrealisedGain, Valuation, ValuationForm};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use platform::fields::{FieldError, FormErrors};
use platform::i18n::Locale;
use platform::ids::AssetId;
use platform::time_util::today_jst;
use time::{Date, Duration};
use ui::charts::{self, Caption, Drawings, Frame};

use crate::AppState;
use crate::visitor::Customer;
use pages::chrome::{Chrome, FormState, render};
use pages::csrf::{CsrfForm, NoFields};
use pages::error::{PageResult, WebError};
use pages::notice::{Notice, redirect};

/// A valuation older than this many days earns a gentle prompt to record a fresh one.
const STALE_AFTER_DAYS: i64 = 90;

/// One category of the list, with its subtotal.
struct Group {
    code: &'static str,
    label: String,
    colour: &'static str,
    liability: bool,
    subtotal: String,
    rows: Vec<Row>,
}

/// One holding in the list.
struct Row {
    id: AssetId,
    name: String,
    institution: String,
    amount: String,
    date: String,
    stale: bool,
    gain: Option<GainView>,
}

/// 評価損益 as shown: amount, percentage and the badge's look.
struct GainView {
    amount: String,
    percent: String,
    class: &'static str,
}

#[derive(Template)]
#[template(path = "assets.html")]
struct ListPage {
    c: Chrome,
    groups: Vec<Group>,
    count: i64,
    stale: i64,
    totals_assets: String,
    totals_liabilities: String,
    totals_net: String,
}

/// One row of a holding's valuation table.
struct ValuationRow {
    date: String,
    amount: String,
    change: String,
}

#[derive(Template)]
#[template(path = "asset.html")]
struct HoldingPage {
    c: Chrome,
    asset: Asset,
    category: String,
    liability: bool,
    amount: String,
    stale: bool,
    cost: Option<String>,
    gain: Option<GainView>,
    form: FormState,
    v: ValuationForm,
    valuations: Vec<ValuationRow>,
    chart_svg: Drawings,
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
    amount: String,
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

/// An amount with the sign it has in net worth: liabilities are written as negative.
fn signed_yen(category: Category, amount: i64, locale: Locale) -> String {
    ui::format::yen(category.signed(amount), locale)
}

fn is_stale(valuation_date: Date, today: Date) -> bool {
    today - valuation_date > Duration::days(STALE_AFTER_DAYS)
}

fn gain_view(gain: UnrealisedGain, locale: Locale) -> GainView {
    GainView {
        amount: ui::format::yen_change(gain.yen, locale),
        percent: ui::format::percent_change(gain.basis_points),
        class: match gain.yen.signum() {
            1 => "gain",
            -1 => "loss",
            _ => "",
        },
    }
}

fn row(asset: &Asset, locale: Locale, today: Date) -> Row {
    Row {
        id: asset.id,
        name: asset.name.clone(),
        institution: asset.institution.clone(),
        amount: signed_yen(asset.category, asset.amount.get(), locale),
        date: ui::format::date(asset.valuation_date, locale),
        stale: is_stale(asset.valuation_date, today),
        gain: asset.unrealised_gain().map(|g| gain_view(g, locale)),
    }
}

/// The holdings grouped by category in the Japanese order (預金 … その他, then 負債), each
/// group sorted by amount, largest first.
fn groups(held: &[Asset], locale: Locale, today: Date) -> Vec<Group> {
    Category::ALL
        .into_iter()
        .filter_map(|category| {
            let mut members: Vec<&Asset> = held.iter().filter(|a| a.category == category).collect();
            if members.is_empty() {
                return None;
            }
            members.sort_by_key(|a| std::cmp::Reverse(a.amount.get()));
            let total = members
                .iter()
                .fold(0i64, |sum, a| sum.saturating_add(a.amount.get()));
            Some(Group {
                code: category.code(),
                label: category.label(locale),
                colour: charts::category_colour(category.index()),
                liability: category.is_liability(),
                subtotal: signed_yen(category, total, locale),
                rows: members.iter().map(|a| row(a, locale, today)).collect(),
            })
        })
        .collect()
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
    let held = state.assets.list(customer.id).await?;
    let c = customer.visitor.chrome();
    let today = today_jst();
    let totals = assets::net_worth(&held);
    let stale = held
        .iter()
        .filter(|a| is_stale(a.valuation_date, today))
        .count();
    let page = ListPage {
        groups: groups(&held, c.locale, today),
        count: i64::try_from(held.len()).unwrap_or(i64::MAX),
        stale: i64::try_from(stale).unwrap_or(i64::MAX),
        totals_assets: c.yen(totals.assets),
        totals_liabilities: c.yen(-totals.liabilities),
        totals_net: c.yen(totals.net),
        c,
    };
    Ok(Html(render(&page)?).into_response())
}

/// `GET /assets/{id}`: one holding, its valuations as a chart and a table, and a form to
/// record a valuation.
pub async fn show(
    State(state): State<AppState>,
    customer: Customer,
    Path(raw): Path<String>,
) -> PageResult {
    let v = ValuationForm {
        valuation_date: platform::fields::iso_date(today_jst()),
        amount: String::new(),
    };
    holding_page(
        &state,
        customer,
        &raw,
        FormErrors::default(),
        v,
        StatusCode::OK,
    )
    .await
}

/// `POST /assets/{id}/valuations`.
pub async fn add_valuation(
    State(state): State<AppState>,
    customer: Customer,
    Path(raw): Path<String>,
    CsrfForm(v): CsrfForm<ValuationForm>,
) -> PageResult {
    let id = parse_id(&raw)?;
    let draft = match v.parse(today_jst()) {
        Ok(d) => d,
        Err(errors) => {
            return holding_page(
                &state,
                customer,
                &raw,
                errors,
                v,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    state
        .assets
        .add_valuation(customer.id, id, &draft, &customer.visitor.meta)
        .await?;
    Ok(redirect(&format!("/assets/{id}"), Notice::ValuationAdded).into_response())
}

async fn holding_page(
    state: &AppState,
    customer: Customer,
    raw: &str,
    errors: FormErrors,
    v: ValuationForm,
    status: StatusCode,
) -> PageResult {
    let id = parse_id(raw)?;
    let asset = state.assets.get(customer.id, id).await?;
    let valuations = state.assets.valuations(customer.id, id).await?;
    let c = customer.visitor.chrome();
    let locale = c.locale;
    let page = HoldingPage {
        category: asset.category.label(locale),
        liability: asset.category.is_liability(),
        amount: signed_yen(asset.category, asset.amount.get(), locale),
        stale: is_stale(asset.valuation_date, today_jst()),
        cost: asset.acquisition_cost.map(|cost| c.yen(cost.get())),
        gain: asset.unrealised_gain().map(|g| gain_view(g, locale)),
        chart_svg: valuation_chart(&c, &valuations),
        valuations: valuation_rows(&valuations, locale),
        form: FormState::with(locale, errors),
        v,
        asset,
        c,
    };
    Ok((status, Html(render(&page)?)).into_response())
}

/// Newest first, each with its difference from the valuation before it.
fn valuation_rows(valuations: &[Valuation], locale: Locale) -> Vec<ValuationRow> {
    valuations
        .iter()
        .enumerate()
        .map(|(i, v)| ValuationRow {
            date: ui::format::date(v.valuation_date, locale),
            amount: ui::format::yen(v.amount.get(), locale),
            change: valuations.get(i + 1).map_or_else(
                || "—".to_owned(),
                |older| ui::format::yen_change(v.amount.get() - older.amount.get(), locale),
            ),
        })
        .collect()
}

fn valuation_chart(c: &Chrome, valuations: &[Valuation]) -> Drawings {
    let points: Vec<(String, i64)> = valuations
        .iter()
        .rev()
        .map(|v| (short_date(v.valuation_date), v.amount.get()))
        .collect();
    let locale = c.locale;
    let title = c.t("valuation-history");
    let description = c.t("valuation-chart-desc");
    let draw = |id: &str, frame: Frame| {
        charts::line_from_zero(
            &Caption {
                id,
                title: &title,
                description: &description,
            },
            frame,
            &points,
            &|v| ui::format::yen_compact(v, locale),
        )
    };
    Drawings {
        wide: draw("valuations", Frame::LINE),
        phone: draw("valuations-phone", Frame::PHONE),
    }
}

/// A date short enough for a chart axis: `2026/12/7`, the same in both languages.
fn short_date(d: Date) -> String {
    format!("{}/{}/{}", d.year(), u8::from(d.month()), d.day())
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
        Ok(_) => Ok(redirect("/assets", Notice::AssetCreated).into_response()),
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
        acquisition_cost: asset
            .acquisition_cost
            .map(|c| c.get().to_string())
            .unwrap_or_default(),
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
    Ok(redirect(&format!("/assets/{id}"), Notice::AssetUpdated).into_response())
}

/// `GET /assets/{id}/delete`: asks for confirmation.
pub async fn delete_confirm(
    State(state): State<AppState>,
    customer: Customer,
    Path(raw): Path<String>,
) -> PageResult {
    let asset = state.assets.get(customer.id, parse_id(&raw)?).await?;
    let c = customer.visitor.chrome();
    Ok(Html(render(&DeletePage {
        amount: signed_yen(asset.category, asset.amount.get(), c.locale),
        c,
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
    Ok(redirect("/assets", Notice::AssetDeleted).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use assets::Yen;
    use time::macros::date;

    fn asset(category: Category, name: &str, amount: i64) -> Asset {
        Asset {
            id: AssetId::new(),
            category,
            name: name.to_owned(),
            institution: String::new(),
            amount: Yen::from_stored(amount).unwrap(),
            valuation_date: date!(2026 - 12 - 01),
            note: String::new(),
            acquisition_cost: None,
            updated_at: 0,
        }
    }

    #[test]
    fn groups_follow_the_japanese_order_with_liabilities_last_and_negative() {
        let held = vec![
            asset(Category::Liabilities, "住宅ローン", 29_800_000),
            asset(Category::CryptoAssets, "ビットコイン", 100_000),
            asset(Category::Stocks, "A社株式", 500_000),
            asset(Category::Deposits, "普通預金", 1_000_000),
            asset(Category::Deposits, "定期預金", 3_000_000),
        ];
        let g = groups(&held, Locale::Ja, date!(2026 - 12 - 07));
        let codes: Vec<&str> = g.iter().map(|g| g.code).collect();
        assert_eq!(
            codes,
            ["deposits", "stocks", "crypto_assets", "liabilities"]
        );
        assert_eq!(g[0].subtotal, "4,000,000円");
        assert_eq!(g[0].rows[0].name, "定期預金");
        assert_eq!(g[3].subtotal, "-29,800,000円");
        assert!(g[3].liability);
        assert_eq!(g[3].rows[0].amount, "-29,800,000円");
    }

    #[test]
    fn a_valuation_is_stale_after_ninety_days() {
        let today = date!(2026 - 12 - 07);
        assert!(!is_stale(today - Duration::days(90), today));
        assert!(is_stale(today - Duration::days(91), today));
    }

    #[test]
    fn valuation_rows_show_the_change_from_the_one_before() {
        let v = |d: Date, amount: i64| Valuation {
            valuation_date: d,
            amount: Yen::from_stored(amount).unwrap(),
            recorded_at: 0,
        };
        let rows = valuation_rows(
            &[
                v(date!(2026 - 12 - 01), 1_200_000),
                v(date!(2026 - 11 - 01), 1_000_000),
            ],
            Locale::Ja,
        );
        assert_eq!(rows[0].change, "+200,000円");
        assert_eq!(rows[1].change, "—");
    }
}
