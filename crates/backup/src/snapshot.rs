//! Reading tables out of the database: inside one snapshot transaction when backing up, and
//! again from a restored copy when a drill checks it against the manifest.

use futures::TryStreamExt;
use platform::db::Backend;
use sqlx::AnyConnection;

use crate::archive::{ArchiveWriter, TABLES};
use crate::manifest::TableEntry;
use crate::rows::{self, TableDigest, Value};
use crate::{BackupError, Progress, schema};

/// Rows per archive entry: entries stay small enough to hold in memory.
const ROWS_PER_ENTRY: usize = 2_000;

/// Reads every row of `table`, with the `masked` columns left out, and returns the manifest
/// entry; with a writer, the rows also go into the archive.
pub async fn export(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
    masked: &[&str],
    mut writer: Option<&mut ArchiveWriter>,
    progress: &dyn Progress,
) -> Result<TableEntry, BackupError> {
    let columns = schema::columns(conn, backend, table).await?;
    if let Some(c) = columns.iter().find(|c| c.kind.is_none()) {
        return Err(unsupported(table, &c.name));
    }
    let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
    let hidden: Vec<bool> = names.iter().map(|n| masked.contains(&n.as_str())).collect();
    let list: Vec<String> = names.iter().map(|n| schema::quoted(n)).collect();
    let sql = format!("SELECT {} FROM {}", list.join(", "), schema::quoted(table));
    let mut digest = TableDigest::default();
    let mut chunk = Vec::new();
    let (mut in_chunk, mut part) = (0usize, 0usize);
    let mut stream = sqlx::query(&sql).fetch(&mut *conn);
    while let Some(row) = stream
        .try_next()
        .await
        .map_err(platform::db::DbError::from)?
    {
        let mut values = Vec::with_capacity(names.len());
        for (i, hide) in hidden.iter().enumerate() {
            values.push(if *hide {
                Value::Null
            } else {
                rows::read(&row, i)
                    .map_err(platform::db::DbError::from)?
                    .ok_or_else(|| unsupported(table, &names[i]))?
            });
        }
        let line = rows::encode(&values);
        digest.add(&line);
        if let Some(writer) = writer.as_deref_mut() {
            chunk.extend_from_slice(&line);
            chunk.push(b'\n');
            in_chunk += 1;
            if in_chunk == ROWS_PER_ENTRY {
                writer.add(&entry_name(table, part), &chunk).await?;
                progress.advance(in_chunk as u64);
                chunk.clear();
                (in_chunk, part) = (0, part + 1);
            }
        }
    }
    drop(stream);
    if let Some(writer) = writer
        && in_chunk > 0
    {
        writer.add(&entry_name(table, part), &chunk).await?;
        progress.advance(in_chunk as u64);
    }
    Ok(TableEntry {
        name: table.to_owned(),
        columns: names,
        rows: digest.rows(),
        sha256: digest.finish(),
    })
}

fn entry_name(table: &str, part: usize) -> String {
    format!("{TABLES}{table}/{part:06}.jsonl")
}

/// The table an archive entry belongs to.
pub fn table_of(entry: &str) -> Option<&str> {
    entry.strip_prefix(TABLES)?.split('/').next()
}

fn unsupported(table: &str, column: &str) -> BackupError {
    BackupError::UnsupportedColumn {
        table: table.to_owned(),
        column: column.to_owned(),
    }
}
