//! SQL for two-step verification.

use platform::db::{DbError, WriteTx, col};

use super::Owner;
use sqlx::AnyConnection;

/// An account's authenticator, secret still sealed.
pub(crate) struct MfaRow {
    pub secret_enc: Vec<u8>,
    /// Confirmed and not suspended: the second step is due at login.
    pub enabled: bool,
    /// Suspended by a password reset: neither usable nor to be offered again for set-up.
    pub suspended: bool,
    pub last_step: i64,
}

pub(crate) async fn get(
    conn: &mut AnyConnection,
    owner: &Owner,
) -> Result<Option<MfaRow>, DbError> {
    let row = sqlx::query(
        "SELECT secret_enc, enabled_at, suspended_at, last_step FROM mfa_secrets WHERE owner = $1",
    )
    .bind(owner.key())
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let enabled_at: Option<i64> = col(&row, "enabled_at")?;
    let suspended = col::<Option<i64>>(&row, "suspended_at")?.is_some();
    Ok(Some(MfaRow {
        secret_enc: col(&row, "secret_enc")?,
        enabled: enabled_at.is_some() && !suspended,
        suspended,
        last_step: col(&row, "last_step")?,
    }))
}

/// Stores a new, not yet confirmed secret (replacing an unconfirmed one).
pub(crate) async fn put_pending(
    tx: &mut WriteTx,
    owner: &Owner,
    secret_enc: &[u8],
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO mfa_secrets (owner, secret_enc, enabled_at, last_step) VALUES ($1, $2, NULL, 0) \
         ON CONFLICT (owner) DO UPDATE SET secret_enc = $2, enabled_at = NULL, suspended_at = NULL, last_step = 0",
    )
    .bind(owner.key())
    .bind(secret_enc)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) async fn enable(tx: &mut WriteTx, owner: &Owner, now: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE mfa_secrets SET enabled_at = $1 WHERE owner = $2")
        .bind(now)
        .bind(owner.key())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Records a used step; false when that step (or a later one) was used already.
pub(crate) async fn use_step(tx: &mut WriteTx, owner: &Owner, step: i64) -> Result<bool, DbError> {
    let done =
        sqlx::query("UPDATE mfa_secrets SET last_step = $1 WHERE owner = $2 AND last_step < $1")
            .bind(step)
            .bind(owner.key())
            .execute(&mut **tx)
            .await?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn remove(tx: &mut WriteTx, owner: &Owner) -> Result<(), DbError> {
    for sql in [
        "DELETE FROM mfa_secrets WHERE owner = $1",
        "DELETE FROM recovery_codes WHERE owner = $1",
    ] {
        sqlx::query(sql)
            .bind(owner.key())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

pub(crate) async fn replace_recovery_codes(
    tx: &mut WriteTx,
    owner: &Owner,
    hashes: &[Vec<u8>],
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM recovery_codes WHERE owner = $1")
        .bind(owner.key())
        .execute(&mut **tx)
        .await?;
    for hash in hashes {
        sqlx::query("INSERT INTO recovery_codes (owner, code_hash, used_at) VALUES ($1, $2, NULL)")
            .bind(owner.key())
            .bind(hash)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Uses up a recovery code; false when it is unknown or used.
pub(crate) async fn use_recovery_code(
    tx: &mut WriteTx,
    owner: &Owner,
    hash: &[u8],
    now: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE recovery_codes SET used_at = $1 WHERE owner = $2 AND code_hash = $3 AND used_at IS NULL")
        .bind(now)
        .bind(owner.key())
        .bind(hash)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn unused_recovery_codes(
    conn: &mut AnyConnection,
    owner: &Owner,
) -> Result<i64, DbError> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM recovery_codes WHERE owner = $1 AND used_at IS NULL",
    )
    .bind(owner.key())
    .fetch_one(conn)
    .await?;
    col(&row, "n")
}

pub(crate) async fn insert_pending_login(
    tx: &mut WriteTx,
    hash: &[u8],
    owner: &Owner,
    expires_at: i64,
) -> Result<(), DbError> {
    sqlx::query("INSERT INTO pending_logins (token_hash, owner, expires_at, attempts) VALUES ($1, $2, $3, 0)")
        .bind(hash)
        .bind(owner.key())
        .bind(expires_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The owner of a live pending login, counting this attempt; `None` when unknown, expired or
/// out of attempts.
pub(crate) async fn attempt_pending_login(
    tx: &mut WriteTx,
    hash: &[u8],
    now: i64,
    max_attempts: i64,
) -> Result<Option<String>, DbError> {
    let row = sqlx::query(
        "UPDATE pending_logins SET attempts = attempts + 1 \
         WHERE token_hash = $1 AND expires_at > $2 AND attempts < $3 RETURNING owner",
    )
    .bind(hash)
    .bind(now)
    .bind(max_attempts)
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(|r| col(r, "owner")).transpose()
}

pub(crate) async fn delete_pending_login(tx: &mut WriteTx, hash: &[u8]) -> Result<(), DbError> {
    sqlx::query("DELETE FROM pending_logins WHERE token_hash = $1")
        .bind(hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
