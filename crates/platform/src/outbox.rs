//! Durable mail delivery. A mail is stored (sealed: it holds an address and single-use links)
//! before the request that caused it answers; the worker role delivers it with retries and
//! exponential backoff, and gives up into a dead-letter state after a set number of attempts.
//! Delivery is at least once: a crash between sending and marking sends again, with the same
//! Message-ID, so mail systems can recognise the duplicate. Once sent, the stored content is
//! erased.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, watch};

use crate::crypto::Keyring;
use crate::db::{Db, DbError, WriteTx, col};
use crate::mail::{MailError, Mailer, OutgoingMail};
use crate::time_util::now_unix;

/// How long a claimed mail stays with one worker before another may retry it.
const LEASE_SECS: i64 = 300;
/// Mails handled per pass.
const BATCH: i64 = 20;

#[derive(Serialize, Deserialize)]
struct Stored {
    to: String,
    subject: String,
    text: String,
}

/// The outbox and its delivery worker.
pub struct Outbox {
    db: Db,
    keyring: Arc<Keyring>,
    mailer: Arc<Mailer>,
    wake: Notify,
    max_attempts: i64,
}

/// What one delivery pass did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pass {
    /// Delivered.
    pub sent: usize,
    /// Failed, to be retried later.
    pub deferred: usize,
    /// Failed for the last time.
    pub dead: usize,
}

fn aad(kind: &str) -> Vec<u8> {
    format!("outbox:{kind}").into_bytes()
}

/// Seconds to wait after the `attempts`-th failure: 15 s doubling up to an hour.
fn backoff(attempts: i64) -> i64 {
    (15_i64 << (attempts - 1).clamp(0, 8)).min(3600)
}

impl Outbox {
    /// An outbox delivering through `mailer`, giving up after `max_attempts`.
    pub fn new(db: Db, keyring: Arc<Keyring>, mailer: Arc<Mailer>, max_attempts: i64) -> Self {
        Self {
            db,
            keyring,
            mailer,
            wake: Notify::new(),
            max_attempts: max_attempts.max(1),
        }
    }

    /// Stores a mail inside the caller's transaction.
    pub async fn enqueue_in(
        &self,
        tx: &mut WriteTx,
        kind: &'static str,
        mail: &OutgoingMail,
    ) -> Result<(), DbError> {
        let stored = Stored {
            to: mail.to.clone(),
            subject: mail.subject.clone(),
            text: mail.text.clone(),
        };
        let plain = serde_json::to_vec(&stored).unwrap_or_default();
        let sealed = self.keyring.outbox_key().seal(&plain, &aad(kind));
        sqlx::query(
            "INSERT INTO mail_outbox (kind, message_enc, status, attempts, next_attempt_at, last_error, created_at) \
             VALUES ($1, $2, 'pending', 0, $3, '', $3)",
        )
        .bind(kind)
        .bind(sealed)
        .bind(now_unix())
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Stores a mail in a transaction of its own and wakes the worker.
    pub async fn enqueue(&self, kind: &'static str, mail: &OutgoingMail) -> Result<(), DbError> {
        let mut tx = self.db.write().await?;
        self.enqueue_in(&mut tx, kind, mail).await?;
        tx.commit().await?;
        self.wake.notify_one();
        Ok(())
    }

    /// Claims due mails and tries each once.
    pub async fn deliver_due(&self) -> Result<Pass, DbError> {
        let now = now_unix();
        let claimed = {
            let mut tx = self.db.write().await?;
            let rows = sqlx::query(
                "UPDATE mail_outbox SET status = 'sending', next_attempt_at = $2 \
                 WHERE id IN (SELECT id FROM mail_outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= $1 \
                              ORDER BY id LIMIT $3) \
                   AND status IN ('pending', 'sending') AND next_attempt_at <= $1 \
                 RETURNING id, kind, message_enc, attempts",
            )
            .bind(now)
            .bind(now + LEASE_SECS)
            .bind(BATCH)
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            rows
        };
        let mut pass = Pass::default();
        for row in claimed {
            let id: i64 = col(&row, "id")?;
            let kind: String = col(&row, "kind")?;
            let sealed: Vec<u8> = col(&row, "message_enc")?;
            let attempts: i64 = col::<i64>(&row, "attempts")? + 1;
            match self.send(id, &kind, &sealed).await {
                Ok(()) => {
                    self.mark(id, "sent", attempts, now_unix(), "").await?;
                    pass.sent += 1;
                }
                Err(reason) if attempts >= self.max_attempts => {
                    tracing::error!(outbox_id = id, kind, attempts, reason, "mail given up");
                    self.mark(id, "dead", attempts, now_unix(), reason).await?;
                    pass.dead += 1;
                }
                Err(reason) => {
                    tracing::warn!(
                        outbox_id = id,
                        kind,
                        attempts,
                        reason,
                        "mail delivery deferred"
                    );
                    self.mark(
                        id,
                        "pending",
                        attempts,
                        now_unix() + backoff(attempts),
                        reason,
                    )
                    .await?;
                    pass.deferred += 1;
                }
            }
        }
        Ok(pass)
    }

    /// Sends one stored mail; the error is a short class, never the address or the text.
    async fn send(&self, id: i64, kind: &str, sealed: &[u8]) -> Result<(), &'static str> {
        let plain = self
            .keyring
            .outbox_key()
            .open(sealed, &aad(kind))
            .map_err(|_| "unreadable")?;
        let stored: Stored = serde_json::from_slice(&plain).map_err(|_| "unreadable")?;
        let mail = OutgoingMail {
            to: stored.to,
            subject: stored.subject,
            text: stored.text,
        };
        let message_id = format!("<outbox-{id}.{kind}@assetstatus>");
        self.mailer
            .send_with_id(mail, message_id)
            .await
            .map_err(|e| match e {
                MailError::Smtp(_) => "smtp",
                MailError::File(_) | MailError::Directory(_) => "file",
                MailError::Address => "address",
                MailError::Build(_) | MailError::Settings(_) => "message",
            })
    }

    async fn mark(
        &self,
        id: i64,
        status: &str,
        attempts: i64,
        at: i64,
        reason: &str,
    ) -> Result<(), DbError> {
        let mut tx = self.db.write().await?;
        let query = if status == "sent" {
            // The content is no longer needed once delivered: erase it.
            sqlx::query("UPDATE mail_outbox SET status = $1, attempts = $2, sent_at = $3, last_error = $4, message_enc = $5 WHERE id = $6")
                .bind(status)
                .bind(attempts)
                .bind(at)
                .bind(reason)
                .bind(Vec::<u8>::new())
                .bind(id)
        } else {
            sqlx::query("UPDATE mail_outbox SET status = $1, attempts = $2, next_attempt_at = $3, last_error = $4 WHERE id = $5")
                .bind(status)
                .bind(attempts)
                .bind(at)
                .bind(reason)
                .bind(id)
        };
        query.execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Delivers until `shutdown`: at once when woken by a new mail, otherwise every few seconds.
    pub async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        loop {
            if let Err(e) = self.deliver_due().await {
                tracing::warn!(error = %e, "outbox pass failed");
            }
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(Duration::from_secs(5)) => {}
                _ = shutdown.changed() => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_doubles_to_an_hour() {
        let waits: Vec<i64> = (1..=10).map(backoff).collect();
        assert_eq!(
            waits,
            vec![15, 30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
        );
    }
}
