//! Demo data: one customer with a year of monthly valuations across every kind of holding, so
//! that the dashboard shows something real on first start, and a second customer whose
//! additional-service application waits in the back office's queue.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use assets::{AssetForm, Category};
use identity::staff::{NewStaff, StaffRoles, Username};
use identity::{BirthDate, Email, KanaName, KanjiName, NewPassword, SignupRequest};
use platform::audit::RequestMeta;
use platform::config::Config;
use platform::i18n::Locale;
use platform::time_util::today_jst;
use portal::AppState;
use time::{Date, Duration};

/// The demo runs on one machine with one operator: unless networks are configured, the staff
/// listener admits this machine only (loopback), and approvals need no second operator (every
/// review page then says so).
pub fn configure(config: &mut Config) {
    if config.edge.staff_allow.is_empty() {
        config.edge.staff_allow = vec![
            IpAddr::V4(Ipv4Addr::LOCALHOST).into(),
            IpAddr::V6(Ipv6Addr::LOCALHOST).into(),
        ];
    }
    config.applications.maker_checker = false;
}

/// How to log in as the demo customer and the demo staff.
pub struct DemoLogin {
    /// Login address.
    pub email: &'static str,
    /// Password (demo data only).
    pub password: &'static str,
    /// Staff user names (operator, administrator, second operator).
    pub staff: [&'static str; 3],
    /// Their password (demo data only).
    pub staff_password: &'static str,
    /// Their authenticator secret, base32 (demo data only).
    pub staff_totp_secret: &'static str,
}

const STAFF_PASSWORD: &str = "sakura-console-2026-demo";
/// Authenticator secret of both demo staff accounts (base32), printed by `serve --demo`.
const STAFF_TOTP_SECRET: &str = "3VWZR4R5AULJ6ZAWZLDNNJHDL6734TJG";

const EMAIL: &str = "demo@example.jp";
const PASSWORD: &str = "sakura-mochi-2026-demo";

/// (category, name, institution, value a year ago, change per month)
const HOLDINGS: [(Category, &str, &str, i64, i64); 8] = [
    (
        Category::Deposits,
        "普通預金",
        "さくら銀行",
        2_400_000,
        60_000,
    ),
    (Category::Deposits, "定期預金", "さくら銀行", 1_000_000, 0),
    (
        Category::Stocks,
        "国内株式",
        "みらい証券",
        1_200_000,
        25_000,
    ),
    (
        Category::InvestmentFunds,
        "全世界株式インデックス",
        "みらい証券",
        600_000,
        52_000,
    ),
    (
        Category::Insurance,
        "終身保険（解約返戻金）",
        "あおば生命",
        800_000,
        5_000,
    ),
    (Category::Pension, "iDeCo", "みらい証券", 900_000, 23_000),
    (
        Category::RealEstate,
        "自宅マンション",
        "",
        32_000_000,
        -50_000,
    ),
    (
        Category::Liabilities,
        "住宅ローン残高",
        "さくら銀行",
        18_000_000,
        -55_000,
    ),
];

/// Creates the demo customer with their history, and the demo staff, unless they exist.
pub async fn seed(state: &AppState) -> anyhow::Result<DemoLogin> {
    let login = DemoLogin {
        email: EMAIL,
        password: PASSWORD,
        staff: ["demo.operator", "demo.admin", "demo.checker"],
        staff_password: STAFF_PASSWORD,
        staff_totp_secret: STAFF_TOTP_SECRET,
    };
    let today = today_jst();
    let request = SignupRequest {
        email: Email::parse(EMAIL)?,
        name_kanji: KanjiName::parse("山田 太郎")?,
        name_kana: KanaName::parse("ヤマダ タロウ")?,
        birth_date: BirthDate::parse("1980-05-05", today)?,
        password: NewPassword::parse(PASSWORD, PASSWORD, &[])?,
        locale: Locale::Ja,
    };
    let meta = RequestMeta {
        client_ip: None,
        request_id: "demo-seed".into(),
    };
    seed_staff(state, &meta).await?;
    seed_applicant(state, today, &meta).await?;
    let Some(customer) = state
        .identity
        .create_active_customer(request, &meta)
        .await?
    else {
        return Ok(login);
    };
    let start = today - Duration::days(365);
    for (category, name, institution, base, step) in HOLDINGS {
        let form = |month: i64| AssetForm {
            category: category.code().into(),
            name: name.into(),
            institution: institution.into(),
            amount: (base + step * month).to_string(),
            valuation_date: platform::fields::iso_date(month_after(start, month).min(today)),
            note: String::new(),
            // Securities bought at their first value, so their page shows a gain or loss.
            acquisition_cost: if matches!(category, Category::Stocks | Category::InvestmentFunds) {
                base.to_string()
            } else {
                String::new()
            },
        };
        let draft = form(0)
            .parse(today)
            .map_err(|e| anyhow::anyhow!("demo asset invalid: {e:?}"))?;
        let id = state.assets.create(customer, &draft, &meta).await?;
        for month in 1..=12 {
            let draft = form(month)
                .parse(today)
                .map_err(|e| anyhow::anyhow!("demo asset invalid: {e:?}"))?;
            state.assets.update(customer, id, &draft, &meta).await?;
        }
    }
    Ok(login)
}

/// A customer who has sent an application with a (made-up) identity document, unless they exist.
async fn seed_applicant(state: &AppState, today: Date, meta: &RequestMeta) -> anyhow::Result<()> {
    let request = SignupRequest {
        email: Email::parse("applicant@example.jp")?,
        name_kanji: KanjiName::parse("佐藤 花子")?,
        name_kana: KanaName::parse("サトウ ハナコ")?,
        birth_date: BirthDate::parse("1992-11-03", today)?,
        password: NewPassword::parse(PASSWORD, PASSWORD, &[])?,
        locale: Locale::Ja,
    };
    let Some(customer) = state.identity.create_active_customer(request, meta).await? else {
        return Ok(());
    };
    let account = applications::AccountForm {
        branch: "201".into(),
        account_type: "ordinary".into(),
        number: "3141592".into(),
        holder: "サトウ ハナコ".into(),
    };
    let id = state
        .applications
        .save_account(customer, &account, meta)
        .await?;
    state
        .applications
        .attach_document(customer, applications::Side::Front, sample_card()?, meta)
        .await?;
    state.applications.submit(customer, id, meta).await?;
    Ok(())
}

/// A plain made-up card image standing in for a licence photo.
fn sample_card() -> anyhow::Result<Vec<u8>> {
    let card = image::RgbImage::from_fn(640, 400, |x, y| {
        let band = y < 70 || (x > 40 && x < 200 && y > 110 && y < 330);
        let line = y > 120 && y % 40 < 8 && x > 240 && x < 600;
        match (band, line) {
            (true, _) => image::Rgb([24, 96, 160]),
            (false, true) => image::Rgb([90, 90, 90]),
            _ => image::Rgb([236, 242, 236]),
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    card.write_to(&mut out, image::ImageFormat::Png)?;
    Ok(out.into_inner())
}

fn month_after(start: Date, months: i64) -> Date {
    start + Duration::days(months * 365 / 12)
}

/// A demo operator, a second operator (an approval over a differing account holder always needs
/// one) and a demo administrator, their second factor already set up with the printed
/// authenticator secret.
async fn seed_staff(state: &AppState, meta: &RequestMeta) -> anyhow::Result<()> {
    for (username, name, roles) in [
        ("demo.operator", "業務 花子", "operator"),
        ("demo.admin", "管理 太郎", "admin"),
        ("demo.checker", "確認 次郎", "operator"),
    ] {
        let new = NewStaff {
            username: Username::parse(username)?,
            display_name: name.into(),
            roles: StaffRoles::parse(roles)?,
        };
        let created = state
            .identity
            .create_demo_staff(new, STAFF_PASSWORD, meta)
            .await?;
        if let Some(id) = created {
            state
                .identity
                .preset_demo_staff_totp(id, STAFF_TOTP_SECRET, meta)
                .await?;
        }
    }
    Ok(())
}
