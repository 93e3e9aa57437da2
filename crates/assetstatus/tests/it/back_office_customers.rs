//! The back office's usage figures and customer directory over HTTP on the staff listener:
//! counts by status and the daily series, the customer list (search through the blind indexes
//! by kana reading and its prefixes, by the name in kanji, by e-mail address and its prefixes,
//! and by customer number; status filter, order, pages), a customer's page, the CSV
//! export in UTF-8 and Shift_JIS, the audit entries and access records each view writes, and
//! the refusals: bad search text, characters Shift_JIS lacks, staff without the operator role,
//! customers.

use crate::support;

use identity::{BirthDate, Email, KanaName, KanjiName, NewPassword, SignupRequest};
use platform::audit::RequestMeta;
use platform::i18n::Locale;
use support::{Backend, Browser, PASSWORD, Page, TestApp, audited, count_of, email, staff_browser};

/// Signs a customer up through the portal with these names, confirms the address and logs in.
async fn sign_up_as(app: &TestApp, kanji: &str, kana: &str, address: &str) -> Browser {
    let b = app.browser();
    let page = b
        .submit(
            "/signup",
            "/signup",
            &[
                ("name_kanji", kanji),
                ("name_kana", kana),
                ("email", address),
                ("birth_date", "1985-04-01"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    app.confirm_email(&b, address).await;
    let page = b.login(address, PASSWORD).await;
    assert_eq!(
        page.location.as_deref(),
        Some("/dashboard"),
        "{}",
        page.body
    );
    b
}

/// Registers an active customer directly (no mail, no login); returns their ID.
async fn create(app: &TestApp, kanji: &str, kana: &str, address: &str) -> String {
    let request = SignupRequest {
        email: Email::parse(address).unwrap(),
        name_kanji: KanjiName::parse(kanji).unwrap(),
        name_kana: KanaName::parse(kana).unwrap(),
        birth_date: BirthDate::parse("1980-01-31", platform::time_util::today_jst()).unwrap(),
        password: NewPassword::parse(PASSWORD, PASSWORD, &[]).unwrap(),
        locale: Locale::Ja,
    };
    app.state
        .identity
        .create_active_customer(request, &RequestMeta::default())
        .await
        .unwrap()
        .unwrap()
        .to_string()
}

/// Runs one statement against the test database.
async fn execute(app: &TestApp, sql: &str, binds: &[&str]) {
    let mut tx = app.state.db.write().await.unwrap();
    let mut query = sqlx::query(sql);
    for b in binds {
        query = query.bind(*b);
    }
    query.execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
}

/// The customer number shown for a customer ID, as `1234-5678-9`.
async fn customer_number(app: &TestApp, id: &str) -> String {
    let id: platform::ids::CustomerId = id.parse().unwrap();
    app.state
        .identity
        .customer_number(id)
        .await
        .unwrap()
        .expect("every customer has a number")
        .to_string()
}

/// How many search tokens (of `customer_search_index`) a customer has.
async fn search_tokens(app: &TestApp, id: &str) -> i64 {
    count_of(
        app,
        &format!("SELECT COUNT(*) AS n FROM customer_search_index WHERE customer_id = '{id}'"),
    )
    .await
}

/// The customer list for these query parameters.
async fn list(staff: &Browser, pairs: &[(&str, &str)]) -> Page {
    let query = serde_urlencoded::to_string(pairs).unwrap();
    staff.get(&format!("/staff/customers?{query}")).await
}

/// How many customer rows a list page shows.
fn rows_shown(body: &str) -> usize {
    body.matches("href=\"/staff/customers/").count()
}

/// Audit entries of `action` with exactly `target`.
async fn audited_with(app: &TestApp, action: &str, target: &str) -> i64 {
    let mut tx = app.state.db.read().await.unwrap();
    let row = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = $1 AND target = $2")
        .bind(action)
        .bind(target)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    platform::db::col(&row, "n").unwrap()
}

/// The figure shown in the element with this ID.
fn figure(body: &str, id: &str) -> String {
    body.split(&format!("id=\"{id}\">"))
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap_or_else(|| panic!("no {id} in {body}"))
        .to_owned()
}

/// The value of today's row in the data table with this ID.
fn today_in(body: &str, table: &str) -> String {
    let today = ui::format::date(platform::time_util::today_jst(), Locale::Ja);
    let section = body
        .split(&format!("id=\"{table}\""))
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    section
        .split(&format!("<th scope=\"row\">{today}</th><td class=\"num\">"))
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap_or_else(|| panic!("no row for {today} in {section}"))
        .to_owned()
}

async fn usage_counts_customers_by_status_and_today(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (staff, _) = staff_browser(&app, "usage.op", "operator").await;
    let unverified = app.browser();
    assert_eq!(
        unverified
            .sign_up(&email("unverified"), PASSWORD)
            .await
            .status,
        303
    );
    let active = email("active");
    app.register(&active).await;
    let premium = email("premium");
    app.register(&premium).await;
    let disabled = email("disabled");
    app.register(&disabled).await;
    execute(
        &app,
        "UPDATE customers SET status = 'disabled' WHERE id = $1",
        &[&support::customer_id(&app, &disabled).await],
    )
    .await;
    execute(
        &app,
        "INSERT INTO entitlements (customer_id, name, application_id, granted_at) \
         VALUES ($1, 'premium', 'test', 0)",
        &[&support::customer_id(&app, &premium).await],
    )
    .await;

    let page = staff.get("/staff/usage").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<h1>利用状況</h1>"));
    assert_eq!(figure(&page.body, "count-total"), "4 人");
    assert_eq!(figure(&page.body, "count-unverified"), "1 人");
    assert_eq!(figure(&page.body, "count-active"), "2 人");
    assert_eq!(figure(&page.body, "count-premium"), "1 人");
    assert_eq!(figure(&page.body, "count-disabled"), "1 人");
    assert_eq!(
        today_in(&page.body, "table-signups"),
        "4",
        "four sign-ups today"
    );
    assert_eq!(
        today_in(&page.body, "table-active"),
        "3",
        "three customers logged in today"
    );
    app.register(&email("again")).await;
    let login_twice = app.browser();
    login_twice.login(&active, PASSWORD).await;
    let page = staff.get("/staff/usage").await;
    assert_eq!(today_in(&page.body, "table-signups"), "5");
    assert_eq!(
        today_in(&page.body, "table-active"),
        "4",
        "a second login of the same customer counts once"
    );
    assert_eq!(page.body.matches("<tr><th scope=\"row\">").count(), 60);
    assert_eq!(
        page.body.matches("role=\"img\"").count(),
        4,
        "two charts, each drawn for wide screens and for phones"
    );
    assert_eq!(page.body.matches("<div class=\"chart-phone\">").count(), 2);
    assert!(page.body.contains("<title id=\"signups-title\">新規登録数"));
    assert_eq!(
        audited(&app, "customer.list_viewed").await,
        0,
        "aggregates are not audited"
    );
    app.stop().await;
}

async fn kana_and_email_search(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (staff, _) = staff_browser(&app, "search.op", "operator").await;
    let taro = email("taro.yamada");
    let taro_browser = sign_up_as(&app, "山田 太郎", "やまだ　たろう", &taro).await;
    let hanako = email("hanako");
    create(&app, "山田 花子", "ヤマダ ハナコ", &hanako).await;
    let ichiro = email("ichiro");
    create(&app, "佐藤 一郎", "サトウ イチロウ", &ichiro).await;

    let found = |body: &str| {
        [&taro, &hanako, &ichiro]
            .iter()
            .filter(|e| body.contains(e.to_lowercase().as_str()))
            .count()
    };
    for (q, expected) in [
        ("ヤマダ タロウ", vec![&taro]),
        ("ヤマダタロウ", vec![&taro]),
        ("やまだ　たろう", vec![&taro]),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", vec![&taro]),
        ("ﾔﾏﾀﾞﾀﾛｳ", vec![&taro]),
        ("タロウ", vec![&taro]),
        ("ﾔﾏﾀﾞ", vec![&taro, &hanako]),
        ("やまだ", vec![&taro, &hanako]),
        ("サトウ　イチロウ", vec![&ichiro]),
        ("ヤマ", vec![&taro, &hanako]),
        ("ﾔﾏﾀﾞﾀ", vec![&taro]),
        ("ハナ", vec![&hanako]),
        ("タロウ ヤマダ", vec![]),
    ] {
        let page = list(&staff, &[("q", q)]).await;
        assert_eq!(page.status, 200, "{q}: {}", page.body);
        assert_eq!(rows_shown(&page.body), expected.len(), "{q}");
        assert_eq!(found(&page.body), expected.len(), "{q}");
        for e in expected {
            assert!(page.body.contains(e.to_lowercase().as_str()), "{q}");
        }
    }
    let shouting = taro.to_uppercase();
    let page = list(&staff, &[("q", &shouting)]).await;
    assert_eq!(rows_shown(&page.body), 1);
    assert!(page.body.contains(&taro.to_lowercase()));
    assert!(page.body.contains("山田 太郎") && page.body.contains("ヤマダ タロウ"));
    let page = list(&staff, &[("q", &format!(" {hanako} "))]).await;
    assert_eq!(rows_shown(&page.body), 1);
    assert!(page.body.contains(&hanako));
    let page = list(&staff, &[("q", "nobody@example.jp")]).await;
    assert_eq!(rows_shown(&page.body), 0);
    assert!(page.body.contains("条件に該当するお客さまはいません"));

    let changed = taro_browser
        .submit(
            "/profile",
            "/profile",
            &[
                ("name_kanji", "鈴木 太郎"),
                ("name_kana", "スズキ タロウ"),
                ("birth_date", "1985-04-01"),
                ("locale", "ja"),
            ],
        )
        .await;
    assert!(changed.status < 400, "{}", changed.body);
    assert_eq!(
        rows_shown(&list(&staff, &[("q", "ヤマダタロウ")]).await.body),
        0,
        "the old reading no longer finds them"
    );
    let page = list(&staff, &[("q", "すずき")]).await;
    assert_eq!(rows_shown(&page.body), 1);
    assert!(page.body.contains("鈴木 太郎"));
    assert_eq!(
        rows_shown(&list(&staff, &[("q", "やまだ")]).await.body),
        1,
        "only 山田 花子 is left"
    );
    let tokens = count_of(&app, "SELECT COUNT(*) AS n FROM customer_name_index").await;
    assert_eq!(tokens, 9, "whole reading and both parts, per customer");
    let deleted = taro_browser
        .submit(
            "/account/delete",
            "/account/delete",
            &[("password", PASSWORD), ("confirm", "yes")],
        )
        .await;
    assert_eq!(deleted.status, 200);
    assert_eq!(
        count_of(&app, "SELECT COUNT(*) AS n FROM customer_name_index").await,
        6,
        "the tokens go with the account"
    );
    assert_eq!(rows_shown(&list(&staff, &[("q", "スズキ")]).await.body), 0);
    app.stop().await;
}

async fn refused_search_lists_nothing_and_audits_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (staff, _) = staff_browser(&app, "refused.op", "operator").await;
    let id = create(&app, "山田 太郎", "ヤマダ タロウ", &email("taro")).await;
    let long = "ア".repeat(101);
    let number = customer_number(&app, &id).await;
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    let wrong_check = format!(
        "{}{}",
        &digits[..8],
        (digits[8..].parse::<u8>().unwrap() + 1) % 10
    );
    for (q, message) in [
        ("山田x", "記号を含めたりすると検索できません"),
        ("sato ハナコ", "記号を含めたりすると検索できません"),
        ("ヤマダ%", "記号を含めたりすると検索できません"),
        ("ヤ", "フリガナは2文字以上"),
        ("ta", "メールアドレスは3文字以上"),
        ("taro@exa", "メールアドレスの形式が正しくありません"),
        ("1234-5678", "9桁で入力してください"),
        (
            wrong_check.as_str(),
            "確認用の数字（最後の1桁）が合いません",
        ),
        (long.as_str(), "100文字以内"),
    ] {
        let before = audited(&app, "customer.list_viewed").await;
        let page = list(&staff, &[("q", q)]).await;
        assert_eq!(page.status, 422, "{q}");
        assert!(page.body.contains(message), "{q}: {}", page.body);
        assert!(page.body.contains("aria-invalid=\"true\""));
        assert!(page.body.contains(&format!("value=\"{q}\"")), "shown again");
        assert_eq!(rows_shown(&page.body), 0);
        assert_eq!(audited(&app, "customer.list_viewed").await, before, "{q}");
        let export = staff
            .get(&format!(
                "/staff/customers/export?{}",
                serde_urlencoded::to_string([("q", q), ("encoding", "utf8")]).unwrap()
            ))
            .await;
        assert_eq!(export.status, 422, "{q}");
        assert!(export.body.contains(message));
    }
    assert_eq!(audited(&app, "customer.exported").await, 0);
    for bad in [
        [("status", "deleted")],
        [("sort", "name")],
        [("page", "0")],
        [("page", "x")],
    ] {
        assert_eq!(list(&staff, &bad).await.status, 400, "{bad:?}");
    }
    app.stop().await;
}

async fn missing_name_tokens_are_backfilled(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (staff, _) = staff_browser(&app, "backfill.op", "operator").await;
    let address = email("old");
    let id = create(&app, "古川 一", "フルカワ ハジメ", &address).await;
    create(&app, "新井 二郎", "アライ ジロウ", &email("new")).await;
    execute(
        &app,
        "DELETE FROM customer_name_index WHERE customer_id = $1",
        &[&id],
    )
    .await;
    let exact_tokens =
        format!("SELECT COUNT(*) AS n FROM customer_name_index WHERE customer_id = '{id}'");
    assert_eq!(count_of(&app, &exact_tokens).await, 0);
    assert_eq!(app.state.identity.index_missing_names().await.unwrap(), 1);
    assert_eq!(
        count_of(&app, &exact_tokens).await,
        3,
        "the exact tokens an instance of the previous release searches are rewritten"
    );
    assert_eq!(
        app.state.identity.index_missing_names().await.unwrap(),
        0,
        "idempotent"
    );
    let page = list(&staff, &[("q", "フルカワ")]).await;
    assert_eq!(rows_shown(&page.body), 1);
    assert!(page.body.contains(&address));
    assert_eq!(
        count_of(&app, "SELECT COUNT(*) AS n FROM customer_name_index").await,
        6
    );
    app.stop().await;
}

async fn list_sorts_by_last_login_and_pages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (staff, _) = staff_browser(&app, "pages.op", "operator").await;
    let mut addresses = Vec::new();
    let mut ids = Vec::new();
    for i in 0..52 {
        let address = email(&format!("c{i:02}"));
        ids.push(create(&app, &format!("顧客 {i:02}"), "テスト イチ", &address).await);
        addresses.push(address);
    }
    // One registration a minute, in creation order; three customers logged in at known times,
    // the others never did.
    for (i, id) in ids.iter().enumerate() {
        set_time(&app, "created_at", 1_500_000_000 + 60 * i as i64, id).await;
    }
    let (recent, middle, old) = (&addresses[10], &addresses[40], &addresses[3]);
    set_time(&app, "last_login_at", 1_800_000_000, &ids[10]).await;
    set_time(&app, "last_login_at", 1_700_000_000, &ids[40]).await;
    set_time(&app, "last_login_at", 1_600_000_000, &ids[3]).await;
    let at = |body: &str, address: &str| body.find(address).unwrap_or(usize::MAX);

    let page = list(&staff, &[("sort", "last_login_desc")]).await;
    assert_eq!(page.status, 200);
    assert_eq!(rows_shown(&page.body), 50);
    assert!(at(&page.body, recent) < at(&page.body, middle));
    assert!(at(&page.body, middle) < at(&page.body, old));
    let first_never = addresses
        .iter()
        .filter(|a| ![recent, middle, old].contains(a))
        .map(|a| at(&page.body, a))
        .min()
        .unwrap();
    assert!(at(&page.body, old) < first_never, "never-logged-in last");
    assert!(page.body.contains("ログインなし"));

    let page = list(&staff, &[("sort", "last_login_asc")]).await;
    assert!(at(&page.body, old) < at(&page.body, middle));
    assert!(at(&page.body, middle) < at(&page.body, recent));
    assert!(at(&page.body, recent) < first_never_in(&page.body, &addresses, [recent, middle, old]));

    let newest = list(&staff, &[]).await;
    assert!(
        at(&newest.body, &addresses[51]) < at(&newest.body, &addresses[50]),
        "newest registration first by default"
    );
    assert!(newest.body.contains("52 件中 1〜50 件目"));
    assert!(newest.body.contains("rel=\"next\""));
    assert!(!newest.body.contains("rel=\"prev\""));
    assert_eq!(
        audited_with(&app, "customer.list_viewed", "customers:rows=50").await,
        3
    );

    let second = list(&staff, &[("page", "2")]).await;
    assert_eq!(second.status, 200);
    assert_eq!(rows_shown(&second.body), 2);
    assert!(second.body.contains(&addresses[0]) && second.body.contains(&addresses[1]));
    assert!(second.body.contains("2 / 2 ページ"));
    assert!(second.body.contains("rel=\"prev\""));
    assert_eq!(
        audited_with(&app, "customer.list_viewed", "customers:rows=2").await,
        1
    );

    let beyond = list(&staff, &[("page", "9")]).await;
    assert_eq!(beyond.status, 200, "not an error");
    assert_eq!(rows_shown(&beyond.body), 0);
    assert!(beyond.body.contains("検索結果は 2 ページまでです"));
    assert_eq!(
        audited_with(&app, "customer.list_viewed", "customers:rows=0").await,
        1
    );

    let filtered = list(&staff, &[("status", "unverified")]).await;
    assert_eq!(rows_shown(&filtered.body), 0);

    let (status, _, bytes) = staff
        .get_bytes("/staff/customers/export?sort=last_login_desc&encoding=utf8")
        .await;
    assert_eq!(status, 200);
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(
        text.lines().count(),
        53,
        "header and every customer, not one page"
    );
    assert!(text.lines().nth(1).unwrap().contains(recent.as_str()));
    assert_eq!(
        audited_with(&app, "customer.exported", "customers:rows=52").await,
        1
    );
    app.stop().await;
}

/// Sets a time column (`created_at` or `last_login_at`) of a customer.
async fn set_time(app: &TestApp, column: &str, at: i64, id: &str) {
    let mut tx = app.state.db.write().await.unwrap();
    sqlx::query(&format!("UPDATE customers SET {column} = $1 WHERE id = $2"))
        .bind(at)
        .bind(id)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// Where the first customer outside `logged_in` appears.
fn first_never_in(body: &str, addresses: &[String], logged_in: [&String; 3]) -> usize {
    addresses
        .iter()
        .filter(|a| !logged_in.contains(a))
        .filter_map(|a| body.find(a.as_str()))
        .min()
        .unwrap()
}

async fn customer_page_is_audited_with_an_access_record(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (staff, staff_id) = staff_browser(&app, "detail.op", "operator").await;
    let address = email("detail");
    sign_up_as(&app, "詳細 花子", "ショウサイ ハナコ", &address).await;
    let id = support::customer_id(&app, &address).await;
    let (rejected, draft) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    execute(
        &app,
        "INSERT INTO applications (id, customer_id, status, created_at, updated_at, submitted_at, decided_at) \
         VALUES ($1, $2, 'rejected', 1700000000, 1700000000, 1700000000, 1700003600)",
        &[&rejected.to_string(), &id],
    )
    .await;
    execute(
        &app,
        "INSERT INTO applications (id, customer_id, status, created_at, updated_at) \
         VALUES ($1, $2, 'draft', 1700010000, 1700010000)",
        &[&draft.to_string(), &id],
    )
    .await;

    let listed = list(&staff, &[("q", &address)]).await;
    assert!(
        listed
            .body
            .contains(&format!("href=\"/staff/customers/{id}\""))
    );
    let page = staff.get(&format!("/staff/customers/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let number = customer_number(&app, &id).await;
    assert!(
        page.body
            .contains(&format!("<dd><span class=\"num\">{number}</span></dd>")),
        "the customer number instead of the internal ID"
    );
    for shown in [
        "詳細 花子",
        "ショウサイ ハナコ",
        "1985年4月1日",
        address.as_str(),
        "有効",
        "なし",
    ] {
        assert!(page.body.contains(shown), "{shown}");
    }
    assert!(
        page.body
            .contains(&format!("href=\"/staff/applications/{rejected}\""))
    );
    assert!(
        !page.body.contains(&draft.to_string()),
        "drafts are not shown"
    );
    assert_eq!(
        audited_with(&app, "customer.viewed", &format!("customer:{id}")).await,
        1
    );
    let by_staff = count_of(
        &app,
        &format!(
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'customer.viewed' \
             AND actor = '{staff_id}' AND role = 'staff'"
        ),
    )
    .await;
    assert_eq!(by_staff, 1);
    let access = count_of(
        &app,
        &format!(
            "SELECT COUNT(*) AS n FROM staff_access WHERE customer_id = '{id}' \
             AND subject = 'profile' AND staff_role = 'operator'"
        ),
    )
    .await;
    assert_eq!(access, 1);

    let unknown = staff
        .get(&format!("/staff/customers/{}", uuid::Uuid::new_v4()))
        .await;
    let malformed = staff.get("/staff/customers/not-an-id").await;
    assert_eq!((unknown.status, malformed.status), (404, 404));
    for page in [&unknown, &malformed] {
        assert!(page.body.contains("ページが見つかりません"));
    }
    assert_eq!(audited(&app, "customer.viewed").await, 1);
    assert_eq!(
        count_of(&app, "SELECT COUNT(*) AS n FROM staff_access").await,
        1
    );
    app.stop().await;
}

async fn csv_export_in_utf8_is_audited_and_defused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (staff, _) = staff_browser(&app, "export.op", "operator").await;
    let address = email("formula");
    let id = create(
        &app,
        "=HYPERLINK(\"http://evil.example/\",\"x\")",
        "シケン タロウ",
        &address,
    )
    .await;
    create(&app, "別人 二郎", "ベツジン ジロウ", &email("other")).await;
    let list_page = list(&staff, &[("q", &address)]).await;
    assert!(
        list_page
            .body
            .contains("action=\"/staff/customers/export\"")
    );
    assert!(list_page.body.contains("<legend>文字コード</legend>"));

    let path = format!(
        "/staff/customers/export?{}",
        serde_urlencoded::to_string([("q", address.as_str()), ("encoding", "utf8")]).unwrap()
    );
    let (status, headers, bytes) = staff.get_bytes(&path).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    let day = platform::time_util::today_jst();
    assert_eq!(
        headers["content-disposition"],
        format!(
            "attachment; filename=\"customers-{:04}{:02}{:02}.csv\"",
            day.year(),
            u8::from(day.month()),
            day.day()
        )
    );
    assert_eq!(headers["cache-control"], "no-store");
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "byte-order mark");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "顧客番号,氏名,フリガナ,メールアドレス,状態,追加サービス,登録日時,最終ログイン日時"
    );
    assert_eq!(lines.len(), 3, "header, one row, final line end: {text}");
    let row = lines[1];
    let number = customer_number(&app, &id).await;
    assert!(
        row.starts_with(&format!(
            "{number},\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"x\"\")\",シケン タロウ,{address},有効,なし,"
        )),
        "{row}"
    );
    assert!(row.ends_with(','), "never logged in: {row}");
    assert_eq!(
        audited_with(&app, "customer.exported", "customers:rows=1").await,
        1
    );
    let audit_targets = count_of(
        &app,
        "SELECT COUNT(*) AS n FROM audit_log WHERE target LIKE '%@%' OR target LIKE '%シケン%'",
    )
    .await;
    assert_eq!(audit_targets, 0, "no search text in the audit trail");

    staff.get("/lang/en?next=/staff/customers").await;
    let (_, _, bytes) = staff.get_bytes(&path).await;
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.starts_with(
        "\u{FEFF}Customer number,Name,Name (kana),E-mail address,Status,Additional service,Registered at,Last login at\r\n"
    ));
    assert!(text.contains(",Active,No,"));
    app.stop().await;
}

async fn csv_export_in_shift_jis(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (staff, _) = staff_browser(&app, "sjis.op", "operator").await;
    let address = email("sjis");
    app.register(&address).await;
    let path = |encoding: &str| {
        format!(
            "/staff/customers/export?{}",
            serde_urlencoded::to_string([("q", address.as_str()), ("encoding", encoding)]).unwrap()
        )
    };
    let (_, _, utf8) = staff.get_bytes(&path("utf8")).await;
    let (status, headers, sjis) = staff.get_bytes(&path("sjis")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/csv; charset=Shift_JIS");
    assert!(!sjis.starts_with(&[0xEF, 0xBB, 0xBF]), "no byte-order mark");
    assert!(std::str::from_utf8(&sjis).is_err(), "not UTF-8");
    let text = std::str::from_utf8(&utf8[3..]).unwrap();
    assert!(text.contains("試験 花子,シケン ハナコ"));
    let (decoded, _, had_errors) = encoding_rs::SHIFT_JIS.decode(&sjis);
    assert!(!had_errors, "valid Shift_JIS");
    assert_eq!(decoded, text, "the same text, in Shift_JIS");
    assert_eq!(
        audited_with(&app, "customer.exported", "customers:rows=1").await,
        2
    );
    let cross_site = staff
        .client
        .get(format!("{}{}", staff.base, path("utf8")))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(
        cross_site.status(),
        403,
        "no export started from another site"
    );
    assert_eq!(
        audited_with(&app, "customer.exported", "customers:rows=1").await,
        2,
        "the refused request exported nothing"
    );
    assert_eq!(
        staff
            .get("/staff/customers/export?encoding=ebcdic")
            .await
            .status,
        400
    );
    app.stop().await;
}

async fn shift_jis_export_refused_for_characters_outside_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (staff, _) = staff_browser(&app, "refuse.op", "operator").await;
    create(&app, "𠮷田 太郎", "ヨシダ タロウ", &email("yoshida")).await;
    create(&app, "笑顔 😀", "エガオ ニコ", &email("emoji")).await;
    create(&app, "普通 三郎", "フツウ サブロウ", &email("plain")).await;
    for q in ["ヨシダ", "エガオ", ""] {
        let query = serde_urlencoded::to_string([("q", q), ("encoding", "sjis")]).unwrap();
        let (status, headers, body) = staff
            .get_bytes(&format!("/staff/customers/export?{query}"))
            .await;
        assert_eq!(status, 422, "{q}");
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(headers.get("content-disposition").is_none());
        let body = String::from_utf8(body).unwrap();
        assert!(
            body.contains("Shift_JIS では表せない文字") && body.contains("UTF-8"),
            "{body}"
        );
    }
    assert_eq!(audited(&app, "customer.exported").await, 0);
    let (status, _, bytes) = staff
        .get_bytes("/staff/customers/export?q=%E3%83%A8%E3%82%B7%E3%83%80&encoding=utf8")
        .await;
    assert_eq!(status, 200);
    assert!(String::from_utf8(bytes).unwrap().contains("𠮷田 太郎"));
    assert_eq!(audited(&app, "customer.exported").await, 1);
    let sjis_fine = staff
        .get_bytes("/staff/customers/export?q=%E3%83%95%E3%83%84%E3%82%A6&encoding=sjis")
        .await;
    assert_eq!(
        sjis_fine.0, 200,
        "other customers still export in Shift_JIS"
    );
    app.stop().await;
}

async fn only_operators_reach_the_customer_pages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let address = email("guarded");
    let customer = app.register(&address).await;
    let id = support::customer_id(&app, &address).await;
    let pages = [
        "/staff/usage".to_owned(),
        "/staff/customers".to_owned(),
        "/staff/customers?q=%E3%82%B7%E3%82%B1%E3%83%B3".to_owned(),
        "/staff/customers/export?encoding=utf8".to_owned(),
        format!("/staff/customers/{id}"),
    ];
    let (admin, _) = staff_browser(&app, "admin.only", "admin").await;
    for path in &pages {
        let page = admin.get(path).await;
        assert_eq!(page.status, 403, "{path}");
        assert!(page.body.contains("この画面を利用する権限がありません"));
    }
    let as_customer = Browser {
        client: customer.client.clone(),
        base: format!("http://{}", app.staff_addr),
    };
    for path in &pages {
        let page = as_customer.get(path).await;
        assert_eq!(page.status, 303, "{path}");
        assert_eq!(page.location.as_deref(), Some("/staff/login"), "{path}");
    }
    assert_eq!(customer.get("/staff/customers").await.status, 404);
    for action in [
        "customer.list_viewed",
        "customer.viewed",
        "customer.exported",
    ] {
        assert_eq!(audited(&app, action).await, 0, "{action}");
    }
    assert_eq!(
        count_of(&app, "SELECT COUNT(*) AS n FROM staff_access").await,
        0
    );
    let (operator, _) = staff_browser(&app, "both.roles", "operator,admin").await;
    assert_eq!(operator.get("/staff/customers").await.status, 200);
    app.stop().await;
}

async fn search_by_name_prefixes_and_customer_number(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (staff, _) = staff_browser(&app, "phone.op", "operator").await;
    let hanako = "sato.hanako@example.jp";
    let hanako_browser = sign_up_as(&app, "佐藤 花子", "サトウ ハナコ", hanako).await;
    let hanako_id = support::customer_id(&app, hanako).await;
    let ichiro = "satoyama.ichiro@example.jp";
    let ichiro_id = create(&app, "里山 一郎", "サトヤマ イチロウ", ichiro).await;
    let kenta = "kenta.sato@example.jp";
    create(&app, "佐藤 健太", "サトウ ケンタ", kenta).await;
    let other = "suzuki@example.jp";
    create(&app, "鈴木 花子", "スズキ ハナコ", other).await;
    let everyone = [hanako, ichiro, kenta, other];

    let shows = |body: &str| -> Vec<&str> {
        everyone
            .iter()
            .copied()
            .filter(|e| body.contains(e))
            .collect()
    };
    let hanako_number = customer_number(&app, &hanako_id).await;
    let digits: String = hanako_number.chars().filter(char::is_ascii_digit).collect();
    let full_width: String = hanako_number
        .chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap(),
            _ => '－',
        })
        .collect();
    let before = audited(&app, "customer.list_viewed").await;
    let searches: Vec<(&str, Vec<&str>)> = vec![
        ("佐藤", vec![hanako, kenta]),
        ("佐藤 花子", vec![hanako]),
        ("佐藤　花子", vec![hanako]),
        ("佐藤花子", vec![hanako]),
        ("花子", vec![hanako, other]),
        ("佐", vec![]),
        ("サト", vec![hanako, ichiro, kenta]),
        ("さとう", vec![hanako, kenta]),
        ("ｻﾄｳﾊ", vec![hanako]),
        ("ハナ", vec![hanako, other]),
        ("sato.h", vec![hanako]),
        ("SATO", vec![hanako, ichiro]),
        ("ｓａｔｏ．ｈａ", vec![hanako]),
        ("sato.hanako@", vec![hanako]),
        ("sato.hanako@example.jp", vec![hanako]),
        ("ken", vec![kenta]),
        ("sato.x", vec![]),
        (hanako_number.as_str(), vec![hanako]),
        (digits.as_str(), vec![hanako]),
        (full_width.as_str(), vec![hanako]),
    ];
    for (q, expected) in &searches {
        let page = list(&staff, &[("q", q)]).await;
        assert_eq!(page.status, 200, "{q}: {}", page.body);
        assert_eq!(rows_shown(&page.body), expected.len(), "{q}");
        assert_eq!(&shows(&page.body), expected, "{q}");
    }
    assert_eq!(
        audited(&app, "customer.list_viewed").await - before,
        searches.len() as i64,
        "every search is audited"
    );
    let page = list(&staff, &[("q", "佐藤 花子")]).await;
    assert!(page.body.contains(&format!(
        "<td><span class=\"num\">{hanako_number}</span></td>"
    )));
    assert!(page.body.contains("顧客番号"));
    let personal = count_of(
        &app,
        "SELECT COUNT(*) AS n FROM audit_log WHERE target LIKE '%sato%' \
         OR target LIKE '%佐藤%' OR target LIKE '%サト%'",
    )
    .await;
    assert_eq!(personal, 0, "no search text in the audit trail");

    // The customer's own profile shows the same number.
    let profile = hanako_browser.get("/profile").await;
    assert!(profile.body.contains("お客さま番号"), "{}", profile.body);
    assert!(profile.body.contains(&hanako_number));

    // A profile change replaces the name tokens: the old ones no longer find her.
    // サトウ ハナコ: 7 kana prefixes; 佐藤花子, 佐藤, 花子; sato.hanako: 9 prefixes and the
    // local part with its @.
    assert_eq!(search_tokens(&app, &hanako_id).await, 7 + 3 + 10);
    let changed = hanako_browser
        .submit(
            "/profile",
            "/profile",
            &[
                ("name_kanji", "高橋 花子"),
                ("name_kana", "タカハシ ハナコ"),
                ("birth_date", "1985-04-01"),
                ("locale", "ja"),
            ],
        )
        .await;
    assert!(changed.status < 400, "{}", changed.body);
    for (q, expected) in [
        ("佐藤", vec![kenta]),
        ("サトウハ", vec![]),
        ("タカ", vec![hanako]),
        ("高橋", vec![hanako]),
        ("sato.h", vec![hanako]),
    ] {
        let page = list(&staff, &[("q", q)]).await;
        assert_eq!(shows(&page.body), expected, "{q} after the change");
    }
    assert_eq!(
        search_tokens(&app, &hanako_id).await,
        8 + 3 + 10,
        "old name tokens replaced, e-mail tokens kept"
    );

    // Deleting the account takes the tokens with it; the number is never issued again.
    let deleted = hanako_browser
        .submit(
            "/account/delete",
            "/account/delete",
            &[("password", PASSWORD), ("confirm", "yes")],
        )
        .await;
    assert_eq!(deleted.status, 200);
    assert_eq!(search_tokens(&app, &hanako_id).await, 0);
    assert_eq!(rows_shown(&list(&staff, &[("q", "タカ")]).await.body), 0);
    assert_eq!(
        rows_shown(&list(&staff, &[("q", &hanako_number)]).await.body),
        0
    );
    assert_eq!(
        count_of(
            &app,
            &format!("SELECT COUNT(*) AS n FROM customer_numbers WHERE number = '{digits}'"),
        )
        .await,
        1,
        "the issued number stays recorded so it is never reused"
    );
    assert!(
        search_tokens(&app, &ichiro_id).await > 0,
        "others keep theirs"
    );
    app.stop().await;
}

async fn missing_search_tokens_and_numbers_are_backfilled(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (staff, _) = staff_browser(&app, "refill.op", "operator").await;
    let address = "furukawa.hajime@example.jp";
    let id = create(&app, "古川 一", "フルカワ ハジメ", address).await;
    create(&app, "新井 二郎", "アライ ジロウ", "arai@example.jp").await;
    let tokens = search_tokens(&app, &id).await;
    assert!(tokens > 0);
    let old_number = customer_number(&app, &id).await;
    execute(
        &app,
        "DELETE FROM customer_search_index WHERE customer_id = $1",
        &[&id],
    )
    .await;
    execute(
        &app,
        "UPDATE customers SET customer_number = NULL WHERE id = $1",
        &[&id],
    )
    .await;
    for q in ["古川", "フルカ", "furu"] {
        assert_eq!(rows_shown(&list(&staff, &[("q", q)]).await.body), 0, "{q}");
    }
    let page = list(&staff, &[("q", address)]).await;
    assert_eq!(
        rows_shown(&page.body),
        1,
        "the whole address needs no token"
    );
    assert!(page.body.contains("採番待ち"), "shown while not numbered");
    assert_eq!(app.state.identity.index_missing_names().await.unwrap(), 1);
    assert_eq!(
        app.state.identity.index_missing_names().await.unwrap(),
        0,
        "idempotent"
    );
    assert_eq!(
        app.state
            .identity
            .assign_missing_customer_numbers()
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        app.state
            .identity
            .assign_missing_customer_numbers()
            .await
            .unwrap(),
        0
    );
    assert_eq!(search_tokens(&app, &id).await, tokens);
    let new_number = customer_number(&app, &id).await;
    assert_ne!(
        new_number, old_number,
        "a number once issued is not issued again"
    );
    for q in ["古川", "フルカ", "furu", new_number.as_str()] {
        let page = list(&staff, &[("q", q)]).await;
        assert_eq!(rows_shown(&page.body), 1, "{q}");
        assert!(page.body.contains(address), "{q}");
    }
    let numbers = count_of(
        &app,
        "SELECT COUNT(DISTINCT customer_number) AS n FROM customers",
    )
    .await;
    assert_eq!(numbers, 2);
    app.stop().await;
}

on_both_backends!(
    usage_counts_customers_by_status_and_today,
    search_by_name_prefixes_and_customer_number,
    missing_search_tokens_and_numbers_are_backfilled,
    kana_and_email_search,
    refused_search_lists_nothing_and_audits_nothing,
    missing_name_tokens_are_backfilled,
    list_sorts_by_last_login_and_pages,
    customer_page_is_audited_with_an_access_record,
    csv_export_in_utf8_is_audited_and_defused,
    csv_export_in_shift_jis,
    shift_jis_export_refused_for_characters_outside_it,
    only_operators_reach_the_customer_pages,
);
