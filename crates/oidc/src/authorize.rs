//! The authorization endpoint's logic: checking a request before anything is shown, and
//! issuing a single-use code of at most 60 seconds for a logged-in customer.
//!
//! A request that names an unknown client or a redirect URI not registered for it is answered
//! on our own page and never redirected: otherwise the endpoint would be an open redirector.
//!
//! A request may come in full in the query, or as `client_id` and a `request_uri` the client
//! pushed beforehand (RFC 9126, required for FAPI clients). `max_age` and `acr_values` decide
//! whether the customer's session is enough or they must log in again first.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use identity::SessionInfo;
use platform::audit::{self, Actor, Event, Outcome, RequestMeta, Target};
use platform::crypto::SecretToken;
use platform::db::{DbError, col};
use platform::fault::{Classify, classify};
use platform::time_util::now_unix;
use serde::Serialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use url::Url;

use crate::claims::{ACR_MFA, acr_of};
use crate::clients::{self, Client, GrantType, Presented};
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
    /// `max_age`: the longest time since the customer last logged in, in seconds.
    pub max_age: Option<i64>,
    /// `acr_values` asked for a second factor.
    pub wants_mfa: bool,
    /// Set when we sent the customer to log in: a session must be at least this new.
    login_after: Option<i64>,
    /// The request's query: the original one, or the one naming the pushed request and the
    /// browser's secret to resume it.
    query: String,
    /// The hash of the pushed (or parked) request this came from.
    pushed: Option<Vec<u8>>,
}

/// What the customer's current session is worth for a request.
#[derive(Debug)]
pub enum SessionVerdict {
    /// A code may be issued.
    Sufficient,
    /// The customer must log in again first (with the second step when it is on): the session
    /// is older than `max_age`, or lacks the second factor `acr_values` asks for.
    LoginAgain,
    /// The request cannot be met (a second factor asked for, none set up): the error goes back
    /// to the client at this URL.
    Unmet(Url),
}

/// The marker of the browser allowed to come back to a pushed request.
const RESUME: &str = "resume";
/// The prefix of our `request_uri` values (RFC 9126 §2.2).
pub const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";
/// Lifetime of a pushed request before a browser brings it (RFC 9126 allows up to minutes;
/// FAPI clients send the browser at once).
pub const PAR_SECS: i64 = 60;
/// How long a browser that brought a pushed request may take to log in and come back.
const RESUME_SECS: i64 = 600;
/// The parameters of an authorization request, the only ones a pushed request keeps.
const AUTHORIZATION_PARAMS: [&str; 12] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "prompt",
    "max_age",
    "acr_values",
    "response_mode",
];

impl AuthorizationRequest {
    /// True when the session is new enough for `max_age` and for a forced fresh login.
    fn fresh_enough(&self, session: &SessionInfo, now: i64) -> bool {
        if let Some(after) = self.login_after {
            // Logged in since we asked: `max_age` is met by that login.
            return session.auth_time >= after;
        }
        match self.max_age {
            None => true,
            // OpenID Connect Core §3.1.2.1: `max_age=0` is `prompt=login`.
            Some(0) => false,
            Some(max) => now.saturating_sub(session.auth_time) <= max,
        }
    }
}

/// The answer to a pushed authorization request (RFC 9126 §2.2).
#[derive(Debug, Serialize)]
pub struct PushedRequest {
    /// The one-time reference the client puts in the authorization request.
    pub request_uri: String,
    /// Seconds until it expires.
    pub expires_in: i64,
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
        let outer = Params::parse(query).map_err(here)?;
        let client_id = outer
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
        let (params, pushed, query, login_after) = match outer.get("request_uri") {
            Some(request_uri) => {
                let claimed = self
                    .claim_pushed(&client, request_uri, outer.get(RESUME))
                    .await
                    .map_err(|e| match e {
                        ProviderError::OAuth(e) => here(e),
                        other => (server_error(other), SERVER_ERROR),
                    })?;
                let params = Params::parse(claimed.params.as_bytes()).map_err(here)?;
                let resume = resume_query(&client.id, request_uri, &claimed.secret);
                (params, Some(claimed.hash), resume, claimed.login_after)
            }
            None => (
                outer,
                None,
                String::from_utf8_lossy(query).into_owned(),
                None,
            ),
        };
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
        let checked = check_rest(&params, &client)
            .and_then(|checked| {
                if client.is_fapi() && pushed.is_none() {
                    Err(OAuthError::request(
                        "this client must push its authorization requests (PAR)",
                    ))
                } else if params.get("client_id") != Some(client.id.as_str()) {
                    Err(OAuthError::request(
                        "client_id differs from the pushed request",
                    ))
                } else {
                    Ok(checked)
                }
            })
            .map_err(|error| {
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
            max_age: checked.max_age,
            wants_mfa: checked.wants_mfa,
            login_after,
            query,
            pushed,
        })
    }

    /// Keeps the request while the customer logs in, and returns where the browser comes back
    /// to: the request, which only this browser may resume, within a few minutes, and only with
    /// a session started after now.
    pub async fn park(&self, request: &AuthorizationRequest) -> Result<String, ProviderError> {
        let now = now_unix();
        let mut tx = self.db.write().await?;
        let query = match &request.pushed {
            Some(hash) => {
                sqlx::query(
                    "UPDATE oidc_par_requests SET login_after = $1 WHERE request_hash = $2",
                )
                .bind(now)
                .bind(hash)
                .execute(&mut *tx)
                .await
                .map_err(DbError::from)?;
                request.query.clone()
            }
            None => {
                let handle = SecretToken::generate();
                let secret = SecretToken::generate();
                sqlx::query(
                    "INSERT INTO oidc_par_requests (request_hash, client_id, params, expires_at, \
                     used_at, resume_hash, login_after) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&handle.hash)
                .bind(&request.client.id)
                .bind(&request.query)
                .bind(now + RESUME_SECS)
                .bind(now)
                .bind(&secret.hash)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(DbError::from)?;
                let request_uri = format!("{REQUEST_URI_PREFIX}{}", handle.plain);
                resume_query(&request.client.id, &request_uri, &secret.plain)
            }
        };
        tx.commit().await?;
        Ok(format!("{}?{query}", crate::paths::AUTHORIZE_PATH))
    }

    /// Answers a pushed authorization request (RFC 9126): the client authenticates, the request
    /// is checked as the authorization endpoint would check it, and is kept for [`PAR_SECS`]
    /// under a one-time `request_uri`. Accepted and refused requests are audited.
    pub async fn push_authorization(
        &self,
        params: &Params,
        presented: &Presented,
        meta: &RequestMeta,
    ) -> Result<PushedRequest, ProviderError> {
        let result = self.push(params, presented, meta).await;
        if let Err(ProviderError::OAuth(error)) = &result {
            self.audit_refusal("par", error, presented.client_id.as_deref(), meta)
                .await?;
        }
        result
    }

    async fn push(
        &self,
        params: &Params,
        presented: &Presented,
        meta: &RequestMeta,
    ) -> Result<PushedRequest, ProviderError> {
        let client =
            clients::authenticate(&self.db, None, presented, &self.assertion_audiences()).await?;
        if params.get("request_uri").is_some() {
            return Err(OAuthError::request("request_uri may not be pushed").into());
        }
        if params.get("client_id").is_some_and(|id| id != client.id) {
            return Err(
                OAuthError::request("client_id differs from the authenticated client").into(),
            );
        }
        let redirect_uri = params.require("redirect_uri", "redirect_uri missing")?;
        if !client.redirect_uris.iter().any(|u| u == redirect_uri) {
            return Err(
                OAuthError::request("redirect_uri is not registered for this client").into(),
            );
        }
        check_rest(params, &client)?;
        let kept = {
            let mut kept = url::form_urlencoded::Serializer::new(String::new());
            kept.append_pair("client_id", &client.id);
            for name in AUTHORIZATION_PARAMS.iter().filter(|n| **n != "client_id") {
                if let Some(value) = params.get(name) {
                    kept.append_pair(name, value);
                }
            }
            kept.finish()
        };
        let token = SecretToken::generate();
        let mut tx = self.db.write().await?;
        sqlx::query(
            "INSERT INTO oidc_par_requests (request_hash, client_id, params, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&token.hash)
        .bind(&client.id)
        .bind(kept)
        .bind(now_unix() + PAR_SECS)
        .execute(&mut *tx)
        .await
        .map_err(DbError::from)?;
        let event = Event {
            actor: Actor::client(&client.id),
            action: "oidc.par_accepted",
            target: Target::client(&client.id),
            outcome: Outcome::Success,
        };
        audit::append(&mut tx, &event, meta).await?;
        tx.commit().await?;
        Ok(PushedRequest {
            request_uri: format!("{REQUEST_URI_PREFIX}{}", token.plain),
            expires_in: PAR_SECS,
        })
    }

    /// A pushed request as its browser brings it. The first visit claims the request for the
    /// visiting browser; only that browser, presenting the secret, may come back, until a code
    /// is issued.
    async fn claim_pushed(
        &self,
        client: &Client,
        request_uri: &str,
        resume: Option<&str>,
    ) -> Result<Claimed, ProviderError> {
        let unknown = OAuthError::request("request_uri unknown, expired or already used");
        let plain = request_uri
            .strip_prefix(REQUEST_URI_PREFIX)
            .filter(|p| SecretToken::is_well_formed(p))
            .ok_or(unknown)?;
        let hash = SecretToken::hash(plain);
        let now = now_unix();
        let mut tx = self.db.write().await?;
        let row = sqlx::query(
            "SELECT client_id, params, expires_at, used_at, resume_hash, login_after FROM oidc_par_requests \
             WHERE request_hash = $1",
        )
        .bind(&hash)
        .fetch_optional(&mut *tx)
        .await
        .map_err(DbError::from)?
        .ok_or(unknown)?;
        let owner: String = col(&row, "client_id")?;
        let params: String = col(&row, "params")?;
        let expires_at: i64 = col(&row, "expires_at")?;
        let used_at: Option<i64> = col(&row, "used_at")?;
        let resume_hash: Option<Vec<u8>> = col(&row, "resume_hash")?;
        let login_after: Option<i64> = col(&row, "login_after")?;
        if owner != client.id || expires_at <= now {
            return Err(unknown.into());
        }
        if used_at.is_some() {
            let given = resume.map(SecretToken::hash).unwrap_or_default();
            let stored = resume_hash.unwrap_or_default();
            let same = !stored.is_empty()
                && stored.len() == given.len()
                && bool::from(stored.ct_eq(&given));
            return match (same, resume) {
                (true, Some(secret)) => Ok(Claimed {
                    params,
                    hash,
                    secret: secret.to_owned(),
                    login_after,
                }),
                _ => Err(unknown.into()),
            };
        }
        let secret = SecretToken::generate();
        let claimed = sqlx::query(
            "UPDATE oidc_par_requests SET used_at = $1, resume_hash = $2, expires_at = $3 \
             WHERE request_hash = $4 AND used_at IS NULL",
        )
        .bind(now)
        .bind(&secret.hash)
        .bind(now + RESUME_SECS)
        .bind(&hash)
        .execute(&mut *tx)
        .await
        .map_err(DbError::from)?
        .rows_affected()
            == 1;
        tx.commit().await?;
        if !claimed {
            return Err(unknown.into());
        }
        Ok(Claimed {
            params,
            hash,
            secret: secret.plain,
            login_after,
        })
    }

    /// Whether the customer's session is enough for the request: fresh enough for `max_age`
    /// and with a second factor when `acr_values` asks for one. A customer without a second
    /// factor cannot meet such a request; the client is told so
    /// (`unmet_authentication_requirements`) and may send them to set one up in the portal.
    pub async fn judge_session(
        &self,
        request: &AuthorizationRequest,
        session: &SessionInfo,
    ) -> Result<SessionVerdict, ProviderError> {
        if !request.fresh_enough(session, now_unix()) {
            return Ok(SessionVerdict::LoginAgain);
        }
        if !request.wants_mfa || acr_of(&session.amr) == ACR_MFA {
            return Ok(SessionVerdict::Sufficient);
        }
        if self.identity.mfa_state(session.customer).await?.enabled {
            return Ok(SessionVerdict::LoginAgain);
        }
        let error = OAuthError::new(
            ErrorCode::UnmetAuthenticationRequirements,
            "the customer has no second factor",
        );
        Ok(SessionVerdict::Unmet(self.error_redirect(
            &request.redirect,
            request.state.as_deref(),
            &error,
        )))
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
        if let Some(hash) = &request.pushed {
            // The pushed request is spent: no browser may come back to it.
            sqlx::query(
                "UPDATE oidc_par_requests SET resume_hash = NULL, expires_at = $1 WHERE request_hash = $2",
            )
            .bind(now_unix())
            .bind(hash)
            .execute(&mut *tx)
            .await
            .map_err(DbError::from)?;
        }
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

/// A pushed request claimed by a browser.
struct Claimed {
    params: String,
    hash: Vec<u8>,
    secret: String,
    login_after: Option<i64>,
}

/// The query that names a kept request and the secret of the browser that may resume it.
fn resume_query(client_id: &str, request_uri: &str, secret: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", client_id)
        .append_pair("request_uri", request_uri)
        .append_pair(RESUME, secret)
        .finish()
}

/// The parts of a request checked once the redirect URI is known to be the client's.
struct Checked {
    scopes: Vec<String>,
    nonce: Option<String>,
    code_challenge: String,
    prompt_none: bool,
    max_age: Option<i64>,
    wants_mfa: bool,
}

/// Longest `max_age` taken as a number; anything longer is no limit.
const MAX_AGE_LIMIT: i64 = 10 * 365 * 86_400;

fn check_rest(params: &Params, client: &Client) -> Result<Checked, OAuthError> {
    if params.get("request").is_some() {
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
    let max_age = match params.get("max_age") {
        None => None,
        Some(raw) => {
            let seconds = raw
                .parse::<i64>()
                .ok()
                .filter(|s| *s >= 0)
                .ok_or(OAuthError::request("max_age must be a number of seconds"))?;
            (seconds < MAX_AGE_LIMIT).then_some(seconds)
        }
    };
    let prompts = params.get("prompt").unwrap_or_default();
    let max_age = if prompts.split(' ').any(|p| p == "login") {
        Some(0)
    } else {
        max_age
    };
    let wants_mfa = params
        .get("acr_values")
        .is_some_and(|values| values.split(' ').any(|v| v == ACR_MFA));
    Ok(Checked {
        max_age,
        wants_mfa,
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

/// A failure of ours, logged by its classification; the client is not redirected.
fn server_error<E: Classify>(e: E) -> AuthorizeError {
    classify(&e);
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
