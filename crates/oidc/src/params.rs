//! Request parameters of the OAuth endpoints. RFC 6749 forbids repeating a parameter, and a
//! repeated one is how parameter-pollution attacks begin, so a repeat refuses the request.

use crate::error::OAuthError;

/// Longest value of any parameter; real values are far shorter.
const MAX_VALUE_LEN: usize = 4096;

/// Parameters of one request, each present at most once; empty values count as absent.
#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Parses a query string or a form body.
    pub fn parse(encoded: &[u8]) -> Result<Self, OAuthError> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (name, value) in url::form_urlencoded::parse(encoded) {
            if pairs.iter().any(|(n, _)| *n == name) {
                return Err(OAuthError::request("a parameter is repeated"));
            }
            if value.len() > MAX_VALUE_LEN || value.contains('\0') {
                return Err(OAuthError::request(
                    "a parameter value is too long or malformed",
                ));
            }
            pairs.push((name.into_owned(), value.into_owned()));
        }
        Ok(Self(pairs))
    }

    /// A parameter's value, `None` when absent or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, v)| n == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// A parameter that must be present.
    pub fn require(&self, name: &str, missing: &'static str) -> Result<&str, OAuthError> {
        self.get(name).ok_or(OAuthError::request(missing))
    }
}

/// Splits a space-separated scope list, refusing repeats and odd characters.
pub fn scopes(raw: &str) -> Result<Vec<String>, OAuthError> {
    let mut list: Vec<String> = Vec::new();
    for scope in raw.split(' ').filter(|s| !s.is_empty()) {
        let ok = scope.len() <= 64
            && scope
                .bytes()
                .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\');
        if !ok {
            return Err(OAuthError::new(
                crate::ErrorCode::InvalidScope,
                "malformed scope",
            ));
        }
        if !list.iter().any(|s| s == scope) {
            list.push(scope.to_owned());
        }
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn repeated_parameters_are_refused() {
        assert!(Params::parse(b"a=1&b=2").is_ok());
        let err = Params::parse(b"a=1&a=2").unwrap_err();
        assert_eq!(err.code, crate::ErrorCode::InvalidRequest);
    }

    #[test]
    fn empty_values_count_as_absent() {
        let p = Params::parse(b"state=&code=x").unwrap();
        assert_eq!(p.get("state"), None);
        assert_eq!(p.get("code"), Some("x"));
        assert!(p.require("state", "state missing").is_err());
    }

    #[test]
    fn scopes_are_split_and_checked() {
        assert_eq!(
            scopes("openid  email openid").unwrap(),
            vec!["openid", "email"]
        );
        assert!(scopes("openid \u{7f}").is_err());
        assert!(scopes("a\"b").is_err());
    }
}
