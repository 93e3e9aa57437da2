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

use futures::StreamExt;
use object_store::ObjectStore;
use object_store::path::Path as ObjectPath;
use platform::config::{DocumentStoreKind, DocumentsConfig, S3Location};
use platform::crypto::{CryptoError, DataKey};
use platform::ids::DocumentId;

use crate::{CleanImage, DocumentError, ImageKind, stores};

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
        let store = match config.store {
            DocumentStoreKind::Local => {
                stores::local(&config.local_dir(data_dir), "documents.local_dir")?
            }
            DocumentStoreKind::S3 => stores::s3(&s3_location(config)?, "documents")?,
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
        let object = self.read_sealed(object_key).await?;
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

    /// The stored (still sealed) object under `object_key`, for backups: it stays encrypted
    /// with its owner's key wherever it is copied.
    pub async fn read_sealed(&self, object_key: &str) -> Result<bytes::Bytes, DocumentError> {
        let path = ObjectPath::parse(object_key).map_err(storage)?;
        let missing = |e: object_store::Error| match e {
            object_store::Error::NotFound { .. } => DocumentError::NotFound,
            other => DocumentError::Storage(other),
        };
        self.store
            .get(&path)
            .await
            .map_err(missing)?
            .bytes()
            .await
            .map_err(missing)
    }

    /// Stores a sealed object exactly as [`Vault::read_sealed`] returned it, for restores.
    pub async fn write_sealed(
        &self,
        object_key: &str,
        object: bytes::Bytes,
    ) -> Result<(), DocumentError> {
        let path = ObjectPath::parse(object_key).map_err(storage)?;
        self.store
            .put(&path, object.into())
            .await
            .map_err(storage)?;
        Ok(())
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

fn s3_location(config: &DocumentsConfig) -> Result<S3Location, DocumentError> {
    let bucket = config
        .s3_bucket
        .as_deref()
        .filter(|b| !b.trim().is_empty())
        .ok_or_else(|| DocumentError::Config {
            key: "documents.s3_bucket",
            reason: "required when documents.store is s3".to_owned(),
        })?;
    Ok(S3Location {
        bucket: bucket.to_owned(),
        region: config.s3_region.clone(),
        endpoint: config.s3_endpoint.clone(),
        prefix: config.s3_prefix.clone(),
        access_key_id: config.s3_access_key_id.clone(),
        secret_access_key: config.s3_secret_access_key.clone(),
    })
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
