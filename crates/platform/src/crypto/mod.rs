//! Encryption at rest.
//!
//! Envelope encryption: every customer has a random 256-bit data key; personal fields are sealed
//! with it (AES-256-GCM, the row and column bound in as associated data so ciphertexts cannot be
//! moved between rows); the data key is stored only wrapped by the master key. Destroying a
//! customer's wrapped data key makes every copy of their fields unreadable (crypto-shredding).

mod envelope;
mod keyring;
mod master_key;
pub mod stream;
mod token;

pub use envelope::{DataKey, Sealed};
pub use keyring::{EmailIndex, Keyring, KeyringError, customer_aad};
pub use master_key::{MasterKey, MasterKeyError};
pub use token::SecretToken;

/// A ciphertext could not be opened or produced.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// Wrong key, tampered bytes or a ciphertext moved to another row.
    #[error("ciphertext failed authentication")]
    Authentication,
    /// The bytes are not in the sealed format.
    #[error("ciphertext has an unknown format")]
    Format,
}
