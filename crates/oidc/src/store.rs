//! Storage of codes, grants and refresh tokens. Tokens are looked up by their SHA-256 hash.

use platform::db::{DbError, WriteTx, col, parsed};
use platform::ids::CustomerId;
use sqlx::AnyConnection;

/// An authorization code as stored.
pub(crate) struct CodeRow {
    pub client_id: String,
    pub customer: CustomerId,
    pub redirect_uri: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub code_challenge: String,
    pub auth_time: i64,
    pub amr: String,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub grant_id: Option<String>,
}

/// A code to store.
pub(crate) struct NewCode<'a> {
    pub hash: &'a [u8],
    pub client_id: &'a str,
    pub customer: CustomerId,
    pub redirect_uri: &'a str,
    pub scope: &'a str,
    pub nonce: Option<&'a str>,
    pub code_challenge: &'a str,
    pub auth_time: i64,
    pub amr: &'a str,
    pub expires_at: i64,
}

pub(crate) async fn insert_code(tx: &mut WriteTx, c: &NewCode<'_>) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO oidc_codes (code_hash, client_id, customer_id, redirect_uri, scope, nonce, \
         code_challenge, auth_time, amr, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(c.hash)
    .bind(c.client_id)
    .bind(c.customer.to_string())
    .bind(c.redirect_uri)
    .bind(c.scope)
    .bind(c.nonce)
    .bind(c.code_challenge)
    .bind(c.auth_time)
    .bind(c.amr)
    .bind(c.expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) async fn code(tx: &mut WriteTx, hash: &[u8]) -> Result<Option<CodeRow>, DbError> {
    let row = sqlx::query(
        "SELECT client_id, customer_id, redirect_uri, scope, nonce, code_challenge, auth_time, amr, \
         expires_at, used_at, grant_id FROM oidc_codes WHERE code_hash = $1",
    )
    .bind(hash)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(CodeRow {
        client_id: col(&row, "client_id")?,
        customer: parsed(&row, "customer_id")?,
        redirect_uri: col(&row, "redirect_uri")?,
        scope: col(&row, "scope")?,
        nonce: col(&row, "nonce")?,
        code_challenge: col(&row, "code_challenge")?,
        auth_time: col(&row, "auth_time")?,
        amr: col(&row, "amr")?,
        expires_at: col(&row, "expires_at")?,
        used_at: col(&row, "used_at")?,
        grant_id: col(&row, "grant_id")?,
    }))
}

/// Marks a code used; false when another request used it first.
pub(crate) async fn use_code(
    tx: &mut WriteTx,
    hash: &[u8],
    now: i64,
    grant_id: &str,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE oidc_codes SET used_at = $1, grant_id = $2 WHERE code_hash = $3 AND used_at IS NULL",
    )
    .bind(now)
    .bind(grant_id)
    .bind(hash)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A grant to store.
pub(crate) struct NewGrant<'a> {
    pub id: &'a str,
    pub client_id: &'a str,
    pub customer: CustomerId,
    pub scope: &'a str,
    pub auth_time: i64,
    pub amr: &'a str,
    pub now: i64,
    pub expires_at: i64,
    pub dpop_jkt: Option<&'a str>,
}

pub(crate) async fn insert_grant(tx: &mut WriteTx, g: &NewGrant<'_>) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO oidc_grants (id, client_id, customer_id, scope, auth_time, amr, created_at, expires_at, \
         dpop_jkt) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(g.id)
    .bind(g.client_id)
    .bind(g.customer.to_string())
    .bind(g.scope)
    .bind(g.auth_time)
    .bind(g.amr)
    .bind(g.now)
    .bind(g.expires_at)
    .bind(g.dpop_jkt)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Revokes a grant and with it every token of its family; false when it was revoked already.
pub(crate) async fn revoke_grant(
    tx: &mut WriteTx,
    grant_id: &str,
    now: i64,
    why: &str,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE oidc_grants SET revoked_at = $1, revoked_why = $2 WHERE id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(why)
    .bind(grant_id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn insert_refresh_token(
    tx: &mut WriteTx,
    hash: &[u8],
    grant_id: &str,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO oidc_refresh_tokens (token_hash, grant_id, issued_at) VALUES ($1, $2, $3)",
    )
    .bind(hash)
    .bind(grant_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A refresh token with its grant.
pub(crate) struct RefreshRow {
    pub grant_id: String,
    pub rotated_at: Option<i64>,
    pub client_id: String,
    pub customer: CustomerId,
    pub scope: String,
    pub auth_time: i64,
    pub amr: String,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub dpop_jkt: Option<String>,
}

pub(crate) async fn refresh_token(
    conn: &mut AnyConnection,
    hash: &[u8],
) -> Result<Option<RefreshRow>, DbError> {
    let row = sqlx::query(
        "SELECT t.grant_id, t.rotated_at, g.client_id, g.customer_id, g.scope, g.auth_time, g.amr, \
         g.expires_at, g.revoked_at, g.dpop_jkt FROM oidc_refresh_tokens t JOIN oidc_grants g ON g.id = t.grant_id \
         WHERE t.token_hash = $1",
    )
    .bind(hash)
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(RefreshRow {
        grant_id: col(&row, "grant_id")?,
        rotated_at: col(&row, "rotated_at")?,
        client_id: col(&row, "client_id")?,
        customer: parsed(&row, "customer_id")?,
        scope: col(&row, "scope")?,
        auth_time: col(&row, "auth_time")?,
        amr: col(&row, "amr")?,
        expires_at: col(&row, "expires_at")?,
        revoked_at: col(&row, "revoked_at")?,
        dpop_jkt: col(&row, "dpop_jkt")?,
    }))
}

/// Marks a refresh token used; false when another request rotated it first.
pub(crate) async fn rotate_refresh_token(
    tx: &mut WriteTx,
    hash: &[u8],
    now: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE oidc_refresh_tokens SET rotated_at = $1 WHERE token_hash = $2 AND rotated_at IS NULL",
    )
    .bind(now)
    .bind(hash)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The live grant behind an access token's `sid`, with its client.
pub(crate) async fn live_grant(
    conn: &mut AnyConnection,
    grant_id: &str,
    now: i64,
) -> Result<Option<String>, DbError> {
    let row = sqlx::query(
        "SELECT client_id FROM oidc_grants WHERE id = $1 AND revoked_at IS NULL AND expires_at > $2",
    )
    .bind(grant_id)
    .bind(now)
    .fetch_optional(conn)
    .await?;
    row.map(|r| col(&r, "client_id")).transpose()
}

/// True when the client exists and is not disabled.
pub(crate) async fn client_enabled(
    conn: &mut AnyConnection,
    client_id: &str,
) -> Result<bool, DbError> {
    let row = sqlx::query(
        "SELECT 1 AS x FROM oauth_clients WHERE client_id = $1 AND disabled_at IS NULL",
    )
    .bind(client_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.is_some())
}

pub(crate) async fn jti_revoked(conn: &mut AnyConnection, jti: &str) -> Result<bool, DbError> {
    let row = sqlx::query("SELECT 1 AS x FROM oidc_revoked_jtis WHERE jti = $1")
        .bind(jti)
        .fetch_optional(conn)
        .await?;
    Ok(row.is_some())
}

pub(crate) async fn revoke_jti(
    tx: &mut WriteTx,
    jti: &str,
    expires_at: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO oidc_revoked_jtis (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING",
    )
    .bind(jti)
    .bind(expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Deletes what can no longer be used: expired codes, assertion and proof IDs, pushed requests,
/// revocations and grants.
pub(crate) async fn prune(tx: &mut WriteTx, now: i64) -> Result<u64, DbError> {
    // Used codes are kept an hour past expiry so that a late replay is still recognised.
    let mut removed = sqlx::query("DELETE FROM oidc_codes WHERE expires_at < $1")
        .bind(now - 3600)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    for sql in [
        "DELETE FROM oidc_assertion_jtis WHERE expires_at < $1",
        "DELETE FROM oidc_dpop_jtis WHERE expires_at < $1",
        "DELETE FROM oidc_par_requests WHERE expires_at < $1",
        "DELETE FROM oidc_revoked_jtis WHERE expires_at < $1",
        "DELETE FROM oidc_grants WHERE expires_at < $1",
    ] {
        removed += sqlx::query(sql)
            .bind(now)
            .execute(&mut **tx)
            .await?
            .rows_affected();
    }
    Ok(removed)
}
