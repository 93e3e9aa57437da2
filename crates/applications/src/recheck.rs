//! The identity check holds for the name it checked: when the customer changes their name after
//! an approval, the application goes back to the queue and the premium service pauses until an
//! operator has compared the new name with the account holder's.

use platform::audit::{RequestMeta, Target};
use platform::ids::CustomerId;
use platform::time_util::now_unix;

use crate::draft::record;
use crate::error::ApplicationError;
use crate::status::Status;
use crate::{Applications, store};

impl Applications {
    /// Sends the customer's approved application back for review after a change of name; true
    /// when there was one.
    pub async fn recheck_after_name_change(
        &self,
        customer: CustomerId,
        meta: &RequestMeta,
    ) -> Result<bool, ApplicationError> {
        let mut tx = self.db.write().await?;
        let Some(approved) = store::latest_of(&mut tx, customer)
            .await?
            .filter(|a| a.status == Status::Approved)
        else {
            return Ok(false);
        };
        if !store::reopen(&mut tx, approved.id, customer, now_unix()).await? {
            return Ok(false);
        }
        record(
            &mut tx,
            customer,
            "application.reopened_name_change",
            Target::application(approved.id),
            meta,
        )
        .await?;
        record(
            &mut tx,
            customer,
            "customer.premium_paused",
            Target::customer(customer),
            meta,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}
