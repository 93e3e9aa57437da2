//! Signed checkpoints of the audit chain.
//!
//! Whoever can write to the database can edit an entry and re-hash everything after it, or cut
//! the tail off and rewind the head: the chain alone would still look whole. A checkpoint is the
//! head's sequence number and hash signed with an Ed25519 key that the database holds only
//! wrapped by the master key, so such a rewrite no longer matches a signature nobody else can
//! make. Each checkpoint is also written to the log, which lives outside the database.

use std::collections::VecDeque;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sqlx::AnyConnection;

use super::{BreakReason, Chain, Entry, VERIFY_PAGE, Verdict, now_ms, read_head, read_page};
use crate::crypto::Keyring;
use crate::db::{Db, DbError, col};

/// Separates checkpoint signatures from anything else the key might ever sign.
const DOMAIN: &[u8] = b"assetstatus/audit-checkpoint/v1\0";

/// A signed statement that the chain's entry `seq` had hash `hash`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The entry the checkpoint covers, and with it every entry before.
    pub seq: i64,
    /// That entry's hash.
    pub hash: Vec<u8>,
    /// When it was signed, in milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// The Ed25519 public key that signed it, kept for people reading the table; verification
    /// uses the keyring's key, since a forger would store their own.
    pub public_key: Vec<u8>,
    /// The Ed25519 signature over a fixed domain prefix, `seq`, `hash` and `at_ms`.
    pub signature: Vec<u8>,
}

impl Checkpoint {
    fn from_row(r: &sqlx::any::AnyRow) -> Result<Self, DbError> {
        Ok(Self {
            seq: col(r, "seq")?,
            hash: col(r, "hash")?,
            at_ms: col(r, "at_ms")?,
            public_key: col(r, "public_key")?,
            signature: col(r, "signature")?,
        })
    }

    /// Signs `hash` as the hash of entry `seq`, at `at_ms`.
    pub fn sign(key: &SigningKey, seq: i64, hash: Vec<u8>, at_ms: i64) -> Self {
        let signature = key.sign(&message(seq, &hash, at_ms)).to_bytes().to_vec();
        Self {
            seq,
            hash,
            at_ms,
            public_key: key.verifying_key().to_bytes().to_vec(),
            signature,
        }
    }

    /// True when `key` signed exactly this sequence number, hash and time.
    pub fn is_signed_by(&self, key: &VerifyingKey) -> bool {
        Signature::from_slice(&self.signature).is_ok_and(|signature| {
            key.verify_strict(&message(self.seq, &self.hash, self.at_ms), &signature)
                .is_ok()
        })
    }
}

/// The signed bytes: fixed-width integers and a length-prefixed hash, so no two different
/// checkpoints share a message.
fn message(seq: i64, hash: &[u8], at_ms: i64) -> Vec<u8> {
    let mut m = Vec::with_capacity(DOMAIN.len() + 8 + 8 + hash.len() + 8);
    m.extend_from_slice(DOMAIN);
    m.extend_from_slice(&seq.to_be_bytes());
    m.extend_from_slice(&(hash.len() as u64).to_be_bytes());
    m.extend_from_slice(hash);
    m.extend_from_slice(&at_ms.to_be_bytes());
    m
}

/// Signs the current head if it has moved past the newest checkpoint, and returns the new
/// checkpoint; `None` when there is nothing new to sign.
pub async fn write(db: &Db, keyring: &Keyring) -> Result<Option<Checkpoint>, DbError> {
    let mut tx = db.write().await?;
    let head = read_head(&mut tx).await?;
    let newest = sqlx::query("SELECT seq FROM audit_checkpoints ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| col::<i64>(&r, "seq"))
        .transpose()?;
    if let Some(newest) = newest
        && newest > head.seq
    {
        tracing::warn!(
            head = head.seq,
            checkpoint = newest,
            "audit head is behind the newest checkpoint"
        );
    }
    if head.seq == 0 || newest.is_some_and(|newest| newest >= head.seq) {
        return Ok(None);
    }
    let checkpoint = Checkpoint::sign(&keyring.audit_signing_key(), head.seq, head.hash, now_ms());
    // Two instances racing for the same head both sign it; the first row stays.
    let inserted = sqlx::query(
        "INSERT INTO audit_checkpoints (seq, hash, at_ms, public_key, signature) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (seq) DO NOTHING",
    )
    .bind(checkpoint.seq)
    .bind(&checkpoint.hash)
    .bind(checkpoint.at_ms)
    .bind(&checkpoint.public_key)
    .bind(&checkpoint.signature)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    if inserted == 0 {
        return Ok(None);
    }
    tracing::info!(
        seq = checkpoint.seq,
        hash = %hex::encode(&checkpoint.hash),
        "audit checkpoint signed"
    );
    Ok(Some(checkpoint))
}

/// How many checkpoints are stored.
pub async fn count(conn: &mut AnyConnection) -> Result<i64, DbError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM audit_checkpoints")
        .fetch_one(conn)
        .await?;
    col(&row, "n")
}

/// Reads checkpoints in ascending order a page at a time, so verifying a long-lived trail
/// never holds every checkpoint in memory.
struct Cursor {
    buffer: VecDeque<Checkpoint>,
    after: i64,
    exhausted: bool,
}

impl Cursor {
    fn new() -> Self {
        Self {
            buffer: VecDeque::new(),
            after: i64::MIN,
            exhausted: false,
        }
    }

    async fn next(&mut self, conn: &mut AnyConnection) -> Result<Option<Checkpoint>, DbError> {
        if self.buffer.is_empty() && !self.exhausted {
            let rows = sqlx::query(
                "SELECT seq, hash, at_ms, public_key, signature FROM audit_checkpoints \
                 WHERE seq > $1 ORDER BY seq LIMIT $2",
            )
            .bind(self.after)
            .bind(VERIFY_PAGE)
            .fetch_all(&mut *conn)
            .await?;
            self.exhausted = (rows.len() as i64) < VERIFY_PAGE;
            for row in &rows {
                self.buffer.push_back(Checkpoint::from_row(row)?);
            }
            if let Some(last) = self.buffer.back() {
                self.after = last.seq;
            }
        }
        Ok(self.buffer.pop_front())
    }
}

fn broken(seq: i64, reason: BreakReason) -> Verdict {
    Verdict::Broken { seq, reason }
}

/// Everything [`super::verify`] checks, and the checkpoints: each is signed by `key` (the
/// keyring's, never the key stored beside it), the entry at its position exists with exactly
/// the signed hash, and the head has not gone back before the newest one. A trail pruned by
/// retention must start right after a signed checkpoint whose hash its first entry links to.
/// `progress` is told the sequence number checked up to, which [`super::length`] bounds.
pub async fn verify_signed(
    conn: &mut AnyConnection,
    key: &VerifyingKey,
    mut progress: impl FnMut(i64),
) -> Result<Verdict, DbError> {
    let mut checkpoints = Cursor::new();
    let mut pending = checkpoints.next(conn).await?;
    let mut page = read_page(conn, 0, VERIFY_PAGE).await?;
    let first_seq = match page.first() {
        Some(entry) => entry.seq,
        None => read_head(conn).await?.seq + 1,
    };

    // Checkpoints of entries retention removed: only their signatures are left to check.
    let anchor_seq = first_seq - 1;
    while let Some(checkpoint) = pending.take_if(|c| c.seq < anchor_seq) {
        if !checkpoint.is_signed_by(key) {
            return Ok(broken(checkpoint.seq, BreakReason::CheckpointSignature));
        }
        pending = checkpoints.next(conn).await?;
    }
    let mut chain = if anchor_seq == 0 {
        Chain::from_genesis()
    } else {
        let Some(anchor) = pending.take_if(|c| c.seq == anchor_seq) else {
            return Ok(broken(first_seq, BreakReason::Unanchored));
        };
        if !anchor.is_signed_by(key) {
            return Ok(broken(anchor.seq, BreakReason::CheckpointSignature));
        }
        pending = checkpoints.next(conn).await?;
        Chain::after(anchor.seq, anchor.hash)
    };

    loop {
        for entry in &page {
            if let Err(reason) = chain.step(entry) {
                return Ok(broken(entry.seq, reason));
            }
            while let Some(checkpoint) = pending.take_if(|c| c.seq <= entry.seq) {
                if let Some(reason) = mismatch(&checkpoint, entry, key) {
                    return Ok(broken(checkpoint.seq, reason));
                }
                pending = checkpoints.next(conn).await?;
            }
        }
        progress(chain.last_seq());
        if (page.len() as i64) < VERIFY_PAGE {
            break;
        }
        page = read_page(conn, chain.last_seq(), VERIFY_PAGE).await?;
    }

    let verdict = chain.finish(conn).await?;
    if let (Verdict::Intact { .. }, Some(beyond)) = (&verdict, pending) {
        let reason = if beyond.is_signed_by(key) {
            BreakReason::CheckpointRemoved
        } else {
            BreakReason::CheckpointSignature
        };
        return Ok(broken(beyond.seq, reason));
    }
    Ok(verdict)
}

/// Why `checkpoint`, met while checking `entry`, does not vouch for it; `None` when it does.
fn mismatch(checkpoint: &Checkpoint, entry: &Entry, key: &VerifyingKey) -> Option<BreakReason> {
    if !checkpoint.is_signed_by(key) {
        Some(BreakReason::CheckpointSignature)
    } else if checkpoint.seq != entry.seq || checkpoint.hash != entry.hash {
        Some(BreakReason::CheckpointMismatch)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use rand::rngs::OsRng;

    use super::*;

    #[test]
    fn a_checkpoint_verifies_only_with_its_key_and_its_own_fields() {
        let key = SigningKey::generate(&mut OsRng);
        let checkpoint = Checkpoint::sign(&key, 7, vec![1; 32], 1_000);
        assert!(checkpoint.is_signed_by(&key.verifying_key()));
        let other = SigningKey::generate(&mut OsRng);
        assert!(!checkpoint.is_signed_by(&other.verifying_key()));
        for altered in [
            Checkpoint {
                seq: 8,
                ..checkpoint.clone()
            },
            Checkpoint {
                hash: vec![2; 32],
                ..checkpoint.clone()
            },
            Checkpoint {
                at_ms: 1_001,
                ..checkpoint.clone()
            },
            Checkpoint {
                signature: vec![0; 10],
                ..checkpoint.clone()
            },
        ] {
            assert!(!altered.is_signed_by(&key.verifying_key()));
        }
    }

    #[test]
    fn messages_are_domain_separated_and_unambiguous() {
        let m = message(1, &[9; 32], 2);
        assert!(m.starts_with(DOMAIN));
        assert_ne!(message(1, &[9; 31], 2), message(1, &[9; 32], 2));
        assert_ne!(message(1, &[], 2), message(2, &[], 1));
    }
}
