//! Personal data at rest: the database holds no name, reading, e-mail address or date of birth in
//! plain text, and deleting an account destroys the key that could read what remains anywhere.

use crate::support;

use support::{Backend, TestApp};

/// Every file of the SQLite database (main file, write-ahead log, shared memory).
fn database_bytes(app: &TestApp) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(app.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("assetstatus.db")
        {
            all.extend(std::fs::read(&path).unwrap());
        }
    }
    assert!(all.len() > 4096, "database files found");
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn database_file_holds_no_personal_data_in_plain_text() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let b = app.browser();
    let page = b
        .submit(
            "/signup",
            "/signup",
            &[
                ("name_kanji", "暗号 確認子"),
                ("name_kana", "アンゴウ カクニンコ"),
                ("email", "plaintext-probe@example.jp"),
                ("birth_date", "1971-08-29"),
                ("password", support::PASSWORD),
                ("password_confirm", support::PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, 303);
    app.confirm_email(&b, "plaintext-probe@example.jp").await;
    b.login("plaintext-probe@example.jp", support::PASSWORD)
        .await;
    b.add_asset("deposits", "秘密の口座名", "777777", &support::today())
        .await;
    let bytes = database_bytes(&app);
    for secret in [
        "暗号 確認子",
        "暗号",
        "アンゴウ",
        "plaintext-probe",
        "example.jp",
        "1971-08-29",
        "19710829",
        "秘密の口座名",
        "テスト銀行",
        support::PASSWORD,
    ] {
        assert!(
            !contains(&bytes, secret),
            "database holds «{secret}» in plain text"
        );
    }
    assert!(
        contains(&bytes, "customer.signup"),
        "the probe can see plain text that is stored"
    );
    app.stop().await;
}

#[tokio::test]
async fn deleted_customers_data_key_is_gone_for_good() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let address = support::email("shred");
    let b = app.register(&address).await;
    b.add_asset("deposits", "消える預金", "1000", &support::today())
        .await;
    let before = {
        let mut tx = app.state.db.read().await.unwrap();
        let row = sqlx::query("SELECT wrapped_key FROM customer_keys")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        platform::db::col::<Vec<u8>>(&row, "wrapped_key").unwrap()
    };
    let deleted = b
        .submit(
            "/account/delete",
            "/account/delete",
            &[("password", support::PASSWORD), ("confirm", "yes")],
        )
        .await;
    assert_eq!(deleted.status, 200);
    let mut tx = app.state.db.read().await.unwrap();
    for table in [
        "customer_keys",
        "customers",
        "assets",
        "asset_history",
        "sessions",
        "one_time_tokens",
    ] {
        let row = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        assert_eq!(
            platform::db::col::<i64>(&row, "n").unwrap(),
            0,
            "{table} emptied"
        );
    }
    let audit = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'customer.delete'")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(
        platform::db::col::<i64>(&audit, "n").unwrap(),
        1,
        "the trail keeps the event"
    );
    drop(tx);
    let bytes = database_bytes(&app);
    assert!(
        !bytes.windows(before.len()).any(|w| w == before.as_slice()),
        "secure_delete overwrote the wrapped key"
    );
    app.stop().await;
}
