//! The customer directory for the back office: the list of customers with filters, search and
//! sorting, one customer's details, and batched reads for the list's export.
//!
//! Names and addresses are sealed per customer, so the database cannot search them. Keyed
//! blind indexes make a search possible without holding them in clear: the whole-address
//! e-mail index every customer row already has, and `customer_search_index` — keyed hashes of
//! every prefix (from two characters) of the kana reading and of its parts, of the name as
//! written whole and by part, and of every prefix (from three characters) of the address's local
//! part, each kind under its own key. A search is one token compared exactly; there is no
//! substring search (`docs/adr/0007-blind-index-for-kana-search.md`,
//! `docs/adr/0012-prefix-and-kanji-search-index.md`). The customer number is in clear and
//! searched as it is. Only the rows of the page asked for are decrypted.

mod numbers;
mod query;
mod reading;
mod search_index;

use platform::crypto::Keyring;
use platform::db::{DbError, WriteTx, col, parsed};
use platform::ids::{CustomerId, CustomerNumber};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use time::Date;

use self::query::{Bind, Binds, PREMIUM};
use self::reading::insert_tokens;
use crate::profile::open;
use crate::signup::SignupRequest;
use crate::store::CustomerStatus;
use crate::{Identity, IdentityError};

pub use self::query::{
    DirectoryQuery, PageNumber, SEARCH_MAX_CHARS, SearchError, SearchTerm, SortOrder, StatusFilter,
};
pub(crate) use self::reading::write_name_index;
use self::search_index::write_email_index;
pub use self::search_index::{EMAIL_PREFIX_MIN, KANA_PREFIX_MIN};

/// Indexes a customer being registered and issues their customer number; call in the
/// sign-up's transaction, after the customer row is written.
pub(crate) async fn index_new_customer(
    keyring: &Keyring,
    tx: &mut WriteTx,
    id: CustomerId,
    req: &SignupRequest,
) -> Result<CustomerNumber, DbError> {
    write_name_index(
        keyring,
        tx,
        id,
        req.name_kanji.as_str(),
        req.name_kana.as_str(),
    )
    .await?;
    write_email_index(keyring, tx, id, req.email.as_str()).await?;
    numbers::issue(tx, id).await
}

/// Rows on one page of the list.
pub const PAGE_SIZE: u32 = 50;
/// Rows read and decrypted at a time by an export.
const EXPORT_BATCH: i64 = 200;
/// Customers indexed per transaction by the start-up backfill.
const BACKFILL_BATCH: i64 = 200;

/// One customer in the list, decrypted for this view.
#[derive(Clone)]
pub struct DirectoryRow {
    /// Internal identifier (addresses of the staff pages).
    pub id: CustomerId,
    /// Customer number as people read it; `None` until the start-up backfill has run.
    pub number: Option<CustomerNumber>,
    /// Name in kanji.
    pub name_kanji: String,
    /// Name in katakana.
    pub name_kana: String,
    /// Login address.
    pub email: String,
    /// Account state.
    pub status: CustomerStatus,
    /// Holds the premium entitlement.
    pub premium: bool,
    /// Registered at (Unix seconds).
    pub registered_at: i64,
    /// Last successful login (Unix seconds), if any.
    pub last_login_at: Option<i64>,
}

/// One page of the list.
pub struct DirectoryPage {
    /// The rows, decrypted; empty beyond the last page.
    pub rows: Vec<DirectoryRow>,
    /// Customers matching the query on every page.
    pub total: i64,
    /// The page asked for.
    pub page: u32,
    /// The last page with rows (1 when nothing matches).
    pub last_page: u32,
}

impl DirectoryPage {
    /// True when the page asked for lies beyond the last one.
    pub fn beyond_end(&self) -> bool {
        self.page > self.last_page
    }
}

/// A customer's details, decrypted for an operator's view.
pub struct CustomerDetails {
    /// Internal identifier (addresses of the staff pages).
    pub id: CustomerId,
    /// Customer number as people read it; `None` until the start-up backfill has run.
    pub number: Option<CustomerNumber>,
    /// Name in kanji.
    pub name_kanji: String,
    /// Name in katakana.
    pub name_kana: String,
    /// Date of birth.
    pub birth_date: Date,
    /// Login address.
    pub email: String,
    /// Account state.
    pub status: CustomerStatus,
    /// Holds the premium entitlement.
    pub premium: bool,
    /// Registered at (Unix seconds).
    pub registered_at: i64,
    /// Last successful login (Unix seconds), if any.
    pub last_login_at: Option<i64>,
}

const ROW_COLUMNS: &str = "c.id, c.customer_number, c.email_enc, c.name_kanji_enc, \
                           c.name_kana_enc, c.status, c.created_at, c.last_login_at";

fn status_from(code: &str) -> Result<CustomerStatus, DbError> {
    [
        CustomerStatus::Unverified,
        CustomerStatus::Active,
        CustomerStatus::Disabled,
    ]
    .into_iter()
    .find(|s| s.as_str() == code)
    .ok_or(DbError::Corrupt { column: "status" })
}

/// A listed row before decryption.
struct SealedRow {
    id: CustomerId,
    number: Option<CustomerNumber>,
    email_enc: Vec<u8>,
    name_kanji_enc: Vec<u8>,
    name_kana_enc: Vec<u8>,
    status: CustomerStatus,
    premium: bool,
    registered_at: i64,
    last_login_at: Option<i64>,
    sort_key: i64,
}

fn sealed_row(row: &AnyRow) -> Result<SealedRow, DbError> {
    let status: String = col(row, "status")?;
    let premium: i64 = col(row, "premium")?;
    Ok(SealedRow {
        id: parsed(row, "id")?,
        number: numbers::stored(row)?,
        email_enc: col(row, "email_enc")?,
        name_kanji_enc: col(row, "name_kanji_enc")?,
        name_kana_enc: col(row, "name_kana_enc")?,
        status: status_from(&status)?,
        premium: premium != 0,
        registered_at: col(row, "created_at")?,
        last_login_at: col(row, "last_login_at")?,
        sort_key: col(row, "sort_key")?,
    })
}

// ---------------------------------------------------------------------------------------------
// Reading the directory
// ---------------------------------------------------------------------------------------------

impl Identity {
    /// One page of the customer list; a page beyond the last one comes back empty.
    pub async fn customer_directory(
        &self,
        query: &DirectoryQuery,
        page: PageNumber,
    ) -> Result<DirectoryPage, IdentityError> {
        let mut tx = self.db.read().await?;
        let mut binds = Binds::default();
        let condition = query.condition(&self.keyring, &mut binds);
        let sql = format!("SELECT COUNT(*) AS n FROM customers c WHERE {condition}");
        let row = binds.apply(sqlx::query(&sql)).fetch_one(&mut *tx).await?;
        let total: i64 = col(&row, "n")?;
        let last_page =
            u32::try_from((total.max(1) + i64::from(PAGE_SIZE) - 1) / i64::from(PAGE_SIZE))
                .unwrap_or(u32::MAX);
        let mut out = DirectoryPage {
            rows: Vec::new(),
            total,
            page: page.get(),
            last_page,
        };
        if out.beyond_end() || total == 0 {
            return Ok(out);
        }
        let mut binds = Binds::default();
        let condition = query.condition(&self.keyring, &mut binds);
        let limit = binds.add(Bind::Int(i64::from(PAGE_SIZE)));
        let offset = binds.add(Bind::Int(
            (i64::from(page.get()) - 1) * i64::from(PAGE_SIZE),
        ));
        let sql = format!(
            "SELECT {ROW_COLUMNS}, CASE WHEN {PREMIUM} THEN 1 ELSE 0 END AS premium, {key} AS sort_key \
             FROM customers c WHERE {condition} ORDER BY {order} LIMIT {limit} OFFSET {offset}",
            key = query.sort.key(),
            order = query.order_by(),
        );
        let rows = binds.apply(sqlx::query(&sql)).fetch_all(&mut *tx).await?;
        for row in &rows {
            let sealed = sealed_row(row)?;
            out.rows.push(self.open_row(&mut tx, sealed).await?);
        }
        Ok(out)
    }

    /// Every customer matching `query`, read in batches for an export.
    pub fn export_directory(&self, query: DirectoryQuery) -> DirectoryExport<'_> {
        DirectoryExport {
            identity: self,
            query,
            after: None,
            finished: false,
        }
    }

    /// A customer's details for an operator; `None` for an unknown customer.
    pub async fn customer_details(
        &self,
        id: CustomerId,
    ) -> Result<Option<CustomerDetails>, IdentityError> {
        let mut tx = self.db.read().await?;
        let sql = format!(
            "SELECT c.customer_number, c.created_at, c.last_login_at, CASE WHEN {PREMIUM} THEN 1 ELSE 0 END AS premium \
             FROM customers c WHERE c.id = $1"
        );
        let Some(row) = sqlx::query(&sql)
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(None);
        };
        let premium: i64 = col(&row, "premium")?;
        let number = numbers::stored(&row)?;
        let registered_at: i64 = col(&row, "created_at")?;
        let last_login_at: Option<i64> = col(&row, "last_login_at")?;
        let profile = self.decrypt_profile(&mut tx, id).await?;
        Ok(Some(CustomerDetails {
            id,
            number,
            name_kanji: profile.name_kanji,
            name_kana: profile.name_kana,
            birth_date: profile.birth_date,
            email: profile.email,
            status: profile.status,
            premium: premium != 0,
            registered_at,
            last_login_at,
        }))
    }

    async fn open_row(
        &self,
        conn: &mut AnyConnection,
        row: SealedRow,
    ) -> Result<DirectoryRow, IdentityError> {
        let id = row.id;
        let key = self
            .keyring
            .customer_key(conn, id)
            .await?
            .ok_or(IdentityError::Shredded)?;
        Ok(DirectoryRow {
            id,
            number: row.number,
            name_kanji: open(&key, id, "name_kanji", &row.name_kanji_enc)?,
            name_kana: open(&key, id, "name_kana", &row.name_kana_enc)?,
            email: open(&key, id, "email", &row.email_enc)?,
            status: row.status,
            premium: row.premium,
            registered_at: row.registered_at,
            last_login_at: row.last_login_at,
        })
    }

    /// Writes the search index of every customer who lacks one (customers registered before
    /// the kana index, or before the prefix and name index of ADR 0012, or restored without
    /// them); returns how many were indexed. Safe to run at every start and on several instances
    /// at once.
    pub async fn index_missing_names(&self) -> Result<u64, IdentityError> {
        let mut indexed = 0;
        let mut after = String::new();
        loop {
            let ids: Vec<CustomerId> = {
                let mut tx = self.db.read().await?;
                let rows = sqlx::query(
                    "SELECT c.id FROM customers c WHERE c.id > $1 AND (NOT EXISTS \
                     (SELECT 1 FROM customer_name_index n WHERE n.customer_id = c.id) \
                     OR NOT EXISTS \
                     (SELECT 1 FROM customer_search_index s WHERE s.customer_id = c.id)) \
                     ORDER BY c.id LIMIT $2",
                )
                .bind(&after)
                .bind(BACKFILL_BATCH)
                .fetch_all(&mut *tx)
                .await?;
                rows.iter()
                    .map(|r| parsed(r, "id"))
                    .collect::<Result<_, _>>()?
            };
            let Some(last) = ids.last() else { break };
            after = last.to_string();
            let mut tx = self.db.write().await?;
            for id in ids {
                if self.index_one(&mut tx, id).await? {
                    indexed += 1;
                }
            }
            tx.commit().await?;
        }
        if indexed > 0 {
            tracing::info!(
                customers = indexed,
                "customers indexed for the customer search"
            );
        }
        Ok(indexed)
    }

    /// Indexes one customer if they still lack tokens in either index. The no-op update locks
    /// the row, so a profile change running at the same time either finishes first (and its
    /// tokens are seen here) or waits for this transaction (and then replaces these tokens).
    async fn index_one(&self, tx: &mut WriteTx, id: CustomerId) -> Result<bool, IdentityError> {
        let Some(row) = sqlx::query(
            "UPDATE customers SET updated_at = updated_at WHERE id = $1 \
             RETURNING name_kana_enc, name_kanji_enc, email_enc",
        )
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?
        else {
            return Ok(false);
        };
        let exact_missing = count_for(
            tx,
            "SELECT COUNT(*) AS n FROM customer_name_index WHERE customer_id = $1",
            id,
        )
        .await?
            == 0;
        let search_missing = count_for(
            tx,
            "SELECT COUNT(*) AS n FROM customer_search_index WHERE customer_id = $1",
            id,
        )
        .await?
            == 0;
        if !exact_missing && !search_missing {
            return Ok(false);
        }
        let Some(key) = self.keyring.customer_key(tx, id).await? else {
            return Ok(false);
        };
        let sealed = |column: &'static str| col::<Vec<u8>>(&row, column);
        let reading = open(&key, id, "name_kana", &sealed("name_kana_enc")?)?;
        if exact_missing {
            insert_tokens(&self.keyring, tx, id, &reading).await?;
        }
        if search_missing {
            let kanji = open(&key, id, "name_kanji", &sealed("name_kanji_enc")?)?;
            let email = open(&key, id, "email", &sealed("email_enc")?)?;
            search_index::insert_name_tokens(&self.keyring, tx, id, &kanji, &reading).await?;
            write_email_index(&self.keyring, tx, id, &email).await?;
        }
        Ok(true)
    }
}

/// The count `sql` (with the customer as `$1`) finds.
async fn count_for(tx: &mut WriteTx, sql: &str, id: CustomerId) -> Result<i64, DbError> {
    let row = sqlx::query(sql)
        .bind(id.to_string())
        .fetch_one(&mut **tx)
        .await?;
    col(&row, "n")
}

/// Reads the customers of an export in batches, in the query's order, by keyset (the last row's
/// sort key and customer number), each batch in a short read transaction of its own: memory
/// holds one batch of decrypted rows at a time, and no transaction stays open for the whole
/// export. A customer whose last login changes during the export may appear twice or not at all
/// in the last-login order; registration order is stable.
pub struct DirectoryExport<'a> {
    identity: &'a Identity,
    query: DirectoryQuery,
    after: Option<(i64, CustomerId)>,
    finished: bool,
}

impl DirectoryExport<'_> {
    /// The next batch of decrypted rows, or `None` when every row has been read.
    pub async fn next_batch(&mut self) -> Result<Option<Vec<DirectoryRow>>, IdentityError> {
        if self.finished {
            return Ok(None);
        }
        let identity = self.identity;
        let mut tx = identity.db.read().await?;
        let mut binds = Binds::default();
        let mut condition = self.query.condition(&identity.keyring, &mut binds);
        if let Some(after) = &self.after {
            condition = format!("{condition} AND {}", self.query.after(after, &mut binds));
        }
        let limit = binds.add(Bind::Int(EXPORT_BATCH));
        let sql = format!(
            "SELECT {ROW_COLUMNS}, CASE WHEN {PREMIUM} THEN 1 ELSE 0 END AS premium, {key} AS sort_key \
             FROM customers c WHERE {condition} ORDER BY {order} LIMIT {limit}",
            key = self.query.sort.key(),
            order = self.query.order_by(),
        );
        let rows = binds.apply(sqlx::query(&sql)).fetch_all(&mut *tx).await?;
        if (rows.len() as i64) < EXPORT_BATCH {
            self.finished = true;
        }
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let sealed = sealed_row(row)?;
            self.after = Some((sealed.sort_key, sealed.id));
            out.push(identity.open_row(&mut tx, sealed).await?);
        }
        if out.is_empty() {
            return Ok(None);
        }
        Ok(Some(out))
    }
}
