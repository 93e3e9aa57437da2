//! The customer's whole journey over HTTP, on SQLite and on PostgreSQL: sign up, confirm the
//! address from the mail, log in, record assets, see them on the dashboard, change and delete
//! one, export and import CSV, change details, log out.

use crate::support;

use support::{Backend, TestApp, email, today};

async fn whole_journey(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let address = email("journey");
    let b = app.browser();

    let page = b.sign_up(&address, support::PASSWORD).await;
    assert_eq!(
        (page.status, page.location.as_deref()),
        (303, Some("/signup/sent"))
    );
    let before_verification = b.login(&address, support::PASSWORD).await;
    assert_eq!(
        before_verification.status, 403,
        "unverified accounts cannot log in"
    );
    assert!(
        before_verification
            .body
            .contains("メールアドレスの確認が完了していません")
    );

    let confirmed = app.confirm_email(&b, &address).await;
    assert_eq!(confirmed.status, 200);
    assert!(
        confirmed
            .body
            .contains("メールアドレスの確認が完了しました"),
        "{}",
        confirmed.body
    );

    let login = b.login(&address, support::PASSWORD).await;
    assert_eq!(login.location.as_deref(), Some("/dashboard"));
    assert!(
        b.get("/dashboard")
            .await
            .body
            .contains("まだ資産が登録されていません")
    );

    assert_eq!(
        b.add_asset("deposits", "普通預金", "1,500,000", &today())
            .await
            .status,
        303
    );
    assert_eq!(
        b.add_asset("stocks", "国内株式", "２５０，０００", &today())
            .await
            .status,
        303
    );
    assert_eq!(
        b.add_asset("liabilities", "住宅ローン", "300000", &today())
            .await
            .status,
        303
    );
    assert_eq!(b.net_worth().await, "1,450,000円");

    let dashboard = b.get("/dashboard?view=day").await.body;
    assert_eq!(
        dashboard.matches("role=\"img\"").count(),
        3,
        "the allocation chart, and the trend chart drawn for wide screens and for phones"
    );
    assert!(dashboard.contains("<title id=\"allocation-title\">資産配分</title>"));
    assert!(dashboard.contains("1,750,000円") || dashboard.contains("1,500,000円"));

    let ids = b.asset_ids().await;
    assert_eq!(ids.len(), 3);
    let stock_id = b.asset_id_named("国内株式").await;
    let edit = format!("/assets/{stock_id}/edit");
    let edit_form = b.get(&edit).await;
    assert_eq!(edit_form.status, 200);
    let changed = b
        .submit(
            &edit,
            &edit,
            &[
                ("category", "stocks"),
                ("name", "国内株式"),
                ("institution", ""),
                ("amount", "400000"),
                ("valuation_date", &today()),
                ("note", "配当再投資"),
            ],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.body);

    let csv = b.get_bytes("/assets/export?encoding=utf8").await;
    assert_eq!(csv.0, 200);
    assert!(
        csv.1["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let text = String::from_utf8(csv.2.clone()).unwrap();
    assert!(
        text.contains("普通預金") && text.contains("住宅ローン"),
        "{text}"
    );
    let sjis = b.get_bytes("/assets/export?encoding=sjis").await;
    assert_eq!(sjis.0, 200);
    assert!(
        std::str::from_utf8(&sjis.2).is_err(),
        "Shift_JIS bytes are not UTF-8"
    );

    let delete = format!("/assets/{}/delete", b.asset_id_named("住宅ローン").await);
    assert_eq!(b.submit(&delete, &delete, &[]).await.status, 303);
    assert_eq!(b.asset_ids().await.len(), 2);

    let (status, body) = b.import_csv(csv.2).await;
    assert_eq!(status, 200);
    assert!(body.contains("3件の資産を取り込みました"), "{body}");
    assert_eq!(b.asset_ids().await.len(), 5);

    let profile = b
        .submit(
            "/profile",
            "/profile",
            &[
                ("name_kanji", "試験 花子"),
                ("name_kana", "しけん はなこ"),
                ("birth_date", "1990-04-01"),
                ("locale", "en"),
            ],
        )
        .await;
    assert_eq!(
        profile.location.as_deref(),
        Some("/profile?notice=profile-saved")
    );
    let english = b.get("/profile?notice=profile-saved").await.body;
    assert!(
        english.contains("<html lang=\"en\">")
            && english.contains("シケン ハナコ")
            && english.contains("Your details have been saved.")
    );

    let out = b.submit("/dashboard", "/logout", &[]).await;
    assert_eq!(out.location.as_deref(), Some("/login?notice=logged-out"));
    assert_eq!(
        b.get("/dashboard").await.location.as_deref(),
        Some("/login")
    );
    app.stop().await;
}

async fn password_reset_and_deletion(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let address = email("reset");
    let b = app.register(&address).await;
    b.add_asset("deposits", "普通預金", "1000", &today()).await;

    let other = app.browser();
    let asked = other
        .submit(
            "/password/forgot",
            "/password/forgot",
            &[("email", &address)],
        )
        .await;
    assert_eq!(asked.status, 200);
    let link = app.latest_link(&address, "/password/reset/").await;
    let new_password = "quiet-meadow-violin-2042";
    let reset = other
        .submit(
            &link,
            &link,
            &[
                ("password", new_password),
                ("password_confirm", new_password),
            ],
        )
        .await;
    assert_eq!(
        reset.location.as_deref(),
        Some("/login?notice=password-changed"),
        "{}",
        reset.body
    );
    assert_eq!(
        b.get("/dashboard").await.location.as_deref(),
        Some("/login"),
        "reset ends every session"
    );
    assert_eq!(other.login(&address, support::PASSWORD).await.status, 401);
    assert_eq!(other.login(&address, new_password).await.status, 303);

    let wrong = other
        .submit(
            "/account/delete",
            "/account/delete",
            &[("password", "not-my-password"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("パスワードが正しくありません"));
    let deleted = other
        .submit(
            "/account/delete",
            "/account/delete",
            &[("password", new_password), ("confirm", "yes")],
        )
        .await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    assert!(deleted.body.contains("退会の手続きが完了しました"));
    assert_eq!(
        other.get("/dashboard").await.location.as_deref(),
        Some("/login")
    );
    assert_eq!(other.login(&address, new_password).await.status, 401);
    app.stop().await;
}

/// The page of one holding: its valuations, a valuation recorded for today and one back-filled
/// for an earlier day, each confirmed by a notice; a future date or a bad amount changes nothing.
async fn holding_page_records_valuations(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let customer = app.register(&email("holding")).await;
    let earlier = (time::OffsetDateTime::now_utc().date() - time::Duration::days(40)).to_string();
    customer
        .add_asset("stocks", "国内株式", "1000000", &earlier)
        .await;
    let id = customer.asset_id_named("国内株式").await;
    let path = format!("/assets/{id}");
    let page = customer.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("1,000,000円"));

    let recorded = customer
        .submit(
            &path,
            &format!("{path}/valuations"),
            &[("valuation_date", &today()), ("amount", "1,250,000円")],
        )
        .await;
    assert_eq!(
        recorded.location.as_deref(),
        Some(format!("{path}?notice=valuation-added").as_str())
    );
    let page = customer
        .get(&format!("{path}?notice=valuation-added"))
        .await;
    assert!(
        page.body.contains("評価額を記録しました"),
        "the notice is shown"
    );
    assert!(
        page.body.contains("id=\"asset-amount\">1,250,000円"),
        "today's value is current"
    );
    assert!(
        page.body.contains("+250,000円"),
        "the change from the valuation before"
    );

    let back = (time::OffsetDateTime::now_utc().date() - time::Duration::days(20)).to_string();
    customer
        .submit(
            &path,
            &format!("{path}/valuations"),
            &[("valuation_date", &back), ("amount", "900000")],
        )
        .await;
    let page = customer.get(&path).await;
    assert!(
        page.body.contains("id=\"asset-amount\">1,250,000円"),
        "a back-filled value leaves the current one"
    );
    assert!(
        page.body.contains("900,000円"),
        "the back-filled value is in the history"
    );

    let tomorrow = (time::OffsetDateTime::now_utc().date() + time::Duration::days(2)).to_string();
    for (date, amount) in [
        (tomorrow.as_str(), "1"),
        (today().as_str(), "-5"),
        (today().as_str(), "abc"),
    ] {
        let refused = customer
            .submit(
                &path,
                &format!("{path}/valuations"),
                &[("valuation_date", date), ("amount", amount)],
            )
            .await;
        assert_eq!(refused.status, 422, "{date} {amount}");
        assert!(refused.body.contains("role=\"alert\""));
    }
    let page = customer.get(&path).await;
    assert!(page.body.contains("id=\"asset-amount\">1,250,000円"));
    assert_eq!(customer.net_worth().await, "1,250,000円");
    app.stop().await;
}

on_both_backends!(
    whole_journey,
    password_reset_and_deletion,
    holding_page_records_valuations
);
