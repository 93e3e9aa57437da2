//! The storage suite: the same checks of every store on SQLite and on PostgreSQL — audit chain
//! under concurrency, append-only enforcement, keys, customers and the asset ledger with its
//! history and all-or-nothing writes.

use crate::support;

use std::sync::Arc;

use assets::{AssetError, AssetForm};
use platform::audit::{self, Actor, Event, Outcome, RequestMeta, Target, Verdict};
use platform::crypto::Keyring;
use platform::db::{Db, col};
use platform::ids::CustomerId;
use support::{Backend, TestApp, email, today};

fn meta() -> RequestMeta {
    RequestMeta {
        client_ip: Some("192.0.2.7".parse().unwrap()),
        request_id: "test".into(),
    }
}

async fn audit_chain_holds_under_concurrent_writers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let db = app.state.db.clone();
    // Start-up writes its own entries (the first signing key).
    let before = {
        let mut tx = db.read().await.unwrap();
        audit::length(&mut tx).await.unwrap()
    };
    let writers: Vec<_> = (0..24)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                let mut tx = db.write().await.unwrap();
                let event = Event {
                    actor: Actor::system("test"),
                    action: "test.append",
                    target: Target::none(),
                    outcome: if i % 2 == 0 {
                        Outcome::Success
                    } else {
                        Outcome::Failure
                    },
                };
                let seq = audit::append(&mut tx, &event, &meta()).await.unwrap();
                tx.commit().await.unwrap();
                seq
            })
        })
        .collect();
    let mut seqs: Vec<i64> = Vec::new();
    for w in writers {
        seqs.push(w.await.unwrap());
    }
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs.len(), 24, "every append got its own position");
    let mut tx = db.read().await.unwrap();
    assert_eq!(
        audit::verify(&mut tx, |_| {}).await.unwrap(),
        Verdict::Intact {
            entries: before + 24
        }
    );
    let entries = audit::read_page(&mut tx, 0, 100).await.unwrap();
    let first_test = usize::try_from(before).unwrap();
    assert_eq!(entries[first_test].client_ip, "192.0.2.7");
    assert_eq!(entries[0].prev_hash, vec![0u8; 32]);
    assert_eq!(entries[1].prev_hash, entries[0].hash);
    drop(tx);

    let mut tx = db.write().await.unwrap();
    assert!(
        sqlx::query("UPDATE audit_log SET outcome = 'success'")
            .execute(&mut *tx)
            .await
            .is_err(),
        "no updates"
    );
    drop(tx);
    let mut tx = db.write().await.unwrap();
    assert!(
        sqlx::query("DELETE FROM audit_log WHERE seq = 24")
            .execute(&mut *tx)
            .await
            .is_err(),
        "no deletes"
    );
    drop(tx);
    let mut tx = db.write().await.unwrap();
    sqlx::query("UPDATE audit_head SET seq = seq + 6")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = db.read().await.unwrap();
    assert!(
        matches!(
            audit::verify(&mut tx, |_| {}).await.unwrap(),
            Verdict::Broken { seq, .. } if seq == before + 24
        ),
        "head and chain disagree"
    );
    drop(tx);
    app.stop().await;
}

async fn keyring_keeps_its_keys_and_refuses_a_foreign_master_key(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let db = app.state.db.clone();
    let key_file = app.config.master_key_file();
    let again = Keyring::open(&db, &key_file).await.unwrap();
    assert_eq!(
        again.email_index("a@example.jp"),
        app.state.keyring.email_index("a@example.jp"),
        "stable blind index"
    );
    assert_ne!(
        again.email_index("a@example.jp"),
        again.email_index("b@example.jp")
    );

    let customer = CustomerId::new();
    let mut tx = db.write().await.unwrap();
    let key = again.create_customer_key(&mut tx, customer).await.unwrap();
    tx.commit().await.unwrap();
    let sealed = key.seal(b"secret", b"aad");
    let mut tx = db.read().await.unwrap();
    let loaded = again
        .customer_key(&mut tx, customer)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(loaded.open(&sealed, b"aad").unwrap(), b"secret");
    drop(tx);
    let mut tx = db.write().await.unwrap();
    again.destroy_customer_key(&mut tx, customer).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = db.read().await.unwrap();
    assert!(
        again
            .customer_key(&mut tx, customer)
            .await
            .unwrap()
            .is_none()
    );
    drop(tx);

    let foreign = tempfile::tempdir().unwrap();
    let err = Keyring::open(&db, &foreign.path().join("master.key"))
        .await
        .err()
        .unwrap();
    assert!(
        err.to_string()
            .contains("missing but the database holds encrypted data"),
        "{err}"
    );
    std::fs::create_dir_all(foreign.path()).unwrap();
    platform::crypto::MasterKey::load_or_create(&foreign.path().join("other.key"), true).unwrap();
    let err = Keyring::open(&db, &foreign.path().join("other.key"))
        .await
        .err()
        .unwrap();
    assert!(
        err.to_string().contains("does not match this database"),
        "{err}"
    );
    app.stop().await;
}

async fn ledger_records_history_and_scopes_every_query(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.register(&email("ledger")).await;
    let other = app.register(&email("other")).await;
    drop(other);
    let (owner, stranger) = {
        let mut tx = app.state.db.read().await.unwrap();
        let rows = sqlx::query("SELECT id FROM customers ORDER BY created_at, id")
            .fetch_all(&mut *tx)
            .await
            .unwrap();
        let ids: Vec<CustomerId> = rows
            .iter()
            .map(|r| platform::db::parsed(r, "id").unwrap())
            .collect();
        (ids[0], ids[1])
    };
    let book = &app.state.assets;
    let form = |amount: &str| AssetForm {
        category: "stocks".into(),
        name: "株式".into(),
        institution: "証券".into(),
        amount: amount.into(),
        valuation_date: today(),
        note: "メモ".into(),
        acquisition_cost: String::new(),
    };
    let draft = form("100").parse(platform::time_util::today_jst()).unwrap();
    let id = book.create(owner, &draft, &meta()).await.unwrap();
    let bigger = form("250").parse(platform::time_util::today_jst()).unwrap();
    book.update(owner, id, &bigger, &meta()).await.unwrap();
    assert!(matches!(
        book.update(stranger, id, &draft, &meta()).await,
        Err(AssetError::NotFound)
    ));
    assert!(matches!(
        book.get(stranger, id).await,
        Err(AssetError::NotFound)
    ));
    assert!(matches!(
        book.delete(stranger, id, platform::time_util::today_jst(), &meta())
            .await,
        Err(AssetError::NotFound)
    ));
    assert_eq!(book.get(owner, id).await.unwrap().amount.get(), 250);
    book.delete(owner, id, platform::time_util::today_jst(), &meta())
        .await
        .unwrap();
    let history = book.history(owner).await.unwrap();
    assert_eq!(
        history
            .iter()
            .map(|h| (h.amount, h.deleted))
            .collect::<Vec<_>>(),
        vec![(100, false), (250, false), (0, true)]
    );
    assert!(book.history(stranger).await.unwrap().is_empty());

    let many: Vec<_> = (0..=assets::MAX_ASSETS_PER_CUSTOMER)
        .map(|_| draft.clone())
        .collect();
    assert!(matches!(
        book.import(owner, &many, &meta()).await,
        Err(AssetError::TooMany)
    ));
    assert!(book.list(owner).await.unwrap().is_empty(), "all or nothing");

    let book = Arc::new(book.clone());
    let writers: Vec<_> = (0..12)
        .map(|_| {
            let (book, draft) = (Arc::clone(&book), draft.clone());
            tokio::spawn(async move { book.create(owner, &draft, &meta()).await.unwrap() })
        })
        .collect();
    for w in writers {
        w.await.unwrap();
    }
    assert_eq!(
        book.list(owner).await.unwrap().len(),
        12,
        "concurrent writes all land"
    );
    app.stop().await;
}

async fn customers_are_found_by_blind_index_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let address = email("index");
    app.register(&address).await;
    let page = app
        .browser()
        .login(&format!(" {} ", address.to_uppercase()), support::PASSWORD)
        .await;
    assert_eq!(page.status, 303, "addresses are compared normalised");
    let db: &Db = &app.state.db;
    let mut tx = db.read().await.unwrap();
    let index = app.state.keyring.email_index(&address);
    let row = sqlx::query("SELECT COUNT(*) AS n FROM customers WHERE email_index = $1")
        .bind(&index.0)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(col::<i64>(&row, "n").unwrap(), 1);
    let row = sqlx::query("SELECT status, locale FROM customers")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(col::<String>(&row, "status").unwrap(), "active");
    drop(tx);
    let mut tx = db.write().await.unwrap();
    let duplicate = sqlx::query(
        "INSERT INTO customers (id, email_index, email_enc, name_kanji_enc, name_kana_enc, birth_date_enc, password_hash, status, locale, created_at, updated_at) \
         VALUES ('x', $1, $2, $2, $2, $2, 'h', 'active', 'ja', 0, 0)",
    )
    .bind(&index.0)
    .bind(vec![0u8])
    .execute(&mut *tx)
    .await;
    assert!(
        platform::db::DbError::from(duplicate.unwrap_err()).is_unique_violation(),
        "one account per address"
    );
    drop(tx);
    let profile = app.state.identity.profile({
        let mut tx = db.read().await.unwrap();
        let row = sqlx::query("SELECT id FROM customers")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        platform::db::parsed(&row, "id").unwrap()
    });
    assert_eq!(profile.await.unwrap().email, address);
    app.stop().await;
}

on_both_backends!(
    audit_chain_holds_under_concurrent_writers,
    keyring_keeps_its_keys_and_refuses_a_foreign_master_key,
    ledger_records_history_and_scopes_every_query,
    customers_are_found_by_blind_index_only,
);
