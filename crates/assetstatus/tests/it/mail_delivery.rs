//! Mail delivery against real processes: the `assetstatus` binary as the worker role, aiosmtpd as
//! the SMTP server, on SQLite and PostgreSQL. HTML mails arrive as `multipart/alternative`; a
//! worker killed, or a database failing, between the SMTP server's acceptance and the `sent` mark
//! does not send the mail twice; a shutdown finishes the mail in flight; a worker killed in the
//! middle of a batch is taken over, once its lease runs out, by another worker with its own data
//! directory, which sends the whole batch and the mail in flight again with the same Message-ID;
//! STARTTLS with a private certificate authority and AUTH work, and a wrong password leaves the
//! mail waiting.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mail_parser::{MessageParser, MimeHeaders};
use platform::config::{Config, SecretUrl};
use platform::crypto::Keyring;
use platform::db::{Backend as Engine, Db, col};
use platform::mail::{MailError, Mailer, OutgoingMail};
use platform::outbox::{JOURNAL_FILE, Outbox};
use sqlx::{AnyConnection, Connection, Executor};
use support::{Backend, email};
use tempfile::TempDir;
use testkit::smtp::{SmtpCapture, SmtpOptions};

const KIND: &str = "test";

/// A data directory and database with an outbox to enqueue into; it delivers nothing itself
/// unless a test asks it to.
struct Setup {
    dir: TempDir,
    config: Config,
    db: Db,
    outbox: Outbox,
}

impl Setup {
    async fn new(backend: Backend, smtp_url: &str, tweak: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = support::test_config(dir.path(), backend).await;
        config.mail.smtp_url = Some(SecretUrl::new(smtp_url.parse().unwrap()));
        config.log_filter = "debug,sqlx=warn,hyper=info,h2=info,rustls=info".into();
        tweak(&mut config);
        let db = Db::connect(&config.database_url()).await.unwrap();
        let keyring = Arc::new(Keyring::open(&db, &config.master_key_file()).await.unwrap());
        let mailer = Arc::new(Mailer::from_config(&config).unwrap());
        let outbox = Outbox::new(db.clone(), keyring, mailer, &config.mail, &config.data_dir);
        Self {
            dir,
            config,
            db,
            outbox,
        }
    }

    /// Stores a mail to `to` and returns its outbox ID.
    async fn enqueue(&self, to: &str) -> i64 {
        let mail = OutgoingMail::plain(
            to.to_owned(),
            "【資産状況】お知らせ".to_owned(),
            "いつも資産状況をご利用いただき、ありがとうございます。".to_owned(),
        );
        self.enqueue_mail(&mail).await
    }

    async fn enqueue_mail(&self, mail: &OutgoingMail) -> i64 {
        self.outbox.enqueue(KIND, mail).await.unwrap();
        let mut tx = self.db.read().await.unwrap();
        let row = sqlx::query("SELECT MAX(id) AS id FROM mail_outbox")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        col(&row, "id").unwrap()
    }

    async fn row(&self, id: i64) -> Row {
        let mut tx = self.db.read().await.unwrap();
        let row = sqlx::query(
            "SELECT status, attempts, next_attempt_at, last_error, LENGTH(message_enc) AS stored, \
             sent_at FROM mail_outbox WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        Row {
            status: col(&row, "status").unwrap(),
            attempts: col(&row, "attempts").unwrap(),
            next_attempt_at: col(&row, "next_attempt_at").unwrap(),
            last_error: col(&row, "last_error").unwrap(),
            stored: col(&row, "stored").unwrap(),
            sent_at: col(&row, "sent_at").unwrap(),
        }
    }

    /// The IDs of every row in the outbox, in order.
    async fn ids(&self) -> Vec<i64> {
        let mut tx = self.db.read().await.unwrap();
        sqlx::query("SELECT id FROM mail_outbox ORDER BY id")
            .fetch_all(&mut *tx)
            .await
            .unwrap()
            .iter()
            .map(|row| col(row, "id").unwrap())
            .collect()
    }

    /// How many rows have `status`.
    async fn count(&self, status: &str) -> i64 {
        let mut tx = self.db.read().await.unwrap();
        let row = sqlx::query("SELECT COUNT(*) AS n FROM mail_outbox WHERE status = $1")
            .bind(status)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        col(&row, "n").unwrap()
    }

    fn journal(&self) -> PathBuf {
        self.config.data_dir.join(JOURNAL_FILE)
    }

    /// True when the delivery journal holds `id` (its documented line format).
    fn journal_holds(&self, id: i64) -> bool {
        std::fs::read_to_string(self.journal())
            .unwrap_or_default()
            .lines()
            .any(|l| l.starts_with(&format!("{id:020} ")))
    }

    /// A connection of the test's own to the same database.
    async fn connection(&self) -> AnyConnection {
        AnyConnection::connect(&self.config.database_url())
            .await
            .unwrap()
    }
}

#[derive(Debug)]
struct Row {
    status: String,
    attempts: i64,
    next_attempt_at: i64,
    last_error: String,
    stored: i64,
    sent_at: Option<i64>,
}

/// `assetstatus serve --roles worker` as a child process, its output in a file.
struct Worker {
    child: Child,
    log: PathBuf,
}

impl Worker {
    fn start(config: &Config, dir: &Path, name: &str) -> Self {
        let mail = &config.mail;
        let mut toml = format!(
            "data_dir = {:?}\npublic_addr = \"127.0.0.1:0\"\nstaff_addr = \"127.0.0.1:0\"\n\
             database_url = {:?}\nlog_filter = {:?}\n[mail]\nsmtp_url = {:?}\nfrom = {:?}\n\
             lease_seconds = {}\nmax_attempts = {}\n",
            config.data_dir.display().to_string(),
            config.database_url(),
            config.log_filter,
            mail.smtp_url.as_ref().unwrap().expose().as_str(),
            mail.from,
            mail.lease_seconds,
            mail.max_attempts,
        );
        if let Some(ca) = &mail.smtp_ca_file {
            toml.push_str(&format!("smtp_ca_file = {:?}\n", ca.display().to_string()));
        }
        let file = dir.join(format!("{name}.toml"));
        std::fs::write(&file, toml).unwrap();
        let log = dir.join(format!("{name}.log"));
        let out = std::fs::File::create(&log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_assetstatus"))
            .args(["serve", "--roles", "worker", "--config"])
            .arg(&file)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        Self { child, log }
    }

    /// SIGKILL: no chance to finish anything.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, as a service manager stops a process.
    fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits (up to a minute) until `done` holds; `what` names it in the failure.
async fn wait_until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The raw messages to `to` that reached `capture`.
fn received(capture: &SmtpCapture, to: &str) -> Vec<Vec<u8>> {
    testkit::mail::to(&capture.inbox(), to)
        .into_iter()
        .map(|m| m.raw)
        .collect()
}

fn message_id(raw: &[u8]) -> String {
    MessageParser::default()
        .parse(raw)
        .unwrap()
        .message_id()
        .unwrap()
        .to_owned()
}

/// A write lock on the outbox held by the test: the worker's mark waits behind it.
struct WriteLock(AnyConnection);

impl WriteLock {
    async fn take(setup: &Setup) -> Self {
        let mut conn = setup.connection().await;
        match setup.db.backend() {
            Engine::Sqlite => {
                conn.execute("BEGIN IMMEDIATE").await.unwrap();
            }
            Engine::Postgres => {
                conn.execute("BEGIN").await.unwrap();
                conn.execute("LOCK TABLE mail_outbox IN EXCLUSIVE MODE")
                    .await
                    .unwrap();
            }
        }
        Self(conn)
    }

    async fn release(mut self) {
        self.0.execute("ROLLBACK").await.unwrap();
        self.0.close().await.unwrap();
    }
}

async fn html_mails_arrive_with_both_parts(backend: Backend) {
    let capture = SmtpCapture::start();
    let setup = Setup::new(
        backend,
        &format!("smtp://127.0.0.1:{}", capture.port),
        |_| {},
    )
    .await;
    let to = email("html");
    let mail = OutgoingMail::plain(
        to.clone(),
        "【資産状況】お知らせ".to_owned(),
        "ご登録の内容をご確認ください。".to_owned(),
    )
    .with_html("<p>ご登録の内容を<strong>ご確認</strong>ください。</p>".to_owned());
    let id = setup.enqueue_mail(&mail).await;
    let pass = setup.outbox.deliver_due().await.unwrap();
    assert_eq!(pass.sent, 1);

    let raw = testkit::mail::wait_for(&capture.inbox(), &to, 1).await[0]
        .raw
        .clone();
    let message = MessageParser::default().parse(&raw).unwrap();
    let root = message.content_type().unwrap();
    assert_eq!(
        (root.ctype(), root.subtype()),
        ("multipart", Some("alternative"))
    );
    let parts: Vec<(String, String)> = message.parts[1..]
        .iter()
        .map(|p| {
            let t = p.content_type().unwrap();
            (
                format!("{}/{}", t.ctype(), t.subtype().unwrap_or_default()),
                p.text_contents().unwrap_or_default().trim().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        parts,
        vec![
            (
                "text/plain".to_owned(),
                "ご登録の内容をご確認ください。".to_owned()
            ),
            (
                "text/html".to_owned(),
                "<p>ご登録の内容を<strong>ご確認</strong>ください。</p>".to_owned()
            ),
        ],
        "text first, then HTML"
    );
    let row = setup.row(id).await;
    assert_eq!((row.status.as_str(), row.stored), ("sent", 0));
    assert!(
        !setup.journal_holds(id),
        "the journal is cleared once marked"
    );
}

/// An SMTP server that holds its reply to DATA, and an instance whose lease is `lease_seconds`.
async fn holding_server_and_lease(backend: Backend, lease_seconds: i64) -> (SmtpCapture, Setup) {
    let capture = SmtpCapture::start_with(SmtpOptions {
        hold: true,
        ..SmtpOptions::default()
    });
    let setup = Setup::new(
        backend,
        &format!("smtp://127.0.0.1:{}", capture.port),
        |c| c.mail.lease_seconds = lease_seconds,
    )
    .await;
    (capture, setup)
}

/// Sends one mail through a worker child process whose mark waits behind the test's write lock,
/// and kills the worker once the SMTP server has accepted the mail and the journal holds it.
/// Returns the stopped scene: the mail's ID and recipient.
async fn kill_between_send_and_mark(setup: &Setup, capture: &SmtpCapture) -> (i64, String) {
    let worker = Worker::start(&setup.config, setup.dir.path(), "first");
    let to = email("crash");
    let id = setup.enqueue(&to).await;
    wait_until("the SMTP server has the message", async || {
        received(capture, &to).len() == 1
    })
    .await;
    let lock = WriteLock::take(setup).await;
    capture.release();
    wait_until("the journal holds the mail", async || {
        setup.journal_holds(id)
    })
    .await;
    worker.kill();
    lock.release().await;
    let row = setup.row(id).await;
    assert_eq!(
        (row.status.as_str(), row.attempts),
        ("sending", 0),
        "the worker died before the mark"
    );
    (id, to)
}

async fn a_crash_between_send_and_mark_sends_once(backend: Backend) {
    let (capture, setup) = holding_server_and_lease(backend, 1).await;
    let (id, to) = kill_between_send_and_mark(&setup, &capture).await;

    let _worker = Worker::start(&setup.config, setup.dir.path(), "second");
    wait_until("the restarted worker marks the mail sent", async || {
        setup.row(id).await.status == "sent"
    })
    .await;
    wait_until("the journal is cleared", async || !setup.journal_holds(id)).await;
    let row = setup.row(id).await;
    assert_eq!((row.attempts, row.stored), (1, 0), "content erased");
    assert_eq!(
        received(&capture, &to).len(),
        1,
        "exactly one message, though the lease ran out before the restart"
    );
}

async fn a_lost_journal_sends_again_with_the_same_message_id(backend: Backend) {
    let (capture, setup) = holding_server_and_lease(backend, 1).await;
    let (id, to) = kill_between_send_and_mark(&setup, &capture).await;
    std::fs::remove_file(setup.journal()).unwrap();

    let _worker = Worker::start(&setup.config, setup.dir.path(), "second");
    wait_until("the mail is sent again", async || {
        setup.row(id).await.status == "sent"
    })
    .await;
    let messages = received(&capture, &to);
    assert_eq!(messages.len(), 2, "without the journal the mail goes again");
    assert_eq!(message_id(&messages[0]), message_id(&messages[1]));
    assert_eq!(
        message_id(&messages[0]),
        format!("outbox-{id}.{KIND}@assetstatus")
    );
}

/// Makes the database refuse every `sent` mark until [`allow_marks`].
async fn refuse_marks(setup: &Setup) {
    let mut conn = setup.connection().await;
    let sql = match setup.db.backend() {
        Engine::Sqlite => {
            "CREATE TRIGGER refuse_sent BEFORE UPDATE ON mail_outbox WHEN NEW.status = 'sent' \
             BEGIN SELECT RAISE(ABORT, 'marks refused by the test'); END;"
        }
        Engine::Postgres => {
            "CREATE FUNCTION refuse_sent() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'marks refused by the test'; END $$; \
             CREATE TRIGGER refuse_sent BEFORE UPDATE ON mail_outbox FOR EACH ROW \
             WHEN (NEW.status = 'sent') EXECUTE FUNCTION refuse_sent();"
        }
    };
    sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
}

async fn allow_marks(setup: &Setup) {
    let mut conn = setup.connection().await;
    let sql = match setup.db.backend() {
        Engine::Sqlite => "DROP TRIGGER refuse_sent",
        Engine::Postgres => "DROP TRIGGER refuse_sent ON mail_outbox",
    };
    sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
}

async fn a_failed_mark_is_made_at_a_later_pass(backend: Backend) {
    let capture = SmtpCapture::start();
    let setup = Setup::new(
        backend,
        &format!("smtp://127.0.0.1:{}", capture.port),
        |c| c.mail.lease_seconds = 1,
    )
    .await;
    refuse_marks(&setup).await;
    let mut worker = Worker::start(&setup.config, setup.dir.path(), "worker");
    let to = email("refused");
    let id = setup.enqueue(&to).await;
    wait_until("the mail is delivered and journaled", async || {
        received(&capture, &to).len() == 1 && setup.journal_holds(id)
    })
    .await;
    let first_claim = setup.row(id).await;
    assert_eq!(first_claim.status, "sending");
    wait_until(
        "the lease runs out and the worker claims the mail again",
        async || setup.row(id).await.next_attempt_at > first_claim.next_attempt_at,
    )
    .await;
    assert!(setup.journal_holds(id), "still waiting for its mark");
    assert_eq!(setup.row(id).await.status, "sending");

    allow_marks(&setup).await;
    wait_until("a later pass marks the mail sent", async || {
        setup.row(id).await.status == "sent"
    })
    .await;
    wait_until("the journal is cleared", async || !setup.journal_holds(id)).await;
    assert_eq!(received(&capture, &to).len(), 1, "exactly one message");
    assert_eq!(setup.row(id).await.stored, 0, "content erased");
    assert!(worker.running(), "no crash involved");
    assert!(
        worker.log().contains("kept in the journal"),
        "{}",
        worker.log()
    );
}

async fn a_shutdown_finishes_the_mail_in_flight(backend: Backend) {
    let capture = SmtpCapture::start_with(SmtpOptions {
        hold: true,
        ..SmtpOptions::default()
    });
    let setup = Setup::new(
        backend,
        &format!("smtp://127.0.0.1:{}", capture.port),
        |_| {},
    )
    .await;
    let mut worker = Worker::start(&setup.config, setup.dir.path(), "worker");
    wait_until("the worker has started", async || {
        worker.log().contains("assetstatus is running")
    })
    .await;
    // Both mails are stored before the worker's next pass claims them together.
    let (first_to, second_to) = (email("first"), email("second"));
    let mut tx = setup.db.write().await.unwrap();
    setup
        .outbox
        .enqueue_in(
            &mut tx,
            KIND,
            &OutgoingMail::plain(first_to.clone(), "一通目".into(), "本文".into()),
        )
        .await
        .unwrap();
    setup
        .outbox
        .enqueue_in(
            &mut tx,
            KIND,
            &OutgoingMail::plain(second_to.clone(), "二通目".into(), "本文".into()),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let (first, second) = (1, 2);
    wait_until("the first mail is in flight", async || {
        received(&capture, &first_to).len() == 1
    })
    .await;
    assert_eq!(setup.row(second).await.status, "sending", "claimed too");
    worker.terminate();
    capture.release();
    wait_until("the worker exits", async || !worker.running()).await;
    assert!(worker.child.wait().unwrap().success(), "{}", worker.log());
    let row = setup.row(first).await;
    assert_eq!((row.status.as_str(), row.stored), ("sent", 0));
    assert!(!setup.journal_holds(first));
    let row = setup.row(second).await;
    assert_eq!(
        (row.status.as_str(), row.attempts),
        ("pending", 0),
        "handed back untried"
    );
    assert!(received(&capture, &second_to).is_empty());
}

/// Mails queued together for the takeover scenario.
const BATCH_OF: usize = 8;

/// The worker holding a batch is killed while the SMTP server has the first mail but has not
/// answered; another worker, on another host (its own data directory, the same database and
/// master key), takes the batch over once the lease runs out.
async fn a_worker_killed_in_a_batch_is_taken_over_after_the_lease(backend: Backend) {
    let (capture, setup) = holding_server_and_lease(backend, 2).await;
    let lease = setup.config.mail.lease_seconds;
    // All stored at once, before the worker starts: its first pass claims them together.
    let recipients: Vec<String> = (0..BATCH_OF).map(|i| email(&format!("batch{i}"))).collect();
    let mut tx = setup.db.write().await.unwrap();
    for to in &recipients {
        setup
            .outbox
            .enqueue_in(
                &mut tx,
                KIND,
                &OutgoingMail::plain(to.clone(), "【資産状況】お知らせ".into(), "本文".into()),
            )
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let ids = setup.ids().await;
    assert_eq!(ids.len(), BATCH_OF);

    let first = Worker::start(&setup.config, setup.dir.path(), "first");
    wait_until(
        "the SMTP server has the first mail of the batch",
        async || !testkit::mail::read_all(&capture.inbox()).is_empty(),
    )
    .await;
    first.kill();
    let killed = Instant::now();

    // The scene: the whole batch claimed, one mail stored by the server whose reply the worker
    // never saw, so neither the database nor the journal knows it went out.
    let inbox = testkit::mail::read_all(&capture.inbox());
    assert_eq!(inbox.len(), 1, "one mail in flight when the worker died");
    let in_flight_to = inbox[0].to.clone();
    let in_flight_message_id = message_id(&inbox[0].raw);
    let in_flight = *ids
        .iter()
        .find(|id| in_flight_message_id == format!("outbox-{id}.{KIND}@assetstatus"))
        .unwrap_or_else(|| panic!("{in_flight_message_id} names no row of the batch"));
    let mut lease_end = None;
    for id in &ids {
        let row = setup.row(*id).await;
        assert_eq!(
            (row.status.as_str(), row.attempts),
            ("sending", 0),
            "row {id} claimed, not marked: {row:?}"
        );
        assert!(row.stored > 0, "row {id} keeps its content");
        assert_eq!(
            *lease_end.get_or_insert(row.next_attempt_at),
            row.next_attempt_at,
            "one claim for the whole batch"
        );
    }
    let lease_end = lease_end.unwrap();
    assert!(
        !setup.journal_holds(in_flight),
        "the worker never saw the server's reply"
    );

    // Another host: its own data directory, the same database and a copy of the master key.
    let elsewhere = tempfile::tempdir().unwrap();
    let mut other = setup.config.clone();
    other.database_url = Some(SecretUrl::new(setup.config.database_url().parse().unwrap()));
    other.data_dir = elsewhere.path().to_owned();
    assert_eq!(other.database_url(), setup.config.database_url());
    let key = other.master_key_file();
    std::fs::create_dir_all(key.parent().unwrap()).unwrap();
    std::fs::copy(setup.config.master_key_file(), &key).unwrap();
    let mut second = Worker::start(&other, elsewhere.path(), "second");
    capture.release();
    wait_until("the second worker has sent the whole batch", async || {
        setup.count("sent").await == i64::try_from(BATCH_OF).unwrap()
    })
    .await;
    let taken_over = killed.elapsed();

    let counts: Vec<usize> = recipients
        .iter()
        .map(|to| received(&capture, to).len())
        .collect();
    let in_flight_copies = received(&capture, &in_flight_to);
    println!(
        "worker killed in a batch of {BATCH_OF} ({backend:?}): taken over after {} ms (lease \
         {lease} s), {} delivered, {} sent twice with the same Message-ID, {} lost",
        taken_over.as_millis(),
        counts.iter().filter(|n| **n > 0).count(),
        counts.iter().filter(|n| **n == 2).count(),
        counts.iter().filter(|n| **n == 0).count(),
    );

    for id in &ids {
        let row = setup.row(*id).await;
        assert_eq!(
            (row.status.as_str(), row.attempts, row.stored),
            ("sent", 1, 0),
            "row {id} sent, content erased: {row:?}"
        );
        let sent_at = row.sent_at.expect("a sent row has its time");
        assert!(
            sent_at >= lease_end,
            "row {id} taken over at {sent_at}, before the lease ran out at {lease_end}"
        );
    }
    assert_eq!(setup.count("sending").await, 0, "no row left claimed");
    for (to, n) in recipients.iter().zip(&counts) {
        if *to != in_flight_to {
            assert_eq!(*n, 1, "{to} got exactly one message");
        }
    }
    assert!(
        (1..=2).contains(&in_flight_copies.len()),
        "the mail in flight arrived {} times",
        in_flight_copies.len()
    );
    for raw in &in_flight_copies {
        assert_eq!(
            message_id(raw),
            format!("outbox-{in_flight}.{KIND}@assetstatus"),
            "every copy carries the same Message-ID"
        );
    }
    assert!(second.running(), "{}", second.log());
}

/// A private certificate authority and a relay certificate for 127.0.0.1 signed by it, as PEM:
/// (authority, relay certificate, relay key).
fn relay_certificates() -> (String, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.distinguished_name
        .push(DnType::CommonName, "Test Bank Internal Mail CA");
    let ca = ca.self_signed(&ca_key).unwrap();
    let relay_key = KeyPair::generate().unwrap();
    let mut relay = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    relay
        .distinguished_name
        .push(DnType::CommonName, "relay.test");
    let relay = relay.signed_by(&relay_key, &ca, &ca_key).unwrap();
    (ca.pem(), relay.pem(), relay_key.serialize_pem())
}

const RELAY_USER: &str = "portal-mailer";
const RELAY_PASSWORD: &str = "Relay-pass-4f9c2e";
const WRONG_PASSWORD: &str = "Wrong-pass-77a1d0";

async fn starttls_and_auth_through_a_private_relay(backend: Backend) {
    let (ca, cert, key) = relay_certificates();
    let capture = SmtpCapture::start_with(SmtpOptions {
        tls: Some((cert, key)),
        auth: Some((RELAY_USER.to_owned(), RELAY_PASSWORD.to_owned())),
        ..SmtpOptions::default()
    });
    let url = |password: &str| {
        format!(
            "smtp://{RELAY_USER}:{password}@127.0.0.1:{}?tls=required",
            capture.port
        )
    };
    let ca_dir = tempfile::tempdir().unwrap();
    let ca_file = ca_dir.path().join("bank-mail-ca.pem");
    std::fs::write(&ca_file, ca).unwrap();
    let setup = Setup::new(backend, &url(RELAY_PASSWORD), |c| {
        c.mail.smtp_ca_file = Some(ca_file.clone());
    })
    .await;

    // Without the authority the relay's certificate is not trusted.
    let mut untrusting = setup.config.clone();
    untrusting.mail.smtp_ca_file = None;
    let refused = Mailer::from_config(&untrusting)
        .unwrap()
        .send_with_id(
            OutgoingMail::plain(email("x"), "s".into(), "t".into()),
            "<untrusted@assetstatus>".into(),
        )
        .await;
    assert!(matches!(refused, Err(MailError::Smtp(_))), "{refused:?}");

    let worker = Worker::start(&setup.config, setup.dir.path(), "right-password");
    let to = email("relay");
    let id = setup.enqueue(&to).await;
    wait_until("the mail is sent", async || {
        setup.row(id).await.status == "sent"
    })
    .await;
    let messages = received(&capture, &to);
    assert_eq!(messages.len(), 1);
    assert_eq!(
        message_id(&messages[0]),
        format!("outbox-{id}.{KIND}@assetstatus")
    );
    let right_log = worker.log();
    worker.kill();

    let mut wrong = setup.config.clone();
    wrong.mail.smtp_url = Some(SecretUrl::new(url(WRONG_PASSWORD).parse().unwrap()));
    let worker = Worker::start(&wrong, setup.dir.path(), "wrong-password");
    let refused_to = email("refused");
    let id = setup.enqueue(&refused_to).await;
    wait_until("the worker tries the mail", async || {
        setup.row(id).await.attempts >= 1
    })
    .await;
    let row = setup.row(id).await;
    assert_eq!(
        (row.status.as_str(), row.last_error.as_str()),
        ("pending", "smtp"),
        "kept for a later attempt"
    );
    assert!(row.stored > 0, "content kept for the retry");
    assert!(
        received(&capture, &refused_to).is_empty(),
        "nothing delivered"
    );
    let wrong_log = worker.log();
    worker.kill();

    assert!(
        wrong_log.contains("mail delivery deferred"),
        "the failure is logged: {wrong_log}"
    );
    for log in [&right_log, &wrong_log] {
        assert!(
            !log.contains(RELAY_PASSWORD) && !log.contains(WRONG_PASSWORD),
            "no password in the log: {log}"
        );
    }
}

on_both_backends!(
    html_mails_arrive_with_both_parts,
    a_crash_between_send_and_mark_sends_once,
    a_lost_journal_sends_again_with_the_same_message_id,
    a_failed_mark_is_made_at_a_later_pass,
    a_shutdown_finishes_the_mail_in_flight,
    a_worker_killed_in_a_batch_is_taken_over_after_the_lease,
    starttls_and_auth_through_a_private_relay,
);
