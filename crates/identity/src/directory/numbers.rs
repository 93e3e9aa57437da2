//! Customer numbers: issued at sign-up from a random draw, recorded for ever in
//! `customer_numbers` (so a deleted customer's number is never issued again), stored in clear
//! on the customer row, and assigned at start-up to customers registered before numbers existed.

use std::collections::HashMap;

use platform::db::{DbError, WriteTx, col, parsed};
use platform::ids::{CustomerId, CustomerNumber};
use platform::time_util::now_unix;
use sqlx::any::AnyRow;

use crate::{Identity, IdentityError};

/// Draws before giving up; with 90 million numbers, even a million issued makes a collision
/// about one in ninety per draw.
const DRAWS: usize = 32;
/// Customers numbered per transaction by the start-up backfill.
const BACKFILL_BATCH: i64 = 200;
/// Customer IDs per query of [`Identity::customer_numbers`].
const LOOKUP_BATCH: usize = 200;

/// Issues a number never issued before and gives it to `id` if they have none yet; returns
/// the customer's number. Call in the customer's write transaction.
pub(super) async fn issue(tx: &mut WriteTx, id: CustomerId) -> Result<CustomerNumber, DbError> {
    for _ in 0..DRAWS {
        let number = CustomerNumber::random();
        let fresh = sqlx::query(
            "INSERT INTO customer_numbers (number, issued_at) VALUES ($1, $2) \
             ON CONFLICT (number) DO NOTHING",
        )
        .bind(number.digits())
        .bind(now_unix())
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if fresh == 0 {
            continue;
        }
        let row = sqlx::query(
            "UPDATE customers SET customer_number = COALESCE(customer_number, $1) WHERE id = $2 \
             RETURNING customer_number",
        )
        .bind(number.digits())
        .bind(id.to_string())
        .fetch_one(&mut **tx)
        .await?;
        return stored(&row)?.ok_or(DbError::Corrupt {
            column: "customer_number",
        });
    }
    Err(DbError::Query(sqlx::Error::Protocol(
        "no free customer number found".to_owned(),
    )))
}

/// The number in a row's `customer_number` column, if it has one.
pub(super) fn stored(row: &AnyRow) -> Result<Option<CustomerNumber>, DbError> {
    let digits: Option<String> = col(row, "customer_number")?;
    digits
        .map(|d| {
            CustomerNumber::parse(&d).map_err(|_| DbError::Corrupt {
                column: "customer_number",
            })
        })
        .transpose()
}

impl Identity {
    /// The customer numbers of `ids`, for any page that shows customers (review queue, review
    /// page, audit trail). Customers without a number (deleted, or not yet numbered by the
    /// start-up backfill) are left out of the map.
    pub async fn customer_numbers(
        &self,
        ids: &[CustomerId],
    ) -> Result<HashMap<CustomerId, CustomerNumber>, IdentityError> {
        let mut out = HashMap::with_capacity(ids.len());
        let mut tx = self.db.read().await?;
        for chunk in ids.chunks(LOOKUP_BATCH) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT id, customer_number FROM customers \
                 WHERE customer_number IS NOT NULL AND id IN ({})",
                placeholders.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(id.to_string());
            }
            for row in query.fetch_all(&mut *tx).await? {
                let id: CustomerId = parsed(&row, "id")?;
                if let Some(number) = stored(&row)? {
                    out.insert(id, number);
                }
            }
        }
        Ok(out)
    }

    /// One customer's number, if they have one.
    pub async fn customer_number(
        &self,
        id: CustomerId,
    ) -> Result<Option<CustomerNumber>, IdentityError> {
        Ok(self.customer_numbers(&[id]).await?.remove(&id))
    }

    /// Gives a number to every customer who has none (customers registered before numbers
    /// existed); returns how many were numbered. Safe to run at every start and on several
    /// instances at once: a customer numbered meanwhile keeps their number (the number drawn
    /// for them is then left unused, never issued again).
    pub async fn assign_missing_customer_numbers(&self) -> Result<u64, IdentityError> {
        let mut numbered = 0;
        let mut after = String::new();
        loop {
            let ids: Vec<CustomerId> = {
                let mut tx = self.db.read().await?;
                let rows = sqlx::query(
                    "SELECT id FROM customers WHERE id > $1 AND customer_number IS NULL \
                     ORDER BY id LIMIT $2",
                )
                .bind(&after)
                .bind(BACKFILL_BATCH)
                .fetch_all(&mut *tx)
                .await?;
                rows.iter()
                    .map(|r| parsed(r, "id"))
                    .collect::<Result<_, _>>()?
            };
            let Some(last) = ids.last() else { break };
            after = last.to_string();
            let mut tx = self.db.write().await?;
            for id in ids {
                let missing = sqlx::query(
                    "SELECT 1 AS one FROM customers WHERE id = $1 AND customer_number IS NULL",
                )
                .bind(id.to_string())
                .fetch_optional(&mut *tx)
                .await?;
                if missing.is_some() {
                    issue(&mut tx, id).await?;
                    numbered += 1;
                }
            }
            tx.commit().await?;
        }
        if numbered > 0 {
            tracing::info!(customers = numbered, "customer numbers assigned");
        }
        Ok(numbered)
    }
}
