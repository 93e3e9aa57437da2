//! The encrypted store on a local directory and on a real S3 server (moto).
use std::path::Path;

use documents::{CleanImage, DocumentError, ImageKind, UploadLimits, Vault, sanitize};
use object_store::ObjectStore;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use platform::config::{DocumentStoreKind, DocumentsConfig, SecretString};
use platform::crypto::{CryptoError, DataKey};
use platform::ids::DocumentId;
use testkit::images::*;
use testkit::s3::S3Server;

/// A clean PNG of patterned pixels, with what must not appear in the stored object: a raw
/// pixel row and the compressed image data.
fn patterned_png() -> (CleanImage, Vec<u8>, Vec<u8>) {
    let original = patterned_image(64, 32);
    let clean = sanitize(&encode_png(&original), &UploadLimits::default()).unwrap();
    let row = original.as_raw()[..64 * 3].to_vec();
    let idat = png_chunks(&clean.bytes)
        .into_iter()
        .find(|(kind, _)| kind == b"IDAT")
        .unwrap()
        .1;
    (clean, row, idat)
}

fn unreadable(result: Result<CleanImage, DocumentError>) -> bool {
    matches!(
        result,
        Err(DocumentError::Unreadable(CryptoError::Authentication))
    )
}

/// How a test reads and overwrites a stored object behind the vault's back.
trait RawAccess {
    async fn read(&self, key: &str) -> Option<Vec<u8>>;
    async fn write(&self, key: &str, bytes: Vec<u8>);
}

struct Directory<'a>(&'a Path);

impl RawAccess for Directory<'_> {
    async fn read(&self, key: &str) -> Option<Vec<u8>> {
        std::fs::read(self.0.join(key)).ok()
    }
    async fn write(&self, key: &str, bytes: Vec<u8>) {
        let path = self.0.join(key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

/// The bucket seen through a client of its own (signed requests, as moto wants them).
struct Bucket {
    client: AmazonS3,
    prefix: &'static str,
}

impl Bucket {
    fn new(server: &S3Server, bucket: &str, prefix: &'static str) -> Self {
        let client = AmazonS3Builder::new()
            .with_bucket_name(bucket)
            .with_region("ap-northeast-1")
            .with_endpoint(server.endpoint())
            .with_allow_http(true)
            .with_access_key_id("test-access-key")
            .with_secret_access_key("test-secret-key")
            .build()
            .unwrap();
        Self { client, prefix }
    }

    fn path(&self, key: &str) -> ObjectPath {
        ObjectPath::parse(format!("{}/{key}", self.prefix)).unwrap()
    }
}

impl RawAccess for Bucket {
    async fn read(&self, key: &str) -> Option<Vec<u8>> {
        match self.client.get(&self.path(key)).await {
            Ok(object) => Some(object.bytes().await.unwrap().to_vec()),
            Err(object_store::Error::NotFound { .. }) => None,
            Err(e) => panic!("{e}"),
        }
    }
    async fn write(&self, key: &str, bytes: Vec<u8>) {
        self.client
            .put(&self.path(key), bytes.into())
            .await
            .unwrap();
    }
}

/// The whole life of stored documents, against any store.
async fn exercise(vault: &Vault, raw: &impl RawAccess) {
    vault.probe().await.unwrap();
    let owner = DataKey::generate();
    let (png, row, idat) = patterned_png();
    let id = DocumentId::new();
    let stored = vault.put(&owner, id, &png).await.unwrap();
    assert_eq!(stored.kind, ImageKind::Png);
    assert_eq!(stored.size, png.bytes.len() as u64);
    assert!(
        stored.object_key.ends_with(&id.to_string()),
        "{}",
        stored.object_key
    );

    let object = raw.read(&stored.object_key).await.expect("object stored");
    assert!(object.len() > png.bytes.len());
    assert!(!contains(&object, PNG_MAGIC));
    assert!(!contains(&object, &idat[..32]));
    assert!(!contains(&object, &row[..32]));
    assert!(!contains(&object, b"IHDR"));

    assert_eq!(
        vault.get(&owner, id, &stored.object_key).await.unwrap(),
        png
    );

    // Another customer's key, or the owner's key once destroyed and replaced, opens nothing.
    assert!(unreadable(
        vault
            .get(&DataKey::generate(), id, &stored.object_key)
            .await
    ));

    // The object copied under another document does not open as that document.
    let other = DocumentId::new();
    let other_stored = vault.put(&owner, other, &png).await.unwrap();
    raw.write(&other_stored.object_key, object.clone()).await;
    assert!(unreadable(
        vault.get(&owner, other, &other_stored.object_key).await
    ));

    // One flipped byte anywhere in the sealed image fails authentication.
    let mut tampered = object.clone();
    let at = tampered.len() - 40;
    tampered[at] ^= 0x01;
    raw.write(&stored.object_key, tampered).await;
    assert!(unreadable(vault.get(&owner, id, &stored.object_key).await));
    raw.write(&stored.object_key, object).await;
    assert_eq!(
        vault.get(&owner, id, &stored.object_key).await.unwrap(),
        png
    );

    let jpeg = sanitize(
        &encode_jpeg(&patterned_image(40, 30)),
        &UploadLimits::default(),
    )
    .unwrap();
    let jpeg_id = DocumentId::new();
    let jpeg_stored = vault.put(&owner, jpeg_id, &jpeg).await.unwrap();
    assert_eq!(jpeg_stored.kind, ImageKind::Jpeg);
    let jpeg_object = raw.read(&jpeg_stored.object_key).await.unwrap();
    assert!(!contains(&jpeg_object, &[0xFF, 0xD8, 0xFF]));
    assert!(!contains(&jpeg_object, b"JFIF"));
    let back = vault
        .get(&owner, jpeg_id, &jpeg_stored.object_key)
        .await
        .unwrap();
    assert_eq!(back, jpeg);

    vault.delete(&stored.object_key).await.unwrap();
    assert!(raw.read(&stored.object_key).await.is_none());
    assert!(matches!(
        vault.get(&owner, id, &stored.object_key).await,
        Err(DocumentError::NotFound)
    ));
    vault.delete(&stored.object_key).await.unwrap();
    assert_eq!(
        vault
            .get(&owner, jpeg_id, &jpeg_stored.object_key)
            .await
            .unwrap(),
        jpeg
    );
}

#[tokio::test]
async fn local_directory_store() {
    let data_dir = tempfile::tempdir().unwrap();
    let vault = Vault::from_config(&DocumentsConfig::default(), data_dir.path()).unwrap();
    let dir = data_dir.path().join("documents");
    assert!(dir.is_dir(), "created at start");
    exercise(&vault, &Directory(&dir)).await;
}

#[tokio::test]
async fn local_store_in_a_configured_directory() {
    let data_dir = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let dir = elsewhere.path().join("kyc").join("images");
    let config = DocumentsConfig {
        local_dir: Some(dir.clone()),
        ..DocumentsConfig::default()
    };
    let vault = Vault::from_config(&config, data_dir.path()).unwrap();
    let (png, _, _) = patterned_png();
    let stored = vault
        .put(&DataKey::generate(), DocumentId::new(), &png)
        .await
        .unwrap();
    assert!(dir.join(&stored.object_key).is_file());
    assert!(!data_dir.path().join("documents").exists());
}

fn s3_config(server: &S3Server, bucket: &str, prefix: Option<&str>) -> DocumentsConfig {
    DocumentsConfig {
        store: DocumentStoreKind::S3,
        s3_bucket: Some(bucket.to_owned()),
        s3_endpoint: Some(server.endpoint().parse().unwrap()),
        s3_prefix: prefix.map(str::to_owned),
        s3_access_key_id: Some("test-access-key".to_owned()),
        s3_secret_access_key: Some(SecretString::new("test-secret-key".to_owned())),
        ..DocumentsConfig::default()
    }
}

#[tokio::test]
async fn s3_store() {
    let server = S3Server::start();
    server.create_bucket("documents");
    let data_dir = tempfile::tempdir().unwrap();
    let vault = Vault::from_config(
        &s3_config(&server, "documents", Some("kyc/uploads/")),
        data_dir.path(),
    )
    .unwrap();
    assert!(!data_dir.path().join("documents").exists());
    exercise(&vault, &Bucket::new(&server, "documents", "kyc/uploads")).await;
}

#[tokio::test]
async fn s3_probe_fails_for_a_missing_bucket() {
    let server = S3Server::start();
    server.create_bucket("present");
    let data_dir = tempfile::tempdir().unwrap();
    let present =
        Vault::from_config(&s3_config(&server, "present", None), data_dir.path()).unwrap();
    present.probe().await.unwrap();
    let missing = Vault::from_config(&s3_config(&server, "absent", None), data_dir.path()).unwrap();
    let err = missing.probe().await.unwrap_err();
    assert!(matches!(err, DocumentError::Storage(_)), "{err:?}");
    assert!(!err.is_refusal());
    let (png, _, _) = patterned_png();
    assert!(matches!(
        missing
            .put(&DataKey::generate(), DocumentId::new(), &png)
            .await,
        Err(DocumentError::Storage(_))
    ));
}

#[test]
fn s3_store_without_a_bucket_is_a_configuration_error() {
    let config = DocumentsConfig {
        store: DocumentStoreKind::S3,
        ..DocumentsConfig::default()
    };
    let err = Vault::from_config(&config, Path::new("/nonexistent")).unwrap_err();
    assert!(err.to_string().contains("documents.s3_bucket"), "{err}");
}
