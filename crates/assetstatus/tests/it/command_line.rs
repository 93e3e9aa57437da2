//! The binary's commands as an operator uses them: start-up refusals with clear messages,
//! `config check`, `migrate`, `audit verify`, `clients` and `keys`.

use crate::support;

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Output};

use support::{Backend, TestApp};

fn assetstatus(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_assetstatus"))
        .args(args)
        .env_remove("ASSETSTATUS_DATABASE_URL")
        .env("ASSETSTATUS_DATA_DIR", dir)
        .env("ASSETSTATUS_PUBLIC_ADDR", "127.0.0.1:0")
        .env("ASSETSTATUS_STAFF_ADDR", "127.0.0.1:0")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A data directory whose database already holds a customer.
async fn populated() -> (tempfile::TempDir, std::path::PathBuf) {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.register(&support::email("cli")).await;
    let key = app.config.master_key_file();
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(app.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    std::fs::create_dir_all(dir.path().join("keys")).unwrap();
    std::fs::copy(&key, dir.path().join("keys/master.key")).unwrap();
    app.stop().await;
    (dir, key)
}

#[tokio::test]
async fn refuses_to_start_with_a_key_file_others_can_read() {
    let (dir, _) = populated().await;
    let key = dir.path().join("keys/master.key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = assetstatus(dir.path(), &["serve"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("must be readable by its owner only (chmod 600)"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn refuses_to_start_with_a_corrupt_or_missing_key_file() {
    let (dir, _) = populated().await;
    let key = dir.path().join("keys/master.key");
    std::fs::write(&key, "this is not a key").unwrap();
    let out = assetstatus(dir.path(), &["serve"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("is corrupt: not hexadecimal"),
        "{}",
        stderr(&out)
    );

    std::fs::write(&key, format!("{}\n", "ab".repeat(32))).unwrap();
    let out = assetstatus(dir.path(), &["serve"]);
    assert!(
        stderr(&out).contains("does not match this database"),
        "{}",
        stderr(&out)
    );

    std::fs::remove_file(&key).unwrap();
    let out = assetstatus(dir.path(), &["serve"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("is missing but the database holds encrypted data"),
        "{}",
        stderr(&out)
    );
    assert!(!key.exists(), "no new key is made over existing data");
}

#[test]
fn refuses_an_unreachable_postgresql_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let out = assetstatus(
        dir.path(),
        &[
            "serve",
            "--database-url",
            "postgres://app:topsecret@127.0.0.1:1/assets",
        ],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("cannot reach the database at 127.0.0.1:1"),
        "{err}"
    );
    assert!(!err.contains("topsecret"), "no password in messages");
}

#[test]
fn config_check_masks_secrets_and_names_bad_keys() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("assetstatus.toml");
    std::fs::write(&file, "[mail]\nsmtp_url = \"smtp://ses-user:ses-secret@email-smtp.ap-northeast-1.amazonaws.com:587\"\n").unwrap();
    let out = assetstatus(
        dir.path(),
        &[
            "config",
            "check",
            "--config",
            file.to_str().unwrap(),
            "--database-url",
            "postgres://app:dbsecret@db:5432/x",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let printed = String::from_utf8(out.stdout).unwrap();
    assert!(
        printed.contains("postgres://app:********@db:5432/x"),
        "{printed}"
    );
    assert!(
        printed.contains("ses-user:********@email-smtp"),
        "{printed}"
    );
    assert!(!printed.contains("dbsecret") && !printed.contains("ses-secret"));

    std::fs::write(&file, "[session]\nabsolute_hours = 0\n").unwrap();
    let out = assetstatus(
        dir.path(),
        &["config", "check", "--config", file.to_str().unwrap()],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("`session.absolute_hours`"),
        "{}",
        stderr(&out)
    );
    let out = assetstatus(dir.path(), &["config", "check", "--public-addr", "nowhere"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("public_addr"), "{}", stderr(&out));
}

#[tokio::test]
async fn audit_verify_finds_the_first_altered_entry() {
    let (dir, _) = populated().await;
    let out = assetstatus(dir.path(), &["audit", "verify"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = String::from_utf8(out.stdout).unwrap();
    assert!(report.starts_with("audit trail intact:"), "{report}");

    let url = format!("sqlite://{}", dir.path().join("assetstatus.db").display());
    let db = platform::db::Db::connect(&url).await.unwrap();
    let mut tx = db.write().await.unwrap();
    let refused = sqlx::query("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2")
        .execute(&mut *tx)
        .await;
    assert!(refused.is_err(), "the trail is append-only");
    drop(tx);
    let mut tx = db.write().await.unwrap();
    sqlx::query("DROP TRIGGER audit_log_no_update")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    db.close().await;

    let out = assetstatus(dir.path(), &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(2));
    let report = String::from_utf8(out.stdout).unwrap();
    assert!(
        report.contains("BROKEN at entry #2: its contents were altered"),
        "{report}"
    );
}

#[tokio::test]
async fn migrate_creates_the_schema_and_is_repeatable() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let out = assetstatus(dir.path(), &["migrate"]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stderr(&out).contains("database schema is up to date"));
    }
}

#[test]
fn clients_are_registered_checked_and_disabled_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = assetstatus(
        dir.path(),
        &[
            "clients",
            "add",
            "--name",
            "家計簿アプリ",
            "--auth",
            "client_secret_basic",
            "--grants",
            "authorization_code,refresh_token",
            "--scopes",
            "openid,email",
            "--redirect-uri",
            "https://app.example.jp/callback",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let printed = String::from_utf8(out.stdout).unwrap();
    let client_id = printed
        .lines()
        .find_map(|l| l.strip_prefix("client_id: "))
        .unwrap()
        .to_owned();
    let secret = printed
        .lines()
        .find_map(|l| l.strip_prefix("client_secret: "))
        .unwrap();
    assert_eq!(secret.len(), 43);

    for (args, why) in [
        (
            vec!["--auth", "client_secret_post"],
            "unknown authentication method",
        ),
        (
            vec![
                "--auth",
                "none",
                "--redirect-uri",
                "http://app.example.jp/cb",
            ],
            "must use https",
        ),
        (
            vec![
                "--auth",
                "none",
                "--redirect-uri",
                "https://app.example.jp/cb#x",
            ],
            "fragment",
        ),
        (
            vec![
                "--auth",
                "none",
                "--scopes",
                "openid,ledger:write",
                "--redirect-uri",
                "https://a.example/cb",
            ],
            "not one a customer can grant",
        ),
    ] {
        let mut full = vec![
            "clients",
            "add",
            "--name",
            "x",
            "--grants",
            "authorization_code",
        ];
        if !args.contains(&"--scopes") {
            full.extend(["--scopes", "openid"]);
        }
        full.extend(args.iter().copied());
        let out = assetstatus(dir.path(), &full);
        assert!(!out.status.success(), "{full:?}");
        assert!(stderr(&out).contains(why), "{full:?}: {}", stderr(&out));
    }

    let out = assetstatus(
        dir.path(),
        &["clients", "disable", "--client-id", &client_id],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let listed = String::from_utf8(assetstatus(dir.path(), &["clients", "list"]).stdout).unwrap();
    assert!(
        listed.contains(&client_id) && listed.contains("disabled"),
        "{listed}"
    );
    assert!(!listed.contains(secret), "the secret is never shown again");
    let out = assetstatus(dir.path(), &["clients", "enable", "--client-id", "c_none"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn signing_keys_rotate_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let first = String::from_utf8(assetstatus(dir.path(), &["keys", "list"]).stdout).unwrap();
    assert_eq!(first.lines().count(), 1, "{first}");
    let out = assetstatus(dir.path(), &["keys", "rotate"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let new_kid = String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_owned();
    let after = String::from_utf8(assetstatus(dir.path(), &["keys", "list"]).stdout).unwrap();
    let kids: Vec<&str> = after.lines().collect();
    assert_eq!(
        kids,
        vec![new_kid.as_str(), first.trim()],
        "new key signs, old key still published"
    );
}

#[test]
fn federation_secret_is_masked_and_roles_checked() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("assetstatus.toml");
    let federation = "[staff_federation]\nissuer = \"https://login.bank.example\"\nclient_id = \"asset-console\"\nclient_secret = \"corp-secret-value\"\nredirect_uri = \"https://staff.bank.example/staff/login/federated/callback\"\n[staff_federation.role_map]\n\"asset-ops\" = \"operator\"\n";
    std::fs::write(&file, federation).unwrap();
    let out = assetstatus(
        dir.path(),
        &["config", "check", "--config", file.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let printed = String::from_utf8(out.stdout).unwrap();
    assert!(
        printed.contains("asset-console") && !printed.contains("corp-secret-value"),
        "{printed}"
    );
    std::fs::write(&file, federation.replace("\"operator\"", "\"superuser\"")).unwrap();
    let out = assetstatus(
        dir.path(),
        &["config", "check", "--config", file.to_str().unwrap()],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("staff_federation.role_map"),
        "{}",
        stderr(&out)
    );
}
