//! Password login. Unknown addresses, wrong passwords and malformed input all get the same
//! answer in about the same time; every attempt is audited.

use platform::audit::{self, Actor, Event, Outcome, RequestMeta, Target};
use platform::crypto::SecretToken;
use platform::i18n::Locale;
use platform::ids::CustomerId;
use platform::time_util::now_unix;

use crate::fields::Email;
use crate::store::{self, CustomerStatus};
use crate::{Identity, IdentityError};

/// A successful login: the session token for the cookie and the customer's language.
pub struct LoggedIn {
    /// Cookie value; the server keeps only its hash.
    pub session_token: String,
    /// Who logged in.
    pub customer: CustomerId,
    /// Their preferred language.
    pub locale: Locale,
}

impl Identity {
    /// Checks the password and opens a new session.
    pub async fn log_in(
        &self,
        email: &str,
        password: &str,
        meta: &RequestMeta,
    ) -> Result<LoggedIn, IdentityError> {
        let found = match Email::parse(email) {
            Ok(email) => {
                let index = self.keyring.email_index(email.as_str());
                let mut tx = self.db.read().await?;
                store::customer_by_email(&mut tx, &index)
                    .await?
                    .map(|c| (c, email))
            }
            Err(_) => None,
        };
        let Some((customer, email)) = found else {
            self.hasher.verify_decoy(password).await?;
            self.audit_login(Actor::anonymous(), Target::none(), Outcome::Failure, meta)
                .await?;
            return Err(IdentityError::InvalidCredentials);
        };
        let target = Target::customer(customer.id);
        if !self
            .hasher
            .verify(password, &customer.password_hash)
            .await?
        {
            self.audit_login(Actor::anonymous(), target, Outcome::Failure, meta)
                .await?;
            return Err(IdentityError::InvalidCredentials);
        }
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
        let token = SecretToken::generate();
        let now = now_unix();
        let expires = now + i64::from(self.sessions.absolute_hours) * 3600;
        let mut tx = self.db.write().await?;
        store::insert_session(&mut tx, &token.hash, customer.id, now, expires).await?;
        store::record_login(&mut tx, customer.id, now).await?;
        let event = Event {
            actor: Actor::customer(customer.id),
            action: "customer.login",
            target,
            outcome: Outcome::Success,
        };
        audit::append(&mut tx, &event, meta).await?;
        tx.commit().await?;
        Ok(LoggedIn {
            session_token: token.plain,
            customer: customer.id,
            locale: customer.locale,
        })
    }

    async fn audit_login(
        &self,
        actor: Actor,
        target: Target,
        outcome: Outcome,
        meta: &RequestMeta,
    ) -> Result<(), IdentityError> {
        let mut tx = self.db.write().await?;
        audit::append(
            &mut tx,
            &Event {
                actor,
                action: "customer.login",
                target,
                outcome,
            },
            meta,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
