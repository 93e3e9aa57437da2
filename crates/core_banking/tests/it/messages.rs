//! The bank-account messages exist in both catalogs and read differently per language.

use std::collections::BTreeSet;

use core_banking::{AccountNumber, AccountType, BranchCode, HolderName};
use platform::fields::FieldError;
use platform::i18n::Locale;

fn message_ids(locale: &str) -> BTreeSet<String> {
    let path = format!(
        "{}/../../web/locales/{locale}/banking.ftl",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
        .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim().to_owned()))
        .collect()
}

#[test]
fn both_catalogs_have_the_same_banking_messages() {
    let ja = message_ids("ja");
    let en = message_ids("en");
    assert_eq!(ja, en);
    for id in &ja {
        for locale in Locale::ALL {
            assert!(locale.has(id), "{id} missing in {locale:?}");
        }
    }
}

#[test]
fn every_refusal_of_an_account_field_has_its_own_message_in_both_languages() {
    let refusals = [
        BranchCode::parse("12").unwrap_err(),
        AccountNumber::parse("123456").unwrap_err(),
        AccountNumber::parse("123456a").unwrap_err(),
        HolderName::parse("Yamada").unwrap_err(),
        FieldError::HolderMismatch,
    ];
    let mut seen = BTreeSet::new();
    for refusal in refusals {
        let ja = refusal.message(Locale::Ja);
        let en = refusal.message(Locale::En);
        assert!(!ja.contains("Unknown localization"), "{refusal:?}: {ja}");
        assert!(!en.contains("Unknown localization"), "{refusal:?}: {en}");
        assert_ne!(ja, en, "{refusal:?}");
        assert!(seen.insert(ja), "{refusal:?} shares its message");
    }
    assert!(
        FieldError::AccountNumberLength
            .message(Locale::Ja)
            .contains('7')
    );
    assert!(
        FieldError::BranchCodeInvalid
            .message(Locale::En)
            .contains('3')
    );
    assert_eq!(AccountType::Ordinary.label(Locale::Ja), "普通");
}
