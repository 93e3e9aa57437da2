//! Customer mails greet the customer by the name they registered, but only once their address is
//! confirmed: before that the name is whatever the person signing up typed, and it must not be
//! repeated to an address that may belong to someone else. After deletion the name is gone.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use identity::{
    BirthDate, Email, Identity, KanaName, KanjiName, NewPassword, PasswordHasher, Settings,
    SignupRequest,
};
use platform::audit::RequestMeta;
use platform::config::Config;
use platform::crypto::Keyring;
use platform::db::Db;
use platform::i18n::Locale;
use platform::mail::Mailer;
use platform::outbox::Outbox;
use testkit::mail::Mail;

const PASSWORD: &str = "sakura-mochi-2026-greeting";

/// A directory of its own under the system's temporary directory, removed when dropped.
struct ScratchDir(std::path::PathBuf);

impl ScratchDir {
    fn new() -> Self {
        let path = std::env::temp_dir().join(format!("identity-mail-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Setup {
    _dir: ScratchDir,
    config: Config,
    outbox: Arc<Outbox>,
    identity: Identity,
}

impl Setup {
    async fn new() -> Self {
        let dir = ScratchDir::new();
        let mut config = Config {
            data_dir: dir.0.clone(),
            ..Config::default()
        };
        config.mail.signature.ja.bank = "みなと銀行".to_owned();
        let db = Db::connect(&config.database_url()).await.unwrap();
        let keyring = Arc::new(Keyring::open(&db, &config.master_key_file()).await.unwrap());
        let mailer = Arc::new(Mailer::from_config(&config).unwrap());
        let outbox = Arc::new(Outbox::new(
            db.clone(),
            Arc::clone(&keyring),
            mailer,
            &config.mail,
            &config.data_dir,
        ));
        let identity = Identity::new(
            db,
            keyring,
            PasswordHasher::new(1).unwrap(),
            Arc::clone(&outbox),
            Settings {
                base_url: config.public_base_url(),
                staff_base_url: config.staff_base_url(),
                sessions: config.session.clone(),
                staff_sessions: config.staff_session.clone(),
            },
        );
        Self {
            _dir: dir,
            config,
            outbox,
            identity,
        }
    }

    /// Delivers what is queued and returns every mail to `to`, oldest first.
    async fn mails_to(&self, to: &str) -> Vec<Mail> {
        self.outbox.deliver_due().await.unwrap();
        testkit::mail::to(&self.config.data_dir.join("mail"), to)
    }
}

fn request(email: &str, name: &str, kana: &str) -> SignupRequest {
    let today = time::OffsetDateTime::now_utc().date();
    SignupRequest {
        email: Email::parse(email).unwrap(),
        name_kanji: KanjiName::parse(name).unwrap(),
        name_kana: KanaName::parse(kana).unwrap(),
        birth_date: BirthDate::parse("1980-05-05", today).unwrap(),
        password: NewPassword::parse(PASSWORD, PASSWORD, &[]).unwrap(),
        locale: Locale::Ja,
    }
}

#[tokio::test]
async fn a_confirmed_customer_is_greeted_by_the_registered_name_only() {
    let setup = Setup::new().await;
    let meta = RequestMeta::default();
    let id = setup
        .identity
        .create_active_customer(
            request("taro@example.jp", "山田 太郎", "ヤマダ タロウ"),
            &meta,
        )
        .await
        .unwrap()
        .expect("a new customer");

    // Someone else signs up with Taro's address under another name: Taro is told, by his name.
    setup
        .identity
        .sign_up(
            request("taro@example.jp", "偽名 次郎", "ギメイ ジロウ"),
            &meta,
        )
        .await
        .unwrap();
    let mails = setup.mails_to("taro@example.jp").await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(
        mails[0].text.lines().next() == Some("山田 太郎 様"),
        "{}",
        mails[0].text
    );
    assert!(!mails[0].text.contains("偽名"), "{}", mails[0].text);
    assert!(mails[0].text.contains("みなと銀行 資産管理サービス窓口"));
    assert!(!mails[0].subject.contains("山田"), "{}", mails[0].subject);

    setup
        .identity
        .request_password_reset(&Email::parse("taro@example.jp").unwrap(), Locale::Ja, &meta)
        .await
        .unwrap();
    let mails = setup.mails_to("taro@example.jp").await;
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert!(
        mails[1].text.lines().next() == Some("山田 太郎 様"),
        "{}",
        mails[1].text
    );

    // The farewell mail goes out after the name is destroyed with the account.
    setup
        .identity
        .delete_account(id, PASSWORD, &meta)
        .await
        .unwrap();
    let mails = setup.mails_to("taro@example.jp").await;
    assert_eq!(mails.len(), 3, "{mails:?}");
    assert!(
        mails[2].text.lines().next() == Some("お客さま"),
        "{}",
        mails[2].text
    );
    assert!(!mails[2].text.contains("山田"), "{}", mails[2].text);
    for mail in &mails {
        assert!(
            has_html_part(mail),
            "{}",
            String::from_utf8_lossy(&mail.raw)
        );
    }
}

/// Whether the mail went as text with an HTML alternative.
fn has_html_part(mail: &Mail) -> bool {
    let raw = String::from_utf8_lossy(&mail.raw).to_ascii_lowercase();
    raw.contains("multipart/alternative")
        && raw.contains("content-type: text/plain")
        && raw.contains("content-type: text/html")
}

#[tokio::test]
async fn an_unconfirmed_address_is_greeted_as_okyakusama() {
    let setup = Setup::new().await;
    let meta = RequestMeta::default();
    setup
        .identity
        .sign_up(
            request("hanako@example.jp", "佐藤 花子", "サトウ ハナコ"),
            &meta,
        )
        .await
        .unwrap();
    setup
        .identity
        .request_password_reset(
            &Email::parse("hanako@example.jp").unwrap(),
            Locale::Ja,
            &meta,
        )
        .await
        .unwrap();
    let mails = setup.mails_to("hanako@example.jp").await;
    assert_eq!(mails.len(), 2, "verification and reset: {mails:?}");
    for mail in &mails {
        assert!(
            mail.text.lines().next() == Some("お客さま"),
            "{}",
            mail.text
        );
        assert!(!mail.text.contains("佐藤"), "{}", mail.text);
        assert!(mail.text.contains("0120-000-000"), "{}", mail.text);
        assert!(
            has_html_part(mail),
            "{}",
            String::from_utf8_lossy(&mail.raw)
        );
    }
}
