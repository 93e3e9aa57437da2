//! The master key: the root of the key hierarchy, held in a file only the service account can
//! read. It never encrypts data itself; it wraps data keys.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::{CryptoError, DataKey};

/// Why the master key cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum MasterKeyError {
    /// The file lets other users read or write it.
    #[error(
        "master key file {path} has mode {mode:o}; it must be readable by its owner only (chmod 600)"
    )]
    Permissions {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The file does not hold a key.
    #[error("master key file {path} is corrupt: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: &'static str,
    },
    /// The file is missing while the database already holds keys wrapped by it.
    #[error(
        "master key file {path} is missing but the database holds encrypted data; restore the key file from its safe copy"
    )]
    Missing {
        /// The file.
        path: PathBuf,
    },
    /// The key does not unwrap the keys stored in the database.
    #[error("master key in {path} does not match this database")]
    Mismatch {
        /// The file.
        path: PathBuf,
    },
    /// Reading or writing the file failed.
    #[error("cannot use master key file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
}

/// A 256-bit key-encryption key.
pub struct MasterKey {
    wrapping: DataKey,
    path: PathBuf,
}

impl MasterKey {
    /// Loads the key file, or creates it (mode 0600, in a 0700 directory) when `may_create`.
    pub fn load_or_create(path: &Path, may_create: bool) -> Result<Self, MasterKeyError> {
        let io = |source| MasterKeyError::Io {
            path: path.to_owned(),
            source,
        };
        match fs::metadata(path) {
            Ok(meta) => {
                let mode = meta.permissions().mode() & 0o777;
                if mode & 0o077 != 0 {
                    return Err(MasterKeyError::Permissions {
                        path: path.to_owned(),
                        mode,
                    });
                }
                let text = Zeroizing::new(fs::read_to_string(path).map_err(io)?);
                Self::parse(path, text.trim())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && may_create => Self::create(path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(MasterKeyError::Missing {
                path: path.to_owned(),
            }),
            Err(e) => Err(io(e)),
        }
    }

    fn parse(path: &Path, hex_text: &str) -> Result<Self, MasterKeyError> {
        let corrupt = |reason| MasterKeyError::Corrupt {
            path: path.to_owned(),
            reason,
        };
        let bytes = Zeroizing::new(hex::decode(hex_text).map_err(|_| corrupt("not hexadecimal"))?);
        let wrapping = DataKey::from_bytes(&bytes).map_err(|_| corrupt("not 32 bytes long"))?;
        Ok(Self {
            wrapping,
            path: path.to_owned(),
        })
    }

    fn create(path: &Path) -> Result<Self, MasterKeyError> {
        let io = |source| MasterKeyError::Io {
            path: path.to_owned(),
            source,
        };
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(io)?;
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(io)?;
        }
        let key = DataKey::generate();
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(io)?;
        let text = Zeroizing::new(hex::encode(key.as_bytes()));
        file.write_all(text.as_bytes()).map_err(io)?;
        file.write_all(b"\n").map_err(io)?;
        file.sync_all().map_err(io)?;
        Ok(Self {
            wrapping: key,
            path: path.to_owned(),
        })
    }

    /// Where the key came from, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A short public fingerprint of the key, to tell keys apart without revealing them.
    pub fn fingerprint(&self) -> String {
        hex::encode(&Sha256::digest(self.wrapping.as_bytes())[..8])
    }

    /// Wraps a data key; `aad` names its owner.
    pub fn wrap(&self, key: &DataKey, aad: &[u8]) -> Vec<u8> {
        self.wrapping.seal(key.as_bytes(), aad)
    }

    /// Unwraps what [`MasterKey::wrap`] produced.
    pub fn unwrap_key(&self, wrapped: &[u8], aad: &[u8]) -> Result<DataKey, CryptoError> {
        let bytes = Zeroizing::new(self.wrapping.open(wrapped, aad)?);
        DataKey::from_bytes(&bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_a_private_key_file_and_loads_it_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/master.key");
        let created = MasterKey::load_or_create(&path, true).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let loaded = MasterKey::load_or_create(&path, false).unwrap();
        assert_eq!(created.fingerprint(), loaded.fingerprint());
        let dk = DataKey::generate();
        let wrapped = created.wrap(&dk, b"c1");
        assert_eq!(
            loaded.unwrap_key(&wrapped, b"c1").unwrap().as_bytes(),
            dk.as_bytes()
        );
    }

    #[test]
    fn refuses_a_key_file_others_can_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        MasterKey::load_or_create(&path, true).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let err = MasterKey::load_or_create(&path, false).err().unwrap();
        assert!(
            matches!(err, MasterKeyError::Permissions { mode: 0o644, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("chmod 600"));
    }

    #[test]
    fn refuses_corrupt_and_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&path)
            .unwrap();
        fs::write(&path, "zz-not-hex").unwrap();
        assert!(matches!(
            MasterKey::load_or_create(&path, false),
            Err(MasterKeyError::Corrupt { .. })
        ));
        fs::write(&path, "abcd").unwrap();
        assert!(matches!(
            MasterKey::load_or_create(&path, false),
            Err(MasterKeyError::Corrupt { .. })
        ));
        let missing = dir.path().join("none.key");
        assert!(matches!(
            MasterKey::load_or_create(&missing, false),
            Err(MasterKeyError::Missing { .. })
        ));
    }
}
