//! A customer can never read or change another customer's assets by changing an ID: someone
//! else's asset answers exactly like one that does not exist, and stays unchanged.

use crate::support;

use support::{Backend, TestApp, email, today};

async fn other_customers_assets_are_unreachable(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let alice = app.register(&email("alice")).await;
    let mallory = app.register(&email("mallory")).await;
    alice
        .add_asset("deposits", "アリスの預金", "5000000", &today())
        .await;
    let target = alice.asset_id_named("アリスの預金").await;
    let unknown = uuid::Uuid::new_v4().to_string();

    for id in [&target, &unknown] {
        let holding = mallory.get(&format!("/assets/{id}")).await;
        assert_eq!(holding.status, 404, "the page of {id}");
        assert!(!holding.body.contains("アリスの預金"));
        let edit = mallory.get(&format!("/assets/{id}/edit")).await;
        assert_eq!(edit.status, 404);
        assert!(!edit.body.contains("アリスの預金"));
        assert_eq!(
            mallory.get(&format!("/assets/{id}/delete")).await.status,
            404
        );
        let token = mallory.token("/assets").await;
        let change = mallory
            .post_with_token(
                &format!("/assets/{id}/edit"),
                &token,
                &[
                    ("category", "deposits"),
                    ("name", "盗んだ"),
                    ("institution", ""),
                    ("amount", "1"),
                    ("valuation_date", &today()),
                    ("note", ""),
                ],
            )
            .await;
        assert_eq!(change.status, 404, "update of {id}");
        let invalid_change = mallory
            .post_with_token(
                &format!("/assets/{id}/edit"),
                &token,
                &[("category", "deposits"), ("name", ""), ("amount", "-1")],
            )
            .await;
        assert_eq!(
            invalid_change.status, 404,
            "a refused form does not reveal the asset either"
        );
        let valuation = mallory
            .post_with_token(
                &format!("/assets/{id}/valuations"),
                &token,
                &[("valuation_date", &today()), ("amount", "1")],
            )
            .await;
        assert_eq!(valuation.status, 404, "a valuation of {id}");
        let delete = mallory
            .post_with_token(&format!("/assets/{id}/delete"), &token, &[])
            .await;
        assert_eq!(delete.status, 404, "delete of {id}");
    }
    assert!(
        mallory
            .get("/assets")
            .await
            .body
            .contains("まだ資産が登録されていません")
    );
    assert_eq!(mallory.net_worth().await, "0円");
    let export = mallory.get_bytes("/assets/export?encoding=utf8").await;
    assert!(
        !String::from_utf8(export.2)
            .unwrap()
            .contains("アリスの預金")
    );

    assert_eq!(alice.asset_id_named("アリスの預金").await, target);
    assert_eq!(
        alice.net_worth().await,
        "5,000,000円",
        "alice's asset is untouched"
    );
    app.stop().await;
}

async fn pages_need_a_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let anonymous = app.browser();
    for path in [
        "/dashboard",
        "/assets",
        "/assets/new",
        "/assets/import",
        "/assets/export",
        "/profile",
        "/account/delete",
    ] {
        let page = anonymous.get(path).await;
        assert_eq!(
            (page.status, page.location.as_deref()),
            (303, Some("/login")),
            "{path}"
        );
    }
    let forged = app.browser();
    let page = forged
        .client
        .get(format!("{}/dashboard", app.base))
        .header(
            "cookie",
            "session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.status(),
        303,
        "a guessed session token is not a session"
    );
    app.stop().await;
}

async fn idle_sessions_expire(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let b = app.register(&email("idle")).await;
    assert_eq!(b.get("/dashboard").await.status, 200);
    {
        let mut tx = app.state.db.write().await.unwrap();
        sqlx::query("UPDATE sessions SET last_seen_at = last_seen_at - 31 * 60")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    assert_eq!(
        b.get("/dashboard").await.location.as_deref(),
        Some("/login"),
        "30 minutes idle ends the session"
    );
    assert_eq!(app.state.identity.prune_sessions().await.unwrap(), 1);
    app.stop().await;
}

on_both_backends!(
    other_customers_assets_are_unreachable,
    pages_need_a_session,
    idle_sessions_expire
);
