//! Durable delivery of mails and webhook calls. A mail is stored (sealed: it holds an address
//! and single-use links) before the request that caused it answers, and so is a call to an
//! incoming webhook (sealed too: its URL is the receiver's credential); the worker role delivers
//! them with retries and exponential backoff, and gives up into a dead-letter state after a set
//! number of attempts. Once sent, the stored content is erased.
//!
//! A webhook call is a JSON `POST` (Slack-compatible receivers take `{"text": "…"}`); any 2xx
//! answer is a delivery, anything else, a redirect included, is a failure retried like a mail.
//!
//! # Sending once
//!
//! A worker claims due entries for a lease (`mail.lease_seconds`); an entry whose lease runs out
//! without being marked is claimed again. To keep a mail the SMTP server has accepted, or a call
//! the receiver has answered with 2xx, from going out twice when the worker crashes, or the
//! database fails, between sending and marking:
//!
//! 1. as soon as the SMTP server accepts a mail (or the receiver answers 2xx), its outbox ID is
//!    appended to a small journal file in the data directory ([`JOURNAL_FILE`]) and forced to
//!    disk, and only then is the row marked `sent`;
//! 2. before every claim, and so at every worker start, the journal is replayed: each ID in it
//!    is marked `sent` (content erased) and then removed from the journal;
//! 3. an entry whose ID is in the journal is never sent again by this worker, even when its
//!    lease runs out while the database cannot be written: it stays in the journal until the
//!    database takes the mark.
//!
//! On a shutdown signal the worker finishes the entry in flight and its mark, hands the rest of
//! its claim back, and stops.
//!
//! The journal holds one fixed-format line per ID: twenty decimal digits, a space, eight hex
//! digits of a SHA-256 check of the digits, a newline. Each line is appended with one write
//! and forced to disk; a torn or damaged line (a crash in the middle of a write) is ignored.
//! The file is rewritten whole (temporary file, then rename) when entries are removed.
//!
//! # What remains
//!
//! The journal lives on the worker's disk. When the host and its disk are lost between the
//! send and the mark, the mail goes out again once its lease runs out, with the same Message-ID
//! (`<outbox-ID.KIND@assetstatus>`) so that receiving systems can recognise the duplicate; a
//! webhook call is repeated the same way, and webhook receivers have no such identifier to
//! recognise it by. The same holds when another worker, with its own data directory, claims the
//! entry after the lease while this one still waits for the database: keep the lease longer
//! than database outages are expected to last. The journal belongs to one worker process per
//! data directory. A call that times out may have reached the receiver and is sent again.

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::{Notify, watch};

use crate::config::MailConfig;
use crate::crypto::Keyring;
use crate::db::{Db, DbError, WriteTx, col};
use crate::mail::{Letterhead, MailError, Mailer, OutgoingMail};
use crate::time_util::now_unix;

/// Entries handled per pass.
const BATCH: i64 = 20;

/// File name of the delivery journal in the data directory; it must survive restarts of the
/// worker, so it is kept (and backed up) with the rest of the data directory.
pub const JOURNAL_FILE: &str = "outbox-sent.journal";

/// How long a webhook receiver may take to answer before the call counts as failed.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);

/// The sealed, stored form of an entry. A mail keeps the shape rows had before webhooks were
/// added, so those rows stay readable; a webhook call is wrapped in a `webhook` object, which
/// no mail has. The webhook variant comes first: untagged variants are tried in order.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum Stored {
    Webhook { webhook: StoredWebhook },
    Mail(StoredMail),
}

/// A stored mail. Fields added later carry `#[serde(default)]` so that rows written before
/// them stay readable.
#[derive(Serialize, Deserialize)]
struct StoredMail {
    to: String,
    subject: String,
    text: String,
    #[serde(default)]
    html: Option<String>,
}

/// A stored webhook call: where to `POST` and the JSON to send.
#[derive(Serialize, Deserialize)]
struct StoredWebhook {
    url: String,
    body: serde_json::Value,
}

impl Stored {
    /// What the entry is, for log lines.
    fn what(&self) -> &'static str {
        match self {
            Stored::Webhook { .. } => "webhook",
            Stored::Mail(_) => "mail",
        }
    }
}

/// Why a delivery pass stopped.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// The database refused a claim or a mark.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The delivery journal cannot be read or written; nothing is sent without it.
    #[error("delivery journal {path}: {source}")]
    Journal {
        /// The journal file.
        path: PathBuf,
        /// What the file system said.
        source: io::Error,
    },
}

/// The outbox and its delivery worker.
pub struct Outbox {
    db: Db,
    keyring: Arc<Keyring>,
    mailer: Arc<Mailer>,
    /// `None` when no HTTP client could be built; webhook calls then fail and are retried.
    webhooks: Option<reqwest::Client>,
    wake: Notify,
    max_attempts: i64,
    lease_secs: i64,
    journal: Arc<Mutex<Journal>>,
    journal_path: PathBuf,
    letterhead: Letterhead,
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
    /// Delivered earlier and recorded as sent only now, from the journal.
    pub recorded: usize,
}

/// One claimed row.
struct Claimed {
    id: i64,
    kind: String,
    sealed: Vec<u8>,
    attempts: i64,
}

fn aad(kind: &str) -> Vec<u8> {
    format!("outbox:{kind}").into_bytes()
}

/// Seconds to wait after the `attempts`-th failure: 15 s doubling up to an hour.
fn backoff(attempts: i64) -> i64 {
    (15_i64 << (attempts - 1).clamp(0, 8)).min(3600)
}

impl Outbox {
    /// An outbox delivering mails through `mailer` and webhook calls over HTTP, with the
    /// attempts and lease of `settings`; its delivery journal is kept in `data_dir`.
    pub fn new(
        db: Db,
        keyring: Arc<Keyring>,
        mailer: Arc<Mailer>,
        settings: &MailConfig,
        data_dir: &Path,
    ) -> Self {
        let journal_path = data_dir.join(JOURNAL_FILE);
        // A redirect is not followed: the receiver's URL is fixed by configuration, and
        // following one would send the alert somewhere nobody configured.
        let webhooks = reqwest::Client::builder()
            .timeout(WEBHOOK_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .inspect_err(|e| {
                tracing::error!(error = %e, "no HTTP client for webhook calls; they will wait in the outbox");
            })
            .ok();
        Self {
            db,
            keyring,
            mailer,
            webhooks,
            wake: Notify::new(),
            max_attempts: settings.max_attempts.max(1),
            lease_secs: settings.lease_seconds.max(1),
            journal: Arc::new(Mutex::new(Journal::new(journal_path.clone()))),
            journal_path,
            letterhead: Letterhead::new(&settings.signature),
        }
    }

    /// The greeting and signature every mail queued here is composed with.
    pub fn letterhead(&self) -> &Letterhead {
        &self.letterhead
    }

    /// Stores a mail inside the caller's transaction.
    pub async fn enqueue_in(
        &self,
        tx: &mut WriteTx,
        kind: &'static str,
        mail: &OutgoingMail,
    ) -> Result<(), DbError> {
        let stored = Stored::Mail(StoredMail {
            to: mail.to.clone(),
            subject: mail.subject.clone(),
            text: mail.text.clone(),
            html: mail.html.clone(),
        });
        self.store_in(tx, kind, &stored).await
    }

    /// Stores a mail in a transaction of its own and wakes the worker.
    pub async fn enqueue(&self, kind: &'static str, mail: &OutgoingMail) -> Result<(), DbError> {
        let mut tx = self.db.write().await?;
        self.enqueue_in(&mut tx, kind, mail).await?;
        tx.commit().await?;
        self.wake.notify_one();
        Ok(())
    }

    /// Stores a webhook call (`body` is `POST`ed as JSON to `url`) inside the caller's
    /// transaction. The URL is sealed with the body: for incoming webhooks it is the credential.
    pub async fn enqueue_webhook_in(
        &self,
        tx: &mut WriteTx,
        kind: &'static str,
        url: &str,
        body: &serde_json::Value,
    ) -> Result<(), DbError> {
        let stored = Stored::Webhook {
            webhook: StoredWebhook {
                url: url.to_owned(),
                body: body.clone(),
            },
        };
        self.store_in(tx, kind, &stored).await
    }

    /// Stores a webhook call in a transaction of its own and wakes the worker.
    pub async fn enqueue_webhook(
        &self,
        kind: &'static str,
        url: &str,
        body: &serde_json::Value,
    ) -> Result<(), DbError> {
        let mut tx = self.db.write().await?;
        self.enqueue_webhook_in(&mut tx, kind, url, body).await?;
        tx.commit().await?;
        self.wake.notify_one();
        Ok(())
    }

    /// Seals `stored` and inserts it as a pending row.
    async fn store_in(
        &self,
        tx: &mut WriteTx,
        kind: &'static str,
        stored: &Stored,
    ) -> Result<(), DbError> {
        let plain = serde_json::to_vec(stored).unwrap_or_default();
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

    /// Wakes the worker after a caller committed entries queued with [`Outbox::enqueue_in`] or
    /// [`Outbox::enqueue_webhook_in`].
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Records journaled deliveries, then claims due entries and tries each once.
    pub async fn deliver_due(&self) -> Result<Pass, OutboxError> {
        self.pass(None).await
    }

    /// One pass; when `stop` turns true, the entry in flight is finished and the rest of the
    /// claim is handed back.
    async fn pass(&self, stop: Option<&watch::Receiver<bool>>) -> Result<Pass, OutboxError> {
        let mut pass = Pass {
            recorded: self.replay().await?,
            ..Pass::default()
        };
        let mut claimed = self.claim().await?.into_iter();
        while let Some(mail) = claimed.next() {
            if stop.is_some_and(|s| *s.borrow()) {
                let rest: Vec<i64> = std::iter::once(mail.id)
                    .chain(claimed.map(|m| m.id))
                    .collect();
                self.release(&rest).await?;
                break;
            }
            self.deliver(mail, &mut pass).await?;
        }
        self.with_journal(Journal::compact).await?;
        Ok(pass)
    }

    /// Marks every journaled ID `sent` and removes it from the journal. Stops at the first
    /// database error: those IDs stay in the journal for the next pass.
    async fn replay(&self) -> Result<usize, OutboxError> {
        let ids = self.with_journal(Journal::unmarked).await?;
        let mut recorded = 0;
        for id in ids {
            if let Err(e) = self.mark_sent(id).await {
                tracing::warn!(outbox_id = id, error = %e, "delivered entry not yet marked sent; kept in the journal");
                break;
            }
            self.with_journal(move |j| {
                j.marked(id);
                Ok(())
            })
            .await?;
            recorded += 1;
        }
        self.with_journal(Journal::compact).await?;
        Ok(recorded)
    }

    async fn claim(&self) -> Result<Vec<Claimed>, DbError> {
        let now = now_unix();
        let mut tx = self.db.write().await?;
        let rows = sqlx::query(
            "UPDATE mail_outbox SET status = 'sending', next_attempt_at = $2 \
             WHERE id IN (SELECT id FROM mail_outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= $1 \
                          ORDER BY id LIMIT $3) \
               AND status IN ('pending', 'sending') AND next_attempt_at <= $1 \
             RETURNING id, kind, message_enc, attempts",
        )
        .bind(now)
        .bind(now + self.lease_secs)
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.iter()
            .map(|row| {
                Ok(Claimed {
                    id: col(row, "id")?,
                    kind: col(row, "kind")?,
                    sealed: col(row, "message_enc")?,
                    attempts: col::<i64>(row, "attempts")? + 1,
                })
            })
            .collect()
    }

    /// Tries one claimed entry and records the outcome.
    async fn deliver(&self, entry: Claimed, pass: &mut Pass) -> Result<(), OutboxError> {
        let Claimed {
            id,
            kind,
            sealed,
            attempts,
        } = entry;
        if self.with_journal(move |j| j.holds(id)).await? {
            // Delivered already; only the mark is missing, and the next replay makes it.
            tracing::debug!(outbox_id = id, kind, "journaled entry not sent again");
            return Ok(());
        }
        let (what, outcome) = match self.open(&kind, &sealed) {
            Ok(stored) => (stored.what(), self.send(id, &kind, stored).await),
            Err(reason) => ("entry", Err(reason)),
        };
        match outcome {
            Ok(()) => {
                if let Err(e) = self.with_journal(move |j| j.append(id)).await {
                    tracing::error!(outbox_id = id, kind, error = %e, "delivered {what} not journaled");
                }
                match self.mark_sent(id).await {
                    Ok(()) => {
                        self.with_journal(move |j| {
                            j.marked(id);
                            Ok(())
                        })
                        .await?;
                    }
                    Err(e) => {
                        tracing::warn!(outbox_id = id, kind, error = %e, "delivered {what} not yet marked sent; kept in the journal");
                    }
                }
                pass.sent += 1;
            }
            Err(reason) if attempts >= self.max_attempts => {
                tracing::error!(outbox_id = id, kind, attempts, reason, "{what} given up");
                self.mark_failed(id, "dead", attempts, now_unix(), reason)
                    .await?;
                pass.dead += 1;
            }
            Err(reason) => {
                tracing::warn!(
                    outbox_id = id,
                    kind,
                    attempts,
                    reason,
                    "{what} delivery deferred"
                );
                self.mark_failed(
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
        Ok(())
    }

    /// Unseals one stored entry.
    fn open(&self, kind: &str, sealed: &[u8]) -> Result<Stored, &'static str> {
        let plain = self
            .keyring
            .outbox_key()
            .open(sealed, &aad(kind))
            .map_err(|_| "unreadable")?;
        serde_json::from_slice(&plain).map_err(|_| "unreadable")
    }

    /// Sends one entry; the error is a short class, never the address, the URL or the text.
    async fn send(&self, id: i64, kind: &str, stored: Stored) -> Result<(), &'static str> {
        match stored {
            Stored::Mail(mail) => self.send_mail(id, kind, mail).await,
            Stored::Webhook { webhook } => self.call_webhook(webhook).await,
        }
    }

    async fn send_mail(&self, id: i64, kind: &str, stored: StoredMail) -> Result<(), &'static str> {
        let mail = OutgoingMail {
            to: stored.to,
            subject: stored.subject,
            text: stored.text,
            html: stored.html,
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

    /// `POST`s the body as JSON; only a 2xx answer counts. reqwest's errors name the URL, so
    /// none of them is logged or stored, only its class.
    async fn call_webhook(&self, webhook: StoredWebhook) -> Result<(), &'static str> {
        let client = self.webhooks.as_ref().ok_or("webhook-client")?;
        let response = client
            .post(webhook.url.as_str())
            .json(&webhook.body)
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    "webhook-timeout"
                } else if e.is_connect() {
                    "webhook-connect"
                } else if e.is_builder() {
                    "webhook-url"
                } else {
                    "webhook-request"
                }
            })?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err("webhook-status")
        }
    }

    /// Records a delivery and erases the content, which is no longer needed. A row marked
    /// already is left alone, so replaying the journal twice changes nothing.
    async fn mark_sent(&self, id: i64) -> Result<(), DbError> {
        let mut tx = self.db.write().await?;
        sqlx::query(
            "UPDATE mail_outbox SET status = 'sent', attempts = attempts + 1, sent_at = $1, last_error = '', message_enc = $2 \
             WHERE id = $3 AND status <> 'sent'",
        )
        .bind(now_unix())
        .bind(Vec::<u8>::new())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn mark_failed(
        &self,
        id: i64,
        status: &str,
        attempts: i64,
        at: i64,
        reason: &str,
    ) -> Result<(), DbError> {
        let mut tx = self.db.write().await?;
        sqlx::query("UPDATE mail_outbox SET status = $1, attempts = $2, next_attempt_at = $3, last_error = $4 WHERE id = $5")
            .bind(status)
            .bind(attempts)
            .bind(at)
            .bind(reason)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Hands claimed but untried entries back, due at once, for the next worker.
    async fn release(&self, ids: &[i64]) -> Result<(), DbError> {
        let now = now_unix();
        let mut tx = self.db.write().await?;
        for id in ids {
            sqlx::query(
                "UPDATE mail_outbox SET status = 'pending', next_attempt_at = $1 WHERE id = $2 AND status = 'sending'",
            )
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Runs `f` on the journal on a blocking thread (it forces data to disk).
    async fn with_journal<T, F>(&self, f: F) -> Result<T, OutboxError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Journal) -> io::Result<T> + Send + 'static,
    {
        let journal = Arc::clone(&self.journal);
        let outcome = tokio::task::spawn_blocking(move || {
            let mut journal = journal
                .lock()
                .map_err(|_| io::Error::other("an earlier journal operation panicked"))?;
            f(&mut journal)
        })
        .await
        .map_err(io::Error::other)
        .and_then(|r| r);
        outcome.map_err(|source| OutboxError::Journal {
            path: self.journal_path.clone(),
            source,
        })
    }

    /// Delivers until `shutdown`: at once when woken by a new entry, otherwise every few
    /// seconds. A shutdown during a pass lets the entry in flight and its mark finish first.
    pub async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        loop {
            if let Err(e) = self.pass(Some(&shutdown)).await {
                tracing::warn!(error = %e, "outbox pass failed");
            }
            if *shutdown.borrow() {
                break;
            }
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(Duration::from_secs(5)) => {}
                _ = shutdown.changed() => break,
            }
        }
    }
}

/// The delivery journal: IDs of entries delivered (mails the SMTP server accepted, webhook
/// calls answered with 2xx) that are not yet known to be marked `sent` in the database. Read
/// from disk on first use.
struct Journal {
    path: PathBuf,
    loaded: bool,
    /// Open for appending; `None` until the file has been (re)written whole.
    file: Option<File>,
    /// Delivered, mark not yet confirmed: never to be sent again.
    unmarked: BTreeSet<i64>,
    /// Marked since the file was last written; removed at the next compaction.
    marked: BTreeSet<i64>,
}

/// Bytes of one journal line: 20 digits, a space, 8 hex digits, a newline.
const LINE_LEN: usize = 30;

fn check(digits: &str) -> String {
    hex::encode(&Sha256::digest(format!("outbox-sent:{digits}").as_bytes())[..4])
}

fn line(id: i64) -> String {
    let digits = format!("{id:020}");
    let check = check(&digits);
    format!("{digits} {check}\n")
}

/// The IDs of every whole, intact line; a torn last line and damaged lines are skipped.
fn parse(bytes: &[u8]) -> (Vec<i64>, usize) {
    let mut ids = Vec::new();
    let mut damaged = 0;
    for raw in bytes.split_inclusive(|b| *b == b'\n') {
        let parsed = std::str::from_utf8(raw)
            .ok()
            .filter(|l| l.len() == LINE_LEN && l.ends_with('\n'))
            .and_then(|l| {
                let (digits, check_hex) = l[..LINE_LEN - 1].split_once(' ')?;
                let valid = digits.len() == 20
                    && digits.bytes().all(|b| b.is_ascii_digit())
                    && check(digits) == check_hex;
                valid.then(|| digits.parse::<i64>().ok()).flatten()
            });
        match parsed {
            Some(id) => ids.push(id),
            None => damaged += 1,
        }
    }
    (ids, damaged)
}

fn sync_dir(path: &Path) -> io::Result<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => File::open(dir)?.sync_all(),
        _ => File::open(".")?.sync_all(),
    }
}

impl Journal {
    fn new(path: PathBuf) -> Self {
        Self {
            path,
            loaded: false,
            file: None,
            unmarked: BTreeSet::new(),
            marked: BTreeSet::new(),
        }
    }

    /// Reads the file once and makes sure it is whole and open for appending.
    fn open(&mut self) -> io::Result<()> {
        if !self.loaded {
            match std::fs::read(&self.path) {
                Ok(bytes) => {
                    let (ids, damaged) = parse(&bytes);
                    if damaged > 0 {
                        tracing::warn!(damaged, "torn or damaged delivery journal lines ignored");
                    }
                    self.unmarked.extend(ids);
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
            self.loaded = true;
        }
        if self.file.is_none() {
            self.rewrite()?;
        }
        Ok(())
    }

    /// IDs still to be marked.
    fn unmarked(&mut self) -> io::Result<Vec<i64>> {
        self.open()?;
        Ok(self.unmarked.iter().copied().collect())
    }

    /// True when `id` was delivered and must not be sent again.
    fn holds(&mut self, id: i64) -> io::Result<bool> {
        self.open()?;
        Ok(self.unmarked.contains(&id))
    }

    /// Records a delivery durably. The ID is remembered first, so that even when the disk
    /// fails this process does not send the entry again.
    fn append(&mut self, id: i64) -> io::Result<()> {
        self.unmarked.insert(id);
        self.open()?;
        let written = match self.file.as_mut() {
            Some(file) => file
                .write_all(line(id).as_bytes())
                .and_then(|()| file.sync_data()),
            None => Err(io::Error::other("journal not open")),
        };
        if written.is_err() {
            // A partial line may be on disk: write the file whole before the next append.
            self.file = None;
        }
        written
    }

    /// The database took the mark: the ID leaves the journal at the next compaction.
    fn marked(&mut self, id: i64) {
        if self.unmarked.remove(&id) {
            self.marked.insert(id);
        }
    }

    /// Drops marked IDs from the file.
    fn compact(&mut self) -> io::Result<()> {
        if self.marked.is_empty() && self.file.is_some() {
            return Ok(());
        }
        self.open()?;
        if self.marked.is_empty() {
            return Ok(());
        }
        self.rewrite()
    }

    /// Writes the unmarked IDs to a temporary file, forces it to disk and renames it over the
    /// journal, so a crash leaves either the old or the new file.
    fn rewrite(&mut self) -> io::Result<()> {
        self.file = None;
        let mut temporary = self.path.clone().into_os_string();
        temporary.push(".tmp");
        let temporary = PathBuf::from(temporary);
        {
            let mut file = File::create(&temporary)?;
            let text: String = self.unmarked.iter().map(|id| line(*id)).collect();
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
        }
        std::fs::rename(&temporary, &self.path)?;
        sync_dir(&self.path)?;
        self.file = Some(OpenOptions::new().append(true).open(&self.path)?);
        self.marked.clear();
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_an_hour() {
        let waits: Vec<i64> = (1..=10).map(backoff).collect();
        assert_eq!(
            waits,
            vec![15, 30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
        );
    }

    #[test]
    fn rows_stored_before_html_existed_stay_readable() {
        let old = br#"{"to":"a@example.jp","subject":"s","text":"t"}"#;
        let Stored::Mail(stored) = serde_json::from_slice(old).unwrap() else {
            panic!("an old row reads as a mail");
        };
        assert_eq!(
            (stored.to.as_str(), stored.text.as_str(), stored.html),
            ("a@example.jp", "t", None)
        );
    }

    #[test]
    fn mails_keep_the_shape_rows_had_before_webhooks() {
        let stored = Stored::Mail(StoredMail {
            to: "a@example.jp".to_owned(),
            subject: "s".to_owned(),
            text: "t".to_owned(),
            html: Some("<p>t</p>".to_owned()),
        });
        assert_eq!(
            serde_json::to_value(&stored).unwrap(),
            serde_json::json!({"to": "a@example.jp", "subject": "s", "text": "t", "html": "<p>t</p>"})
        );
    }

    #[test]
    fn webhook_calls_read_back_as_webhook_calls() {
        let body = serde_json::json!({"text": "alert", "to": "not a mail field here"});
        let stored = Stored::Webhook {
            webhook: StoredWebhook {
                url: "https://hooks.example.jp/T/1".to_owned(),
                body: body.clone(),
            },
        };
        let bytes = serde_json::to_vec(&stored).unwrap();
        let Stored::Webhook { webhook } = serde_json::from_slice(&bytes).unwrap() else {
            panic!("a webhook call reads back as a webhook call");
        };
        assert_eq!(
            (webhook.url.as_str(), webhook.body),
            ("https://hooks.example.jp/T/1", body)
        );
    }

    fn journal(dir: &Path) -> Journal {
        Journal::new(dir.join(JOURNAL_FILE))
    }

    #[test]
    fn journal_lines_have_a_fixed_format() {
        assert_eq!(line(42).len(), LINE_LEN);
        assert!(line(42).starts_with("00000000000000000042 "));
    }

    #[test]
    fn journaled_ids_survive_a_restart_until_marked() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = journal(dir.path());
        j.append(7).unwrap();
        j.append(9).unwrap();
        drop(j);
        let mut j = journal(dir.path());
        assert_eq!(j.unmarked().unwrap(), vec![7, 9]);
        assert!(j.holds(7).unwrap());
        j.marked(7);
        assert!(!j.holds(7).unwrap());
        j.compact().unwrap();
        let on_disk = std::fs::read_to_string(dir.path().join(JOURNAL_FILE)).unwrap();
        assert_eq!(on_disk, line(9));
        drop(j);
        assert_eq!(journal(dir.path()).unmarked().unwrap(), vec![9]);
    }

    #[test]
    fn a_torn_last_line_is_ignored_and_never_glued_to_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(JOURNAL_FILE);
        let mut torn = line(3);
        torn.push_str(&line(5)[..11]);
        std::fs::write(&path, torn).unwrap();
        let mut j = journal(dir.path());
        assert_eq!(j.unmarked().unwrap(), vec![3]);
        j.append(8).unwrap();
        drop(j);
        assert_eq!(journal(dir.path()).unmarked().unwrap(), vec![3, 8]);
    }

    #[test]
    fn damaged_lines_are_ignored() {
        let mut bytes = line(1).into_bytes();
        bytes.extend_from_slice(b"00000000000000000002 00000000\n");
        bytes.extend_from_slice(&[0; LINE_LEN - 1]);
        bytes.push(b'\n');
        bytes.extend_from_slice(line(4).as_bytes());
        let (ids, damaged) = parse(&bytes);
        assert_eq!(ids, vec![1, 4]);
        assert_eq!(damaged, 2);
    }
}
