//! Group commit for entries that change nothing else (refused logins, tokens issued to
//! services): concurrent requests hand their entries to one writer, which appends whatever has
//! queued up in one transaction, so a burst costs one sync to disk per batch instead of one per
//! request. Each caller is answered only after the transaction holding its entry has committed,
//! so an answered request's entry survives a crash; a crash before the commit loses entries of
//! requests that were never answered.

use tokio::sync::{mpsc, oneshot};

use super::{Event, RequestMeta, append_all};
use crate::db::{Db, DbError, WriterGone};

/// Entries one transaction takes at most.
const MAX_BATCH: usize = 256;

/// Entries waiting for the writer before callers wait to hand theirs over.
const QUEUE: usize = 4096;

/// The writer's inbox, held by every clone of a [`Db`].
#[derive(Clone, Debug)]
pub struct Appender(mpsc::Sender<Pending>);

#[derive(Debug)]
pub(crate) struct Pending {
    event: Event,
    meta: RequestMeta,
    reply: oneshot::Sender<Result<i64, DbError>>,
}

impl Appender {
    /// Starts the writer on the current runtime; it ends when the last [`Appender`] is dropped.
    /// `db` must be a handle without an appender of its own, or the writer would keep itself
    /// alive.
    pub(crate) fn start(db: Db) -> Self {
        let (inbox, queue) = mpsc::channel(QUEUE);
        tokio::spawn(run(db, queue));
        Self(inbox)
    }
}

/// Appends through the writer when the database has one, else in a transaction of its own.
pub(crate) async fn record(db: &Db, event: &Event, meta: &RequestMeta) -> Result<i64, DbError> {
    let Some(appender) = db.appender() else {
        return write_one(db, event, meta).await;
    };
    let (reply, answer) = oneshot::channel();
    let pending = Pending {
        event: event.clone(),
        meta: meta.clone(),
        reply,
    };
    if appender.0.send(pending).await.is_err() {
        // The writer's runtime has ended (a handle outliving it); nothing was queued.
        return write_one(db, event, meta).await;
    }
    // A dropped reply means the writer stopped with the entry in hand: whether it was committed
    // is unknown, so the caller must not report success.
    answer
        .await
        .map_err(|_| DbError::WriterStopped(WriterGone))?
}

async fn run(db: Db, mut queue: mpsc::Receiver<Pending>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        commit(&db, std::mem::take(&mut batch)).await;
    }
}

async fn commit(db: &Db, batch: Vec<Pending>) {
    let events: Vec<_> = batch.iter().map(|p| (&p.event, &p.meta)).collect();
    let result = write(db, &events).await;
    drop(events);
    match result {
        Ok(seqs) => {
            tracing::debug!(entries = seqs.len(), "audit entries committed together");
            for (pending, seq) in batch.into_iter().zip(seqs) {
                // A caller that went away (closed connection) needs no answer.
                let _ = pending.reply.send(Ok(seq));
            }
        }
        Err(error) if batch.len() == 1 => {
            if let Some(pending) = batch.into_iter().next() {
                let _ = pending.reply.send(Err(error));
            }
        }
        // Nothing of the batch was stored: each entry is tried alone, so each caller gets the
        // outcome of its own entry.
        Err(_) => {
            for pending in batch {
                let result = write_one(db, &pending.event, &pending.meta).await;
                let _ = pending.reply.send(result);
            }
        }
    }
}

async fn write_one(db: &Db, event: &Event, meta: &RequestMeta) -> Result<i64, DbError> {
    let seqs = write(db, &[(event, meta)]).await?;
    seqs.first()
        .copied()
        .ok_or(DbError::Corrupt { column: "seq" })
}

async fn write(db: &Db, events: &[(&Event, &RequestMeta)]) -> Result<Vec<i64>, DbError> {
    let mut tx = db.write().await?;
    let seqs = append_all(&mut tx, events).await?;
    tx.commit().await?;
    Ok(seqs)
}
