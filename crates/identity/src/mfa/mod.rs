//! Two-step verification for customers: optional, with any authenticator app (TOTP) and ten
//! one-time recovery codes. Once enabled, a right password only opens a short-lived pending
//! login that the second step completes.

mod store;
mod totp;

use platform::audit::{self, Actor, Event, Outcome, RequestMeta, Target};
use platform::db::WriteTx;
use platform::fields::{FieldError, FormErrors};
use platform::ids::CustomerId;
use platform::time_util::now_unix;

use crate::mails::{MailKind, send_later};
use crate::{Identity, IdentityError};

pub(crate) use store::{attempt_pending_login, delete_pending_login, insert_pending_login};

/// How long the second step may take.
pub(crate) const PENDING_LOGIN_SECS: i64 = 5 * 60;
/// Codes one pending login may try.
pub(crate) const PENDING_ATTEMPTS: i64 = 5;

/// What an authenticator app needs to be set up.
pub struct MfaEnrolment {
    /// `otpauth://` URI, to show as a QR code.
    pub uri: String,
    /// The secret in base32, to type in by hand.
    pub key: String,
}

/// Whether two-step verification is on, and how many recovery codes remain.
pub struct MfaState {
    /// On or off.
    pub enabled: bool,
    /// Unused recovery codes.
    pub recovery_codes_left: i64,
}

fn aad(customer: CustomerId) -> Vec<u8> {
    format!("customer:{customer}:totp").into_bytes()
}

fn invalid_code() -> IdentityError {
    IdentityError::Invalid(FormErrors(vec![("code", FieldError::InvalidCode)]))
}

impl Identity {
    /// The customer's two-step verification state.
    pub async fn mfa_state(&self, customer: CustomerId) -> Result<MfaState, IdentityError> {
        let mut tx = self.db.read().await?;
        let enabled = store::get(&mut tx, customer)
            .await?
            .is_some_and(|m| m.enabled);
        let left = if enabled {
            store::unused_recovery_codes(&mut tx, customer).await?
        } else {
            0
        };
        Ok(MfaState {
            enabled,
            recovery_codes_left: left,
        })
    }

    /// Starts (or shows again) setting up an authenticator; nothing changes for logins yet.
    pub async fn mfa_enrolment(&self, customer: CustomerId) -> Result<MfaEnrolment, IdentityError> {
        let profile = self.profile(customer).await?;
        let mut tx = self.db.write().await?;
        let key = self
            .keyring
            .customer_key(&mut tx, customer)
            .await?
            .ok_or(IdentityError::Shredded)?;
        let secret = match store::get(&mut tx, customer).await? {
            Some(row) if row.enabled => return Err(IdentityError::NotFound),
            Some(row) => key.open(&row.secret_enc, &aad(customer))?,
            None => {
                let secret = totp::new_secret();
                store::put_pending(&mut tx, customer, &key.seal(&secret, &aad(customer))).await?;
                secret
            }
        };
        tx.commit().await?;
        let (uri, key) = totp::enrolment(&secret, &profile.email).ok_or(IdentityError::Hashing)?;
        Ok(MfaEnrolment { uri, key })
    }

    /// Turns two-step verification on once a code from the new authenticator is right; returns
    /// the recovery codes, shown to the customer this once.
    pub async fn confirm_mfa(
        &self,
        customer: CustomerId,
        code: &str,
        meta: &RequestMeta,
    ) -> Result<Vec<String>, IdentityError> {
        let mut tx = self.db.write().await?;
        let row = store::get(&mut tx, customer)
            .await?
            .filter(|r| !r.enabled)
            .ok_or(IdentityError::NotFound)?;
        let key = self
            .keyring
            .customer_key(&mut tx, customer)
            .await?
            .ok_or(IdentityError::Shredded)?;
        let secret = key.open(&row.secret_enc, &aad(customer))?;
        let now = now_unix();
        let step =
            totp::matching_step(&secret, code, now.unsigned_abs()).ok_or_else(invalid_code)?;
        store::use_step(&mut tx, customer, step).await?;
        store::enable(&mut tx, customer, now).await?;
        let codes: Vec<String> = (0..totp::RECOVERY_CODES)
            .map(|_| totp::new_recovery_code())
            .collect();
        let hashes: Vec<Vec<u8>> = codes
            .iter()
            .map(|c| self.recovery_hash(customer, c))
            .collect();
        store::replace_recovery_codes(&mut tx, customer, &hashes).await?;
        audit_mfa(
            &mut tx,
            customer,
            "customer.mfa_enable",
            Outcome::Success,
            meta,
        )
        .await?;
        tx.commit().await?;
        Ok(codes)
    }

    /// Turns two-step verification off after the password and a current code.
    pub async fn disable_mfa(
        &self,
        customer: CustomerId,
        password: &str,
        code: &str,
        meta: &RequestMeta,
    ) -> Result<(), IdentityError> {
        self.check_password(customer, password, "customer.mfa_disable", meta)
            .await?;
        let mut tx = self.db.write().await?;
        if !self
            .second_factor_ok(&mut tx, customer, code, now_unix())
            .await?
        {
            audit_mfa(
                &mut tx,
                customer,
                "customer.mfa_disable",
                Outcome::Failure,
                meta,
            )
            .await?;
            tx.commit().await?;
            return Err(invalid_code());
        }
        store::remove(&mut tx, customer).await?;
        audit_mfa(
            &mut tx,
            customer,
            "customer.mfa_disable",
            Outcome::Success,
            meta,
        )
        .await?;
        tx.commit().await?;
        let profile = self.profile(customer).await?;
        send_later(
            &self.mailer,
            MailKind::MfaDisabled,
            profile.locale,
            profile.email,
        );
        Ok(())
    }

    /// True when `code` is a current authenticator code not used before, or an unused recovery
    /// code (which is then used up).
    pub(crate) async fn second_factor_ok(
        &self,
        tx: &mut WriteTx,
        customer: CustomerId,
        code: &str,
        now: i64,
    ) -> Result<bool, IdentityError> {
        let Some(row) = store::get(tx, customer).await?.filter(|r| r.enabled) else {
            return Ok(false);
        };
        let key = self
            .keyring
            .customer_key(tx, customer)
            .await?
            .ok_or(IdentityError::Shredded)?;
        let secret = key.open(&row.secret_enc, &aad(customer))?;
        if let Some(step) = totp::matching_step(&secret, code, now.unsigned_abs()) {
            return Ok(step > row.last_step && store::use_step(tx, customer, step).await?);
        }
        let hash = self.recovery_hash(customer, code);
        Ok(store::use_recovery_code(tx, customer, &hash, now).await?)
    }

    pub(crate) async fn mfa_enabled(
        &self,
        conn: &mut sqlx::AnyConnection,
        customer: CustomerId,
    ) -> Result<bool, IdentityError> {
        Ok(store::get(conn, customer).await?.is_some_and(|m| m.enabled))
    }

    fn recovery_hash(&self, customer: CustomerId, code: &str) -> Vec<u8> {
        self.keyring.secret_hash(&format!(
            "recovery:{customer}:{}",
            totp::normalise_recovery_code(code)
        ))
    }
}

async fn audit_mfa(
    tx: &mut WriteTx,
    customer: CustomerId,
    action: &'static str,
    outcome: Outcome,
    meta: &RequestMeta,
) -> Result<(), IdentityError> {
    let event = Event {
        actor: Actor::customer(customer),
        action,
        target: Target::customer(customer),
        outcome,
    };
    audit::append(tx, &event, meta).await?;
    Ok(())
}
