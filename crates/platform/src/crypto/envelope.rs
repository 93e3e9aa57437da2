//! Sealing and opening fields with a data key.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use rand::RngCore;
use rand::rngs::OsRng;
use zeroize::Zeroizing;

use super::CryptoError;

const VERSION: u8 = 1;
const NONCE_LEN: usize = 12;

/// A 256-bit AES-GCM key that is wiped from memory when dropped.
pub struct DataKey(Zeroizing<[u8; 32]>);

/// Bytes in the sealed format: version, random nonce, ciphertext with tag.
pub type Sealed = Vec<u8>;

impl DataKey {
    /// A fresh random key from the operating system's generator.
    pub fn generate() -> Self {
        let mut key = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(key.as_mut());
        Self(key)
    }

    /// A second copy of the key, for a second pass over data it sealed (each copy is wiped
    /// when dropped).
    pub fn duplicate(&self) -> Self {
        Self(self.0.clone())
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        let array: [u8; 32] = bytes.try_into().map_err(|_| CryptoError::Format)?;
        Ok(Self(Zeroizing::new(array)))
    }

    pub(crate) fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(self.0.as_ref()))
    }

    /// Encrypts `plaintext`; `aad` names where it belongs (row and column) and must be given
    /// again to open it.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Sealed {
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let mut out = Vec::with_capacity(1 + NONCE_LEN + plaintext.len() + 16);
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        // AES-GCM encryption fails only for inputs beyond 64 GiB, which no field comes near.
        if let Ok(ct) = self.cipher().encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        ) {
            out.extend_from_slice(&ct);
        }
        out
    }

    /// Decrypts what [`DataKey::seal`] produced with the same `aad`.
    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if sealed.len() < 1 + NONCE_LEN + 16 || sealed[0] != VERSION {
            return Err(CryptoError::Format);
        }
        let (nonce, ct) = sealed[1..].split_at(NONCE_LEN);
        self.cipher()
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad })
            .map_err(|_| CryptoError::Authentication)
    }

    /// [`DataKey::open`] for text fields.
    pub fn open_string(&self, sealed: &[u8], aad: &[u8]) -> Result<String, CryptoError> {
        String::from_utf8(self.open(sealed, aad)?).map_err(|_| CryptoError::Format)
    }

    /// Seals another key with this one, so that an object keeps its own key next to it and
    /// destroying this key makes the object unreadable (crypto-shredding of a whole file).
    pub fn wrap(&self, key: &DataKey, aad: &[u8]) -> Sealed {
        self.seal(key.as_bytes(), aad)
    }

    /// Opens a key sealed by [`DataKey::wrap`] with the same `aad`.
    pub fn unwrap(&self, sealed: &[u8], aad: &[u8]) -> Result<DataKey, CryptoError> {
        let bytes = Zeroizing::new(self.open(sealed, aad)?);
        DataKey::from_bytes(&bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_binds_associated_data() {
        let key = DataKey::generate();
        let sealed = key.seal("山田太郎".as_bytes(), b"customer:1/name");
        assert!(!sealed.windows(4).any(|w| w == &"山田".as_bytes()[..4]));
        assert_eq!(
            key.open_string(&sealed, b"customer:1/name").unwrap(),
            "山田太郎"
        );
        assert!(matches!(
            key.open(&sealed, b"customer:2/name"),
            Err(CryptoError::Authentication)
        ));
    }

    #[test]
    fn refuses_tampered_or_foreign_ciphertexts() {
        let key = DataKey::generate();
        let mut sealed = key.seal(b"1990-01-01", b"aad");
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(key.open(&sealed, b"aad").is_err());
        let other = DataKey::generate();
        assert!(other.open(&key.seal(b"x", b"aad"), b"aad").is_err());
        assert!(matches!(
            key.open(b"short", b"aad"),
            Err(CryptoError::Format)
        ));
    }

    #[test]
    fn wrapped_keys_open_only_with_the_wrapping_key_and_aad() {
        let owner = DataKey::generate();
        let document = DataKey::generate();
        let wrapped = owner.wrap(&document, b"document:1/jpeg");
        assert!(!wrapped.windows(8).any(|w| w == &document.as_bytes()[..8]));
        let opened = owner.unwrap(&wrapped, b"document:1/jpeg").unwrap();
        assert_eq!(opened.as_bytes(), document.as_bytes());
        let sealed = opened.seal(b"front side", b"aad");
        assert_eq!(document.open(&sealed, b"aad").unwrap(), b"front side");
        assert!(matches!(
            owner.unwrap(&wrapped, b"document:2/jpeg"),
            Err(CryptoError::Authentication)
        ));
        assert!(matches!(
            DataKey::generate().unwrap(&wrapped, b"document:1/jpeg"),
            Err(CryptoError::Authentication)
        ));
        let not_a_key = owner.seal(b"sixteen bytes!!!", b"aad");
        assert!(matches!(
            owner.unwrap(&not_a_key, b"aad"),
            Err(CryptoError::Format)
        ));
    }

    #[test]
    fn same_plaintext_seals_differently_each_time() {
        let key = DataKey::generate();
        assert_ne!(key.seal(b"same", b"a"), key.seal(b"same", b"a"));
    }
}
