//! Signing keys: ES256 key pairs whose private halves are sealed with the signing system key.
//! The newest key not yet retired signs; a retired key stays in the JWKS until every token it
//! signed has expired, then it is deleted.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use p256::pkcs8::EncodePrivateKey;
use platform::audit::{self, Actor, Event, Outcome, RequestMeta, Target};
use platform::crypto::Keyring;
use platform::db::{Db, DbError, col};
use platform::time_util::now_unix;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::sync::RwLock;

use crate::error::{OAuthError, ProviderError};

/// The only signature algorithm: keys say which algorithm they verify, tokens never do.
pub const ALGORITHM: Algorithm = Algorithm::ES256;

/// How long instances trust their cached copy of the key table before reading it again.
const CACHE_SECS: u64 = 60;

/// An unknown `kid` makes the cache reload at most this often, so garbage cannot hammer storage.
const UNKNOWN_KID_RELOAD_SECS: u64 = 5;

struct PublicKey {
    kid: String,
    jwk: Value,
    decoding: DecodingKey,
}

/// The current signing key. Signatures are made with `ring`, the crypto library the TLS stack
/// already builds on, rather than through `jsonwebtoken`'s pure-Rust backend: on the token
/// endpoint's hot path an ES256 signature took about 290 µs of CPU there (most of a
/// client-credentials grant) against tens of µs here. Verification stays with `jsonwebtoken`.
struct Signer {
    kid: String,
    pair: EcdsaKeyPair,
}

/// The protected header of every token we sign.
#[derive(Serialize)]
struct JwsHeader<'a> {
    typ: &'a str,
    alg: &'static str,
    kid: &'a str,
}

struct Cached {
    loaded_at: Instant,
    signer: Option<Arc<Signer>>,
    published: Vec<Arc<PublicKey>>,
}

/// The provider's key set, shared by every instance through the database.
pub struct SigningKeys {
    db: Db,
    keyring: Arc<Keyring>,
    /// Longest lifetime of a token these keys sign: a retired key is published this much longer.
    token_secs: i64,
    cache: RwLock<Cached>,
}

impl SigningKeys {
    /// The key set; `token_secs` is the lifetime of the longest-lived signed token.
    pub fn new(db: Db, keyring: Arc<Keyring>, token_secs: i64) -> Self {
        Self {
            db,
            keyring,
            token_secs,
            cache: RwLock::new(Cached {
                loaded_at: Instant::now(),
                signer: None,
                published: Vec::new(),
            }),
        }
    }

    /// Makes the first key when there is none yet.
    pub async fn ensure(&self) -> Result<(), ProviderError> {
        let count = {
            let mut tx = self.db.read().await?;
            let row =
                sqlx::query("SELECT COUNT(*) AS n FROM oidc_signing_keys WHERE retired_at IS NULL")
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(DbError::from)?;
            col::<i64>(&row, "n")?
        };
        if count == 0 {
            self.rotate(&Actor::system("identity-provider"), &RequestMeta::default())
                .await?;
        }
        Ok(())
    }

    /// Makes a new signing key and retires the current one, which stays published until the
    /// tokens it signed have expired. Returns the new key's ID.
    pub async fn rotate(&self, actor: &Actor, meta: &RequestMeta) -> Result<String, ProviderError> {
        let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let der = secret
            .to_pkcs8_der()
            .map_err(|e| ProviderError::Key(e.to_string()))?;
        let kid = uuid::Uuid::new_v4().simple().to_string();
        let public = serde_json::to_value(secret.public_key().to_jwk())
            .map_err(|e| ProviderError::Key(e.to_string()))?;
        let sealed = self
            .keyring
            .signing_key()
            .seal(der.as_bytes(), aad(&kid).as_bytes());
        let now = now_unix();
        let mut tx = self.db.write().await?;
        sqlx::query(
            "UPDATE oidc_signing_keys SET retired_at = $1, expires_at = $2 WHERE retired_at IS NULL",
        )
        .bind(now)
        .bind(now + self.token_secs + 60)
        .execute(&mut *tx)
        .await
        .map_err(DbError::from)?;
        sqlx::query(
            "INSERT INTO oidc_signing_keys (kid, public_jwk, private_enc, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&kid)
        .bind(public.to_string())
        .bind(sealed)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(DbError::from)?;
        let event = Event {
            actor: actor.clone(),
            action: "oidc.signing_key_rotated",
            target: Target::signing_key(&kid),
            outcome: Outcome::Success,
        };
        audit::append(&mut tx, &event, meta).await?;
        tx.commit().await?;
        self.reload().await?;
        Ok(kid)
    }

    /// Rotates when the signing key is older than `max_age_secs`, and deletes keys whose tokens
    /// have all expired. Run on a schedule by the worker; safe on several instances at once.
    pub async fn maintain(&self, max_age_secs: i64) -> Result<Option<String>, ProviderError> {
        let now = now_unix();
        let newest = {
            let mut tx = self.db.read().await?;
            let row = sqlx::query(
                "SELECT MAX(created_at) AS newest FROM oidc_signing_keys WHERE retired_at IS NULL",
            )
            .fetch_one(&mut *tx)
            .await
            .map_err(DbError::from)?;
            col::<Option<i64>>(&row, "newest")?
        };
        let rotated = match newest {
            Some(created) if now - created < max_age_secs => None,
            _ => Some(
                self.rotate(&Actor::system("key-rotation"), &RequestMeta::default())
                    .await?,
            ),
        };
        let mut tx = self.db.write().await?;
        sqlx::query(
            "DELETE FROM oidc_signing_keys WHERE expires_at IS NOT NULL AND expires_at < $1",
        )
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(DbError::from)?;
        tx.commit().await?;
        Ok(rotated)
    }

    /// Signs claims with the current key, with `typ` in the header.
    pub async fn sign<T: Serialize>(&self, typ: &str, claims: &T) -> Result<String, ProviderError> {
        let signer = self.signer().await?;
        let header = JwsHeader {
            typ,
            alg: "ES256",
            kid: &signer.kid,
        };
        // JWS compact serialisation (RFC 7515 §7.1) with the fixed-width r‖s signature ES256
        // prescribes (RFC 7518 §3.4).
        let mut token = segment(&header)?;
        token.push('.');
        token.push_str(&segment(claims)?);
        let signature = signer
            .pair
            .sign(&SystemRandom::new(), token.as_bytes())
            .map_err(|_| ProviderError::Key("signing failed".into()))?;
        token.push('.');
        token.push_str(&URL_SAFE_NO_PAD.encode(signature.as_ref()));
        Ok(token)
    }

    /// Verifies a token signed by one of our published keys and decodes its claims. The
    /// algorithm comes from our key, never from the token: `none`, HS256 and the like fail.
    pub async fn verify<T: DeserializeOwned>(
        &self,
        token: &str,
        validation: &Validation,
    ) -> Result<T, OAuthError> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|_| OAuthError::token("malformed token"))?;
        let kid = header.kid.ok_or(OAuthError::token("token has no key ID"))?;
        let key = self
            .public_key(&kid)
            .await
            .map_err(|_| OAuthError::token("keys unavailable"))?
            .ok_or(OAuthError::token("unknown key ID"))?;
        let mut validation = validation.clone();
        validation.algorithms = vec![ALGORITHM];
        jsonwebtoken::decode::<T>(token, &key.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|e| OAuthError::token(rejection(e.kind())))
    }

    /// The JSON Web Key Set: every published public key.
    pub async fn jwks(&self) -> Result<Value, ProviderError> {
        self.fresh().await?;
        let cache = self.cache.read().await;
        let keys: Vec<Value> = cache.published.iter().map(|k| k.jwk.clone()).collect();
        Ok(json!({ "keys": keys }))
    }

    /// IDs of the published keys, newest first.
    pub async fn published_kids(&self) -> Result<Vec<String>, ProviderError> {
        self.fresh().await?;
        let cache = self.cache.read().await;
        Ok(cache.published.iter().map(|k| k.kid.clone()).collect())
    }

    async fn signer(&self) -> Result<Arc<Signer>, ProviderError> {
        self.fresh().await?;
        let cache = self.cache.read().await;
        cache
            .signer
            .clone()
            .ok_or_else(|| ProviderError::Key("no signing key".into()))
    }

    async fn public_key(&self, kid: &str) -> Result<Option<Arc<PublicKey>>, ProviderError> {
        self.fresh().await?;
        let stale = {
            let cache = self.cache.read().await;
            if let Some(key) = cache.published.iter().find(|k| k.kid == kid) {
                return Ok(Some(key.clone()));
            }
            cache.loaded_at.elapsed() >= Duration::from_secs(UNKNOWN_KID_RELOAD_SECS)
        };
        if !stale {
            return Ok(None);
        }
        self.reload().await?;
        let cache = self.cache.read().await;
        Ok(cache.published.iter().find(|k| k.kid == kid).cloned())
    }

    async fn fresh(&self) -> Result<(), ProviderError> {
        let stale = {
            let cache = self.cache.read().await;
            cache.signer.is_none() || cache.loaded_at.elapsed() >= Duration::from_secs(CACHE_SECS)
        };
        if stale {
            self.reload().await?;
        }
        Ok(())
    }

    async fn reload(&self) -> Result<(), ProviderError> {
        let now = now_unix();
        let rows = {
            let mut tx = self.db.read().await?;
            sqlx::query(
                "SELECT kid, public_jwk, private_enc, retired_at FROM oidc_signing_keys \
                 WHERE expires_at IS NULL OR expires_at > $1 \
                 ORDER BY CASE WHEN retired_at IS NULL THEN 0 ELSE 1 END, created_at DESC, kid",
            )
            .bind(now)
            .fetch_all(&mut *tx)
            .await
            .map_err(DbError::from)?
        };
        let mut signer = None;
        let mut published = Vec::new();
        for row in rows {
            let kid: String = col(&row, "kid")?;
            let retired: Option<i64> = col(&row, "retired_at")?;
            if signer.is_none() && retired.is_none() {
                let sealed: Vec<u8> = col(&row, "private_enc")?;
                let der = self
                    .keyring
                    .signing_key()
                    .open(&sealed, aad(&kid).as_bytes())?;
                let pair = EcdsaKeyPair::from_pkcs8(
                    &ECDSA_P256_SHA256_FIXED_SIGNING,
                    &der,
                    &SystemRandom::new(),
                )
                .map_err(|e| ProviderError::Key(format!("signing key unusable: {e}")))?;
                signer = Some(Arc::new(Signer {
                    kid: kid.clone(),
                    pair,
                }));
            }
            let text: String = col(&row, "public_jwk")?;
            published.push(Arc::new(public_key(kid, &text)?));
        }
        let mut cache = self.cache.write().await;
        *cache = Cached {
            loaded_at: Instant::now(),
            signer,
            published,
        };
        Ok(())
    }
}

fn public_key(kid: String, text: &str) -> Result<PublicKey, ProviderError> {
    let mut jwk: Value = serde_json::from_str(text).map_err(|_| DbError::Corrupt {
        column: "public_jwk",
    })?;
    let coordinate = |name: &str| {
        jwk.get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or(DbError::Corrupt {
                column: "public_jwk",
            })
    };
    let decoding = DecodingKey::from_ec_components(&coordinate("x")?, &coordinate("y")?)?;
    if let Some(map) = jwk.as_object_mut() {
        map.insert("kid".into(), Value::String(kid.clone()));
        map.insert("use".into(), Value::String("sig".into()));
        map.insert("alg".into(), Value::String("ES256".into()));
    }
    Ok(PublicKey { kid, jwk, decoding })
}

/// One base64url-encoded JSON part of a compact JWS.
fn segment<T: Serialize + ?Sized>(value: &T) -> Result<String, ProviderError> {
    let json = serde_json::to_vec(value).map_err(|e| ProviderError::Key(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(json))
}

fn aad(kid: &str) -> String {
    format!("signing-key:{kid}")
}

/// Why a token was refused, from a fixed set of descriptions (figures count them by reason).
fn rejection(kind: &jsonwebtoken::errors::ErrorKind) -> &'static str {
    use jsonwebtoken::errors::ErrorKind;
    match kind {
        ErrorKind::InvalidSignature => "signature invalid",
        ErrorKind::ExpiredSignature => "token expired",
        ErrorKind::ImmatureSignature => "token not yet valid",
        ErrorKind::InvalidIssuer => "wrong issuer",
        ErrorKind::InvalidAudience => "wrong audience",
        ErrorKind::InvalidAlgorithm => "wrong algorithm",
        ErrorKind::MissingRequiredClaim(_) => "required claim missing",
        _ => "token malformed",
    }
}
