//! Searching the audit trail for the operations console: newest first, narrowed by any mix of
//! fields, paged by sequence number so a page stays stable while new entries arrive.
//!
//! Only the conditions that are set become SQL, and every value travels as a bound parameter.
//! The statement is assembled here rather than with `sqlx::QueryBuilder`, whose `push_bind`
//! writes `?` placeholders for the `Any` driver; PostgreSQL accepts only `$n`.

use sqlx::any::AnyArguments;
use sqlx::{Any, AnyConnection, Arguments, Encode, Type};

use super::{ENTRY_COLUMNS, Entry};
use crate::db::DbError;

/// The most entries [`page`] returns at once.
pub const MAX_PAGE: i64 = 500;

/// What to look for; `None` leaves a field unconstrained, and every set field must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Actor identifier, exact.
    pub actor: Option<String>,
    /// Actor capacity (`customer`, `staff`…), exact.
    pub role: Option<String>,
    /// Action name, exact; ending in `*` it is a prefix instead: `customer.*` finds
    /// `customer.login`, `customer.logout` and the rest. The match is case-sensitive on both
    /// databases.
    pub action: Option<String>,
    /// Target identifier (`customer:…`, `asset:…`), exact.
    pub target: Option<String>,
    /// `success`, `failure` or `denied`.
    pub outcome: Option<String>,
    /// Client address as recorded, exact.
    pub client_ip: Option<String>,
    /// Request ID, exact: every entry one request wrote.
    pub request_id: Option<String>,
    /// Entries at or after this time, in milliseconds since the Unix epoch.
    pub from_ms: Option<i64>,
    /// Entries strictly before this time, in milliseconds since the Unix epoch.
    pub to_ms: Option<i64>,
}

/// Up to `limit` (at most [`MAX_PAGE`]) matching entries, newest first, with a sequence number
/// below `before_seq` when given: pass the last entry's `seq` to get the next page.
pub async fn page(
    conn: &mut AnyConnection,
    filter: &Filter,
    before_seq: Option<i64>,
    limit: i64,
) -> Result<Vec<Entry>, DbError> {
    fetch(conn, filter, before_seq, limit.clamp(0, MAX_PAGE)).await
}

/// Every matching entry, newest first, but no more than `limit_cap`, for an export whose size
/// the caller bounds. A result of exactly `limit_cap` entries may have been cut short.
pub async fn all(
    conn: &mut AnyConnection,
    filter: &Filter,
    limit_cap: i64,
) -> Result<Vec<Entry>, DbError> {
    fetch(conn, filter, None, limit_cap.max(0)).await
}

async fn fetch(
    conn: &mut AnyConnection,
    filter: &Filter,
    before_seq: Option<i64>,
    limit: i64,
) -> Result<Vec<Entry>, DbError> {
    let mut select = Select::new(format!("SELECT {ENTRY_COLUMNS} FROM audit_log WHERE 1 = 1"));
    for (column, value) in [
        (" AND actor = ", &filter.actor),
        (" AND role = ", &filter.role),
        (" AND target = ", &filter.target),
        (" AND outcome = ", &filter.outcome),
        (" AND client_ip = ", &filter.client_ip),
        (" AND request_id = ", &filter.request_id),
    ] {
        if let Some(value) = value {
            select.push(column).bind(value.as_str())?;
        }
    }
    if let Some(action) = &filter.action {
        match action.strip_suffix('*') {
            // `substr` rather than LIKE: SQLite's LIKE ignores ASCII case and both would need
            // `%` and `_` escaped; `substr` counts characters alike on both databases.
            Some(prefix) => {
                let chars = i32::try_from(prefix.chars().count()).unwrap_or(i32::MAX);
                select
                    .push(" AND substr(action, 1, ")
                    .bind(chars)?
                    .push(") = ")
                    .bind(prefix)?;
            }
            None => {
                select.push(" AND action = ").bind(action.as_str())?;
            }
        }
    }
    if let Some(from_ms) = filter.from_ms {
        select.push(" AND at_ms >= ").bind(from_ms)?;
    }
    if let Some(to_ms) = filter.to_ms {
        select.push(" AND at_ms < ").bind(to_ms)?;
    }
    if let Some(before_seq) = before_seq {
        select.push(" AND seq < ").bind(before_seq)?;
    }
    select.push(" ORDER BY seq DESC LIMIT ").bind(limit)?;
    let Select { sql, args } = select;
    let rows = sqlx::query_with(&sql, args).fetch_all(conn).await?;
    rows.iter().map(Entry::from_row).collect()
}

/// SQL text with numbered placeholders and the values bound to them.
struct Select<'a> {
    sql: String,
    args: AnyArguments<'a>,
}

impl<'a> Select<'a> {
    fn new(sql: String) -> Self {
        Self {
            sql,
            args: AnyArguments::default(),
        }
    }

    /// Appends fixed SQL text; never a value.
    fn push(&mut self, sql: &'static str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Binds a value and appends its placeholder.
    fn bind<T>(&mut self, value: T) -> Result<&mut Self, DbError>
    where
        T: 'a + Encode<'a, Any> + Type<Any>,
    {
        self.args
            .add(value)
            .map_err(|e| DbError::Query(sqlx::Error::Encode(e)))?;
        self.sql.push('$');
        self.sql.push_str(&self.args.len().to_string());
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_become_numbered_placeholders_never_text() {
        let mut select = Select::new("SELECT 1 WHERE 1 = 1".into());
        select
            .push(" AND actor = ")
            .bind("x' OR '1' = '1")
            .unwrap()
            .push(" AND seq < ")
            .bind(5_i64)
            .unwrap();
        assert_eq!(
            select.sql,
            "SELECT 1 WHERE 1 = 1 AND actor = $1 AND seq < $2"
        );
        assert_eq!(select.args.len(), 2);
    }
}
