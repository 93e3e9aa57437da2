//! Signed checkpoints, retention and search of the audit trail, each on SQLite and on
//! PostgreSQL: tampering that the hash chain alone cannot see (a rewritten tail, a truncated
//! tail, a forged checkpoint) is caught, pruning keeps the rest verifiable, and search binds
//! every value it is given.
use std::time::Duration;

use ed25519_dalek::SigningKey;
use platform::audit::checkpoint::{self, Checkpoint};
use platform::audit::search::{self, Filter};
use platform::audit::{
    self, Actor, BreakReason, Entry, Event, Outcome, RequestMeta, Role, Target, Verdict, retention,
};
use platform::crypto::Keyring;
use platform::db::{Db, col};
use rand::rngs::OsRng;
use tempfile::TempDir;

#[derive(Clone, Copy, Debug)]
enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh database with its keyring; the directory holds the SQLite file and the master key.
struct Trail {
    backend: Backend,
    db: Db,
    keyring: Keyring,
    dir: TempDir,
}

impl Trail {
    async fn open(backend: Backend) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = match backend {
            Backend::Sqlite => {
                format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("audit.db").display()
                )
            }
            Backend::Postgres => testkit::postgres::fresh_database().await,
        };
        let db = Db::connect(&url).await.unwrap();
        let keyring = Keyring::open(&db, &dir.path().join("master.key"))
            .await
            .unwrap();
        Self {
            backend,
            db,
            keyring,
            dir,
        }
    }

    async fn record(&self, event: &Event, meta: &RequestMeta) -> i64 {
        audit::record(&self.db, event, meta).await.unwrap()
    }

    /// Appends `n` entries made by [`numbered`], numbered on from the current head.
    async fn append(&self, n: i64) {
        let head = self.length().await;
        for i in head + 1..=head + n {
            self.record(&numbered(i, Outcome::Success), &RequestMeta::default())
                .await;
        }
    }

    async fn length(&self) -> i64 {
        let mut tx = self.db.read().await.unwrap();
        audit::length(&mut tx).await.unwrap()
    }

    async fn verify(&self) -> Verdict {
        let mut tx = self.db.read().await.unwrap();
        audit::verify(&mut tx, |_| {}).await.unwrap()
    }

    async fn verify_signed(&self) -> Verdict {
        let mut tx = self.db.read().await.unwrap();
        audit::verify_signed(&mut tx, &self.keyring.audit_verifying_key(), |_| {})
            .await
            .unwrap()
    }

    async fn checkpoint(&self) -> Option<Checkpoint> {
        checkpoint::write(&self.db, &self.keyring).await.unwrap()
    }

    async fn entries(&self) -> Vec<Entry> {
        let mut tx = self.db.read().await.unwrap();
        audit::read_page(&mut tx, 0, 1000).await.unwrap()
    }

    async fn execute(&self, sql: &str) {
        let mut tx = self.db.write().await.unwrap();
        sqlx::query(sql).execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
    }

    /// What an attacker with the database owner's rights does first: switch the append-only
    /// triggers off in this test's own database.
    async fn disable_append_only(&self) {
        match self.backend {
            Backend::Sqlite => {
                self.execute("DROP TRIGGER audit_log_no_update").await;
                self.execute("DROP TRIGGER audit_log_no_delete").await;
            }
            Backend::Postgres => {
                self.execute("ALTER TABLE audit_log DISABLE TRIGGER USER")
                    .await;
            }
        }
    }

    /// Deletes the entries from `from_seq` on and points the head at the entry before, as
    /// someone hiding the last entries would.
    async fn cut_tail(&self, from_seq: i64) {
        let entries = self.entries().await;
        let keep = entries.iter().rfind(|e| e.seq < from_seq).unwrap();
        let mut tx = self.db.write().await.unwrap();
        sqlx::query("DELETE FROM audit_log WHERE seq >= $1")
            .bind(from_seq)
            .execute(&mut *tx)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(keep.seq)
            .bind(&keep.hash)
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }

    async fn insert_checkpoint(&self, checkpoint: &Checkpoint) {
        let mut tx = self.db.write().await.unwrap();
        sqlx::query(
            "INSERT INTO audit_checkpoints (seq, hash, at_ms, public_key, signature) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(checkpoint.seq)
        .bind(&checkpoint.hash)
        .bind(checkpoint.at_ms)
        .bind(&checkpoint.public_key)
        .bind(&checkpoint.signature)
        .execute(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }

    async fn search(&self, filter: &Filter) -> Vec<i64> {
        self.search_page(filter, None, 100).await
    }

    async fn search_page(&self, filter: &Filter, before_seq: Option<i64>, limit: i64) -> Vec<i64> {
        let mut tx = self.db.read().await.unwrap();
        search::page(&mut tx, filter, before_seq, limit)
            .await
            .unwrap()
            .iter()
            .map(|e| e.seq)
            .collect()
    }
}

/// An event whose target names its position, so a rebuilt tail can repeat the original.
fn numbered(i: i64, outcome: Outcome) -> Event {
    Event {
        actor: Actor::system("test"),
        action: "test.append",
        target: Target::client(&format!("entry-{i}")),
        outcome,
    }
}

fn broken(seq: i64, reason: BreakReason) -> Verdict {
    Verdict::Broken { seq, reason }
}

async fn checkpoint_is_written_only_when_the_head_moved(backend: Backend) {
    let trail = Trail::open(backend).await;
    assert_eq!(trail.checkpoint().await, None, "nothing to sign yet");

    trail.append(3).await;
    let first = trail.checkpoint().await.expect("the head moved");
    let head = trail.entries().await.pop().unwrap();
    assert_eq!((first.seq, &first.hash), (3, &head.hash));
    let key = trail.keyring.audit_verifying_key();
    assert!(first.is_signed_by(&key));
    assert_eq!(first.public_key, key.to_bytes().to_vec());
    assert_eq!(trail.checkpoint().await, None, "the head has not moved");

    trail.append(1).await;
    assert_eq!(trail.checkpoint().await.map(|c| c.seq), Some(4));
    let mut tx = trail.db.read().await.unwrap();
    assert_eq!(checkpoint::count(&mut tx).await.unwrap(), 2);
    drop(tx);

    // The key is a stored system key: opening the keyring again yields the same one.
    let reopened = Keyring::open(&trail.db, &trail.dir.path().join("master.key"))
        .await
        .unwrap();
    assert_eq!(reopened.audit_verifying_key(), key);
}

async fn verify_signed_accepts_an_intact_trail(backend: Backend) {
    let trail = Trail::open(backend).await;
    assert_eq!(trail.verify_signed().await, Verdict::Intact { entries: 0 });
    trail.append(5).await;
    trail.checkpoint().await.unwrap();
    trail.append(2).await;
    trail.checkpoint().await.unwrap();
    trail.append(3).await;
    let mut tx = trail.db.read().await.unwrap();
    let mut reached = 0;
    let verdict = audit::verify_signed(&mut tx, &trail.keyring.audit_verifying_key(), |n| {
        reached = n;
    })
    .await
    .unwrap();
    assert_eq!(verdict, Verdict::Intact { entries: 10 });
    assert_eq!(reached, 10);
    assert_eq!(trail.verify().await, Verdict::Intact { entries: 10 });
}

async fn a_rewritten_tail_is_detected(backend: Backend) {
    let trail = Trail::open(backend).await;
    trail.append(10).await;
    trail.checkpoint().await.unwrap();
    trail.append(5).await;

    // Entry 3 is changed and everything after it rebuilt and re-hashed through the
    // application's own append, with the head following.
    trail.disable_append_only().await;
    trail.cut_tail(3).await;
    trail
        .record(&numbered(3, Outcome::Denied), &RequestMeta::default())
        .await;
    for i in 4..=15 {
        trail
            .record(&numbered(i, Outcome::Success), &RequestMeta::default())
            .await;
    }

    assert_eq!(
        trail.verify().await,
        Verdict::Intact { entries: 15 },
        "the chain alone cannot tell"
    );
    assert_eq!(
        trail.verify_signed().await,
        broken(10, BreakReason::CheckpointMismatch)
    );
}

async fn a_truncated_tail_is_detected(backend: Backend) {
    let trail = Trail::open(backend).await;
    trail.append(10).await;
    trail.checkpoint().await.unwrap();

    trail.disable_append_only().await;
    trail.cut_tail(8).await;

    assert_eq!(trail.verify().await, Verdict::Intact { entries: 7 });
    assert_eq!(
        trail.verify_signed().await,
        broken(10, BreakReason::CheckpointRemoved)
    );
    assert_eq!(
        trail.checkpoint().await,
        None,
        "a rewound head is never signed"
    );
}

async fn a_forged_checkpoint_is_detected(backend: Backend) {
    let trail = Trail::open(backend).await;
    trail.append(4).await;
    trail.checkpoint().await.unwrap();
    trail.append(2).await;

    // A well-formed checkpoint of the real head, signed with someone else's key and storing
    // that key: it verifies against the stored key, not against the keyring's.
    let forger = SigningKey::generate(&mut OsRng);
    let head = trail.entries().await.pop().unwrap();
    let forged = Checkpoint::sign(&forger, head.seq, head.hash, 1);
    assert!(forged.is_signed_by(&forger.verifying_key()));
    trail.insert_checkpoint(&forged).await;

    assert_eq!(trail.verify().await, Verdict::Intact { entries: 6 });
    assert_eq!(
        trail.verify_signed().await,
        broken(6, BreakReason::CheckpointSignature)
    );
}

async fn a_rewritten_tail_with_re_signed_checkpoints_is_detected(backend: Backend) {
    let trail = Trail::open(backend).await;
    trail.append(6).await;
    trail.checkpoint().await.unwrap();

    trail.disable_append_only().await;
    trail.cut_tail(2).await;
    for i in 2..=6 {
        trail
            .record(&numbered(i, Outcome::Failure), &RequestMeta::default())
            .await;
    }
    let forger = SigningKey::generate(&mut OsRng);
    let head = trail.entries().await.pop().unwrap();
    trail.execute("DELETE FROM audit_checkpoints").await;
    trail
        .insert_checkpoint(&Checkpoint::sign(&forger, head.seq, head.hash, 1))
        .await;

    assert_eq!(
        trail.verify_signed().await,
        broken(6, BreakReason::CheckpointSignature)
    );
}

/// Appends `n` entries and waits, so that entries appended later carry a later time.
async fn append_then_wait(trail: &Trail, n: i64) {
    trail.append(n).await;
    tokio::time::sleep(Duration::from_millis(5)).await;
}

async fn prune_removes_entries_only_up_to_a_checkpoint(backend: Backend) {
    let trail = Trail::open(backend).await;
    append_then_wait(&trail, 5).await;
    trail.checkpoint().await.unwrap();
    append_then_wait(&trail, 2).await;
    append_then_wait(&trail, 1).await;
    trail.checkpoint().await.unwrap();
    trail.append(2).await;
    let at_8 = trail.entries().await[7].at_ms;

    // Entries 1 to 7 are older than entry 8, but the newest checkpoint among them is at 5.
    assert_eq!(retention::prune(&trail.db, at_8).await.unwrap(), 5);
    assert_eq!(trail.entries().await[0].seq, 6);
    assert_eq!(trail.verify_signed().await, Verdict::Intact { entries: 5 });
    assert_eq!(
        trail.verify().await,
        broken(6, BreakReason::Gap),
        "without the key a pruned trail cannot be trusted"
    );
    assert_eq!(retention::prune(&trail.db, at_8).await.unwrap(), 0);

    assert_eq!(retention::prune(&trail.db, i64::MAX).await.unwrap(), 3);
    assert_eq!(trail.verify_signed().await, Verdict::Intact { entries: 2 });
    let mut tx = trail.db.read().await.unwrap();
    assert_eq!(
        checkpoint::count(&mut tx).await.unwrap(),
        2,
        "checkpoints stay"
    );
    drop(tx);

    // Deletes and updates without the permit are still refused.
    let mut tx = trail.db.write().await.unwrap();
    assert!(
        sqlx::query("DELETE FROM audit_log WHERE seq = 9")
            .execute(&mut *tx)
            .await
            .is_err()
    );
    drop(tx);
    let mut tx = trail.db.write().await.unwrap();
    sqlx::query("INSERT INTO audit_prune_permit (id) VALUES (1)")
        .execute(&mut *tx)
        .await
        .unwrap();
    assert!(
        sqlx::query("UPDATE audit_log SET outcome = 'denied' WHERE seq = 9")
            .execute(&mut *tx)
            .await
            .is_err(),
        "the permit allows deletes only"
    );
    drop(tx);
    let mut tx = trail.db.read().await.unwrap();
    let permits = sqlx::query("SELECT COUNT(*) AS n FROM audit_prune_permit")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(
        col::<i64>(&permits, "n").unwrap(),
        0,
        "no permit outlives its transaction"
    );
    drop(tx);

    // Pruned down to nothing, the trail is anchored at its head and grows on from there.
    trail.checkpoint().await.unwrap();
    assert_eq!(retention::prune(&trail.db, i64::MAX).await.unwrap(), 2);
    assert_eq!(trail.verify_signed().await, Verdict::Intact { entries: 0 });
    trail.append(1).await;
    assert_eq!(trail.entries().await[0].seq, 11);
    assert_eq!(trail.verify_signed().await, Verdict::Intact { entries: 1 });
}

async fn entries_removed_without_a_checkpoint_are_unanchored(backend: Backend) {
    let trail = Trail::open(backend).await;
    trail.append(6).await;
    trail.checkpoint().await.unwrap();
    let mut tx = trail.db.write().await.unwrap();
    for sql in [
        "INSERT INTO audit_prune_permit (id) VALUES (1)",
        "DELETE FROM audit_log WHERE seq <= 3",
        "DELETE FROM audit_prune_permit",
    ] {
        sqlx::query(sql).execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    assert_eq!(
        trail.verify_signed().await,
        broken(4, BreakReason::Unanchored)
    );
}

/// A client ID of the form registration hands out; the trail records others by digest.
const APP: &str = "c_0123456789abcdef0123456789abcdef";

fn meta(ip: Option<&str>) -> RequestMeta {
    RequestMeta {
        client_ip: ip.map(|ip| ip.parse().unwrap()),
        request_id: "req".into(),
    }
}

async fn search_filters_and_pages(backend: Backend) {
    let trail = Trail::open(backend).await;
    let events = [
        (
            Event::success(Actor::system("job"), "job.run", Target::none()),
            None,
        ),
        (
            Event::success(Actor::client(APP), "token.issue", Target::client("app-1")),
            Some("192.0.2.1"),
        ),
        (
            Event {
                outcome: Outcome::Failure,
                ..Event::success(Actor::client(APP), "token.issue", Target::client("app-1"))
            },
            Some("192.0.2.1"),
        ),
        (
            Event {
                outcome: Outcome::Failure,
                ..Event::success(Actor::anonymous(), "customer.login", Target::none())
            },
            Some("198.51.100.9"),
        ),
        (
            Event {
                outcome: Outcome::Denied,
                ..Event::success(
                    Actor {
                        id: "o'brien".into(),
                        role: Role::Client,
                    },
                    "customer.logout",
                    Target::grant("g'1"),
                )
            },
            Some("198.51.100.9"),
        ),
        (
            Event::success(Actor::system("job"), "customers.export", Target::none()),
            None,
        ),
    ];
    for (event, ip) in &events {
        trail.record(event, &meta(*ip)).await;
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    let at: Vec<i64> = trail.entries().await.iter().map(|e| e.at_ms).collect();
    let s = |v: &str| Some(v.to_owned());

    let cases: Vec<(Filter, Vec<i64>)> = vec![
        (Filter::default(), vec![6, 5, 4, 3, 2, 1]),
        (
            Filter {
                actor: s(APP),
                ..Filter::default()
            },
            vec![3, 2],
        ),
        (
            Filter {
                role: s("client"),
                ..Filter::default()
            },
            vec![5, 3, 2],
        ),
        (
            Filter {
                action: s("token.issue"),
                ..Filter::default()
            },
            vec![3, 2],
        ),
        (
            Filter {
                action: s("customer.*"),
                ..Filter::default()
            },
            vec![5, 4],
        ),
        (
            Filter {
                action: s("customer."),
                ..Filter::default()
            },
            vec![],
        ),
        (
            Filter {
                action: s("Customer.*"),
                ..Filter::default()
            },
            vec![],
        ),
        (
            Filter {
                action: s("*"),
                ..Filter::default()
            },
            vec![6, 5, 4, 3, 2, 1],
        ),
        (
            Filter {
                target: s("client:app-1"),
                ..Filter::default()
            },
            vec![3, 2],
        ),
        (
            Filter {
                outcome: s("failure"),
                ..Filter::default()
            },
            vec![4, 3],
        ),
        (
            Filter {
                client_ip: s("198.51.100.9"),
                ..Filter::default()
            },
            vec![5, 4],
        ),
        (
            Filter {
                client_ip: s("-"),
                ..Filter::default()
            },
            vec![6, 1],
        ),
        (
            Filter {
                from_ms: Some(at[1]),
                to_ms: Some(at[3]),
                ..Filter::default()
            },
            vec![3, 2],
        ),
        (
            Filter {
                from_ms: Some(at[4]),
                ..Filter::default()
            },
            vec![6, 5],
        ),
        (
            Filter {
                role: s("client"),
                outcome: s("success"),
                ..Filter::default()
            },
            vec![2],
        ),
        // Values with quotes are data, never SQL.
        (
            Filter {
                actor: s("o'brien"),
                ..Filter::default()
            },
            vec![5],
        ),
        (
            Filter {
                target: s("grant:g'1"),
                ..Filter::default()
            },
            vec![5],
        ),
        (
            Filter {
                actor: s("x' OR '1' = '1"),
                ..Filter::default()
            },
            vec![],
        ),
        (
            Filter {
                action: s("'; DROP TABLE audit_log; --"),
                ..Filter::default()
            },
            vec![],
        ),
        (
            Filter {
                client_ip: s("' OR 1=1 --*"),
                action: s("' OR 1=1 --*"),
                ..Filter::default()
            },
            vec![],
        ),
    ];
    for (filter, expected) in &cases {
        assert_eq!(&trail.search(filter).await, expected, "{filter:?}");
    }
    assert_eq!(trail.verify().await, Verdict::Intact { entries: 6 });

    // Newest first, a page at a time.
    let all = Filter::default();
    assert_eq!(trail.search_page(&all, None, 2).await, vec![6, 5]);
    assert_eq!(trail.search_page(&all, Some(5), 2).await, vec![4, 3]);
    assert_eq!(trail.search_page(&all, Some(3), 2).await, vec![2, 1]);
    assert_eq!(trail.search_page(&all, Some(1), 2).await, Vec::<i64>::new());
    assert_eq!(trail.search_page(&all, None, 0).await, Vec::<i64>::new());
    let clients = Filter {
        role: s("client"),
        ..Filter::default()
    };
    assert_eq!(trail.search_page(&clients, Some(5), 1).await, vec![3]);

    let mut tx = trail.db.read().await.unwrap();
    let export = search::all(&mut tx, &all, 4).await.unwrap();
    assert_eq!(
        export.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![6, 5, 4, 3]
    );
    assert_eq!(export[1].actor, "o'brien");
    assert_eq!(export[1].target, "grant:g'1");
    let export = search::all(&mut tx, &clients, 100).await.unwrap();
    assert_eq!(
        export.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![5, 3, 2]
    );
}

macro_rules! on_both_backends {
    ($($scenario:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $scenario() {
                    super::$scenario(super::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $scenario() {
                    super::$scenario(super::Backend::Postgres).await;
                }
            )*
        }
    };
}

on_both_backends!(
    checkpoint_is_written_only_when_the_head_moved,
    verify_signed_accepts_an_intact_trail,
    a_rewritten_tail_is_detected,
    a_truncated_tail_is_detected,
    a_forged_checkpoint_is_detected,
    a_rewritten_tail_with_re_signed_checkpoints_is_detected,
    prune_removes_entries_only_up_to_a_checkpoint,
    entries_removed_without_a_checkpoint_are_unanchored,
    search_filters_and_pages,
);
