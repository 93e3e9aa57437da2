//! A customer applying for the additional service through the portal, as the application and
//! back-office tests need it.

use testkit::images::{encode_jpeg, patterned_image};

use super::{Browser, Page, TestApp, email};

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

/// Registers a customer and takes them to a submitted application; returns its ID.
pub async fn submitted(app: &TestApp, tag: &str) -> (Browser, String, String) {
    let address = email(tag);
    let b = app.register(&address).await;
    assert_eq!(
        enter_account(&b).await.location.as_deref(),
        Some("/application/documents?notice=account-saved")
    );
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
