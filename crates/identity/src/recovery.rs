//! Recovery that removes an intruder (ASVS 5.0 V6.4; see `docs/adr/0011-account-recovery.md`).
//!
//! Every change to the ways into an account (password, two-step verification, passkeys) is
//! reported to the owner's mailbox with a "this was not me" link. Following it ends every session
//! and grant, removes the factors added since the change, makes the password unusable and sends
//! a reset link: whoever held a session is out, and the mailbox owner is back in.
//!
//! A password reset through the mailbox suspends the factors added within the week before it:
//! an intruder who added a passkey or turned on two-step verification to lock the owner out
//! cannot keep using it, and the owner, who may have added one themselves, restores them with
//! the "keep" link of the notice.

use platform::audit::{self, Actor, Event, Outcome, RequestMeta, Target};
use platform::crypto::SecretToken;
use platform::db::{DbError, WriteTx, col, parsed};
use platform::ids::CustomerId;
use platform::time_util::now_unix;

use crate::mails::{FactorChange, MailKind};
use crate::mfa::Owner;
use crate::store::{self, Purpose};
use crate::{Identity, IdentityError};

/// How long the links in security notices work.
const LINK_TTL_SECS: i64 = 14 * 86_400;
/// Factors added this long before a reset through the mailbox are suspended by it.
const SUSPECT_WINDOW_SECS: i64 = 7 * 86_400;
/// Clocks of instances differ a little: "since the change" starts this much earlier.
const SLACK_SECS: i64 = 60;

/// What a link in a security notice does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecurityLink {
    /// "This was not me": undo every change since the notice and start a reset.
    NotMe,
    /// Restore the factors a password reset suspended.
    KeepFactors,
}

impl SecurityLink {
    fn code(self) -> &'static str {
        match self {
            SecurityLink::NotMe => "not_me",
            SecurityLink::KeepFactors => "keep_factors",
        }
    }

    fn path(self) -> &'static str {
        match self {
            SecurityLink::NotMe => "security/not-me",
            SecurityLink::KeepFactors => "security/keep",
        }
    }
}

impl Identity {
    /// Tells the customer, inside the transaction of the change, that a way into their account
    /// changed, with a link that undoes everything from now on.
    pub(crate) async fn notify_factor_change(
        &self,
        tx: &mut WriteTx,
        customer: CustomerId,
        change: FactorChange,
    ) -> Result<(), IdentityError> {
        let not_me = self
            .security_link(tx, customer, SecurityLink::NotMe, now_unix())
            .await?;
        let profile = self.decrypt_profile(tx, customer).await?;
        let kind = MailKind::FactorChanged { change, not_me };
        self.queue_mail_in(tx, kind, profile.locale, profile.email)
            .await
    }

    /// Whether a security link can still be used, to show its confirmation page or say it is not.
    pub async fn security_link_is_live(
        &self,
        link: SecurityLink,
        token: &str,
    ) -> Result<bool, IdentityError> {
        if !SecretToken::is_well_formed(token) {
            return Ok(false);
        }
        let mut conn = self.db.read().await?;
        let row = sqlx::query(
            "SELECT customer_id FROM security_links \
             WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
        )
        .bind(SecretToken::hash(token))
        .bind(link.code())
        .bind(now_unix())
        .fetch_optional(&mut *conn)
        .await?;
        Ok(row.is_some())
    }

    /// "This was not me": ends every session and grant, removes the factors added since the
    /// notice, makes the password unusable and mails a reset link.
    pub async fn report_not_me(
        &self,
        token: &str,
        meta: &RequestMeta,
    ) -> Result<(), IdentityError> {
        // A password nobody knows, hashed before the transaction: hashing takes a while.
        let unusable = self.hasher.hash(&SecretToken::generate().plain).await?;
        let mut tx = self.db.write().await?;
        let now = now_unix();
        let (customer, since) = consume(&mut tx, token, SecurityLink::NotMe, now)
            .await?
            .ok_or(IdentityError::LinkInvalid)?;
        let owner = Owner::Customer(customer);
        let from = since - SLACK_SECS;
        remove_factors_since(&mut tx, &owner, from).await?;
        store::set_password_hash(&mut tx, customer, &unusable, now).await?;
        store::delete_sessions_of(&mut tx, customer).await?;
        store::revoke_grants_of(&mut tx, customer, now, "not_me").await?;
        let reset = SecretToken::generate();
        store::insert_token(
            &mut tx,
            &reset.hash,
            customer,
            Purpose::ResetPassword,
            now + crate::reset::RESET_TTL_SECS,
        )
        .await?;
        let event = Event {
            actor: Actor::customer(customer),
            action: "customer.not_me",
            target: Target::customer(customer),
            outcome: Outcome::Success,
        };
        audit::append(&mut tx, &event, meta).await?;
        let profile = self.decrypt_profile(&mut tx, customer).await?;
        let link = self.link(&format!("password/reset/{}", reset.plain));
        self.queue_mail_in(
            &mut tx,
            MailKind::Reset { link },
            profile.locale,
            profile.email,
        )
        .await?;
        tx.commit().await?;
        self.outbox.wake();
        Ok(())
    }

    /// After a reset through the mailbox: suspends the factors added within the week before,
    /// and tells the owner how to keep them. Runs in the reset's transaction.
    pub(crate) async fn suspend_recent_factors(
        &self,
        tx: &mut WriteTx,
        customer: CustomerId,
        now: i64,
    ) -> Result<bool, IdentityError> {
        let owner = Owner::Customer(customer).key();
        let from = now - SUSPECT_WINDOW_SECS;
        let mut suspended = 0;
        for sql in [
            "UPDATE mfa_secrets SET suspended_at = $1 \
             WHERE owner = $2 AND enabled_at >= $3 AND suspended_at IS NULL",
            "UPDATE passkeys SET suspended_at = $1 \
             WHERE owner = $2 AND created_at >= $3 AND suspended_at IS NULL",
        ] {
            let done = sqlx::query(sql)
                .bind(now)
                .bind(&owner)
                .bind(from)
                .execute(&mut **tx)
                .await?;
            suspended += done.rows_affected();
        }
        if suspended == 0 {
            return Ok(false);
        }
        let keep = self
            .security_link(tx, customer, SecurityLink::KeepFactors, now)
            .await?;
        let event = Event {
            actor: Actor::system("recovery"),
            action: "customer.factors_suspend",
            target: Target::customer(customer),
            outcome: Outcome::Success,
        };
        audit::append(tx, &event, &RequestMeta::default()).await?;
        let profile = self.decrypt_profile(tx, customer).await?;
        self.queue_mail_in(
            tx,
            MailKind::FactorsSuspended { keep },
            profile.locale,
            profile.email,
        )
        .await?;
        Ok(true)
    }

    /// The owner keeps the factors a reset suspended.
    pub async fn keep_factors(&self, token: &str, meta: &RequestMeta) -> Result<(), IdentityError> {
        let mut tx = self.db.write().await?;
        let (customer, _) = consume(&mut tx, token, SecurityLink::KeepFactors, now_unix())
            .await?
            .ok_or(IdentityError::LinkInvalid)?;
        let owner = Owner::Customer(customer).key();
        for sql in [
            "UPDATE mfa_secrets SET suspended_at = NULL WHERE owner = $1",
            "UPDATE passkeys SET suspended_at = NULL WHERE owner = $1",
        ] {
            sqlx::query(sql).bind(&owner).execute(&mut *tx).await?;
        }
        let event = Event {
            actor: Actor::customer(customer),
            action: "customer.factors_keep",
            target: Target::customer(customer),
            outcome: Outcome::Success,
        };
        audit::append(&mut tx, &event, meta).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn security_link(
        &self,
        tx: &mut WriteTx,
        customer: CustomerId,
        link: SecurityLink,
        since: i64,
    ) -> Result<String, IdentityError> {
        let token = SecretToken::generate();
        sqlx::query(
            "INSERT INTO security_links (token_hash, customer_id, purpose, since, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&token.hash)
        .bind(customer.to_string())
        .bind(link.code())
        .bind(since)
        .bind(since + LINK_TTL_SECS)
        .execute(&mut **tx)
        .await?;
        Ok(self.link(&format!("{}/{}", link.path(), token.plain)))
    }
}

/// Uses a link once; returns its customer and the time it was issued for.
async fn consume(
    tx: &mut WriteTx,
    token: &str,
    link: SecurityLink,
    now: i64,
) -> Result<Option<(CustomerId, i64)>, IdentityError> {
    if !SecretToken::is_well_formed(token) {
        return Ok(None);
    }
    let row = sqlx::query(
        "UPDATE security_links SET used_at = $1 \
         WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1 \
         RETURNING customer_id, since",
    )
    .bind(now)
    .bind(SecretToken::hash(token))
    .bind(link.code())
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some((parsed(&row, "customer_id")?, col(&row, "since")?)))
}

/// Removes the authenticator if it was turned on at `from` or later, the passkeys registered
/// since, and any second step waiting.
async fn remove_factors_since(tx: &mut WriteTx, owner: &Owner, from: i64) -> Result<(), DbError> {
    let key = owner.key();
    let removed = sqlx::query("DELETE FROM mfa_secrets WHERE owner = $1 AND enabled_at >= $2")
        .bind(&key)
        .bind(from)
        .execute(&mut **tx)
        .await?;
    if removed.rows_affected() > 0 {
        sqlx::query("DELETE FROM recovery_codes WHERE owner = $1")
            .bind(&key)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("DELETE FROM passkeys WHERE owner = $1 AND created_at >= $2")
        .bind(&key)
        .bind(from)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM pending_logins WHERE owner = $1")
        .bind(&key)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
