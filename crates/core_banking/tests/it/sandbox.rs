//! The sandbox through the interface the application holds: `Arc<dyn CoreBanking>`.

use std::sync::Arc;

use core_banking::{
    AccountNumber, AccountRef, AccountType, BranchCode, CoreBanking, CoreBankingError, Currency,
    HISTORY_DAYS, HolderName, SandboxCoreBanking, Transaction,
};
use time::macros::{date, datetime};
use time::{Date, Duration, OffsetDateTime};

/// Noon in Tokyo on a Wednesday; sandboxes built at this instant must agree on everything.
const NOW: OffsetDateTime = datetime!(2026-04-22 12:00 +09:00);
const TODAY: Date = date!(2026 - 04 - 22);

fn account(branch: &str, kind: AccountType, number: &str) -> AccountRef {
    AccountRef {
        branch: BranchCode::parse(branch).unwrap(),
        kind,
        number: AccountNumber::parse(number).unwrap(),
    }
}

fn ordinary(number: &str) -> AccountRef {
    account("123", AccountType::Ordinary, number)
}

fn sandbox() -> Arc<dyn CoreBanking> {
    Arc::new(SandboxCoreBanking::at(NOW))
}

/// Every transaction's balance follows from the one before it.
fn assert_chained(transactions: &[Transaction]) {
    for pair in transactions.windows(2) {
        let (newer, older) = (&pair[0], &pair[1]);
        assert!(newer.date >= older.date, "not newest first");
        assert_eq!(
            newer.balance_after,
            older.balance_after + newer.amount,
            "balance does not chain on {}",
            newer.date
        );
    }
}

#[tokio::test]
async fn two_sandboxes_give_the_same_data() {
    let (a, b) = (sandbox(), sandbox());
    let acct = ordinary("0012345");
    assert_eq!(
        a.account(&acct).await.unwrap(),
        b.account(&acct).await.unwrap()
    );
    assert_eq!(
        a.balance(&acct).await.unwrap(),
        b.balance(&acct).await.unwrap()
    );
    assert_eq!(
        a.transactions(&acct, 500).await.unwrap(),
        b.transactions(&acct, 500).await.unwrap()
    );
    assert_eq!(
        a.balance_history(&acct, 365).await.unwrap(),
        b.balance_history(&acct, 365).await.unwrap()
    );
}

#[tokio::test]
async fn different_accounts_differ() {
    let bank = sandbox();
    let base = bank.transactions(&ordinary("0012345"), 100).await.unwrap();
    for other in [
        ordinary("0012346"),
        account("124", AccountType::Ordinary, "0012345"),
        account("123", AccountType::Current, "0012345"),
    ] {
        let theirs = bank.transactions(&other, 100).await.unwrap();
        assert_ne!(base, theirs, "{other}");
    }
}

#[tokio::test]
async fn past_days_keep_their_transactions_as_the_calendar_moves_on() {
    let acct = ordinary("7654321");
    let today = sandbox().transactions(&acct, 10_000).await.unwrap();
    let later = SandboxCoreBanking::at(NOW + Duration::days(40))
        .transactions(&acct, 10_000)
        .await
        .unwrap();
    let shared: Vec<&Transaction> = later
        .iter()
        .filter(|t| t.date <= TODAY && t.date >= TODAY - Duration::days(300))
        .collect();
    let before: Vec<&Transaction> = today
        .iter()
        .filter(|t| t.date >= TODAY - Duration::days(300))
        .collect();
    assert!(!before.is_empty());
    assert_eq!(shared, before);
}

#[tokio::test]
async fn a_year_of_salary_rent_utilities_cards_atm_and_transfers() {
    let bank = sandbox();
    let mut descriptions = Vec::new();
    for number in ["0012345", "1234567", "7654321", "0000001", "5550001"] {
        let transactions = bank.transactions(&ordinary(number), 10_000).await.unwrap();
        let salaries: Vec<&Transaction> = transactions
            .iter()
            .filter(|t| t.description.starts_with("給与　"))
            .collect();
        assert!(
            (12..=14).contains(&salaries.len()),
            "{number}: {} salaries",
            salaries.len()
        );
        assert!(salaries.iter().all(|t| t.amount > 150_000));
        let oldest = transactions.last().unwrap().date;
        assert!(oldest >= TODAY - Duration::days(i64::from(HISTORY_DAYS) - 1));
        assert!(oldest <= TODAY - Duration::days(365));
        assert!(
            transactions
                .iter()
                .all(|t| t.date <= TODAY && t.amount != 0)
        );
        descriptions.extend(transactions.into_iter().map(|t| t.description));
    }
    for expected in ["デンキ", "ガス", "スイドウ", "ATM", "利息"] {
        assert!(descriptions.iter().any(|d| d == expected), "{expected}");
    }
    for prefix in ["振込　", "賞与　"] {
        assert!(
            descriptions.iter().any(|d| d.starts_with(prefix)),
            "{prefix}"
        );
    }
    assert!(
        descriptions
            .iter()
            .any(|d| d.ends_with("カード") || d.ends_with("クレジツト"))
    );
}

#[tokio::test]
async fn balances_are_consistent_with_transactions_and_never_negative() {
    let bank = sandbox();
    for n in 0..40 {
        let kind = if n % 4 == 0 {
            AccountType::Current
        } else {
            AccountType::Ordinary
        };
        let acct = account("001", kind, &format!("{:07}", 123_457 * n + 17));
        let transactions = bank.transactions(&acct, 10_000).await.unwrap();
        assert_chained(&transactions);
        assert!(transactions.iter().all(|t| t.balance_after >= 0), "{acct}");
        let balance = bank.balance(&acct).await.unwrap();
        assert_eq!(balance.ledger, transactions[0].balance_after, "{acct}");
        assert!((0..=balance.ledger).contains(&balance.available), "{acct}");
        assert_eq!(balance.as_of, NOW);
        assert_eq!(
            transactions.iter().any(|t| t.description == "利息"),
            kind == AccountType::Ordinary,
            "interest is paid on ordinary accounts only: {acct}"
        );

        let history = bank.balance_history(&acct, HISTORY_DAYS).await.unwrap();
        assert!(history.iter().all(|(_, yen)| *yen >= 0));
        assert_eq!(history.last().unwrap(), &(TODAY, balance.ledger));
        // Each day ends with the balance after its last transaction.
        for (day, yen) in &history {
            if let Some(last) = transactions.iter().find(|t| t.date <= *day) {
                assert_eq!(*yen, last.balance_after, "{acct} on {day}");
            }
        }
    }
}

#[tokio::test]
async fn limits_and_ordering_of_transactions() {
    let bank = sandbox();
    let acct = ordinary("0012345");
    let all = bank.transactions(&acct, 10_000).await.unwrap();
    let five = bank.transactions(&acct, 5).await.unwrap();
    assert_eq!(five.len(), 5);
    assert_eq!(five, all[..5]);
    assert!(bank.transactions(&acct, 0).await.unwrap().is_empty());
    assert!(all.len() > 65, "{} transactions", all.len());
}

#[tokio::test]
async fn history_has_one_balance_per_day_oldest_first_ending_today() {
    let bank = sandbox();
    let acct = ordinary("0012345");
    for days in [1, 7, 30, 365] {
        let history = bank.balance_history(&acct, days).await.unwrap();
        assert_eq!(history.len(), days as usize);
        assert_eq!(history.last().unwrap().0, TODAY);
        assert_eq!(
            history.first().unwrap().0,
            TODAY - Duration::days(i64::from(days) - 1)
        );
        for pair in history.windows(2) {
            assert_eq!(pair[0].0.next_day(), Some(pair[1].0));
        }
    }
    assert!(bank.balance_history(&acct, 0).await.unwrap().is_empty());
    assert_eq!(
        bank.balance_history(&acct, 100_000).await.unwrap().len(),
        HISTORY_DAYS as usize
    );
}

#[tokio::test]
async fn numbers_starting_with_9999_are_not_found() {
    let bank = sandbox();
    let unknown = ordinary("9999123");
    assert_eq!(bank.account(&unknown).await.unwrap(), None);
    assert_eq!(
        bank.balance(&unknown).await,
        Err(CoreBankingError::NotFound)
    );
    assert_eq!(
        bank.transactions(&unknown, 10).await,
        Err(CoreBankingError::NotFound)
    );
    assert_eq!(
        bank.balance_history(&unknown, 10).await,
        Err(CoreBankingError::NotFound)
    );
    // Only the prefix: 9999 elsewhere in the number is an ordinary account.
    assert!(bank.account(&ordinary("0999912")).await.unwrap().is_some());
    assert!(bank.account(&ordinary("9990000")).await.unwrap().is_some());
}

#[tokio::test]
async fn every_other_well_formed_account_is_known() {
    let bank = sandbox();
    for acct in [
        ordinary("0000000"),
        account("999", AccountType::Current, "1234567"),
    ] {
        let found = bank.account(&acct).await.unwrap().unwrap();
        assert_eq!(found.kind, acct.kind);
        assert_eq!(found.currency, Currency::Jpy);
        assert!(found.opened_on < TODAY);
        assert!(!found.holder.as_str().is_empty());
    }
}

#[tokio::test]
async fn a_demo_account_can_carry_the_customers_own_name() {
    let acct = ordinary("0012345");
    let holder = HolderName::parse("ｽｽﾞｷ ｲﾁﾛｳ").unwrap();
    let bank = SandboxCoreBanking::at(NOW).with_holder(acct.clone(), holder.clone());
    assert_eq!(bank.account(&acct).await.unwrap().unwrap().holder, holder);
    let other = bank.account(&ordinary("0012346")).await.unwrap().unwrap();
    assert_ne!(other.holder.as_str(), "スズキ イチロウ");
}
