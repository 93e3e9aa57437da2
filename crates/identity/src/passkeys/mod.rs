//! Passkeys (WebAuthn): customers sign in with one instead of a password; staff use one as
//! their second factor. Each listener is its own relying party (its host is the RP ID), so a
//! customer's passkey can never answer a staff challenge. Challenges wait server-side, single
//! use, five minutes; credentials are sealed like the owner's other secrets.
//!
//! A relying party needs a domain name: on a bare IP address (the default loopback listeners)
//! passkeys are simply not offered.

mod store;

use platform::audit::{self, Event, Outcome, RequestMeta};
use platform::crypto::SecretToken;
use platform::db::DbError;
use platform::ids::{CustomerId, StaffId};
use platform::time_util::now_unix;
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;
use webauthn_rs::prelude::{
    CredentialID, DiscoverableAuthentication, DiscoverableKey, Passkey, PasskeyAuthentication,
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential, Webauthn,
    WebauthnBuilder,
};

use crate::mails::FactorChange;
use crate::mfa::Owner;
use crate::{Identity, IdentityError, LoggedIn, LoginContext};

/// How long the browser has to answer a challenge.
pub(crate) const CEREMONY_SECS: i64 = 300;

/// The two relying parties, when their addresses have domain names.
pub(crate) struct RelyingParties {
    customers: Option<Webauthn>,
    staff: Option<Webauthn>,
}

impl RelyingParties {
    pub(crate) fn new(public: &Url, staff: &Url) -> Self {
        Self {
            customers: relying_party(public),
            staff: relying_party(staff),
        }
    }
}

fn relying_party(origin: &Url) -> Option<Webauthn> {
    let host = origin.domain()?;
    WebauthnBuilder::new(host, origin)
        .ok()?
        .rp_name("assetstatus")
        .build()
        .ok()
}

/// A ceremony under way: the token the browser sends back, and the options it hands to
/// `navigator.credentials`. Serialized as the ceremony's script reads it:
/// `{"ceremony": token, "options": …}`.
#[derive(serde::Serialize)]
pub struct Ceremony {
    /// Single-use token naming the ceremony.
    #[serde(rename = "ceremony")]
    pub token: String,
    /// The WebAuthn options as JSON.
    pub options: serde_json::Value,
}

/// A passkey as its owner sees it.
pub struct PasskeyView {
    /// Identifier, for deletion.
    pub id: String,
    /// When it was registered (Unix seconds).
    pub created_at: i64,
    /// When it last signed in.
    pub last_used_at: Option<i64>,
    /// Suspended after a password reset until the owner keeps it from the notice mail.
    pub suspended: bool,
}

fn refused<E: std::fmt::Display>(e: E) -> IdentityError {
    tracing::info!(reason = %e, "passkey refused");
    IdentityError::PasskeyRefused
}

fn to_json<T: Serialize>(value: &T) -> Result<String, IdentityError> {
    serde_json::to_string(value).map_err(refused)
}

fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, IdentityError> {
    serde_json::from_str(text).map_err(refused)
}

fn aad(owner: &Owner) -> Vec<u8> {
    format!("{}:passkey", owner.key()).into_bytes()
}

impl Identity {
    /// Whether passkeys can be offered on the customer (`false`) or staff (`true`) listener.
    pub fn passkeys_offered(&self, staff: bool) -> bool {
        self.relying_party(staff).is_ok()
    }

    fn relying_party(&self, staff: bool) -> Result<&Webauthn, IdentityError> {
        let rp = if staff {
            &self.passkeys.staff
        } else {
            &self.passkeys.customers
        };
        rp.as_ref().ok_or(IdentityError::PasskeysUnavailable)
    }

    /// Starts registering a passkey for a customer.
    pub async fn start_customer_passkey(&self, id: CustomerId) -> Result<Ceremony, IdentityError> {
        let profile = self.profile(id).await?;
        self.start_registration(&Owner::Customer(id), &profile.email, &profile.name_kanji)
            .await
    }

    /// Starts registering a passkey for a member of staff.
    pub async fn start_staff_passkey(
        &self,
        id: StaffId,
        username: &str,
        display_name: &str,
    ) -> Result<Ceremony, IdentityError> {
        self.start_registration(&Owner::Staff(id), username, display_name)
            .await
    }

    async fn start_registration(
        &self,
        owner: &Owner,
        name: &str,
        display_name: &str,
    ) -> Result<Ceremony, IdentityError> {
        let rp = self.relying_party(matches!(owner, Owner::Staff(_)))?;
        let user = match owner {
            Owner::Customer(id) => id.as_uuid(),
            Owner::Staff(id) => id.as_uuid(),
        };
        let exclude = self.credential_ids(owner).await?;
        let (options, state) = rp
            .start_passkey_registration(user, name, display_name, Some(exclude))
            .map_err(refused)?;
        self.store_ceremony("register", Some(owner), &to_json(&state)?, &options)
            .await
    }

    async fn credential_ids(&self, owner: &Owner) -> Result<Vec<CredentialID>, IdentityError> {
        Ok(self
            .owner_passkeys(owner)
            .await?
            .into_iter()
            .map(|(_, p)| p.cred_id().clone())
            .collect())
    }

    async fn store_ceremony<T: Serialize>(
        &self,
        purpose: &str,
        owner: Option<&Owner>,
        state: &str,
        options: &T,
    ) -> Result<Ceremony, IdentityError> {
        let token = SecretToken::generate();
        let mut tx = self.db.write().await?;
        store::insert_ceremony(
            &mut tx,
            &token.hash,
            purpose,
            owner,
            state,
            now_unix() + CEREMONY_SECS,
        )
        .await?;
        tx.commit().await?;
        Ok(Ceremony {
            token: token.plain,
            options: serde_json::to_value(options).map_err(refused)?,
        })
    }

    /// Takes a ceremony for `purpose`: its owner (when it had one) and its state.
    async fn take_ceremony(
        &self,
        token: &str,
        purpose: &str,
    ) -> Result<(Option<Owner>, String), IdentityError> {
        if !SecretToken::is_well_formed(token) {
            return Err(IdentityError::PasskeyRefused);
        }
        let mut tx = self.db.write().await?;
        let found =
            store::take_ceremony(&mut tx, &SecretToken::hash(token), purpose, now_unix()).await?;
        tx.commit().await?;
        let (owner, state) = found.ok_or(IdentityError::PasskeyRefused)?;
        Ok((Owner::parse(&owner), state))
    }

    /// Completes a registration with the browser's answer (JSON); audited.
    pub async fn finish_customer_passkey(
        &self,
        id: CustomerId,
        token: &str,
        credential: &str,
        meta: &RequestMeta,
    ) -> Result<(), IdentityError> {
        self.finish_registration(&Owner::Customer(id), token, credential, meta)
            .await
    }

    pub(crate) async fn finish_registration(
        &self,
        owner: &Owner,
        token: &str,
        credential: &str,
        meta: &RequestMeta,
    ) -> Result<(), IdentityError> {
        let rp = self.relying_party(matches!(owner, Owner::Staff(_)))?;
        let (ceremony_owner, state) = self.take_ceremony(token, "register").await?;
        if ceremony_owner.as_ref() != Some(owner) {
            return Err(IdentityError::PasskeyRefused);
        }
        let state: PasskeyRegistration = from_json(&state)?;
        let answer: RegisterPublicKeyCredential = from_json(credential)?;
        let outcome = rp.finish_passkey_registration(&answer, &state);
        let mut tx = self.db.write().await?;
        let passkey = match outcome {
            Ok(passkey) => passkey,
            Err(e) => {
                self.audit_passkey(&mut tx, owner, "passkey.register", Outcome::Failure, meta)
                    .await?;
                tx.commit().await?;
                return Err(refused(e));
            }
        };
        let key = self.sealing_key(&mut tx, owner).await?;
        let sealed = key.get().seal(to_json(&passkey)?.as_bytes(), &aad(owner));
        let new = store::NewPasskey {
            id: &uuid::Uuid::new_v4().to_string(),
            owner,
            credential_id: passkey.cred_id().as_ref(),
            passkey_enc: sealed,
            now: now_unix(),
        };
        if let Err(e) = store::insert(&mut tx, new).await {
            return Err(if e.is_unique_violation() {
                IdentityError::PasskeyRefused
            } else {
                e.into()
            });
        }
        self.audit_passkey(&mut tx, owner, "passkey.register", Outcome::Success, meta)
            .await?;
        if let Owner::Customer(id) = owner {
            self.notify_factor_change(&mut tx, *id, FactorChange::PasskeyAdded)
                .await?;
        }
        tx.commit().await?;
        self.outbox.wake();
        Ok(())
    }

    async fn audit_passkey(
        &self,
        tx: &mut platform::db::WriteTx,
        owner: &Owner,
        action: &'static str,
        outcome: Outcome,
        meta: &RequestMeta,
    ) -> Result<(), DbError> {
        let event = Event {
            actor: owner.actor(),
            action,
            target: owner.target(),
            outcome,
        };
        audit::append(tx, &event, meta).await.map(|_| ())
    }

    /// The owner's passkeys, opened.
    async fn owner_passkeys(&self, owner: &Owner) -> Result<Vec<(String, Passkey)>, IdentityError> {
        let mut tx = self.db.read().await?;
        let rows = store::of_owner(&mut tx, owner).await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let key = self.sealing_key(&mut tx, owner).await?;
        rows.into_iter()
            .map(|row| {
                let text = key.get().open_string(&row.passkey_enc, &aad(owner))?;
                Ok((row.id, from_json(&text)?))
            })
            .collect()
    }

    /// A customer's passkeys, oldest first.
    pub async fn customer_passkeys(
        &self,
        id: CustomerId,
    ) -> Result<Vec<PasskeyView>, IdentityError> {
        let mut tx = self.db.read().await?;
        let rows = store::of_owner(&mut tx, &Owner::Customer(id)).await?;
        Ok(rows
            .into_iter()
            .map(|r| PasskeyView {
                id: r.id,
                created_at: r.created_at,
                last_used_at: r.last_used_at,
                suspended: r.suspended,
            })
            .collect())
    }

    /// Deletes one of the customer's passkeys; another customer's ID is refused like an unknown
    /// one.
    pub async fn delete_customer_passkey(
        &self,
        id: CustomerId,
        passkey: &str,
        meta: &RequestMeta,
    ) -> Result<(), IdentityError> {
        let owner = Owner::Customer(id);
        let mut tx = self.db.write().await?;
        if !store::delete(&mut tx, &owner, passkey).await? {
            return Err(IdentityError::NotFound);
        }
        self.audit_passkey(&mut tx, &owner, "passkey.delete", Outcome::Success, meta)
            .await?;
        self.notify_factor_change(&mut tx, id, FactorChange::PasskeyDeleted)
            .await?;
        tx.commit().await?;
        self.outbox.wake();
        Ok(())
    }

    /// True when the owner has at least one passkey.
    pub(crate) async fn has_passkey(
        &self,
        conn: &mut sqlx::AnyConnection,
        owner: &Owner,
    ) -> Result<bool, IdentityError> {
        Ok(store::count(conn, owner).await? > 0)
    }

    /// Forgets every passkey of an owner (account deletion, staff MFA reset).
    pub(crate) async fn remove_passkeys(
        &self,
        tx: &mut platform::db::WriteTx,
        owner: &Owner,
    ) -> Result<(), IdentityError> {
        Ok(store::delete_all(tx, owner).await?)
    }

    /// Starts a passwordless customer login: any passkey of this site may answer.
    pub async fn start_passkey_login(&self) -> Result<Ceremony, IdentityError> {
        let rp = self.relying_party(false)?;
        let (options, state): (_, DiscoverableAuthentication) =
            rp.start_discoverable_authentication().map_err(refused)?;
        self.store_ceremony("login", None, &to_json(&state)?, &options)
            .await
    }

    /// Completes a passwordless login: the passkey's user handle names the customer, whose
    /// stored credential must verify the signature. Opens a session like a password and a
    /// second factor would (a passkey with user verification is both).
    pub async fn finish_passkey_login(
        &self,
        token: &str,
        credential: &str,
        ctx: &LoginContext,
        meta: &RequestMeta,
    ) -> Result<LoggedIn, IdentityError> {
        let customer = self.verify_passkey(token, credential, meta).await?;
        self.log_in_with_passkey(customer, ctx, meta).await
    }

    /// Checks a customer's answer to a discoverable-passkey ceremony and returns whose passkey
    /// answered. A passkey suspended by a recent password reset is refused.
    pub(crate) async fn verify_passkey(
        &self,
        token: &str,
        credential: &str,
        meta: &RequestMeta,
    ) -> Result<CustomerId, IdentityError> {
        let rp = self.relying_party(false)?;
        let (_, state) = self.take_ceremony(token, "login").await?;
        let state: DiscoverableAuthentication = from_json(&state)?;
        let answer: PublicKeyCredential = from_json(credential)?;
        let (user, credential_id) = rp
            .identify_discoverable_authentication(&answer)
            .map_err(refused)?;
        let row = {
            let mut tx = self.db.read().await?;
            store::by_credential(&mut tx, credential_id).await?
        }
        .filter(|row| !row.suspended)
        .ok_or(IdentityError::PasskeyRefused)?;
        let owner = Owner::parse(&row.owner).ok_or(IdentityError::PasskeyRefused)?;
        let Owner::Customer(customer) = owner else {
            return Err(IdentityError::PasskeyRefused);
        };
        if customer.as_uuid() != user {
            return Err(IdentityError::PasskeyRefused);
        }
        let mut passkey: Passkey = {
            let mut tx = self.db.read().await?;
            let key = self.sealing_key(&mut tx, &owner).await?;
            from_json(&key.get().open_string(&row.passkey_enc, &aad(&owner))?)?
        };
        let verified = rp.finish_discoverable_authentication(
            &answer,
            state,
            &[DiscoverableKey::from(&passkey)],
        );
        let mut tx = self.db.write().await?;
        let result = match verified {
            Ok(result) => result,
            Err(e) => {
                self.audit_passkey(
                    &mut tx,
                    &owner,
                    "customer.login_passkey",
                    Outcome::Failure,
                    meta,
                )
                .await?;
                tx.commit().await?;
                return Err(refused(e));
            }
        };
        passkey.update_credential(&result);
        let key = self.sealing_key(&mut tx, &owner).await?;
        let sealed = key.get().seal(to_json(&passkey)?.as_bytes(), &aad(&owner));
        store::record_use(&mut tx, &row.id, sealed, now_unix()).await?;
        tx.commit().await?;
        Ok(customer)
    }

    /// Starts the passkey variant of a staff sign-in's second step.
    pub async fn start_staff_passkey_step(&self, pending: &str) -> Result<Ceremony, IdentityError> {
        let staff = self.pending_staff(pending).await?;
        self.start_staff_passkey_check(staff).await
    }

    /// Starts a passkey check of a known member of staff (sign-in step or step-up).
    pub(crate) async fn start_staff_passkey_check(
        &self,
        staff: StaffId,
    ) -> Result<Ceremony, IdentityError> {
        let rp = self.relying_party(true)?;
        let owner = Owner::Staff(staff);
        let passkeys: Vec<Passkey> = self
            .owner_passkeys(&owner)
            .await?
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        if passkeys.is_empty() {
            return Err(IdentityError::PasskeyRefused);
        }
        let (options, state): (_, PasskeyAuthentication) = rp
            .start_passkey_authentication(&passkeys)
            .map_err(refused)?;
        self.store_ceremony("second_step", Some(&owner), &to_json(&state)?, &options)
            .await
    }

    /// Verifies a staff member's passkey answer for a pending sign-in; the owner's passkey that
    /// answered gets its counter updated. Returns whose it was.
    pub(crate) async fn verify_staff_passkey(
        &self,
        token: &str,
        credential: &str,
    ) -> Result<StaffId, IdentityError> {
        let rp = self.relying_party(true)?;
        let (owner, state) = self.take_ceremony(token, "second_step").await?;
        let Some(owner @ Owner::Staff(id)) = owner else {
            return Err(IdentityError::PasskeyRefused);
        };
        let state: PasskeyAuthentication = from_json(&state)?;
        let answer: PublicKeyCredential = from_json(credential)?;
        let result = rp
            .finish_passkey_authentication(&answer, &state)
            .map_err(refused)?;
        let mut passkeys = self.owner_passkeys(&owner).await?;
        let mut tx = self.db.write().await?;
        if let Some((row_id, passkey)) = passkeys
            .iter_mut()
            .find(|(_, p)| p.cred_id() == result.cred_id())
        {
            passkey.update_credential(&result);
            let key = self.sealing_key(&mut tx, &owner).await?;
            let sealed = key.get().seal(to_json(&*passkey)?.as_bytes(), &aad(&owner));
            store::record_use(&mut tx, row_id, sealed, now_unix()).await?;
        }
        tx.commit().await?;
        Ok(id)
    }
}
