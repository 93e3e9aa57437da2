//! Staff sign-in through the corporate directory. The directory vouches for the person and
//! their roles; the account here is created at the first sign-in and its roles follow the
//! directory at every sign-in. A second factor is delegated only when the directory says it
//! checked one; otherwise ours is due as after a password.

use platform::audit::{self, Actor, Event, Outcome, RequestMeta, Target};
use platform::crypto::SecretToken;
use platform::db::{DbError, WriteTx, parsed};
use platform::ids::StaffId;
use platform::time_util::now_unix;
use sha2::{Digest, Sha256};

use super::{StaffLoginOutcome, StaffRoles, StaffStatus, Username, store};
use crate::{Identity, IdentityError};

/// Who the corporate directory says signed in.
#[derive(Clone, Debug)]
pub struct FederatedLogin {
    /// The directory's issuer.
    pub issuer: String,
    /// The person's stable ID there.
    pub subject: String,
    /// Name to show in the consoles.
    pub display_name: String,
    /// Roles from the configured claim mapping.
    pub roles: StaffRoles,
    /// True when the directory's `amr`/`acr` show a second factor.
    pub mfa: bool,
}

/// The password column of accounts that cannot sign in with a password.
const NO_PASSWORD: &str = "!federated";

impl Identity {
    /// Signs in a member of staff the corporate directory vouched for.
    pub async fn staff_federated_log_in(
        &self,
        login: &FederatedLogin,
        meta: &RequestMeta,
    ) -> Result<StaffLoginOutcome, IdentityError> {
        let now = now_unix();
        let mut tx = self.db.write().await?;
        let id = self.federated_account(&mut tx, login, now, meta).await?;
        let staff = store::by_id(&mut tx, id)
            .await?
            .ok_or(IdentityError::NotFound)?;
        if staff.status == StaffStatus::Disabled {
            let event = Event {
                actor: Actor::staff(id),
                action: "staff.login_federated",
                target: Target::staff(id),
                outcome: Outcome::Denied,
            };
            audit::append(&mut tx, &event, meta).await?;
            tx.commit().await?;
            return Err(IdentityError::Disabled);
        }
        let outcome = if login.mfa {
            let token = SecretToken::generate();
            store::insert_session(&mut tx, &token.hash, id, now, self.staff_expiry(now), true)
                .await?;
            store::record_login(&mut tx, id, now).await?;
            StaffLoginOutcome::SignedIn {
                session_token: token.plain,
            }
        } else {
            self.second_factor_due(&mut tx, id, now).await?
        };
        let event = Event {
            actor: Actor::staff(id),
            action: if login.mfa {
                "staff.login_federated_mfa"
            } else {
                "staff.login_federated"
            },
            target: Target::staff(id),
            outcome: Outcome::Success,
        };
        audit::append(&mut tx, &event, meta).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// The account linked to the directory identity, created or brought up to date.
    async fn federated_account(
        &self,
        tx: &mut WriteTx,
        login: &FederatedLogin,
        now: i64,
        meta: &RequestMeta,
    ) -> Result<StaffId, IdentityError> {
        if let Some(id) = linked(tx, &login.issuer, &login.subject).await? {
            let current = store::by_id(tx, id).await?.ok_or(IdentityError::NotFound)?;
            if current.roles != login.roles || current.display_name != login.display_name {
                store::update_profile(tx, id, &login.display_name, &login.roles, now).await?;
                let event = Event {
                    actor: Actor::system("staff-federation"),
                    action: "staff.roles_synced",
                    target: Target::staff(id),
                    outcome: Outcome::Success,
                };
                audit::append(tx, &event, meta).await?;
            }
            return Ok(id);
        }
        let id = StaffId::new();
        let username = federated_username(&login.issuer, &login.subject)?;
        store::insert(
            tx,
            id,
            &username,
            &login.display_name,
            NO_PASSWORD,
            &login.roles,
            now,
        )
        .await?;
        sqlx::query(
            "INSERT INTO staff_federated_identities (issuer, subject, staff_id, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&login.issuer)
        .bind(&login.subject)
        .bind(id.to_string())
        .bind(now)
        .execute(&mut **tx)
        .await
        .map_err(DbError::from)?;
        let event = Event {
            actor: Actor::system("staff-federation"),
            action: "staff.create_federated",
            target: Target::staff(id),
            outcome: Outcome::Success,
        };
        audit::append(tx, &event, meta).await?;
        Ok(id)
    }
}

async fn linked(tx: &mut WriteTx, issuer: &str, subject: &str) -> Result<Option<StaffId>, DbError> {
    let row = sqlx::query(
        "SELECT staff_id FROM staff_federated_identities WHERE issuer = $1 AND subject = $2",
    )
    .bind(issuer)
    .bind(subject)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| parsed(&r, "staff_id")).transpose()
}

/// A stable sign-in name derived from the directory identity (`fed-` and 10 hex digits), so
/// no directory value has to fit our user-name rules.
fn federated_username(issuer: &str, subject: &str) -> Result<Username, IdentityError> {
    let digest = Sha256::digest(format!("{issuer}\n{subject}").as_bytes());
    let name = format!("fed-{}", &hex::encode(digest)[..10]);
    Username::parse(&name).map_err(|_| IdentityError::NotFound)
}
