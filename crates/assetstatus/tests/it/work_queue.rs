//! The application queue as the operators' work list, over HTTP: "next case" hands out the
//! oldest new application, never the same one twice and never beyond the per-operator cap; "my
//! cases" lists one's own; automatic assignment, when on, gives each submission to the least
//! busy operator below the cap; a colleague's case is taken over only with a reason, which the
//! history keeps; the service-level clock counts business days and marks late cases, which the
//! staff home counts.

use crate::support;

use platform::i18n::Locale;
use support::applying::submitted;
use support::{Backend, TestApp, audited, staff_browser};

/// Moves an application's submission `seconds` into the past.
async fn submitted_earlier(app: &TestApp, id: &str, seconds: i64) {
    let mut tx = app.state.db.write().await.unwrap();
    sqlx::query("UPDATE applications SET submitted_at = submitted_at - $1 WHERE id = $2")
        .bind(seconds)
        .bind(id)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn next_case_hands_out_the_oldest_new_application_up_to_the_cap(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.applications.assignment_cap = 2).await;
    let mut ids = Vec::new();
    for (tag, age) in [("next-1", 300), ("next-2", 200), ("next-3", 100)] {
        let (_, id, _) = submitted(&app, tag).await;
        submitted_earlier(&app, &id, age).await;
        ids.push(id);
    }
    let (mine, _) = staff_browser(&app, "next.operator", "operator").await;
    let (other, _) = staff_browser(&app, "next.other", "operator").await;
    let next = |b: &support::Browser| {
        let b = b.clone();
        async move {
            b.submit("/staff/applications", "/staff/applications/next", &[])
                .await
                .location
                .unwrap_or_default()
        }
    };
    let review = |id: &str| format!("/staff/applications/{id}");
    assert_eq!(next(&mine).await, review(&ids[0]), "the oldest first");
    assert_eq!(next(&other).await, review(&ids[1]), "never the same one");
    assert_eq!(next(&mine).await, review(&ids[2]));
    assert_eq!(
        next(&mine).await,
        "/staff/applications?view=mine&notice=at-cap",
        "two open cases is the cap"
    );
    assert_eq!(
        next(&other).await,
        "/staff/applications?notice=none-waiting"
    );

    let list = mine.get("/staff/applications?view=mine").await;
    assert_eq!(list.status, 200, "{}", list.body);
    for (id, listed) in [(&ids[0], true), (&ids[1], false), (&ids[2], true)] {
        assert_eq!(
            list.body.contains(&format!("data-id=\"{id}\"")),
            listed,
            "{id}"
        );
    }
    let at_cap = mine
        .get("/staff/applications?view=mine&notice=at-cap")
        .await;
    assert!(at_cap.body.contains(&Locale::Ja.t("queue-notice-at-cap")));
    assert_eq!(audited(&app, "application.review_started").await, 3);
    assert!(
        audited(&app, "application.queue_viewed").await >= 2,
        "the queue names customers, so every view of it is audited"
    );
    app.stop().await;
}

async fn the_service_level_clock_marks_late_cases(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, late, _) = submitted(&app, "clock-late").await;
    submitted_earlier(&app, &late, 30 * 86_400).await;
    let (_, fresh, _) = submitted(&app, "clock-fresh").await;
    let (operator, _) = staff_browser(&app, "clock.operator", "operator").await;

    let queue = operator.get("/staff/applications").await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    let row = |id: &str| {
        queue
            .body
            .split(&format!("data-id=\"{id}\""))
            .nth(1)
            .and_then(|rest| rest.split("</tr>").next())
            .unwrap_or_else(|| panic!("{id} is listed"))
            .to_owned()
    };
    assert!(
        queue.body.contains("期限（2営業日）"),
        "the target is named"
    );
    let late_row = row(&late);
    assert!(
        late_row.contains("<span class=\"badge warn\">期限超過（"),
        "{late_row}"
    );
    assert!(
        late_row.contains("試験 花子"),
        "the customer's name: {late_row}"
    );
    let today = platform::time_util::today_jst();
    let before_birthday = (u8::from(today.month()), today.day()) < (4, 1);
    let age = today.year() - 1990 - i32::from(before_birthday);
    assert!(
        late_row.contains(&format!(">{age}歳<")),
        "born 1990-04-01: {late_row}"
    );
    let fresh_row = row(&fresh);
    assert!(
        fresh_row.contains("あと")
            && fresh_row.contains("営業日（")
            && !fresh_row.contains("badge warn"),
        "{fresh_row}"
    );

    let home = operator.get("/staff").await;
    let overdue = home
        .body
        .split(&Locale::Ja.t("staff-home-overdue"))
        .nth(1)
        .and_then(|rest| rest.split("</a>").next())
        .unwrap()
        .to_owned();
    assert!(overdue.contains("1件"), "{overdue}");
    assert!(
        overdue.contains(&Locale::Ja.t("staff-home-attention")),
        "a late case needs attention"
    );
    app.stop().await;
}

/// Who an application is assigned to, straight from the database.
async fn assignee(app: &TestApp, id: &str) -> Option<String> {
    let mut tx = app.state.db.read().await.unwrap();
    let row = sqlx::query("SELECT assigned_to FROM applications WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    platform::db::col::<Option<String>>(&row, "assigned_to").unwrap()
}

async fn a_colleagues_case_is_taken_over_only_with_a_reason(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, id, _) = submitted(&app, "takeover").await;
    let (first, first_id) = staff_browser(&app, "takeover.first", "operator").await;
    let (second, second_id) = staff_browser(&app, "takeover.second", "operator").await;
    let next = first
        .submit("/staff/applications", "/staff/applications/next", &[])
        .await;
    assert_eq!(next.location, Some(format!("/staff/applications/{id}")));

    let queue = second.get("/staff/applications").await;
    assert!(
        !queue
            .body
            .contains(&format!("/staff/applications/{id}/open")),
        "no one-click take-over from the queue"
    );
    let review = format!("/staff/applications/{id}");
    let take = format!("/staff/applications/{id}/take-over");
    for reason in ["", "   ", &"長".repeat(501)] {
        let refused = second
            .submit(&review, &take, &[("takeover_reason", reason)])
            .await;
        assert_eq!(refused.status, 422, "{reason:?}");
        assert!(
            refused.body.contains("f-takeover_reason-error"),
            "{reason:?}"
        );
        assert_eq!(
            assignee(&app, &id).await,
            Some(first_id.clone()),
            "unchanged"
        );
    }
    let taken = second
        .submit(&review, &take, &[("takeover_reason", "担当者の休暇のため")])
        .await;
    assert_eq!(taken.location.as_deref(), Some(review.as_str()));
    assert_eq!(assignee(&app, &id).await, Some(second_id.clone()));
    assert_eq!(audited(&app, "application.reassigned").await, 1);
    let page = second.get(&review).await;
    let timeline = page.body.split("id=\"timeline\"").nth(1).unwrap();
    assert!(timeline.contains("data-event=\"reassigned\""), "{timeline}");
    assert!(timeline.contains("担当者の休暇のため"), "{timeline}");

    let back = first
        .post_with_token(
            &format!("/staff/applications/{id}/open"),
            &first.token(&review).await,
            &[],
        )
        .await;
    assert_ne!(
        back.status, 303,
        "the queue's button takes no colleague's case"
    );
    assert_eq!(assignee(&app, &id).await, Some(second_id));
    app.stop().await;
}

async fn automatic_assignment_goes_to_the_least_busy_operator_up_to_the_cap(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.applications.auto_assign = true;
        c.applications.assignment_cap = 1;
    })
    .await;
    let (a, a_id) = staff_browser(&app, "auto.a", "operator").await;
    let (_, b_id) = staff_browser(&app, "auto.b", "operator").await;
    staff_browser(&app, "auto.admin", "admin").await;
    let mut ids = Vec::new();
    for tag in ["auto-1", "auto-2", "auto-3"] {
        let (_, id, _) = submitted(&app, tag).await;
        ids.push(id);
    }
    assert_eq!(
        assignee(&app, &ids[0]).await,
        Some(a_id),
        "equally idle: by user name"
    );
    assert_eq!(assignee(&app, &ids[1]).await, Some(b_id), "the least busy");
    assert_eq!(
        assignee(&app, &ids[2]).await,
        None,
        "everyone at the cap: it waits"
    );
    assert_eq!(audited(&app, "application.auto_assigned").await, 2);

    let home = a.get("/staff").await;
    let mine = home
        .body
        .split(&Locale::Ja.t("staff-home-mine"))
        .nth(1)
        .and_then(|rest| rest.split("</a>").next())
        .unwrap()
        .to_owned();
    assert!(mine.contains("1件"), "{mine}");
    let queue = a.get("/staff/applications").await;
    assert!(
        queue
            .body
            .contains(&format!("/staff/applications/{}/open", ids[0])),
        "the operator starts their own case from the queue"
    );
    app.stop().await;
}

on_both_backends!(
    next_case_hands_out_the_oldest_new_application_up_to_the_cap,
    the_service_level_clock_marks_late_cases,
    a_colleagues_case_is_taken_over_only_with_a_reason,
    automatic_assignment_goes_to_the_least_busy_operator_up_to_the_cap,
);
