//! What clients do with tokens once they hold them: verify an access token, read the
//! customer's claims at `userinfo`, revoke a token (RFC 7009) and end a session (RP-initiated
//! logout).

use jsonwebtoken::Validation;
use platform::audit::{self, Actor, Event, Outcome, RequestMeta, Target};
use platform::crypto::SecretToken;
use platform::ids::CustomerId;
use platform::time_util::now_unix;
use serde_json::{Map, Value};

use crate::claims::{AccessClaims, IdClaims};
use crate::clients::{self, Client, Presented};
use crate::dpop::TokenUse;
use crate::error::{ErrorCode, OAuthError, ProviderError};
use crate::keys::ALGORITHM;
use crate::params::Params;
use crate::{Provider, store};

/// Leeway for clock differences when checking `exp` and `nbf`.
const LEEWAY_SECS: u64 = 30;

/// A refused userinfo request; `dpop` tells that the token is DPoP-bound, so the challenge is
/// a `DPoP` one.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct UserinfoError {
    /// Why.
    pub error: ProviderError,
    /// The token is bound to a DPoP key.
    pub dpop: bool,
}

/// Where end-session sends the browser afterwards.
#[derive(Debug)]
pub struct Logout {
    /// The client's registered post-logout URI with its `state`, if it asked for one.
    pub redirect: Option<url::Url>,
    /// The customer whose grant ended.
    pub customer: CustomerId,
}

impl Provider {
    /// Verifies an access token: our signature, our issuer, the API audience, the time window,
    /// and that neither the token nor its grant has been revoked.
    pub async fn verify_access_token(&self, token: &str) -> Result<AccessClaims, ProviderError> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|_| OAuthError::token("malformed token"))?;
        if header.typ.as_deref() != Some(crate::claims::ACCESS_TOKEN_TYP) {
            return Err(OAuthError::token("not an access token").into());
        }
        let mut validation = Validation::new(ALGORITHM);
        validation.set_issuer(&[&self.settings.issuer]);
        validation.set_audience(&[&self.settings.api_audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS;
        let claims: AccessClaims = self.keys.verify(token, &validation).await?;
        let mut tx = self.db.read().await?;
        if !store::client_enabled(&mut tx, &claims.client_id).await? {
            return Err(OAuthError::token("client disabled").into());
        }
        if store::jti_revoked(&mut tx, &claims.jti).await? {
            return Err(OAuthError::token("token revoked").into());
        }
        if let Some(grant) = &claims.sid
            && store::live_grant(&mut tx, grant, now_unix())
                .await?
                .is_none()
        {
            return Err(OAuthError::token("grant revoked or expired").into());
        }
        Ok(claims)
    }

    /// The customer's claims for the scopes of the token, which must be presented as its DPoP
    /// binding demands; audited as an access to customer data.
    pub async fn userinfo(
        &self,
        token_use: &TokenUse<'_>,
        meta: &RequestMeta,
    ) -> Result<Value, UserinfoError> {
        let mut bound = false;
        let checked = async {
            let claims = self.verify_access_token(token_use.token).await?;
            bound = claims.cnf.is_some();
            self.check_token_use(claims.jkt(), token_use).await?;
            Ok::<_, ProviderError>(claims)
        }
        .await;
        let claims = match checked {
            Ok(claims) => claims,
            Err(ProviderError::OAuth(e)) => {
                self.audit_refusal("userinfo", &e, None, meta)
                    .await
                    .map_err(|error| UserinfoError { error, dpop: bound })?;
                return Err(UserinfoError {
                    error: e.into(),
                    dpop: bound,
                });
            }
            Err(error) => return Err(UserinfoError { error, dpop: bound }),
        };
        self.claims_for(&claims, meta)
            .await
            .map_err(|error| UserinfoError { error, dpop: bound })
    }

    async fn claims_for(
        &self,
        claims: &AccessClaims,
        meta: &RequestMeta,
    ) -> Result<Value, ProviderError> {
        if !claims.has_scope("openid") || claims.sid.is_none() {
            return Err(OAuthError::new(
                ErrorCode::InsufficientScope,
                "token lacks the openid scope",
            )
            .into());
        }
        let customer: CustomerId = claims
            .sub
            .parse()
            .map_err(|_| OAuthError::token("token has no customer"))?;
        let profile = self.identity.profile(customer).await?;
        let mut out = Map::new();
        out.insert("sub".into(), Value::String(claims.sub.clone()));
        if claims.has_scope("email") {
            out.insert("email".into(), Value::String(profile.email));
            out.insert("email_verified".into(), Value::Bool(true));
        }
        if claims.has_scope("profile") {
            out.insert("name".into(), Value::String(profile.name_kanji));
            out.insert("name#ja-Kana-JP".into(), Value::String(profile.name_kana));
            out.insert(
                "locale".into(),
                Value::String(profile.locale.code().to_owned()),
            );
        }
        let event = Event {
            actor: Actor::client(&claims.client_id),
            action: "oidc.userinfo",
            target: Target::customer(customer),
            outcome: Outcome::Success,
        };
        audit::record(&self.db, &event, meta).await?;
        Ok(Value::Object(out))
    }

    /// Revokes a refresh token (and its whole grant) or an access token. Unknown tokens and
    /// other clients' tokens are answered the same as success (RFC 7009 §2.2), but not revoked.
    pub async fn revoke(
        &self,
        params: &Params,
        presented: &Presented,
        meta: &RequestMeta,
    ) -> Result<(), ProviderError> {
        let result = self.revoke_inner(params, presented, meta).await;
        if let Err(ProviderError::OAuth(e)) = &result {
            self.audit_refusal("revoke", e, presented.client_id.as_deref(), meta)
                .await?;
        }
        result
    }

    async fn revoke_inner(
        &self,
        params: &Params,
        presented: &Presented,
        meta: &RequestMeta,
    ) -> Result<(), ProviderError> {
        let client =
            clients::authenticate(&self.db, None, presented, &self.assertion_audiences()).await?;
        let token = params.require("token", "token missing")?;
        let now = now_unix();
        let target = if SecretToken::is_well_formed(token) {
            self.revoke_refresh_token(&client, token, now).await?
        } else {
            self.revoke_access_token(&client, token).await?
        };
        if let Some(target) = target {
            let event = Event {
                actor: Actor::client(&client.id),
                action: "oidc.token_revoked",
                target,
                outcome: Outcome::Success,
            };
            audit::record(&self.db, &event, meta).await?;
        }
        Ok(())
    }

    async fn revoke_refresh_token(
        &self,
        client: &Client,
        token: &str,
        now: i64,
    ) -> Result<Option<Target>, ProviderError> {
        let mut tx = self.db.write().await?;
        let row = store::refresh_token(&mut tx, &SecretToken::hash(token)).await?;
        let Some(row) = row.filter(|r| r.client_id == client.id) else {
            return Ok(None);
        };
        store::revoke_grant(&mut tx, &row.grant_id, now, "revoked_by_client").await?;
        tx.commit().await?;
        Ok(Some(Target::grant(&row.grant_id)))
    }

    async fn revoke_access_token(
        &self,
        client: &Client,
        token: &str,
    ) -> Result<Option<Target>, ProviderError> {
        let claims = match self.verify_access_token(token).await {
            Ok(claims) if claims.client_id == client.id => claims,
            Ok(_) | Err(ProviderError::OAuth(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut tx = self.db.write().await?;
        store::revoke_jti(&mut tx, &claims.jti, claims.exp + 60).await?;
        tx.commit().await?;
        Ok(Some(Target::client(&claims.client_id)))
    }

    /// Checks an end-session request: the ID token we issued (expired is fine, forged is not)
    /// and, when given, a post-logout URI registered for its client. Ends the grant of that
    /// ID token; the caller ends the browser session.
    pub async fn end_session(
        &self,
        query: &[u8],
        meta: &RequestMeta,
    ) -> Result<Logout, ProviderError> {
        let params = Params::parse(query)?;
        let hint = params.require("id_token_hint", "id_token_hint missing")?;
        let mut validation = Validation::new(ALGORITHM);
        validation.set_issuer(&[&self.settings.issuer]);
        validation.validate_aud = false;
        validation.validate_exp = false;
        validation.set_required_spec_claims(&["iss", "sub", "aud"]);
        let claims: IdClaims =
            self.keys.verify(hint, &validation).await.map_err(|_| {
                OAuthError::request("id_token_hint is not a valid ID token of ours")
            })?;
        if params.get("client_id").is_some_and(|c| c != claims.aud) {
            return Err(
                OAuthError::request("client_id differs from the ID token's audience").into(),
            );
        }
        let client = {
            let mut tx = self.db.read().await?;
            clients::find(&mut tx, &claims.aud).await?
        }
        .ok_or(OAuthError::request("unknown client"))?;
        let redirect = match params.get("post_logout_redirect_uri") {
            None => None,
            Some(uri) if client.logout_uris.iter().any(|u| u == uri) => {
                let mut url = url::Url::parse(uri)
                    .map_err(|_| OAuthError::request("post_logout_redirect_uri"))?;
                if let Some(state) = params.get("state") {
                    url.query_pairs_mut().append_pair("state", state);
                }
                Some(url)
            }
            Some(_) => {
                return Err(
                    OAuthError::request("post_logout_redirect_uri is not registered").into(),
                );
            }
        };
        let customer: CustomerId = claims
            .sub
            .parse()
            .map_err(|_| OAuthError::request("id_token_hint has no customer"))?;
        let mut tx = self.db.write().await?;
        store::revoke_grant(&mut tx, &claims.sid, now_unix(), "end_session").await?;
        let event = Event {
            actor: Actor::customer(customer),
            action: "oidc.end_session",
            target: Target::grant(&claims.sid),
            outcome: Outcome::Success,
        };
        audit::append(&mut tx, &event, meta).await?;
        tx.commit().await?;
        Ok(Logout { redirect, customer })
    }
}
