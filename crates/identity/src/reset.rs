//! Password reset by e-mail link. Requesting one never reveals whether the address is known;
//! using one sets the new password, ends every session and tells the owner by mail.

use platform::audit::{self, Actor, Event, Outcome, RequestMeta, Target};
use platform::crypto::SecretToken;
use platform::fields::{FieldError, FormErrors};
use platform::i18n::Locale;
use platform::time_util::now_unix;

use crate::fields::{Email, NewPassword};
use crate::mails::{FactorChange, MailKind};
use crate::store::{self, CustomerStatus, Purpose};
use crate::{Identity, IdentityError};

/// How long a reset link stays valid.
pub(crate) const RESET_TTL_SECS: i64 = 30 * 60;

impl Identity {
    /// Mails a reset link if the address belongs to a usable account.
    pub async fn request_password_reset(
        &self,
        email: &Email,
        locale: Locale,
        meta: &RequestMeta,
    ) -> Result<(), IdentityError> {
        let index = self.keyring.email_index(email.as_str());
        let mut tx = self.db.write().await?;
        let customer = store::customer_by_email(&mut tx, &index).await?;
        let allowed = crate::throttle::allow_mail(&mut tx, &index.0, now_unix()).await?;
        let usable = customer.filter(|c| c.status != CustomerStatus::Disabled && allowed);
        let (target, outcome) = match &usable {
            Some(c) => (Target::customer(c.id), Outcome::Success),
            None => (Target::none(), Outcome::Failure),
        };
        let token = SecretToken::generate();
        if let Some(c) = &usable {
            store::insert_token(
                &mut tx,
                &token.hash,
                c.id,
                Purpose::ResetPassword,
                now_unix() + RESET_TTL_SECS,
            )
            .await?;
        }
        let event = Event {
            actor: Actor::anonymous(),
            action: "customer.password_reset_request",
            target,
            outcome,
        };
        audit::append(&mut tx, &event, meta).await?;
        let mailed = usable.is_some();
        if let Some(c) = usable {
            let link = self.link(&format!("password/reset/{}", token.plain));
            let locale = if c.locale == locale { locale } else { c.locale };
            let kind = MailKind::Reset { link };
            self.queue_mail_in(&mut tx, kind, locale, email.as_str().to_owned())
                .await?;
        }
        tx.commit().await?;
        if mailed {
            self.outbox.wake();
        }
        Ok(())
    }

    /// True when a reset link can still be used (to decide which page to show).
    pub async fn reset_link_is_live(&self, token: &str) -> Result<bool, IdentityError> {
        if !SecretToken::is_well_formed(token) {
            return Ok(false);
        }
        let mut tx = self.db.read().await?;
        Ok(store::token_is_live(
            &mut tx,
            &SecretToken::hash(token),
            Purpose::ResetPassword,
            now_unix(),
        )
        .await?)
    }

    /// Sets a new password with a reset link.
    pub async fn reset_password(
        &self,
        token: &str,
        password: &str,
        confirmation: &str,
        meta: &RequestMeta,
    ) -> Result<(), IdentityError> {
        if !SecretToken::is_well_formed(token) {
            return Err(IdentityError::LinkInvalid);
        }
        let mut tx = self.db.write().await?;
        let now = now_unix();
        let Some(id) = store::consume_token(
            &mut tx,
            &SecretToken::hash(token),
            Purpose::ResetPassword,
            now,
        )
        .await?
        else {
            return Err(IdentityError::LinkInvalid);
        };
        let profile = self.decrypt_profile(&mut tx, id).await?;
        let personal = [
            profile.email.as_str(),
            profile.name_kanji.as_str(),
            profile.name_kana.as_str(),
        ];
        let new = NewPassword::parse(password, confirmation, &personal).map_err(password_error)?;
        let hash = self.hasher.hash(new.expose()).await?;
        store::set_password_hash(&mut tx, id, &hash, now).await?;
        store::delete_sessions_of(&mut tx, id).await?;
        store::revoke_grants_of(&mut tx, id, now, "password_reset").await?;
        if profile.status == CustomerStatus::Unverified {
            // Receiving the link proves the address, just as the verification link would.
            store::set_status(&mut tx, id, CustomerStatus::Active, now).await?;
        }
        let event = Event {
            actor: Actor::customer(id),
            action: "customer.password_reset",
            target: Target::customer(id),
            outcome: Outcome::Success,
        };
        audit::append(&mut tx, &event, meta).await?;
        self.suspend_recent_factors(&mut tx, id, now).await?;
        self.notify_factor_change(&mut tx, id, FactorChange::PasswordChanged)
            .await?;
        tx.commit().await?;
        self.outbox.wake();
        Ok(())
    }
}

pub(crate) fn password_error(e: FieldError) -> IdentityError {
    IdentityError::Invalid(FormErrors(vec![(crate::fields::password_field(e), e)]))
}
