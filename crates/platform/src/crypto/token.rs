//! Secrets handed to clients (session IDs, verification and reset links): 256-bit random values,
//! of which the server keeps only the SHA-256 hash. A stolen database therefore yields no usable
//! token, and looking a token up by its hash leaks nothing through timing.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

/// A freshly generated secret and its hash.
pub struct SecretToken {
    /// What the client receives (URL-safe base64, 43 characters).
    pub plain: String,
    /// What the server stores.
    pub hash: Vec<u8>,
}

impl SecretToken {
    /// A new random token.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        let plain = URL_SAFE_NO_PAD.encode(bytes);
        let hash = Self::hash(&plain);
        Self { plain, hash }
    }

    /// The stored form of a token a client presented.
    pub fn hash(plain: &str) -> Vec<u8> {
        Sha256::digest(plain.as_bytes()).to_vec()
    }

    /// True when `plain` has the shape of a token, so garbage is refused before any lookup.
    pub fn is_well_formed(plain: &str) -> bool {
        plain.len() == 43
            && plain
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_well_formed_and_hashed() {
        let a = SecretToken::generate();
        let b = SecretToken::generate();
        assert_ne!(a.plain, b.plain);
        assert!(SecretToken::is_well_formed(&a.plain));
        assert!(!SecretToken::is_well_formed("../../etc/passwd"));
        assert_eq!(SecretToken::hash(&a.plain), a.hash);
        assert_ne!(a.hash, a.plain.as_bytes());
    }
}
