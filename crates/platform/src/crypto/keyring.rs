//! The keys stored in the database, each wrapped by the master key: system keys (the e-mail
//! blind index, form-token signing, audit checkpoints) and one data key per customer.

use std::path::Path;

use ed25519_dalek::{SigningKey, VerifyingKey};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::AnyConnection;
use subtle::ConstantTimeEq;

use super::{CryptoError, DataKey, MasterKey, MasterKeyError};
use crate::db::{Db, DbError, WriteTx, col};
use crate::ids::CustomerId;
use crate::time_util::now_unix;

const EMAIL_INDEX_KEY: &str = "email_index";
const NAME_INDEX_KEY: &str = "name_index";
const KANA_PREFIX_INDEX_KEY: &str = "kana_prefix_index";
const KANJI_NAME_INDEX_KEY: &str = "kanji_name_index";
const EMAIL_PREFIX_INDEX_KEY: &str = "email_prefix_index";
const FORM_TOKEN_KEY: &str = "form_token";
const SECRET_HASH_KEY: &str = "secret_hash";
const STAFF_KEY: &str = "staff_secrets";
const OUTBOX_KEY: &str = "outbox";
const SIGNING_KEY: &str = "signing_keys";
const GATEWAY_KEY: &str = "gateway_assertion";
const AUDIT_CHECKPOINT_KEY: &str = "audit_checkpoint";

/// Why the keyring cannot be opened or used.
#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    /// The master key is unusable.
    #[error(transparent)]
    MasterKey(#[from] MasterKeyError),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A stored key does not open.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// Keyed hash of a normalised e-mail address: lets the database find a customer by address
/// without holding the address in plain text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailIndex(pub Vec<u8>);

/// The master key together with the system keys it unwrapped.
pub struct Keyring {
    master: MasterKey,
    email_index: DataKey,
    name_index: DataKey,
    kana_prefix_index: DataKey,
    kanji_name_index: DataKey,
    email_prefix_index: DataKey,
    form_token: DataKey,
    secret_hash: DataKey,
    staff: DataKey,
    outbox: DataKey,
    signing: DataKey,
    gateway: DataKey,
    audit_checkpoint: DataKey,
    /// Customer data keys recently unwrapped, so that a page or API read costs one database
    /// round trip instead of two. Destroying a key forgets it here at once; another instance
    /// may still hold it for [`CUSTOMER_KEY_MEMORY`], the same window in which it accepts a
    /// verified access token it remembers (`edge.token_cache_seconds`, 30 s by default).
    customer_keys: moka::sync::Cache<CustomerId, std::sync::Arc<DataKey>>,
}

/// How long an unwrapped customer data key is remembered.
pub const CUSTOMER_KEY_MEMORY: std::time::Duration = std::time::Duration::from_secs(30);

impl Keyring {
    /// Loads (or on a fresh database creates) the master key and the system keys.
    pub async fn open(db: &Db, master_key_file: &Path) -> Result<Self, KeyringError> {
        let fresh = count_system_keys(db).await? == 0;
        let master = MasterKey::load_or_create(master_key_file, fresh)?;
        let mismatch = || MasterKeyError::Mismatch {
            path: master_key_file.to_owned(),
        };
        let email_index = system_key(db, &master, EMAIL_INDEX_KEY)
            .await?
            .map_err(|_| mismatch())?;
        let name_index = system_key(db, &master, NAME_INDEX_KEY)
            .await?
            .map_err(|_| mismatch())?;
        let kana_prefix_index = system_key(db, &master, KANA_PREFIX_INDEX_KEY)
            .await?
            .map_err(|_| mismatch())?;
        let kanji_name_index = system_key(db, &master, KANJI_NAME_INDEX_KEY)
            .await?
            .map_err(|_| mismatch())?;
        let email_prefix_index = system_key(db, &master, EMAIL_PREFIX_INDEX_KEY)
            .await?
            .map_err(|_| mismatch())?;
        let form_token = system_key(db, &master, FORM_TOKEN_KEY)
            .await?
            .map_err(|_| mismatch())?;
        let secret_hash = system_key(db, &master, SECRET_HASH_KEY)
            .await?
            .map_err(|_| mismatch())?;
        let staff = system_key(db, &master, STAFF_KEY)
            .await?
            .map_err(|_| mismatch())?;
        let outbox = system_key(db, &master, OUTBOX_KEY)
            .await?
            .map_err(|_| mismatch())?;
        let signing = system_key(db, &master, SIGNING_KEY)
            .await?
            .map_err(|_| mismatch())?;
        let gateway = system_key(db, &master, GATEWAY_KEY)
            .await?
            .map_err(|_| mismatch())?;
        let audit_checkpoint = system_key(db, &master, AUDIT_CHECKPOINT_KEY)
            .await?
            .map_err(|_| mismatch())?;
        Ok(Self {
            master,
            email_index,
            name_index,
            kana_prefix_index,
            kanji_name_index,
            email_prefix_index,
            form_token,
            secret_hash,
            staff,
            outbox,
            signing,
            gateway,
            audit_checkpoint,
            customer_keys: moka::sync::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(CUSTOMER_KEY_MEMORY)
                .build(),
        })
    }

    /// The master key itself, for backups: it wraps each archive's key.
    pub fn master(&self) -> &MasterKey {
        &self.master
    }

    /// A short public fingerprint of the master key.
    pub fn master_fingerprint(&self) -> String {
        self.master.fingerprint()
    }

    /// The blind index of an address already normalised by the caller.
    pub fn email_index(&self, normalized_email: &str) -> EmailIndex {
        EmailIndex(hmac(&self.email_index, normalized_email.as_bytes()))
    }

    /// The blind index of one part of a kana reading already normalised by the caller: lets
    /// operators find customers by reading while the database holds only keyed hashes.
    pub fn name_index(&self, normalized_reading: &str) -> Vec<u8> {
        hmac(&self.name_index, normalized_reading.as_bytes())
    }

    /// The blind index of a prefix of a kana reading (folded, without spaces), under a key of
    /// its own so prefix tokens cannot be joined with the exact ones of [`Keyring::name_index`].
    pub fn kana_prefix_index(&self, normalized_prefix: &str) -> Vec<u8> {
        hmac(&self.kana_prefix_index, normalized_prefix.as_bytes())
    }

    /// The blind index of a name as written (kanji), whole or one part, already normalised.
    pub fn kanji_name_index(&self, normalized_name: &str) -> Vec<u8> {
        hmac(&self.kanji_name_index, normalized_name.as_bytes())
    }

    /// The blind index of a prefix of a normalised e-mail address (never the whole-address
    /// index of [`Keyring::email_index`], which login uses).
    pub fn email_prefix_index(&self, normalized_prefix: &str) -> Vec<u8> {
        hmac(&self.email_prefix_index, normalized_prefix.as_bytes())
    }

    /// A keyed hash for short secrets a database thief must not be able to guess offline
    /// (recovery codes).
    pub fn secret_hash(&self, value: &str) -> Vec<u8> {
        hmac(&self.secret_hash, value.as_bytes())
    }

    /// The key staff members' second-factor secrets are sealed with (staff have no personal
    /// data key: their records belong to the bank, not to them).
    pub fn staff_key(&self) -> &DataKey {
        &self.staff
    }

    /// The key mails waiting in the outbox are sealed with.
    pub fn outbox_key(&self) -> &DataKey {
        &self.outbox
    }

    /// The key the identity provider's private signing keys are sealed with.
    pub fn signing_key(&self) -> &DataKey {
        &self.signing
    }

    /// The Ed25519 key audit checkpoints are signed with, derived from a system key used as
    /// its seed: only someone holding the master key can sign a checkpoint.
    pub fn audit_signing_key(&self) -> SigningKey {
        SigningKey::from_bytes(self.audit_checkpoint.as_bytes())
    }

    /// The public half of [`Keyring::audit_signing_key`], which checkpoints are verified with
    /// (never the public key stored beside them, which a forger would replace).
    pub fn audit_verifying_key(&self) -> VerifyingKey {
        self.audit_signing_key().verifying_key()
    }

    /// A token binding forms to the browser that loaded them (see the web layer's CSRF guard).
    pub fn form_token(&self, binding: &str) -> String {
        hex::encode(hmac(&self.form_token, binding.as_bytes()))
    }

    /// The gateway's signature over the assertion it hands an upstream role in split mode.
    pub fn gateway_mac(&self, message: &[u8]) -> Vec<u8> {
        hmac(&self.gateway, message)
    }

    /// Checks a gateway signature in constant time.
    pub fn gateway_mac_matches(&self, message: &[u8], presented: &[u8]) -> bool {
        let expected = self.gateway_mac(message);
        expected.len() == presented.len() && bool::from(expected.ct_eq(presented))
    }

    /// Checks a form token in constant time.
    pub fn form_token_matches(&self, binding: &str, presented: &str) -> bool {
        let expected = self.form_token(binding);
        expected.len() == presented.len()
            && bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
    }

    /// Creates and stores the data key of a new customer.
    pub async fn create_customer_key(
        &self,
        tx: &mut WriteTx,
        customer: CustomerId,
    ) -> Result<DataKey, DbError> {
        let key = DataKey::generate();
        let wrapped = self.master.wrap(&key, customer_aad(customer).as_bytes());
        sqlx::query(
            "INSERT INTO customer_keys (customer_id, wrapped_key, created_at) VALUES ($1, $2, $3)",
        )
        .bind(customer.to_string())
        .bind(wrapped)
        .bind(now_unix())
        .execute(&mut **tx)
        .await?;
        Ok(key)
    }

    /// The data key of a customer; `None` once it has been destroyed.
    pub async fn customer_key(
        &self,
        conn: &mut AnyConnection,
        customer: CustomerId,
    ) -> Result<Option<DataKey>, KeyringError> {
        if let Some(key) = self.customer_keys.get(&customer) {
            return Ok(Some(key.duplicate()));
        }
        let row = sqlx::query("SELECT wrapped_key FROM customer_keys WHERE customer_id = $1")
            .bind(customer.to_string())
            .fetch_optional(&mut *conn)
            .await
            .map_err(DbError::from)?;
        let Some(row) = row else { return Ok(None) };
        let wrapped: Vec<u8> = col(&row, "wrapped_key")?;
        let key = self
            .master
            .unwrap_key(&wrapped, customer_aad(customer).as_bytes())?;
        self.customer_keys
            .insert(customer, std::sync::Arc::new(key.duplicate()));
        Ok(Some(key))
    }

    /// Destroys a customer's data key: every field sealed with it becomes unreadable for good.
    pub async fn destroy_customer_key(
        &self,
        tx: &mut WriteTx,
        customer: CustomerId,
    ) -> Result<(), DbError> {
        sqlx::query("DELETE FROM customer_keys WHERE customer_id = $1")
            .bind(customer.to_string())
            .execute(&mut **tx)
            .await?;
        self.customer_keys.invalidate(&customer);
        Ok(())
    }
}

/// The associated data a customer's data key is wrapped with, for backups that check
/// escrowed keys against the master key.
pub fn customer_aad(customer: CustomerId) -> String {
    format!("customer-key:{customer}")
}

fn hmac(key: &DataKey, message: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so building it from a 32-byte key cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return Vec::new(),
    };
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

async fn count_system_keys(db: &Db) -> Result<i64, DbError> {
    let mut tx = db.read().await?;
    let row = sqlx::query("SELECT COUNT(*) AS n FROM system_keys")
        .fetch_one(&mut *tx)
        .await?;
    col(&row, "n")
}

/// Loads a system key, creating it first if no instance has yet. The outer result is the
/// database's, the inner one says whether the master key opened it.
async fn system_key(
    db: &Db,
    master: &MasterKey,
    name: &str,
) -> Result<Result<DataKey, CryptoError>, DbError> {
    let aad = format!("system-key:{name}");
    let candidate = DataKey::generate();
    let mut tx = db.write().await?;
    sqlx::query(
        "INSERT INTO system_keys (name, wrapped_key, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(master.wrap(&candidate, aad.as_bytes()))
    .bind(now_unix())
    .execute(&mut *tx)
    .await?;
    let row = sqlx::query("SELECT wrapped_key FROM system_keys WHERE name = $1")
        .bind(name)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    let wrapped: Vec<u8> = col(&row, "wrapped_key")?;
    Ok(master.unwrap_key(&wrapped, aad.as_bytes()))
}
