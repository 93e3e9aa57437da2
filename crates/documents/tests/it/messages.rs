//! Every error reads as a sentence in both languages, from `web/locales/*/documents.ftl`.
use std::collections::BTreeSet;

use documents::{DocumentError, UploadLimits, sanitize};
use platform::crypto::CryptoError;
use platform::i18n::Locale;

/// Message IDs of a locale's catalog, each with whether it takes arguments.
fn messages(locale: &str) -> BTreeSet<(String, bool)> {
    let path = format!(
        "{}/../../web/locales/{locale}/documents.ftl",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim().to_owned(), v.contains("{ $")))
        .collect()
}

#[test]
fn both_catalogs_have_the_same_messages() {
    let ja = messages("ja");
    assert_eq!(ja, messages("en"));
    assert!(ja.len() >= 10, "{ja:?}");
    // `has` resolves without arguments, so it finds only the messages that take none.
    for (key, _) in ja.iter().filter(|(_, takes_arguments)| !takes_arguments) {
        assert!(
            Locale::Ja.has(key) && Locale::En.has(key),
            "{key} not loaded"
        );
    }
}

#[test]
fn every_error_has_a_message_in_each_language() {
    let undecodable = {
        let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
        png.extend_from_slice(&[0, 0, 0, 13, b'I', b'H', b'D', b'R']);
        png.extend_from_slice(&[0, 0, 0, 4, 0, 0, 0, 4, 8, 2, 0, 0, 0]);
        png.extend_from_slice(&[0, 0, 0, 0]);
        png.extend_from_slice(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0, 0, 0, 0]);
        sanitize(&png, &UploadLimits::default()).unwrap_err()
    };
    assert!(
        matches!(undecodable, DocumentError::Decode(_)),
        "{undecodable:?}"
    );
    let errors = [
        DocumentError::Empty,
        DocumentError::TooLarge {
            max_bytes: 10_000_000,
        },
        DocumentError::UnsupportedType,
        DocumentError::Pdf,
        DocumentError::Polyglot { signature: "ZIP" },
        DocumentError::Truncated,
        DocumentError::TooManyPixels {
            width: 1,
            height: 1,
        },
        DocumentError::TooMuchData {
            decoded_bytes: 288_000_000,
            max_decoded_bytes: 40_000_000,
        },
        DocumentError::Busy {
            retry_after_secs: 5,
        },
        undecodable,
        DocumentError::NotFound,
        DocumentError::Unreadable(CryptoError::Authentication),
        DocumentError::Config {
            key: "documents.local_dir",
            reason: "read-only".into(),
        },
    ];
    let mut seen = BTreeSet::new();
    for err in &errors {
        let ja = err.message(Locale::Ja);
        let en = err.message(Locale::En);
        assert!(
            !ja.contains("error-document") && !ja.is_empty(),
            "{err:?}: {ja}"
        );
        assert!(
            !en.contains("error-document") && !en.is_empty(),
            "{err:?}: {en}"
        );
        assert_ne!(ja, en, "{err:?}");
        assert!(ja.ends_with('。'), "{err:?}: {ja}");
        assert!(en.ends_with('.'), "{err:?}: {en}");
        seen.insert(ja);
    }
    // Refusals each have their own message; failures on our side share one.
    assert_eq!(seen.len(), errors.len() - 1);
    let ours = DocumentError::Unreadable(CryptoError::Format);
    assert!(!ours.is_refusal());
    assert!(!ours.message(Locale::Ja).contains("Format"));
}
