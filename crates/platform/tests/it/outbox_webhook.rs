//! Webhook calls through the outbox against a real HTTP receiver, on SQLite and PostgreSQL: a
//! call is delivered once with its JSON body; an error status or a receiver that is not
//! listening defers it with the attempt recorded, and it is delivered later or given up; the
//! URL and the body are stored sealed; mails queued beside webhook calls still go out.
use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header::CONTENT_TYPE};
use platform::config::Config;
use platform::crypto::Keyring;
use platform::db::{Db, col};
use platform::mail::{Mailer, OutgoingMail};
use platform::outbox::{Outbox, Pass};
use platform::time_util::now_unix;
use serde_json::{Value, json};
use tempfile::TempDir;

const KIND: &str = "admin-alert";

#[derive(Clone, Copy, Debug)]
enum Backend {
    Sqlite,
    Postgres,
}

/// An incoming webhook on a loopback port: it records every request it answers 2xx and
/// answers 500 to as many requests as it is told to fail first.
#[derive(Clone, Default)]
struct Receiver {
    inner: Arc<Mutex<Received>>,
}

#[derive(Default)]
struct Received {
    fail_first: usize,
    hits: usize,
    accepted: Vec<(String, Option<String>, Value)>,
}

impl Receiver {
    /// Starts the receiver; returns it and the base URL it listens on.
    async fn start(fail_first: usize) -> (Self, String) {
        let receiver = Self::default();
        receiver.inner.lock().unwrap().fail_first = fail_first;
        let app = Router::new().fallback(receive).with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (receiver, base)
    }

    fn hits(&self) -> usize {
        self.inner.lock().unwrap().hits
    }

    /// Path, content type and JSON body of every accepted request.
    fn accepted(&self) -> Vec<(String, Option<String>, Value)> {
        self.inner.lock().unwrap().accepted.clone()
    }
}

async fn receive(
    State(receiver): State<Receiver>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let mut received = receiver.inner.lock().unwrap();
    received.hits += 1;
    if received.fail_first > 0 {
        received.fail_first -= 1;
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let content_type = headers
        .get(CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned());
    let body = serde_json::from_slice(&body).unwrap();
    received
        .accepted
        .push((uri.path().to_owned(), content_type, body));
    StatusCode::OK
}

/// A data directory and database with an outbox writing mails as files under `mail/`.
struct Setup {
    dir: TempDir,
    backend: Backend,
    db: Db,
    outbox: Outbox,
}

#[derive(Debug, PartialEq, Eq)]
struct Row {
    status: String,
    attempts: i64,
    last_error: String,
}

impl Setup {
    async fn new(backend: Backend, max_attempts: i64) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config {
            data_dir: dir.path().to_owned(),
            ..Config::default()
        };
        config.mail.max_attempts = max_attempts;
        let url = match backend {
            Backend::Sqlite => config.database_url(),
            Backend::Postgres => testkit::postgres::fresh_database().await,
        };
        let db = Db::connect(&url).await.unwrap();
        let keyring = Arc::new(Keyring::open(&db, &config.master_key_file()).await.unwrap());
        let mailer = Arc::new(Mailer::from_config(&config).unwrap());
        let outbox = Outbox::new(db.clone(), keyring, mailer, &config.mail, &config.data_dir);
        Self {
            dir,
            backend,
            db,
            outbox,
        }
    }

    /// Queues a webhook call and returns its outbox ID.
    async fn enqueue(&self, url: &str, body: &Value) -> i64 {
        self.outbox.enqueue_webhook(KIND, url, body).await.unwrap();
        self.last_id().await
    }

    async fn last_id(&self) -> i64 {
        let mut tx = self.db.read().await.unwrap();
        let row = sqlx::query("SELECT MAX(id) AS id FROM mail_outbox")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        col(&row, "id").unwrap()
    }

    async fn row(&self, id: i64) -> Row {
        let mut tx = self.db.read().await.unwrap();
        let row = sqlx::query("SELECT status, attempts, last_error FROM mail_outbox WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        Row {
            status: col(&row, "status").unwrap(),
            attempts: col(&row, "attempts").unwrap(),
            last_error: col(&row, "last_error").unwrap(),
        }
    }

    /// Every stored column of the row, as the database returns it, in one byte string.
    async fn raw_row(&self, id: i64) -> Vec<u8> {
        let mut tx = self.db.read().await.unwrap();
        let row =
            sqlx::query("SELECT kind, message_enc, last_error FROM mail_outbox WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await
                .unwrap();
        let mut bytes: Vec<u8> = col::<String>(&row, "kind").unwrap().into_bytes();
        bytes.extend(col::<Vec<u8>>(&row, "message_enc").unwrap());
        bytes.extend(col::<String>(&row, "last_error").unwrap().into_bytes());
        bytes
    }

    /// Makes a deferred row due now instead of after its backoff.
    async fn make_due(&self, id: i64) {
        let mut tx = self.db.write().await.unwrap();
        sqlx::query("UPDATE mail_outbox SET next_attempt_at = $1 WHERE id = $2")
            .bind(now_unix())
            .bind(id)
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }

    async fn deliver(&self) -> Pass {
        self.outbox.deliver_due().await.unwrap()
    }

    fn mail_files(&self) -> usize {
        std::fs::read_dir(self.dir.path().join("mail"))
            .map(|entries| entries.count())
            .unwrap_or(0)
    }
}

fn pass(sent: usize, deferred: usize, dead: usize) -> Pass {
    Pass {
        sent,
        deferred,
        dead,
        recorded: 0,
    }
}

/// A URL on a loopback port nobody listens on.
fn unreachable_url() -> String {
    format!("http://127.0.0.1:{}/hook", testkit::net::free_port())
}

async fn delivered_once_with_the_json_body(backend: Backend) {
    let s = Setup::new(backend, 12).await;
    let (receiver, base) = Receiver::start(0).await;
    let body = json!({"text": "データベースに接続できません", "severity": "critical", "count": 3});
    let id = s.enqueue(&format!("{base}/services/T1/B2"), &body).await;

    assert_eq!(s.deliver().await, pass(1, 0, 0));
    assert_eq!(s.deliver().await, pass(0, 0, 0), "nothing is due any more");
    assert_eq!(
        receiver.accepted(),
        vec![(
            "/services/T1/B2".to_owned(),
            Some("application/json".to_owned()),
            body
        )]
    );
    assert_eq!(receiver.hits(), 1);
    assert_eq!(
        s.row(id).await,
        Row {
            status: "sent".into(),
            attempts: 1,
            last_error: String::new()
        }
    );
    assert_eq!(
        s.raw_row(id).await,
        KIND.as_bytes().to_vec(),
        "the content is erased once sent"
    );
}

async fn an_error_status_defers_and_a_later_pass_delivers(backend: Backend) {
    let s = Setup::new(backend, 12).await;
    let (receiver, base) = Receiver::start(1).await;
    let body = json!({"text": "retry me"});
    let id = s.enqueue(&format!("{base}/hook"), &body).await;

    let before = now_unix();
    assert_eq!(s.deliver().await, pass(0, 1, 0));
    assert_eq!(
        s.row(id).await,
        Row {
            status: "pending".into(),
            attempts: 1,
            last_error: "webhook-status".into()
        }
    );
    assert_eq!(
        s.deliver().await,
        pass(0, 0, 0),
        "the retry waits for its backoff"
    );
    let mut tx = s.db.read().await.unwrap();
    let due: i64 = col(
        &sqlx::query("SELECT next_attempt_at FROM mail_outbox WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .unwrap(),
        "next_attempt_at",
    )
    .unwrap();
    drop(tx);
    assert!(due >= before + 15, "the first retry waits 15 s");

    s.make_due(id).await;
    assert_eq!(s.deliver().await, pass(1, 0, 0));
    assert_eq!(receiver.hits(), 2);
    assert_eq!(receiver.accepted().len(), 1);
    assert_eq!(receiver.accepted()[0].2, body);
    assert_eq!(
        s.row(id).await,
        Row {
            status: "sent".into(),
            attempts: 2,
            last_error: String::new()
        }
    );
}

async fn a_receiver_not_listening_defers_then_gives_up(backend: Backend) {
    let s = Setup::new(backend, 2).await;
    let id = s
        .enqueue(&unreachable_url(), &json!({"text": "nobody hears"}))
        .await;

    assert_eq!(s.deliver().await, pass(0, 1, 0));
    assert_eq!(
        s.row(id).await,
        Row {
            status: "pending".into(),
            attempts: 1,
            last_error: "webhook-connect".into()
        }
    );
    s.make_due(id).await;
    assert_eq!(s.deliver().await, pass(0, 0, 1));
    assert_eq!(
        s.row(id).await,
        Row {
            status: "dead".into(),
            attempts: 2,
            last_error: "webhook-connect".into()
        }
    );
    s.make_due(id).await;
    assert_eq!(s.deliver().await, pass(0, 0, 0), "a dead call stays dead");
}

async fn the_url_and_body_are_stored_sealed(backend: Backend) {
    let s = Setup::new(backend, 12).await;
    let secret_path = "services/T0SECRET9/B0SECRET8/xoxb-credential-4417";
    let url = format!("{}/{secret_path}", unreachable_url());
    let body = json!({"text": "body-marker-5531 口座番号 7654321"});
    let id = s.enqueue(&url, &body).await;
    assert_eq!(s.deliver().await, pass(0, 1, 0), "a failed attempt too");

    let markers: [&[u8]; 5] = [
        b"T0SECRET9",
        b"xoxb-credential-4417",
        b"body-marker-5531",
        "口座番号".as_bytes(),
        b"7654321",
    ];
    let raw = s.raw_row(id).await;
    assert!(raw.len() > 40, "the sealed call is stored");
    for marker in markers {
        assert!(
            !contains(&raw, marker),
            "the row holds «{}» in clear",
            String::from_utf8_lossy(marker)
        );
    }
    if let Backend::Sqlite = s.backend {
        // The database file, its write-ahead log and the journal: nothing on disk in clear.
        let files = files_under(s.dir.path());
        assert!(files.iter().any(|f| f.ends_with("assetstatus.db")));
        for file in files {
            let bytes = std::fs::read(&file).unwrap();
            for marker in markers {
                assert!(
                    !contains(&bytes, marker),
                    "{} holds «{}» in clear",
                    file.display(),
                    String::from_utf8_lossy(marker)
                );
            }
        }
    }
}

async fn a_mail_queued_beside_a_webhook_call_is_delivered(backend: Backend) {
    let s = Setup::new(backend, 12).await;
    let (receiver, base) = Receiver::start(0).await;
    let body = json!({"text": "mixed"});
    let mail = OutgoingMail::plain(
        "admin@example.jp".to_owned(),
        "【資産状況】監視".to_owned(),
        "本文".to_owned(),
    );
    let mut tx = s.db.write().await.unwrap();
    s.outbox
        .enqueue_webhook_in(&mut tx, KIND, &format!("{base}/hook"), &body)
        .await
        .unwrap();
    s.outbox.enqueue_in(&mut tx, "notice", &mail).await.unwrap();
    s.outbox
        .enqueue_webhook_in(&mut tx, KIND, &format!("{base}/hook"), &body)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    s.outbox.wake();

    assert_eq!(s.deliver().await, pass(3, 0, 0));
    assert_eq!(receiver.accepted().len(), 2);
    assert_eq!(s.mail_files(), 1, "the mail is written once");
    assert_eq!(s.deliver().await, pass(0, 0, 0));
    assert_eq!(receiver.hits(), 2);
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(super::Backend::Sqlite).await } )*
        }
        mod postgres {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(super::Backend::Postgres).await } )*
        }
    };
}

on_both_backends!(
    delivered_once_with_the_json_body,
    an_error_status_defers_and_a_later_pass_delivers,
    a_receiver_not_listening_defers_then_gives_up,
    the_url_and_body_are_stored_sealed,
    a_mail_queued_beside_a_webhook_call_is_delivered,
);
