//! Two-step verification for customers: optional, with any authenticator app (TOTP) and ten
//! one-time recovery codes. Once enabled, a right password only opens a short-lived pending
//! login that the second step completes.

mod store;
mod totp;

use platform::audit::{self, Actor, Event, Outcome, RequestMeta, Target};
use platform::crypto::DataKey;
use platform::db::WriteTx;
use platform::fields::{FieldError, FormErrors};
use platform::ids::{CustomerId, StaffId};
use platform::time_util::now_unix;

use crate::mails::FactorChange;
use crate::throttle::{self, Factor, FactorKey};
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

/// Whose authenticator: each pool keeps its own accounts' secrets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Owner {
    /// A customer; the secret is sealed with their data key.
    Customer(CustomerId),
    /// A staff member; the secret is sealed with the staff system key.
    Staff(StaffId),
}

impl Owner {
    /// Reads back what [`Owner::key`] wrote.
    pub(crate) fn parse(key: &str) -> Option<Self> {
        match key.split_once(':')? {
            ("customer", id) => id.parse().ok().map(Owner::Customer),
            ("staff", id) => id.parse().ok().map(Owner::Staff),
            _ => None,
        }
    }

    pub(crate) fn key(&self) -> String {
        match self {
            Owner::Customer(id) => format!("customer:{id}"),
            Owner::Staff(id) => format!("staff:{id}"),
        }
    }

    fn aad(&self) -> Vec<u8> {
        format!("{}:totp", self.key()).into_bytes()
    }

    pub(crate) fn actor(&self) -> Actor {
        match self {
            Owner::Customer(id) => Actor::customer(*id),
            Owner::Staff(id) => Actor::staff(*id),
        }
    }

    pub(crate) fn target(&self) -> Target {
        match self {
            Owner::Customer(id) => Target::customer(*id),
            Owner::Staff(id) => Target::staff(*id),
        }
    }
}

/// The key an owner's secret is sealed with.
pub(crate) enum SealingKey<'a> {
    Own(DataKey),
    Shared(&'a DataKey),
}

impl SealingKey<'_> {
    pub(crate) fn get(&self) -> &DataKey {
        match self {
            SealingKey::Own(k) => k,
            SealingKey::Shared(k) => k,
        }
    }
}

fn invalid_code() -> IdentityError {
    IdentityError::Invalid(FormErrors(vec![("code", FieldError::InvalidCode)]))
}

impl Identity {
    /// The customer's two-step verification state.
    pub async fn mfa_state(&self, customer: CustomerId) -> Result<MfaState, IdentityError> {
        self.owner_mfa_state(&Owner::Customer(customer)).await
    }

    /// Starts (or shows again) setting up a customer's authenticator.
    pub async fn mfa_enrolment(&self, customer: CustomerId) -> Result<MfaEnrolment, IdentityError> {
        let account = self.profile(customer).await?.email;
        self.owner_enrolment(&Owner::Customer(customer), &account)
            .await
    }

    /// Turns a customer's two-step verification on; returns the recovery codes, shown once.
    pub async fn confirm_mfa(
        &self,
        customer: CustomerId,
        code: &str,
        meta: &RequestMeta,
    ) -> Result<Vec<String>, IdentityError> {
        self.owner_confirm(&Owner::Customer(customer), code, meta)
            .await
    }

    /// Turns a customer's two-step verification off after the password and a current code.
    pub async fn disable_mfa(
        &self,
        customer: CustomerId,
        password: &str,
        code: &str,
        meta: &RequestMeta,
    ) -> Result<(), IdentityError> {
        let owner = Owner::Customer(customer);
        self.check_password(customer, password, "customer.mfa_disable", meta)
            .await?;
        let mut tx = self.db.write().await?;
        match self
            .budgeted_second_factor(&mut tx, &owner, code, now_unix(), meta)
            .await?
        {
            CodeCheck::Passed => {}
            CodeCheck::Blocked { retry_after } => {
                audit_mfa(&mut tx, &owner, "mfa.disable", Outcome::Denied, meta).await?;
                tx.commit().await?;
                return Err(IdentityError::Throttled { retry_after });
            }
            CodeCheck::Failed { locked } => {
                audit_mfa(&mut tx, &owner, "mfa.disable", Outcome::Failure, meta).await?;
                if locked {
                    self.notify_lockout(&mut tx, &owner, Factor::Code).await?;
                }
                tx.commit().await?;
                self.outbox.wake();
                return Err(invalid_code());
            }
        }
        store::remove(&mut tx, &owner).await?;
        audit_mfa(&mut tx, &owner, "mfa.disable", Outcome::Success, meta).await?;
        self.notify_factor_change(&mut tx, customer, FactorChange::MfaDisabled)
            .await?;
        tx.commit().await?;
        self.outbox.wake();
        Ok(())
    }

    pub(crate) async fn owner_mfa_state(&self, owner: &Owner) -> Result<MfaState, IdentityError> {
        let mut tx = self.db.read().await?;
        let enabled = store::get(&mut tx, owner).await?.is_some_and(|m| m.enabled);
        let left = if enabled {
            store::unused_recovery_codes(&mut tx, owner).await?
        } else {
            0
        };
        Ok(MfaState {
            enabled,
            recovery_codes_left: left,
        })
    }

    pub(crate) async fn sealing_key(
        &self,
        conn: &mut sqlx::AnyConnection,
        owner: &Owner,
    ) -> Result<SealingKey<'_>, IdentityError> {
        Ok(match owner {
            Owner::Customer(id) => SealingKey::Own(
                self.keyring
                    .customer_key(conn, *id)
                    .await?
                    .ok_or(IdentityError::Shredded)?,
            ),
            Owner::Staff(_) => SealingKey::Shared(self.keyring.staff_key()),
        })
    }

    /// A pending (not yet confirmed) secret for `owner`, created on first call.
    pub(crate) async fn owner_enrolment(
        &self,
        owner: &Owner,
        account: &str,
    ) -> Result<MfaEnrolment, IdentityError> {
        let mut tx = self.db.write().await?;
        let key = self.sealing_key(&mut tx, owner).await?;
        let secret = match store::get(&mut tx, owner).await? {
            Some(row) if row.enabled => return Err(IdentityError::NotFound),
            // A suspended secret may be an intruder's: setting up again starts from a new one.
            Some(row) if !row.suspended => key.get().open(&row.secret_enc, &owner.aad())?,
            _ => {
                let secret = totp::new_secret();
                store::put_pending(&mut tx, owner, &key.get().seal(&secret, &owner.aad())).await?;
                secret
            }
        };
        tx.commit().await?;
        let (uri, key) = totp::enrolment(&secret, account).ok_or(IdentityError::Hashing)?;
        Ok(MfaEnrolment { uri, key })
    }

    /// Enables a given authenticator secret at once (demo accounts, whose secret is printed).
    pub(crate) async fn owner_preset(
        &self,
        owner: &Owner,
        secret: &[u8],
        meta: &RequestMeta,
    ) -> Result<(), IdentityError> {
        let mut tx = self.db.write().await?;
        let key = self.sealing_key(&mut tx, owner).await?;
        store::put_pending(&mut tx, owner, &key.get().seal(secret, &owner.aad())).await?;
        store::enable(&mut tx, owner, now_unix()).await?;
        audit_mfa(&mut tx, owner, "mfa.enable", Outcome::Success, meta).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Enables the pending secret once `code` from it is right; returns fresh recovery codes.
    pub(crate) async fn owner_confirm(
        &self,
        owner: &Owner,
        code: &str,
        meta: &RequestMeta,
    ) -> Result<Vec<String>, IdentityError> {
        let mut tx = self.db.write().await?;
        let row = store::get(&mut tx, owner)
            .await?
            .filter(|r| !r.enabled && !r.suspended)
            .ok_or(IdentityError::NotFound)?;
        let key = self.sealing_key(&mut tx, owner).await?;
        let secret = key.get().open(&row.secret_enc, &owner.aad())?;
        let now = now_unix();
        let step =
            totp::matching_step(&secret, code, now.unsigned_abs()).ok_or_else(invalid_code)?;
        store::use_step(&mut tx, owner, step).await?;
        store::enable(&mut tx, owner, now).await?;
        let codes: Vec<String> = (0..totp::RECOVERY_CODES)
            .map(|_| totp::new_recovery_code())
            .collect();
        let hashes: Vec<Vec<u8>> = codes.iter().map(|c| self.recovery_hash(owner, c)).collect();
        store::replace_recovery_codes(&mut tx, owner, &hashes).await?;
        audit_mfa(&mut tx, owner, "mfa.enable", Outcome::Success, meta).await?;
        if let Owner::Customer(id) = owner {
            self.notify_factor_change(&mut tx, *id, FactorChange::MfaEnabled)
                .await?;
        }
        tx.commit().await?;
        self.outbox.wake();
        Ok(codes)
    }

    /// True when `code` is a current authenticator code not used before, or an unused recovery
    /// code (which is then used up).
    pub(crate) async fn second_factor_ok(
        &self,
        tx: &mut WriteTx,
        owner: &Owner,
        code: &str,
        now: i64,
    ) -> Result<bool, IdentityError> {
        let Some(row) = store::get(tx, owner).await?.filter(|r| r.enabled) else {
            return Ok(false);
        };
        let key = self.sealing_key(tx, owner).await?;
        let secret = key.get().open(&row.secret_enc, &owner.aad())?;
        if let Some(step) = totp::matching_step(&secret, code, now.unsigned_abs()) {
            return Ok(step > row.last_step && store::use_step(tx, owner, step).await?);
        }
        let hash = self.recovery_hash(owner, code);
        Ok(store::use_recovery_code(tx, owner, &hash, now).await?)
    }

    pub(crate) async fn mfa_enabled(
        &self,
        conn: &mut sqlx::AnyConnection,
        owner: &Owner,
    ) -> Result<bool, IdentityError> {
        Ok(store::get(conn, owner).await?.is_some_and(|m| m.enabled))
    }

    /// Forgets an owner's authenticator and recovery codes (account deletion, staff MFA reset).
    pub(crate) async fn remove_mfa(
        &self,
        tx: &mut WriteTx,
        owner: &Owner,
    ) -> Result<(), IdentityError> {
        Ok(store::remove(tx, owner).await?)
    }

    fn recovery_hash(&self, owner: &Owner, code: &str) -> Vec<u8> {
        self.keyring.secret_hash(&format!(
            "recovery:{}:{}",
            owner.key(),
            totp::normalise_recovery_code(code)
        ))
    }
}

async fn audit_mfa(
    tx: &mut WriteTx,
    owner: &Owner,
    action: &'static str,
    outcome: Outcome,
    meta: &RequestMeta,
) -> Result<(), IdentityError> {
    let event = Event {
        actor: owner.actor(),
        action,
        target: owner.target(),
        outcome,
    };
    audit::append(tx, &event, meta).await?;
    Ok(())
}

/// How a code fared against its owner's budget for codes.
pub(crate) enum CodeCheck {
    /// The budget is spent for now: the code was not looked at.
    Blocked {
        /// Seconds until codes are taken again.
        retry_after: i64,
    },
    /// Right; earlier wrong codes are forgotten.
    Passed,
    /// Wrong, and counted; the lockout is audited already when this one locked the factor,
    /// and its notice is for the caller to send once the transaction is committed.
    Failed {
        /// True when this code locked the factor.
        locked: bool,
    },
}

impl Identity {
    /// Checks `code` under the owner's budget for codes, which outlives pending logins. While
    /// the budget is spent nothing is checked, so even a right code does not end a lock early.
    pub(crate) async fn budgeted_second_factor(
        &self,
        tx: &mut WriteTx,
        owner: &Owner,
        code: &str,
        now: i64,
        meta: &RequestMeta,
    ) -> Result<CodeCheck, IdentityError> {
        let key = FactorKey::new(Factor::Code, owner);
        if let Some(retry_after) = throttle::factor_blocked_for(tx, &key, now).await? {
            return Ok(CodeCheck::Blocked { retry_after });
        }
        if self.second_factor_ok(tx, owner, code, now).await? {
            throttle::clear_factor(tx, &key).await?;
            return Ok(CodeCheck::Passed);
        }
        let locked = throttle::record_factor_failure(tx, &key, now).await?;
        if locked {
            audit_lockout(tx, owner, Factor::Code, meta).await?;
        }
        Ok(CodeCheck::Failed { locked })
    }

    /// Tells a customer that one of their factors is locked; staff have no mail of their own,
    /// their lockouts reach the operators through the audit trail and its alert rules.
    /// The mail is queued in the caller's transaction, which records the lock.
    pub(crate) async fn notify_lockout(
        &self,
        tx: &mut platform::db::WriteTx,
        owner: &Owner,
        factor: Factor,
    ) -> Result<(), IdentityError> {
        let Owner::Customer(id) = owner else {
            return Ok(());
        };
        let profile = self.decrypt_profile(tx, *id).await?;
        let kind = crate::mails::MailKind::FactorLocked {
            factor,
            minutes: throttle::FACTOR_LOCK_SECS / 60,
        };
        self.queue_mail_in(tx, kind, profile.locale, profile.email)
            .await
    }
}

/// Records that `factor` of `owner` was locked.
pub(crate) async fn audit_lockout(
    tx: &mut WriteTx,
    owner: &Owner,
    factor: Factor,
    meta: &RequestMeta,
) -> Result<(), IdentityError> {
    let action = match (owner, factor) {
        (Owner::Customer(_), Factor::Code) => "customer.second_factor_lockout",
        (Owner::Customer(_), Factor::Password) => "customer.password_check_lockout",
        (Owner::Staff(_), Factor::Code) => "staff.second_factor_lockout",
        (Owner::Staff(_), Factor::Password) => "staff.password_check_lockout",
    };
    let event = Event {
        actor: Actor::system("throttle"),
        action,
        target: owner.target(),
        outcome: Outcome::Success,
    };
    audit::append(tx, &event, meta).await?;
    Ok(())
}
