//! SQL for the staff pool.

use platform::db::{DbError, WriteTx, col, parsed};
use platform::ids::StaffId;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use super::{StaffRoles, StaffStatus, Username};

/// A staff row as stored.
pub(crate) struct StaffRow {
    pub id: StaffId,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub roles: StaffRoles,
    pub status: StaffStatus,
    pub last_login_at: Option<i64>,
}

const COLUMNS: &str = "id, username, display_name, password_hash, roles, status, last_login_at";

fn from_row(row: &AnyRow) -> Result<StaffRow, DbError> {
    let roles: String = col(row, "roles")?;
    let status: String = col(row, "status")?;
    Ok(StaffRow {
        id: parsed(row, "id")?,
        username: col(row, "username")?,
        display_name: col(row, "display_name")?,
        password_hash: col(row, "password_hash")?,
        roles: StaffRoles::parse(&roles).map_err(|_| DbError::Corrupt { column: "roles" })?,
        status: StaffStatus::parse(&status).ok_or(DbError::Corrupt { column: "status" })?,
        last_login_at: col(row, "last_login_at")?,
    })
}

pub(crate) async fn insert(
    tx: &mut WriteTx,
    id: StaffId,
    username: &Username,
    display_name: &str,
    password_hash: &str,
    roles: &StaffRoles,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO staff (id, username, display_name, password_hash, roles, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'active', $6, $6)",
    )
    .bind(id.to_string())
    .bind(username.as_str())
    .bind(display_name)
    .bind(password_hash)
    .bind(roles.stored())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) async fn by_username(
    conn: &mut AnyConnection,
    username: &Username,
) -> Result<Option<StaffRow>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM staff WHERE username = $1");
    let row = sqlx::query(&sql)
        .bind(username.as_str())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub(crate) async fn by_id(
    conn: &mut AnyConnection,
    id: StaffId,
) -> Result<Option<StaffRow>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM staff WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub(crate) async fn all(conn: &mut AnyConnection) -> Result<Vec<StaffRow>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM staff ORDER BY username");
    let rows = sqlx::query(&sql).fetch_all(conn).await?;
    rows.iter().map(from_row).collect()
}

pub(crate) async fn set_status(
    tx: &mut WriteTx,
    id: StaffId,
    status: StaffStatus,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query("UPDATE staff SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status.code())
        .bind(now)
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) async fn update_profile(
    tx: &mut WriteTx,
    id: StaffId,
    display_name: &str,
    roles: &StaffRoles,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query("UPDATE staff SET display_name = $1, roles = $2, updated_at = $3 WHERE id = $4")
        .bind(display_name)
        .bind(roles.stored())
        .bind(now)
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) async fn record_login(tx: &mut WriteTx, id: StaffId, now: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE staff SET last_login_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) async fn insert_session(
    tx: &mut WriteTx,
    hash: &[u8],
    id: StaffId,
    now: i64,
    expires_at: i64,
    mfa_done: bool,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO staff_sessions (id_hash, staff_id, created_at, last_seen_at, reauth_at, expires_at, mfa_done) VALUES ($1, $2, $3, $3, $3, $4, $5)",
    )
    .bind(hash)
    .bind(id.to_string())
    .bind(now)
    .bind(expires_at)
    .bind(i64::from(mfa_done))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A live staff session as stored.
pub(crate) struct LiveSession {
    pub staff: StaffId,
    pub mfa_done: bool,
    pub reauth_at: i64,
}

/// A live session's staff member, whether their second factor is done and when they last
/// proved who they are.
pub(crate) async fn live_session(
    conn: &mut AnyConnection,
    hash: &[u8],
    now: i64,
    idle_secs: i64,
) -> Result<Option<LiveSession>, DbError> {
    let row = sqlx::query(
        "SELECT s.staff_id, s.mfa_done, s.reauth_at FROM staff_sessions s JOIN staff t ON t.id = s.staff_id \
         WHERE s.id_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND t.status = 'active'",
    )
    .bind(hash)
    .bind(now)
    .bind(now - idle_secs)
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let done: i64 = col(&row, "mfa_done")?;
    Ok(Some(LiveSession {
        staff: parsed(&row, "staff_id")?,
        mfa_done: done == 1,
        reauth_at: col(&row, "reauth_at")?,
    }))
}

/// Records a fresh proof of who is at the session (step-up).
pub(crate) async fn mark_reauthenticated(
    tx: &mut WriteTx,
    hash: &[u8],
    now: i64,
) -> Result<bool, DbError> {
    let done =
        sqlx::query("UPDATE staff_sessions SET reauth_at = $1 WHERE id_hash = $2 AND mfa_done = 1")
            .bind(now)
            .bind(hash)
            .execute(&mut **tx)
            .await?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn touch_session(tx: &mut WriteTx, hash: &[u8], now: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE staff_sessions SET last_seen_at = $1 WHERE id_hash = $2")
        .bind(now)
        .bind(hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) async fn complete_session(tx: &mut WriteTx, hash: &[u8]) -> Result<(), DbError> {
    sqlx::query("UPDATE staff_sessions SET mfa_done = 1 WHERE id_hash = $1")
        .bind(hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) async fn delete_session(tx: &mut WriteTx, hash: &[u8]) -> Result<(), DbError> {
    sqlx::query("DELETE FROM staff_sessions WHERE id_hash = $1")
        .bind(hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) async fn set_password(
    tx: &mut WriteTx,
    id: StaffId,
    password_hash: &str,
) -> Result<(), DbError> {
    sqlx::query("UPDATE staff SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) async fn delete_sessions_of(tx: &mut WriteTx, id: StaffId) -> Result<(), DbError> {
    sqlx::query("DELETE FROM staff_sessions WHERE staff_id = $1")
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}
