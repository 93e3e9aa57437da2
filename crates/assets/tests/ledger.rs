//! The ledger against real databases, SQLite and PostgreSQL alike: a holding's valuations,
//! back-filled past values, acquisition costs, and that nobody reaches another customer's
//! holding.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::Arc;

use assets::{
    AssetBook, AssetError, AssetForm, Category, Period, Valuation, ValuationEffect, ValuationForm,
    series,
};
use platform::audit::{self, RequestMeta};
use platform::crypto::Keyring;
use platform::db::Db;
use platform::fields::{FieldError, iso_date};
use platform::ids::{AssetId, CustomerId};
use platform::time_util::{now_unix, today_jst};
use time::{Date, Duration};

#[derive(Clone, Copy, Debug)]
enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each named check once per engine.
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() { super::$name(super::Backend::Sqlite).await } )*
        }
        mod postgres {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() { super::$name(super::Backend::Postgres).await } )*
        }
    };
}

on_both_engines!(
    valuations_back_fill_and_replace_values_of_a_day,
    nobody_reaches_another_customers_holding,
    acquisition_cost_is_stored_kept_and_cleared,
);

/// A fresh database with its schema, a keyring, and two customers with data keys.
struct Ledger {
    db: Db,
    book: AssetBook,
    owner: CustomerId,
    stranger: CustomerId,
    dir: PathBuf,
}

impl Drop for Ledger {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Ledger {
    async fn open(backend: Backend) -> Self {
        let dir = std::env::temp_dir().join(format!("assets-ledger-{}", AssetId::new()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = match backend {
            Backend::Sqlite => format!("sqlite://{}?mode=rwc", dir.join("ledger.db").display()),
            Backend::Postgres => testkit::postgres::fresh_database().await,
        };
        let db = Db::connect(&url).await.unwrap();
        let keyring = Arc::new(Keyring::open(&db, &dir.join("master.key")).await.unwrap());
        let owner = customer(&db, &keyring).await;
        let stranger = customer(&db, &keyring).await;
        Self {
            book: AssetBook::new(db.clone(), keyring),
            db,
            owner,
            stranger,
            dir,
        }
    }

    /// Audit entries about one asset, by action.
    async fn audited(&self, id: AssetId) -> Vec<String> {
        let mut tx = self.db.read().await.unwrap();
        audit::read_page(&mut tx, 0, 1000)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.target == format!("asset:{id}"))
            .map(|e| e.action)
            .collect()
    }
}

async fn customer(db: &Db, keyring: &Keyring) -> CustomerId {
    let id = CustomerId::new();
    let mut tx = db.write().await.unwrap();
    sqlx::query(
        "INSERT INTO customers (id, email_index, email_enc, name_kanji_enc, name_kana_enc, birth_date_enc, \
         password_hash, status, locale, created_at, updated_at) \
         VALUES ($1, $2, $3, $3, $3, $3, 'x', 'active', 'ja', $4, $4)",
    )
    .bind(id.to_string())
    .bind(id.to_string().into_bytes())
    .bind(vec![0u8])
    .bind(now_unix())
    .execute(&mut *tx)
    .await
    .unwrap();
    keyring.create_customer_key(&mut tx, id).await.unwrap();
    tx.commit().await.unwrap();
    id
}

fn meta() -> RequestMeta {
    RequestMeta {
        client_ip: None,
        request_id: "ledger-test".into(),
    }
}

fn days_ago(n: i64) -> Date {
    today_jst() - Duration::days(n)
}

fn holding(category: &str, amount: &str, date: Date, cost: &str) -> AssetForm {
    AssetForm {
        category: category.into(),
        name: "全世界株式ファンド".into(),
        institution: "みらい証券".into(),
        amount: amount.into(),
        valuation_date: iso_date(date),
        note: String::new(),
        acquisition_cost: cost.into(),
    }
}

fn valuation(date: Date, amount: &str) -> assets::ValuationDraft {
    ValuationForm {
        valuation_date: iso_date(date),
        amount: amount.into(),
    }
    .parse(today_jst())
    .unwrap()
}

fn values(list: &[Valuation]) -> Vec<(Date, i64)> {
    list.iter()
        .map(|v| (v.valuation_date, v.amount.get()))
        .collect()
}

async fn valuations_back_fill_and_replace_values_of_a_day(backend: Backend) {
    let l = Ledger::open(backend).await;
    let draft = holding("investment_funds", "1,000,000", days_ago(10), "900,000")
        .parse(today_jst())
        .unwrap();
    let id = l.book.create(l.owner, &draft, &meta()).await.unwrap();

    // A past value: the history gains it, the holding keeps its current amount and date.
    let effect = l
        .book
        .add_valuation(l.owner, id, &valuation(days_ago(20), "800,000"), &meta())
        .await
        .unwrap();
    assert_eq!(effect, ValuationEffect::BackFilled);
    let asset = l.book.get(l.owner, id).await.unwrap();
    assert_eq!(asset.amount.get(), 1_000_000);
    assert_eq!(asset.valuation_date, days_ago(10));

    // A newer value becomes current; a second one on the same day replaces it.
    for (amount, expected) in [("1,100,000", 1_100_000), ("1,150,000", 1_150_000)] {
        let effect = l
            .book
            .add_valuation(l.owner, id, &valuation(days_ago(5), amount), &meta())
            .await
            .unwrap();
        assert_eq!(effect, ValuationEffect::Current);
        let asset = l.book.get(l.owner, id).await.unwrap();
        assert_eq!(
            (asset.amount.get(), asset.valuation_date),
            (expected, days_ago(5))
        );
        assert_eq!(asset.acquisition_cost.map(|c| c.get()), Some(900_000));
    }
    // A corrected past value replaces that day's earlier one.
    l.book
        .add_valuation(l.owner, id, &valuation(days_ago(20), "850,000"), &meta())
        .await
        .unwrap();

    let list = l.book.valuations(l.owner, id).await.unwrap();
    assert_eq!(
        values(&list),
        vec![
            (days_ago(5), 1_150_000),
            (days_ago(10), 1_000_000),
            (days_ago(20), 850_000),
        ],
        "newest first, one value per date, the latest recorded wins"
    );
    assert!(list.iter().all(|v| v.recorded_at > 0));

    // The net-worth curve follows the same rule on the same days.
    let history = l.book.history(l.owner).await.unwrap();
    let points = series(&history, Period::Day, today_jst());
    let at = |d: Date| points.iter().find(|p| p.date == d).unwrap().net;
    assert_eq!(at(days_ago(21)), 0);
    assert_eq!(at(days_ago(20)), 850_000);
    assert_eq!(at(days_ago(10)), 1_000_000);
    assert_eq!(at(days_ago(5)), 1_150_000);
    assert_eq!(at(today_jst()), 1_150_000);

    assert_eq!(
        l.audited(id).await,
        vec![
            "asset.create",
            "asset.update",
            "asset.update",
            "asset.update",
            "asset.update",
        ],
        "every valuation is audited as an update"
    );

    // The page of a deleted holding is gone, and so is its deletion from what it would show.
    l.book
        .delete(l.owner, id, today_jst(), &meta())
        .await
        .unwrap();
    assert!(matches!(
        l.book.valuations(l.owner, id).await,
        Err(AssetError::NotFound)
    ));
    assert!(matches!(
        l.book
            .add_valuation(l.owner, id, &valuation(days_ago(1), "1"), &meta())
            .await,
        Err(AssetError::NotFound)
    ));
}

async fn nobody_reaches_another_customers_holding(backend: Backend) {
    let l = Ledger::open(backend).await;
    let draft = holding("deposits", "500,000", days_ago(3), "")
        .parse(today_jst())
        .unwrap();
    let id = l.book.create(l.owner, &draft, &meta()).await.unwrap();
    let before = l.book.valuations(l.owner, id).await.unwrap();

    for (who, asset) in [(l.stranger, id), (l.owner, AssetId::new())] {
        assert!(matches!(
            l.book.valuations(who, asset).await,
            Err(AssetError::NotFound)
        ));
        for date in [days_ago(1), days_ago(30)] {
            assert!(matches!(
                l.book
                    .add_valuation(who, asset, &valuation(date, "1"), &meta())
                    .await,
                Err(AssetError::NotFound)
            ));
        }
    }
    assert_eq!(l.book.valuations(l.owner, id).await.unwrap(), before);
    let asset = l.book.get(l.owner, id).await.unwrap();
    assert_eq!(
        (asset.amount.get(), asset.valuation_date),
        (500_000, days_ago(3))
    );
    assert!(l.book.history(l.stranger).await.unwrap().is_empty());
    assert_eq!(l.audited(id).await, vec!["asset.create"]);
}

async fn acquisition_cost_is_stored_kept_and_cleared(backend: Backend) {
    let l = Ledger::open(backend).await;
    let today = today_jst();
    let with_cost = holding("stocks", "1,250,000", days_ago(1), "1,000,000")
        .parse(today)
        .unwrap();
    let id = l.book.create(l.owner, &with_cost, &meta()).await.unwrap();
    let asset = l.book.get(l.owner, id).await.unwrap();
    assert_eq!(asset.acquisition_cost.map(|c| c.get()), Some(1_000_000));
    let gain = asset.unrealised_gain().unwrap();
    assert_eq!((gain.yen, gain.basis_points), (250_000, 2_500));

    // An edit sends the cost back as the form showed it; it survives, and so does a zero.
    let edited = holding("stocks", "900,000", today, "1,000,000")
        .parse(today)
        .unwrap();
    l.book.update(l.owner, id, &edited, &meta()).await.unwrap();
    let asset = l.book.get(l.owner, id).await.unwrap();
    assert_eq!(asset.acquisition_cost.map(|c| c.get()), Some(1_000_000));
    assert_eq!(
        asset.unrealised_gain().map(|g| g.basis_points),
        Some(-1_000)
    );
    let free = holding("stocks", "900,000", today, "0")
        .parse(today)
        .unwrap();
    l.book.update(l.owner, id, &free, &meta()).await.unwrap();
    let asset = l.book.get(l.owner, id).await.unwrap();
    assert_eq!(asset.acquisition_cost.map(|c| c.get()), Some(0));
    assert_eq!(asset.unrealised_gain(), None);

    let cleared = holding("stocks", "900,000", today, "")
        .parse(today)
        .unwrap();
    l.book.update(l.owner, id, &cleared, &meta()).await.unwrap();
    let listed = l.book.list(l.owner).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].acquisition_cost, None);
    assert_eq!(listed[0].unrealised_gain(), None);

    // A debt cannot have a cost, and nothing is written when one is given.
    let loan = holding("liabilities", "29,800,000", today, "30,000,000").parse(today);
    assert_eq!(
        loan.unwrap_err().get("acquisition_cost"),
        Some(FieldError::CostForLiability)
    );
    let loan = holding("liabilities", "29,800,000", today, "")
        .parse(today)
        .unwrap();
    assert_eq!(loan.category, Category::Liabilities);
    let loan_id = l.book.create(l.owner, &loan, &meta()).await.unwrap();
    assert_eq!(
        l.book.get(l.owner, loan_id).await.unwrap().acquisition_cost,
        None
    );

    // Bulk import carries the cost too.
    let imported = [holding("bonds", "2,000,000", days_ago(2), "1,950,000")
        .parse(today)
        .unwrap()];
    l.book.import(l.owner, &imported, &meta()).await.unwrap();
    let bond = l
        .book
        .list(l.owner)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.category == Category::Bonds)
        .unwrap();
    assert_eq!(bond.acquisition_cost.map(|c| c.get()), Some(1_950_000));
}

#[test]
fn valuation_forms_refuse_future_dates_and_bad_amounts() {
    let today = today_jst();
    let future = ValuationForm {
        valuation_date: iso_date(today + Duration::days(1)),
        amount: "1".into(),
    };
    assert_eq!(
        future.parse(today).unwrap_err().get("valuation_date"),
        Some(FieldError::FutureDate)
    );
    for (amount, error) in [
        ("-1,000", FieldError::NegativeAmount),
        ("1.5", FieldError::InvalidAmount),
        ("100,000,000,000,001", FieldError::AmountTooLarge),
    ] {
        let bad = ValuationForm {
            valuation_date: iso_date(today),
            amount: amount.into(),
        };
        assert_eq!(bad.parse(today).unwrap_err().get("amount"), Some(error));
    }
}
