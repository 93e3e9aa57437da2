//! The customer directory for the back office: the list of customers with filters, search and
//! sorting, one customer's details, and batched reads for the list's export.
//!
//! Names and addresses are sealed per customer, so the database cannot search them. Two keyed
//! blind indexes make a search possible without holding them in clear: the e-mail index every
//! customer row already has, and the kana index in `customer_name_index` — a keyed hash of the
//! whole reading without spaces and of each of its space-separated parts (family name, given
//! name). A search matches one of those exactly; there is no substring search (see
//! `docs/adr/0007-blind-index-for-kana-search.md`). Only the rows of the page asked for are
//! decrypted.

use std::fmt;

use platform::crypto::Keyring;
use platform::db::{DbError, WriteTx, col, parsed};
use platform::ids::CustomerId;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{Any, AnyConnection};
use time::Date;

use crate::fields::Email;
use crate::profile::open;
use crate::store::CustomerStatus;
use crate::{Identity, IdentityError};

/// Rows on one page of the list.
pub const PAGE_SIZE: u32 = 50;
/// Longest search text accepted, in characters.
pub const SEARCH_MAX_CHARS: usize = 100;
/// Rows read and decrypted at a time by an export.
const EXPORT_BATCH: i64 = 200;
/// Customers indexed per transaction by the start-up backfill.
const BACKFILL_BATCH: i64 = 200;

/// Whether the customer holds the premium entitlement, as an SQL expression over `c`.
const PREMIUM: &str =
    "EXISTS (SELECT 1 FROM entitlements e WHERE e.customer_id = c.id AND e.name = 'premium')";

// ---------------------------------------------------------------------------------------------
// Kana readings and their blind index
// ---------------------------------------------------------------------------------------------

/// Full-width forms of the half-width katakana U+FF61–U+FF9D, as NFKC maps them.
const HALF_WIDTH: [char; 61] = [
    '。', '「', '」', '、', '・', 'ヲ', 'ァ', 'ィ', 'ゥ', 'ェ', 'ォ', 'ャ', 'ュ', 'ョ', 'ッ', 'ー',
    'ア', 'イ', 'ウ', 'エ', 'オ', 'カ', 'キ', 'ク', 'ケ', 'コ', 'サ', 'シ', 'ス', 'セ', 'ソ', 'タ',
    'チ', 'ツ', 'テ', 'ト', 'ナ', 'ニ', 'ヌ', 'ネ', 'ノ', 'ハ', 'ヒ', 'フ', 'ヘ', 'ホ', 'マ', 'ミ',
    'ム', 'メ', 'モ', 'ヤ', 'ユ', 'ヨ', 'ラ', 'リ', 'ル', 'レ', 'ロ', 'ワ', 'ン',
];

/// The katakana a voiced sound mark (゛) turns `c` into.
fn voiced(c: char) -> Option<char> {
    match c {
        'カ' | 'キ' | 'ク' | 'ケ' | 'コ' | 'サ' | 'シ' | 'ス' | 'セ' | 'ソ' | 'タ' | 'チ'
        | 'ツ' | 'テ' | 'ト' | 'ハ' | 'ヒ' | 'フ' | 'ヘ' | 'ホ' => {
            char::from_u32(c as u32 + 1)
        }
        'ウ' => Some('ヴ'),
        'ワ' => Some('ヷ'),
        'ヲ' => Some('ヺ'),
        _ => None,
    }
}

/// The katakana a semi-voiced sound mark (゜) turns `c` into.
fn semi_voiced(c: char) -> Option<char> {
    match c {
        'ハ' | 'ヒ' | 'フ' | 'ヘ' | 'ホ' => char::from_u32(c as u32 + 2),
        _ => None,
    }
}

/// Folds a reading to full-width katakana, keeping its spaces: half-width katakana become
/// full-width with their sound marks combined (as NFKC does), hiragana become katakana.
fn fold_reading(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        let c = match c {
            '\u{FF61}'..='\u{FF9D}' => HALF_WIDTH[(c as u32 - 0xFF61) as usize],
            '\u{3041}'..='\u{3096}' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
            '\u{FF9E}' => '\u{3099}',
            '\u{FF9F}' => '\u{309A}',
            _ => c,
        };
        let combine = match c {
            '\u{3099}' => voiced,
            '\u{309A}' => semi_voiced,
            _ => {
                out.push(c);
                continue;
            }
        };
        match out.pop() {
            Some(base) => match combine(base) {
                Some(combined) => out.push(combined),
                None => {
                    out.push(base);
                    out.push(c);
                }
            },
            None => out.push(c),
        }
    }
    out
}

/// A reading as searched: folded to full-width katakana, every space (U+3000 too) removed.
fn search_reading(raw: &str) -> String {
    fold_reading(raw).split_whitespace().collect()
}

/// True for a non-empty reading of katakana, long-vowel marks and middle dots only.
fn is_reading(folded: &str) -> bool {
    !folded.is_empty()
        && folded
            .chars()
            .all(|c| matches!(c, '\u{30A1}'..='\u{30FA}' | 'ー' | '・'))
}

/// What a registered reading is found by: the whole reading without spaces, then each of its
/// space-separated parts, each once.
fn reading_tokens(registered: &str) -> Vec<String> {
    let folded = fold_reading(registered);
    let parts: Vec<&str> = folded.split_whitespace().collect();
    let mut tokens = vec![parts.concat()];
    for part in parts {
        if !tokens.iter().any(|t| t == part) {
            tokens.push(part.to_owned());
        }
    }
    tokens.retain(|t| !t.is_empty());
    tokens
}

async fn insert_tokens(
    keyring: &Keyring,
    tx: &mut WriteTx,
    id: CustomerId,
    reading: &str,
) -> Result<(), DbError> {
    for token in reading_tokens(reading) {
        sqlx::query(
            "INSERT INTO customer_name_index (customer_id, token) VALUES ($1, $2) \
             ON CONFLICT (customer_id, token) DO NOTHING",
        )
        .bind(id.to_string())
        .bind(keyring.name_index(&token))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Replaces the customer's kana index with the tokens of `reading`; call in the transaction
/// that stores the reading.
pub(crate) async fn write_name_index(
    keyring: &Keyring,
    tx: &mut WriteTx,
    id: CustomerId,
    reading: &str,
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM customer_name_index WHERE customer_id = $1")
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    insert_tokens(keyring, tx, id, reading).await
}

// ---------------------------------------------------------------------------------------------
// What the list asks for
// ---------------------------------------------------------------------------------------------

/// Which customers to list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StatusFilter {
    /// Everyone.
    #[default]
    All,
    /// Signed up, address not confirmed.
    Unverified,
    /// Confirmed and usable, premium or not.
    Active,
    /// Active with the premium entitlement.
    Premium,
    /// Blocked by the bank.
    Disabled,
}

impl StatusFilter {
    /// Every filter, in the order the list offers them.
    pub const ALL: [StatusFilter; 5] = [
        StatusFilter::All,
        StatusFilter::Unverified,
        StatusFilter::Active,
        StatusFilter::Premium,
        StatusFilter::Disabled,
    ];

    /// The code used in addresses and forms.
    pub fn code(self) -> &'static str {
        match self {
            StatusFilter::All => "all",
            StatusFilter::Unverified => "unverified",
            StatusFilter::Active => "active",
            StatusFilter::Premium => "premium",
            StatusFilter::Disabled => "disabled",
        }
    }

    /// Parses a code; an empty one means everyone.
    pub fn parse(code: &str) -> Option<Self> {
        if code.is_empty() {
            return Some(StatusFilter::All);
        }
        Self::ALL.into_iter().find(|f| f.code() == code)
    }
}

/// The order of the list. Customers who never logged in come last in both directions of the
/// last-login order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortOrder {
    /// Newest registration first.
    #[default]
    RegisteredDesc,
    /// Oldest registration first.
    RegisteredAsc,
    /// Most recent login first.
    LastLoginDesc,
    /// Least recent login first.
    LastLoginAsc,
}

impl SortOrder {
    /// Every order, in the order the list offers them.
    pub const ALL: [SortOrder; 4] = [
        SortOrder::RegisteredDesc,
        SortOrder::RegisteredAsc,
        SortOrder::LastLoginDesc,
        SortOrder::LastLoginAsc,
    ];

    /// The code used in addresses and forms.
    pub fn code(self) -> &'static str {
        match self {
            SortOrder::RegisteredDesc => "registered_desc",
            SortOrder::RegisteredAsc => "registered_asc",
            SortOrder::LastLoginDesc => "last_login_desc",
            SortOrder::LastLoginAsc => "last_login_asc",
        }
    }

    /// Parses a code; an empty one means the default order.
    pub fn parse(code: &str) -> Option<Self> {
        if code.is_empty() {
            return Some(SortOrder::default());
        }
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The sort key as SQL over `c`: a never-logged-in customer gets a key that sorts last.
    fn key(self) -> &'static str {
        match self {
            SortOrder::RegisteredDesc | SortOrder::RegisteredAsc => "c.created_at",
            SortOrder::LastLoginDesc => "COALESCE(c.last_login_at, -1)",
            SortOrder::LastLoginAsc => "COALESCE(c.last_login_at, 9223372036854775807)",
        }
    }

    fn descending(self) -> bool {
        matches!(self, SortOrder::RegisteredDesc | SortOrder::LastLoginDesc)
    }
}

/// Why a search text was refused; nothing is searched then.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    /// Longer than [`SEARCH_MAX_CHARS`].
    #[error("search text longer than {max} characters")]
    TooLong {
        /// The limit.
        max: usize,
    },
    /// Has an `@` but is not a whole e-mail address.
    #[error("not an e-mail address")]
    InvalidEmail,
    /// Neither an e-mail address nor a reading in kana.
    #[error("not a kana reading")]
    NotKana,
}

/// A valid search: a whole e-mail address, or a kana reading (whole or one part of it).
#[derive(Clone, PartialEq, Eq)]
pub enum SearchTerm {
    /// An address, normalised as at sign-up.
    Email(Email),
    /// A reading folded to full-width katakana without spaces.
    Kana(String),
}

impl SearchTerm {
    /// Parses what an operator typed: empty means no search; text with `@` must be an e-mail
    /// address; anything else must be a reading in katakana or hiragana (full- or half-width,
    /// with or without a space between the parts).
    pub fn parse(raw: &str) -> Result<Option<Self>, SearchError> {
        let raw = raw.trim_matches(|c: char| c.is_whitespace());
        if raw.is_empty() {
            return Ok(None);
        }
        if raw.chars().count() > SEARCH_MAX_CHARS {
            return Err(SearchError::TooLong {
                max: SEARCH_MAX_CHARS,
            });
        }
        if raw.contains(['@', '＠']) {
            return Email::parse(raw)
                .map(|e| Some(SearchTerm::Email(e)))
                .map_err(|_| SearchError::InvalidEmail);
        }
        let reading = search_reading(raw);
        if is_reading(&reading) {
            Ok(Some(SearchTerm::Kana(reading)))
        } else {
            Err(SearchError::NotKana)
        }
    }
}

impl fmt::Debug for SearchTerm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SearchTerm::Email(_) => "SearchTerm::Email(…)",
            SearchTerm::Kana(_) => "SearchTerm::Kana(…)",
        })
    }
}

/// A page of the list, from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageNumber(u32);

impl PageNumber {
    /// The first page.
    pub const FIRST: PageNumber = PageNumber(1);

    /// Parses a page number: digits only, at least 1; empty means the first page.
    pub fn parse(raw: &str) -> Option<Self> {
        if raw.is_empty() {
            return Some(Self::FIRST);
        }
        if !raw.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        raw.parse::<u32>().ok().filter(|n| *n >= 1).map(PageNumber)
    }

    /// The number.
    pub fn get(self) -> u32 {
        self.0
    }
}

/// Filters, search and order of a list or export.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DirectoryQuery {
    /// Which customers.
    pub status: StatusFilter,
    /// Whom to look for, if anyone.
    pub search: Option<SearchTerm>,
    /// In which order.
    pub sort: SortOrder,
}

/// One customer in the list, decrypted for this view.
#[derive(Clone)]
pub struct DirectoryRow {
    /// Customer number.
    pub id: CustomerId,
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
    /// Customer number.
    pub id: CustomerId,
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

// ---------------------------------------------------------------------------------------------
// SQL
// ---------------------------------------------------------------------------------------------

/// A value bound to a numbered placeholder.
enum Bind {
    Text(String),
    Bytes(Vec<u8>),
    Int(i64),
}

/// Placeholders and their values, numbered in the order they are added.
#[derive(Default)]
struct Binds(Vec<Bind>);

impl Binds {
    fn add(&mut self, value: Bind) -> String {
        self.0.push(value);
        format!("${}", self.0.len())
    }

    fn apply<'q>(
        self,
        mut query: sqlx::query::Query<'q, Any, AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, Any, AnyArguments<'q>> {
        for value in self.0 {
            query = match value {
                Bind::Text(v) => query.bind(v),
                Bind::Bytes(v) => query.bind(v),
                Bind::Int(v) => query.bind(v),
            };
        }
        query
    }
}

const ROW_COLUMNS: &str = "c.id, c.email_enc, c.name_kanji_enc, c.name_kana_enc, c.status, \
                           c.created_at, c.last_login_at";

impl DirectoryQuery {
    /// The `WHERE` condition over `c`, its values added to `binds`.
    fn condition(&self, keyring: &Keyring, binds: &mut Binds) -> String {
        let mut parts = Vec::new();
        match self.status {
            StatusFilter::All => {}
            StatusFilter::Unverified => parts.push(status_is(CustomerStatus::Unverified, binds)),
            StatusFilter::Active => parts.push(status_is(CustomerStatus::Active, binds)),
            StatusFilter::Disabled => parts.push(status_is(CustomerStatus::Disabled, binds)),
            StatusFilter::Premium => {
                parts.push(status_is(CustomerStatus::Active, binds));
                parts.push(PREMIUM.to_owned());
            }
        }
        match &self.search {
            None => {}
            Some(SearchTerm::Email(email)) => {
                let index = keyring.email_index(email.as_str()).0;
                parts.push(format!("c.email_index = {}", binds.add(Bind::Bytes(index))));
            }
            Some(SearchTerm::Kana(reading)) => {
                let token = keyring.name_index(reading);
                parts.push(format!(
                    "c.id IN (SELECT n.customer_id FROM customer_name_index n WHERE n.token = {})",
                    binds.add(Bind::Bytes(token))
                ));
            }
        }
        if parts.is_empty() {
            "1 = 1".to_owned()
        } else {
            parts.join(" AND ")
        }
    }

    fn order_by(&self) -> String {
        let dir = if self.sort.descending() {
            "DESC"
        } else {
            "ASC"
        };
        format!("{} {dir}, c.id {dir}", self.sort.key())
    }

    /// The rows after `after` (sort key and customer number of the last row read) in this
    /// query's order: the keyset condition of an export.
    fn after(&self, after: &(i64, CustomerId), binds: &mut Binds) -> String {
        let cmp = if self.sort.descending() { "<" } else { ">" };
        let key = self.sort.key();
        let k = binds.add(Bind::Int(after.0));
        let id = binds.add(Bind::Text(after.1.to_string()));
        format!("({key} {cmp} {k} OR ({key} = {k} AND c.id {cmp} {id}))")
    }
}

fn status_is(status: CustomerStatus, binds: &mut Binds) -> String {
    format!(
        "c.status = {}",
        binds.add(Bind::Text(status.as_str().to_owned()))
    )
}

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
            "SELECT c.created_at, c.last_login_at, CASE WHEN {PREMIUM} THEN 1 ELSE 0 END AS premium \
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
        let registered_at: i64 = col(&row, "created_at")?;
        let last_login_at: Option<i64> = col(&row, "last_login_at")?;
        let profile = self.decrypt_profile(&mut tx, id).await?;
        Ok(Some(CustomerDetails {
            id,
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
            name_kanji: open(&key, id, "name_kanji", &row.name_kanji_enc)?,
            name_kana: open(&key, id, "name_kana", &row.name_kana_enc)?,
            email: open(&key, id, "email", &row.email_enc)?,
            status: row.status,
            premium: row.premium,
            registered_at: row.registered_at,
            last_login_at: row.last_login_at,
        })
    }

    /// Writes the kana index of every customer who has none (customers registered before the
    /// index existed); returns how many were indexed. Safe to run at every start and on several
    /// instances at once.
    pub async fn index_missing_names(&self) -> Result<u64, IdentityError> {
        let mut indexed = 0;
        let mut after = String::new();
        loop {
            let ids: Vec<CustomerId> = {
                let mut tx = self.db.read().await?;
                let rows = sqlx::query(
                    "SELECT c.id FROM customers c WHERE c.id > $1 AND NOT EXISTS \
                     (SELECT 1 FROM customer_name_index n WHERE n.customer_id = c.id) \
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
                "kana readings indexed for the customer search"
            );
        }
        Ok(indexed)
    }

    /// Indexes one customer if they still have no tokens. The no-op update locks the row, so a
    /// profile change running at the same time either finishes first (and its tokens are seen
    /// here) or waits for this transaction (and then replaces these tokens).
    async fn index_one(&self, tx: &mut WriteTx, id: CustomerId) -> Result<bool, IdentityError> {
        let Some(row) = sqlx::query(
            "UPDATE customers SET updated_at = updated_at WHERE id = $1 RETURNING name_kana_enc",
        )
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?
        else {
            return Ok(false);
        };
        let present =
            sqlx::query("SELECT COUNT(*) AS n FROM customer_name_index WHERE customer_id = $1")
                .bind(id.to_string())
                .fetch_one(&mut **tx)
                .await?;
        if col::<i64>(&present, "n")? > 0 {
            return Ok(false);
        }
        let Some(key) = self.keyring.customer_key(tx, id).await? else {
            return Ok(false);
        };
        let sealed: Vec<u8> = col(&row, "name_kana_enc")?;
        let reading = open(&key, id, "name_kana", &sealed)?;
        insert_tokens(&self.keyring, tx, id, &reading).await?;
        Ok(true)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_fold_to_full_width_katakana() {
        assert_eq!(fold_reading("ﾔﾏﾀﾞ ﾀﾛｳ"), "ヤマダ タロウ");
        assert_eq!(fold_reading("やまだ　たろう"), "ヤマダ　タロウ");
        assert_eq!(fold_reading("ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ"), "パピプペポ");
        assert_eq!(fold_reading("ｳﾞｨｰﾅｽ･ｺｰﾙ"), "ヴィーナス・コール");
        assert_eq!(fold_reading("ｶﾞｷﾞｸﾞｹﾞｺﾞ"), "ガギグゲゴ");
        assert_eq!(fold_reading("ﾜﾞｦﾞ"), "ヷヺ");
        assert_eq!(fold_reading("ゔぁ"), "ヴァ");
        assert_eq!(
            fold_reading("ハ\u{309A}カ\u{3099}"),
            "パガ",
            "combining marks join their base too"
        );
        assert_eq!(
            fold_reading("ﾞｱﾞ"),
            "\u{3099}ア\u{3099}",
            "marks without a base they fit stay apart"
        );
    }

    #[test]
    fn searches_drop_every_space() {
        assert_eq!(search_reading(" ﾔﾏﾀﾞ　たろう "), "ヤマダタロウ");
        assert_eq!(search_reading("ヤマダ\tタロウ"), "ヤマダタロウ");
        assert!(is_reading("ヤマダタロウ"));
        assert!(is_reading("スミス・ジョーン"));
        assert!(!is_reading(""));
        assert!(!is_reading("山田"));
        assert!(!is_reading("yamada"));
        assert!(!is_reading("ア\u{3099}"));
    }

    #[test]
    fn a_registered_reading_is_found_whole_and_by_each_part() {
        assert_eq!(
            reading_tokens("ヤマダ タロウ"),
            ["ヤマダタロウ", "ヤマダ", "タロウ"]
        );
        assert_eq!(reading_tokens("ヤマダ"), ["ヤマダ"]);
        assert_eq!(
            reading_tokens("ﾀﾛｳ　たろう"),
            ["タロウタロウ", "タロウ"],
            "repeated parts are stored once"
        );
        assert_eq!(reading_tokens("   "), Vec::<String>::new());
    }

    #[test]
    fn search_terms_are_an_address_or_a_reading() {
        assert_eq!(
            SearchTerm::parse(" Taro@Example.JP "),
            Ok(Some(SearchTerm::Email(
                Email::parse("taro@example.jp").unwrap()
            )))
        );
        assert_eq!(
            SearchTerm::parse("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ"),
            Ok(Some(SearchTerm::Email(
                Email::parse("taro@example.jp").unwrap()
            )))
        );
        assert_eq!(
            SearchTerm::parse("ﾔﾏﾀﾞ ﾀﾛｳ"),
            Ok(Some(SearchTerm::Kana("ヤマダタロウ".into())))
        );
        assert_eq!(SearchTerm::parse("　 "), Ok(None));
        assert_eq!(SearchTerm::parse("taro@"), Err(SearchError::InvalidEmail));
        assert_eq!(SearchTerm::parse("山田"), Err(SearchError::NotKana));
        assert_eq!(SearchTerm::parse("yamada"), Err(SearchError::NotKana));
        assert_eq!(SearchTerm::parse("ヤマダ%"), Err(SearchError::NotKana));
        assert_eq!(
            SearchTerm::parse(&"ア".repeat(101)),
            Err(SearchError::TooLong { max: 100 })
        );
        assert!(SearchTerm::parse(&"ア".repeat(100)).is_ok());
        let shown = format!("{:?}", SearchTerm::parse("ヤマダ"));
        assert!(!shown.contains("ヤマダ"), "no reading in debug output");
    }

    #[test]
    fn filters_orders_and_pages_parse_from_their_codes() {
        for f in StatusFilter::ALL {
            assert_eq!(StatusFilter::parse(f.code()), Some(f));
        }
        assert_eq!(StatusFilter::parse(""), Some(StatusFilter::All));
        assert_eq!(StatusFilter::parse("deleted"), None);
        for s in SortOrder::ALL {
            assert_eq!(SortOrder::parse(s.code()), Some(s));
        }
        assert_eq!(SortOrder::parse(""), Some(SortOrder::RegisteredDesc));
        assert_eq!(SortOrder::parse("name"), None);
        assert_eq!(PageNumber::parse(""), Some(PageNumber::FIRST));
        assert_eq!(PageNumber::parse("3").map(PageNumber::get), Some(3));
        for bad in ["0", "-1", "+2", "1.5", "abc", "99999999999"] {
            assert_eq!(PageNumber::parse(bad), None, "{bad}");
        }
    }
}
