//! Maker-checker is on unless configured off; when it is off (as in the demo), every application
//! review page tells the operator that one approval decides, and an approval does decide.

use crate::support;

use platform::config::ApplicationsConfig;
use support::applying::submitted;
use support::{Backend, TestApp, staff_browser};

const NOTICE: &str = "この環境では二者承認を無効にしています。";

async fn review_pages_say_when_one_operator_decides(backend: Backend) {
    for maker_checker in [ApplicationsConfig::default().maker_checker, false] {
        let app = TestApp::spawn_with(backend, |c| {
            c.applications.maker_checker = maker_checker;
        })
        .await;
        let (_, id, _) = submitted(&app, "four-eyes").await;
        let (staff, _) = staff_browser(&app, "four.eyes", "operator").await;
        let review = format!("/staff/applications/{id}");
        let page = staff.get(&review).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert_eq!(
            page.body.contains("id=\"single-approver\""),
            !maker_checker,
            "maker_checker = {maker_checker}"
        );
        assert_eq!(page.body.contains(NOTICE), !maker_checker);
        let decided = staff
            .submit(
                &review,
                &format!("{review}/decision"),
                &[("decision", "approve"), ("compared", "yes")],
            )
            .await;
        let expected = if maker_checker {
            "proposed"
        } else {
            "approved"
        };
        assert_eq!(
            decided.location,
            Some(format!("{review}?notice={expected}")),
            "maker_checker = {maker_checker}"
        );
        let after = staff.get(&review).await;
        assert_eq!(
            after.body.contains(NOTICE),
            !maker_checker,
            "the notice stays on the page after a decision too"
        );
        app.stop().await;
    }
}

on_both_backends!(review_pages_say_when_one_operator_decides);
