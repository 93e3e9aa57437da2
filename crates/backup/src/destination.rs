//! Where backups live: a local directory or an S3 bucket, laid out as
//!
//! ```text
//! <name>/archive    the sealed archive
//! <name>/manifest   written last: a backup without it is incomplete
//! keys/<customer>   each customer's data key, wrapped by the master key (see `escrow`)
//! ```
//!
//! Names start with the UTC time, so they sort oldest first.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use futures::StreamExt;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload, WriteMultipart};
use platform::config::{BackupConfig, S3Location};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::BackupError;

const ARCHIVE: &str = "archive";
const MANIFEST: &str = "manifest";
const KEYS: &str = "keys";

/// One place backups are written to or read from.
#[derive(Clone)]
pub struct Destination {
    label: String,
    store: Arc<dyn ObjectStore>,
}

impl std::fmt::Debug for Destination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label)
    }
}

/// A backup found at a destination.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    /// Its name.
    pub id: String,
    /// Whether its manifest is there.
    pub complete: bool,
}

impl Destination {
    /// A local directory, created (mode 0700) if missing.
    pub fn local(dir: &Path) -> Result<Self, BackupError> {
        Ok(Self {
            label: dir.display().to_string(),
            store: documents::stores::local(dir, "backup.local_dir")?,
        })
    }

    /// An S3 bucket.
    pub fn s3(location: &S3Location) -> Result<Self, BackupError> {
        let prefix = location.prefix.as_deref().unwrap_or("").trim_matches('/');
        Ok(Self {
            label: format!("s3://{}/{prefix}", location.bucket),
            store: documents::stores::s3(location, "backup.s3")?,
        })
    }

    /// The destinations `[backup]` names, local first.
    pub fn configured(config: &BackupConfig, data_dir: &Path) -> Result<Vec<Self>, BackupError> {
        let mut all = Vec::new();
        if config.local {
            all.push(Self::local(&config.local_dir(data_dir))?);
        }
        if let Some(s3) = &config.s3 {
            all.push(Self::s3(s3)?);
        }
        Ok(all)
    }

    /// Where it is, for messages (never credentials).
    pub fn label(&self) -> &str {
        &self.label
    }

    fn path(&self, parts: &[&str]) -> ObjectPath {
        ObjectPath::from_iter(parts.iter().copied())
    }

    fn fail(&self) -> impl Fn(object_store::Error) -> BackupError + '_ {
        BackupError::store(&self.label)
    }

    /// Every backup here, oldest first, complete or not.
    pub async fn list(&self) -> Result<Vec<Listed>, BackupError> {
        let top = self
            .store
            .list_with_delimiter(None)
            .await
            .map_err(self.fail())?;
        let mut found = Vec::new();
        for prefix in top.common_prefixes {
            let Some(id) = prefix.parts().last().map(|p| p.as_ref().to_owned()) else {
                continue;
            };
            if id == KEYS {
                continue;
            }
            let inside = self
                .store
                .list_with_delimiter(Some(&prefix))
                .await
                .map_err(self.fail())?;
            // An aborted upload can leave an empty directory behind in a local store.
            if inside.objects.is_empty() {
                continue;
            }
            let complete = inside
                .objects
                .iter()
                .any(|o| o.location.filename() == Some(MANIFEST));
            found.push(Listed { id, complete });
        }
        found.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(found)
    }

    /// Starts writing the archive of backup `id`.
    pub(crate) async fn start_archive(&self, id: &str) -> Result<WriteMultipart, BackupError> {
        let upload = self
            .store
            .put_multipart(&self.path(&[id, ARCHIVE]))
            .await
            .map_err(self.fail())?;
        Ok(WriteMultipart::new(upload))
    }

    /// Writes the manifest: the step that makes the backup count.
    pub(crate) async fn put_manifest(&self, id: &str, bytes: Vec<u8>) -> Result<(), BackupError> {
        self.store
            .put(&self.path(&[id, MANIFEST]), PutPayload::from(bytes))
            .await
            .map_err(self.fail())?;
        Ok(())
    }

    /// The manifest file of backup `id`.
    pub async fn manifest(&self, id: &str) -> Result<Bytes, BackupError> {
        match self.store.get(&self.path(&[id, MANIFEST])).await {
            Ok(got) => got.bytes().await.map_err(self.fail()),
            Err(object_store::Error::NotFound { .. }) => {
                match self.store.head(&self.path(&[id, ARCHIVE])).await {
                    Ok(_) => Err(BackupError::Incomplete { id: id.to_owned() }),
                    Err(_) => Err(BackupError::NotFound {
                        id: id.to_owned(),
                        location: self.label.clone(),
                    }),
                }
            }
            Err(e) => Err(self.fail()(e)),
        }
    }

    /// Copies the archive of backup `id` into `file`; returns its size and SHA-256.
    pub(crate) async fn download_archive(
        &self,
        id: &str,
        file: &Path,
        progress: &dyn crate::Progress,
    ) -> Result<(u64, String), BackupError> {
        let got = match self.store.get(&self.path(&[id, ARCHIVE])).await {
            Ok(got) => got,
            Err(object_store::Error::NotFound { .. }) => {
                return Err(BackupError::Damaged {
                    id: id.to_owned(),
                    reason: "the archive file is missing".to_owned(),
                });
            }
            Err(e) => return Err(self.fail()(e)),
        };
        progress.stage("download", got.meta.size);
        let mut out = tokio::fs::File::create(file)
            .await
            .map_err(BackupError::io(file))?;
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        let mut stream = got.into_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(self.fail())?;
            hasher.update(&chunk);
            size += chunk.len() as u64;
            out.write_all(&chunk).await.map_err(BackupError::io(file))?;
            progress.advance(chunk.len() as u64);
        }
        out.flush().await.map_err(BackupError::io(file))?;
        progress.done();
        Ok((size, hex::encode(hasher.finalize())))
    }

    /// Removes backup `id`: the manifest first, so a half-removed backup is never taken for
    /// a good one.
    pub async fn remove(&self, id: &str) -> Result<(), BackupError> {
        for name in [MANIFEST, ARCHIVE] {
            match self.store.delete(&self.path(&[id, name])).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(self.fail()(e)),
            }
        }
        Ok(())
    }

    /// Customers whose keys are escrowed here.
    pub(crate) async fn escrowed(&self) -> Result<Vec<String>, BackupError> {
        let mut listing = self.store.list(Some(&self.path(&[KEYS])));
        let mut ids = Vec::new();
        while let Some(meta) = listing.next().await {
            let meta = meta.map_err(self.fail())?;
            if let Some(id) = meta.location.filename() {
                ids.push(id.to_owned());
            }
        }
        Ok(ids)
    }

    /// The escrowed key of `customer`, if it is still there.
    pub(crate) async fn escrowed_key(&self, customer: &str) -> Result<Option<Bytes>, BackupError> {
        match self.store.get(&self.path(&[KEYS, customer])).await {
            Ok(got) => Ok(Some(got.bytes().await.map_err(self.fail())?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.fail()(e)),
        }
    }

    /// Escrows a customer's key.
    pub(crate) async fn escrow_key(&self, customer: &str, key: Vec<u8>) -> Result<(), BackupError> {
        self.store
            .put(&self.path(&[KEYS, customer]), PutPayload::from(key))
            .await
            .map_err(self.fail())?;
        Ok(())
    }

    /// Removes a destroyed customer key from escrow.
    pub(crate) async fn shred_key(&self, customer: &str) -> Result<(), BackupError> {
        match self.store.delete(&self.path(&[KEYS, customer])).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.fail()(e)),
        }
    }
}

/// A restore source: a backup directory (`…/backups/<name>`) or `s3://bucket/prefix/<name>`,
/// whose bucket is reached with the `[backup.s3]` settings (endpoint, region, credentials).
pub fn locate(source: &str, s3: Option<&S3Location>) -> Result<(Destination, String), BackupError> {
    let bad = || BackupError::Source(source.to_owned());
    if let Some(rest) = source.strip_prefix("s3://") {
        let rest = rest.trim_end_matches('/');
        let (bucket, path) = rest.split_once('/').ok_or_else(bad)?;
        let (prefix, id) = match path.rsplit_once('/') {
            Some((prefix, id)) => (Some(prefix.to_owned()), id),
            None => (None, path),
        };
        if bucket.is_empty() || id.is_empty() {
            return Err(bad());
        }
        let base = s3.cloned().unwrap_or(S3Location {
            bucket: String::new(),
            region: "ap-northeast-1".to_owned(),
            endpoint: None,
            prefix: None,
            access_key_id: None,
            secret_access_key: None,
        });
        let location = S3Location {
            bucket: bucket.to_owned(),
            prefix,
            ..base
        };
        return Ok((Destination::s3(&location)?, id.to_owned()));
    }
    let path = Path::new(source.trim_end_matches('/'));
    let id = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(bad)?
        .to_owned();
    let parent = path.parent().filter(|p| p.is_dir()).ok_or_else(bad)?;
    Ok((Destination::local(parent)?, id))
}
