//! What a daily backup and a restore cost for a bank of realistic size: 1,000 customers, each
//! with three assets valued every day for a year (1,095 `asset_history` rows per customer,
//! about 1.1 million in all), an application and one identity-document photo of about 200 KB.
//! It prints, separately from the time the data took to make:
//!
//! 1. `backup::create`: the snapshot of every table and the document objects, sealed into one
//!    archive at a local destination, the customer keys escrowed beside it, the manifest last;
//! 2. `backup::drill::drill` alone: the test restore every scheduled run does after the backup
//!    (download, verify, load into a scratch SQLite database, compare with the manifest);
//! 3. `backup::restore` into an empty database and an empty document directory, as
//!    `assetstatus restore` does.
//!
//! For each: wall time, archive bytes, records and documents, rows per second, archive MB per
//! second and the process's peak resident memory. Tests never assert time; this prints figures
//! so that the nightly window and a restore's downtime can be planned (O1, X2).
//!
//! The data is written the way the application writes it: the schema from the migrations, the
//! keyring's master key, one data key per customer made by `Keyring::create_customer_key`,
//! personal fields sealed with it under the application's associated data, and every document
//! stored through `documents::Vault::put`, so the objects are real sealed objects. Rows go in
//! with multi-row parameterised INSERTs, a few transactions of 100 customers each.
//!
//! Run with `cargo bench -p backup --bench backup_restore`. Environment:
//!
//! - `BACKUP_BENCH_CUSTOMERS` (1000), `BACKUP_BENCH_ASSETS` per customer (3),
//!   `BACKUP_BENCH_DOCUMENTS` (1000; one per customer, a second side once every customer has one);
//! - `BACKUP_BENCH_HISTORY`: `daily` (one valuation per asset per day for 365 days) or `weekly`
//!   (52 per asset);
//! - `BACKUP_BENCH_DATABASE_URL`: a PostgreSQL server (`postgres://user@host:port/postgres`,
//!   a role allowed to create databases); the benchmark creates a fresh source and a fresh target
//!   database there and drops both at the end. Unset: SQLite files in a temporary directory;
//! - `BACKUP_BENCH_STAGES=1`: time every step the backup reports (`tables`, `documents`, `keys`,
//!   `download`, `verify`, `load`) instead of running with `backup::Quiet`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use testkit::rng::Rng;

use backup::{Destination, Manifest, Options, Progress, Quiet, Sources, Target};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use documents::{CleanImage, ImageKind, Vault};
use image::{Rgb, RgbImage};
use platform::config::{DocumentStoreKind, DocumentsConfig};
use platform::crypto::{DataKey, Keyring};
use platform::db::{Backend, Db, WriteTx, col};
use platform::fields::iso_date;
use platform::ids::{ApplicationId, AssetId, CustomerId, DocumentId};
use platform::time_util::{JST, now_unix, today_jst};
use sqlx::{Connection as _, Executor as _};
use testkit::images::encode_jpeg_at;
use time::Date;

/// Customers per write transaction while the data is made.
const CUSTOMERS_PER_TRANSACTION: usize = 100;
/// Bound values per INSERT statement (100 rows of `asset_history`). Not more: sqlx binds each
/// `$n` by asking SQLite for the parameter's name, which SQLite finds by a linear scan, so the
/// cost per row grows with the statement's size (with 7,000 values per statement the setup
/// took seven times as long).
const VALUES_PER_INSERT: usize = 700;
/// Distinct photos; each customer's object is sealed under its own keys, so no two objects
/// share bytes even when their photos do.
const PHOTOS: usize = 8;
/// `sanitize` re-encodes JPEGs at quality 90.
const CLEAN_JPEG_QUALITY: u8 = 90;

/// What to make and where.
struct Settings {
    customers: usize,
    assets: usize,
    documents: usize,
    weekly: bool,
    database_url: Option<String>,
    stages: bool,
}

impl Settings {
    fn from_env() -> Self {
        let number = |name: &str, default: usize| match std::env::var(name) {
            Ok(v) => v
                .trim()
                .replace(['_', ','], "")
                .parse()
                .unwrap_or_else(|_| panic!("{name}={v} is not a number")),
            Err(_) => default,
        };
        let customers = number("BACKUP_BENCH_CUSTOMERS", 1_000).max(1);
        let weekly = match std::env::var("BACKUP_BENCH_HISTORY").as_deref() {
            Ok("weekly") => true,
            Ok("daily") | Err(_) => false,
            Ok(other) => panic!("BACKUP_BENCH_HISTORY={other}: use daily or weekly"),
        };
        Self {
            customers,
            assets: number("BACKUP_BENCH_ASSETS", 3),
            documents: number("BACKUP_BENCH_DOCUMENTS", 1_000).min(customers * 2),
            weekly,
            database_url: std::env::var("BACKUP_BENCH_DATABASE_URL")
                .ok()
                .filter(|u| !u.trim().is_empty()),
            stages: std::env::var("BACKUP_BENCH_STAGES").is_ok_and(|v| v == "1"),
        }
    }

    /// Valuations per asset and the days between them.
    fn history(&self) -> (usize, i64) {
        if self.weekly { (52, 7) } else { (365, 1) }
    }

    /// Documents of customer `i`: the front for everyone first, then the back.
    fn documents_of(&self, i: usize) -> usize {
        usize::from(i < self.documents) + usize::from(i + self.customers < self.documents)
    }
}

/// A photo of an identity card as `sanitize` leaves it: 1280×960, re-encoded at quality 90. A
/// lit card-coloured field with a darker portrait block and lines of "text", sensor noise on
/// top so that it compresses like a photograph (140–250 KB) and not like a flat test pattern.
fn photo(seed: u64) -> CleanImage {
    let (width, height) = (1280u32, 960u32);
    let mut rng = Rng::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let tint = [rng.unit(), rng.unit(), rng.unit()];
    let noise = 2.0 + (seed % 4) as f64 * 0.6;
    let image = RgbImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (
            f64::from(x) / f64::from(width),
            f64::from(y) / f64::from(height),
        );
        let light = 0.75 + 0.25 * (fx + fy) / 2.0;
        let on_card = (0.08..0.92).contains(&fx) && (0.12..0.88).contains(&fy);
        let portrait = (0.12..0.38).contains(&fx) && (0.2..0.8).contains(&fy);
        let text = (0.45..0.88).contains(&fx)
            && (0.25..0.8).contains(&fy)
            && (y / 12) % 4 == 0
            && (x / 9 + y / 48) % 6 != 0;
        let mut pixel = [0u8; 3];
        for (i, p) in pixel.iter_mut().enumerate() {
            let base = if portrait {
                90.0 + 60.0 * ((fx * 40.0).sin() * (fy * 30.0).cos()).abs()
            } else if text {
                45.0
            } else if on_card {
                200.0 + 40.0 * tint[i]
            } else {
                70.0 + 50.0 * tint[2 - i]
            };
            let v = base * light + rng.signed() * noise * 1.7;
            *p = v.clamp(0.0, 255.0) as u8;
        }
        Rgb(pixel)
    });
    CleanImage {
        kind: ImageKind::Jpeg,
        bytes: encode_jpeg_at(&image, CLEAN_JPEG_QUALITY),
        width,
        height,
    }
}

/// A value bound into an INSERT.
enum Param {
    Text(String),
    Int(i64),
    Bytes(Vec<u8>),
}

impl From<String> for Param {
    fn from(v: String) -> Self {
        Param::Text(v)
    }
}
impl From<&str> for Param {
    fn from(v: &str) -> Self {
        Param::Text(v.to_owned())
    }
}
impl From<i64> for Param {
    fn from(v: i64) -> Self {
        Param::Int(v)
    }
}
impl From<Vec<u8>> for Param {
    fn from(v: Vec<u8>) -> Self {
        Param::Bytes(v)
    }
}

/// Rows for one table, inserted many per statement.
struct Rows {
    table: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<Param>>,
}

impl Rows {
    fn new(table: &'static str, columns: &'static [&'static str]) -> Self {
        Self {
            table,
            columns,
            rows: Vec::new(),
        }
    }

    fn push(&mut self, row: Vec<Param>) {
        assert_eq!(row.len(), self.columns.len(), "a row of {}", self.table);
        self.rows.push(row);
    }

    /// Inserts every row, as many per statement as the bound-value limit allows.
    async fn insert(&mut self, tx: &mut WriteTx) -> u64 {
        let per_statement = (VALUES_PER_INSERT / self.columns.len()).max(1);
        let rows = std::mem::take(&mut self.rows);
        let total = rows.len() as u64;
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let batch: Vec<Vec<Param>> = rows.by_ref().take(per_statement).collect();
            let sql = insert_sql(self.table, self.columns, batch.len());
            let mut query = sqlx::query(&sql);
            for value in batch.into_iter().flatten() {
                query = match value {
                    Param::Text(v) => query.bind(v),
                    Param::Int(v) => query.bind(v),
                    Param::Bytes(v) => query.bind(v),
                };
            }
            query.execute(&mut **tx).await.unwrap();
        }
        total
    }
}

fn insert_sql(table: &str, columns: &[&str], rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut n = 0;
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..columns.len() {
            if column > 0 {
                sql.push_str(", ");
            }
            n += 1;
            sql.push_str(&format!("${n}"));
        }
        sql.push(')');
    }
    sql
}

/// What the setup made.
#[derive(Default)]
struct Made {
    rows: u64,
    documents: u64,
    document_bytes: u64,
    smallest: u64,
    largest: u64,
}

const FAMILY: &[(&str, &str)] = &[
    ("山田", "ヤマダ"),
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("中村", "ナカムラ"),
];
const GIVEN: &[(&str, &str)] = &[
    ("太郎", "タロウ"),
    ("花子", "ハナコ"),
    ("健一", "ケンイチ"),
    ("美咲", "ミサキ"),
    ("翔太", "ショウタ"),
    ("陽菜", "ヒナ"),
];
/// Category, name, institution, starting amount in yen and daily volatility.
const HOLDINGS: &[(&str, &str, &str, f64, f64)] = &[
    ("deposits", "普通預金", "みずほ銀行", 1_200_000.0, 0.002),
    (
        "investment_funds",
        "投資信託 全世界株式",
        "SBI証券",
        850_000.0,
        0.012,
    ),
    ("stocks", "トヨタ自動車", "楽天証券", 420_000.0, 0.018),
    ("deposits", "定期預金", "三井住友銀行", 3_000_000.0, 0.0),
    ("pension", "iDeCo", "野村證券", 600_000.0, 0.008),
    (
        "liabilities",
        "住宅ローン",
        "りそな銀行",
        25_000_000.0,
        0.0005,
    ),
];

const CUSTOMER_COLUMNS: &[&str] = &[
    "id",
    "email_index",
    "email_enc",
    "name_kanji_enc",
    "name_kana_enc",
    "birth_date_enc",
    "password_hash",
    "status",
    "locale",
    "created_at",
    "updated_at",
    "last_login_at",
];
const ASSET_COLUMNS: &[&str] = &[
    "id",
    "customer_id",
    "category",
    "name_enc",
    "institution_enc",
    "note_enc",
    "amount_yen",
    "valuation_date",
    "created_at",
    "updated_at",
];
const HISTORY_COLUMNS: &[&str] = &[
    "asset_id",
    "customer_id",
    "category",
    "change",
    "amount_yen",
    "valuation_date",
    "recorded_at",
];
const APPLICATION_COLUMNS: &[&str] = &[
    "id",
    "customer_id",
    "status",
    "account_enc",
    "created_at",
    "updated_at",
    "submitted_at",
];
const DOCUMENT_COLUMNS: &[&str] = &[
    "id",
    "application_id",
    "customer_id",
    "side",
    "kind",
    "object_key",
    "size_bytes",
    "width",
    "height",
    "uploaded_at",
];

/// 09:00 in Japan on `date`, as stored.
fn at_nine(date: Date) -> i64 {
    date.with_hms(9, 0, 0)
        .unwrap()
        .assume_offset(JST)
        .unix_timestamp()
}

/// Fills the source: customers (keys, sealed fields), assets with their history, an
/// application each and the documents.
async fn populate(
    db: &Db,
    keyring: &Keyring,
    vault: &Vault,
    settings: &Settings,
    photos: &[CleanImage],
) -> Made {
    let mut rng = Rng::new(0x0BAC_C0DE);
    let (valuations, step) = settings.history();
    let today = today_jst();
    let first_day = today - time::Duration::days(step * (valuations as i64 - 1));
    let now = now_unix();
    let mut made = Made {
        smallest: u64::MAX,
        ..Made::default()
    };
    let mut customers = Rows::new("customers", CUSTOMER_COLUMNS);
    let mut assets = Rows::new("assets", ASSET_COLUMNS);
    let mut history = Rows::new("asset_history", HISTORY_COLUMNS);
    let mut applications = Rows::new("applications", APPLICATION_COLUMNS);
    let mut documents = Rows::new("application_documents", DOCUMENT_COLUMNS);
    for first in (0..settings.customers).step_by(CUSTOMERS_PER_TRANSACTION) {
        let last = (first + CUSTOMERS_PER_TRANSACTION).min(settings.customers);
        let mut tx = db.write().await.unwrap();
        for i in first..last {
            let id = CustomerId::new();
            let key = keyring.create_customer_key(&mut tx, id).await.unwrap();
            let joined = at_nine(first_day) - (rng.below(700) as i64 + 1) * 86_400;
            customers.push(customer_row(keyring, &key, id, i, joined, now, &mut rng));
            for a in 0..settings.assets {
                let holding = HOLDINGS[(i + a) % HOLDINGS.len()];
                let asset = AssetId::new();
                let amount = holding_history(
                    &mut history,
                    asset,
                    id,
                    holding,
                    (first_day, step, valuations),
                    &mut rng,
                );
                let seal = |field: &str, value: &str| {
                    key.seal(
                        value.as_bytes(),
                        format!("asset:{asset}:{field}").as_bytes(),
                    )
                };
                assets.push(vec![
                    asset.to_string().into(),
                    id.to_string().into(),
                    holding.0.into(),
                    seal("name", holding.1).into(),
                    seal("institution", holding.2).into(),
                    seal("note", "").into(),
                    amount.into(),
                    iso_date(today).into(),
                    at_nine(first_day).into(),
                    at_nine(today).into(),
                ]);
            }
            let sides = settings.documents_of(i);
            if sides == 0 {
                continue;
            }
            let application = ApplicationId::new();
            let account = format!(
                r#"{{"branch":"{:03}","kind":"ordinary","number":"{:07}","holder":"{} {}"}}"#,
                rng.below(1000),
                rng.below(10_000_000),
                FAMILY[i % FAMILY.len()].1,
                GIVEN[i % GIVEN.len()].1,
            );
            let account_enc = key.seal(
                account.as_bytes(),
                format!("application:{application}/account").as_bytes(),
            );
            let submitted = at_nine(today) - rng.below(30 * 86_400) as i64;
            applications.push(vec![
                application.to_string().into(),
                id.to_string().into(),
                "submitted".into(),
                account_enc.into(),
                (submitted - 600).into(),
                submitted.into(),
                submitted.into(),
            ]);
            for side in ["front", "back"].into_iter().take(sides) {
                let image = &photos[rng.below(photos.len())];
                let document = DocumentId::new();
                let stored = vault.put(&key, document, image).await.unwrap();
                made.documents += 1;
                made.document_bytes += stored.size;
                made.smallest = made.smallest.min(stored.size);
                made.largest = made.largest.max(stored.size);
                documents.push(vec![
                    document.to_string().into(),
                    application.to_string().into(),
                    id.to_string().into(),
                    side.into(),
                    stored.kind.code().into(),
                    stored.object_key.into(),
                    (stored.size as i64).into(),
                    i64::from(image.width).into(),
                    i64::from(image.height).into(),
                    (submitted - 300).into(),
                ]);
            }
        }
        // Parents before children, as the foreign keys want.
        made.rows += (last - first) as u64; // customer_keys
        for rows in [
            &mut customers,
            &mut assets,
            &mut history,
            &mut applications,
            &mut documents,
        ] {
            made.rows += rows.insert(&mut tx).await;
        }
        tx.commit().await.unwrap();
    }
    made
}

fn customer_row(
    keyring: &Keyring,
    key: &DataKey,
    id: CustomerId,
    i: usize,
    joined: i64,
    now: i64,
    rng: &mut Rng,
) -> Vec<Param> {
    let seal = |field: &str, value: &str| {
        key.seal(
            value.as_bytes(),
            format!("customer:{id}:{field}").as_bytes(),
        )
    };
    let (family, family_kana) = FAMILY[i % FAMILY.len()];
    let (given, given_kana) = GIVEN[(i / FAMILY.len()) % GIVEN.len()];
    let email = format!("customer{i:05}@example.jp");
    let birth = format!("19{:02}-{:02}-{:02}", 50 + i % 50, 1 + i % 12, 1 + i % 28);
    // Backups leave the hash out, so its form is all that matters: an argon2id PHC string.
    let hash = format!(
        "$argon2id$v=19$m=19456,t=2,p=1${}${}",
        STANDARD_NO_PAD.encode(rng.bytes(16)),
        STANDARD_NO_PAD.encode(rng.bytes(32))
    );
    vec![
        id.to_string().into(),
        keyring.email_index(&email).0.into(),
        seal("email", &email).into(),
        seal("name_kanji", &format!("{family} {given}")).into(),
        seal("name_kana", &format!("{family_kana} {given_kana}")).into(),
        seal("birth_date", &birth).into(),
        hash.into(),
        "active".into(),
        "ja".into(),
        joined.into(),
        now.into(),
        (now - rng.below(14 * 86_400) as i64).into(),
    ]
}

/// One `asset_history` row per valuation: `created` on the first day, `updated` after; returns
/// the last amount.
fn holding_history(
    history: &mut Rows,
    asset: AssetId,
    customer: CustomerId,
    (category, _, _, start, volatility): (&str, &str, &str, f64, f64),
    (first_day, step, valuations): (Date, i64, usize),
    rng: &mut Rng,
) -> i64 {
    let mut amount = start * (0.5 + rng.unit());
    let mut yen = 0;
    for n in 0..valuations {
        let date = first_day + time::Duration::days(step * n as i64);
        if n > 0 {
            amount = (amount * (1.0 + rng.signed() * volatility * (step as f64).sqrt())).max(0.0);
        }
        yen = amount.round() as i64;
        history.push(vec![
            asset.to_string().into(),
            customer.to_string().into(),
            category.into(),
            if n == 0 { "created" } else { "updated" }.into(),
            yen.into(),
            iso_date(date).into(),
            at_nine(date).into(),
        ]);
    }
    yen
}

/// Fresh databases: SQLite files in the temporary directory, or new databases on the
/// PostgreSQL server, dropped at the end.
struct Databases {
    server: Option<url::Url>,
    created: Vec<String>,
}

impl Databases {
    fn new(server: Option<&str>) -> Self {
        Self {
            server: server.map(|u| u.parse().expect("BACKUP_BENCH_DATABASE_URL is a URL")),
            created: Vec::new(),
        }
    }

    fn describe(&self) -> String {
        match &self.server {
            None => "SQLite in a temporary directory".to_owned(),
            Some(url) => format!(
                "PostgreSQL at {}:{}",
                url.host_str().unwrap_or("?"),
                url.port().unwrap_or(5432)
            ),
        }
    }

    async fn fresh(&mut self, dir: &Path, role: &str) -> String {
        let Some(server) = &self.server else {
            let file = dir.join(format!("{role}.db"));
            return format!("sqlite://{}?mode=rwc", file.display());
        };
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        let name = format!("backup_bench_{role}_{}", &suffix[..8]);
        let mut conn = sqlx::PgConnection::connect(server.as_str()).await.unwrap();
        // The name is made here from a role and random hex, never from input.
        conn.execute(format!("CREATE DATABASE \"{name}\"").as_str())
            .await
            .unwrap();
        conn.close().await.unwrap();
        self.created.push(name.clone());
        let mut url = server.clone();
        url.set_path(&name);
        url.to_string()
    }

    async fn drop_all(&self) {
        let Some(server) = &self.server else { return };
        let mut conn = sqlx::PgConnection::connect(server.as_str()).await.unwrap();
        for name in &self.created {
            conn.execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str())
                .await
                .unwrap();
        }
        conn.close().await.unwrap();
    }
}

fn local_vault(dir: &Path) -> Vault {
    let config = DocumentsConfig {
        store: DocumentStoreKind::Local,
        local_dir: Some(dir.to_owned()),
        ..DocumentsConfig::default()
    };
    Vault::from_config(&config, dir).unwrap()
}

/// Bytes of every file under `path`.
fn disk_bytes(path: &Path) -> u64 {
    let Ok(meta) = std::fs::metadata(path) else {
        return 0;
    };
    if !meta.is_dir() {
        return meta.len();
    }
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| disk_bytes(&e.path()))
                .sum()
        })
        .unwrap_or(0)
}

/// Size of the database: its file and write-ahead log for SQLite, `pg_database_size` for
/// PostgreSQL.
async fn database_size(db: &Db, dir: &Path, role: &str) -> String {
    match db.backend() {
        Backend::Sqlite => {
            let file = disk_bytes(&dir.join(format!("{role}.db")));
            let log = disk_bytes(&dir.join(format!("{role}.db-wal")));
            format!(
                "{:.1} MB (write-ahead log {:.1} MB more)",
                mb(file),
                mb(log)
            )
        }
        Backend::Postgres => {
            let mut tx = db.read().await.unwrap();
            let row = sqlx::query("SELECT pg_database_size(current_database()) AS n")
                .fetch_one(&mut *tx)
                .await
                .unwrap();
            format!("{:.1} MB", mb(col::<i64>(&row, "n").unwrap() as u64))
        }
    }
}

/// The process's peak resident memory so far, in MiB (Linux; 0 elsewhere).
fn peak_memory_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Times each step a backup or restore reports.
#[derive(Default)]
struct Stages {
    current: Mutex<Option<(&'static str, u64, Instant)>>,
    finished: Mutex<Vec<(&'static str, u64, Duration)>>,
}

impl Progress for Stages {
    fn stage(&self, step: &'static str, total: u64) {
        *self.current.lock().unwrap() = Some((step, total, Instant::now()));
    }

    fn advance(&self, _: u64) {}

    fn done(&self) {
        if let Some((step, total, started)) = self.current.lock().unwrap().take() {
            self.finished
                .lock()
                .unwrap()
                .push((step, total, started.elapsed()));
        }
    }
}

impl Stages {
    /// The steps since the last call, as `tables 1,102,000 in 8.1 s, ...`.
    fn take(&self) -> String {
        let steps = std::mem::take(&mut *self.finished.lock().unwrap());
        steps
            .iter()
            .map(|(step, total, took)| {
                format!(
                    "{step} {} in {:.2} s",
                    thousands(*total),
                    took.as_secs_f64()
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

/// One measured step.
struct Measured {
    name: &'static str,
    took: Duration,
    records: u64,
    documents: u64,
    archive_bytes: u64,
    peak_mib: f64,
    stages: String,
}

fn print_report(
    settings: &Settings,
    databases: &Databases,
    manifest: &Manifest,
    steps: &[Measured],
) {
    println!();
    println!(
        "{:<9} {:>9} {:>11} {:>9} {:>11} {:>11} {:>8} {:>10}",
        "step", "time s", "records", "documents", "archive MB", "rows/s", "MB/s", "VmHWM MiB"
    );
    for step in steps {
        let seconds = step.took.as_secs_f64();
        println!(
            "{:<9} {seconds:>9.2} {:>11} {:>9} {:>11.1} {:>11} {:>8.1} {:>10.0}",
            step.name,
            thousands(step.records),
            thousands(step.documents),
            mb(step.archive_bytes),
            thousands((step.records as f64 / seconds) as u64),
            mb(step.archive_bytes) / seconds,
            step.peak_mib,
        );
    }
    println!(
        "rows/s: records over the step's time; MB/s: the sealed archive's bytes over the step's \
         time; VmHWM: the process's peak resident memory when the step ended"
    );
    let documents: u64 = manifest.documents.iter().map(|d| d.bytes).sum();
    println!(
        "archive {} bytes: {:.1} MB of sealed document objects, {:.1} MB of table rows, tar \
         headers and seal",
        thousands(manifest.archive.bytes),
        mb(documents),
        mb(manifest.archive.bytes.saturating_sub(documents)),
    );
    let tables: Vec<String> = manifest
        .tables
        .iter()
        .filter(|t| t.rows > 0)
        .map(|t| format!("{} {}", t.name, thousands(t.rows)))
        .collect();
    println!("tables: {}", tables.join(", "));
    println!("escrowed customer keys: {}", manifest.escrowed_keys);
    if settings.stages {
        for step in steps {
            println!("{} steps: {}", step.name, step.stages);
        }
    }
    println!("database: {}", databases.describe());
}

#[tokio::main]
async fn main() {
    let settings = Settings::from_env();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (valuations, step) = settings.history();
    let dir = tempfile::tempdir().unwrap();
    let mut databases = Databases::new(settings.database_url.as_deref());
    println!(
        "backup benchmark: {cores} cores, {}, {} customers, {} assets each valued {} ({valuations} \
         valuations per asset), {} documents",
        databases.describe(),
        thousands(settings.customers as u64),
        settings.assets,
        if step == 1 { "daily" } else { "weekly" },
        thousands(settings.documents as u64),
    );

    // Setup, not measured.
    let started = Instant::now();
    let photos: Vec<CleanImage> = (0..PHOTOS as u64).map(photo).collect();
    let source_url = databases.fresh(dir.path(), "source").await;
    let db = Db::connect(&source_url).await.unwrap();
    let keyring = Keyring::open(&db, &dir.path().join("master.key"))
        .await
        .unwrap();
    let vault = local_vault(&dir.path().join("documents"));
    let made = populate(&db, &keyring, &vault, &settings, &photos).await;
    // A database at rest: the write-ahead log folded into the main file.
    db.purge_deleted().await.unwrap();
    let setup = started.elapsed();
    println!(
        "setup (not measured): {} rows and {} documents ({:.0}–{:.0} KB, {:.1} MB in all) in \
         {:.1} s; source database {}",
        thousands(made.rows),
        thousands(made.documents),
        made.smallest.min(made.largest) as f64 / 1e3,
        made.largest as f64 / 1e3,
        mb(made.document_bytes),
        setup.as_secs_f64(),
        database_size(&db, dir.path(), "source").await,
    );

    let stages = Stages::default();
    let progress: &dyn Progress = if settings.stages { &stages } else { &Quiet };
    let destination = Destination::local(&dir.path().join("backups")).unwrap();
    let mut steps = Vec::new();

    // 1. The backup.
    let started = Instant::now();
    let sources = Sources {
        db: &db,
        vault: &vault,
        master: keyring.master(),
    };
    let manifest = backup::create(sources, std::slice::from_ref(&destination), false, progress)
        .await
        .unwrap();
    let took = started.elapsed();
    steps.push(Measured {
        name: "backup",
        took,
        records: manifest.records(),
        documents: manifest.documents.len() as u64,
        archive_bytes: manifest.archive.bytes,
        peak_mib: peak_memory_mib(),
        stages: stages.take(),
    });
    println!("backup {} in {:.2} s", manifest.id, took.as_secs_f64());

    // 2. The test restore a scheduled run does after it.
    let started = Instant::now();
    backup::drill::drill(&destination, &manifest, keyring.master(), progress)
        .await
        .unwrap();
    let took = started.elapsed();
    steps.push(Measured {
        name: "drill",
        took,
        records: manifest.records(),
        documents: manifest.documents.len() as u64,
        archive_bytes: manifest.archive.bytes,
        peak_mib: peak_memory_mib(),
        stages: stages.take(),
    });
    println!("drill passed in {:.2} s", took.as_secs_f64());

    // 3. A restore into an empty system, as `assetstatus restore` does it.
    let target_url = databases.fresh(dir.path(), "target").await;
    let target_db = Db::connect(&target_url).await.unwrap();
    let target_vault = local_vault(&dir.path().join("restored-documents"));
    let started = Instant::now();
    let restored = backup::restore(
        &destination,
        &manifest.id,
        keyring.master(),
        Target {
            db: &target_db,
            vault: &target_vault,
        },
        Options {
            force: false,
            audit: true,
        },
        progress,
    )
    .await
    .unwrap();
    let took = started.elapsed();
    let records: u64 = restored.tables.iter().map(|(_, rows)| rows).sum();
    assert_eq!(records, manifest.records(), "every record restored");
    assert_eq!(
        restored.documents,
        manifest.documents.len() as u64,
        "every document restored"
    );
    assert_eq!(restored.shredded, 0);
    steps.push(Measured {
        name: "restore",
        took,
        records,
        documents: restored.documents,
        archive_bytes: manifest.archive.bytes,
        peak_mib: peak_memory_mib(),
        stages: stages.take(),
    });
    println!(
        "restore passed in {:.2} s; restored database {}, documents {:.1} MB",
        took.as_secs_f64(),
        database_size(&target_db, dir.path(), "target").await,
        mb(disk_bytes(&dir.path().join("restored-documents"))),
    );

    print_report(&settings, &databases, &manifest, &steps);
    target_db.close().await;
    db.close().await;
    databases.drop_all().await;
}
