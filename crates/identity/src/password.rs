//! Password hashing with argon2id (OWASP parameters: 19 MiB, 2 passes, 1 lane) on a fixed set of
//! threads, each owning its 19 MiB of working memory.
//!
//! Memory is the constraint here, not speed. Hashing through the library's allocating calls on
//! the blocking pool let every thread's allocator arena keep its own freed 19 MiB buffers, and a
//! burst of logins grew a process to several hundred MiB. Here each hashing thread allocates its
//! blocks once and reuses them for every hash, so the hashing memory is at most
//! `threads × 19 MiB` whatever the load; a thread frees its blocks after [`IDLE_RELEASE`] without
//! work, so an idle process gives the memory back. Requests wait in a bounded queue; beyond it the
//! caller gets [`IdentityError::Busy`] (answered 503 with `Retry-After`) instead of memory or
//! latency growing without bound.

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use argon2::password_hash::rand_core::{OsRng, RngCore as _};
use argon2::password_hash::{Output, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TrySendError};
use tokio::sync::oneshot;
use zeroize::Zeroizing;

use crate::IdentityError;

/// How long a hashing thread keeps its working memory without work.
pub const IDLE_RELEASE: Duration = Duration::from_secs(30);

/// Hashes waiting per hashing thread before new ones are refused as busy: at about 50 hashes a
/// second per thread, the last one waits well under a second.
const QUEUE_PER_THREAD: usize = 32;

/// Stored hashes whose memory cost exceeds the configured one by more than this factor are
/// refused instead of verified: a tampered row must not make a thread allocate gigabytes.
const MAX_COST_FACTOR: u32 = 4;

/// Hashes and verifies human passwords.
#[derive(Clone)]
pub struct PasswordHasher {
    jobs: Sender<Job>,
    params: Params,
    /// A PHC string with random salt and output, verified against when an account does not
    /// exist, so that the response time does not reveal whether it does.
    decoy: Arc<String>,
}

enum Work {
    Hash(Zeroizing<String>),
    Verify(Zeroizing<String>, String),
}

enum Done {
    Hashed(String),
    Verified(bool),
}

struct Job {
    work: Work,
    reply: oneshot::Sender<Result<Done, IdentityError>>,
}

impl PasswordHasher {
    /// A hasher with `threads` hashing threads (at least one).
    pub fn new(threads: usize) -> Result<Self, IdentityError> {
        let params = Params::new(19 * 1024, 2, 1, None).map_err(|_| IdentityError::Hashing)?;
        let threads = threads.max(1);
        let (jobs, queue) = crossbeam_channel::bounded(threads * QUEUE_PER_THREAD);
        for n in 0..threads {
            let queue = queue.clone();
            let params = params.clone();
            thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || work(&queue, &params))
                .map_err(|_| IdentityError::Hashing)?;
        }
        Ok(Self {
            jobs,
            decoy: Arc::new(decoy(&params)?),
            params,
        })
    }

    /// A PHC string for `password`.
    pub async fn hash(&self, password: &str) -> Result<String, IdentityError> {
        match self
            .run(Work::Hash(Zeroizing::new(password.to_owned())))
            .await?
        {
            Done::Hashed(phc) => Ok(phc),
            Done::Verified(_) => Err(IdentityError::Hashing),
        }
    }

    /// True when `password` matches `phc`.
    pub async fn verify(&self, password: &str, phc: &str) -> Result<bool, IdentityError> {
        let work = Work::Verify(Zeroizing::new(password.to_owned()), phc.to_owned());
        match self.run(work).await? {
            Done::Verified(matches) => Ok(matches),
            Done::Hashed(_) => Err(IdentityError::Hashing),
        }
    }

    /// Spends the same time as a real verification, for accounts that do not exist.
    pub async fn verify_decoy(&self, password: &str) -> Result<(), IdentityError> {
        let decoy = Arc::clone(&self.decoy);
        self.verify(password, &decoy).await.map(|_| ())
    }

    /// The parameters new hashes are made with.
    pub fn params(&self) -> &Params {
        &self.params
    }

    async fn run(&self, work: Work) -> Result<Done, IdentityError> {
        let (reply, answer) = oneshot::channel();
        match self.jobs.try_send(Job { work, reply }) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => return Err(IdentityError::Busy),
            Err(TrySendError::Disconnected(_)) => return Err(IdentityError::Hashing),
        }
        answer.await.map_err(|_| IdentityError::Hashing)?
    }
}

/// One hashing thread: takes jobs until every [`PasswordHasher`] is dropped.
fn work(queue: &Receiver<Job>, params: &Params) {
    let mut blocks: Vec<Block> = Vec::new();
    loop {
        match queue.recv_timeout(IDLE_RELEASE) {
            Ok(job) => {
                let done = match job.work {
                    Work::Hash(password) => hash(&mut blocks, params, &password).map(Done::Hashed),
                    Work::Verify(password, phc) => {
                        verify(&mut blocks, params, &password, &phc).map(Done::Verified)
                    }
                };
                // The caller may have gone (a closed connection); nothing to do then.
                let _ = job.reply.send(done);
            }
            Err(RecvTimeoutError::Timeout) => blocks = Vec::new(),
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// Blocks asked of the allocator at least: 32 MiB and one block, above the largest threshold
/// from which glibc's allocator maps a request on its own. A 19 MiB buffer would be carved from
/// the thread's arena and stay there when freed; a mapping of its own is returned to the system
/// when the thread releases it. Only the blocks argon2 uses are ever written, so the resident
/// memory is the 19 MiB the parameters ask for, not the reservation.
const RESERVED_BLOCKS: usize = 32 * 1024 + 1;

/// Makes `blocks` hold at least `count` blocks, allocating only when it holds fewer.
fn memory(blocks: &mut Vec<Block>, count: usize) -> &mut [Block] {
    if blocks.len() < count {
        let mut fresh = Vec::with_capacity(count.max(RESERVED_BLOCKS));
        fresh.resize(count, Block::default());
        *blocks = fresh;
    }
    &mut blocks[..count]
}

fn hash(blocks: &mut Vec<Block>, params: &Params, password: &str) -> Result<String, IdentityError> {
    let salt = SaltString::generate(&mut OsRng);
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    fill(blocks, &argon, password, salt.as_salt(), &mut out).ok_or(IdentityError::Hashing)?;
    phc(params, &salt, &out)
}

/// Writes argon2's output for `password` and `salt` into `out`, in the thread's own blocks.
fn fill(
    blocks: &mut Vec<Block>,
    argon: &Argon2<'_>,
    password: &str,
    salt: Salt<'_>,
    out: &mut [u8],
) -> Option<()> {
    let mut salt_bytes = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_bytes).ok()?;
    let memory = memory(blocks, argon.params().block_count());
    argon
        .hash_password_into_with_memory(password.as_bytes(), salt, out, memory)
        .ok()
}

fn verify(
    blocks: &mut Vec<Block>,
    configured: &Params,
    password: &str,
    phc: &str,
) -> Result<bool, IdentityError> {
    let Ok(stored) = PasswordHash::new(phc) else {
        return Ok(false);
    };
    let (Some(salt), Some(expected)) = (stored.salt, stored.hash) else {
        return Ok(false);
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(stored.algorithm),
        Params::try_from(&stored),
    ) else {
        return Ok(false);
    };
    if params.m_cost() > configured.m_cost().saturating_mul(MAX_COST_FACTOR) {
        tracing::warn!("a stored password hash asks for more memory than allowed; refused");
        return Ok(false);
    }
    let version = match stored.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(version)) => version,
        Some(Err(_)) => return Ok(false),
    };
    let mut out = Zeroizing::new(vec![0u8; expected.len()]);
    let argon = Argon2::new(algorithm, version, params);
    if fill(blocks, &argon, password, salt, &mut out).is_none() {
        return Ok(false);
    }
    // `Output` compares in constant time.
    Ok(Output::new(&out).is_ok_and(|computed| computed == expected))
}

/// The PHC string form of a hash, as the library's own `hash_password` writes it.
fn phc(params: &Params, salt: &SaltString, out: &[u8]) -> Result<String, IdentityError> {
    let output = Output::new(out).map_err(|_| IdentityError::Hashing)?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: params.try_into().map_err(|_| IdentityError::Hashing)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(hash.to_string())
}

/// A PHC string no password matches (random salt and output), costing a full verification.
fn decoy(params: &Params) -> Result<String, IdentityError> {
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    OsRng.fill_bytes(&mut out);
    phc(params, &SaltString::generate(&mut OsRng), &out)
}

#[cfg(test)]
mod tests {
    use argon2::PasswordHasher as _;
    use argon2::PasswordVerifier as _;

    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_salts_differ() {
        let hasher = PasswordHasher::new(2).unwrap();
        let a = hasher.hash("correct horse battery staple").await.unwrap();
        let b = hasher.hash("correct horse battery staple").await.unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b);
        assert!(
            hasher
                .verify("correct horse battery staple", &a)
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify("correct horse battery stapler", &a)
                .await
                .unwrap()
        );
        assert!(!hasher.verify("anything", "not-a-phc-string").await.unwrap());
    }

    #[tokio::test]
    async fn hashes_agree_with_the_library_both_ways() {
        let hasher = PasswordHasher::new(1).unwrap();
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, hasher.params().clone());
        let ours = hasher.hash("tsubame-2026").await.unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(argon.verify_password(b"tsubame-2026", &parsed).is_ok());
        assert!(argon.verify_password(b"tsubame-2027", &parsed).is_err());

        // A hash made elsewhere with other (smaller) parameters still verifies.
        let small = Params::new(4096, 3, 1, None).unwrap();
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, small)
            .hash_password(b"kaede", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert!(hasher.verify("kaede", &theirs).await.unwrap());
        assert!(!hasher.verify("kaede!", &theirs).await.unwrap());
    }

    #[tokio::test]
    async fn a_stored_hash_asking_for_too_much_memory_is_refused_unverified() {
        let hasher = PasswordHasher::new(1).unwrap();
        let greedy = "$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHRzYWx0$\
                      AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        assert!(!hasher.verify("anything", greedy).await.unwrap());
    }

    #[tokio::test]
    async fn the_decoy_matches_no_password() {
        let hasher = PasswordHasher::new(1).unwrap();
        assert!(hasher.decoy.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(!hasher.verify("", &hasher.decoy).await.unwrap());
        hasher.verify_decoy("whatever").await.unwrap();
    }

    #[tokio::test]
    async fn a_full_queue_answers_busy_instead_of_growing() {
        let hasher = PasswordHasher::new(1).unwrap();
        let attempts = (0..QUEUE_PER_THREAD * 3).map(|_| hasher.verify_decoy("x"));
        // `join_all` polls every attempt before any completes, so they all queue at once.
        let results = futures::future::join_all(attempts).await;
        let busy = results
            .iter()
            .filter(|r| matches!(r, Err(IdentityError::Busy)))
            .count();
        assert!(busy > 0, "some attempts must be refused as busy");
        assert!(
            results
                .iter()
                .all(|r| r.is_ok() || matches!(r, Err(IdentityError::Busy))),
            "the rest are served"
        );
        // Once the queue drains, hashing works again.
        hasher.verify_decoy("x").await.unwrap();
    }
}
