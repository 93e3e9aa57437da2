//! SQL for passkeys and the ceremonies waiting for the browser's answer.

use platform::db::{DbError, WriteTx, col};
use sqlx::AnyConnection;

use crate::mfa::Owner;

/// A stored passkey, still sealed.
pub(crate) struct PasskeyRow {
    pub id: String,
    pub owner: String,
    pub passkey_enc: Vec<u8>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    /// Suspended by a password reset until the owner keeps it.
    pub suspended: bool,
}

const COLUMNS: &str = "id, owner, passkey_enc, created_at, last_used_at, suspended_at";

fn from_row(row: &sqlx::any::AnyRow) -> Result<PasskeyRow, DbError> {
    Ok(PasskeyRow {
        id: col(row, "id")?,
        owner: col(row, "owner")?,
        passkey_enc: col(row, "passkey_enc")?,
        created_at: col(row, "created_at")?,
        last_used_at: col(row, "last_used_at")?,
        suspended: col::<Option<i64>>(row, "suspended_at")?.is_some(),
    })
}

pub(crate) async fn of_owner(
    conn: &mut AnyConnection,
    owner: &Owner,
) -> Result<Vec<PasskeyRow>, DbError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM passkeys WHERE owner = $1 ORDER BY created_at"
    ))
    .bind(owner.key())
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

pub(crate) async fn by_credential(
    conn: &mut AnyConnection,
    credential_id: &[u8],
) -> Result<Option<PasskeyRow>, DbError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM passkeys WHERE credential_id = $1"
    ))
    .bind(credential_id)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

pub(crate) async fn count(conn: &mut AnyConnection, owner: &Owner) -> Result<i64, DbError> {
    let row =
        sqlx::query("SELECT COUNT(*) AS n FROM passkeys WHERE owner = $1 AND suspended_at IS NULL")
            .bind(owner.key())
            .fetch_one(conn)
            .await?;
    col(&row, "n")
}

/// A passkey to store.
pub(crate) struct NewPasskey<'a> {
    pub id: &'a str,
    pub owner: &'a Owner,
    pub credential_id: &'a [u8],
    pub passkey_enc: Vec<u8>,
    pub now: i64,
}

pub(crate) async fn insert(tx: &mut WriteTx, p: NewPasskey<'_>) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO passkeys (id, owner, credential_id, passkey_enc, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(p.id)
    .bind(p.owner.key())
    .bind(p.credential_id)
    .bind(p.passkey_enc)
    .bind(p.now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) async fn record_use(
    tx: &mut WriteTx,
    id: &str,
    passkey_enc: Vec<u8>,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query("UPDATE passkeys SET passkey_enc = $1, last_used_at = $2 WHERE id = $3")
        .bind(passkey_enc)
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Deletes one of the owner's passkeys; false when the owner has no such passkey.
pub(crate) async fn delete(tx: &mut WriteTx, owner: &Owner, id: &str) -> Result<bool, DbError> {
    let done = sqlx::query("DELETE FROM passkeys WHERE owner = $1 AND id = $2")
        .bind(owner.key())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn delete_all(tx: &mut WriteTx, owner: &Owner) -> Result<(), DbError> {
    sqlx::query("DELETE FROM passkeys WHERE owner = $1")
        .bind(owner.key())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Stores a ceremony's state under the hash of its token.
pub(crate) async fn insert_ceremony(
    tx: &mut WriteTx,
    hash: &[u8],
    purpose: &str,
    owner: Option<&Owner>,
    state: &str,
    expires_at: i64,
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM passkey_ceremonies WHERE expires_at < $1")
        .bind(expires_at - 2 * super::CEREMONY_SECS)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO passkey_ceremonies (token_hash, purpose, owner, state, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(hash)
    .bind(purpose)
    .bind(owner.map_or_else(|| "-".to_owned(), Owner::key))
    .bind(state)
    .bind(expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Takes a ceremony (single use): its owner key and state, if it is live and for `purpose`.
pub(crate) async fn take_ceremony(
    tx: &mut WriteTx,
    hash: &[u8],
    purpose: &str,
    now: i64,
) -> Result<Option<(String, String)>, DbError> {
    let row = sqlx::query(
        "SELECT owner, state FROM passkey_ceremonies WHERE token_hash = $1 AND purpose = $2 AND expires_at > $3",
    )
    .bind(hash)
    .bind(purpose)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM passkey_ceremonies WHERE token_hash = $1")
        .bind(hash)
        .execute(&mut **tx)
        .await?;
    row.map(|r| Ok((col(&r, "owner")?, col(&r, "state")?)))
        .transpose()
}
