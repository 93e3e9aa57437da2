//! A cluster of a test's own can be stopped and started again on the same port, keeping its
//! data, and leaves nothing running once dropped.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::Duration;

use sqlx::{Connection, Executor, PgConnection, Row};
use testkit::postgres::OwnCluster;

async fn stored_notes(url: &str) -> Vec<String> {
    let mut conn = PgConnection::connect(url).await.unwrap();
    let rows = sqlx::query("SELECT body FROM notes ORDER BY id")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    rows.iter().map(|r| r.get::<String, _>("body")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stops_and_restarts_on_the_same_port_with_the_same_data() {
    let mut cluster = tokio::task::spawn_blocking(OwnCluster::start)
        .await
        .unwrap();
    let url = cluster.url();
    let mut conn = PgConnection::connect(&url).await.unwrap();
    conn.execute("CREATE TABLE notes (id SERIAL PRIMARY KEY, body TEXT NOT NULL)")
        .await
        .unwrap();
    conn.execute("INSERT INTO notes (body) VALUES ('before the outage')")
        .await
        .unwrap();

    let mut cluster = tokio::task::spawn_blocking(move || {
        cluster.stop();
        cluster
    })
    .await
    .unwrap();
    assert!(
        conn.execute("SELECT 1").await.is_err(),
        "an open connection is closed by the stop"
    );
    assert!(
        PgConnection::connect(&url).await.is_err(),
        "a stopped cluster refuses connections"
    );

    let cluster = tokio::task::spawn_blocking(move || {
        cluster.restart();
        cluster
    })
    .await
    .unwrap();
    assert_eq!(cluster.url(), url, "same port, same database");
    assert_eq!(stored_notes(&url).await, vec!["before the outage"]);

    let port: u16 = url
        .rsplit_once(':')
        .and_then(|(_, rest)| rest.split('/').next())
        .unwrap()
        .parse()
        .unwrap();
    tokio::task::spawn_blocking(move || drop(cluster))
        .await
        .unwrap();
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    assert!(
        TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err(),
        "a dropped cluster is stopped"
    );
}
