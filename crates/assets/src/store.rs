//! SQL for the asset ledger. Every statement is scoped by `customer_id`.

use platform::db::{DbError, WriteTx, col, parsed};
use platform::ids::{AssetId, CustomerId};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use time::Date;

use crate::{Category, Yen};

/// A stored asset row, fields still sealed.
pub(crate) struct AssetRow {
    pub id: AssetId,
    pub category: Category,
    pub name_enc: Vec<u8>,
    pub institution_enc: Vec<u8>,
    pub note_enc: Vec<u8>,
    pub amount: Yen,
    pub valuation_date: Date,
    pub acquisition_cost: Option<Yen>,
    pub updated_at: i64,
}

/// What a write stores.
pub(crate) struct AssetValues {
    pub category: Category,
    pub name_enc: Vec<u8>,
    pub institution_enc: Vec<u8>,
    pub note_enc: Vec<u8>,
    pub amount: Yen,
    pub valuation_date: Date,
    pub acquisition_cost: Option<Yen>,
}

/// One recorded change: the basis of net worth over time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEntry {
    /// Order of recording.
    pub seq: i64,
    /// Which asset.
    pub asset: AssetId,
    /// Its category at that time.
    pub category: Category,
    /// Its amount at that time; zero once deleted.
    pub amount: i64,
    /// Date the amount applies from.
    pub valuation_date: Date,
    /// True when the asset was removed.
    pub deleted: bool,
}

fn date_of(row: &AnyRow, column: &'static str) -> Result<Date, DbError> {
    let raw: String = col(row, column)?;
    Date::parse(
        &raw,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| DbError::Corrupt { column })
}

fn category_of(row: &AnyRow) -> Result<Category, DbError> {
    let raw: String = col(row, "category")?;
    Category::from_code(&raw).ok_or(DbError::Corrupt { column: "category" })
}

fn yen_of(row: &AnyRow, column: &'static str) -> Result<Yen, DbError> {
    Yen::from_stored(col(row, column)?).ok_or(DbError::Corrupt { column })
}

fn asset_from(row: &AnyRow) -> Result<AssetRow, DbError> {
    let cost: Option<i64> = col(row, "acquisition_cost_yen")?;
    Ok(AssetRow {
        id: parsed(row, "id")?,
        category: category_of(row)?,
        name_enc: col(row, "name_enc")?,
        institution_enc: col(row, "institution_enc")?,
        note_enc: col(row, "note_enc")?,
        amount: yen_of(row, "amount_yen")?,
        valuation_date: date_of(row, "valuation_date")?,
        acquisition_cost: cost
            .map(|c| {
                Yen::from_stored(c).ok_or(DbError::Corrupt {
                    column: "acquisition_cost_yen",
                })
            })
            .transpose()?,
        updated_at: col(row, "updated_at")?,
    })
}

const ASSET_COLUMNS: &str = "id, category, name_enc, institution_enc, note_enc, amount_yen, valuation_date, \
     acquisition_cost_yen, updated_at";

pub(crate) async fn list(
    conn: &mut AnyConnection,
    customer: CustomerId,
) -> Result<Vec<AssetRow>, DbError> {
    let sql = format!(
        "SELECT {ASSET_COLUMNS} FROM assets WHERE customer_id = $1 ORDER BY category, valuation_date DESC, id"
    );
    let rows = sqlx::query(&sql)
        .bind(customer.to_string())
        .fetch_all(conn)
        .await?;
    rows.iter().map(asset_from).collect()
}

pub(crate) async fn get(
    conn: &mut AnyConnection,
    customer: CustomerId,
    id: AssetId,
) -> Result<Option<AssetRow>, DbError> {
    let sql = format!("SELECT {ASSET_COLUMNS} FROM assets WHERE id = $1 AND customer_id = $2");
    let row = sqlx::query(&sql)
        .bind(id.to_string())
        .bind(customer.to_string())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(asset_from).transpose()
}

pub(crate) async fn count(conn: &mut AnyConnection, customer: CustomerId) -> Result<i64, DbError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM assets WHERE customer_id = $1")
        .bind(customer.to_string())
        .fetch_one(conn)
        .await?;
    col(&row, "n")
}

pub(crate) async fn insert(
    tx: &mut WriteTx,
    customer: CustomerId,
    id: AssetId,
    v: &AssetValues,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO assets (id, customer_id, category, name_enc, institution_enc, note_enc, amount_yen, valuation_date, \
         acquisition_cost_yen, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(id.to_string())
    .bind(customer.to_string())
    .bind(v.category.code())
    .bind(&v.name_enc)
    .bind(&v.institution_enc)
    .bind(&v.note_enc)
    .bind(v.amount.get())
    .bind(platform::fields::iso_date(v.valuation_date))
    .bind(v.acquisition_cost.map(Yen::get))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Returns false when the customer has no such asset.
pub(crate) async fn update(
    tx: &mut WriteTx,
    customer: CustomerId,
    id: AssetId,
    v: &AssetValues,
    now: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE assets SET category = $1, name_enc = $2, institution_enc = $3, note_enc = $4, amount_yen = $5, \
         valuation_date = $6, acquisition_cost_yen = $7, updated_at = $8 WHERE id = $9 AND customer_id = $10",
    )
    .bind(v.category.code())
    .bind(&v.name_enc)
    .bind(&v.institution_enc)
    .bind(&v.note_enc)
    .bind(v.amount.get())
    .bind(platform::fields::iso_date(v.valuation_date))
    .bind(v.acquisition_cost.map(Yen::get))
    .bind(now)
    .bind(id.to_string())
    .bind(customer.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Where a valuation left the holding.
pub(crate) struct Revalued {
    /// The holding's category, for the history entry.
    pub category: Category,
    /// True when the valuation became the holding's current amount and date.
    pub current: bool,
}

/// Applies a valuation to the holding if it is dated on or after the current valuation date
/// (a later or same-day value replaces the current one; an earlier one leaves it). One
/// statement, so two valuations at once cannot both read the old date; ISO dates compare as
/// text. `None` when the customer has no such asset.
pub(crate) async fn revalue(
    tx: &mut WriteTx,
    customer: CustomerId,
    id: AssetId,
    amount: Yen,
    date: Date,
    now: i64,
) -> Result<Option<Revalued>, DbError> {
    let row = sqlx::query(
        "UPDATE assets SET \
         amount_yen = CASE WHEN valuation_date <= $1 THEN $2 ELSE amount_yen END, \
         updated_at = CASE WHEN valuation_date <= $1 THEN $3 ELSE updated_at END, \
         valuation_date = CASE WHEN valuation_date <= $1 THEN $1 ELSE valuation_date END \
         WHERE id = $4 AND customer_id = $5 RETURNING category, valuation_date",
    )
    .bind(platform::fields::iso_date(date))
    .bind(amount.get())
    .bind(now)
    .bind(id.to_string())
    .bind(customer.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref()
        .map(|r| {
            Ok(Revalued {
                category: category_of(r)?,
                current: date_of(r, "valuation_date")? == date,
            })
        })
        .transpose()
}

/// True when the customer has this asset.
pub(crate) async fn exists(
    conn: &mut AnyConnection,
    customer: CustomerId,
    id: AssetId,
) -> Result<bool, DbError> {
    let row = sqlx::query("SELECT 1 AS one FROM assets WHERE id = $1 AND customer_id = $2")
        .bind(id.to_string())
        .bind(customer.to_string())
        .fetch_optional(conn)
        .await?;
    Ok(row.is_some())
}

/// Returns the deleted asset's category, or `None` when the customer has no such asset.
pub(crate) async fn delete(
    tx: &mut WriteTx,
    customer: CustomerId,
    id: AssetId,
) -> Result<Option<Category>, DbError> {
    let row =
        sqlx::query("DELETE FROM assets WHERE id = $1 AND customer_id = $2 RETURNING category")
            .bind(id.to_string())
            .bind(customer.to_string())
            .fetch_optional(&mut **tx)
            .await?;
    row.as_ref().map(category_of).transpose()
}

/// The kind of change a history entry records.
#[derive(Clone, Copy)]
pub(crate) enum Change {
    Created,
    Updated,
    Deleted,
}

impl Change {
    fn as_str(self) -> &'static str {
        match self {
            Change::Created => "created",
            Change::Updated => "updated",
            Change::Deleted => "deleted",
        }
    }
}

/// Records one change.
pub(crate) struct Recorded {
    pub asset: AssetId,
    pub category: Category,
    pub change: Change,
    pub amount: i64,
    pub valuation_date: Date,
}

pub(crate) async fn record(
    tx: &mut WriteTx,
    customer: CustomerId,
    r: &Recorded,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO asset_history (asset_id, customer_id, category, change, amount_yen, valuation_date, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(r.asset.to_string())
    .bind(customer.to_string())
    .bind(r.category.code())
    .bind(r.change.as_str())
    .bind(r.amount)
    .bind(platform::fields::iso_date(r.valuation_date))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A value of one holding on one date, as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Valuation {
    /// The date the amount applies from.
    pub valuation_date: Date,
    /// The amount on that date.
    pub amount: Yen,
    /// When it was recorded, seconds since the epoch.
    pub recorded_at: i64,
}

/// One holding's values, newest date first, one per date: of several entries on the same date
/// the one recorded last (highest sequence), the rule [`crate::series`] follows too.
pub(crate) async fn valuations(
    conn: &mut AnyConnection,
    customer: CustomerId,
    id: AssetId,
) -> Result<Vec<Valuation>, DbError> {
    let rows = sqlx::query(
        "SELECT amount_yen, valuation_date, recorded_at FROM asset_history \
         WHERE customer_id = $1 AND asset_id = $2 AND change <> 'deleted' \
         ORDER BY valuation_date DESC, id DESC",
    )
    .bind(customer.to_string())
    .bind(id.to_string())
    .fetch_all(conn)
    .await?;
    let mut out: Vec<Valuation> = Vec::new();
    for r in &rows {
        let valuation_date = date_of(r, "valuation_date")?;
        if out
            .last()
            .is_some_and(|v| v.valuation_date == valuation_date)
        {
            continue;
        }
        out.push(Valuation {
            valuation_date,
            amount: yen_of(r, "amount_yen")?,
            recorded_at: col(r, "recorded_at")?,
        });
    }
    Ok(out)
}

pub(crate) async fn history(
    conn: &mut AnyConnection,
    customer: CustomerId,
) -> Result<Vec<HistoryEntry>, DbError> {
    let rows = sqlx::query(
        "SELECT id, asset_id, category, change, amount_yen, valuation_date FROM asset_history \
         WHERE customer_id = $1 ORDER BY valuation_date, id",
    )
    .bind(customer.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let change: String = col(r, "change")?;
            Ok(HistoryEntry {
                seq: col(r, "id")?,
                asset: parsed(r, "asset_id")?,
                category: category_of(r)?,
                amount: col(r, "amount_yen")?,
                valuation_date: date_of(r, "valuation_date")?,
                deleted: change == "deleted",
            })
        })
        .collect()
}
