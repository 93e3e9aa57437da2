//! Public keys that clients hold the private half of: the keys of `private_key_jwt` client
//! assertions and of DPoP proofs. Only two algorithms are accepted, both allowed by the FAPI 2.0
//! Security Profile: ES256 with a P-256 key and PS256 with an RSA key of at least 2048 bits.
//! The algorithm always follows from the key; a token's `alg` must agree with it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Names of the accepted algorithms, for discovery.
pub const ALGORITHMS: [&str; 2] = ["ES256", "PS256"];

/// Smallest RSA modulus accepted, in bytes (2048 bits).
const MIN_RSA_BYTES: usize = 256;

/// A client's public key, checked: its algorithm and the key to verify with.
pub(crate) struct ClientKey {
    pub algorithm: Algorithm,
    pub decoding: DecodingKey,
}

/// Reads a public JWK given as JSON: refuses private parts, other key types, other curves and
/// short RSA moduli.
pub(crate) fn client_key(raw: &Value) -> Result<ClientKey, &'static str> {
    let object = raw.as_object().ok_or("the key is not a JSON object")?;
    if ["d", "p", "q", "dp", "dq", "qi", "k"]
        .iter()
        .any(|private| object.contains_key(*private))
    {
        return Err("the key holds a private part");
    }
    let jwk: Jwk = serde_json::from_value(raw.clone()).map_err(|_| "the key is not a JWK")?;
    let algorithm = match &jwk.algorithm {
        AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => {
            let decoding =
                DecodingKey::from_ec_components(&coordinate(&ec.x)?, &coordinate(&ec.y)?)
                    .map_err(|_| "the key is unusable")?;
            return Ok(ClientKey {
                algorithm: Algorithm::ES256,
                decoding,
            });
        }
        AlgorithmParameters::RSA(rsa) => {
            let modulus = URL_SAFE_NO_PAD
                .decode(&rsa.n)
                .map_err(|_| "the RSA modulus is malformed")?;
            let significant = modulus.iter().skip_while(|b| **b == 0).count();
            if significant < MIN_RSA_BYTES {
                return Err("the RSA key is shorter than 2048 bits");
            }
            Algorithm::PS256
        }
        _ => return Err("the key must be EC P-256 (ES256) or RSA (PS256)"),
    };
    let decoding = DecodingKey::from_jwk(&jwk).map_err(|_| "the key is unusable")?;
    Ok(ClientKey {
        algorithm,
        decoding,
    })
}

/// A P-256 coordinate as 32 bytes, base64url. Some client libraries drop leading zero bytes
/// (RFC 7518 §6.2.1.2 says not to); such a coordinate is padded back, and the key's thumbprint
/// stays that of the members as sent.
fn coordinate(encoded: &str) -> Result<String, &'static str> {
    let bytes = URL_SAFE_NO_PAD
        .decode(encoded)
        .map_err(|_| "the EC coordinate is malformed")?;
    if bytes.len() > 32 {
        return Err("the EC coordinate is too long");
    }
    let mut full = vec![0u8; 32 - bytes.len()];
    full.extend_from_slice(&bytes);
    Ok(URL_SAFE_NO_PAD.encode(full))
}

/// The JWK SHA-256 thumbprint of RFC 7638, base64url: the hash of the key's required members
/// in lexicographic order, without whitespace.
pub(crate) fn thumbprint(raw: &Value) -> Option<String> {
    let member = |name: &str| raw.get(name).and_then(Value::as_str);
    let canonical = match member("kty")? {
        "EC" => serde_json::json!({
            "crv": member("crv")?, "kty": "EC", "x": member("x")?, "y": member("y")?,
        }),
        "RSA" => serde_json::json!({ "e": member("e")?, "kty": "RSA", "n": member("n")? }),
        _ => return None,
    };
    // The members are written in the lexicographic order RFC 7638 asks for.
    let text = serde_json::to_string(&canonical).ok()?;
    Some(URL_SAFE_NO_PAD.encode(Sha256::digest(text.as_bytes())))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn thumbprint_matches_rfc_7638_example() {
        // RFC 7638, section 3.1.
        let key = serde_json::json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29",
        });
        assert_eq!(
            thumbprint(&key).unwrap(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
        assert!(thumbprint(&serde_json::json!({"kty": "oct", "k": "x"})).is_none());
    }

    #[test]
    fn only_public_p256_and_long_rsa_keys_are_accepted() {
        let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let public: Value = serde_json::from_str(&secret.public_key().to_jwk_string()).unwrap();
        assert_eq!(
            client_key(&public).ok().unwrap().algorithm,
            Algorithm::ES256
        );
        let private: Value = serde_json::from_str(&secret.to_jwk_string()).unwrap();
        assert_eq!(
            client_key(&private).err(),
            Some("the key holds a private part")
        );
        let short_rsa = serde_json::json!({"kty": "RSA", "n": URL_SAFE_NO_PAD.encode([0xC5u8; 128]), "e": "AQAB"});
        assert_eq!(
            client_key(&short_rsa).err(),
            Some("the RSA key is shorter than 2048 bits")
        );
        let long_rsa = serde_json::json!({"kty": "RSA", "n": URL_SAFE_NO_PAD.encode([0xC5u8; 256]), "e": "AQAB"});
        assert_eq!(
            client_key(&long_rsa).ok().unwrap().algorithm,
            Algorithm::PS256
        );
        assert_eq!(
            coordinate(&URL_SAFE_NO_PAD.encode([7u8; 31])).unwrap(),
            URL_SAFE_NO_PAD.encode([&[0u8][..], &[7u8; 31]].concat())
        );
        assert!(coordinate(&URL_SAFE_NO_PAD.encode([7u8; 33])).is_err());
        let p384 = serde_json::json!({"kty": "EC", "crv": "P-384", "x": "AAAA", "y": "AAAA"});
        assert!(client_key(&p384).is_err());
    }
}
