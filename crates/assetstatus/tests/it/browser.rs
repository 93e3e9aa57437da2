//! The customer journey in a real browser, from sign-up to an approved additional-service
//! application: headless Chromium driven by playwright-core
//! (`tests/browser/journey.mjs`) against a server started here, with accessibility checks by
//! axe-core (WCAG 2.1 AA) and a phone-sized viewport. A business operator approves the
//! application in the back office, in a second browser context on the staff listener (password
//! and authenticator code, the second factor enrolled on the first sign-in); afterwards the
//! database must hold the audit entries of each view and of the decision, the premium
//! entitlement and the customer-visible access record, and `assetstatus audit verify` must find
//! the audit trail intact. An administrator then signs in with an authenticator code, sees the
//! operations dashboard with figures from the journey's traffic, follows the alert the journey's
//! wrong password raised to that customer's login in the audit trail, and acknowledges it.

use crate::support;

use std::path::Path;
use std::process::Command;

use support::{Backend, TestApp};

/// The second operator's authenticator secret (base32), set up before the journey starts.
const CHECKER_TOTP: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_journey_in_headless_chromium() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let script = root.join("tests/browser/journey.mjs");
    assert!(
        root.join("tests/browser/node_modules/playwright-core")
            .exists(),
        "run `npm ci` in tests/browser first (./scripts/test does)"
    );
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.ops.sample_seconds = 1;
        c.ops.evaluate_seconds = 1;
        let rule = &mut c.ops.rules.password_failures_account;
        rule.threshold = 1.0;
        rule.window_seconds = 3600;
        rule.for_seconds = 0;
        // The journey checks that the dashboard shows every dependency working; how full the
        // test machine's disk is has its own unit tests and must not decide this one.
        c.ops.rules.disk_space.threshold = 0.0;
    })
    .await;
    let admin = identity::staff::NewStaff {
        username: identity::staff::Username::parse("ops.admin").unwrap(),
        display_name: "運用 次郎".into(),
        roles: identity::staff::StaffRoles::parse("admin").unwrap(),
    };
    let admin_password = "harbour-watch-console-58";
    app.state
        .identity
        .create_demo_staff(admin, admin_password, &Default::default())
        .await
        .unwrap();
    let operator = identity::staff::NewStaff {
        username: identity::staff::Username::parse("review.operator").unwrap(),
        display_name: "審査 一郎".into(),
        roles: identity::staff::StaffRoles::parse("operator").unwrap(),
    };
    let operator_password = "maple-ledger-review-42";
    app.state
        .identity
        .create_demo_staff(operator, operator_password, &Default::default())
        .await
        .unwrap();
    // The second operator who confirms an approval over a difference; their authenticator is
    // set up already, so the journey signs them in with a code straight away.
    let checker = identity::staff::NewStaff {
        username: identity::staff::Username::parse("check.operator").unwrap(),
        display_name: "確認 三郎".into(),
        roles: identity::staff::StaffRoles::parse("operator").unwrap(),
    };
    let checker_id = app
        .state
        .identity
        .create_demo_staff(checker, operator_password, &Default::default())
        .await
        .unwrap()
        .unwrap();
    app.state
        .identity
        .preset_demo_staff_totp(checker_id, CHECKER_TOTP, &Default::default())
        .await
        .unwrap();
    let image = app.dir.path().join("licence-front.jpg");
    std::fs::write(
        &image,
        testkit::images::encode_jpeg(&testkit::images::patterned_image(640, 400)),
    )
    .unwrap();
    let global_flags = vec![
        "--data-dir".to_owned(),
        app.dir.path().to_str().unwrap().to_owned(),
        "--public-addr".to_owned(),
        app.config.public_addr.to_string(),
    ];
    let cli_args = serde_json::to_string(&global_flags).unwrap();
    let shots = app.dir.path().join("screenshots");
    let base = app.base.clone();
    let staff = format!("http://{}", app.staff_addr);
    let mail = app.mail_dir();
    let address = support::email("browser");
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(&script)
            .env("BASE_URL", base)
            .env("STAFF_URL", staff)
            .env("MAIL_DIR", mail)
            .env("EMAIL", address)
            .env("DOCUMENT_IMAGE", image)
            .env("CLI", env!("CARGO_BIN_EXE_assetstatus"))
            .env("CLI_ARGS", cli_args)
            .env("OPERATOR", "review.operator")
            .env("CHECKER", "check.operator")
            .env("CHECKER_TOTP", CHECKER_TOTP)
            .env("STAFF_PASSWORD", operator_password)
            .env("ADMIN", "ops.admin")
            .env("ADMIN_PASSWORD", admin_password)
            .env("SCREENSHOT_DIR", shots)
            .output()
            .expect("run node")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "browser journey failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("journey passed"), "{stdout}");

    // The operator's views and decision, each in the audit trail as staff.
    let mut tx = app.state.db.read().await.unwrap();
    let mut audited = std::collections::HashMap::new();
    for action in [
        "application.viewed",
        "document.viewed",
        "application.review_started",
        "application.returned",
        "application.override_proposed",
        "application.approved",
    ] {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, COUNT(CASE WHEN role = 'staff' THEN 1 END) AS staff \
             FROM audit_log WHERE action = $1",
        )
        .bind(action)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        let n = platform::db::col::<i64>(&row, "n").unwrap();
        let by_staff = platform::db::col::<i64>(&row, "staff").unwrap();
        assert_eq!(
            by_staff, n,
            "every {action} entry is recorded with the role staff"
        );
        audited.insert(action, n);
    }
    assert!(audited["application.viewed"] >= 1, "{audited:?}");
    assert!(audited["document.viewed"] >= 1, "{audited:?}");
    // Opened, and opened again after the customer sent the corrected document.
    assert_eq!(audited["application.review_started"], 2, "{audited:?}");
    assert_eq!(audited["application.returned"], 1, "{audited:?}");
    assert_eq!(audited["application.override_proposed"], 1, "{audited:?}");
    assert_eq!(audited["application.approved"], 1, "{audited:?}");
    let row = sqlx::query("SELECT COUNT(*) AS n FROM entitlements WHERE name = 'premium'")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(
        platform::db::col::<i64>(&row, "n").unwrap(),
        1,
        "the customer has the premium service"
    );
    // The administrator's acknowledgement, and the figures the dashboard drew, are stored.
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'alert.acknowledged' AND role = 'staff'",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    assert_eq!(platform::db::col::<i64>(&row, "n").unwrap(), 1);
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM alerts WHERE rule = 'password_failures_account' AND acknowledged_by IS NOT NULL",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    assert_eq!(platform::db::col::<i64>(&row, "n").unwrap(), 1);
    let row = sqlx::query("SELECT SUM(value) AS n FROM metric_samples WHERE metric = 'requests'")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert!(
        platform::db::col::<i64>(&row, "n").unwrap() > 20,
        "the journey's requests were counted"
    );
    let subjects: Vec<String> = sqlx::query("SELECT DISTINCT subject FROM staff_access")
        .fetch_all(&mut *tx)
        .await
        .unwrap()
        .iter()
        .map(|row| platform::db::col::<String>(row, "subject").unwrap())
        .collect();
    for subject in ["application", "document_front"] {
        assert!(
            subjects.iter().any(|s| s == subject),
            "no {subject} view recorded for the customer: {subjects:?}"
        );
    }
    drop(tx);

    // The real binary verifies the hash chain, including the entries written on screen.
    let verify = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_assetstatus"))
            .args(&global_flags)
            .args(["audit", "verify"])
            .output()
            .expect("run assetstatus audit verify")
    })
    .await
    .unwrap();
    let report = String::from_utf8_lossy(&verify.stdout);
    assert!(
        verify.status.success(),
        "audit verify failed:\n{report}\n{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    assert!(report.contains("audit trail intact"), "{report}");
    app.stop().await;
}

/// Passkeys need a host name (WebAuthn refuses bare IP addresses), so both listeners are
/// addressed as `localhost` here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passkeys_in_headless_chromium() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let script = root.join("tests/browser/passkeys.mjs");
    let staff_port = testkit::net::free_port();
    let app = TestApp::spawn_with(Backend::Sqlite, |config| {
        let port = config.public_addr.port();
        config.public_base_url = Some(format!("http://localhost:{port}/").parse().unwrap());
        config.staff_addr = format!("127.0.0.1:{staff_port}").parse().unwrap();
        config.staff_base_url = Some(format!("http://localhost:{staff_port}/").parse().unwrap());
    })
    .await;
    let demo = assetstatus::demo::seed(&app.state).await.unwrap();
    let demo_email = demo.email;
    let new_staff = identity::staff::NewStaff {
        username: identity::staff::Username::parse("passkey.staff").unwrap(),
        display_name: "鍵 花子".into(),
        roles: identity::staff::StaffRoles::parse("operator").unwrap(),
    };
    let staff_password = "plum-blossom-console-77";
    let meta = platform::audit::RequestMeta::default();
    app.state
        .identity
        .create_demo_staff(new_staff, staff_password, &meta)
        .await
        .unwrap();
    let base = format!("http://localhost:{}", app.config.public_addr.port());
    let staff = format!("http://localhost:{staff_port}");
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(&script)
            .env("BASE_URL", base)
            .env("STAFF_URL", staff)
            .env("EMAIL", demo_email)
            .env("PASSWORD", demo.password)
            .env("STAFF_USER", "passkey.staff")
            .env("STAFF_PASSWORD", staff_password)
            .output()
            .expect("run node")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "passkeys failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("passkeys passed"), "{stdout}");
    let mut tx = app.state.db.read().await.unwrap();
    let row = sqlx::query("SELECT COUNT(*) AS n FROM passkeys WHERE last_used_at IS NOT NULL")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(
        platform::db::col::<i64>(&row, "n").unwrap(),
        2,
        "both passkeys were used"
    );
    drop(tx);
    let notice =
        testkit::mail::wait_for_subject(&app.mail_dir(), demo_email, "パスキーが登録されました")
            .await;
    assert!(
        notice.text.contains("心当たりのない場合"),
        "{}",
        notice.text
    );
    app.stop().await;
}
