//! The back office's application review over HTTP on the staff listener: the queue with its
//! badge, assignment on opening, the review page and the decrypting document endpoint (each view
//! audited and shown to the customer by role), decisions with mails and the premium entitlement,
//! maker-checker, the comparison with the core banking system and the approvals that override
//! it (a written reason and always a second operator), and every refusal: customers, staff
//! without the role or the second factor, unknown and foreign IDs.

use crate::support;

use identity::staff::{NewStaff, StaffRoles, Username};
use platform::audit::{self, RequestMeta, Verdict};
use support::applying::{bank_holder, submitted, submitted_mismatching};
use support::{Backend, Browser, TestApp, audited, count_of, staff_browser};

const OPERATORS: &str = "backoffice@bank.example.jp";

async fn app(backend: Backend, maker_checker: bool) -> TestApp {
    TestApp::spawn_with(backend, |c| {
        c.applications.operator_addresses = vec![OPERATORS.into()];
        c.applications.maker_checker = maker_checker;
    })
    .await
}

async fn status_of(app: &TestApp, id: &str) -> String {
    let mut tx = app.state.db.read().await.unwrap();
    let row = sqlx::query("SELECT status FROM applications WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    platform::db::col(&row, "status").unwrap()
}

async fn premium_rows(app: &TestApp) -> i64 {
    count_of(app, "SELECT COUNT(*) AS n FROM entitlements").await
}

async fn access_rows(app: &TestApp, subject: &str) -> i64 {
    let mut tx = app.state.db.read().await.unwrap();
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM staff_access WHERE subject = $1 AND staff_role = 'operator'",
    )
    .bind(subject)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    platform::db::col(&row, "n").unwrap()
}

async fn denied(app: &TestApp, action: &str) -> i64 {
    let mut tx = app.state.db.read().await.unwrap();
    let row =
        sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = $1 AND outcome = 'denied'")
            .bind(action)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
    platform::db::col(&row, "n").unwrap()
}

/// The image URL of the first document on a review page.
fn image_path(review: &str) -> String {
    review
        .split("<img src=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned()
}

/// An approval with "I compared …" ticked.
const APPROVE: &[(&str, &str)] = &[("decision", "approve"), ("compared", "yes")];

async fn decide(staff: &Browser, id: &str, fields: &[(&str, &str)]) -> support::Page {
    let page = format!("/staff/applications/{id}");
    staff
        .submit(&page, &format!("{page}/decision"), fields)
        .await
}

async fn operator_reviews_the_documents_and_approves(backend: Backend) {
    let app = app(backend, false).await;
    let (customer, id, address) = submitted(&app, "review").await;
    let number = applications::reception_number(id.parse().unwrap());

    let refused = customer
        .client
        .get(format!("http://{}/staff/applications", app.staff_addr))
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.status(),
        303,
        "a customer session means nothing here"
    );
    assert_eq!(refused.headers()["location"], "/staff/login");

    let (staff, staff_id) = staff_browser(&app, "review.one", "operator").await;
    let queue = staff.get("/staff/applications").await;
    assert_eq!(queue.status, 200);
    assert!(queue.body.contains(&number), "{}", queue.body);
    assert!(queue.body.contains("新着 1 件"), "badge counts the new one");
    assert!(queue.body.contains("class=\"new\""));

    let opened = staff
        .submit(
            "/staff/applications",
            &format!("/staff/applications/{id}/open"),
            &[],
        )
        .await;
    assert_eq!(
        opened.location.as_deref(),
        Some(format!("/staff/applications/{id}").as_str())
    );
    assert_eq!(status_of(&app, &id).await, "under_review");
    assert_eq!(audited(&app, "application.review_started").await, 1);
    let assigned = count_of(
        &app,
        &format!("SELECT COUNT(*) AS n FROM applications WHERE assigned_to = '{staff_id}'"),
    )
    .await;
    assert_eq!(assigned, 1, "assigned to the operator who opened it");
    assert!(
        !staff
            .get("/staff/applications")
            .await
            .body
            .contains("新着 1 件"),
        "no longer new once opened"
    );

    let review = staff.get(&format!("/staff/applications/{id}")).await;
    assert_eq!(review.status, 200);
    // The customer's reading is the holder the sandbox core banking system gives the account.
    let holder = bank_holder("0123456").await;
    for shown in [
        "試験 花子",
        holder.as_str(),
        "0123456",
        "data-check=\"confirmed\"",
        "data-field=\"name-kana\" data-verdict=\"match\"",
        "data-field=\"holder\" data-verdict=\"match\"",
        "data-field=\"birth-date\" data-verdict=\"unknown\"",
        "id=\"compare-clean\"",
    ] {
        assert!(review.body.contains(shown), "review shows {shown}");
    }
    assert!(
        !review.body.contains("id=\"f-override_reason\""),
        "no reason asked when everything matches"
    );
    assert!(
        review.body.contains("review.one"),
        "overlay names the viewer"
    );
    assert_eq!(audited(&app, "application.viewed").await, 1);
    assert_eq!(access_rows(&app, "application").await, 1);

    let image = image_path(&review.body);
    let (status, headers, bytes) = staff.get_bytes(&image).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(&bytes[..2], &[0xFF, 0xD8], "the decrypted JPEG");
    assert_eq!(audited(&app, "document.viewed").await, 1);
    assert_eq!(access_rows(&app, "document_front").await, 1);

    let unconfirmed = decide(&staff, &id, &[("decision", "approve")]).await;
    assert_eq!(unconfirmed.status, 422, "the comparison must be confirmed");
    assert!(unconfirmed.body.contains("id=\"f-compared-error\""));
    assert_eq!(status_of(&app, &id).await, "under_review");
    let approved = decide(&staff, &id, APPROVE).await;
    assert_eq!(
        approved.location.as_deref(),
        Some(format!("/staff/applications/{id}?notice=approved").as_str())
    );
    assert_eq!(status_of(&app, &id).await, "approved");
    assert_eq!(premium_rows(&app).await, 1);
    assert_eq!(audited(&app, "application.approved").await, 1);
    testkit::mail::wait_for_subject(&app.mail_dir(), &address, "承認しました").await;
    let history = staff.get(&format!("/staff/applications/{id}")).await;
    assert!(history.body.contains("data-event=\"approved\""));
    let again = decide(&staff, &id, APPROVE).await;
    assert_eq!(again.status, 409, "decided once only");
    assert!(again.body.contains("すでに判定済み"));

    let own = customer.get("/application").await;
    assert!(
        own.body.contains("業務担当者"),
        "role shown to the customer"
    );
    assert!(own.body.contains("本人確認書類（表面）"));
    assert!(
        !own.body.contains("review.one"),
        "the operator's name is not shown to the customer"
    );

    let mut tx = app.state.db.read().await.unwrap();
    assert!(matches!(
        audit::verify(&mut tx, |_| {}).await.unwrap(),
        Verdict::Intact { .. }
    ));
    drop(tx);
    app.stop().await;
}

async fn documents_are_refused_to_other_roles_and_foreign_ids(backend: Backend) {
    let app = app(backend, false).await;
    let (_, first, _) = submitted(&app, "first").await;
    let (_, second, _) = submitted(&app, "second").await;
    let (operator, _) = staff_browser(&app, "review.two", "operator").await;
    let first_image = image_path(
        &operator
            .get(&format!("/staff/applications/{first}"))
            .await
            .body,
    );
    let second_image = image_path(
        &operator
            .get(&format!("/staff/applications/{second}"))
            .await
            .body,
    );
    let views_before = audited(&app, "document.viewed").await;
    let access_before = access_rows(&app, "document_front").await;

    let second_doc = second_image.rsplit('/').next().unwrap();
    let unknown = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    for path in [
        format!("/staff/applications/{first}/documents/{second_doc}"),
        format!("/staff/applications/{first}/documents/{unknown}"),
        format!("/staff/applications/{first}/documents/not-an-id"),
        format!("/staff/applications/{unknown}/documents/{second_doc}"),
    ] {
        let (status, headers, _) = operator.get_bytes(&path).await;
        assert_eq!(status, 404, "{path}");
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
    }
    let cross_site = operator
        .client
        .get(format!("{}{first_image}", operator.base))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(
        cross_site.status(),
        404,
        "another site cannot make us fetch it"
    );
    assert_eq!(audited(&app, "document.viewed").await, views_before);
    assert_eq!(access_rows(&app, "document_front").await, access_before);

    let (admin, _) = staff_browser(&app, "ops.only", "admin").await;
    let (status, _, body) = admin.get_bytes(&first_image).await;
    assert_eq!(status, 404, "another role learns nothing");
    let (unknown_status, _, unknown_body) = admin
        .get_bytes(&format!("/staff/applications/{first}/documents/{unknown}"))
        .await;
    assert_eq!(unknown_status, 404);
    let first_doc = first_image.rsplit('/').next().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&body).replace(first_doc, "ID"),
        String::from_utf8_lossy(&unknown_body).replace(unknown, "ID"),
        "same answer whether the document exists or not"
    );
    assert_eq!(denied(&app, "document.viewed").await, 2);
    assert_eq!(admin.get("/staff/applications").await.status, 403);
    assert_eq!(
        admin
            .get(&format!("/staff/applications/{first}"))
            .await
            .status,
        403
    );
    assert_eq!(
        audited(&app, "application.viewed").await,
        2,
        "only the operator's views"
    );

    let customer = app.browser();
    let anonymous = customer
        .client
        .get(format!("http://{}{first_image}", app.staff_addr))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 303);
    app.stop().await;
}

async fn an_operator_without_a_second_factor_can_only_enrol(backend: Backend) {
    let app = app(backend, false).await;
    let (_, id, _) = submitted(&app, "enrol").await;
    let new = NewStaff {
        username: Username::parse("fresh.operator").unwrap(),
        display_name: "新任 担当".into(),
        roles: StaffRoles::parse("operator").unwrap(),
    };
    let (_, password) = app
        .state
        .identity
        .create_staff(new, &RequestMeta::default())
        .await
        .unwrap();
    let staff = Browser::new(&format!("http://{}", app.staff_addr));
    staff
        .submit(
            "/staff/login",
            "/staff/login",
            &[("username", "fresh.operator"), ("password", &password)],
        )
        .await;
    for path in [
        "/staff/applications".to_owned(),
        format!("/staff/applications/{id}"),
        format!("/staff/applications/{id}/documents/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"),
    ] {
        assert_eq!(
            staff.get(&path).await.location.as_deref(),
            Some("/staff/enrol"),
            "{path}"
        );
    }
    let open = staff
        .submit(
            "/staff/enrol",
            &format!("/staff/applications/{id}/open"),
            &[],
        )
        .await;
    assert_eq!(open.location.as_deref(), Some("/staff/enrol"));
    assert_eq!(status_of(&app, &id).await, "submitted", "nothing changed");
    assert_eq!(audited(&app, "application.viewed").await, 0);
    app.stop().await;
}

async fn maker_checker_needs_a_second_operator(backend: Backend) {
    let app = app(backend, true).await;
    let (_, id, address) = submitted(&app, "checker").await;
    let (maker, maker_id) = staff_browser(&app, "maker.op", "operator").await;
    let (checker, checker_id) = staff_browser(&app, "checker.op", "operator").await;

    let proposed = decide(&maker, &id, APPROVE).await;
    assert_eq!(
        proposed.location.as_deref(),
        Some(format!("/staff/applications/{id}?notice=proposed").as_str())
    );
    assert_eq!(status_of(&app, &id).await, "under_review");
    assert_eq!(premium_rows(&app).await, 0);
    let page = maker.get(&format!("/staff/applications/{id}")).await;
    assert!(page.body.contains("id=\"await-second\""));
    assert!(
        !page.body.contains("id=\"approve\""),
        "no button to confirm one's own"
    );

    let own = decide(&maker, &id, APPROVE).await;
    assert_eq!(own.status, 409, "self-approval refused");
    assert!(own.body.contains("ご自身が申請した承認は確定できません"));
    assert_eq!(status_of(&app, &id).await, "under_review");
    assert_eq!(premium_rows(&app).await, 0);
    assert_eq!(audited(&app, "application.approved").await, 0);
    let queue = checker
        .get("/staff/applications?view=awaiting-second")
        .await;
    assert!(queue.body.contains("第二承認待ち"));
    assert!(
        queue
            .body
            .contains(&applications::reception_number(id.parse().unwrap()))
    );

    let confirmed = decide(&checker, &id, APPROVE).await;
    assert_eq!(
        confirmed.location.as_deref(),
        Some(format!("/staff/applications/{id}?notice=approved").as_str())
    );
    assert_eq!(status_of(&app, &id).await, "approved");
    assert_eq!(premium_rows(&app).await, 1);
    let decided_by = count_of(
        &app,
        &format!("SELECT COUNT(*) AS n FROM applications WHERE decided_by = '{checker_id}' AND approval_proposed_by = '{maker_id}'"),
    )
    .await;
    assert_eq!(decided_by, 1, "maker and checker both on record");
    assert_eq!(audited(&app, "application.approval_proposed").await, 1);
    testkit::mail::wait_for_subject(&app.mail_dir(), &address, "承認しました").await;
    app.stop().await;
}

async fn rejection_needs_a_reason_and_bad_input_changes_nothing(backend: Backend) {
    let app = app(backend, false).await;
    let (customer, id, address) = submitted(&app, "reject").await;
    let (staff, _) = staff_browser(&app, "review.three", "operator").await;

    let no_reason = decide(&staff, &id, &[("decision", "reject"), ("reason", "")]).await;
    assert_eq!(no_reason.status, 422);
    assert!(no_reason.body.contains("aria-invalid=\"true\""));
    let unknown = decide(&staff, &id, &[("decision", "reject"), ("reason", "bored")]).await;
    assert_eq!(unknown.status, 422);
    let long_note = "あ".repeat(501);
    let too_long = decide(
        &staff,
        &id,
        &[
            ("decision", "reject"),
            ("reason", "document_unreadable"),
            ("note", &long_note),
        ],
    )
    .await;
    assert_eq!(too_long.status, 422);
    assert!(too_long.body.contains(&long_note), "the typed note is kept");
    let odd = decide(&staff, &id, &[("decision", "maybe")]).await;
    assert_eq!(odd.status, 400);
    let missing_token = staff
        .client
        .post(format!("{}/staff/applications/{id}/decision", staff.base))
        .form(&[("decision", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(missing_token.status(), 403, "form token required");
    assert_eq!(status_of(&app, &id).await, "submitted");
    assert_eq!(audited(&app, "application.rejected").await, 0);

    let rejected = decide(
        &staff,
        &id,
        &[
            ("decision", "reject"),
            ("reason", "document_unreadable"),
            ("note", "<b>裏面</b>も撮影してください"),
        ],
    )
    .await;
    assert_eq!(rejected.status, 303, "{}", rejected.body);
    assert_eq!(status_of(&app, &id).await, "rejected");
    testkit::mail::wait_for_subject(&app.mail_dir(), &address, "お申し込みについて").await;
    let own = customer.get("/application").await;
    assert!(
        own.body.contains("&#60;b&#62;裏面") && !own.body.contains("<b>裏面"),
        "note escaped"
    );
    let page = staff.get(&format!("/staff/applications/{id}")).await;
    assert!(
        !page.body.contains("id=\"approve\""),
        "no decision forms once decided"
    );
    app.stop().await;
}

async fn queue_filters_by_state_and_age(backend: Backend) {
    let app = app(backend, false).await;
    let (_, id, _) = submitted(&app, "queue").await;
    let number = applications::reception_number(id.parse().unwrap());
    let (staff, _) = staff_browser(&app, "review.four", "operator").await;
    assert!(
        staff
            .get("/staff/applications?view=new")
            .await
            .body
            .contains(&number)
    );
    assert!(
        !staff
            .get("/staff/applications?view=approved")
            .await
            .body
            .contains(&number)
    );
    assert!(
        !staff
            .get("/staff/applications?age=7")
            .await
            .body
            .contains(&number),
        "submitted today: not a week old"
    );
    let bad = staff.get("/staff/applications?view=everything&age=2").await;
    assert_eq!(bad.status, 200);
    assert!(bad.body.contains("絞り込みの条件が正しくない"));
    assert!(bad.body.contains(&number), "falls back to the open ones");
    app.stop().await;
}

async fn events_of(app: &TestApp, id: &str, kind: &str) -> i64 {
    count_of(
        app,
        &format!(
            "SELECT COUNT(*) AS n FROM application_events WHERE application_id = '{id}' AND kind = '{kind}'"
        ),
    )
    .await
}

async fn comparison_shows_the_banks_holder_and_flags_each_row(backend: Backend) {
    let app = app(backend, false).await;
    let (_, id, _) = submitted_mismatching(&app, "compare").await;
    let (staff, _) = staff_browser(&app, "compare.op", "operator").await;
    let review = staff.get(&format!("/staff/applications/{id}")).await;
    assert_eq!(review.status, 200);
    let number = review
        .body
        .split("<dd id=\"customer-number\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap();
    assert!(
        platform::ids::CustomerNumber::parse(number).is_ok(),
        "the customer number, not the UUID: {number}"
    );
    let holder = bank_holder("0123456").await;
    assert_ne!(holder, "シケン ハナコ");
    let comparison = review
        .body
        .split("id=\"comparison\"")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .unwrap();
    for shown in [
        "data-override=\"yes\"".to_owned(),
        // What the customer entered and what the bank holds, side by side.
        "シケン ハナコ".to_owned(),
        holder.clone(),
        // Both folded the same way (full-width katakana, no spaces).
        "シケンハナコ".to_owned(),
        holder.replace(' ', ""),
        "data-field=\"name-kana\" data-verdict=\"mismatch\"".to_owned(),
        "data-field=\"holder\" data-verdict=\"mismatch\"".to_owned(),
        "data-field=\"account-type\" data-verdict=\"match\"".to_owned(),
        "data-field=\"name-kanji\" data-verdict=\"unknown\"".to_owned(),
        // Icon and word, not colour alone.
        "<span class=\"verdict-icon\" aria-hidden=\"true\">✕</span> <strong>不一致</strong>"
            .to_owned(),
        "<span class=\"verdict-icon\" aria-hidden=\"true\">✓</span> <strong>一致</strong>"
            .to_owned(),
        "照合できません".to_owned(),
        "id=\"compare-override\"".to_owned(),
    ] {
        assert!(
            comparison.contains(&shown),
            "comparison shows {shown}: {comparison}"
        );
    }
    assert!(review.body.contains("data-check=\"holder-differs\""));
    assert!(review.body.contains("id=\"f-override_reason\""));
    assert!(review.body.contains("理由を添えて承認を申請する"));
    let reject = review.body.find("id=\"reject\"").unwrap();
    let approve = review.body.find("id=\"approve\"").unwrap();
    assert!(
        reject < approve && review.body.contains("class=\"card decision-approve\""),
        "approval in its own card after (right of) the rejection"
    );
    app.stop().await;
}

async fn a_mismatching_account_needs_a_reason_and_a_second_operator(backend: Backend) {
    // Maker-checker is off, as in the demo: one approval would decide, but not this one.
    let app = app(backend, false).await;
    let (customer, id, address) = submitted_mismatching(&app, "override").await;
    let (first, first_id) = staff_browser(&app, "override.one", "operator").await;
    let (second, second_id) = staff_browser(&app, "override.two", "operator").await;
    let page = first.get(&format!("/staff/applications/{id}")).await;
    assert!(page.body.contains("id=\"single-approver\""));

    let no_reason = decide(&first, &id, APPROVE).await;
    assert_eq!(no_reason.status, 422, "a reason is required");
    assert!(no_reason.body.contains("id=\"f-override_reason-error\""));
    assert!(no_reason.body.contains("aria-invalid=\"true\""));
    let blank = decide(
        &first,
        &id,
        &[APPROVE, &[("override_reason", " \u{3000}\n ")]].concat(),
    )
    .await;
    assert_eq!(blank.status, 422, "spaces are not a reason");
    let long = "確".repeat(applications::MAX_OVERRIDE_REASON_CHARS + 1);
    let too_long = decide(
        &first,
        &id,
        &[APPROVE, &[("override_reason", &long)]].concat(),
    )
    .await;
    assert_eq!(too_long.status, 422);
    assert!(too_long.body.contains(&long), "the typed reason is kept");
    let unticked = decide(
        &first,
        &id,
        &[
            ("decision", "approve"),
            ("override_reason", "旧姓の口座です"),
        ],
    )
    .await;
    assert_eq!(unticked.status, 422, "the comparison must be confirmed");
    assert_eq!(status_of(&app, &id).await, "submitted");
    assert_eq!(audited(&app, "application.override_proposed").await, 0);
    assert_eq!(events_of(&app, &id, "override_proposed").await, 0);

    let reason = "旧姓のままの口座です。運転免許証の旧姓併記で本人と確認しました。";
    let proposed = decide(
        &first,
        &id,
        &[APPROVE, &[("override_reason", reason)]].concat(),
    )
    .await;
    assert_eq!(
        proposed.location.as_deref(),
        Some(format!("/staff/applications/{id}?notice=proposed").as_str()),
        "{}",
        proposed.body
    );
    assert_eq!(status_of(&app, &id).await, "under_review");
    assert_eq!(
        premium_rows(&app).await,
        0,
        "nothing granted by one operator"
    );
    assert_eq!(audited(&app, "application.override_proposed").await, 1);
    assert_eq!(audited(&app, "application.approved").await, 0);
    let sealed = count_of(
        &app,
        &format!("SELECT COUNT(*) AS n FROM application_events WHERE application_id = '{id}' AND kind = 'override_proposed' AND staff_id = '{first_id}' AND reason_enc IS NOT NULL"),
    )
    .await;
    assert_eq!(sealed, 1, "the reason is stored, sealed");
    let own = first.get(&format!("/staff/applications/{id}")).await;
    assert!(own.body.contains("id=\"await-second\""));
    assert!(!own.body.contains("id=\"approve\""));
    let again = decide(
        &first,
        &id,
        &[APPROVE, &[("override_reason", reason)]].concat(),
    )
    .await;
    assert_eq!(again.status, 409, "the proposer cannot confirm");
    assert!(again.body.contains("ご自身が申請した承認は確定できません"));
    assert!(
        !customer
            .get("/accounts")
            .await
            .body
            .contains("id=\"transactions\""),
        "no account before the second operator"
    );

    let checker = second.get(&format!("/staff/applications/{id}")).await;
    assert!(checker.body.contains("id=\"pending-override-reason\""));
    assert!(
        checker.body.contains(reason),
        "the checker reads the reason"
    );
    assert!(checker.body.contains("data-event=\"override_proposed\""));
    assert!(checker.body.contains("承認を確定する"));
    let unticked = decide(&second, &id, &[("decision", "approve")]).await;
    assert_eq!(unticked.status, 422);
    let confirmed = decide(&second, &id, APPROVE).await;
    assert_eq!(
        confirmed.location.as_deref(),
        Some(format!("/staff/applications/{id}?notice=approved").as_str()),
        "{}",
        confirmed.body
    );
    assert_eq!(status_of(&app, &id).await, "approved");
    assert_eq!(premium_rows(&app).await, 1);
    let both = count_of(
        &app,
        &format!("SELECT COUNT(*) AS n FROM applications WHERE decided_by = '{second_id}' AND approval_proposed_by = '{first_id}'"),
    )
    .await;
    assert_eq!(both, 1, "proposer and confirmer both on record");
    assert_eq!(events_of(&app, &id, "approved").await, 1);
    testkit::mail::wait_for_subject(&app.mail_dir(), &address, "承認しました").await;
    let accounts = customer.get("/accounts").await;
    assert!(
        accounts.body.contains("id=\"transactions\""),
        "{}",
        accounts.body
    );
    let history = second.get(&format!("/staff/applications/{id}")).await;
    let timeline = history.body.split("id=\"timeline\"").nth(1).unwrap();
    let order: Vec<usize> = [
        "data-event=\"submitted\"",
        "data-event=\"override_proposed\"",
        "data-event=\"approved\"",
    ]
    .iter()
    .map(|e| timeline.find(e).unwrap())
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "in order: {order:?}");
    assert!(timeline.contains(reason), "the reason stays in the history");

    let mut tx = app.state.db.read().await.unwrap();
    assert!(matches!(
        audit::verify(&mut tx, |_| {}).await.unwrap(),
        Verdict::Intact { .. }
    ));
    drop(tx);
    app.stop().await;
}

async fn overrides_are_refused_once_decided_and_to_customers(backend: Backend) {
    let app = app(backend, false).await;
    let (customer, id, _) = submitted_mismatching(&app, "override-late").await;
    let (staff, _) = staff_browser(&app, "override.late", "operator").await;
    let from_customer = customer
        .client
        .post(format!(
            "http://{}/staff/applications/{id}/decision",
            app.staff_addr
        ))
        .form(&[
            ("decision", "approve"),
            ("compared", "yes"),
            ("override_reason", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        matches!(from_customer.status().as_u16(), 303 | 403),
        "a customer session decides nothing: {}",
        from_customer.status()
    );
    assert_eq!(status_of(&app, &id).await, "submitted");
    let rejected = decide(
        &staff,
        &id,
        &[("decision", "reject"), ("reason", "account_not_confirmed")],
    )
    .await;
    assert_eq!(rejected.status, 303);
    let late = decide(
        &staff,
        &id,
        &[APPROVE, &[("override_reason", "確認しました")]].concat(),
    )
    .await;
    assert_eq!(late.status, 409, "decided once only");
    let late = decide(&staff, &id, APPROVE).await;
    assert_eq!(late.status, 409, "no reason asked of a decided application");
    assert_eq!(status_of(&app, &id).await, "rejected");
    assert_eq!(audited(&app, "application.override_proposed").await, 0);
    assert_eq!(events_of(&app, &id, "rejected").await, 1);
    app.stop().await;
}

async fn send_back(staff: &Browser, id: &str, fields: &[(&str, &str)]) -> support::Page {
    let page = format!("/staff/applications/{id}");
    staff.submit(&page, &format!("{page}/return"), fields).await
}

async fn a_document_sent_back_is_corrected_and_the_history_kept(backend: Backend) {
    let app = app(backend, false).await;
    let (customer, id, address) = submitted(&app, "sendback").await;
    let (staff, _) = staff_browser(&app, "sendback.op", "operator").await;
    let first = staff.get(&format!("/staff/applications/{id}")).await;
    let old_image = image_path(&first.body);

    for (fields, what) in [
        (
            vec![("item", "front"), ("return_reason", "")],
            "a reason is required",
        ),
        (
            vec![("item", "front"), ("return_reason", " \u{3000} ")],
            "spaces are no reason",
        ),
        (
            vec![("item", ""), ("return_reason", "撮り直してください")],
            "an item is required",
        ),
        (
            vec![
                ("item", "elsewhere"),
                ("return_reason", "撮り直してください"),
            ],
            "a known item",
        ),
    ] {
        let refused = send_back(&staff, &id, &fields).await;
        assert_eq!(refused.status, 422, "{what}");
        assert!(refused.body.contains("aria-invalid=\"true\""), "{what}");
    }
    let long = "撮".repeat(applications::MAX_RETURN_REASON_CHARS + 1);
    let too_long = send_back(&staff, &id, &[("item", "front"), ("return_reason", &long)]).await;
    assert_eq!(too_long.status, 422);
    assert!(too_long.body.contains(&long), "the typed reason is kept");
    assert_eq!(status_of(&app, &id).await, "submitted");
    assert_eq!(audited(&app, "application.returned").await, 0);

    let reason =
        "表面の文字が光って読めません。明るい場所で、光が反射しないように撮り直してください。";
    let returned = send_back(&staff, &id, &[("item", "front"), ("return_reason", reason)]).await;
    assert_eq!(
        returned.location.as_deref(),
        Some(format!("/staff/applications/{id}?notice=returned").as_str()),
        "{}",
        returned.body
    );
    assert_eq!(status_of(&app, &id).await, "returned");
    assert_eq!(audited(&app, "application.returned").await, 1);
    assert_eq!(events_of(&app, &id, "returned").await, 1);
    let mail = testkit::mail::wait_for_subject(&app.mail_dir(), &address, "ご確認のお願い").await;
    assert!(mail.text.contains("本人確認書類（表面）"), "{}", mail.text);
    assert!(
        !mail.text.contains("光って"),
        "the reason stays on the site"
    );

    let own = customer.get("/application").await;
    let waiting = staff.get(&format!("/staff/applications/{id}")).await;
    assert!(
        !waiting.body.contains("id=\"approve\"") && !waiting.body.contains("id=\"send-back\""),
        "no decision while the customer corrects it"
    );
    let approve_now = decide(&staff, &id, APPROVE).await;
    assert_eq!(
        approve_now.status, 409,
        "nothing to decide while it is returned"
    );
    assert!(
        own.body.contains("data-status=\"returned\""),
        "{}",
        own.body
    );
    assert!(own.body.contains("data-item=\"front\""));
    assert!(own.body.contains(reason), "the customer reads why");
    assert!(own.body.contains("href=\"/application/documents\""));
    let other = app.register(&support::email("sendback-other")).await;
    assert!(!other.get("/application").await.body.contains(reason));
    let submit_from_dashboard = |b: Browser, id: String| async move {
        b.submit(
            "/dashboard",
            "/application/submit",
            &[("application", &id), ("confirm", "yes")],
        )
        .await
    };
    let foreign = submit_from_dashboard(other.clone(), id.clone()).await;
    assert_ne!(foreign.status, 303, "another customer cannot send it");
    let early = submit_from_dashboard(customer.clone(), id.clone()).await;
    assert_ne!(
        early.location.as_deref(),
        Some("/application?notice=application-submitted"),
        "not without a new front image"
    );
    assert_eq!(status_of(&app, &id).await, "returned");

    let documents = customer.get("/application/documents").await;
    assert!(
        documents.body.contains(reason),
        "the upload page repeats why"
    );
    let page =
        support::applying::upload(&customer, "front", "front.jpg", support::applying::photo())
            .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let again = support::applying::submit(&customer, &id).await;
    assert_eq!(
        again.location.as_deref(),
        Some("/application?notice=application-submitted"),
        "{}",
        again.body
    );
    assert_eq!(status_of(&app, &id).await, "submitted");
    assert_eq!(audited(&app, "application.resubmitted").await, 1);

    let review = staff.get(&format!("/staff/applications/{id}")).await;
    let timeline = review.body.split("id=\"timeline\"").nth(1).unwrap();
    let order: Vec<usize> = [
        "data-event=\"submitted\"",
        "data-event=\"returned\"",
        "data-event=\"resubmitted\"",
    ]
    .iter()
    .map(|e| timeline.find(e).unwrap())
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "in order: {order:?}");
    assert!(timeline.contains(reason), "the reason stays in the history");
    assert!(review.body.contains("id=\"h-returned-documents\""));
    assert!(
        review.body.contains(&old_image),
        "the returned image is still shown"
    );
    assert_ne!(
        image_path(&review.body),
        old_image,
        "the new image is the current one"
    );
    let (status, _, bytes) = staff.get_bytes(&old_image).await;
    assert_eq!(status, 200);
    assert_eq!(&bytes[..2], &[0xFF, 0xD8]);

    let approved = decide(&staff, &id, APPROVE).await;
    assert_eq!(approved.status, 303, "{}", approved.body);
    assert_eq!(status_of(&app, &id).await, "approved");
    let late = send_back(&staff, &id, &[("item", "front"), ("return_reason", reason)]).await;
    assert_eq!(late.status, 409, "nothing is sent back once decided");
    assert_eq!(audited(&app, "application.returned").await, 1);
    app.stop().await;
}

on_both_backends!(
    operator_reviews_the_documents_and_approves,
    documents_are_refused_to_other_roles_and_foreign_ids,
    an_operator_without_a_second_factor_can_only_enrol,
    maker_checker_needs_a_second_operator,
    rejection_needs_a_reason_and_bad_input_changes_nothing,
    queue_filters_by_state_and_age,
    comparison_shows_the_banks_holder_and_flags_each_row,
    a_mismatching_account_needs_a_reason_and_a_second_operator,
    overrides_are_refused_once_decided_and_to_customers,
    a_document_sent_back_is_corrected_and_the_history_kept,
);
