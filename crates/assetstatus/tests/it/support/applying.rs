//! A customer applying for the additional service through the portal, as the application and
//! back-office tests need it.

use core_banking::{AccountNumber, AccountRef, AccountType, BranchCode, CoreBanking};
use testkit::images::{encode_jpeg, patterned_image};

use super::{Browser, PASSWORD, Page, TestApp, email};

/// The account every test application registers: branch 123, ordinary, 0123456.
pub fn test_account() -> AccountRef {
    AccountRef {
        branch: BranchCode::parse("123").unwrap(),
        kind: AccountType::Ordinary,
        number: AccountNumber::parse("0123456").unwrap(),
    }
}

/// The holder name the sandbox core banking system gives `number` (branch 123, ordinary):
/// it derives one from the account, the same on every run (see `core_banking::sandbox`).
pub async fn bank_holder(number: &str) -> String {
    let account = AccountRef {
        number: AccountNumber::parse(number).unwrap(),
        ..test_account()
    };
    core_banking::SandboxCoreBanking::new()
        .account(&account)
        .await
        .unwrap()
        .unwrap()
        .holder
        .as_str()
        .to_owned()
}

/// Signs up as 「試験 花子」 with the reading `kana`, confirms the address and logs in.
pub async fn register_as(app: &TestApp, address: &str, kana: &str) -> Browser {
    let b = app.browser();
    let page = b
        .submit(
            "/signup",
            "/signup",
            &[
                ("name_kanji", "試験 花子"),
                ("name_kana", kana),
                ("email", address),
                ("birth_date", "1990-04-01"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    app.confirm_email(&b, address).await;
    let page = b.login(address, PASSWORD).await;
    assert_eq!(
        page.location.as_deref(),
        Some("/dashboard"),
        "{}",
        page.body
    );
    b
}

/// Enters the test account with `holder` as the holder name.
pub async fn enter_account_as(b: &Browser, holder: &str) -> Page {
    b.submit(
        "/dashboard",
        "/application/account",
        &[
            ("branch", "123"),
            ("account_type", "ordinary"),
            ("number", "0123456"),
            ("holder", holder),
        ],
    )
    .await
}

/// Enters the account (half-width kana, full-width digits, as customers type them). The form
/// token comes from the dashboard, since the account form itself moves away once submitted.
pub async fn enter_account(b: &Browser) -> Page {
    b.submit(
        "/dashboard",
        "/application/account",
        &[
            ("branch", "１２３"),
            ("account_type", "ordinary"),
            ("number", "０１２３４５６"),
            ("holder", "ｼｹﾝ ﾊﾅｺ"),
        ],
    )
    .await
}

pub async fn upload(b: &Browser, side: &str, name: &str, bytes: Vec<u8>) -> Page {
    let token = b.token("/dashboard").await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", token)
        .text("side", side.to_owned())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        );
    let response = b
        .client
        .post(format!("{}/application/documents", b.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    Browser::page(response).await
}

pub fn photo() -> Vec<u8> {
    encode_jpeg(&patterned_image(320, 200))
}

/// The application ID from the review page's form.
pub async fn reviewed_id(b: &Browser) -> String {
    let page = b.get("/application/review").await;
    assert_eq!(page.status, 200, "{}", page.body);
    page.body
        .split("name=\"application\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned()
}

pub async fn submit(b: &Browser, id: &str) -> Page {
    b.submit(
        "/application/review",
        "/application/submit",
        &[("application", id), ("confirm", "yes")],
    )
    .await
}

/// Registers a customer whose reading is the core banking system's holder of the test account,
/// and takes them to a submitted application; returns its ID. Every compared row matches, so
/// one operator may approve it (with maker-checker off).
pub async fn submitted(app: &TestApp, tag: &str) -> (Browser, String, String) {
    let address = email(tag);
    let holder = bank_holder("0123456").await;
    let b = register_as(app, &address, &holder).await;
    assert_eq!(
        enter_account_as(&b, &holder).await.location.as_deref(),
        Some("/application/documents?notice=account-saved")
    );
    finish_submission(app, b, address).await
}

/// Registers 「試験 花子」 (シケン ハナコ) with the test account, whose holder at the bank is
/// someone else, and submits; returns the browser, the application ID and the address.
pub async fn submitted_mismatching(app: &TestApp, tag: &str) -> (Browser, String, String) {
    let address = email(tag);
    let b = app.register(&address).await;
    assert_eq!(
        enter_account(&b).await.location.as_deref(),
        Some("/application/documents?notice=account-saved")
    );
    finish_submission(app, b, address).await
}

async fn finish_submission(
    _app: &TestApp,
    b: Browser,
    address: String,
) -> (Browser, String, String) {
    let page = upload(&b, "front", "front.jpg", photo()).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let id = reviewed_id(&b).await;
    let page = submit(&b, &id).await;
    assert_eq!(
        page.location.as_deref(),
        Some("/application?notice=application-submitted"),
        "{}",
        page.body
    );
    (b, id, address)
}

/// The ID of the first image shown on the customer's documents page.
pub async fn first_document_id(b: &Browser) -> String {
    b.get("/application/documents")
        .await
        .body
        .split("src=\"/application/documents/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned()
}
