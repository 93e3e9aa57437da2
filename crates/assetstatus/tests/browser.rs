//! The customer journey in a real browser: headless Chromium driven by playwright-core
//! (`tests/browser/journey.mjs`) against a server started here, with accessibility checks by
//! axe-core (WCAG 2.1 AA) and a phone-sized viewport.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::process::Command;

use support::{Backend, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_journey_in_headless_chromium() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let script = root.join("tests/browser/journey.mjs");
    assert!(
        root.join("tests/browser/node_modules/playwright-core")
            .exists(),
        "run `npm ci` in tests/browser first (./scripts/test does)"
    );
    let app = TestApp::spawn(Backend::Sqlite).await;
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
    app.stop().await;
}
