//! DPoP, demonstrating proof of possession (RFC 9449): a client signs each request with a key
//! it keeps, the token endpoint binds the tokens it issues to that key (`cnf.jkt`), and a bound
//! access token is accepted only with a fresh proof by the same key for that very request.
//! A stolen bound token is useless without the key.
//!
//! Server-provided nonces (RFC 9449 §8) are not used: freshness rests on `iat` within a minute
//! and on every proof's `jti` being remembered in the database for as long as the proof could
//! be accepted, which holds across instances.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::Validation;
use platform::db::DbError;
use platform::time_util::now_unix;
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use url::Url;

use crate::Provider;
use crate::error::{ErrorCode, OAuthError, ProviderError};
use crate::jose;

/// The `typ` of a proof.
const PROOF_TYP: &str = "dpop+jwt";

/// How far a proof's `iat` may be from our clock, either way.
pub const PROOF_WINDOW_SECS: i64 = 60;

/// The HTTP header carrying a proof.
pub const DPOP_HEADER: &str = "DPoP";

/// How an access token was presented in `Authorization`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenScheme {
    /// `Authorization: Bearer` (RFC 6750).
    Bearer,
    /// `Authorization: DPoP` (RFC 9449 §7.1).
    Dpop,
}

/// The scheme and token of an `Authorization` header value; `None` for any other scheme.
pub fn authorization(value: &str) -> Option<(TokenScheme, &str)> {
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    if token.is_empty() {
        return None;
    }
    if scheme.eq_ignore_ascii_case("bearer") {
        Some((TokenScheme::Bearer, token))
    } else if scheme.eq_ignore_ascii_case("dpop") {
        Some((TokenScheme::Dpop, token))
    } else {
        None
    }
}

/// A request to a resource that an access token was presented to.
#[derive(Clone, Copy, Debug)]
pub struct TokenUse<'a> {
    /// How the token was presented.
    pub scheme: TokenScheme,
    /// The access token.
    pub token: &'a str,
    /// The `DPoP` header, if any.
    pub proof: Option<&'a str>,
    /// The request's method.
    pub method: &'a str,
    /// The request's path on our public origin (a query is ignored).
    pub path: &'a str,
}

/// The claims of a proof that matter here.
#[derive(Deserialize)]
struct ProofClaims {
    jti: String,
    htm: String,
    htu: String,
    iat: i64,
    #[serde(default)]
    ath: Option<String>,
}

fn refused(description: &'static str) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidDpopProof, description)
}

impl Provider {
    /// Checks a DPoP proof for a request to `method` at our `path`; with `access_token`, also
    /// that the proof covers that token (`ath`). Records its `jti`, so it is accepted once.
    /// Returns the JWK thumbprint of the proof's key.
    pub async fn check_dpop_proof(
        &self,
        proof: &str,
        method: &str,
        path: &str,
        access_token: Option<&str>,
    ) -> Result<String, ProviderError> {
        let (jkt, claims) = verify_proof(proof)?;
        if !claims.htm.eq_ignore_ascii_case(method) {
            return Err(refused("htm differs from the request method").into());
        }
        if !same_resource(&claims.htu, &self.endpoint(path)) {
            return Err(refused("htu differs from the request URL").into());
        }
        let now = now_unix();
        if (now - claims.iat).abs() > PROOF_WINDOW_SECS {
            return Err(refused("iat is too far from the current time").into());
        }
        if claims.jti.is_empty() || claims.jti.len() > 200 {
            return Err(refused("jti missing or too long").into());
        }
        if let Some(token) = access_token {
            let expected = URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()));
            if claims.ath.as_deref() != Some(expected.as_str()) {
                return Err(refused("ath does not match the access token").into());
            }
        }
        let mut tx = self.db.write().await?;
        let fresh = sqlx::query(
            "INSERT INTO oidc_dpop_jtis (jkt, jti, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (jkt, jti) DO NOTHING",
        )
        .bind(&jkt)
        .bind(&claims.jti)
        .bind(now + 2 * PROOF_WINDOW_SECS)
        .execute(&mut *tx)
        .await
        .map_err(DbError::from)?
        .rows_affected()
            == 1;
        tx.commit().await?;
        if !fresh {
            return Err(refused("proof replayed").into());
        }
        Ok(jkt)
    }

    /// Checks that an access token was presented the way its binding demands: a token bound
    /// to a key (`jkt`) only with the `DPoP` scheme and a valid proof by that key for this
    /// request; an unbound token only as a bearer token.
    pub async fn check_token_use(
        &self,
        jkt: Option<&str>,
        token_use: &TokenUse<'_>,
    ) -> Result<(), ProviderError> {
        match (jkt, token_use.scheme) {
            (None, TokenScheme::Bearer) => Ok(()),
            (None, TokenScheme::Dpop) => {
                Err(OAuthError::token("the token is not bound to a DPoP key").into())
            }
            (Some(_), TokenScheme::Bearer) => {
                Err(OAuthError::token("a DPoP-bound token needs the DPoP scheme").into())
            }
            (Some(bound), TokenScheme::Dpop) => {
                let proof = token_use.proof.ok_or(refused("a DPoP proof is required"))?;
                let presented = self
                    .check_dpop_proof(
                        proof,
                        token_use.method,
                        token_use.path,
                        Some(token_use.token),
                    )
                    .await?;
                if presented == bound {
                    Ok(())
                } else {
                    Err(refused("the proof is signed by another key than the token's").into())
                }
            }
        }
    }
}

/// The `WWW-Authenticate` challenge for a refused token: `DPoP` when DPoP was used or is due,
/// `Bearer` otherwise (RFC 6750 §3, RFC 9449 §7.1).
pub fn challenge(error: &OAuthError, dpop: bool) -> String {
    if dpop {
        format!(
            "DPoP error=\"{}\", error_description=\"{}\", algs=\"{}\"",
            error.code.as_str(),
            error.description,
            jose::ALGORITHMS.join(" ")
        )
    } else {
        format!(
            "Bearer error=\"{}\", error_description=\"{}\"",
            error.code.as_str(),
            error.description
        )
    }
}

/// Verifies a proof's form and signature with the key in its own header; returns that key's
/// thumbprint and the claims.
fn verify_proof(proof: &str) -> Result<(String, ProofClaims), OAuthError> {
    let head = proof.split('.').next().ok_or(refused("proof malformed"))?;
    let header: Value = URL_SAFE_NO_PAD
        .decode(head)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or(refused("proof malformed"))?;
    if header.get("typ").and_then(Value::as_str) != Some(PROOF_TYP) {
        return Err(refused("typ must be dpop+jwt"));
    }
    let jwk = header.get("jwk").ok_or(refused("jwk missing"))?;
    let key = jose::client_key(jwk).map_err(|_| refused("jwk is not an acceptable public key"))?;
    let alg = header.get("alg").and_then(Value::as_str);
    if alg != Some(algorithm_name(key.algorithm)) {
        return Err(refused("alg does not fit the key (ES256 or PS256)"));
    }
    let jkt = jose::thumbprint(jwk).ok_or(refused("jwk is not an acceptable public key"))?;
    let mut validation = Validation::new(key.algorithm);
    validation.set_required_spec_claims::<&str>(&[]);
    validation.validate_exp = false;
    validation.validate_aud = false;
    let claims = jsonwebtoken::decode::<ProofClaims>(proof, &key.decoding, &validation)
        .map_err(|_| refused("proof signature or claims invalid"))?
        .claims;
    Ok((jkt, claims))
}

fn algorithm_name(algorithm: jsonwebtoken::Algorithm) -> &'static str {
    match algorithm {
        jsonwebtoken::Algorithm::PS256 => "PS256",
        _ => "ES256",
    }
}

/// True when `htu` names `expected`, ignoring any query and fragment (RFC 9449 §4.3).
fn same_resource(htu: &str, expected: &str) -> bool {
    let (Ok(given), Ok(ours)) = (Url::parse(htu), Url::parse(expected)) else {
        return false;
    };
    given.scheme() == ours.scheme()
        && given.host_str() == ours.host_str()
        && given.port_or_known_default() == ours.port_or_known_default()
        && given.path() == ours.path()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn authorization_schemes() {
        assert_eq!(
            authorization("Bearer abc"),
            Some((TokenScheme::Bearer, "abc"))
        );
        assert_eq!(
            authorization("dpop  abc "),
            Some((TokenScheme::Dpop, "abc"))
        );
        assert_eq!(authorization("Basic abc"), None);
        assert_eq!(authorization("DPoP "), None);
    }

    #[test]
    fn htu_ignores_query_and_fragment_only() {
        let ours = "https://bank.example/api/v1/me";
        assert!(same_resource("https://bank.example/api/v1/me?x=1#f", ours));
        assert!(same_resource("https://bank.example:443/api/v1/me", ours));
        assert!(!same_resource("https://bank.example/api/v1/me/", ours));
        assert!(!same_resource("http://bank.example/api/v1/me", ours));
        assert!(!same_resource("https://evil.example/api/v1/me", ours));
        assert!(!same_resource("not a url", ours));
    }

    #[test]
    fn challenges_name_the_scheme() {
        let e = OAuthError::new(ErrorCode::InvalidDpopProof, "proof replayed");
        assert!(challenge(&e, true).starts_with("DPoP error=\"invalid_dpop_proof\""));
        assert!(challenge(&e, true).contains("algs=\"ES256 PS256\""));
        assert!(
            challenge(&OAuthError::token("x"), false).starts_with("Bearer error=\"invalid_token\"")
        );
    }

    #[test]
    fn proofs_with_wrong_type_or_private_keys_are_refused() {
        use jsonwebtoken::{EncodingKey, Header};
        use p256::pkcs8::EncodePrivateKey;
        let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let der = secret.to_pkcs8_der().unwrap();
        let encoding = EncodingKey::from_ec_der(der.as_bytes());
        let claims = serde_json::json!({"jti": "j", "htm": "POST", "htu": "https://x/", "iat": 1});
        let sign = |typ: &str, jwk: &str| {
            let mut header = Header::new(jsonwebtoken::Algorithm::ES256);
            header.typ = Some(typ.into());
            header.jwk = serde_json::from_str(jwk).ok();
            jsonwebtoken::encode(&header, &claims, &encoding).unwrap()
        };
        let public = secret.public_key().to_jwk_string();
        assert!(verify_proof(&sign("dpop+jwt", &public)).is_ok());
        let wrong_typ = verify_proof(&sign("JWT", &public)).err();
        assert_eq!(
            wrong_typ.map(|e| e.description),
            Some("typ must be dpop+jwt")
        );
        let other = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let foreign = verify_proof(&sign("dpop+jwt", &other.public_key().to_jwk_string())).err();
        assert_eq!(
            foreign.map(|e| e.description),
            Some("proof signature or claims invalid")
        );
    }
}
