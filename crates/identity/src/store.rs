//! SQL for the customer pool, in the subset both engines share.

use platform::crypto::EmailIndex;
use platform::db::{DbError, WriteTx, col, parsed};
use platform::i18n::Locale;
use platform::ids::CustomerId;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

/// Where an account stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CustomerStatus {
    /// Signed up, e-mail address not yet confirmed.
    Unverified,
    /// Confirmed and usable.
    Active,
    /// Blocked by the bank.
    Disabled,
}

impl CustomerStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            CustomerStatus::Unverified => "unverified",
            CustomerStatus::Active => "active",
            CustomerStatus::Disabled => "disabled",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "unverified" => Some(CustomerStatus::Unverified),
            "active" => Some(CustomerStatus::Active),
            "disabled" => Some(CustomerStatus::Disabled),
            _ => None,
        }
    }
}

/// A customer row as stored: personal fields still sealed.
pub(crate) struct CustomerRow {
    pub id: CustomerId,
    pub email_enc: Vec<u8>,
    pub name_kanji_enc: Vec<u8>,
    pub name_kana_enc: Vec<u8>,
    pub birth_date_enc: Vec<u8>,
    pub password_hash: String,
    pub status: CustomerStatus,
    pub locale: Locale,
}

/// The sealed fields of a new customer.
pub(crate) struct NewCustomer<'a> {
    pub id: CustomerId,
    pub email_index: &'a EmailIndex,
    pub email_enc: Vec<u8>,
    pub name_kanji_enc: Vec<u8>,
    pub name_kana_enc: Vec<u8>,
    pub birth_date_enc: Vec<u8>,
    pub password_hash: String,
    pub locale: Locale,
}

const CUSTOMER_COLUMNS: &str =
    "id, email_enc, name_kanji_enc, name_kana_enc, birth_date_enc, password_hash, status, locale";

fn customer_from(row: &AnyRow) -> Result<CustomerRow, DbError> {
    let status: String = col(row, "status")?;
    let locale: String = col(row, "locale")?;
    Ok(CustomerRow {
        id: parsed(row, "id")?,
        email_enc: col(row, "email_enc")?,
        name_kanji_enc: col(row, "name_kanji_enc")?,
        name_kana_enc: col(row, "name_kana_enc")?,
        birth_date_enc: col(row, "birth_date_enc")?,
        password_hash: col(row, "password_hash")?,
        status: CustomerStatus::parse(&status).ok_or(DbError::Corrupt { column: "status" })?,
        locale: Locale::from_code(&locale).ok_or(DbError::Corrupt { column: "locale" })?,
    })
}

pub(crate) async fn insert_customer(
    tx: &mut WriteTx,
    c: NewCustomer<'_>,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO customers (id, email_index, email_enc, name_kanji_enc, name_kana_enc, birth_date_enc, \
         password_hash, status, locale, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(c.id.to_string())
    .bind(&c.email_index.0)
    .bind(c.email_enc)
    .bind(c.name_kanji_enc)
    .bind(c.name_kana_enc)
    .bind(c.birth_date_enc)
    .bind(c.password_hash)
    .bind(CustomerStatus::Unverified.as_str())
    .bind(c.locale.code())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) async fn customer_by_email(
    conn: &mut AnyConnection,
    index: &EmailIndex,
) -> Result<Option<CustomerRow>, DbError> {
    let sql = format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE email_index = $1");
    let row = sqlx::query(&sql)
        .bind(&index.0)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(customer_from).transpose()
}

pub(crate) async fn customer_by_id(
    conn: &mut AnyConnection,
    id: CustomerId,
) -> Result<Option<CustomerRow>, DbError> {
    let sql = format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(customer_from).transpose()
}

pub(crate) async fn set_status(
    tx: &mut WriteTx,
    id: CustomerId,
    status: CustomerStatus,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query("UPDATE customers SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status.as_str())
        .bind(now)
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) async fn set_password_hash(
    tx: &mut WriteTx,
    id: CustomerId,
    hash: &str,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query("UPDATE customers SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(now)
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) async fn record_login(
    tx: &mut WriteTx,
    id: CustomerId,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query("UPDATE customers SET last_login_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Sealed profile fields to replace.
pub(crate) struct ProfileFields {
    pub name_kanji_enc: Vec<u8>,
    pub name_kana_enc: Vec<u8>,
    pub birth_date_enc: Vec<u8>,
    pub locale: Locale,
}

pub(crate) async fn update_profile(
    tx: &mut WriteTx,
    id: CustomerId,
    f: ProfileFields,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE customers SET name_kanji_enc = $1, name_kana_enc = $2, birth_date_enc = $3, locale = $4, updated_at = $5 \
         WHERE id = $6",
    )
    .bind(f.name_kanji_enc)
    .bind(f.name_kana_enc)
    .bind(f.birth_date_enc)
    .bind(f.locale.code())
    .bind(now)
    .bind(id.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) async fn delete_customer(tx: &mut WriteTx, id: CustomerId) -> Result<(), DbError> {
    sqlx::query("DELETE FROM customers WHERE id = $1")
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What a one-time link is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Purpose {
    VerifyEmail,
    ResetPassword,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::VerifyEmail => "verify_email",
            Purpose::ResetPassword => "reset_password",
        }
    }
}

pub(crate) async fn insert_token(
    tx: &mut WriteTx,
    hash: &[u8],
    customer: CustomerId,
    purpose: Purpose,
    expires_at: i64,
) -> Result<(), DbError> {
    sqlx::query("INSERT INTO one_time_tokens (token_hash, customer_id, purpose, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(hash)
        .bind(customer.to_string())
        .bind(purpose.as_str())
        .bind(expires_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Marks a token used and returns its customer, if it is unused, unexpired and for `purpose`.
/// The conditional update makes a link single-use even under concurrent clicks.
pub(crate) async fn consume_token(
    tx: &mut WriteTx,
    hash: &[u8],
    purpose: Purpose,
    now: i64,
) -> Result<Option<CustomerId>, DbError> {
    let row = sqlx::query(
        "UPDATE one_time_tokens SET used_at = $1 \
         WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1 RETURNING customer_id",
    )
    .bind(now)
    .bind(hash)
    .bind(purpose.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(|r| parsed(r, "customer_id")).transpose()
}

/// The customer of a token that would be accepted, without using it.
pub(crate) async fn token_customer(
    conn: &mut AnyConnection,
    hash: &[u8],
    purpose: Purpose,
    now: i64,
) -> Result<Option<CustomerId>, DbError> {
    let row = sqlx::query(
        "SELECT customer_id FROM one_time_tokens \
         WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
    )
    .bind(hash)
    .bind(purpose.as_str())
    .bind(now)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(|r| parsed(r, "customer_id")).transpose()
}

/// Whether a token would be accepted, without using it (to show the reset form).
pub(crate) async fn token_is_live(
    conn: &mut AnyConnection,
    hash: &[u8],
    purpose: Purpose,
    now: i64,
) -> Result<bool, DbError> {
    Ok(token_customer(conn, hash, purpose, now).await?.is_some())
}

/// A session to open.
pub(crate) struct NewSession<'a> {
    pub hash: &'a [u8],
    pub customer: CustomerId,
    pub now: i64,
    pub expires_at: i64,
    pub client_ip: String,
    pub device: String,
    pub amr: &'static str,
}

pub(crate) async fn insert_session(tx: &mut WriteTx, s: &NewSession<'_>) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO sessions (id_hash, customer_id, created_at, last_seen_at, reauth_at, expires_at, client_ip, device, id, amr) \
         VALUES ($1, $2, $3, $3, $3, $4, $5, $6, $7, $8)",
    )
    .bind(s.hash)
    .bind(s.customer.to_string())
    .bind(s.now)
    .bind(s.expires_at)
    .bind(&s.client_ip)
    .bind(&s.device)
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(s.amr)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One of a customer's open sessions, as shown to them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionView {
    /// Public identifier, to end it.
    pub id: String,
    /// Opened at (Unix seconds).
    pub created_at: i64,
    /// Last used at (Unix seconds).
    pub last_seen_at: i64,
    /// Address it was opened from.
    pub client_ip: String,
    /// Browser and system.
    pub device: String,
    /// True for the session asking.
    pub current: bool,
}

pub(crate) async fn sessions_of(
    conn: &mut AnyConnection,
    customer: CustomerId,
    current_hash: &[u8],
    now: i64,
    idle_secs: i64,
) -> Result<Vec<SessionView>, DbError> {
    let rows = sqlx::query(
        "SELECT id, id_hash, created_at, last_seen_at, client_ip, device FROM sessions \
         WHERE customer_id = $1 AND expires_at > $2 AND last_seen_at > $3 ORDER BY last_seen_at DESC",
    )
    .bind(customer.to_string())
    .bind(now)
    .bind(now - idle_secs)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let hash: Vec<u8> = col(r, "id_hash")?;
            Ok(SessionView {
                id: col(r, "id")?,
                created_at: col(r, "created_at")?,
                last_seen_at: col(r, "last_seen_at")?,
                client_ip: col(r, "client_ip")?,
                device: col(r, "device")?,
                current: hash == current_hash,
            })
        })
        .collect()
}

/// Ends one of the customer's sessions; false when they have none with that ID.
pub(crate) async fn end_session(
    tx: &mut WriteTx,
    customer: CustomerId,
    id: &str,
) -> Result<bool, DbError> {
    let done = sqlx::query("DELETE FROM sessions WHERE id = $1 AND customer_id = $2")
        .bind(id)
        .bind(customer.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends every session of the customer but the one with `keep_hash`; how many ended.
pub(crate) async fn delete_other_sessions(
    tx: &mut WriteTx,
    customer: CustomerId,
    keep_hash: &[u8],
) -> Result<u64, DbError> {
    let done = sqlx::query("DELETE FROM sessions WHERE customer_id = $1 AND id_hash <> $2")
        .bind(customer.to_string())
        .bind(keep_hash)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
}

/// Remembers the browser; true when it is new to a customer who has logged in before.
pub(crate) async fn remember_device(
    tx: &mut WriteTx,
    customer: CustomerId,
    hash: &[u8],
    now: i64,
) -> Result<bool, DbError> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS known, SUM(CASE WHEN device_hash = $2 THEN 1 ELSE 0 END) AS this_one \
         FROM known_devices WHERE customer_id = $1",
    )
    .bind(customer.to_string())
    .bind(hash)
    .fetch_one(&mut **tx)
    .await?;
    let known: i64 = col(&row, "known")?;
    let this_one: Option<i64> = col(&row, "this_one")?;
    if this_one.unwrap_or(0) > 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO known_devices (customer_id, device_hash, first_seen) VALUES ($1, $2, $3)",
    )
    .bind(customer.to_string())
    .bind(hash)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(known > 0)
}

/// A live session's owner and when it was last used.
pub(crate) struct SessionRow {
    pub customer: CustomerId,
    pub last_seen_at: i64,
    pub created_at: i64,
    pub reauth_at: i64,
    pub amr: String,
    pub locale: Locale,
}

pub(crate) async fn live_session(
    conn: &mut AnyConnection,
    hash: &[u8],
    now: i64,
    idle_secs: i64,
) -> Result<Option<SessionRow>, DbError> {
    let row = sqlx::query(
        "SELECT s.customer_id, s.last_seen_at, s.created_at, s.reauth_at, s.amr, c.locale FROM sessions s JOIN customers c ON c.id = s.customer_id \
         WHERE s.id_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND c.status = 'active'",
    )
    .bind(hash)
    .bind(now)
    .bind(now - idle_secs)
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let locale: String = col(&row, "locale")?;
    Ok(Some(SessionRow {
        customer: parsed(&row, "customer_id")?,
        last_seen_at: col(&row, "last_seen_at")?,
        created_at: col(&row, "created_at")?,
        reauth_at: col(&row, "reauth_at")?,
        amr: col(&row, "amr")?,
        locale: Locale::from_code(&locale).unwrap_or_default(),
    }))
}

/// Records that the person at the session proved who they are again (step-up).
/// Records a step-up on the session and gives it a new token (`new_hash`), so a token seen
/// before the proof is worth nothing after it.
pub(crate) async fn mark_reauthenticated(
    tx: &mut WriteTx,
    hash: &[u8],
    new_hash: &[u8],
    customer: CustomerId,
    now: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE sessions SET reauth_at = $1, id_hash = $2 WHERE id_hash = $3 AND customer_id = $4",
    )
    .bind(now)
    .bind(new_hash)
    .bind(hash)
    .bind(customer.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn touch_session(tx: &mut WriteTx, hash: &[u8], now: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
        .bind(now)
        .bind(hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) async fn delete_session(
    tx: &mut WriteTx,
    hash: &[u8],
) -> Result<Option<CustomerId>, DbError> {
    let row = sqlx::query("DELETE FROM sessions WHERE id_hash = $1 RETURNING customer_id")
        .bind(hash)
        .fetch_optional(&mut **tx)
        .await?;
    row.as_ref().map(|r| parsed(r, "customer_id")).transpose()
}

/// Ends the customer's grants to other applications (their refresh tokens and the access
/// tokens carrying the grant). The grants belong to the identity provider, but a password change
/// must end them in the same transaction as the sessions, so that no failure leaves one alive.
pub(crate) async fn revoke_grants_of(
    tx: &mut WriteTx,
    customer: CustomerId,
    now: i64,
    why: &str,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE oidc_grants SET revoked_at = $1, revoked_why = $2 WHERE customer_id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(why)
    .bind(customer.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) async fn delete_sessions_of(
    tx: &mut WriteTx,
    customer: CustomerId,
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM sessions WHERE customer_id = $1")
        .bind(customer.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) async fn delete_expired_sessions(
    tx: &mut WriteTx,
    now: i64,
    idle_secs: i64,
) -> Result<u64, DbError> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
        .bind(now)
        .bind(now - idle_secs)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
}
