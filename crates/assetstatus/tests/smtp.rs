//! Mail through a real SMTP server process: the verification mail crosses the wire, reads in
//! Japanese, and its link completes the registration.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use platform::config::SecretUrl;
use support::{Backend, TestApp, email};
use testkit::smtp::SmtpCapture;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verification_mail_goes_through_smtp() {
    let capture = SmtpCapture::start();
    let port = capture.port;
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.mail.smtp_url = Some(SecretUrl::new(
            format!("smtp://127.0.0.1:{port}").parse().unwrap(),
        ));
        c.mail.from = "資産状況 <no-reply@bank.example.jp>".into();
    })
    .await;
    let address = email("smtp");
    let b = app.browser();
    assert_eq!(b.sign_up(&address, support::PASSWORD).await.status, 303);
    let mails = testkit::mail::wait_for(&capture.inbox(), &address, 1).await;
    let mail = &mails[0];
    assert_eq!(mail.subject, "【資産状況】メールアドレスのご確認");
    assert!(mail.text.contains("メールアドレスの確認を完了してください"));
    assert!(
        String::from_utf8_lossy(&mail.raw).contains("From: =?utf-8?"),
        "encoded sender name"
    );
    assert!(
        !mail.text.contains("試験"),
        "no personal data beyond the address"
    );
    assert!(
        !app.mail_dir().join("x").exists() && testkit::mail::read_all(&app.mail_dir()).is_empty(),
        "nothing went to files"
    );
    let link = mail.link("/verify/").unwrap();
    let path = link.strip_prefix(&app.base).unwrap();
    assert_eq!(b.submit(path, path, &[]).await.status, 200);
    assert_eq!(b.login(&address, support::PASSWORD).await.status, 303);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_answers_normally_while_smtp_is_down() {
    let mut capture = SmtpCapture::start();
    let port = capture.port;
    capture.stop();
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.mail.smtp_url = Some(SecretUrl::new(
            format!("smtp://127.0.0.1:{port}").parse().unwrap(),
        ));
    })
    .await;
    let b = app.browser();
    let page = b.sign_up(&email("down"), support::PASSWORD).await;
    assert_eq!(
        (page.status, page.location.as_deref()),
        (303, Some("/signup/sent")),
        "the customer is not shown a failure of ours"
    );
    app.stop().await;
}
