//! `serve --roles` decides what one process runs: a worker serves no customer pages but still
//! answers health checks on the staff listener; a portal process serves both. A process that
//! serves the staff consoles (or a gateway in front of them) refuses to start without an
//! explicit staff allow-list. `/readyz` answers from a probe run in the background, never from
//! I/O of its own.

use crate::support;

use assetstatus::server::{self, Role};
use std::time::{Duration, Instant};

use platform::config::EdgeConfig;
use support::{Backend, free_addr, test_config};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_serves_health_but_no_pages() {
    let dir = tempfile::tempdir().unwrap();
    let config = test_config(dir.path(), Backend::Sqlite).await;
    let built = server::build(&config).await.unwrap();
    let running = server::start(&config, &built, &[Role::Worker])
        .await
        .unwrap();
    assert!(running.public_addr.is_none());
    let health = reqwest::get(format!("http://{}/readyz", running.staff_addr))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert!(health.text().await.unwrap().contains("\"database\":\"ok\""));
    let pages = reqwest::get(format!("http://{}/login", running.staff_addr))
        .await
        .unwrap();
    assert_eq!(
        pages.status(),
        403,
        "a process without the gateway serves only what the gateway forwards"
    );
    let console = reqwest::get(format!("http://{}/staff/login", running.staff_addr))
        .await
        .unwrap();
    assert_eq!(console.status(), 403);
    assert!(
        reqwest::get(format!("http://{}/", config.public_addr))
            .await
            .is_err(),
        "no public listener"
    );
    running.stop().await;

    let running = server::start(
        &config,
        &built,
        &[Role::Gateway, Role::Portal, Role::Identity],
    )
    .await
    .unwrap();
    let login = reqwest::get(format!("http://{}/login", running.public_addr.unwrap()))
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let console = reqwest::get(format!("http://{}/staff/login", running.staff_addr))
        .await
        .unwrap();
    assert_eq!(
        console.status(),
        404,
        "the console runs only with the back office or operations role"
    );
    assert_eq!(login.headers()["x-content-type-options"], "nosniff");
    assert!(
        login.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_whose_upstream_is_down_says_so_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path(), Backend::Sqlite).await;
    for upstream in [
        &mut config.edge.upstream_public,
        &mut config.edge.upstream_staff,
    ] {
        *upstream = Some(format!("http://{}/", free_addr()).parse().unwrap());
    }
    let built = server::build(&config).await.unwrap();
    let running = server::start(&config, &built, &[Role::Gateway])
        .await
        .unwrap();
    let public = running.public_addr.unwrap();
    let page = reqwest::get(format!("http://{public}/login"))
        .await
        .unwrap();
    assert_eq!(page.status(), 502);
    assert_eq!(page.headers()["content-language"], "ja");
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("ただいまサービスをご利用いただけません")
    );
    let health = reqwest::get(format!("http://{public}/healthz"))
        .await
        .unwrap();
    assert_eq!(
        health.status(),
        200,
        "the gateway answers its own health checks"
    );
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serving_the_staff_consoles_needs_an_explicit_allow_list() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path(), Backend::Sqlite).await;
    config.edge.staff_allow = EdgeConfig::default().staff_allow;
    let built = server::build(&config).await.unwrap();
    for roles in [
        &Role::ALL[..],
        &[Role::Gateway],
        &[Role::Backoffice, Role::Worker],
        &[Role::Ops],
    ] {
        let err = match server::start(&config, &built, roles).await {
            Ok(running) => {
                running.stop().await;
                panic!("{roles:?} started without edge.staff_allow");
            }
            Err(e) => e.to_string(),
        };
        assert!(err.contains("`edge.staff_allow`"), "{roles:?}: {err}");
        assert!(
            err.contains("required to serve the staff consoles"),
            "{roles:?}: {err}"
        );
    }
    let worker = server::start(&config, &built, &[Role::Worker])
        .await
        .unwrap();
    let health = reqwest::get(format!("http://{}/healthz", worker.staff_addr))
        .await
        .unwrap();
    assert_eq!(health.status(), 403, "an empty allow-list admits no one");
    worker.stop().await;
}

async fn get(url: &str) -> (u16, String) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn readiness_costs_no_io_per_request(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path(), backend).await;
    // No background probe during this test: only the one before the listeners open, and the
    // one the test runs itself.
    config.health.probe_interval_seconds = 300;
    let built = server::build(&config).await.unwrap();
    let running = server::start(&config, &built, &Role::ALL).await.unwrap();
    let urls = [
        format!("http://{}/readyz", running.public_addr.unwrap()),
        format!("http://{}/readyz", running.staff_addr),
    ];
    for url in &urls {
        let (status, body) = get(url).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("\"status\":\"ready\""), "{body}");
    }
    built.state.db.close().await;
    for _ in 0..10 {
        for url in &urls {
            let (status, body) = get(url).await;
            assert_eq!(status, 200, "answered from the last probe: {body}");
            assert!(body.contains("\"database\":\"ok\""), "{body}");
        }
    }
    built.readiness.probe().await;
    for url in &urls {
        let (status, body) = get(url).await;
        assert_eq!(status, 503, "{body}");
        assert!(body.contains("\"status\":\"not ready\""), "{body}");
        assert!(body.contains("\"database\":\"unreachable\""), "{body}");
    }
    running.stop().await;
}

async fn readiness_follows_the_background_probe(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path(), backend).await;
    config.health.probe_interval_seconds = 1;
    let built = server::build(&config).await.unwrap();
    let running = server::start(&config, &built, &[Role::Worker])
        .await
        .unwrap();
    let url = format!("http://{}/readyz", running.staff_addr);
    assert_eq!(get(&url).await.0, 200);
    built.state.db.close().await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let body = loop {
        let (status, body) = get(&url).await;
        if status == 503 {
            break body;
        }
        assert_eq!(status, 200, "{body}");
        assert!(
            Instant::now() < deadline,
            "the background probe never saw the database go: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(body.contains("\"database\":\"unreachable\""), "{body}");
    running.stop().await;
}

on_both_backends!(
    readiness_costs_no_io_per_request,
    readiness_follows_the_background_probe
);
