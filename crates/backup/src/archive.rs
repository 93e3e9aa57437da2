//! The archive: a tar stream of table chunks and document objects, sealed in chunks as it is
//! written and sent to every destination at once, so no plaintext touches a disk. Read back
//! through the same seal, entry by entry.

use std::io::Read;
use std::path::PathBuf;

use object_store::WriteMultipart;
use platform::crypto::DataKey;
use platform::crypto::stream::{StreamOpener, StreamSealer};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use crate::manifest::{ArchiveEntry, archive_aad};
use crate::{BackupError, Destination};

/// Parts of the sealed stream each destination may have in flight.
const IN_FLIGHT: usize = 4;

/// One file inside the archive.
#[derive(Debug)]
pub struct Entry {
    /// `tables/<table>/<n>.jsonl` or `documents/<object key>`.
    pub name: String,
    /// Its bytes.
    pub data: Vec<u8>,
}

/// Prefix of table entries.
pub const TABLES: &str = "tables/";
/// Prefix of document entries.
pub const DOCUMENTS: &str = "documents/";

/// Writes one archive to several destinations.
pub struct ArchiveWriter {
    id: String,
    tar: tar::Builder<StreamSealer>,
    outlet: Outlet,
}

/// The uploads the sealed bytes go to, and the checksum of what went.
struct Outlet {
    uploads: Vec<(String, WriteMultipart)>,
    hasher: Sha256,
    bytes: u64,
}

impl ArchiveWriter {
    /// Opens the archive of backup `id` at every destination.
    pub async fn start(
        id: &str,
        key: &DataKey,
        destinations: &[Destination],
    ) -> Result<Self, BackupError> {
        let mut uploads = Vec::new();
        for destination in destinations {
            match destination.start_archive(id).await {
                Ok(upload) => uploads.push((destination.label().to_owned(), upload)),
                Err(e) => {
                    abort(uploads).await;
                    return Err(e);
                }
            }
        }
        let mut tar = tar::Builder::new(StreamSealer::new(key, &archive_aad(id)));
        tar.mode(tar::HeaderMode::Deterministic);
        Ok(Self {
            id: id.to_owned(),
            tar,
            outlet: Outlet {
                uploads,
                hasher: Sha256::new(),
                bytes: 0,
            },
        })
    }

    /// Appends one file and sends what has been sealed so far.
    pub async fn add(&mut self, name: &str, data: &[u8]) -> Result<(), BackupError> {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o600);
        if let Err(e) = self.tar.append_data(&mut header, name, data) {
            return Err(damaged(&self.id, "writing", e));
        }
        let sealed = self.tar.get_mut().take_sealed();
        self.outlet.ship(sealed).await
    }

    /// Seals the end of the archive and completes every upload.
    pub async fn finish(self) -> Result<ArchiveEntry, BackupError> {
        let Self {
            id,
            tar,
            mut outlet,
        } = self;
        let last = match tar.into_inner().and_then(StreamSealer::finish) {
            Ok(last) => last,
            Err(e) => {
                abort(outlet.uploads).await;
                return Err(damaged(&id, "ending", e));
            }
        };
        outlet.ship(last).await?;
        for (label, upload) in outlet.uploads {
            upload.finish().await.map_err(BackupError::store(&label))?;
        }
        Ok(ArchiveEntry {
            bytes: outlet.bytes,
            sha256: hex::encode(outlet.hasher.finalize()),
        })
    }

    /// Gives up: every destination drops what it received.
    pub async fn abort(self) {
        abort(self.outlet.uploads).await;
    }
}

impl Outlet {
    async fn ship(&mut self, sealed: Vec<u8>) -> Result<(), BackupError> {
        if sealed.is_empty() {
            return Ok(());
        }
        self.hasher.update(&sealed);
        self.bytes += sealed.len() as u64;
        for (label, upload) in &mut self.uploads {
            upload
                .wait_for_capacity(IN_FLIGHT)
                .await
                .map_err(BackupError::store(label))?;
            upload.write(&sealed);
        }
        Ok(())
    }
}

fn damaged(id: &str, doing: &str, e: std::io::Error) -> BackupError {
    BackupError::Damaged {
        id: id.to_owned(),
        reason: format!("{doing} the archive: {e}"),
    }
}

async fn abort(uploads: Vec<(String, WriteMultipart)>) {
    for (label, upload) in uploads {
        if let Err(e) = upload.abort().await {
            tracing::warn!(destination = %label, error = %e, "unfinished archive upload not removed");
        }
    }
}

/// Reads the archive in `file` entry by entry on a blocking thread; the entries arrive on the
/// returned channel, and a damaged stream ends it with an error.
pub fn read(id: &str, key: DataKey, file: PathBuf) -> mpsc::Receiver<Result<Entry, BackupError>> {
    let (tx, rx) = mpsc::channel(8);
    let id = id.to_owned();
    tokio::task::spawn_blocking(move || {
        if let Err(e) = read_entries(&id, &key, &file, &tx) {
            let _ = tx.blocking_send(Err(e));
        }
    });
    rx
}

fn read_entries(
    id: &str,
    key: &DataKey,
    file: &std::path::Path,
    tx: &mpsc::Sender<Result<Entry, BackupError>>,
) -> Result<(), BackupError> {
    let damaged = |e: std::io::Error| BackupError::Damaged {
        id: id.to_owned(),
        reason: e.to_string(),
    };
    let source = std::fs::File::open(file).map_err(BackupError::io(file))?;
    let opener = StreamOpener::new(key, &archive_aad(id), std::io::BufReader::new(source))
        .map_err(damaged)?;
    let mut archive = tar::Archive::new(opener);
    for entry in archive.entries().map_err(damaged)? {
        let mut entry = entry.map_err(damaged)?;
        let name = entry
            .path()
            .map_err(damaged)?
            .to_string_lossy()
            .into_owned();
        let mut data = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
        entry.read_to_end(&mut data).map_err(damaged)?;
        if tx.blocking_send(Ok(Entry { name, data })).is_err() {
            return Ok(());
        }
    }
    // The seal's last chunk proves the stream was not cut short: read to its end.
    std::io::copy(&mut archive.into_inner(), &mut std::io::sink()).map_err(damaged)?;
    Ok(())
}
