//! `serve --roles` decides what one process runs: a worker serves no customer pages but still
//! answers health checks on the staff listener; a portal process serves both.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use assetstatus::server::{self, Role};
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
