//! Confirming an e-mail address with the link from the sign-up mail.

use platform::audit::{self, Actor, Event, Outcome, RequestMeta, Target};
use platform::crypto::SecretToken;
use platform::time_util::now_unix;

use crate::store::{self, CustomerStatus, Purpose};
use crate::{Identity, IdentityError};

impl Identity {
    /// Activates the account the link belongs to. A link works once, within its lifetime.
    pub async fn verify_email(&self, token: &str, meta: &RequestMeta) -> Result<(), IdentityError> {
        if !SecretToken::is_well_formed(token) {
            return Err(IdentityError::LinkInvalid);
        }
        let mut tx = self.db.write().await?;
        let now = now_unix();
        let Some(id) = store::consume_token(
            &mut tx,
            &SecretToken::hash(token),
            Purpose::VerifyEmail,
            now,
        )
        .await?
        else {
            let event = Event {
                actor: Actor::anonymous(),
                action: "customer.verify_email",
                target: Target::none(),
                outcome: Outcome::Failure,
            };
            audit::append(&mut tx, &event, meta).await?;
            tx.commit().await?;
            return Err(IdentityError::LinkInvalid);
        };
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
