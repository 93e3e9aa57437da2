//! The additional-service application end to end over HTTP: account, identity document,
//! submission with its mails, a decision with its entitlement, and the linked account on the
//! dashboard; every bad input refused with a clear message and nothing stored; documents
//! encrypted at rest on disk and in an S3 bucket; one customer never reaching another's.

use crate::support;

use applications::{Decision, RejectionReason};
use documents::DocumentError;
use identity::staff::{NewStaff, StaffRoles, Username};
use platform::audit::RequestMeta;
use platform::fields::FieldError;
use platform::i18n::Locale;
use support::applying::{
    bank_holder, enter_account, enter_account_as, first_document_id, photo, reviewed_id, submit,
    submitted, submitted_mismatching, upload,
};
use support::{Backend, Browser, TestApp, audited, count_of, email};
use testkit::images::{contains, encode_png, patterned_image, png_claiming, zip_archive};

const OPERATORS: &str = "backoffice@bank.example.jp";

async fn app(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |c| {
        c.applications.operator_addresses = vec![OPERATORS.into()];
        c.documents.max_bytes = 300_000;
    })
    .await
}

/// An operator's decision, as the back office or the command line makes it.
async fn decide(
    app: &TestApp,
    id: &str,
    decision: &Decision,
) -> Result<applications::Outcome, applications::ApplicationError> {
    let meta = RequestMeta {
        client_ip: None,
        request_id: "test".into(),
    };
    let operator = NewStaff {
        username: Username::parse(&format!(
            "op{}",
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        ))
        .unwrap(),
        display_name: "審査 担当".into(),
        roles: StaffRoles::parse("operator").unwrap(),
    };
    let (staff, _) = app
        .state
        .identity
        .create_staff(operator, &meta)
        .await
        .unwrap();
    app.state
        .applications
        .decide(id.parse().unwrap(), decision, staff, &meta)
        .await
}

async fn application_count(app: &TestApp) -> i64 {
    count_of(app, "SELECT COUNT(*) AS n FROM applications").await
}

async fn document_count(app: &TestApp) -> i64 {
    count_of(app, "SELECT COUNT(*) AS n FROM application_documents").await
}

/// Every file under the local document store.
fn stored_objects(app: &TestApp) -> Vec<Vec<u8>> {
    fn walk(dir: &std::path::Path, out: &mut Vec<Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &app.config.documents.local_dir(&app.config.data_dir),
        &mut out,
    );
    out
}

async fn apply_submit_approve_and_see_the_account(backend: Backend) {
    let app = app(backend).await;
    let (b, id, address) = submitted(&app, "apply").await;
    let status = b.get("/application").await;
    assert!(
        status.body.contains("data-status=\"submitted\""),
        "{}",
        status.body
    );
    assert!(status.body.contains("受付済み"));

    let receipt =
        testkit::mail::wait_for_subject(&app.mail_dir(), &address, "お申し込みを受け付けました")
            .await;
    let number = applications::reception_number(id.parse().unwrap());
    assert!(receipt.text.contains(&number), "{}", receipt.text);
    let raw = String::from_utf8_lossy(&receipt.raw);
    assert!(
        raw.contains("multipart/alternative") && raw.contains("text/html"),
        "plain text and HTML"
    );
    let notice =
        testkit::mail::wait_for_subject(&app.mail_dir(), OPERATORS, "新しいお申し込み").await;
    assert!(notice.text.contains(&number));
    for private in [address.as_str(), "0123456", "シケン", "試験"] {
        assert!(
            !notice.text.contains(private),
            "operator mail leaks {private}"
        );
        // The receipt greets the customer by the registered name and carries nothing else.
        let greeting_only = private == "試験" && receipt.text.matches("試験").count() == 1;
        assert!(
            !receipt.text.contains(private) || private == address || greeting_only,
            "receipt leaks {private}"
        );
    }
    assert!(
        receipt.text.starts_with("試験 花子 様"),
        "the receipt opens with the customer's name: {}",
        receipt.text
    );
    assert_eq!(audited(&app, "application.submitted").await, 1);

    let accounts = b.get("/accounts").await;
    assert!(
        !accounts.body.contains("id=\"transactions\""),
        "no account before approval"
    );
    let decided = decide(
        &app,
        &id,
        &Decision::Approve {
            reason: String::new(),
        },
    )
    .await
    .unwrap();
    assert_eq!(
        decided,
        applications::Outcome::Decided(applications::Status::Approved)
    );
    let again = decide(
        &app,
        &id,
        &Decision::Approve {
            reason: String::new(),
        },
    )
    .await;
    assert!(matches!(
        again,
        Err(applications::ApplicationError::NotDecidable("approved"))
    ));
    testkit::mail::wait_for_subject(&app.mail_dir(), &address, "承認しました").await;
    assert_eq!(audited(&app, "customer.premium_granted").await, 1);

    let accounts = b.get("/accounts").await;
    assert_eq!(accounts.status, 200);
    assert!(
        accounts.body.contains("id=\"transactions\""),
        "{}",
        accounts.body
    );
    assert!(
        accounts.body.contains("123 普通 ****456"),
        "masked account: {}",
        accounts.body
    );
    let balance = figure(&accounts.body, "bank-balance");
    assert_ne!(balance, "0円");
    assert_eq!(
        b.net_worth().await,
        balance,
        "the bank balance joins the net worth"
    );
    let dashboard = b.get("/dashboard").await;
    assert!(dashboard.body.contains("当行の預金"));

    let refused = enter_account_as(&b, &bank_holder("0123456").await).await;
    assert_eq!(refused.status, 409, "no second application once approved");
    app.stop().await;
}

fn figure(body: &str, id: &str) -> String {
    body.split(&format!("id=\"{id}\">"))
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_owned()
}

async fn bad_account_fields_are_refused_and_nothing_is_stored(backend: Backend) {
    let app = app(backend).await;
    let b = app.register(&email("fields")).await;
    let cases: [(&str, &str, &str, &str, FieldError); 5] = [
        (
            "12",
            "ordinary",
            "0123456",
            "シケン ハナコ",
            FieldError::BranchCodeInvalid,
        ),
        (
            "123",
            "ordinary",
            "123456",
            "シケン ハナコ",
            FieldError::AccountNumberLength,
        ),
        (
            "123",
            "ordinary",
            "12a4567",
            "シケン ハナコ",
            FieldError::AccountNumberNotDigits,
        ),
        (
            "123",
            "ordinary",
            "0123456",
            "ヤマダ タロウ",
            FieldError::HolderMismatch,
        ),
        (
            "123",
            "savings",
            "0123456",
            "シケン ハナコ",
            FieldError::UnknownChoice,
        ),
    ];
    for (branch, kind, number, holder, error) in cases {
        let page = b
            .submit(
                "/application/account",
                "/application/account",
                &[
                    ("branch", branch),
                    ("account_type", kind),
                    ("number", number),
                    ("holder", holder),
                ],
            )
            .await;
        assert_eq!(page.status, 422, "{branch} {kind} {number} {holder}");
        let message = error.message(Locale::Ja);
        assert!(
            page.body.contains(&message),
            "{message} missing: {}",
            page.body
        );
        assert!(page.body.contains("aria-invalid=\"true\"") || kind == "savings");
    }
    assert_eq!(application_count(&app).await, 0, "nothing stored");
    app.stop().await;
}

async fn refused_uploads_store_nothing(backend: Backend) {
    let app = app(backend).await;
    let b = app.register(&email("uploads")).await;
    enter_account(&b).await;
    let png = encode_png(&patterned_image(120, 80));
    let mut polyglot = png.clone();
    polyglot.extend_from_slice(&zip_archive("payload.html", b"<script>alert(1)</script>"));
    let too_large = {
        let mut big = encode_png(&patterned_image(120, 80));
        big.resize(310_000, 0);
        big
    };
    let cases: Vec<(&str, Vec<u8>, DocumentError)> = vec![
        (
            "id.jpg",
            b"<html><body>not an image</body></html>".to_vec(),
            DocumentError::UnsupportedType,
        ),
        (
            "id.jpg",
            b"%PDF-1.7\n1 0 obj\n".to_vec(),
            DocumentError::Pdf,
        ),
        (
            "id.png",
            polyglot,
            DocumentError::Polyglot { signature: "ZIP" },
        ),
        (
            "id.png",
            png[..png.len() / 2].to_vec(),
            DocumentError::Truncated,
        ),
        ("id.jpg", Vec::new(), DocumentError::Empty),
        (
            "id.png",
            png_claiming(100_000, 100_000, &[0; 16]),
            DocumentError::TooManyPixels {
                width: 100_000,
                height: 100_000,
            },
        ),
        (
            "id.png",
            too_large,
            DocumentError::TooLarge { max_bytes: 300_000 },
        ),
    ];
    for (name, bytes, error) in cases {
        let page = upload(&b, "front", name, bytes).await;
        assert_eq!(page.status, 422, "{error:?}: {}", page.body);
        let message = error.message(Locale::Ja);
        assert!(page.body.contains(&message), "{error:?}: {message} missing");
    }
    let over_the_body_limit = upload(&b, "front", "huge.jpg", vec![0xFF; 600_000]).await;
    assert_eq!(over_the_body_limit.status, 413);
    interrupted_upload(&b).await;
    assert_eq!(document_count(&app).await, 0, "no document row");
    assert!(stored_objects(&app).is_empty(), "no object");
    assert_eq!(audited(&app, "application.document_uploaded").await, 0);
    app.stop().await;
}

/// Sends half a multipart body and then fails the stream, as a dropped connection would.
async fn interrupted_upload(b: &Browser) {
    let token = b.token("/application/documents").await;
    let boundary = "XBOUNDARYX";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"side\"\r\n\r\nfront\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"id.jpg\"\r\n\
         Content-Type: image/jpeg\r\n\r\n"
    );
    let mut first = head.into_bytes();
    first.extend_from_slice(&photo()[..2000]);
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![
        Ok(first),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "cut",
        )),
    ];
    let result = b
        .client
        .post(format!("{}/application/documents", b.base))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("content-length", "200000")
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await;
    if let Ok(response) = result {
        assert!(response.status().is_client_error(), "{}", response.status());
    }
}

async fn one_customer_never_reaches_another(backend: Backend) {
    let app = app(backend).await;
    let a = app.register(&email("owner")).await;
    enter_account(&a).await;
    upload(&a, "front", "front.jpg", photo()).await;
    let a_id = reviewed_id(&a).await;
    let a_doc = first_document_id(&a).await;
    let (own_status, headers, _) = a
        .get_bytes(&format!("/application/documents/{a_doc}"))
        .await;
    assert_eq!(own_status, 200);
    assert_eq!(headers.get("cache-control").unwrap(), "no-store, private");

    let other = app.register(&email("other")).await;
    let (status, _, _) = other
        .get_bytes(&format!("/application/documents/{a_doc}"))
        .await;
    assert_eq!(status, 404, "another customer's document is not found");
    let (status, _, _) = other
        .get_bytes(&format!("/application/documents/{}", uuid::Uuid::new_v4()))
        .await;
    assert_eq!(status, 404, "an unknown one looks the same");
    enter_account(&other).await;
    upload(&other, "front", "front.jpg", photo()).await;
    let page = submit(&other, &a_id).await;
    assert_eq!(page.status, 404, "submitting someone else's application");
    assert_eq!(
        audited(&app, "application.access").await,
        1,
        "the attempt is audited"
    );
    let owner_view = a.get("/application").await;
    assert!(
        owner_view.body.contains("data-status=\"draft\""),
        "the owner's draft is untouched"
    );

    let id = reviewed_id(&a).await;
    assert_eq!(
        submit(&a, &id).await.location.as_deref(),
        Some("/application?notice=application-submitted")
    );
    let after = enter_account(&a).await;
    assert_eq!(
        after.status, 409,
        "a submitted application cannot be changed"
    );
    let late = upload(&a, "back", "back.jpg", photo()).await;
    assert_eq!(late.location.as_deref(), Some("/application"));
    assert_eq!(
        count_of(
            &app,
            &format!(
                "SELECT COUNT(*) AS n FROM application_documents WHERE application_id = '{id}'"
            )
        )
        .await,
        1
    );

    let racer = app.register(&email("race")).await;
    let (x, y) = tokio::join!(enter_account(&racer), enter_account(&racer));
    assert!(x.status == 303 && y.status == 303 || [x.status, y.status].contains(&409));
    let mut tx = app.state.db.write().await.unwrap();
    let second = sqlx::query(
        "INSERT INTO applications (id, customer_id, status, created_at, updated_at) \
         SELECT $1, customer_id, 'draft', 0, 0 FROM applications WHERE id = $2",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(&a_id)
    .execute(&mut *tx)
    .await;
    assert!(
        second.is_err(),
        "the database refuses a second open application"
    );
    drop(tx);
    assert_eq!(
        application_count(&app).await,
        3,
        "one application per customer"
    );
    app.stop().await;
}

async fn documents_are_encrypted_at_rest(backend: Backend) {
    let app = app(backend).await;
    let b = app.register(&email("at-rest")).await;
    enter_account(&b).await;
    upload(
        &b,
        "front",
        "front.png",
        encode_png(&patterned_image(200, 120)),
    )
    .await;
    upload(&b, "back", "back.jpg", photo()).await;
    let objects = stored_objects(&app);
    assert_eq!(objects.len(), 2);
    let page = b.get("/application/documents").await;
    let mut clean_images = Vec::new();
    for id in page.body.split("src=\"/application/documents/").skip(1) {
        let id = id.split('"').next().unwrap();
        clean_images.push(b.get_bytes(&format!("/application/documents/{id}")).await.2);
    }
    assert_eq!(clean_images.len(), 2);
    for object in &objects {
        // Whole signatures, not three bytes: random ciphertext holds any given three bytes
        // about once per 16 MB, which made a shorter check fail now and then.
        assert!(
            !contains(object, b"\x89PNG\r\n\x1a\n"),
            "PNG signature at rest"
        );
        for image in &clean_images {
            assert!(!contains(object, &image[..12]), "image header at rest");
        }
        for image in &clean_images {
            for window in image.chunks(24).skip(4).take(20) {
                assert!(!contains(object, window), "image bytes at rest");
            }
        }
    }
    app.stop().await;
}

async fn rejection_shows_the_reason_and_allows_a_new_application(backend: Backend) {
    let app = app(backend).await;
    let (b, id, address) = submitted(&app, "reject").await;
    let decision = Decision::Reject {
        reason: RejectionReason::DocumentUnreadable,
        note: "表面の文字が<b>ぼやけて</b>おりました。".into(),
    };
    decide(&app, &id, &decision).await.unwrap();
    let mail =
        testkit::mail::wait_for_subject(&app.mail_dir(), &address, "お申し込みについて").await;
    assert!(
        mail.text
            .contains(&RejectionReason::DocumentUnreadable.label(Locale::Ja))
    );
    assert!(
        !mail.text.contains("ぼやけて"),
        "the free-text note stays on the site"
    );
    let page = b.get("/application").await;
    assert!(page.body.contains("data-status=\"rejected\""));
    assert!(
        page.body.contains("&lt;b&gt;ぼやけて&lt;/b&gt;") || page.body.contains("&#60;b&#62;"),
        "note escaped: {}",
        page.body
    );
    let again = enter_account_as(&b, &bank_holder("0123456").await).await;
    assert_eq!(
        again.location.as_deref(),
        Some("/application/documents?notice=account-saved")
    );
    assert_eq!(application_count(&app).await, 2);
    let page = b.get("/application").await;
    assert!(
        page.body.contains("data-status=\"draft\"") && page.body.contains("これまでのお申し込み")
    );
    app.stop().await;
}

/// The S3 path against a real S3-protocol server: the bucket holds only ciphertext, and the
/// customer still sees their image.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_go_to_an_s3_bucket_encrypted() {
    use futures::TryStreamExt;
    use object_store::ObjectStore;
    let s3 = testkit::s3::S3Server::start();
    s3.create_bucket("identity-documents");
    let endpoint = s3.endpoint();
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.documents.store = platform::config::DocumentStoreKind::S3;
        c.documents.s3_bucket = Some("identity-documents".into());
        c.documents.s3_endpoint = Some(endpoint.parse().unwrap());
        c.documents.s3_prefix = Some("documents".into());
        c.documents.s3_access_key_id = Some("testing".into());
        c.documents.s3_secret_access_key =
            Some(platform::config::SecretString::new("testing".into()));
    })
    .await;
    let b = app.register(&email("s3")).await;
    enter_account(&b).await;
    let page = upload(
        &b,
        "front",
        "front.png",
        encode_png(&patterned_image(200, 120)),
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let id = first_document_id(&b).await;
    let (status, _, clean) = b.get_bytes(&format!("/application/documents/{id}")).await;
    assert_eq!(status, 200);
    assert!(
        clean.starts_with(&[0x89, b'P', b'N', b'G']),
        "the customer sees the image"
    );

    let bucket = s3.bucket("identity-documents");
    let listed: Vec<_> = bucket.list(None).try_collect().await.unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert!(listed[0].location.as_ref().starts_with("documents/"));
    let object = bucket
        .get(&listed[0].location)
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(
        !contains(&object, &[0x89, b'P', b'N', b'G']),
        "PNG magic in the bucket"
    );
    for window in clean.chunks(24).skip(4).take(20) {
        assert!(!contains(&object, window), "image bytes in the bucket");
    }
    assert_eq!(document_count(&app).await, 1);
    app.stop().await;
}

/// With the mail server down, the submission still succeeds; when it returns, the customer's
/// receipt and the operators' notice each arrive exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn application_mails_wait_for_the_mail_server_and_arrive_once() {
    let mut capture = testkit::smtp::SmtpCapture::start();
    let port = capture.port;
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.applications.operator_addresses = vec![OPERATORS.into()];
        c.mail.smtp_url = Some(platform::config::SecretUrl::new(
            format!("smtp://127.0.0.1:{port}").parse().unwrap(),
        ));
    })
    .await;
    let address = email("smtp-down");
    let b = app.browser();
    assert_eq!(b.sign_up(&address, support::PASSWORD).await.status, 303);
    let link = testkit::mail::wait_for_link(&capture.inbox(), &address, "/verify/").await;
    let path = link.strip_prefix(&app.base).unwrap().to_owned();
    b.submit(&path, &path, &[]).await;
    assert_eq!(b.login(&address, support::PASSWORD).await.status, 303);
    capture.stop();

    enter_account(&b).await;
    upload(&b, "front", "front.jpg", photo()).await;
    let id = reviewed_id(&b).await;
    let page = submit(&b, &id).await;
    assert_eq!(
        page.location.as_deref(),
        Some("/application?notice=application-submitted"),
        "the customer sees no failure"
    );
    let pending = "SELECT COUNT(*) AS n FROM mail_outbox WHERE kind LIKE 'application-%' AND status = 'pending' AND attempts > 0";
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while count_of(&app, pending).await < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the worker tries both mails"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    let back = testkit::smtp::SmtpCapture::start_on(port);
    for _ in 0..3 {
        let mut tx = app.state.db.write().await.unwrap();
        sqlx::query("UPDATE mail_outbox SET next_attempt_at = 0 WHERE status = 'pending'")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        app.outbox.deliver_due().await.unwrap();
    }
    testkit::mail::wait_for_subject(&back.inbox(), &address, "お申し込みを受け付けました").await;
    testkit::mail::wait_for_subject(&back.inbox(), OPERATORS, "新しいお申し込み").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        testkit::mail::to(&back.inbox(), &address).len(),
        1,
        "one receipt"
    );
    assert_eq!(
        testkit::mail::to(&back.inbox(), OPERATORS).len(),
        1,
        "one notice"
    );
    assert_eq!(
        count_of(&app, "SELECT COUNT(*) AS n FROM mail_outbox WHERE kind LIKE 'application-%' AND status = 'sent'").await,
        2
    );
    app.stop().await;
}

async fn an_approval_over_a_differing_holder_needs_a_reason_and_two_operators(backend: Backend) {
    let app = app(backend).await;
    let (b, id, _) = submitted_mismatching(&app, "override-domain").await;
    let bare = decide(
        &app,
        &id,
        &Decision::Approve {
            reason: String::new(),
        },
    )
    .await;
    match bare {
        Err(applications::ApplicationError::Invalid(errors)) => {
            assert_eq!(errors.get("override_reason"), Some(FieldError::Required));
        }
        other => panic!("approved without a reason: {other:?}"),
    }
    let long = Decision::Approve {
        reason: "あ".repeat(applications::MAX_OVERRIDE_REASON_CHARS + 1),
    };
    assert!(matches!(
        decide(&app, &id, &long).await,
        Err(applications::ApplicationError::Invalid(_))
    ));
    let with_reason = Decision::Approve {
        reason: "旧姓の口座であることを書類で確認しました。".into(),
    };
    // Each call is made by a new operator: the first proposes, the second confirms.
    assert_eq!(
        decide(&app, &id, &with_reason).await.unwrap(),
        applications::Outcome::AwaitingSecondApproval,
        "one operator never decides an override, even with maker-checker off"
    );
    assert_eq!(audited(&app, "application.override_proposed").await, 1);
    assert!(
        !b.get("/accounts")
            .await
            .body
            .contains("id=\"transactions\"")
    );
    assert_eq!(
        decide(
            &app,
            &id,
            &Decision::Approve {
                reason: String::new()
            }
        )
        .await
        .unwrap(),
        applications::Outcome::Decided(applications::Status::Approved)
    );
    assert!(
        b.get("/accounts")
            .await
            .body
            .contains("id=\"transactions\"")
    );
    app.stop().await;
}

async fn an_account_sent_back_is_corrected_and_sent_again(backend: Backend) {
    let app = app(backend).await;
    let (b, id, _) = submitted(&app, "account-back").await;
    let meta = RequestMeta::default();
    let staff = app
        .state
        .identity
        .create_staff(
            NewStaff {
                username: Username::parse("account.back").unwrap(),
                display_name: "差戻 担当".into(),
                roles: StaffRoles::parse("operator").unwrap(),
            },
            &meta,
        )
        .await
        .unwrap()
        .0;
    let id_parsed = id.parse().unwrap();
    let empty = app
        .state
        .applications
        .send_back(
            id_parsed,
            applications::ReturnedItem::Account,
            "  ",
            staff,
            &meta,
        )
        .await;
    assert!(matches!(
        empty,
        Err(applications::ApplicationError::Invalid(_))
    ));
    app.state
        .applications
        .send_back(
            id_parsed,
            applications::ReturnedItem::Account,
            "口座番号をご確認ください。",
            staff,
            &meta,
        )
        .await
        .unwrap();
    let page = b.get("/application").await;
    assert!(page.body.contains("data-item=\"account\""), "{}", page.body);
    assert!(page.body.contains("href=\"/application/account\""));
    assert_eq!(
        b.get("/application/account").await.status,
        200,
        "the account form opens again"
    );
    let corrected = enter_account_as(&b, &bank_holder("0123456").await).await;
    assert_eq!(corrected.status, 303, "{}", corrected.body);
    let sent = submit(&b, &id).await;
    assert_eq!(
        sent.location.as_deref(),
        Some("/application?notice=application-submitted"),
        "{}",
        sent.body
    );
    assert_eq!(audited(&app, "application.resubmitted").await, 1);
    assert_eq!(
        application_count(&app).await,
        1,
        "the same application, not a new one"
    );
    app.stop().await;
}

on_both_backends!(
    apply_submit_approve_and_see_the_account,
    bad_account_fields_are_refused_and_nothing_is_stored,
    refused_uploads_store_nothing,
    one_customer_never_reaches_another,
    documents_are_encrypted_at_rest,
    rejection_shows_the_reason_and_allows_a_new_application,
    an_approval_over_a_differing_holder_needs_a_reason_and_two_operators,
    an_account_sent_back_is_corrected_and_sent_again,
);
