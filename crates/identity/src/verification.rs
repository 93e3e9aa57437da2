//! Confirming an e-mail address with the link from the sign-up mail.
//!
//! A link alone does not confirm: someone could sign up with another person's address and a
//! password of their own, and wait for that person to click. So the link confirms only in the
//! browser the sign-up was made in (it holds the sign-up cookie), or with the password chosen
//! at sign-up.

use platform::audit::{self, Actor, Event, Outcome, RequestMeta, Target};
use platform::crypto::SecretToken;
use platform::time_util::now_unix;

use crate::signup::signup_binding_matches;
use crate::store::{self, CustomerStatus, Purpose};
use crate::{Identity, IdentityError};

/// What shows that the person following a verification link is the one who signed up.
#[derive(Clone, Copy, Debug)]
pub enum SignupProof<'a> {
    /// The sign-up browser cookie, if the browser has one.
    Browser(Option<&'a str>),
    /// The password chosen at sign-up.
    Password(&'a str),
}

impl Identity {
    /// Activates the account the link belongs to. A link works once, within its lifetime, and
    /// only with a proof: [`IdentityError::PasswordRequired`] asks for the password.
    pub async fn verify_email(
        &self,
        token: &str,
        proof: SignupProof<'_>,
        meta: &RequestMeta,
    ) -> Result<(), IdentityError> {
        let live = if SecretToken::is_well_formed(token) {
            let mut conn = self.db.read().await?;
            store::token_customer(
                &mut conn,
                &SecretToken::hash(token),
                Purpose::VerifyEmail,
                now_unix(),
            )
            .await?
        } else {
            None
        };
        let Some(id) = live else {
            let event = Event {
                actor: Actor::anonymous(),
                action: "customer.verify_email",
                target: Target::none(),
                outcome: Outcome::Failure,
            };
            audit::record(&self.db, &event, meta).await?;
            return Err(IdentityError::LinkInvalid);
        };
        match proof {
            SignupProof::Browser(Some(cookie))
                if signup_binding_matches(&self.keyring, token, cookie) => {}
            SignupProof::Browser(_) => return Err(IdentityError::PasswordRequired),
            SignupProof::Password(password) => {
                self.check_password(id, password, "customer.verify_email", meta)
                    .await?;
            }
        }
        let mut tx = self.db.write().await?;
        let now = now_unix();
        if store::consume_token(
            &mut tx,
            &SecretToken::hash(token),
            Purpose::VerifyEmail,
            now,
        )
        .await?
            != Some(id)
        {
            return Err(IdentityError::LinkInvalid);
        }
        if let Some(customer) = store::customer_by_id(&mut tx, id).await?
            && customer.status == CustomerStatus::Unverified
        {
            store::set_status(&mut tx, id, CustomerStatus::Active, now).await?;
        }
        let event = Event {
            actor: Actor::customer(id),
            action: "customer.verify_email",
            target: Target::customer(id),
            outcome: Outcome::Success,
        };
        audit::append(&mut tx, &event, meta).await?;
        tx.commit().await?;
        Ok(())
    }
}
