//! Rows as the archive carries them: one JSON array per line, each value tagged with its type,
//! so SQLite and PostgreSQL write and read the same bytes and a backup of one engine restores
//! into the other.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};
use sqlx::any::{AnyRow, AnyTypeInfoKind};
use sqlx::{Row, ValueRef as _};

/// One stored value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Value {
    /// SQL NULL, and a credential left out.
    Null,
    /// Any integer column.
    Int(i64),
    /// A floating-point column.
    Real(f64),
    /// A text column.
    Text(String),
    /// A byte column, base64 in the archive.
    Bytes(#[serde(serialize_with = "to_base64", deserialize_with = "from_base64")] Vec<u8>),
}

fn to_base64<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&STANDARD.encode(bytes))
}

fn from_base64<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    let text = String::deserialize(d)?;
    STANDARD.decode(text).map_err(serde::de::Error::custom)
}

/// Which kind of value a column holds, from the database catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    /// 16- or 32-bit integer (PostgreSQL only).
    SmallInt,
    /// 64-bit integer.
    BigInt,
    /// Floating point.
    Real,
    /// Text.
    Text,
    /// Bytes.
    Bytes,
}

/// Reads column `i` of a row; `None` when the value has a type backups do not carry.
pub fn read(row: &AnyRow, i: usize) -> Result<Option<Value>, sqlx::Error> {
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        return Ok(Some(Value::Null));
    }
    let kind = raw.type_info().kind();
    Ok(Some(match kind {
        AnyTypeInfoKind::SmallInt | AnyTypeInfoKind::Integer | AnyTypeInfoKind::BigInt => {
            Value::Int(row.try_get(i)?)
        }
        AnyTypeInfoKind::Real | AnyTypeInfoKind::Double => Value::Real(row.try_get(i)?),
        AnyTypeInfoKind::Text => Value::Text(row.try_get(i)?),
        AnyTypeInfoKind::Blob => Value::Bytes(row.try_get(i)?),
        AnyTypeInfoKind::Null | AnyTypeInfoKind::Bool => return Ok(None),
    }))
}

/// One row as an archive line (without the newline).
pub fn encode(values: &[Value]) -> Vec<u8> {
    // Serialising plain enums of strings, numbers and bytes cannot fail.
    serde_json::to_vec(values).unwrap_or_default()
}

/// An archive line back into values.
pub fn decode(line: &[u8]) -> Result<Vec<Value>, serde_json::Error> {
    serde_json::from_slice(line)
}

/// The order-independent digest of a table: SHA-256 over the sorted SHA-256 of its lines, so
/// two engines that return rows in different orders still agree.
#[derive(Default)]
pub struct TableDigest {
    rows: Vec<[u8; 32]>,
}

impl TableDigest {
    /// Adds one encoded row.
    pub fn add(&mut self, line: &[u8]) {
        self.rows.push(Sha256::digest(line).into());
    }

    /// How many rows were added.
    pub fn rows(&self) -> u64 {
        self.rows.len() as u64
    }

    /// The digest, hex-encoded.
    pub fn finish(mut self) -> String {
        self.rows.sort_unstable();
        let mut hasher = Sha256::new();
        for row in &self.rows {
            hasher.update(row);
        }
        hex::encode(hasher.finalize())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip_every_kind_of_value() {
        let row = vec![
            Value::Null,
            Value::Int(-7),
            Value::Real(1.5),
            Value::Text("山田 \"x\"\n".to_owned()),
            Value::Bytes(vec![0, 255, 10]),
        ];
        let line = encode(&row);
        assert!(!line.contains(&b'\n'), "one row is one line");
        assert_eq!(decode(&line).unwrap(), row);
    }

    #[test]
    fn table_digests_ignore_row_order_but_not_content() {
        let digest = |lines: &[&[u8]]| {
            let mut d = TableDigest::default();
            lines.iter().for_each(|l| d.add(l));
            d.finish()
        };
        assert_eq!(digest(&[b"a", b"b"]), digest(&[b"b", b"a"]));
        assert_ne!(digest(&[b"a", b"b"]), digest(&[b"a", b"c"]));
        assert_ne!(digest(&[b"a"]), digest(&[b"a", b"a"]));
    }
}
