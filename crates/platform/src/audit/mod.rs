//! The audit trail: an append-only log in which every entry carries the SHA-256 of the previous
//! one, so that removing, reordering or editing any entry breaks the chain from there on.
//!
//! Entries name people by opaque identifiers only: no name, address or other personal data
//! enters the trail, so it can be kept after a customer's data is destroyed.
//!
//! A chain alone cannot show that its tail was rewritten and re-hashed, or cut off, by someone
//! with write access to the database: [`checkpoint`] signs the head from time to time with a key
//! the database holds only wrapped, and [`verify_signed`] checks the chain against those
//! signatures. The same checkpoints let [`retention`] delete old entries while the rest stays
//! verifiable.
//!
//! Every identifier is bounded on the way in (see `bounded`): what is too long, holds a control
//! character or starts like a spreadsheet formula is recorded as a digest, so text a visitor
//! chose never reaches the trail or the files exported from it.

mod bounded;
pub mod checkpoint;
pub mod group;
pub mod retention;
pub mod search;

pub use checkpoint::verify_signed;

use std::fmt;
use std::net::IpAddr;

use sha2::{Digest, Sha256};
use sqlx::AnyConnection;

use crate::db::{Db, DbError, WriteTx, col};
use crate::ids::{ApplicationId, AssetId, CustomerId, DocumentId, StaffId};
use bounded::bounded;

/// Who acted, in which capacity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    /// Opaque identifier, or `-` when unknown.
    pub id: String,
    /// The capacity.
    pub role: Role,
}

/// Capacities an actor can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Not logged in.
    Anonymous,
    /// A logged-in customer.
    Customer,
    /// A member of staff (roles are recorded with the action).
    Staff,
    /// The application itself (start-up, jobs, command line).
    System,
    /// A registered OAuth client acting for itself (client credentials).
    Client,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Anonymous => "anonymous",
            Role::Customer => "customer",
            Role::Staff => "staff",
            Role::System => "system",
            Role::Client => "client",
        }
    }
}

impl Actor {
    /// Someone not (yet) logged in.
    pub fn anonymous() -> Self {
        Self {
            id: "-".into(),
            role: Role::Anonymous,
        }
    }

    /// A logged-in customer.
    pub fn customer(id: CustomerId) -> Self {
        Self {
            id: id.to_string(),
            role: Role::Customer,
        }
    }

    /// A member of staff.
    pub fn staff(id: StaffId) -> Self {
        Self {
            id: id.to_string(),
            role: Role::Staff,
        }
    }

    /// An OAuth client, by its public client ID. Callers pass IDs a request merely claims too
    /// (a refused token request), so an ID that cannot be one registration handed out is
    /// recorded as `client:unverified:` and its digest, never as typed.
    pub fn client(client_id: &str) -> Self {
        let id = if bounded::is_client_id(client_id) {
            client_id.to_owned()
        } else {
            format!("client:{}", bounded::unverified(client_id))
        };
        Self {
            id,
            role: Role::Client,
        }
    }

    /// The application itself, with the component that acted.
    pub fn system(component: &'static str) -> Self {
        Self {
            id: component.into(),
            role: Role::System,
        }
    }
}

/// What an entry is about; built only from identifiers, never from personal data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target(String);

impl Target {
    /// A customer account.
    pub fn customer(id: CustomerId) -> Self {
        Self(format!("customer:{id}"))
    }

    /// A staff account.
    pub fn staff(id: StaffId) -> Self {
        Self(format!("staff:{id}"))
    }

    /// An asset.
    pub fn asset(id: AssetId) -> Self {
        Self(format!("asset:{id}"))
    }

    /// All assets of a customer (exports, imports).
    pub fn assets_of(id: CustomerId) -> Self {
        Self(format!("assets-of:{id}"))
    }

    /// An application for the additional service.
    pub fn application(id: ApplicationId) -> Self {
        Self(format!("application:{id}"))
    }

    /// An identity-document image.
    pub fn document(id: DocumentId) -> Self {
        Self(format!("document:{id}"))
    }

    /// A list or export of customer records and how many rows it showed (never the filter,
    /// which may hold a name or address).
    pub fn customer_rows(rows: usize) -> Self {
        Self(format!("customers:rows={rows}"))
    }

    /// An alert of the operations console.
    pub fn alert(id: &str) -> Self {
        Self(format!("alert:{id}"))
    }

    /// A search or export of the audit trail itself and how many entries it showed (never the
    /// filter, which may name a person's identifier or address).
    pub fn audit_rows(rows: usize) -> Self {
        Self(format!("audit:rows={rows}"))
    }

    /// A registered OAuth client.
    pub fn client(client_id: &str) -> Self {
        Self(format!("client:{client_id}"))
    }

    /// An OAuth grant: the family of tokens issued from one authorization.
    pub fn grant(family: &str) -> Self {
        Self(format!("grant:{family}"))
    }

    /// A signing key of the identity provider.
    pub fn signing_key(kid: &str) -> Self {
        Self(format!("signing-key:{kid}"))
    }

    /// A backup, by its name (a time and a random suffix).
    pub fn backup(name: &str) -> Self {
        Self(format!("backup:{name}"))
    }

    /// Nothing in particular.
    pub fn none() -> Self {
        Self("-".into())
    }
}

/// How the action ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Done.
    Success,
    /// Attempted and failed (wrong password, expired link…).
    Failure,
    /// Refused by authorisation.
    Denied,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Denied => "denied",
        }
    }
}

/// Where a request came from, for the trail.
#[derive(Clone, Debug, Default)]
pub struct RequestMeta {
    /// The client's address as the edge determined it.
    pub client_ip: Option<IpAddr>,
    /// The request ID also found in the access log.
    pub request_id: String,
}

/// One event to record. `action` is a fixed dotted name such as `customer.login`; being
/// `'static` it can never carry data a user typed.
#[derive(Clone, Debug)]
pub struct Event {
    /// Who.
    pub actor: Actor,
    /// What.
    pub action: &'static str,
    /// On what.
    pub target: Target,
    /// With which result.
    pub outcome: Outcome,
}

impl Event {
    /// An action that succeeded.
    pub fn success(actor: Actor, action: &'static str, target: Target) -> Self {
        Self {
            actor,
            action,
            target,
            outcome: Outcome::Success,
        }
    }
}

/// An entry as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// Milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// Actor identifier.
    pub actor: String,
    /// Actor capacity.
    pub role: String,
    /// Dotted action name.
    pub action: String,
    /// Target identifier.
    pub target: String,
    /// `success`, `failure` or `denied`.
    pub outcome: String,
    /// Client address or `-`.
    pub client_ip: String,
    /// Request ID or `-`.
    pub request_id: String,
    /// Hash of the previous entry.
    pub prev_hash: Vec<u8>,
    /// Hash of this entry.
    pub hash: Vec<u8>,
}

/// The columns of `audit_log` in the order [`Entry::from_row`] reads them.
const ENTRY_COLUMNS: &str =
    "seq, at_ms, actor, role, action, target, outcome, client_ip, request_id, prev_hash, hash";

impl Entry {
    /// The entry for `event` at `seq`, bounded as [`append`] describes; its hash is not set.
    fn new(seq: i64, at_ms: i64, event: &Event, meta: &RequestMeta, prev_hash: Vec<u8>) -> Self {
        Entry {
            seq,
            at_ms,
            actor: bounded(&event.actor.id).into_owned(),
            role: event.actor.role.as_str().to_owned(),
            action: event.action.to_owned(),
            target: bounded(&event.target.0).into_owned(),
            outcome: event.outcome.as_str().to_owned(),
            client_ip: meta
                .client_ip
                .map_or_else(|| "-".to_owned(), |ip| ip.to_string()),
            request_id: if meta.request_id.is_empty() {
                "-".to_owned()
            } else {
                bounded(&meta.request_id).into_owned()
            },
            prev_hash,
            hash: Vec::new(),
        }
    }

    fn from_row(r: &sqlx::any::AnyRow) -> Result<Self, DbError> {
        Ok(Entry {
            seq: col(r, "seq")?,
            at_ms: col(r, "at_ms")?,
            actor: col(r, "actor")?,
            role: col(r, "role")?,
            action: col(r, "action")?,
            target: col(r, "target")?,
            outcome: col(r, "outcome")?,
            client_ip: col(r, "client_ip")?,
            request_id: col(r, "request_id")?,
            prev_hash: col(r, "prev_hash")?,
            hash: col(r, "hash")?,
        })
    }

    fn compute_hash(&self) -> Vec<u8> {
        let mut h = Sha256::new();
        h.update(&self.prev_hash);
        h.update(self.seq.to_be_bytes());
        h.update(self.at_ms.to_be_bytes());
        for field in [
            &self.actor,
            &self.role,
            &self.action,
            &self.target,
            &self.outcome,
            &self.client_ip,
            &self.request_id,
        ] {
            h.update((field.len() as u64).to_be_bytes());
            h.update(field.as_bytes());
        }
        h.finalize().to_vec()
    }
}

/// Appends an event inside the caller's transaction, so the record and the change it describes
/// are stored together or not at all. Appends are serialised by the row lock on `audit_head`.
/// The actor, target and request IDs are bounded first: one that is too long, holds a control
/// character or starts like a formula is recorded as `unverified:` and its digest.
pub async fn append(tx: &mut WriteTx, event: &Event, meta: &RequestMeta) -> Result<i64, DbError> {
    let seqs = append_all(tx, &[(event, meta)]).await?;
    seqs.first()
        .copied()
        .ok_or(DbError::Corrupt { column: "seq" })
}

/// Rows per INSERT statement: 11 values each, under the 400 bound values a statement keeps to
/// on SQLite (see the backup crate's restore).
const ROWS_PER_INSERT: usize = 32;

/// Appends events in order inside the caller's transaction with three statements however many
/// there are: the head advanced once, the rows inserted in chunks, the head's hash set once.
/// Returns their sequence numbers.
pub(crate) async fn append_all(
    tx: &mut WriteTx,
    events: &[(&Event, &RequestMeta)],
) -> Result<Vec<i64>, DbError> {
    let Ok(count) = i64::try_from(events.len()) else {
        return Err(DbError::Corrupt { column: "seq" });
    };
    if count == 0 {
        return Ok(Vec::new());
    }
    let head = sqlx::query("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
        .bind(count)
        .fetch_one(&mut **tx)
        .await?;
    let last: i64 = col(&head, "seq")?;
    let mut prev_hash: Vec<u8> = col(&head, "hash")?;
    let at_ms = now_ms();
    let mut entries = Vec::with_capacity(events.len());
    for (seq, (event, meta)) in (last - count + 1..).zip(events) {
        let mut entry = Entry::new(seq, at_ms, event, meta, prev_hash);
        entry.hash = entry.compute_hash();
        prev_hash = entry.hash.clone();
        entries.push(entry);
    }
    for chunk in entries.chunks(ROWS_PER_INSERT) {
        insert(tx, chunk).await?;
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&prev_hash)
        .execute(&mut **tx)
        .await?;
    Ok(entries.iter().map(|e| e.seq).collect())
}

async fn insert(tx: &mut WriteTx, entries: &[Entry]) -> Result<(), DbError> {
    let rows: Vec<String> = (0..entries.len())
        .map(|i| {
            let n = i * 11;
            let values: Vec<String> = (1..=11).map(|k| format!("${}", n + k)).collect();
            format!("({})", values.join(", "))
        })
        .collect();
    // On SQLite, a statement of several rows that may abort half-way keeps a copy of every page
    // it changes so that it can undo its own rows; `OR FAIL` leaves that undo to the transaction,
    // which is rolled back whole when this statement fails. PostgreSQL knows no such clause and
    // needs none.
    let verb = if tx.backend_name() == "SQLite" {
        "INSERT OR FAIL INTO"
    } else {
        "INSERT INTO"
    };
    let sql = format!(
        "{verb} audit_log ({ENTRY_COLUMNS}) VALUES {}",
        rows.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for e in entries {
        query = query
            .bind(e.seq)
            .bind(e.at_ms)
            .bind(&e.actor)
            .bind(&e.role)
            .bind(&e.action)
            .bind(&e.target)
            .bind(&e.outcome)
            .bind(&e.client_ip)
            .bind(&e.request_id)
            .bind(&e.prev_hash)
            .bind(&e.hash);
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

/// Appends an event in a transaction of its own, for events that change nothing else (a refused
/// login, a token issued to a service). Concurrent calls share one transaction and one sync to
/// disk (see [`group`]); each returns only once its own entry is durable.
pub async fn record(db: &Db, event: &Event, meta: &RequestMeta) -> Result<i64, DbError> {
    group::record(db, event, meta).await
}

/// Reads entries after `after_seq`, oldest first, at most `limit`.
pub async fn read_page(
    conn: &mut AnyConnection,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<Entry>, DbError> {
    let sql = format!("SELECT {ENTRY_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2");
    let rows = sqlx::query(&sql)
        .bind(after_seq)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(Entry::from_row).collect()
}

/// Entries per action and outcome, for `/metrics`: exact across instances and restarts, since
/// the trail is the record of every event.
pub async fn counts(conn: &mut AnyConnection) -> Result<Vec<(String, String, i64)>, DbError> {
    let rows = sqlx::query("SELECT action, outcome, COUNT(*) AS n FROM audit_log GROUP BY action, outcome ORDER BY action, outcome")
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| Ok((col(r, "action")?, col(r, "outcome")?, col(r, "n")?)))
        .collect()
}

/// How many entries the head says the trail holds.
pub async fn length(conn: &mut AnyConnection) -> Result<i64, DbError> {
    let head = sqlx::query("SELECT seq FROM audit_head WHERE id = 1")
        .fetch_one(conn)
        .await?;
    col(&head, "seq")
}

/// The result of checking the whole chain.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every entry links to its predecessor and the head matches the last entry.
    Intact {
        /// Number of entries checked.
        entries: i64,
    },
    /// The first entry at which the chain breaks.
    Broken {
        /// Its sequence number.
        seq: i64,
        /// Why.
        reason: BreakReason,
    },
}

/// How the chain is broken.
#[derive(Debug, PartialEq, Eq)]
pub enum BreakReason {
    /// An entry is missing before this one.
    Gap,
    /// This entry does not point at its predecessor's hash.
    Link,
    /// This entry's contents do not match its hash.
    Content,
    /// Entries after this one were removed (the head records a later one).
    Truncated,
    /// The checkpoint at this position is not signed by the trail's checkpoint key: the row
    /// was forged or altered.
    CheckpointSignature,
    /// This entry's hash differs from the one signed in the checkpoint at this position: it, or
    /// entries before it, were rewritten and the chain re-hashed.
    CheckpointMismatch,
    /// A signed checkpoint covers this position but the entry is gone: the trail was cut
    /// back to before it.
    CheckpointRemoved,
    /// Entries before this one were removed, and no signed checkpoint vouches for the hash
    /// it links to.
    Unanchored,
}

impl fmt::Display for BreakReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BreakReason::Gap => "an entry before it is missing",
            BreakReason::Link => "it does not link to the previous entry",
            BreakReason::Content => "its contents were altered",
            BreakReason::Truncated => "entries after it were removed",
            BreakReason::CheckpointSignature => "the signature of its checkpoint is invalid",
            BreakReason::CheckpointMismatch => {
                "it differs from its signed checkpoint: the entries up to it were rewritten"
            }
            BreakReason::CheckpointRemoved => "entries up to this signed checkpoint were removed",
            BreakReason::Unanchored => {
                "entries before it were removed without a signed checkpoint to anchor it"
            }
        })
    }
}

/// Entries are read this many at a time while verifying.
const VERIFY_PAGE: i64 = 1000;

/// Checks the chain from the first entry to the head; `progress` is told how many entries
/// have been checked so far. A trail that retention has pruned no longer starts at entry 1 and
/// needs [`verify_signed`], which can trust the checkpoint it starts from.
pub async fn verify(
    conn: &mut AnyConnection,
    mut progress: impl FnMut(i64),
) -> Result<Verdict, DbError> {
    let mut chain = Chain::from_genesis();
    loop {
        let page = read_page(conn, chain.last_seq(), VERIFY_PAGE).await?;
        for entry in &page {
            if let Err(reason) = chain.step(entry) {
                return Ok(Verdict::Broken {
                    seq: entry.seq,
                    reason,
                });
            }
        }
        progress(chain.last_seq());
        if (page.len() as i64) < VERIFY_PAGE {
            break;
        }
    }
    chain.finish(conn).await
}

/// The head of the chain: the last sequence number handed out and its entry's hash.
struct Head {
    seq: i64,
    hash: Vec<u8>,
}

async fn read_head(conn: &mut AnyConnection) -> Result<Head, DbError> {
    let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(conn)
        .await?;
    Ok(Head {
        seq: col(&row, "seq")?,
        hash: col(&row, "hash")?,
    })
}

/// Walks entries in order, checking that each follows the previous one; shared by both ways
/// of verifying so they judge entries alike.
struct Chain {
    next_seq: i64,
    prev_hash: Vec<u8>,
    checked: i64,
}

impl Chain {
    /// A chain that starts at entry 1, linked to the all-zero hash.
    fn from_genesis() -> Self {
        Self::after(0, vec![0u8; 32])
    }

    /// A chain that continues after the entry `seq` whose hash was `hash`.
    fn after(seq: i64, hash: Vec<u8>) -> Self {
        Self {
            next_seq: seq + 1,
            prev_hash: hash,
            checked: 0,
        }
    }

    /// The sequence number of the last entry accepted (or of the starting point).
    fn last_seq(&self) -> i64 {
        self.next_seq - 1
    }

    /// Accepts the next entry, or says why it does not belong there.
    fn step(&mut self, entry: &Entry) -> Result<(), BreakReason> {
        if entry.seq != self.next_seq {
            return Err(BreakReason::Gap);
        }
        if entry.prev_hash != self.prev_hash {
            return Err(BreakReason::Link);
        }
        if entry.compute_hash() != entry.hash {
            return Err(BreakReason::Content);
        }
        self.prev_hash.clone_from(&entry.hash);
        self.next_seq += 1;
        self.checked += 1;
        Ok(())
    }

    /// Compares the walk's end with the head: it must record exactly the last entry seen.
    async fn finish(&self, conn: &mut AnyConnection) -> Result<Verdict, DbError> {
        let head = read_head(conn).await?;
        let last = self.last_seq();
        if head.seq != last || head.hash != self.prev_hash {
            return Ok(Verdict::Broken {
                seq: last,
                reason: BreakReason::Truncated,
            });
        }
        Ok(Verdict::Intact {
            entries: self.checked,
        })
    }
}

/// Milliseconds since the Unix epoch, now: the resolution of `at_ms`.
fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}
