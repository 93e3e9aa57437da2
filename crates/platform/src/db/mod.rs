//! One storage interface over SQLite and PostgreSQL.
//!
//! Queries are written once in the SQL subset both engines share (`$n` placeholders, `RETURNING`,
//! `ON CONFLICT`, integers, text and bytes only) and run through sqlx's `Any` driver, so no query
//! branches on the backend (one exception: the audit trail's batch insert, see `audit::insert`);
//! only the migrations, whose DDL differs, exist once per engine.
//! Reads and writes are separate transaction types: on SQLite, writes go through a single
//! connection so that concurrent writers queue instead of failing with "database is locked".

pub mod lease;

use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyConnection, AnyPool, Connection, Executor, Transaction};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// The database engine behind a [`Db`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A file on the local disk; the single-machine default.
    Sqlite,
    /// A server; the production choice.
    Postgres,
}

/// What can go wrong talking to the database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL names neither SQLite nor PostgreSQL.
    #[error("unsupported database URL: use sqlite://… or postgres://…")]
    UnsupportedUrl,
    /// The database cannot be reached at start-up.
    #[error("cannot reach the database at {target}: {source}")]
    Unreachable {
        /// Host and port or file, never credentials.
        target: String,
        /// The driver's reason.
        source: sqlx::Error,
    },
    /// Applying the schema failed.
    #[error("cannot apply database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A query failed.
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
    /// The group-commit writer stopped with a write in hand, so whether it was stored is
    /// unknown (the process is shutting down).
    #[error("the database writer stopped")]
    WriterStopped(#[source] WriterGone),
    /// A stored value does not fit its type: the data was changed outside the application.
    #[error("stored value in column `{column}` is not valid")]
    Corrupt {
        /// Which column.
        column: &'static str,
    },
}

/// The cause of [`DbError::WriterStopped`], kept as its source so that it can still be
/// recognised under domain errors that wrap a [`DbError`] transparently (their source is the
/// `DbError`'s source, not the `DbError`).
#[derive(Debug, thiserror::Error)]
#[error("the writer ended with a write in hand")]
pub struct WriterGone;

impl DbError {
    /// True when a unique constraint refused the write.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, DbError::Query(sqlx::Error::Database(e)) if e.is_unique_violation())
    }

    /// True when the database could not do its work for a reason that passes (a full disk, an
    /// I/O error, a lost connection, a server restarting or failing over, a lock held too long):
    /// the request may be tried again later and nothing of it was stored. Such failures are
    /// answered 503 with `Retry-After`, not 500.
    pub fn is_transient(&self) -> bool {
        match self {
            DbError::Query(e) | DbError::Unreachable { source: e, .. } => transient_sqlx(e),
            DbError::WriterStopped(_) => true,
            DbError::UnsupportedUrl | DbError::Migrate(_) | DbError::Corrupt { .. } => false,
        }
    }
}

/// Whether `error` or any error it was caused by is a transient database failure
/// ([`DbError::is_transient`]); lets every web layer classify a domain error without knowing
/// which of its variants wraps the database's.
pub fn is_transient(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(db) = e.downcast_ref::<DbError>() {
            return db.is_transient();
        }
        if let Some(e) = e.downcast_ref::<sqlx::Error>() {
            return transient_sqlx(e);
        }
        if e.is::<WriterGone>() {
            return true;
        }
        next = e.source();
    }
    false
}

fn transient_sqlx(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(e) => e.code().is_some_and(|code| transient_code(&code)),
        _ => false,
    }
}

/// SQLite result codes (numbers of at most four digits) and PostgreSQL SQLSTATEs (always five
/// characters) that pass.
fn transient_code(code: &str) -> bool {
    if code.len() < 5
        && let Ok(extended) = code.parse::<i32>()
    {
        // The primary code is the low byte: BUSY, LOCKED, NOMEM, READONLY, IOERR, FULL, CANTOPEN.
        return matches!(extended & 0xff, 5 | 6 | 7 | 8 | 10 | 13 | 14);
    }
    // Connection exceptions, insufficient resources (disk full, out of memory, too many
    // connections), operator intervention (shutdown, restart), a system I/O error, a standby
    // refusing writes after a failover, serialization failures and deadlocks.
    code.starts_with("08")
        || code.starts_with("53")
        || code.starts_with("57P")
        || matches!(code, "58030" | "25006" | "40001" | "40P01")
}

/// A connected database with its schema applied.
#[derive(Clone, Debug)]
pub struct Db {
    read: AnyPool,
    write: AnyPool,
    backend: Backend,
    /// The group-commit writer of standalone audit entries (see [`crate::audit::group`]).
    appender: Option<crate::audit::group::Appender>,
}

/// A transaction that may only read.
pub struct ReadTx(Transaction<'static, Any>);

/// A pooled connection for reads outside a transaction; see [`Db::reader`].
pub struct Reader(sqlx::pool::PoolConnection<Any>);

/// A transaction that may write; nothing is stored until [`WriteTx::commit`].
pub struct WriteTx(Transaction<'static, Any>);

impl Db {
    /// Connects and applies pending migrations.
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        sqlx::any::install_default_drivers();
        let backend = backend_of(url)?;
        let target = describe_target(url);
        let unreachable = |source| DbError::Unreachable {
            target: target.clone(),
            source,
        };
        let options = AnyConnectOptions::from_str(url).map_err(unreachable)?;
        let db = match backend {
            Backend::Sqlite => {
                let write = sqlite_pool(1)
                    .connect_with(options.clone())
                    .await
                    .map_err(unreachable)?;
                // Four readers: each is a thread with its own page cache (up to 2 MiB) and
                // allocator arena. Eight kept a process about 10 MiB larger after a burst for 7 %
                // more pages per second on two cores (docs/performance.md). A reader idle for
                // READER_IDLE is closed, so a process at rest gives its caches back; opening one
                // again costs a file open and four pragmas.
                let read = sqlite_pool(4)
                    .idle_timeout(READER_IDLE)
                    .connect_with(options)
                    .await
                    .map_err(unreachable)?;
                Db {
                    read,
                    write,
                    backend,
                    appender: None,
                }
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(5))
                    .before_acquire(|conn, _| Box::pin(heal(conn)))
                    .connect_with(options)
                    .await
                    .map_err(unreachable)?;
                Db {
                    read: pool.clone(),
                    write: pool,
                    backend,
                    appender: None,
                }
            }
        };
        db.migrate().await?;
        let appender = crate::audit::group::Appender::start(db.clone());
        Ok(Db {
            appender: Some(appender),
            ..db
        })
    }

    async fn migrate(&self) -> Result<(), DbError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.write).await?;
        Ok(())
    }

    /// The group-commit writer, when this handle has one.
    pub(crate) fn appender(&self) -> Option<&crate::audit::group::Appender> {
        self.appender.as_ref()
    }

    /// Which engine this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a read-only unit of work.
    pub async fn read(&self) -> Result<ReadTx, DbError> {
        Ok(ReadTx(self.read.begin().await?))
    }

    /// A connection for reads that need no snapshot across statements: each statement sees
    /// the latest committed data on its own. It saves the `BEGIN` and `ROLLBACK` round trips of
    /// [`Db::read`], which on the hottest paths (a token request's client lookup, an API read)
    /// cost more than the query itself.
    pub async fn reader(&self) -> Result<Reader, DbError> {
        Ok(Reader(self.read.acquire().await?))
    }

    /// Starts a unit of work that writes. On SQLite the write lock is taken at the start
    /// (`BEGIN IMMEDIATE`), where the busy timeout applies: a transaction that read first and
    /// then tried to write after another process committed would fail at once instead.
    pub async fn write(&self) -> Result<WriteTx, DbError> {
        let tx = match self.backend {
            Backend::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.write.begin().await?,
        };
        Ok(WriteTx(tx))
    }

    /// Readiness probe: the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), DbError> {
        let mut conn = self.read.acquire().await?;
        conn.ping().await?;
        Ok(())
    }

    /// Readiness probe: the database stores a write. A disk that is full, or a server that
    /// only accepts reads, answers [`Db::ping`] but fails here.
    pub async fn probe_write(&self) -> Result<(), DbError> {
        let at_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO write_probe (id, at_ms) VALUES (1, $1) \
             ON CONFLICT (id) DO UPDATE SET at_ms = excluded.at_ms",
        )
        .bind(at_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// Makes deleted rows unrecoverable from the database files. SQLite keeps old page images
    /// in its write-ahead log until a checkpoint, so after destroying a key the log is copied
    /// back and truncated; `secure_delete` has already zeroed the rows in the main file.
    /// PostgreSQL reclaims dead rows by autovacuum; its WAL archives fall under the backup
    /// retention policy.
    pub async fn purge_deleted(&self) -> Result<(), DbError> {
        if self.backend == Backend::Sqlite {
            let mut conn = self.write.acquire().await?;
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").await?;
        }
        Ok(())
    }

    /// Closes every connection, waiting for work in flight.
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

/// How long an SQLite reader connection may stay idle before it is closed.
const READER_IDLE: Duration = Duration::from_secs(30);

fn sqlite_pool(max: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(30))
        // A connection to a local file cannot go stale, so it is not pinged before each use:
        // the ping was a round trip to the connection's thread on every read and write.
        .test_before_acquire(false)
        .before_acquire(|conn, _| Box::pin(heal(conn)))
        .after_connect(|conn, _| {
            Box::pin(async move {
                // WAL lets readers work beside the writer; FULL sync so a committed write
                // survives power loss; secure_delete overwrites deleted rows, so a destroyed
                // customer key does not linger in free pages of the file.
                conn.execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON; PRAGMA busy_timeout = 10000;",
                )
                .await?;
                Ok(())
            })
        })
}

/// Keeps a connection only if no transaction is left open on it. When a commit fails (a full
/// disk, an I/O error), SQLite may already have rolled the transaction back; sqlx's rollback then
/// fails too and the connection keeps counting a transaction that no longer exists, so every
/// later `BEGIN` on it fails, also after the disk has room again. Such a connection is closed
/// and the pool opens a fresh one.
async fn heal(conn: &mut AnyConnection) -> Result<bool, sqlx::Error> {
    let clean = !conn.is_in_transaction();
    if !clean {
        tracing::warn!("a database connection was left in a transaction; it is replaced");
    }
    Ok(clean)
}

fn backend_of(url: &str) -> Result<Backend, DbError> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Backend::Postgres)
    } else {
        Err(DbError::UnsupportedUrl)
    }
}

/// Host and port (or file path) for messages, without user name or password.
fn describe_target(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) if u.scheme().starts_with("postgres") => {
            format!(
                "{}:{}",
                u.host_str().unwrap_or("localhost"),
                u.port().unwrap_or(5432)
            )
        }
        Ok(u) => u.path().to_owned(),
        Err(_) => "the configured database".to_owned(),
    }
}

impl ReadTx {
    /// Ends the read; dropping it does the same.
    pub async fn finish(self) -> Result<(), DbError> {
        self.0.rollback().await?;
        Ok(())
    }
}

impl WriteTx {
    /// Makes every change of this unit of work durable at once.
    pub async fn commit(self) -> Result<(), DbError> {
        self.0.commit().await?;
        Ok(())
    }
}

impl Deref for ReadTx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.0
    }
}

impl DerefMut for ReadTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.0
    }
}

impl Deref for Reader {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.0
    }
}

impl DerefMut for Reader {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.0
    }
}

impl Deref for WriteTx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.0
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.0
    }
}

/// Reads a required column, turning a type mismatch into [`DbError::Corrupt`].
pub fn col<'r, T>(row: &'r sqlx::any::AnyRow, column: &'static str) -> Result<T, DbError>
where
    T: sqlx::Decode<'r, Any> + sqlx::Type<Any>,
{
    use sqlx::Row;
    row.try_get(column).map_err(|_| DbError::Corrupt { column })
}

/// Reads a text column and parses it into a domain type.
pub fn parsed<T: FromStr>(row: &sqlx::any::AnyRow, column: &'static str) -> Result<T, DbError> {
    let raw: String = col(row, column)?;
    raw.parse().map_err(|_| DbError::Corrupt { column })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_description_never_contains_credentials() {
        let t = describe_target("postgres://app:s3cret@db.example:6543/x");
        assert_eq!(t, "db.example:6543");
    }

    #[test]
    fn transient_codes_are_told_from_lasting_ones() {
        for code in [
            "13", "10", "266", "5", "517", "14", "08006", "53100", "57P01", "25006",
        ] {
            assert!(transient_code(code), "{code} passes");
        }
        for code in ["19", "2067", "1", "11", "23505", "42601", "22001"] {
            assert!(!transient_code(code), "{code} does not pass");
        }
        assert!(DbError::Query(sqlx::Error::PoolTimedOut).is_transient());
        assert!(!DbError::Query(sqlx::Error::RowNotFound).is_transient());
        assert!(!DbError::Corrupt { column: "x" }.is_transient());
    }

    #[test]
    fn a_transient_cause_is_found_under_other_errors() {
        #[derive(Debug, thiserror::Error)]
        #[error("wrapped")]
        struct Wrapped(#[source] DbError);
        let wrapped = Wrapped(DbError::Query(sqlx::Error::PoolClosed));
        assert!(is_transient(&wrapped));
        let lasting = Wrapped(DbError::Corrupt { column: "x" });
        assert!(!is_transient(&lasting));
        assert!(!is_transient(&std::io::Error::other(
            "not a database error"
        )));
        // Domain errors wrap DbError transparently: their source is the DbError's source.
        #[derive(Debug, thiserror::Error)]
        enum Domain {
            #[error(transparent)]
            Db(#[from] DbError),
        }
        assert!(is_transient(&Domain::Db(DbError::WriterStopped(
            WriterGone
        ))));
        assert!(is_transient(&Domain::Db(DbError::Query(
            sqlx::Error::PoolTimedOut
        ))));
        assert!(!is_transient(&Domain::Db(DbError::Query(
            sqlx::Error::RowNotFound
        ))));
    }

    #[test]
    fn recognises_backends() {
        assert_eq!(backend_of("sqlite://a.db").unwrap(), Backend::Sqlite);
        assert_eq!(backend_of("postgresql://h/d").unwrap(), Backend::Postgres);
        assert!(backend_of("mysql://h/d").is_err());
    }
}
