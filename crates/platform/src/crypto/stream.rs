//! Encrypting a long stream (a backup archive) in authenticated chunks: the STREAM construction
//! over AES-256-GCM from the `aead` crate. Each 64 KiB chunk carries its own tag and counter,
//! and the last one is marked, so a flipped byte, reordered chunks or a stream cut short at any
//! point all fail to open.

use std::io::{self, Read, Write};

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::generic_array::GenericArray;
use aes_gcm::aead::stream::{DecryptorBE32, EncryptorBE32};
use aes_gcm::aead::{KeyInit, Payload};
use rand::RngCore;
use rand::rngs::OsRng;

use super::DataKey;

/// Plaintext bytes per chunk.
pub const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;
/// Bytes of the random nonce prefix written at the start of the stream.
const NONCE_PREFIX: usize = 7;

/// Encrypts what is written to it; the caller takes the ciphertext out as it grows.
pub struct StreamSealer {
    encryptor: Option<EncryptorBE32<Aes256Gcm>>,
    aad: Vec<u8>,
    plain: Vec<u8>,
    sealed: Vec<u8>,
}

impl StreamSealer {
    /// A stream under `key`; `aad` names what the stream is and must be given again to open it.
    pub fn new(key: &DataKey, aad: &[u8]) -> Self {
        let mut prefix = [0u8; NONCE_PREFIX];
        OsRng.fill_bytes(&mut prefix);
        let cipher = Aes256Gcm::new(GenericArray::from_slice(key.as_bytes()));
        Self {
            encryptor: Some(EncryptorBE32::from_aead(
                cipher,
                GenericArray::from_slice(&prefix),
            )),
            aad: aad.to_vec(),
            plain: Vec::with_capacity(CHUNK),
            sealed: prefix.to_vec(),
        }
    }

    /// The ciphertext produced so far and not yet taken.
    pub fn take_sealed(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.sealed)
    }

    /// Seals the last (possibly empty) chunk and returns the ciphertext not yet taken.
    pub fn finish(mut self) -> io::Result<Vec<u8>> {
        let encryptor = self.encryptor.take().ok_or_else(finished)?;
        let last = encryptor
            .encrypt_last(Payload {
                msg: &self.plain,
                aad: &self.aad,
            })
            .map_err(|_| io::Error::other("chunk could not be sealed"))?;
        self.sealed.extend_from_slice(&last);
        Ok(self.sealed)
    }

    fn seal_full_chunks(&mut self) -> io::Result<()> {
        while self.plain.len() >= CHUNK {
            let rest = self.plain.split_off(CHUNK);
            let encryptor = self.encryptor.as_mut().ok_or_else(finished)?;
            let chunk = encryptor
                .encrypt_next(Payload {
                    msg: &self.plain,
                    aad: &self.aad,
                })
                .map_err(|_| io::Error::other("chunk could not be sealed"))?;
            self.sealed.extend_from_slice(&chunk);
            self.plain = rest;
        }
        Ok(())
    }
}

fn finished() -> io::Error {
    io::Error::other("stream already finished")
}

impl Write for StreamSealer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.plain.extend_from_slice(buf);
        self.seal_full_chunks()?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Decrypts a stream written by [`StreamSealer`]. A damaged, foreign or shortened stream gives
/// an error of kind [`io::ErrorKind::InvalidData`] naming the chunk.
pub struct StreamOpener<R> {
    source: R,
    decryptor: Option<DecryptorBE32<Aes256Gcm>>,
    aad: Vec<u8>,
    ahead: Vec<u8>,
    plain: Vec<u8>,
    offset: usize,
    chunk: u64,
}

impl<R: Read> StreamOpener<R> {
    /// Reads the nonce prefix; fails when the stream is too short to hold one.
    pub fn new(key: &DataKey, aad: &[u8], mut source: R) -> io::Result<Self> {
        let mut prefix = [0u8; NONCE_PREFIX];
        source
            .read_exact(&mut prefix)
            .map_err(|_| invalid("the archive is empty or cut short"))?;
        let cipher = Aes256Gcm::new(GenericArray::from_slice(key.as_bytes()));
        Ok(Self {
            source,
            decryptor: Some(DecryptorBE32::from_aead(
                cipher,
                GenericArray::from_slice(&prefix),
            )),
            aad: aad.to_vec(),
            ahead: Vec::new(),
            plain: Vec::new(),
            offset: 0,
            chunk: 0,
        })
    }

    /// Reads one more chunk (plus one byte, to know whether it is the last).
    fn refill(&mut self) -> io::Result<()> {
        let Some(mut decryptor) = self.decryptor.take() else {
            return Ok(());
        };
        let want = CHUNK + TAG + 1;
        while self.ahead.len() < want {
            let mut buf = vec![0u8; want - self.ahead.len()];
            let n = self.source.read(&mut buf)?;
            if n == 0 {
                break;
            }
            self.ahead.extend_from_slice(&buf[..n]);
        }
        let chunk = self.chunk;
        let damaged = move |_| {
            invalid(&format!(
                "the archive is damaged, cut short or sealed with another key (chunk {chunk})"
            ))
        };
        self.plain = if self.ahead.len() == want {
            let rest = self.ahead.split_off(CHUNK + TAG);
            let plain = decryptor
                .decrypt_next(Payload {
                    msg: &self.ahead,
                    aad: &self.aad,
                })
                .map_err(damaged)?;
            self.ahead = rest;
            self.decryptor = Some(decryptor);
            plain
        } else {
            decryptor
                .decrypt_last(Payload {
                    msg: &self.ahead,
                    aad: &self.aad,
                })
                .map_err(damaged)?
        };
        self.offset = 0;
        self.chunk += 1;
        Ok(())
    }
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.to_owned())
}

impl<R: Read> Read for StreamOpener<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.offset == self.plain.len() {
            if self.decryptor.is_none() {
                return Ok(0);
            }
            self.refill()?;
        }
        let n = buf.len().min(self.plain.len() - self.offset);
        buf[..n].copy_from_slice(&self.plain[self.offset..self.offset + n]);
        self.offset += n;
        Ok(n)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn seal(key: &DataKey, plain: &[u8]) -> Vec<u8> {
        let mut sealer = StreamSealer::new(key, b"backup:1");
        let mut out = Vec::new();
        for piece in plain.chunks(10_000) {
            sealer.write_all(piece).unwrap();
            out.extend(sealer.take_sealed());
        }
        out.extend(sealer.finish().unwrap());
        out
    }

    fn open(key: &DataKey, aad: &[u8], sealed: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        StreamOpener::new(key, aad, sealed)?.read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn round_trips_streams_of_every_length_around_chunk_boundaries() {
        let key = DataKey::generate();
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 17] {
            let plain: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let sealed = seal(&key, &plain);
            assert_eq!(open(&key, b"backup:1", &sealed).unwrap(), plain, "{len}");
        }
    }

    #[test]
    fn flipped_bytes_cut_streams_and_foreign_keys_fail() {
        let key = DataKey::generate();
        let plain = vec![7u8; 2 * CHUNK + 100];
        let sealed = seal(&key, &plain);
        let mut flipped = sealed.clone();
        flipped[CHUNK + 50] ^= 1;
        let refused = |result: io::Result<Vec<u8>>| matches!(result, Err(e) if e.kind() == io::ErrorKind::InvalidData);
        assert!(refused(open(&key, b"backup:1", &flipped)));
        let boundary = NONCE_PREFIX + CHUNK + TAG;
        for cut in [sealed.len() - 1, boundary, 2 * boundary - NONCE_PREFIX, 3] {
            assert!(refused(open(&key, b"backup:1", &sealed[..cut])), "{cut}");
        }
        assert!(refused(open(&DataKey::generate(), b"backup:1", &sealed)));
        assert!(refused(open(&key, b"backup:2", &sealed)));
    }
}
