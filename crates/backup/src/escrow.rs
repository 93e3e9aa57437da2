//! Customer data keys, kept beside the archives rather than in them: one object per customer,
//! holding the key exactly as the database does (wrapped by the master key). When a customer is
//! deleted their key is destroyed in the database, and the next backup removes it here too;
//! from then on no archive, however old, can open that customer's fields or documents, and a
//! restore leaves the customer out (crypto-shredding survives restores).

use std::collections::{HashMap, HashSet};

use platform::db::{Db, ReadTx, col};

use crate::{BackupError, Destination, Progress};

/// A customer's wrapped data key and when it was made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EscrowedKey {
    /// The customer.
    pub customer: String,
    /// When the key was created (Unix seconds).
    pub created_at: i64,
    /// The key wrapped by the master key.
    pub wrapped: Vec<u8>,
}

impl EscrowedKey {
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.created_at.to_be_bytes().to_vec();
        out.extend_from_slice(&self.wrapped);
        out
    }

    fn from_bytes(customer: &str, bytes: &[u8]) -> Option<Self> {
        let (at, wrapped) = bytes.split_at_checked(8)?;
        Some(Self {
            customer: customer.to_owned(),
            created_at: i64::from_be_bytes(at.try_into().ok()?),
            wrapped: wrapped.to_vec(),
        })
    }
}

/// Every customer key in the snapshot.
pub async fn read(tx: &mut ReadTx) -> Result<Vec<EscrowedKey>, BackupError> {
    let rows = sqlx::query("SELECT customer_id, wrapped_key, created_at FROM customer_keys")
        .fetch_all(&mut **tx)
        .await
        .map_err(platform::db::DbError::from)?;
    rows.iter()
        .map(|r| {
            Ok(EscrowedKey {
                customer: col(r, "customer_id")?,
                created_at: col(r, "created_at")?,
                wrapped: col(r, "wrapped_key")?,
            })
        })
        .collect()
}

/// Adds new customers' keys to the escrow at `destination` and removes the keys of customers
/// whose deletion the audit trail records. A key the database lacks without such a record
/// stays: after restoring an older backup, the customers of newer backups must remain
/// restorable from those.
pub async fn sync(
    destination: &Destination,
    keys: &[EscrowedKey],
    db: &Db,
    progress: &dyn Progress,
) -> Result<(), BackupError> {
    let present: HashSet<String> = destination.escrowed().await?.into_iter().collect();
    let wanted: HashSet<&str> = keys.iter().map(|k| k.customer.as_str()).collect();
    progress.stage("keys", keys.len() as u64);
    for key in keys {
        if !present.contains(&key.customer) {
            destination
                .escrow_key(&key.customer, key.to_bytes())
                .await?;
        }
        progress.advance(1);
    }
    for gone in present.iter().filter(|c| !wanted.contains(c.as_str())) {
        if deleted(db, gone).await? {
            destination.shred_key(gone).await?;
            tracing::info!(customer = %gone, "destroyed customer key removed from backup escrow");
        }
    }
    progress.done();
    Ok(())
}

/// Whether the audit trail records that `customer` deleted their account.
async fn deleted(db: &Db, customer: &str) -> Result<bool, BackupError> {
    let mut tx = db.read().await?;
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM audit_log \
         WHERE target = $1 AND action = 'customer.delete' AND outcome = 'success'",
    )
    .bind(format!("customer:{customer}"))
    .fetch_one(&mut *tx)
    .await
    .map_err(platform::db::DbError::from)?;
    Ok(col::<i64>(&row, "n")? > 0)
}

/// The escrowed keys of `customers` at `source`; customers missing from the result were
/// shredded after the backup was taken.
pub async fn fetch(
    source: &Destination,
    customers: &[String],
    id: &str,
) -> Result<HashMap<String, EscrowedKey>, BackupError> {
    let present: HashSet<String> = source.escrowed().await?.into_iter().collect();
    let mut found = HashMap::new();
    for customer in customers.iter().filter(|c| present.contains(*c)) {
        if let Some(bytes) = source.escrowed_key(customer).await? {
            let key =
                EscrowedKey::from_bytes(customer, &bytes).ok_or_else(|| BackupError::Damaged {
                    id: id.to_owned(),
                    reason: format!("the escrowed key of customer {customer} is malformed"),
                })?;
            found.insert(customer.clone(), key);
        }
    }
    Ok(found)
}
