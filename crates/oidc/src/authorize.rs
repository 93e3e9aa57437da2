//! The authorization endpoint's logic: checking a request before anything is shown, and
//! issuing a single-use code of at most 60 seconds for a logged-in customer.
//!
//! A request that names an unknown client or a redirect URI not registered for it is answered
//! on our own page and never redirected: otherwise the endpoint would be an open redirector.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use identity::SessionInfo;
use platform::audit::{self, Actor, Event, Outcome, RequestMeta, Target};
use platform::crypto::SecretToken;
use platform::time_util::now_unix;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use url::Url;

use crate::clients::{self, Client, GrantType};
use crate::error::{ErrorCode, OAuthError, ProviderError};
use crate::params::{self, Params};
use crate::{Provider, store};

/// Lifetime of an authorization code.
pub const CODE_SECS: i64 = 60;

/// A checked authorization request.
#[derive(Debug)]
pub struct AuthorizationRequest {
    /// The client asking.
    pub client: Client,
    /// Where the code goes: one of the client's registered URIs, exactly.
    pub redirect_uri: String,
    redirect: Url,
    /// Scopes asked for.
    pub scopes: Vec<String>,
    /// The client's `state`, returned as is.
    pub state: Option<String>,
    /// The client's `nonce`, put in the ID token.
    pub nonce: Option<String>,
    /// The PKCE S256 challenge.
    pub code_challenge: String,
    /// `prompt=none`: never show a login page.
    pub prompt_none: bool,
}

/// Why an authorization request cannot proceed.
#[derive(Debug)]
pub enum AuthorizeError {
    /// The client or its redirect URI cannot be trusted: show the error on our page.
    NoRedirect(OAuthError),
    /// The error goes back to the client at this URL.
    Redirect(Url),
}

impl Provider {
    /// Checks an authorization request (the query of `GET /oauth2/authorize`); a refusal is
    /// audited with its reason.
    pub async fn check_authorization(
        &self,
        query: &[u8],
        meta: &RequestMeta,
    ) -> Result<AuthorizationRequest, AuthorizeError> {
        let (result, refusal) = match self.checked_authorization(query).await {
            Ok(request) => (Ok(request), None),
            Err((error, oauth)) => (Err(error), Some(oauth)),
        };
        if let Some(oauth) = refusal
            && let Err(e) = self.audit_refusal("authorize", &oauth, None, meta).await
        {
            return Err(server_error(e));
        }
        result
    }

    async fn checked_authorization(
        &self,
        query: &[u8],
    ) -> Result<AuthorizationRequest, (AuthorizeError, OAuthError)> {
        let here = |e: OAuthError| (AuthorizeError::NoRedirect(e), e);
        let params = Params::parse(query).map_err(here)?;
        let client_id = params
            .require("client_id", "client_id missing")
            .map_err(here)?;
        let client = {
            let mut tx = self
                .db
                .read()
                .await
                .map_err(|e| (server_error(e), SERVER_ERROR))?;
            clients::find(&mut tx, client_id)
                .await
                .map_err(|e| (server_error(e), SERVER_ERROR))?
        };
        let client = client
            .filter(|c| !c.disabled)
            .ok_or_else(|| here(OAuthError::request("unknown client")))?;
        let redirect_uri = params
            .require("redirect_uri", "redirect_uri missing")
            .map_err(here)?;
        if !client.redirect_uris.iter().any(|u| u == redirect_uri) {
            return Err(here(OAuthError::request(
                "redirect_uri is not registered for this client",
            )));
        }
        let redirect = Url::parse(redirect_uri)
            .map_err(|_| here(OAuthError::request("redirect_uri is malformed")))?;
        let state = params.get("state").map(str::to_owned);
        let checked = check_rest(&params, &client).map_err(|error| {
            let url = self.error_redirect(&redirect, state.as_deref(), &error);
            (AuthorizeError::Redirect(url), error)
        })?;
        Ok(AuthorizationRequest {
            redirect_uri: redirect_uri.to_owned(),
            redirect,
            state,
            client,
            scopes: checked.scopes,
            nonce: checked.nonce,
            code_challenge: checked.code_challenge,
            prompt_none: checked.prompt_none,
        })
    }

    /// The client's redirect URI carrying an error, the `state` and our issuer (RFC 9207).
    fn error_redirect(&self, redirect: &Url, state: Option<&str>, error: &OAuthError) -> Url {
        let mut url = redirect.clone();
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("error", error.code.as_str());
            q.append_pair("error_description", error.description);
            if let Some(state) = state {
                q.append_pair("state", state);
            }
            q.append_pair("iss", &self.settings.issuer);
        }
        url
    }

    /// The answer to `prompt=none` without a logged-in customer.
    pub fn login_required(&self, request: &AuthorizationRequest) -> Url {
        let error = OAuthError::new(ErrorCode::LoginRequired, "the customer is not logged in");
        self.error_redirect(&request.redirect, request.state.as_deref(), &error)
    }

    /// Issues a code for the logged-in customer and returns the redirect carrying it.
    pub async fn issue_code(
        &self,
        request: &AuthorizationRequest,
        session: &SessionInfo,
        meta: &RequestMeta,
    ) -> Result<Url, ProviderError> {
        let code = SecretToken::generate();
        let scope = request.scopes.join(" ");
        let mut tx = self.db.write().await?;
        let new = store::NewCode {
            hash: &code.hash,
            client_id: &request.client.id,
            customer: session.customer,
            redirect_uri: &request.redirect_uri,
            scope: &scope,
            nonce: request.nonce.as_deref(),
            code_challenge: &request.code_challenge,
            auth_time: session.auth_time,
            amr: &session.amr,
            expires_at: now_unix() + CODE_SECS,
        };
        store::insert_code(&mut tx, &new).await?;
        let event = Event {
            actor: Actor::customer(session.customer),
            action: "oidc.code_issued",
            target: Target::client(&request.client.id),
            outcome: Outcome::Success,
        };
        audit::append(&mut tx, &event, meta).await?;
        tx.commit().await?;
        let mut url = request.redirect.clone();
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("code", &code.plain);
            if let Some(state) = &request.state {
                q.append_pair("state", state);
            }
            q.append_pair("iss", &self.settings.issuer);
        }
        Ok(url)
    }
}

/// The parts of a request checked once the redirect URI is known to be the client's.
struct Checked {
    scopes: Vec<String>,
    nonce: Option<String>,
    code_challenge: String,
    prompt_none: bool,
}

fn check_rest(params: &Params, client: &Client) -> Result<Checked, OAuthError> {
    if params.get("request").is_some() || params.get("request_uri").is_some() {
        return Err(OAuthError::new(
            ErrorCode::InvalidRequest,
            "request objects are not supported",
        ));
    }
    if params.require("response_type", "response_type missing")? != "code" {
        return Err(OAuthError::new(
            ErrorCode::UnsupportedResponseType,
            "only response_type=code is supported",
        ));
    }
    if !matches!(params.get("response_mode"), None | Some("query")) {
        return Err(OAuthError::request("only response_mode=query is supported"));
    }
    if !client.may_use(GrantType::AuthorizationCode) {
        return Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            "client may not use the authorization code grant",
        ));
    }
    let challenge = params.require("code_challenge", "code_challenge (PKCE) is required")?;
    if params.get("code_challenge_method") != Some("S256") {
        return Err(OAuthError::request("code_challenge_method must be S256"));
    }
    if !is_challenge(challenge) {
        return Err(OAuthError::request("code_challenge is malformed"));
    }
    let scopes = params::scopes(params.require("scope", "scope missing")?)?;
    if scopes.is_empty() || !client.may_hold(&scopes) {
        return Err(OAuthError::new(
            ErrorCode::InvalidScope,
            "scope not allowed for this client",
        ));
    }
    let nonce = params.get("nonce");
    if nonce.is_some_and(|n| n.len() > 512) {
        return Err(OAuthError::request("nonce is too long"));
    }
    if params.get("state").is_some_and(|s| s.len() > 1024) {
        return Err(OAuthError::request("state is too long"));
    }
    Ok(Checked {
        scopes,
        nonce: nonce.map(str::to_owned),
        code_challenge: challenge.to_owned(),
        prompt_none: params
            .get("prompt")
            .is_some_and(|p| p.split(' ').any(|v| v == "none")),
    })
}

const SERVER_ERROR: OAuthError = OAuthError {
    code: ErrorCode::ServerError,
    description: "temporarily unavailable",
};

fn server_error<E: std::fmt::Display>(e: E) -> AuthorizeError {
    tracing::error!(error = %e, "authorization request failed");
    AuthorizeError::NoRedirect(SERVER_ERROR)
}

/// An S256 challenge: 43 characters of base64url, the encoding of 32 bytes.
fn is_challenge(challenge: &str) -> bool {
    challenge.len() == 43 && URL_SAFE_NO_PAD.decode(challenge).is_ok()
}

/// True when the verifier hashes to the challenge (RFC 7636, S256 only).
pub(crate) fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    if !well_formed {
        return false;
    }
    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    computed.len() == challenge.len() && bool::from(computed.as_bytes().ct_eq(challenge.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_matches_the_rfc_example() {
        // RFC 7636, appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(is_challenge(challenge));
        assert!(pkce_matches(verifier, challenge));
        assert!(!pkce_matches(challenge, challenge));
        assert!(!pkce_matches("short", challenge));
        assert!(!pkce_matches(&format!("{verifier} "), challenge));
    }
}
