//! The token endpoint's grants: authorization code with PKCE, refresh-token rotation with
//! reuse detection, and client credentials.

use platform::audit::{self, Actor, Event, Outcome, RequestMeta, Target};
use platform::crypto::SecretToken;
use platform::ids::CustomerId;
use platform::time_util::now_unix;
use serde::Serialize;

use crate::authorize::pkce_matches;
use crate::claims::{ACCESS_TOKEN_TYP, AccessClaims, Confirmation, IdClaims, acr_of};
use crate::clients::{self, Client, GrantType, Presented};
use crate::error::{ErrorCode, OAuthError, ProviderError};
use crate::params::{self, Params};
use crate::{Provider, paths, store};

/// A successful token response (RFC 6749 §5.1).
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    /// The access token (a JWT).
    pub access_token: String,
    /// `DPoP` for a token bound to the client's DPoP key, else `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Granted scopes.
    pub scope: String,
    /// A new refresh token, for clients allowed them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// The ID token, when `openid` was granted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

/// What a customer grant stands on, for minting tokens.
struct CustomerGrant<'a> {
    client: &'a Client,
    customer: CustomerId,
    grant_id: &'a str,
    scope: &'a str,
    auth_time: i64,
    amr: &'a str,
    nonce: Option<&'a str>,
    refresh_token: Option<String>,
    jkt: Option<&'a str>,
}

impl Provider {
    /// Answers a token request, with the request's `DPoP` proof if it sent one; every refusal
    /// is audited with its reason.
    pub async fn token(
        &self,
        params: &Params,
        presented: &Presented,
        dpop: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<TokenResponse, ProviderError> {
        let result = self.grant(params, presented, dpop, meta).await;
        if let Err(ProviderError::OAuth(error)) = &result {
            let client = presented
                .basic
                .as_ref()
                .map(|(id, _)| id.as_str())
                .or(presented.client_id.as_deref());
            self.audit_refusal("token", error, client, meta).await?;
        }
        result
    }

    async fn grant(
        &self,
        params: &Params,
        presented: &Presented,
        dpop: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<TokenResponse, ProviderError> {
        let grant: GrantType = params
            .require("grant_type", "grant_type missing")?
            .parse()
            .map_err(|_| {
                OAuthError::new(ErrorCode::UnsupportedGrantType, "unsupported grant_type")
            })?;
        // Services asking for client-credentials tokens at a high rate are served from
        // remembered registrations; customer grants read theirs each time.
        let remembered = (grant == GrantType::ClientCredentials).then_some(&self.clients);
        let client =
            clients::authenticate(&self.db, remembered, presented, &self.assertion_audiences())
                .await?;
        if !client.may_use(grant) {
            return Err(OAuthError::new(
                ErrorCode::UnauthorizedClient,
                "client may not use this grant type",
            )
            .into());
        }
        let jkt = match dpop {
            Some(proof) => Some(
                self.check_dpop_proof(proof, "POST", paths::TOKEN_PATH, None)
                    .await?,
            ),
            None if client.is_fapi() => {
                return Err(OAuthError::new(
                    ErrorCode::InvalidDpopProof,
                    "a DPoP proof is required for this client",
                )
                .into());
            }
            None => None,
        };
        let jkt = jkt.as_deref();
        match grant {
            GrantType::AuthorizationCode => self.redeem_code(&client, params, jkt, meta).await,
            GrantType::RefreshToken => self.refresh(&client, params, jkt, meta).await,
            GrantType::ClientCredentials => {
                self.client_credentials(&client, params, jkt, meta).await
            }
        }
    }

    async fn redeem_code(
        &self,
        client: &Client,
        params: &Params,
        jkt: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<TokenResponse, ProviderError> {
        let code = params.require("code", "code missing")?;
        let redirect_uri = params.require("redirect_uri", "redirect_uri missing")?;
        let verifier = params.require("code_verifier", "code_verifier (PKCE) missing")?;
        if !SecretToken::is_well_formed(code) {
            return Err(OAuthError::grant("code invalid").into());
        }
        let hash = SecretToken::hash(code);
        let now = now_unix();
        let grant_id = uuid::Uuid::new_v4().to_string();
        let mut tx = self.db.write().await?;
        let row = store::code(&mut tx, &hash)
            .await?
            .ok_or(OAuthError::grant("code invalid"))?;
        if row.used_at.is_some() || !store::use_code(&mut tx, &hash, now, &grant_id).await? {
            // A second redemption means the code leaked: end what the first one obtained.
            if let Some(first) = &row.grant_id {
                store::revoke_grant(&mut tx, first, now, "code_replay").await?;
            }
            let event = Event {
                actor: Actor::client(&client.id),
                action: "oidc.code_replay",
                target: Target::customer(row.customer),
                outcome: Outcome::Denied,
            };
            audit::append(&mut tx, &event, meta).await?;
            tx.commit().await?;
            return Err(OAuthError::grant("code already used").into());
        }
        let refusal = if row.expires_at <= now {
            Some("code expired")
        } else if row.client_id != client.id {
            Some("code was issued to another client")
        } else if row.redirect_uri != redirect_uri {
            Some("redirect_uri differs from the authorization request")
        } else if !pkce_matches(verifier, &row.code_challenge) {
            Some("code_verifier does not match the code_challenge")
        } else if !self.identity.is_active(row.customer).await? {
            Some("the customer's account is not active")
        } else {
            None
        };
        if let Some(why) = refusal {
            // The code is spent either way: a failed attempt must not leave it usable.
            tx.commit().await?;
            return Err(OAuthError::grant(why).into());
        }
        let expires_at = now + self.settings.refresh_secs;
        let grant = store::NewGrant {
            id: &grant_id,
            client_id: &client.id,
            customer: row.customer,
            scope: &row.scope,
            auth_time: row.auth_time,
            amr: &row.amr,
            now,
            expires_at,
            // RFC 9449 §5: the refresh tokens of clients without a secret are bound too.
            dpop_jkt: jkt.filter(|_| client.is_public() || client.is_fapi()),
        };
        store::insert_grant(&mut tx, &grant).await?;
        let refresh_token = if client.may_use(GrantType::RefreshToken) {
            let token = SecretToken::generate();
            store::insert_refresh_token(&mut tx, &token.hash, &grant_id, now).await?;
            Some(token.plain)
        } else {
            None
        };
        let event = Event {
            actor: Actor::client(&client.id),
            action: "oidc.token_issued.authorization_code",
            target: Target::customer(row.customer),
            outcome: Outcome::Success,
        };
        audit::append(&mut tx, &event, meta).await?;
        tx.commit().await?;
        self.customer_tokens(CustomerGrant {
            client,
            customer: row.customer,
            grant_id: &grant_id,
            scope: &row.scope,
            auth_time: row.auth_time,
            amr: &row.amr,
            nonce: row.nonce.as_deref(),
            refresh_token,
            jkt,
        })
        .await
    }

    async fn refresh(
        &self,
        client: &Client,
        params: &Params,
        jkt: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<TokenResponse, ProviderError> {
        let presented = params.require("refresh_token", "refresh_token missing")?;
        if !SecretToken::is_well_formed(presented) {
            return Err(OAuthError::grant("refresh token invalid").into());
        }
        let hash = SecretToken::hash(presented);
        let now = now_unix();
        let mut tx = self.db.write().await?;
        let row = store::refresh_token(&mut tx, &hash)
            .await?
            .filter(|r| r.client_id == client.id)
            .ok_or(OAuthError::grant("refresh token invalid"))?;
        if row.revoked_at.is_some() {
            return Err(OAuthError::grant("refresh token revoked").into());
        }
        // Checked before rotation: a thief without the key must not be able to burn the token.
        if row.dpop_jkt.is_some() && row.dpop_jkt.as_deref() != jkt {
            return Err(OAuthError::new(
                ErrorCode::InvalidDpopProof,
                "the refresh token is bound to another DPoP key",
            )
            .into());
        }
        if row.rotated_at.is_some() || !store::rotate_refresh_token(&mut tx, &hash, now).await? {
            // A rotated token came back: either the client or a thief holds a copy. Nobody can
            // tell which, so the whole family ends.
            store::revoke_grant(&mut tx, &row.grant_id, now, "refresh_token_reuse").await?;
            let event = Event {
                actor: Actor::client(&client.id),
                action: "oidc.refresh_token_reuse",
                target: Target::grant(&row.grant_id),
                outcome: Outcome::Denied,
            };
            audit::append(&mut tx, &event, meta).await?;
            tx.commit().await?;
            tracing::warn!(client = %client.id, "refresh token reused; grant revoked");
            return Err(
                OAuthError::grant("refresh token already used; the grant is revoked").into(),
            );
        }
        if row.expires_at <= now {
            return Err(OAuthError::grant("refresh token expired").into());
        }
        let scope = narrowed_scope(params, &row.scope)?;
        if !self.identity.is_active(row.customer).await? {
            return Err(OAuthError::grant("the customer's account is not active").into());
        }
        let token = SecretToken::generate();
        store::insert_refresh_token(&mut tx, &token.hash, &row.grant_id, now).await?;
        let event = Event {
            actor: Actor::client(&client.id),
            action: "oidc.token_issued.refresh_token",
            target: Target::customer(row.customer),
            outcome: Outcome::Success,
        };
        audit::append(&mut tx, &event, meta).await?;
        tx.commit().await?;
        self.customer_tokens(CustomerGrant {
            client,
            customer: row.customer,
            grant_id: &row.grant_id,
            scope: &scope,
            auth_time: row.auth_time,
            amr: &row.amr,
            nonce: None,
            refresh_token: Some(token.plain),
            jkt,
        })
        .await
    }

    async fn client_credentials(
        &self,
        client: &Client,
        params: &Params,
        jkt: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<TokenResponse, ProviderError> {
        let scopes = match params.get("scope") {
            Some(raw) => params::scopes(raw)?,
            None => client.scopes.clone(),
        };
        if scopes.is_empty() || !client.may_hold(&scopes) {
            return Err(OAuthError::new(
                ErrorCode::InvalidScope,
                "scope not allowed for this client",
            )
            .into());
        }
        let scope = scopes.join(" ");
        let event = Event {
            actor: Actor::client(&client.id),
            action: "oidc.token_issued.client_credentials",
            target: Target::client(&client.id),
            outcome: Outcome::Success,
        };
        // The token is signed while the entry waits for its group commit; it leaves the
        // process only once the entry is durable.
        let (recorded, access_token) = tokio::join!(
            audit::record(&self.db, &event, meta),
            self.access_token(&client.id, client, &scope, None, Vec::new(), jkt)
        );
        recorded?;
        let access_token = access_token?;
        Ok(TokenResponse {
            access_token,
            token_type: token_type(jkt),
            expires_in: self.settings.access_secs,
            scope,
            refresh_token: None,
            id_token: None,
        })
    }

    async fn customer_tokens(&self, g: CustomerGrant<'_>) -> Result<TokenResponse, ProviderError> {
        let subject = g.customer.to_string();
        let roles = vec!["customer".to_owned()];
        let access_token = self
            .access_token(
                &subject,
                g.client,
                g.scope,
                Some(g.grant_id),
                roles.clone(),
                g.jkt,
            )
            .await?;
        let id_token = if g.scope.split(' ').any(|s| s == "openid") {
            let now = now_unix();
            let claims = IdClaims {
                iss: self.settings.issuer.clone(),
                sub: subject,
                aud: g.client.id.clone(),
                azp: g.client.id.clone(),
                exp: now + self.settings.access_secs,
                iat: now,
                auth_time: g.auth_time,
                nonce: g.nonce.map(str::to_owned),
                amr: g.amr.split(' ').map(str::to_owned).collect(),
                acr: acr_of(g.amr).to_owned(),
                sid: g.grant_id.to_owned(),
                roles,
            };
            Some(self.keys.sign("JWT", &claims).await?)
        } else {
            None
        };
        Ok(TokenResponse {
            access_token,
            token_type: token_type(g.jkt),
            expires_in: self.settings.access_secs,
            scope: g.scope.to_owned(),
            refresh_token: g.refresh_token,
            id_token,
        })
    }

    async fn access_token(
        &self,
        subject: &str,
        client: &Client,
        scope: &str,
        grant_id: Option<&str>,
        roles: Vec<String>,
        jkt: Option<&str>,
    ) -> Result<String, ProviderError> {
        let now = now_unix();
        let claims = AccessClaims {
            iss: self.settings.issuer.clone(),
            sub: subject.to_owned(),
            aud: self.settings.api_audience.clone(),
            exp: now + self.settings.access_secs,
            iat: now,
            nbf: now,
            jti: uuid::Uuid::new_v4().to_string(),
            client_id: client.id.clone(),
            scope: scope.to_owned(),
            sid: grant_id.map(str::to_owned),
            roles,
            cnf: jkt.map(|jkt| Confirmation {
                jkt: jkt.to_owned(),
            }),
        };
        self.keys.sign(ACCESS_TOKEN_TYP, &claims).await
    }

    /// Audits a refused request with the standard error code as its reason.
    pub async fn audit_refusal(
        &self,
        endpoint: &'static str,
        error: &OAuthError,
        client: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<(), ProviderError> {
        let actor = client.map_or_else(Actor::anonymous, Actor::client);
        let event = Event {
            actor,
            action: refusal_action(endpoint, error.code),
            target: Target::none(),
            outcome: Outcome::Failure,
        };
        audit::record(&self.db, &event, meta).await?;
        Ok(())
    }
}

/// `DPoP` for a bound token (RFC 9449 §5), `Bearer` otherwise.
fn token_type(jkt: Option<&str>) -> &'static str {
    if jkt.is_some() { "DPoP" } else { "Bearer" }
}

/// The scope of a refreshed token: the grant's, or a subset the client asks for.
fn narrowed_scope(params: &Params, granted: &str) -> Result<String, OAuthError> {
    let Some(raw) = params.get("scope") else {
        return Ok(granted.to_owned());
    };
    let asked = params::scopes(raw)?;
    if asked.is_empty() || !asked.iter().all(|s| granted.split(' ').any(|g| g == s)) {
        return Err(OAuthError::new(
            ErrorCode::InvalidScope,
            "scope exceeds the original grant",
        ));
    }
    Ok(asked.join(" "))
}

fn refusal_action(endpoint: &'static str, code: ErrorCode) -> &'static str {
    match (endpoint, code) {
        ("token", ErrorCode::InvalidRequest) => "oidc.token_refused.invalid_request",
        ("token", ErrorCode::InvalidClient) => "oidc.token_refused.invalid_client",
        ("token", ErrorCode::InvalidGrant) => "oidc.token_refused.invalid_grant",
        ("token", ErrorCode::UnauthorizedClient) => "oidc.token_refused.unauthorized_client",
        ("token", ErrorCode::UnsupportedGrantType) => "oidc.token_refused.unsupported_grant_type",
        ("token", ErrorCode::InvalidScope) => "oidc.token_refused.invalid_scope",
        ("token", ErrorCode::InvalidDpopProof) => "oidc.token_refused.invalid_dpop_proof",
        ("par", ErrorCode::InvalidClient) => "oidc.par_refused.invalid_client",
        ("par", _) => "oidc.par_refused.invalid_request",
        ("userinfo", ErrorCode::InvalidDpopProof) => "oidc.userinfo_refused.invalid_dpop_proof",
        ("token", _) => "oidc.token_refused.other",
        ("userinfo", _) => "oidc.userinfo_refused.invalid_token",
        ("revoke", ErrorCode::InvalidClient) => "oidc.revoke_refused.invalid_client",
        ("revoke", _) => "oidc.revoke_refused.invalid_request",
        ("authorize", ErrorCode::InvalidRequest) => "oidc.authorize_refused.invalid_request",
        ("authorize", ErrorCode::InvalidScope) => "oidc.authorize_refused.invalid_scope",
        ("authorize", ErrorCode::UnauthorizedClient) => {
            "oidc.authorize_refused.unauthorized_client"
        }
        ("authorize", ErrorCode::UnsupportedResponseType) => {
            "oidc.authorize_refused.unsupported_response_type"
        }
        ("authorize", ErrorCode::UnmetAuthenticationRequirements) => {
            "oidc.authorize_refused.unmet_authentication_requirements"
        }
        ("authorize", _) => "oidc.authorize_refused.other",
        _ => "oidc.refused",
    }
}
