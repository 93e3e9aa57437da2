//! Account deletion by crypto-shredding: the customer's data key is destroyed, so their sealed
//! fields are unreadable wherever a copy survives (replicas, backups); the rows, sessions and
//! assets are deleted; the audit trail keeps the event under the opaque customer ID only.

use platform::audit::{self, Actor, Event, Outcome, RequestMeta, Target};
use platform::ids::CustomerId;

use crate::mails::MailKind;
use crate::store;
use crate::{Identity, IdentityError};

impl Identity {
    /// Deletes the account after the customer re-entered their password.
    pub async fn delete_account(
        &self,
        id: CustomerId,
        password: &str,
        meta: &RequestMeta,
    ) -> Result<(), IdentityError> {
        let profile = self.profile(id).await?;
        self.check_password(id, password, "customer.delete", meta)
            .await?;
        let mut tx = self.db.write().await?;
        self.keyring.destroy_customer_key(&mut tx, id).await?;
        store::delete_customer(&mut tx, id).await?;
        self.remove_mfa(&mut tx, &crate::mfa::Owner::Customer(id))
            .await?;
        self.remove_passkeys(&mut tx, &crate::mfa::Owner::Customer(id))
            .await?;
        let event = Event {
            actor: Actor::customer(id),
            action: "customer.delete",
            target: Target::customer(id),
            outcome: Outcome::Success,
        };
        audit::append(&mut tx, &event, meta).await?;
        self.queue_mail_in(&mut tx, MailKind::Deleted, profile.locale, profile.email)
            .await?;
        tx.commit().await?;
        self.outbox.wake();
        if let Err(e) = self.db.purge_deleted().await {
            tracing::warn!(error = %e, "deleted rows not yet purged from the write-ahead log");
        }
        tracing::info!(customer = %id, "customer deleted and data key destroyed");
        Ok(())
    }
}
