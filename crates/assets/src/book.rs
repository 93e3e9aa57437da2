//! The service customers' asset pages call: list, read, create, change, value, delete and
//! import, each change recorded in the history and the audit trail in one transaction.

use std::sync::Arc;

use platform::audit::{self, Actor, Event, RequestMeta, Target};
use platform::crypto::{DataKey, Keyring};
use platform::db::{Db, WriteTx};
use platform::ids::{AssetId, CustomerId};
use platform::time_util::now_unix;
use sqlx::AnyConnection;
use time::Date;

use crate::store::{self, AssetRow, AssetValues, Change, Recorded};
use crate::{
    AssetDraft, AssetError, Category, HistoryEntry, UnrealisedGain, Valuation, ValuationDraft, Yen,
};

/// The most entries one customer may keep; bounds pages, charts and sums.
pub const MAX_ASSETS_PER_CUSTOMER: i64 = 1000;

/// An asset, decrypted for its owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Asset {
    /// Identifier.
    pub id: AssetId,
    /// Category.
    pub category: Category,
    /// Name.
    pub name: String,
    /// Institution.
    pub institution: String,
    /// Amount.
    pub amount: Yen,
    /// Valuation date.
    pub valuation_date: Date,
    /// Note.
    pub note: String,
    /// Acquisition cost (取得価額), when the customer gave one; never for liabilities.
    pub acquisition_cost: Option<Yen>,
    /// Last change, seconds since the epoch.
    pub updated_at: i64,
}

impl Asset {
    /// Unrealised gain or loss (評価損益) against the acquisition cost; `None` without a cost
    /// or with a cost of zero.
    pub fn unrealised_gain(&self) -> Option<UnrealisedGain> {
        UnrealisedGain::of(self.amount, self.acquisition_cost)
    }
}

/// What adding a valuation did to the holding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValuationEffect {
    /// Dated on or after the holding's valuation date: it is now the current amount and date.
    Current,
    /// Dated before it: only the history gained a past value.
    BackFilled,
}

/// Customers' assets.
#[derive(Clone)]
pub struct AssetBook {
    db: Db,
    keyring: Arc<Keyring>,
}

fn aad(id: AssetId, field: &str) -> Vec<u8> {
    format!("asset:{id}:{field}").into_bytes()
}

fn seal(key: &DataKey, id: AssetId, d: &AssetDraft) -> AssetValues {
    AssetValues {
        category: d.category,
        name_enc: key.seal(d.name.as_bytes(), &aad(id, "name")),
        institution_enc: key.seal(d.institution.as_bytes(), &aad(id, "institution")),
        note_enc: key.seal(d.note.as_bytes(), &aad(id, "note")),
        amount: d.amount,
        valuation_date: d.valuation_date,
        acquisition_cost: d.acquisition_cost,
    }
}

fn open(key: &DataKey, row: AssetRow) -> Result<Asset, AssetError> {
    Ok(Asset {
        id: row.id,
        category: row.category,
        name: key.open_string(&row.name_enc, &aad(row.id, "name"))?,
        institution: key.open_string(&row.institution_enc, &aad(row.id, "institution"))?,
        note: key.open_string(&row.note_enc, &aad(row.id, "note"))?,
        amount: row.amount,
        valuation_date: row.valuation_date,
        acquisition_cost: row.acquisition_cost,
        updated_at: row.updated_at,
    })
}

impl AssetBook {
    /// A ledger over `db`, sealing with keys from `keyring`.
    pub fn new(db: Db, keyring: Arc<Keyring>) -> Self {
        Self { db, keyring }
    }

    async fn key(
        &self,
        conn: &mut AnyConnection,
        customer: CustomerId,
    ) -> Result<DataKey, AssetError> {
        self.keyring
            .customer_key(conn, customer)
            .await?
            .ok_or(AssetError::Shredded)
    }

    /// Every asset of a customer.
    pub async fn list(&self, customer: CustomerId) -> Result<Vec<Asset>, AssetError> {
        let mut conn = self.db.reader().await?;
        let key = self.key(&mut conn, customer).await?;
        store::list(&mut conn, customer)
            .await?
            .into_iter()
            .map(|row| open(&key, row))
            .collect()
    }

    /// One asset, if it belongs to this customer.
    pub async fn get(&self, customer: CustomerId, id: AssetId) -> Result<Asset, AssetError> {
        let mut conn = self.db.reader().await?;
        let row = store::get(&mut conn, customer, id)
            .await?
            .ok_or(AssetError::NotFound)?;
        let key = self.key(&mut conn, customer).await?;
        open(&key, row)
    }

    /// The recorded changes, for charts over time.
    pub async fn history(&self, customer: CustomerId) -> Result<Vec<HistoryEntry>, AssetError> {
        let mut tx = self.db.read().await?;
        Ok(store::history(&mut tx, customer).await?)
    }

    /// One holding's values for its page (chart and table): newest date first, one per date
    /// (the latest recorded wins, as in [`crate::series`]), its deletion never among them.
    pub async fn valuations(
        &self,
        customer: CustomerId,
        id: AssetId,
    ) -> Result<Vec<Valuation>, AssetError> {
        let mut tx = self.db.read().await?;
        if !store::exists(&mut tx, customer, id).await? {
            return Err(AssetError::NotFound);
        }
        Ok(store::valuations(&mut tx, customer, id).await?)
    }

    /// Records an amount valued on a date. On or after the holding's current valuation date it
    /// becomes the current amount and date; before it, it only fills in the history. Audited as
    /// an update.
    pub async fn add_valuation(
        &self,
        customer: CustomerId,
        id: AssetId,
        valuation: &ValuationDraft,
        meta: &RequestMeta,
    ) -> Result<ValuationEffect, AssetError> {
        let mut tx = self.db.write().await?;
        let now = now_unix();
        let revalued = store::revalue(
            &mut tx,
            customer,
            id,
            valuation.amount(),
            valuation.valuation_date(),
            now,
        )
        .await?
        .ok_or(AssetError::NotFound)?;
        let entry = Recorded {
            asset: id,
            category: revalued.category,
            change: Change::Updated,
            amount: valuation.amount().get(),
            valuation_date: valuation.valuation_date(),
        };
        store::record(&mut tx, customer, &entry, now).await?;
        audit_change(&mut tx, customer, "asset.update", Target::asset(id), meta).await?;
        tx.commit().await?;
        Ok(if revalued.current {
            ValuationEffect::Current
        } else {
            ValuationEffect::BackFilled
        })
    }

    /// Records a new asset.
    pub async fn create(
        &self,
        customer: CustomerId,
        draft: &AssetDraft,
        meta: &RequestMeta,
    ) -> Result<AssetId, AssetError> {
        let mut tx = self.db.write().await?;
        if store::count(&mut tx, customer).await? >= MAX_ASSETS_PER_CUSTOMER {
            return Err(AssetError::TooMany);
        }
        let key = self.key(&mut tx, customer).await?;
        let id = self.insert(&mut tx, &key, customer, draft).await?;
        audit_change(&mut tx, customer, "asset.create", Target::asset(id), meta).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn insert(
        &self,
        tx: &mut WriteTx,
        key: &DataKey,
        customer: CustomerId,
        draft: &AssetDraft,
    ) -> Result<AssetId, AssetError> {
        let id = AssetId::new();
        let now = now_unix();
        store::insert(tx, customer, id, &seal(key, id, draft), now).await?;
        store::record(tx, customer, &recorded(id, draft, Change::Created), now).await?;
        Ok(id)
    }

    /// Changes an asset of this customer.
    pub async fn update(
        &self,
        customer: CustomerId,
        id: AssetId,
        draft: &AssetDraft,
        meta: &RequestMeta,
    ) -> Result<(), AssetError> {
        let mut tx = self.db.write().await?;
        let key = self.key(&mut tx, customer).await?;
        let now = now_unix();
        if !store::update(&mut tx, customer, id, &seal(&key, id, draft), now).await? {
            return Err(AssetError::NotFound);
        }
        store::record(
            &mut tx,
            customer,
            &recorded(id, draft, Change::Updated),
            now,
        )
        .await?;
        audit_change(&mut tx, customer, "asset.update", Target::asset(id), meta).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes an asset of this customer; its past values stay in the history.
    pub async fn delete(
        &self,
        customer: CustomerId,
        id: AssetId,
        today: Date,
        meta: &RequestMeta,
    ) -> Result<(), AssetError> {
        let mut tx = self.db.write().await?;
        let category = store::delete(&mut tx, customer, id)
            .await?
            .ok_or(AssetError::NotFound)?;
        let gone = Recorded {
            asset: id,
            category,
            change: Change::Deleted,
            amount: 0,
            valuation_date: today,
        };
        store::record(&mut tx, customer, &gone, now_unix()).await?;
        audit_change(&mut tx, customer, "asset.delete", Target::asset(id), meta).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds every draft, or none of them.
    pub async fn import(
        &self,
        customer: CustomerId,
        drafts: &[AssetDraft],
        meta: &RequestMeta,
    ) -> Result<usize, AssetError> {
        let mut tx = self.db.write().await?;
        let existing = store::count(&mut tx, customer).await?;
        if existing + drafts.len() as i64 > MAX_ASSETS_PER_CUSTOMER {
            return Err(AssetError::TooMany);
        }
        let key = self.key(&mut tx, customer).await?;
        for draft in drafts {
            self.insert(&mut tx, &key, customer, draft).await?;
        }
        audit_change(
            &mut tx,
            customer,
            "assets.import",
            Target::assets_of(customer),
            meta,
        )
        .await?;
        tx.commit().await?;
        Ok(drafts.len())
    }

    /// Records that a customer exported their assets.
    pub async fn audit_export(
        &self,
        customer: CustomerId,
        meta: &RequestMeta,
    ) -> Result<(), AssetError> {
        let mut tx = self.db.write().await?;
        audit_change(
            &mut tx,
            customer,
            "assets.export",
            Target::assets_of(customer),
            meta,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn recorded(id: AssetId, d: &AssetDraft, change: Change) -> Recorded {
    Recorded {
        asset: id,
        category: d.category,
        change,
        amount: d.amount.get(),
        valuation_date: d.valuation_date,
    }
}

async fn audit_change(
    tx: &mut WriteTx,
    customer: CustomerId,
    action: &'static str,
    target: Target,
    meta: &RequestMeta,
) -> Result<(), AssetError> {
    let event = Event::success(Actor::customer(customer), action, target);
    audit::append(tx, &event, meta).await?;
    Ok(())
}
