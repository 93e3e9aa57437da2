//! What the database itself says about its tables: the only place backups ask the catalogue,
//! which differs between the engines.

use platform::db::{Backend, DbError, col};
use sqlx::AnyConnection;

use crate::rows::ColumnKind;

/// A column and the kind of value it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// What it holds; `None` for a type backups do not carry.
    pub kind: Option<ColumnKind>,
}

/// The application's tables (not the migration bookkeeping).
pub async fn tables(conn: &mut AnyConnection, backend: Backend) -> Result<Vec<String>, DbError> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             AND table_name <> '_sqlx_migrations' ORDER BY name"
        }
    };
    let rows = sqlx::query(sql).fetch_all(&mut *conn).await?;
    rows.iter().map(|r| col(r, "name")).collect()
}

/// The columns of `table`, in their declared order.
pub async fn columns(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
) -> Result<Vec<Column>, DbError> {
    let sql = match backend {
        Backend::Sqlite => "SELECT name, type AS kind FROM pragma_table_info($1) ORDER BY cid",
        Backend::Postgres => {
            "SELECT CAST(column_name AS TEXT) AS name, CAST(udt_name AS TEXT) AS kind \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position"
        }
    };
    let rows = sqlx::query(sql).bind(table).fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| {
            let declared: String = col(r, "kind")?;
            Ok(Column {
                name: col(r, "name")?,
                kind: kind(backend, &declared),
            })
        })
        .collect()
}

fn kind(backend: Backend, declared: &str) -> Option<ColumnKind> {
    let declared = declared.to_ascii_lowercase();
    Some(match (backend, declared.as_str()) {
        (Backend::Postgres, "int2" | "int4") => ColumnKind::SmallInt,
        (Backend::Postgres, "int8") | (Backend::Sqlite, "integer" | "bigint" | "int") => {
            ColumnKind::BigInt
        }
        (_, "float4" | "float8" | "real") => ColumnKind::Real,
        (_, "text" | "varchar") => ColumnKind::Text,
        (_, "bytea" | "blob") => ColumnKind::Bytes,
        _ => return None,
    })
}

/// Columns PostgreSQL generates itself (`GENERATED ALWAYS AS IDENTITY`) as (table, column):
/// a restore writes them explicitly and then moves their sequences past the restored values.
pub async fn identity_columns(
    conn: &mut AnyConnection,
    backend: Backend,
) -> Result<Vec<(String, String)>, DbError> {
    if backend == Backend::Sqlite {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(
        "SELECT CAST(table_name AS TEXT) AS t, CAST(column_name AS TEXT) AS c \
         FROM information_schema.columns \
         WHERE table_schema = current_schema() AND is_identity = 'YES'",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((col(r, "t")?, col(r, "c")?)))
        .collect()
}

/// The newest migration applied: a backup restores only into the same schema.
pub async fn version(conn: &mut AnyConnection) -> Result<i64, DbError> {
    let row =
        sqlx::query("SELECT CAST(MAX(version) AS BIGINT) AS v FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut *conn)
            .await?;
    col(&row, "v")
}

/// Quotes an identifier taken from the catalogue or [`crate::tables::TABLES`] (never from
/// input), for the statements that name tables and columns.
pub fn quoted(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}
