//! Step-up for staff: before an export of customers' personal data or of the audit trail, the
//! member of staff proves again who they are with both factors (password and authenticator
//! code), or with a passkey, which is both. Wrong answers count toward the same budgets as the
//! sign-in's.

use platform::audit::{self, Event, Outcome, RequestMeta};
use platform::crypto::SecretToken;
use platform::time_util::now_unix;

use super::{StaffSession, owner, store};
use crate::mfa::CodeCheck;
use crate::passkeys::Ceremony;
use crate::{Identity, IdentityError};

impl Identity {
    /// Proves again, with password and authenticator code, who is at the staff session `token`.
    pub async fn staff_reauthenticate(
        &self,
        token: &str,
        password: &str,
        code: &str,
        meta: &RequestMeta,
    ) -> Result<(), IdentityError> {
        let session = self.full_staff_session(token).await?;
        let who = owner(session.id);
        let stored = {
            let mut conn = self.db.read().await?;
            store::by_id(&mut conn, session.id)
                .await?
                .ok_or(IdentityError::NotLoggedIn)?
                .password_hash
        };
        self.budgeted_password(&who, &stored, password, "staff.reauth", meta)
            .await?;
        let mut tx = self.db.write().await?;
        let now = now_unix();
        match self
            .budgeted_second_factor(&mut tx, &who, code, now, meta)
            .await?
        {
            CodeCheck::Passed => {}
            CodeCheck::Blocked { retry_after } => {
                return Err(IdentityError::Throttled { retry_after });
            }
            CodeCheck::Failed { .. } => {
                let event = Event {
                    actor: who.actor(),
                    action: "staff.reauth",
                    target: who.target(),
                    outcome: Outcome::Failure,
                };
                audit::append(&mut tx, &event, meta).await?;
                tx.commit().await?;
                return Err(IdentityError::Invalid(platform::fields::FormErrors(vec![
                    ("code", platform::fields::FieldError::InvalidCode),
                ])));
            }
        }
        self.mark_staff_recent(tx, token, &session, "staff.reauth", meta)
            .await
    }

    /// Starts the passkey variant of a staff step-up.
    pub async fn start_staff_passkey_reauth(&self, token: &str) -> Result<Ceremony, IdentityError> {
        let session = self.full_staff_session(token).await?;
        self.start_staff_passkey_check(session.id).await
    }

    /// Completes the passkey variant of a staff step-up: the passkey must be the member's own.
    pub async fn finish_staff_passkey_reauth(
        &self,
        token: &str,
        ceremony: &str,
        credential: &str,
        meta: &RequestMeta,
    ) -> Result<(), IdentityError> {
        let session = self.full_staff_session(token).await?;
        if self.verify_staff_passkey(ceremony, credential).await? != session.id {
            return Err(IdentityError::PasskeyRefused);
        }
        let tx = self.db.write().await?;
        self.mark_staff_recent(tx, token, &session, "staff.reauth_passkey", meta)
            .await
    }

    async fn full_staff_session(&self, token: &str) -> Result<StaffSession, IdentityError> {
        self.staff_session(token)
            .await?
            .filter(|s| s.mfa_done)
            .ok_or(IdentityError::NotLoggedIn)
    }

    async fn mark_staff_recent(
        &self,
        mut tx: platform::db::WriteTx,
        token: &str,
        session: &StaffSession,
        action: &'static str,
        meta: &RequestMeta,
    ) -> Result<(), IdentityError> {
        if !store::mark_reauthenticated(&mut tx, &SecretToken::hash(token), now_unix()).await? {
            return Err(IdentityError::NotLoggedIn);
        }
        let who = owner(session.id);
        let event = Event {
            actor: who.actor(),
            action,
            target: who.target(),
            outcome: Outcome::Success,
        };
        audit::append(&mut tx, &event, meta).await?;
        tx.commit().await?;
        Ok(())
    }
}
