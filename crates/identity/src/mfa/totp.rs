//! Time-based one-time passwords (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps, one step of
//! clock drift either way), as every authenticator app speaks them, and recovery codes.

use data_encoding::BASE32_NOPAD;
use rand::RngCore;
use rand::rngs::OsRng;
use totp_rs::{Builder, Totp};

/// Seconds per step.
const STEP: u64 = 30;

/// A new random 160-bit secret, the length RFC 4226 recommends.
pub(crate) fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; 20];
    OsRng.fill_bytes(&mut secret);
    secret
}

fn totp(secret: &[u8], account: &str) -> Option<Totp> {
    Builder::new()
        .with_secret(secret.to_vec())
        .with_step_duration(STEP)
        .with_skew(1)
        .with_issuer(Some("assetstatus"))
        .with_account_name(account.replace(':', " "))
        .build()
        .ok()
}

/// The `otpauth://` URI an authenticator app scans, and the secret for typing in by hand.
pub(crate) fn enrolment(secret: &[u8], account: &str) -> Option<(String, String)> {
    let uri = totp(secret, account)?.to_url().ok()?;
    Some((uri, BASE32_NOPAD.encode(secret)))
}

/// The step a code belongs to, if it is right at `now` (Unix seconds). The caller refuses
/// steps at or before the last one used, so a code works once.
pub(crate) fn matching_step(secret: &[u8], code: &str, now: u64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    totp(secret, "-")?
        .check(&code, now)
        .and_then(|step| i64::try_from(step).ok())
}

/// How many recovery codes a customer gets.
pub(crate) const RECOVERY_CODES: usize = 10;

/// A recovery code: 10 characters of Crockford-like base32 (50 bits), shown as `XXXXX-XXXXX`.
pub(crate) fn new_recovery_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTVWXYZ23456789";
    let mut bytes = [0u8; 10];
    OsRng.fill_bytes(&mut bytes);
    let chars: String = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    format!("{}-{}", &chars[..5], &chars[5..])
}

/// The form a recovery code is compared in: upper case, without separators or spaces.
pub(crate) fn normalise_recovery_code(input: &str) -> String {
    input
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_their_step_within_one_step_of_drift() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let code = totp(&secret, "a").unwrap().generate(now).to_string();
        let step = (now / STEP) as i64;
        assert_eq!(matching_step(&secret, &code, now), Some(step));
        assert_eq!(matching_step(&secret, &code, now + STEP), Some(step));
        assert_eq!(matching_step(&secret, &code, now + 3 * STEP), None);
        assert_eq!(matching_step(&secret, "12345", now), None);
        assert_eq!(matching_step(&secret, "abcdef", now), None);
        assert_eq!(matching_step(&new_secret(), &code, now), None);
    }

    #[test]
    fn enrolment_uri_names_the_issuer_and_account() {
        let (uri, key) = enrolment(&[7u8; 20], "taro@example.jp").unwrap();
        assert!(
            uri.starts_with("otpauth://totp/assetstatus:taro%40example.jp?"),
            "{uri}"
        );
        assert_eq!(BASE32_NOPAD.decode(key.as_bytes()).unwrap(), vec![7u8; 20]);
    }

    #[test]
    fn recovery_codes_are_distinct_and_normalise() {
        let a = new_recovery_code();
        assert_eq!(a.len(), 11);
        assert_ne!(a, new_recovery_code());
        assert_eq!(
            normalise_recovery_code(&a.to_lowercase().replace('-', " ")),
            a.replace('-', "")
        );
    }
}
