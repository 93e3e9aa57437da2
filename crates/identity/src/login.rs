//! Password login. Unknown addresses, wrong passwords and malformed input all get the same
//! answer in about the same time; repeated failures slow down and then lock (see `throttle`);
//! a login from a browser the customer has not used before is reported to them by mail. Every
//! attempt is audited.

use platform::audit::{self, Actor, Event, Outcome, RequestMeta, Target};
use platform::crypto::{EmailIndex, SecretToken};
use platform::i18n::Locale;
use platform::ids::CustomerId;
use platform::time_util::now_unix;

use crate::fields::Email;
use crate::mails::MailKind;
use crate::mfa;
use crate::store::{self, CustomerRow, CustomerStatus, NewSession};
use crate::throttle::{self, Keys};
use crate::{Identity, IdentityError};

/// What the login page knows about the browser.
#[derive(Clone, Debug, Default)]
pub struct LoginContext {
    /// The `User-Agent` header.
    pub user_agent: String,
    /// The browser's long-lived device cookie, if it has one.
    pub device_token: Option<String>,
}

/// Where a right password leads.
pub enum LoginOutcome {
    /// Logged in.
    LoggedIn(LoggedIn),
    /// Two-step verification is on: the code is due, within a few minutes, with this token.
    SecondStep {
        /// Identifies the pending login; the server keeps only its hash.
        pending_token: String,
    },
}

/// A successful login.
pub struct LoggedIn {
    /// Session cookie value; the server keeps only its hash.
    pub session_token: String,
    /// Who logged in.
    pub customer: CustomerId,
    /// Their preferred language.
    pub locale: Locale,
    /// A new device cookie to set, when the browser had none.
    pub new_device_token: Option<String>,
}

impl Identity {
    /// Checks the password and opens a new session, or a pending login when a second step is due.
    pub async fn log_in(
        &self,
        email: &str,
        password: &str,
        ctx: &LoginContext,
        meta: &RequestMeta,
    ) -> Result<LoginOutcome, IdentityError> {
        let email = Email::parse(email).ok();
        let index: Option<EmailIndex> =
            email.as_ref().map(|e| self.keyring.email_index(e.as_str()));
        let keys = Keys::new(index.as_ref().map(|i| i.0.as_slice()), meta.client_ip);
        let now = now_unix();
        let (blocked, found) = {
            let mut tx = self.db.read().await?;
            let blocked = throttle::blocked_for(&mut tx, &keys, now).await?;
            let found = match &index {
                Some(index) => store::customer_by_email(&mut tx, index).await?,
                None => None,
            };
            (blocked, found)
        };
        if let Some(retry_after) = blocked {
            let target = found
                .as_ref()
                .map_or_else(Target::none, |c| Target::customer(c.id));
            self.audit_login(Actor::anonymous(), target, Outcome::Denied, meta)
                .await?;
            return Err(IdentityError::Throttled { retry_after });
        }
        let (customer, email) = match (found, email) {
            (Some(c), Some(e)) if self.hasher.verify(password, &c.password_hash).await? => (c, e),
            (found, _) => {
                if found.is_none() {
                    self.hasher.verify_decoy(password).await?;
                }
                return Err(self.failed(&keys, found.as_ref(), now, meta).await?);
            }
        };
        let target = Target::customer(customer.id);
        match customer.status {
            CustomerStatus::Unverified => {
                self.audit_login(Actor::customer(customer.id), target, Outcome::Denied, meta)
                    .await?;
                self.send_verification(customer.id, customer.locale, email)
                    .await?;
                return Err(IdentityError::NotVerified);
            }
            CustomerStatus::Disabled => {
                self.audit_login(Actor::customer(customer.id), target, Outcome::Denied, meta)
                    .await?;
                return Err(IdentityError::Disabled);
            }
            CustomerStatus::Active => {}
        }
        let mut tx = self.db.write().await?;
        let owner = mfa::Owner::Customer(customer.id);
        if self.mfa_enabled(&mut tx, &owner).await? {
            let token = SecretToken::generate();
            mfa::insert_pending_login(
                &mut tx,
                &token.hash,
                &owner,
                now_unix() + mfa::PENDING_LOGIN_SECS,
            )
            .await?;
            let event = Event {
                actor: Actor::customer(customer.id),
                action: "customer.login_password",
                target,
                outcome: Outcome::Success,
            };
            audit::append(&mut tx, &event, meta).await?;
            tx.commit().await?;
            return Ok(LoginOutcome::SecondStep {
                pending_token: token.plain,
            });
        }
        drop(tx);
        self.open_session(&customer, email, &keys, (ctx, "pwd"), meta)
            .await
            .map(LoginOutcome::LoggedIn)
    }

    /// Completes a pending login with an authenticator or recovery code.
    pub async fn complete_second_step(
        &self,
        pending: &str,
        code: &str,
        ctx: &LoginContext,
        meta: &RequestMeta,
    ) -> Result<LoggedIn, IdentityError> {
        if !SecretToken::is_well_formed(pending) {
            return Err(IdentityError::SecondStepExpired);
        }
        let hash = SecretToken::hash(pending);
        let now = now_unix();
        let mut tx = self.db.write().await?;
        let owner = mfa::attempt_pending_login(&mut tx, &hash, now, mfa::PENDING_ATTEMPTS).await?;
        let Some(mfa::Owner::Customer(id)) = owner.as_deref().and_then(mfa::Owner::parse) else {
            return Err(IdentityError::SecondStepExpired);
        };
        let owner = mfa::Owner::Customer(id);
        let check = self
            .budgeted_second_factor(&mut tx, &owner, code, now, meta)
            .await?;
        let outcome = match check {
            mfa::CodeCheck::Passed => Outcome::Success,
            mfa::CodeCheck::Blocked { .. } => Outcome::Denied,
            mfa::CodeCheck::Failed { .. } => Outcome::Failure,
        };
        let event = Event {
            actor: Actor::customer(id),
            action: "customer.login_second_step",
            target: Target::customer(id),
            outcome,
        };
        audit::append(&mut tx, &event, meta).await?;
        if let mfa::CodeCheck::Passed = check {
            mfa::delete_pending_login(&mut tx, &hash).await?;
        }
        let locked = matches!(check, mfa::CodeCheck::Failed { locked: true });
        if locked {
            self.notify_lockout(&mut tx, &owner, throttle::Factor::Code)
                .await?;
        }
        tx.commit().await?;
        if locked {
            self.outbox.wake();
        }
        match check {
            mfa::CodeCheck::Passed => {}
            mfa::CodeCheck::Blocked { retry_after } => {
                return Err(IdentityError::Throttled { retry_after });
            }
            mfa::CodeCheck::Failed { .. } => {
                return Err(IdentityError::Invalid(platform::fields::FormErrors(vec![
                    ("code", platform::fields::FieldError::InvalidCode),
                ])));
            }
        }
        let customer = {
            let mut tx = self.db.read().await?;
            store::customer_by_id(&mut tx, id)
                .await?
                .ok_or(IdentityError::SecondStepExpired)?
        };
        let email = Email::parse(&self.profile(id).await?.email)
            .map_err(|_| IdentityError::SecondStepExpired)?;
        let keys = Keys::new(
            Some(&self.keyring.email_index(email.as_str()).0),
            meta.client_ip,
        );
        self.open_session(&customer, email, &keys, (ctx, "pwd otp mfa"), meta)
            .await
    }

    /// Opens a session for a customer whose passkey verified (proof of possession with user
    /// verification: two factors in one).
    pub(crate) async fn log_in_with_passkey(
        &self,
        id: CustomerId,
        ctx: &LoginContext,
        meta: &RequestMeta,
    ) -> Result<LoggedIn, IdentityError> {
        let customer = {
            let mut tx = self.db.read().await?;
            store::customer_by_id(&mut tx, id)
                .await?
                .ok_or(IdentityError::PasskeyRefused)?
        };
        match customer.status {
            CustomerStatus::Active => {}
            CustomerStatus::Disabled => return Err(IdentityError::Disabled),
            CustomerStatus::Unverified => return Err(IdentityError::NotVerified),
        }
        let email = Email::parse(&self.profile(id).await?.email)
            .map_err(|_| IdentityError::PasskeyRefused)?;
        let keys = Keys::new(
            Some(&self.keyring.email_index(email.as_str()).0),
            meta.client_ip,
        );
        self.open_session(&customer, email, &keys, (ctx, "pop mfa"), meta)
            .await
    }

    async fn open_session(
        &self,
        customer: &CustomerRow,
        email: Email,
        keys: &Keys,
        (ctx, amr): (&LoginContext, &'static str),
        meta: &RequestMeta,
    ) -> Result<LoggedIn, IdentityError> {
        let token = SecretToken::generate();
        let now = now_unix();
        let device = crate::device::describe(&ctx.user_agent);
        let presented = ctx
            .device_token
            .as_deref()
            .filter(|t| SecretToken::is_well_formed(t));
        let new_device_token = presented.is_none().then(|| SecretToken::generate().plain);
        let device_token = presented.map_or_else(
            || new_device_token.clone().unwrap_or_default(),
            str::to_owned,
        );
        let mut tx = self.db.write().await?;
        let session = NewSession {
            hash: &token.hash,
            customer: customer.id,
            now,
            expires_at: now + i64::from(self.sessions.absolute_hours) * 3600,
            client_ip: meta
                .client_ip
                .map_or_else(|| "-".to_owned(), |ip| ip.to_string()),
            device: device.clone(),
            amr,
        };
        store::insert_session(&mut tx, &session).await?;
        store::record_login(&mut tx, customer.id, now).await?;
        throttle::clear_account(&mut tx, keys).await?;
        let unfamiliar =
            store::remember_device(&mut tx, customer.id, &SecretToken::hash(&device_token), now)
                .await?;
        let event = Event {
            actor: Actor::customer(customer.id),
            action: "customer.login",
            target: Target::customer(customer.id),
            outcome: Outcome::Success,
        };
        audit::append(&mut tx, &event, meta).await?;
        if unfamiliar {
            let when = platform::time_util::to_jst(now);
            let kind = MailKind::NewDevice {
                device,
                when: format!(
                    "{} {:02}:{:02}",
                    platform::fields::iso_date(when.date()),
                    when.hour(),
                    when.minute()
                ),
            };
            self.queue_mail_in(&mut tx, kind, customer.locale, email.as_str().to_owned())
                .await?;
        }
        tx.commit().await?;
        if unfamiliar {
            self.outbox.wake();
        }
        Ok(LoggedIn {
            session_token: token.plain,
            customer: customer.id,
            locale: customer.locale,
            new_device_token,
        })
    }

    /// Counts a failed attempt, locks and notifies when it reaches the limit.
    async fn failed(
        &self,
        keys: &Keys,
        customer: Option<&CustomerRow>,
        now: i64,
        meta: &RequestMeta,
    ) -> Result<IdentityError, IdentityError> {
        let target = customer.map_or_else(Target::none, |c| Target::customer(c.id));
        let mut tx = self.db.write().await?;
        let locked = throttle::record_failure(&mut tx, keys, now).await?;
        let event = Event {
            actor: Actor::anonymous(),
            action: "customer.login",
            target: target.clone(),
            outcome: Outcome::Failure,
        };
        audit::append(&mut tx, &event, meta).await?;
        if locked {
            let event = Event {
                actor: Actor::system("throttle"),
                action: "customer.lockout",
                target,
                outcome: Outcome::Success,
            };
            audit::append(&mut tx, &event, meta).await?;
        }
        if let (true, Some(c)) = (locked, customer) {
            let email = self.decrypt_profile_email(c).await?;
            let minutes = throttle::LOCK_SECS / 60;
            self.queue_mail_in(&mut tx, MailKind::Locked { minutes }, c.locale, email)
                .await?;
        }
        tx.commit().await?;
        if locked {
            self.outbox.wake();
        }
        Ok(IdentityError::InvalidCredentials)
    }

    async fn audit_login(
        &self,
        actor: Actor,
        target: Target,
        outcome: Outcome,
        meta: &RequestMeta,
    ) -> Result<(), IdentityError> {
        let event = Event {
            actor,
            action: "customer.login",
            target,
            outcome,
        };
        audit::record(&self.db, &event, meta).await?;
        Ok(())
    }

    async fn decrypt_profile_email(&self, customer: &CustomerRow) -> Result<String, IdentityError> {
        Ok(self.profile(customer.id).await?.email)
    }
}
