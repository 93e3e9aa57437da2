//! Talking to the directory: its discovery document and keys (cached, keys re-read when an
//! unknown key ID appears, at most once a minute), the code exchange and userinfo.

use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey};
use platform::config::FederationConfig;
use serde::Deserialize;
use serde_json::{Map, Value};
use tokio::sync::RwLock;
use url::Url;

use crate::FederationError;

/// Discovery and keys are trusted this long before they are read again.
const METADATA_SECS: u64 = 3600;
/// An unknown key ID makes the keys be read again at most this often.
const KEY_REFRESH_SECS: u64 = 60;

/// What the discovery document says.
pub(crate) struct Metadata {
    pub issuer: String,
    pub authorization_endpoint: Url,
    token_endpoint: Url,
    userinfo_endpoint: Option<Url>,
    jwks_uri: Url,
}

struct Key {
    kid: String,
    key: DecodingKey,
    algorithm: Algorithm,
}

struct Cache {
    metadata: Arc<Metadata>,
    fetched_at: Instant,
    keys: Vec<Arc<Key>>,
    keys_at: Instant,
}

/// Tokens from the code exchange.
#[derive(Deserialize)]
pub(crate) struct Tokens {
    pub id_token: String,
    pub access_token: String,
}

#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: Url,
    token_endpoint: Url,
    userinfo_endpoint: Option<Url>,
    jwks_uri: Url,
}

/// The directory as seen from here.
pub(crate) struct Directory {
    issuer: Url,
    http: reqwest::Client,
    cache: RwLock<Option<Cache>>,
}

fn unavailable(what: &str) -> impl Fn(reqwest::Error) -> FederationError + '_ {
    move |e| FederationError::Unavailable(format!("{what}: {e}"))
}

impl Directory {
    pub(crate) fn new(issuer: Url) -> Result<Self, FederationError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(unavailable("HTTP client"))?;
        Ok(Self {
            issuer,
            http,
            cache: RwLock::new(None),
        })
    }

    /// The discovery document, fetched when missing or older than an hour.
    pub(crate) async fn metadata(&self) -> Result<Arc<Metadata>, FederationError> {
        if let Some(cache) = self.cache.read().await.as_ref()
            && cache.fetched_at.elapsed() < Duration::from_secs(METADATA_SECS)
        {
            return Ok(Arc::clone(&cache.metadata));
        }
        let metadata = Arc::new(self.discover().await?);
        let keys = self.fetch_keys(&metadata.jwks_uri).await?;
        let mut cache = self.cache.write().await;
        *cache = Some(Cache {
            metadata: Arc::clone(&metadata),
            fetched_at: Instant::now(),
            keys,
            keys_at: Instant::now(),
        });
        Ok(metadata)
    }

    async fn discover(&self) -> Result<Metadata, FederationError> {
        let base = self.issuer.as_str().trim_end_matches('/');
        let url = format!("{base}/.well-known/openid-configuration");
        let doc: Discovery = self
            .http
            .get(&url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(unavailable("discovery"))?
            .json()
            .await
            .map_err(unavailable("discovery document"))?;
        if doc.issuer.trim_end_matches('/') != base {
            return Err(FederationError::Refused("discovery names another issuer"));
        }
        Ok(Metadata {
            issuer: doc.issuer,
            authorization_endpoint: doc.authorization_endpoint,
            token_endpoint: doc.token_endpoint,
            userinfo_endpoint: doc.userinfo_endpoint,
            jwks_uri: doc.jwks_uri,
        })
    }

    async fn fetch_keys(&self, jwks_uri: &Url) -> Result<Vec<Arc<Key>>, FederationError> {
        let set: JwkSet = self
            .http
            .get(jwks_uri.clone())
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(unavailable("keys"))?
            .json()
            .await
            .map_err(unavailable("key set"))?;
        Ok(set
            .keys
            .iter()
            .filter_map(|jwk| {
                let algorithm = match &jwk.algorithm {
                    AlgorithmParameters::EllipticCurve(_) => Algorithm::ES256,
                    AlgorithmParameters::RSA(_) => Algorithm::RS256,
                    _ => return None,
                };
                Some(Arc::new(Key {
                    kid: jwk.common.key_id.clone()?,
                    key: DecodingKey::from_jwk(jwk).ok()?,
                    algorithm,
                }))
            })
            .collect())
    }

    /// The key with this ID and the one algorithm it verifies.
    pub(crate) async fn key(&self, kid: &str) -> Result<(DecodingKey, Algorithm), FederationError> {
        let metadata = self.metadata().await?;
        let refresh = {
            let cache = self.cache.read().await;
            let cache = cache.as_ref().ok_or(FederationError::Refused("no keys"))?;
            if let Some(k) = cache.keys.iter().find(|k| k.kid == kid) {
                return Ok((k.key.clone(), k.algorithm));
            }
            cache.keys_at.elapsed() >= Duration::from_secs(KEY_REFRESH_SECS)
        };
        if !refresh {
            return Err(FederationError::Refused("unknown signing key"));
        }
        let keys = self.fetch_keys(&metadata.jwks_uri).await?;
        let found = keys
            .iter()
            .find(|k| k.kid == kid)
            .map(|k| (k.key.clone(), k.algorithm));
        if let Some(cache) = self.cache.write().await.as_mut() {
            cache.keys = keys;
            cache.keys_at = Instant::now();
        }
        found.ok_or(FederationError::Refused("unknown signing key"))
    }

    /// Exchanges the code at the token endpoint, authenticating with our secret.
    pub(crate) async fn exchange(
        &self,
        config: &FederationConfig,
        code: &str,
        verifier: &str,
    ) -> Result<Tokens, FederationError> {
        let metadata = self.metadata().await?;
        let response = self
            .http
            .post(metadata.token_endpoint.clone())
            .basic_auth(&config.client_id, Some(config.client_secret.expose()))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", config.redirect_uri.as_str()),
                ("code_verifier", verifier),
            ])
            .send()
            .await
            .map_err(unavailable("token endpoint"))?;
        if response.status().is_client_error() {
            return Err(FederationError::Refused("the directory refused the code"));
        }
        response
            .error_for_status()
            .map_err(unavailable("token endpoint"))?
            .json()
            .await
            .map_err(unavailable("token response"))
    }

    /// The userinfo claims for an access token.
    pub(crate) async fn userinfo(
        &self,
        access_token: &str,
    ) -> Result<Map<String, Value>, FederationError> {
        let metadata = self.metadata().await?;
        let Some(endpoint) = &metadata.userinfo_endpoint else {
            return Ok(Map::new());
        };
        self.http
            .get(endpoint.clone())
            .bearer_auth(access_token)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(unavailable("userinfo"))?
            .json()
            .await
            .map_err(unavailable("userinfo response"))
    }
}
