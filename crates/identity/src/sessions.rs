//! Server-side sessions: the browser holds a random token, the database its hash, an idle
//! time-out and an absolute expiry.

use platform::audit::{self, Actor, Event, Outcome, RequestMeta, Target};
use platform::crypto::SecretToken;
use platform::i18n::Locale;
use platform::ids::CustomerId;
use platform::time_util::now_unix;

use crate::store;
use crate::{Identity, IdentityError};

/// Last-seen times are written at most this often, so reading pages does not mean writing.
const TOUCH_INTERVAL_SECS: i64 = 60;

/// How long a proof of identity counts as recent for a sensitive change (step-up): long enough
/// to fill in the form that follows, short enough that a session left open on a shared
/// computer cannot be used to add a factor or change the account.
pub const STEP_UP_SECS: i64 = 10 * 60;

/// The customer behind a live session.
#[derive(Clone, Debug)]
pub struct SessionInfo {
    /// Who.
    pub customer: CustomerId,
    /// Their preferred language.
    pub locale: Locale,
    /// When the customer proved who they are (OpenID Connect `auth_time`).
    pub auth_time: i64,
    /// How they proved it (OpenID Connect `amr` values, space-separated).
    pub amr: String,
    /// When they last proved it again in this session (password or passkey).
    pub reauth_at: i64,
}

impl SessionInfo {
    /// True while a sensitive change may go ahead without asking again who is there.
    pub fn recently_authenticated(&self, now: i64) -> bool {
        now - self.reauth_at <= STEP_UP_SECS
    }
}

impl Identity {
    /// The customer of a session cookie, if the session is live; extends its idle time-out.
    pub async fn session(&self, token: &str) -> Result<Option<SessionInfo>, IdentityError> {
        if !SecretToken::is_well_formed(token) {
            return Ok(None);
        }
        let hash = SecretToken::hash(token);
        let now = now_unix();
        let idle = self.idle_secs();
        let found = {
            let mut tx = self.db.read().await?;
            store::live_session(&mut tx, &hash, now, idle).await?
        };
        let Some(row) = found else { return Ok(None) };
        if now - row.last_seen_at >= TOUCH_INTERVAL_SECS {
            let mut tx = self.db.write().await?;
            store::touch_session(&mut tx, &hash, now).await?;
            tx.commit().await?;
        }
        Ok(Some(SessionInfo {
            customer: row.customer,
            locale: row.locale,
            auth_time: row.created_at,
            amr: row.amr,
            reauth_at: row.reauth_at,
        }))
    }

    /// Ends a session.
    pub async fn log_out(&self, token: &str, meta: &RequestMeta) -> Result<(), IdentityError> {
        if !SecretToken::is_well_formed(token) {
            return Ok(());
        }
        let mut tx = self.db.write().await?;
        if let Some(customer) = store::delete_session(&mut tx, &SecretToken::hash(token)).await? {
            let event = Event {
                actor: Actor::customer(customer),
                action: "customer.logout",
                target: Target::customer(customer),
                outcome: Outcome::Success,
            };
            audit::append(&mut tx, &event, meta).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The customer's open sessions, newest use first; `current` marks the one asking.
    pub async fn sessions_of(
        &self,
        customer: CustomerId,
        current_token: &str,
    ) -> Result<Vec<crate::SessionView>, IdentityError> {
        let mut tx = self.db.read().await?;
        let hash = SecretToken::hash(current_token);
        Ok(store::sessions_of(&mut tx, customer, &hash, now_unix(), self.idle_secs()).await?)
    }

    /// Ends one of the customer's sessions; someone else's ID is refused like an unknown one.
    pub async fn end_session(
        &self,
        customer: CustomerId,
        id: &str,
        meta: &RequestMeta,
    ) -> Result<(), IdentityError> {
        let mut tx = self.db.write().await?;
        if !store::end_session(&mut tx, customer, id).await? {
            return Err(IdentityError::NotFound);
        }
        let event = Event {
            actor: Actor::customer(customer),
            action: "customer.session_end",
            target: Target::customer(customer),
            outcome: Outcome::Success,
        };
        audit::append(&mut tx, &event, meta).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends every session of the customer except the one at `current_token` (after a factor
    /// change, or when a device is lost); returns how many ended.
    pub async fn end_other_sessions(
        &self,
        customer: CustomerId,
        current_token: &str,
        meta: &RequestMeta,
    ) -> Result<u64, IdentityError> {
        let mut tx = self.db.write().await?;
        let ended =
            store::delete_other_sessions(&mut tx, customer, &SecretToken::hash(current_token))
                .await?;
        let event = Event {
            actor: Actor::customer(customer),
            action: "customer.sessions_end_others",
            target: Target::customer(customer),
            outcome: Outcome::Success,
        };
        audit::append(&mut tx, &event, meta).await?;
        tx.commit().await?;
        Ok(ended)
    }

    /// Removes sessions past their expiry and login counters past their window; run periodically.
    pub async fn prune_sessions(&self) -> Result<u64, IdentityError> {
        let mut tx = self.db.write().await?;
        let now = now_unix();
        let removed = store::delete_expired_sessions(&mut tx, now, self.idle_secs()).await?;
        crate::throttle::prune(&mut tx, now).await?;
        tx.commit().await?;
        Ok(removed)
    }

    fn idle_secs(&self) -> i64 {
        i64::from(self.sessions.idle_minutes) * 60
    }
}
