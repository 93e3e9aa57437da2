//! Step-up re-authentication: before a sensitive change (a factor added or removed, personal
//! details, the bank account, an export) the person at a session proves again who they are, with
//! every factor they log in with (password, and the code when two-step verification is on) or
//! a passkey. A session opened an hour ago on a shared computer is then not enough to take the
//! account over. Wrong answers count toward the same budgets as every other check.

use platform::audit::{self, Actor, Event, Outcome, RequestMeta, Target};
use platform::crypto::SecretToken;
use platform::fields::{FieldError, FormErrors};
use platform::ids::CustomerId;
use platform::time_util::now_unix;

use crate::mfa::{CodeCheck, Owner};
use crate::store;
use crate::throttle::{self, Factor, FactorKey};
use crate::{Identity, IdentityError};

impl Identity {
    /// Proves again who is at the session `token`: with the password, and with an authenticator
    /// or recovery code when two-step verification is on (every factor, as at login). Returns
    /// the session's new token: the old one ends with the proof.
    pub async fn reauthenticate(
        &self,
        token: &str,
        password: &str,
        code: &str,
        meta: &RequestMeta,
    ) -> Result<String, IdentityError> {
        let session = self
            .session(token)
            .await?
            .ok_or(IdentityError::NotLoggedIn)?;
        self.check_password(session.customer, password, "customer.reauth", meta)
            .await?;
        self.check_code_if_on(&Owner::Customer(session.customer), code, meta)
            .await?;
        self.mark_recent(token, session.customer, "customer.reauth", meta)
            .await
    }

    /// The code step of a customer's step-up, under the budget for codes.
    async fn check_code_if_on(
        &self,
        owner: &Owner,
        code: &str,
        meta: &RequestMeta,
    ) -> Result<(), IdentityError> {
        let mut tx = self.db.write().await?;
        if !self.mfa_enabled(&mut tx, owner).await? {
            return Ok(());
        }
        let check = self
            .budgeted_second_factor(&mut tx, owner, code, now_unix(), meta)
            .await?;
        let locked = match check {
            CodeCheck::Passed => return Ok(tx.commit().await?),
            CodeCheck::Blocked { retry_after } => {
                return Err(IdentityError::Throttled { retry_after });
            }
            CodeCheck::Failed { locked } => locked,
        };
        let event = Event {
            actor: owner.actor(),
            action: "customer.reauth",
            target: owner.target(),
            outcome: Outcome::Failure,
        };
        audit::append(&mut tx, &event, meta).await?;
        if locked {
            self.notify_lockout(&mut tx, owner, Factor::Code).await?;
        }
        tx.commit().await?;
        if locked {
            self.outbox.wake();
        }
        Err(IdentityError::Invalid(FormErrors(vec![(
            "code",
            FieldError::InvalidCode,
        )])))
    }

    /// Proves again, with one of the customer's own passkeys, who is at the session `token`.
    /// A passkey of another customer is refused and audited. Returns the session's new token.
    pub async fn reauthenticate_with_passkey(
        &self,
        token: &str,
        ceremony: &str,
        credential: &str,
        meta: &RequestMeta,
    ) -> Result<String, IdentityError> {
        let session = self
            .session(token)
            .await?
            .ok_or(IdentityError::NotLoggedIn)?;
        let answered = self.verify_passkey(ceremony, credential, meta).await?;
        if answered != session.customer {
            let event = Event {
                actor: Actor::customer(session.customer),
                action: "customer.reauth",
                target: Target::customer(session.customer),
                outcome: Outcome::Failure,
            };
            audit::record(&self.db, &event, meta).await?;
            return Err(IdentityError::PasskeyRefused);
        }
        self.mark_recent(token, session.customer, "customer.reauth_passkey", meta)
            .await
    }

    /// Checks a password typed by someone already signed in (a step-up, a change that asks for
    /// the current password) under the owner's budget for such checks, which outlives sessions:
    /// a stolen session cannot be used to guess the password. While the budget is spent nothing
    /// is checked; a lock is audited and, for customers, mailed.
    pub(crate) async fn budgeted_password(
        &self,
        owner: &Owner,
        stored: &str,
        password: &str,
        action: &'static str,
        meta: &RequestMeta,
    ) -> Result<(), IdentityError> {
        let key = FactorKey::new(Factor::Password, owner);
        let blocked = {
            let mut conn = self.db.read().await?;
            throttle::factor_blocked_for(&mut conn, &key, now_unix()).await?
        };
        let event = |outcome| Event {
            actor: owner.actor(),
            action,
            target: owner.target(),
            outcome,
        };
        if let Some(retry_after) = blocked {
            audit::record(&self.db, &event(Outcome::Denied), meta).await?;
            return Err(IdentityError::Throttled { retry_after });
        }
        let right = self.hasher.verify(password, stored).await?;
        let mut tx = self.db.write().await?;
        if right {
            throttle::clear_factor(&mut tx, &key).await?;
            tx.commit().await?;
            return Ok(());
        }
        let locked = throttle::record_factor_failure(&mut tx, &key, now_unix()).await?;
        audit::append(&mut tx, &event(Outcome::Failure), meta).await?;
        if locked {
            crate::mfa::audit_lockout(&mut tx, owner, Factor::Password, meta).await?;
            self.notify_lockout(&mut tx, owner, Factor::Password)
                .await?;
        }
        tx.commit().await?;
        if locked {
            self.outbox.wake();
        }
        Err(IdentityError::InvalidCredentials)
    }

    async fn mark_recent(
        &self,
        token: &str,
        customer: CustomerId,
        action: &'static str,
        meta: &RequestMeta,
    ) -> Result<String, IdentityError> {
        let fresh = SecretToken::generate();
        let mut tx = self.db.write().await?;
        let old = SecretToken::hash(token);
        if !store::mark_reauthenticated(&mut tx, &old, &fresh.hash, customer, now_unix()).await? {
            return Err(IdentityError::NotLoggedIn);
        }
        let event = Event {
            actor: Actor::customer(customer),
            action,
            target: Target::customer(customer),
            outcome: Outcome::Success,
        };
        audit::append(&mut tx, &event, meta).await?;
        tx.commit().await?;
        Ok(fresh.plain)
    }
}
