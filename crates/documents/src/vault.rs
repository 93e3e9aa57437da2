//! Encrypted storage of clean images in an object store: a local directory or an S3 bucket.
//!
//! Each document is sealed with its own random key; that key is stored in the same object,
//! wrapped by the owner's (the customer's) data key, which the caller passes in. Destroying the
//! customer's key therefore makes every copy of their documents unreadable, backups included
//! (crypto-shredding). The object holds:
//!
//! ```text
//! "ASDOC" | version (1) | kind (1) | width (u32 BE) | height (u32 BE)   — the header
//! wrapped key length (u16 BE) | document key wrapped by the owner's key
//! image sealed with the document key
//! ```
//!
//! The document ID and kind are bound into the wrapped key, and the ID and whole header into
//! the sealed image, as associated data: an object copied under another document, or with its
//! header edited, fails to open.

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::prefix::PrefixStore;
use object_store::{ClientOptions, ObjectStore, RetryConfig};
use platform::config::{DocumentStoreKind, DocumentsConfig};
use platform::crypto::{CryptoError, DataKey};
use platform::ids::DocumentId;

use crate::{CleanImage, DocumentError, ImageKind};

const MAGIC: &[u8] = b"ASDOC";
const VERSION: u8 = 1;
const HEADER_LEN: usize = MAGIC.len() + 1 + 1 + 4 + 4;

/// Where a document was stored: what the caller records next to the document's ID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDocument {
    /// Key of the object in the store; made from the document ID only, no personal data.
    pub object_key: String,
    /// Format of the image.
    pub kind: ImageKind,
    /// Size of the clean image in bytes (the stored object is slightly larger).
    pub size: u64,
}

/// The encrypted document store.
#[derive(Clone)]
pub struct Vault {
    store: Arc<dyn ObjectStore>,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Vault({})", self.store)
    }
}

impl Vault {
    /// The store named by `[documents]`: a local directory (created if missing) or an S3 bucket.
    pub fn from_config(config: &DocumentsConfig, data_dir: &Path) -> Result<Self, DocumentError> {
        let store: Arc<dyn ObjectStore> = match config.store {
            DocumentStoreKind::Local => Arc::new(local_store(&config.local_dir(data_dir))?),
            DocumentStoreKind::S3 => {
                let s3 = s3_builder(config)?
                    .build()
                    .map_err(|e| DocumentError::Config {
                        key: "documents",
                        reason: e.to_string(),
                    })?;
                match config.s3_prefix.as_deref().map(|p| p.trim_matches('/')) {
                    Some(prefix) if !prefix.is_empty() => {
                        Arc::new(PrefixStore::new(s3, ObjectPath::from(prefix)))
                    }
                    _ => Arc::new(s3),
                }
            }
        };
        Ok(Self { store })
    }

    /// Encrypts and stores a clean image as document `id` of the owner whose key is given.
    #[tracing::instrument(skip_all, fields(document = %id))]
    pub async fn put(
        &self,
        owner: &DataKey,
        id: DocumentId,
        image: &CleanImage,
    ) -> Result<StoredDocument, DocumentError> {
        let object = seal(owner, id, image);
        let object_key = object_key(id);
        self.store
            .put(
                &ObjectPath::parse(&object_key).map_err(storage)?,
                object.into(),
            )
            .await
            .map_err(storage)?;
        Ok(StoredDocument {
            object_key,
            kind: image.kind,
            size: image.bytes.len() as u64,
        })
    }

    /// Reads and decrypts document `id`, stored under `object_key`, with its owner's key.
    #[tracing::instrument(skip_all, fields(document = %id))]
    pub async fn get(
        &self,
        owner: &DataKey,
        id: DocumentId,
        object_key: &str,
    ) -> Result<CleanImage, DocumentError> {
        let path = ObjectPath::parse(object_key).map_err(storage)?;
        let missing = |e: object_store::Error| match e {
            object_store::Error::NotFound { .. } => DocumentError::NotFound,
            other => DocumentError::Storage(other),
        };
        let object = self
            .store
            .get(&path)
            .await
            .map_err(missing)?
            .bytes()
            .await
            .map_err(missing)?;
        open(owner, id, &object)
    }

    /// Removes a stored document; removing one already gone succeeds.
    #[tracing::instrument(skip_all)]
    pub async fn delete(&self, object_key: &str) -> Result<(), DocumentError> {
        let path = ObjectPath::parse(object_key).map_err(storage)?;
        match self.store.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(DocumentError::Storage(e)),
        }
    }

    /// Readiness: one listing request, which fails when the store is unreachable, the bucket
    /// missing or the credentials refused.
    pub async fn probe(&self) -> Result<(), DocumentError> {
        match self.store.list(None).next().await {
            Some(Err(e)) => Err(storage(e)),
            Some(Ok(_)) | None => Ok(()),
        }
    }
}

fn storage(e: impl Into<object_store::Error>) -> DocumentError {
    DocumentError::Storage(e.into())
}

fn local_store(dir: &Path) -> Result<LocalFileSystem, DocumentError> {
    let config_error = |reason: String| DocumentError::Config {
        key: "documents.local_dir",
        reason,
    };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|e| config_error(format!("cannot create {}: {e}", dir.display())))?;
    LocalFileSystem::new_with_prefix(dir).map_err(|e| config_error(e.to_string()))
}

fn s3_builder(config: &DocumentsConfig) -> Result<AmazonS3Builder, DocumentError> {
    let bucket = config
        .s3_bucket
        .as_deref()
        .filter(|b| !b.trim().is_empty())
        .ok_or_else(|| DocumentError::Config {
            key: "documents.s3_bucket",
            reason: "required when documents.store is s3".to_owned(),
        })?;
    let mut builder = match (&config.s3_access_key_id, &config.s3_secret_access_key) {
        (Some(id), Some(secret)) => AmazonS3Builder::new()
            .with_access_key_id(id)
            .with_secret_access_key(secret.expose()),
        // Credentials from the environment: an ECS task role, an instance profile, variables.
        _ => AmazonS3Builder::from_env(),
    };
    builder = builder
        .with_bucket_name(bucket)
        .with_region(&config.s3_region)
        .with_client_options(
            ClientOptions::new()
                .with_connect_timeout(Duration::from_secs(5))
                .with_timeout(Duration::from_secs(60)),
        )
        .with_retry(RetryConfig {
            max_retries: 3,
            retry_timeout: Duration::from_secs(30),
            ..RetryConfig::default()
        });
    if let Some(endpoint) = &config.s3_endpoint {
        builder = builder
            .with_endpoint(endpoint.as_str().trim_end_matches('/'))
            .with_allow_http(endpoint.scheme() == "http");
    }
    Ok(builder)
}

/// `ab/<uuid>`: the ID's first byte spreads objects over 256 directories of a local store.
fn object_key(id: DocumentId) -> String {
    format!("{:02x}/{id}", id.as_uuid().as_bytes()[0])
}

fn kind_byte(kind: ImageKind) -> u8 {
    match kind {
        ImageKind::Jpeg => 1,
        ImageKind::Png => 2,
    }
}

fn key_aad(id: DocumentId, kind: ImageKind) -> Vec<u8> {
    format!("document-key/v{VERSION}/{id}/{}", kind.code()).into_bytes()
}

fn image_aad(id: DocumentId, header: &[u8]) -> Vec<u8> {
    let mut aad = format!("document/{id}/").into_bytes();
    aad.extend_from_slice(header);
    aad
}

fn seal(owner: &DataKey, id: DocumentId, image: &CleanImage) -> Vec<u8> {
    let mut header = Vec::with_capacity(HEADER_LEN);
    header.extend_from_slice(MAGIC);
    header.push(VERSION);
    header.push(kind_byte(image.kind));
    header.extend_from_slice(&image.width.to_be_bytes());
    header.extend_from_slice(&image.height.to_be_bytes());
    let document_key = DataKey::generate();
    let wrapped = owner.wrap(&document_key, &key_aad(id, image.kind));
    let sealed = document_key.seal(&image.bytes, &image_aad(id, &header));
    let mut object = header;
    // A wrapped 256-bit key is 61 bytes: its length always fits.
    object.extend_from_slice(&(wrapped.len() as u16).to_be_bytes());
    object.extend_from_slice(&wrapped);
    object.extend_from_slice(&sealed);
    object
}

fn open(owner: &DataKey, id: DocumentId, object: &[u8]) -> Result<CleanImage, DocumentError> {
    let format = || DocumentError::Unreadable(CryptoError::Format);
    let header = object.get(..HEADER_LEN).ok_or_else(format)?;
    if !header.starts_with(MAGIC) || header[MAGIC.len()] != VERSION {
        return Err(format());
    }
    let kind = match header[MAGIC.len() + 1] {
        1 => ImageKind::Jpeg,
        2 => ImageKind::Png,
        _ => return Err(format()),
    };
    let number = |at: usize| {
        header
            .get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_be_bytes)
            .ok_or_else(format)
    };
    let width = number(MAGIC.len() + 2)?;
    let height = number(MAGIC.len() + 6)?;
    let rest = &object[HEADER_LEN..];
    let wrapped_len = rest
        .get(..2)
        .and_then(|b| b.try_into().ok())
        .map(u16::from_be_bytes)
        .ok_or_else(format)?;
    let (wrapped, sealed) = rest
        .get(2..)
        .filter(|r| r.len() >= usize::from(wrapped_len))
        .map(|r| r.split_at(usize::from(wrapped_len)))
        .ok_or_else(format)?;
    let document_key = owner.unwrap(wrapped, &key_aad(id, kind))?;
    let bytes = document_key.open(sealed, &image_aad(id, header))?;
    Ok(CleanImage {
        kind,
        bytes,
        width,
        height,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn image() -> CleanImage {
        CleanImage {
            kind: ImageKind::Png,
            bytes: b"clean image bytes".to_vec(),
            width: 3,
            height: 2,
        }
    }

    #[test]
    fn objects_open_only_for_their_document_and_owner() {
        let owner = DataKey::generate();
        let id = DocumentId::new();
        let object = seal(&owner, id, &image());
        assert_eq!(open(&owner, id, &object).unwrap(), image());
        assert!(matches!(
            open(&owner, DocumentId::new(), &object),
            Err(DocumentError::Unreadable(CryptoError::Authentication))
        ));
        assert!(matches!(
            open(&DataKey::generate(), id, &object),
            Err(DocumentError::Unreadable(CryptoError::Authentication))
        ));
    }

    #[test]
    fn an_edited_header_or_short_object_does_not_open() {
        let owner = DataKey::generate();
        let id = DocumentId::new();
        let object = seal(&owner, id, &image());
        let mut wider = object.clone();
        wider[MAGIC.len() + 5] ^= 1;
        assert!(matches!(
            open(&owner, id, &wider),
            Err(DocumentError::Unreadable(CryptoError::Authentication))
        ));
        let mut other_kind = object.clone();
        other_kind[MAGIC.len() + 1] = kind_byte(ImageKind::Jpeg);
        assert!(matches!(
            open(&owner, id, &other_kind),
            Err(DocumentError::Unreadable(CryptoError::Authentication))
        ));
        let mut unknown_version = object.clone();
        unknown_version[MAGIC.len()] = 9;
        assert!(matches!(
            open(&owner, id, &unknown_version),
            Err(DocumentError::Unreadable(CryptoError::Format))
        ));
        for len in [0, HEADER_LEN, HEADER_LEN + 2, HEADER_LEN + 40] {
            assert!(matches!(
                open(&owner, id, &object[..len]),
                Err(DocumentError::Unreadable(_))
            ));
        }
    }

    #[test]
    fn object_keys_carry_only_the_document_id() {
        let id: DocumentId = "3f2a0000-0000-4000-8000-000000000001".parse().unwrap();
        assert_eq!(object_key(id), "3f/3f2a0000-0000-4000-8000-000000000001");
    }
}
