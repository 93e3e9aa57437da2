//! Mail through a real SMTP server process: the verification mail crosses the wire, reads in
//! Japanese, and its link completes the registration.

use crate::support;

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

/// An app whose SMTP server is configured but not running; returns the port it expects.
async fn app_with_mail_server_down(max_attempts: i64) -> (TestApp, u16) {
    let mut capture = SmtpCapture::start();
    let port = capture.port;
    capture.stop();
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.mail.smtp_url = Some(SecretUrl::new(
            format!("smtp://127.0.0.1:{port}").parse().unwrap(),
        ));
        c.mail.max_attempts = max_attempts;
    })
    .await;
    (app, port)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mails_wait_while_smtp_is_down_and_go_out_when_it_returns() {
    let (app, port) = app_with_mail_server_down(12).await;
    let address = email("down");
    let page = app.browser().sign_up(&address, support::PASSWORD).await;
    assert_eq!(
        (page.status, page.location.as_deref()),
        (303, Some("/signup/sent")),
        "the customer is not shown a failure of ours"
    );

    let status = |app: &TestApp| {
        let db = app.state.db.clone();
        async move {
            let mut tx = db.read().await.unwrap();
            let row = sqlx::query("SELECT status, attempts, last_error FROM mail_outbox")
                .fetch_one(&mut *tx)
                .await
                .unwrap();
            let s: String = platform::db::col(&row, "status").unwrap();
            let a: i64 = platform::db::col(&row, "attempts").unwrap();
            let e: String = platform::db::col(&row, "last_error").unwrap();
            (s, a, e)
        }
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while status(&app).await.1 == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the worker tries the mail"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (s, attempts, error) = status(&app).await;
    assert_eq!(
        (s.as_str(), attempts, error.as_str()),
        ("pending", 1, "smtp"),
        "kept for a later attempt, no address in the error"
    );

    let back = SmtpCapture::start_on(port);
    {
        let mut tx = app.state.db.write().await.unwrap();
        sqlx::query("UPDATE mail_outbox SET next_attempt_at = 0")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    app.outbox.deliver_due().await.unwrap();
    let mail =
        testkit::mail::wait_for_subject(&back.inbox(), &address, "メールアドレスのご確認").await;
    assert!(
        String::from_utf8_lossy(&mail.raw).contains("Message-ID: <outbox-1.verify@assetstatus>"),
        "a stable Message-ID lets duplicates be recognised"
    );
    let (s, _, _) = status(&app).await;
    assert_eq!(s, "sent");
    let mut tx = app.state.db.read().await.unwrap();
    let row = sqlx::query("SELECT LENGTH(message_enc) AS n FROM mail_outbox")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(
        platform::db::col::<i64>(&row, "n").unwrap(),
        0,
        "a sent mail's content is erased"
    );
    drop(tx);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undeliverable_mails_end_as_dead_letters() {
    let (app, _) = app_with_mail_server_down(2).await;
    app.browser()
        .sign_up(&email("dead"), support::PASSWORD)
        .await;
    for _ in 0..3 {
        {
            let mut tx = app.state.db.write().await.unwrap();
            sqlx::query("UPDATE mail_outbox SET next_attempt_at = 0 WHERE status <> 'dead'")
                .execute(&mut *tx)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        app.outbox.deliver_due().await.unwrap();
    }
    let mut tx = app.state.db.read().await.unwrap();
    let row = sqlx::query("SELECT status, attempts FROM mail_outbox")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(platform::db::col::<String>(&row, "status").unwrap(), "dead");
    assert_eq!(platform::db::col::<i64>(&row, "attempts").unwrap(), 2);
    drop(tx);
    app.stop().await;
}
