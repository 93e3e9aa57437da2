//! Password hashing with argon2id (OWASP parameters: 19 MiB, 2 passes, 1 lane) on a bounded
//! pool of blocking threads, so a burst of logins queues instead of starving other requests.

use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::IdentityError;

/// Hashes and verifies human passwords.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    params: Params,
    /// Hash of a random password, verified against when an account does not exist so that
    /// the response time does not reveal whether it does.
    decoy: Arc<String>,
}

impl PasswordHasher {
    /// A hasher running at most `parallelism` hashes at once.
    pub fn new(parallelism: usize) -> Result<Self, IdentityError> {
        let params = Params::new(19 * 1024, 2, 1, None).map_err(|_| IdentityError::Hashing)?;
        let salt = SaltString::generate(&mut OsRng);
        let decoy = argon(&params)
            .hash_password(salt.as_str().as_bytes(), &salt)
            .map_err(|_| IdentityError::Hashing)?
            .to_string();
        Ok(Self {
            permits: Arc::new(Semaphore::new(parallelism.max(1))),
            params,
            decoy: Arc::new(decoy),
        })
    }

    /// A PHC string for `password`.
    pub async fn hash(&self, password: &str) -> Result<String, IdentityError> {
        let password = password.to_owned();
        let params = self.params.clone();
        self.run(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon(&params)
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
        })
        .await?
        .map_err(|_| IdentityError::Hashing)
    }

    /// True when `password` matches `phc`.
    pub async fn verify(&self, password: &str, phc: &str) -> Result<bool, IdentityError> {
        let password = password.to_owned();
        let phc = phc.to_owned();
        let params = self.params.clone();
        self.run(move || match PasswordHash::new(&phc) {
            Ok(parsed) => argon(&params)
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        })
        .await
    }

    /// Spends the same time as a real verification, for accounts that do not exist.
    pub async fn verify_decoy(&self, password: &str) -> Result<(), IdentityError> {
        let decoy = Arc::clone(&self.decoy);
        self.verify(password, &decoy).await.map(|_| ())
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, IdentityError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| IdentityError::Hashing)?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|_| IdentityError::Hashing)
    }
}

fn argon(params: &Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
}

#[cfg(test)]
mod tests {
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
}
