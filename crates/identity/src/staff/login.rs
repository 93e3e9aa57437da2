//! Staff sign-in: user name and password, then the second factor. An account without one gets
//! an enrol-only session; nothing else is reachable until enrolment is done.

use platform::audit::{self, Actor, Event, Outcome, RequestMeta, Target};
use platform::crypto::SecretToken;
use platform::ids::StaffId;
use platform::time_util::now_unix;

use super::{StaffRoles, StaffStatus, Username, owner, store};
use crate::mfa::{self, CodeCheck, MfaEnrolment, Owner};
use crate::throttle::{self, Keys};
use crate::{Identity, IdentityError};

/// Where a right password leads a member of staff.
pub enum StaffLoginOutcome {
    /// The second factor is due, with this pending-login token.
    SecondStep {
        /// Identifies the pending login.
        pending_token: String,
    },
    /// No second factor yet: a session that may only enrol one.
    Enrol {
        /// Session cookie value.
        session_token: String,
    },
    /// Signed in completely: the corporate directory already checked a second factor.
    SignedIn {
        /// Session cookie value.
        session_token: String,
    },
}

/// The member of staff behind a live session.
#[derive(Clone, Debug)]
pub struct StaffSession {
    /// Who.
    pub id: StaffId,
    /// Sign-in name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// What they may do.
    pub roles: StaffRoles,
    /// False while the session may only enrol a second factor.
    pub mfa_done: bool,
    /// When they last proved who they are in this session (sign-in or step-up).
    pub reauth_at: i64,
}

impl StaffSession {
    /// True while a sensitive action (an export of personal data or of the audit trail) may go
    /// ahead without asking again who is there.
    pub fn recently_authenticated(&self, now: i64) -> bool {
        now - self.reauth_at <= crate::STEP_UP_SECS
    }
}

impl Identity {
    /// Checks user name and password.
    pub async fn staff_log_in(
        &self,
        username: &str,
        password: &str,
        meta: &RequestMeta,
    ) -> Result<StaffLoginOutcome, IdentityError> {
        let name = Username::parse(username).ok();
        let keys = Keys::staff(name.as_ref().map(Username::as_str), meta.client_ip);
        let now = now_unix();
        let (blocked, found) = {
            let mut tx = self.db.read().await?;
            let blocked = throttle::blocked_for(&mut tx, &keys, now).await?;
            let found = match &name {
                Some(name) => store::by_username(&mut tx, name).await?,
                None => None,
            };
            (blocked, found)
        };
        let target = found
            .as_ref()
            .map_or_else(Target::none, |s| Target::staff(s.id));
        if let Some(retry_after) = blocked {
            self.audit_staff(
                Actor::anonymous(),
                "staff.login",
                target,
                Outcome::Denied,
                meta,
            )
            .await?;
            return Err(IdentityError::Throttled { retry_after });
        }
        let staff = match found {
            Some(s) if self.hasher.verify(password, &s.password_hash).await? => s,
            found => {
                if found.is_none() {
                    self.hasher.verify_decoy(password).await?;
                }
                let mut tx = self.db.write().await?;
                throttle::record_failure(&mut tx, &keys, now).await?;
                audit::append(
                    &mut tx,
                    &Event {
                        actor: Actor::anonymous(),
                        action: "staff.login",
                        target,
                        outcome: Outcome::Failure,
                    },
                    meta,
                )
                .await?;
                tx.commit().await?;
                return Err(IdentityError::InvalidCredentials);
            }
        };
        if staff.status == StaffStatus::Disabled {
            self.audit_staff(
                Actor::staff(staff.id),
                "staff.login",
                target,
                Outcome::Denied,
                meta,
            )
            .await?;
            return Err(IdentityError::Disabled);
        }
        // The account's failure count stays until the second factor is done too: a right
        // password alone must not buy an attacker who knows it a fresh allowance.
        let mut tx = self.db.write().await?;
        let outcome = self.second_factor_due(&mut tx, staff.id, now).await?;
        audit::append(
            &mut tx,
            &Event {
                actor: Actor::staff(staff.id),
                action: "staff.login_password",
                target,
                outcome: Outcome::Success,
            },
            meta,
        )
        .await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// After the first factor: the code step when a second factor is enrolled, otherwise an
    /// enrol-only session.
    pub(super) async fn second_factor_due(
        &self,
        tx: &mut platform::db::WriteTx,
        id: StaffId,
        now: i64,
    ) -> Result<StaffLoginOutcome, IdentityError> {
        let token = SecretToken::generate();
        let enrolled =
            self.mfa_enabled(tx, &owner(id)).await? || self.has_passkey(tx, &owner(id)).await?;
        if enrolled {
            mfa::insert_pending_login(tx, &token.hash, &owner(id), now + mfa::PENDING_LOGIN_SECS)
                .await?;
            Ok(StaffLoginOutcome::SecondStep {
                pending_token: token.plain,
            })
        } else {
            store::insert_session(tx, &token.hash, id, now, self.staff_expiry(now), false).await?;
            Ok(StaffLoginOutcome::Enrol {
                session_token: token.plain,
            })
        }
    }

    /// Completes sign-in with an authenticator or recovery code; returns the session token.
    pub async fn complete_staff_second_step(
        &self,
        pending: &str,
        code: &str,
        meta: &RequestMeta,
    ) -> Result<String, IdentityError> {
        if !SecretToken::is_well_formed(pending) {
            return Err(IdentityError::SecondStepExpired);
        }
        let hash = SecretToken::hash(pending);
        let now = now_unix();
        let mut tx = self.db.write().await?;
        let found = mfa::attempt_pending_login(&mut tx, &hash, now, mfa::PENDING_ATTEMPTS).await?;
        let Some(Owner::Staff(id)) = found.as_deref().and_then(Owner::parse) else {
            return Err(IdentityError::SecondStepExpired);
        };
        let check = self
            .budgeted_second_factor(&mut tx, &owner(id), code, now, meta)
            .await?;
        let outcome = match check {
            CodeCheck::Passed => Outcome::Success,
            CodeCheck::Blocked { .. } => Outcome::Denied,
            CodeCheck::Failed { .. } => Outcome::Failure,
        };
        audit::append(
            &mut tx,
            &Event {
                actor: Actor::staff(id),
                action: "staff.login_second_step",
                target: Target::staff(id),
                outcome,
            },
            meta,
        )
        .await?;
        match check {
            CodeCheck::Passed => {}
            CodeCheck::Blocked { retry_after } => {
                tx.commit().await?;
                return Err(IdentityError::Throttled { retry_after });
            }
            CodeCheck::Failed { .. } => {
                tx.commit().await?;
                return Err(IdentityError::Invalid(platform::fields::FormErrors(vec![
                    ("code", platform::fields::FieldError::InvalidCode),
                ])));
            }
        }
        mfa::delete_pending_login(&mut tx, &hash).await?;
        let token = SecretToken::generate();
        store::insert_session(&mut tx, &token.hash, id, now, self.staff_expiry(now), true).await?;
        store::record_login(&mut tx, id, now).await?;
        signed_in_fully(&mut tx, id).await?;
        tx.commit().await?;
        Ok(token.plain)
    }

    /// The member of staff behind a session cookie, if live; extends the idle time-out.
    pub async fn staff_session(&self, token: &str) -> Result<Option<StaffSession>, IdentityError> {
        if !SecretToken::is_well_formed(token) {
            return Ok(None);
        }
        let hash = SecretToken::hash(token);
        let now = now_unix();
        let mut tx = self.db.write().await?;
        let Some(live) = store::live_session(&mut tx, &hash, now, self.staff_idle_secs()).await?
        else {
            return Ok(None);
        };
        let id = live.staff;
        store::touch_session(&mut tx, &hash, now).await?;
        let staff = store::by_id(&mut tx, id)
            .await?
            .ok_or(IdentityError::NotFound)?;
        tx.commit().await?;
        Ok(Some(StaffSession {
            id,
            username: staff.username,
            display_name: staff.display_name,
            roles: staff.roles,
            mfa_done: live.mfa_done,
            reauth_at: live.reauth_at,
        }))
    }

    /// The authenticator set-up for an enrol-only session.
    pub async fn staff_enrolment(
        &self,
        session: &StaffSession,
    ) -> Result<MfaEnrolment, IdentityError> {
        if session.mfa_done {
            return Err(IdentityError::NotFound);
        }
        self.owner_enrolment(&owner(session.id), &session.username)
            .await
    }

    /// Finishes enrolment: the session becomes a full one; returns the recovery codes, shown once.
    pub async fn confirm_staff_enrolment(
        &self,
        token: &str,
        code: &str,
        meta: &RequestMeta,
    ) -> Result<Vec<String>, IdentityError> {
        let session = self
            .staff_session(token)
            .await?
            .filter(|s| !s.mfa_done)
            .ok_or(IdentityError::NotLoggedIn)?;
        let codes = self.owner_confirm(&owner(session.id), code, meta).await?;
        let mut tx = self.db.write().await?;
        store::complete_session(&mut tx, &SecretToken::hash(token)).await?;
        store::record_login(&mut tx, session.id, now_unix()).await?;
        signed_in_fully(&mut tx, session.id).await?;
        tx.commit().await?;
        Ok(codes)
    }

    /// Starts registering a passkey as the second factor of a signed-in member of staff (an
    /// enrol-only session may do this too).
    pub async fn start_staff_passkey_enrolment(
        &self,
        token: &str,
    ) -> Result<crate::Ceremony, IdentityError> {
        let session = self
            .staff_session(token)
            .await?
            .ok_or(IdentityError::NotLoggedIn)?;
        self.start_staff_passkey(session.id, &session.username, &session.display_name)
            .await
    }

    /// Completes a passkey registration; an enrol-only session becomes a full one.
    pub async fn finish_staff_passkey_enrolment(
        &self,
        token: &str,
        ceremony: &str,
        credential: &str,
        meta: &RequestMeta,
    ) -> Result<(), IdentityError> {
        let session = self
            .staff_session(token)
            .await?
            .ok_or(IdentityError::NotLoggedIn)?;
        self.finish_registration(&owner(session.id), ceremony, credential, meta)
            .await?;
        if !session.mfa_done {
            let mut tx = self.db.write().await?;
            store::complete_session(&mut tx, &SecretToken::hash(token)).await?;
            store::record_login(&mut tx, session.id, now_unix()).await?;
            signed_in_fully(&mut tx, session.id).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Completes a pending sign-in with a passkey instead of a code; returns the session token.
    pub async fn finish_staff_passkey_step(
        &self,
        pending: &str,
        ceremony: &str,
        credential: &str,
        meta: &RequestMeta,
    ) -> Result<String, IdentityError> {
        let id = self.pending_staff(pending).await?;
        let verified = self.verify_staff_passkey(ceremony, credential).await;
        let now = now_unix();
        let mut tx = self.db.write().await?;
        let outcome = match &verified {
            Ok(who) if *who == id => Outcome::Success,
            _ => Outcome::Failure,
        };
        audit::append(
            &mut tx,
            &Event {
                actor: Actor::staff(id),
                action: "staff.login_passkey",
                target: Target::staff(id),
                outcome,
            },
            meta,
        )
        .await?;
        if outcome == Outcome::Failure {
            tx.commit().await?;
            return Err(IdentityError::PasskeyRefused);
        }
        mfa::delete_pending_login(&mut tx, &SecretToken::hash(pending)).await?;
        let token = SecretToken::generate();
        store::insert_session(&mut tx, &token.hash, id, now, self.staff_expiry(now), true).await?;
        store::record_login(&mut tx, id, now).await?;
        signed_in_fully(&mut tx, id).await?;
        tx.commit().await?;
        Ok(token.plain)
    }

    /// The member of staff of a pending sign-in; each call counts as one of its attempts.
    pub(crate) async fn pending_staff(&self, pending: &str) -> Result<StaffId, IdentityError> {
        if !SecretToken::is_well_formed(pending) {
            return Err(IdentityError::SecondStepExpired);
        }
        let mut tx = self.db.write().await?;
        let found = mfa::attempt_pending_login(
            &mut tx,
            &SecretToken::hash(pending),
            now_unix(),
            mfa::PENDING_ATTEMPTS,
        )
        .await?;
        tx.commit().await?;
        match found.as_deref().and_then(Owner::parse) {
            Some(Owner::Staff(id)) => Ok(id),
            _ => Err(IdentityError::SecondStepExpired),
        }
    }

    /// Ends a staff session.
    pub async fn staff_log_out(
        &self,
        token: &str,
        meta: &RequestMeta,
    ) -> Result<(), IdentityError> {
        if let Some(session) = self.staff_session(token).await? {
            let mut tx = self.db.write().await?;
            store::delete_session(&mut tx, &SecretToken::hash(token)).await?;
            audit::append(
                &mut tx,
                &Event {
                    actor: Actor::staff(session.id),
                    action: "staff.logout",
                    target: Target::staff(session.id),
                    outcome: Outcome::Success,
                },
                meta,
            )
            .await?;
            tx.commit().await?;
        }
        Ok(())
    }

    async fn audit_staff(
        &self,
        actor: Actor,
        action: &'static str,
        target: Target,
        outcome: Outcome,
        meta: &RequestMeta,
    ) -> Result<(), IdentityError> {
        audit::record(
            &self.db,
            &Event {
                actor,
                action,
                target,
                outcome,
            },
            meta,
        )
        .await?;
        Ok(())
    }

    pub(super) fn staff_expiry(&self, now: i64) -> i64 {
        now + i64::from(self.staff_sessions.absolute_hours) * 3600
    }

    fn staff_idle_secs(&self) -> i64 {
        i64::from(self.staff_sessions.idle_minutes) * 60
    }
}

/// A whole sign-in (password and second factor) is done: the account's failed passwords are
/// forgotten now, and only now.
async fn signed_in_fully(tx: &mut platform::db::WriteTx, id: StaffId) -> Result<(), IdentityError> {
    if let Some(staff) = store::by_id(tx, id).await? {
        throttle::clear_account(tx, &Keys::staff(Some(&staff.username), None)).await?;
    }
    Ok(())
}
