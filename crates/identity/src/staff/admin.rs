//! Managing staff accounts (the `assetstatus users` commands). Each change is audited.

use platform::audit::{self, Actor, Event, Outcome, RequestMeta, Target};
use platform::crypto::SecretToken;
use platform::db::WriteTx;
use platform::fields::required_text;
use platform::ids::StaffId;
use platform::time_util::now_unix;

use super::{StaffRoles, StaffStatus, Username, owner, store};
use crate::{Identity, IdentityError};

/// A staff account to create.
pub struct NewStaff {
    /// Sign-in name.
    pub username: Username,
    /// Name shown in consoles and the audit viewer.
    pub display_name: String,
    /// What they may do.
    pub roles: StaffRoles,
}

/// A staff account as listed.
#[derive(Clone, Debug)]
pub struct StaffAccount {
    /// Identifier.
    pub id: StaffId,
    /// Sign-in name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Roles.
    pub roles: StaffRoles,
    /// Whether the account may sign in.
    pub active: bool,
    /// Whether a second factor is set up.
    pub mfa_enrolled: bool,
    /// Last sign-in (Unix seconds).
    pub last_login_at: Option<i64>,
}

impl Identity {
    /// Creates an account; returns its ID and a random initial password, shown once.
    pub async fn create_staff(
        &self,
        new: NewStaff,
        meta: &RequestMeta,
    ) -> Result<(StaffId, String), IdentityError> {
        let password = SecretToken::generate().plain[..24].to_owned();
        self.create_staff_with_password(new, password, meta).await
    }

    /// Creates an account with a given password (demo data); `None` when the user name exists.
    pub async fn create_demo_staff(
        &self,
        new: NewStaff,
        password: &str,
        meta: &RequestMeta,
    ) -> Result<Option<StaffId>, IdentityError> {
        match self
            .create_staff_with_password(new, password.to_owned(), meta)
            .await
        {
            Ok((id, _)) => Ok(Some(id)),
            Err(IdentityError::UsernameTaken) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Sets up a demo account's second factor with a known authenticator secret, so the demo
    /// can print it. Never used for real accounts.
    pub async fn preset_demo_staff_totp(
        &self,
        id: StaffId,
        secret_base32: &str,
        meta: &RequestMeta,
    ) -> Result<(), IdentityError> {
        let secret = data_encoding::BASE32_NOPAD
            .decode(secret_base32.as_bytes())
            .map_err(|_| IdentityError::NotFound)?;
        self.owner_preset(&owner(id), &secret, meta).await
    }

    async fn create_staff_with_password(
        &self,
        new: NewStaff,
        password: String,
        meta: &RequestMeta,
    ) -> Result<(StaffId, String), IdentityError> {
        let display_name = required_text(&new.display_name, 50)
            .map_err(|e| IdentityError::Invalid(platform::fields::FormErrors(vec![("name", e)])))?;
        let hash = self.hasher.hash(&password).await?;
        let id = StaffId::new();
        let mut tx = self.db.write().await?;
        if store::by_username(&mut tx, &new.username).await?.is_some() {
            return Err(IdentityError::UsernameTaken);
        }
        store::insert(
            &mut tx,
            id,
            &new.username,
            &display_name,
            &hash,
            &new.roles,
            now_unix(),
        )
        .await?;
        audit_admin(&mut tx, id, "staff.create", meta).await?;
        tx.commit().await?;
        Ok((id, password))
    }

    /// Every staff account, by user name.
    pub async fn list_staff(&self) -> Result<Vec<StaffAccount>, IdentityError> {
        let rows = {
            let mut tx = self.db.read().await?;
            store::all(&mut tx).await?
        };
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let mfa_enrolled = self.owner_mfa_state(&owner(row.id)).await?.enabled;
            out.push(StaffAccount {
                id: row.id,
                username: row.username,
                display_name: row.display_name,
                roles: row.roles,
                active: row.status == StaffStatus::Active,
                mfa_enrolled,
                last_login_at: row.last_login_at,
            });
        }
        Ok(out)
    }

    /// Every staff account's ID with "display name (user name)", for consoles that name who
    /// did what; unlike [`Identity::list_staff`] it reads nothing but the staff table.
    pub async fn staff_names(&self) -> Result<Vec<(StaffId, String)>, IdentityError> {
        let mut tx = self.db.read().await?;
        Ok(store::all(&mut tx)
            .await?
            .into_iter()
            .map(|row| (row.id, format!("{} ({})", row.display_name, row.username)))
            .collect())
    }

    /// Blocks or unblocks an account; blocking ends its sessions.
    pub async fn set_staff_active(
        &self,
        username: &Username,
        active: bool,
        meta: &RequestMeta,
    ) -> Result<(), IdentityError> {
        let mut tx = self.db.write().await?;
        let row = store::by_username(&mut tx, username)
            .await?
            .ok_or(IdentityError::NotFound)?;
        let status = if active {
            StaffStatus::Active
        } else {
            StaffStatus::Disabled
        };
        store::set_status(&mut tx, row.id, status, now_unix()).await?;
        if !active {
            store::delete_sessions_of(&mut tx, row.id).await?;
        }
        audit_admin(
            &mut tx,
            row.id,
            if active {
                "staff.enable"
            } else {
                "staff.disable"
            },
            meta,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forgets an account's second factor and recovery codes (a lost phone); its sessions end and
    /// the next sign-in can only enrol again.
    pub async fn reset_staff_mfa(
        &self,
        username: &Username,
        meta: &RequestMeta,
    ) -> Result<(), IdentityError> {
        let mut tx = self.db.write().await?;
        let row = store::by_username(&mut tx, username)
            .await?
            .ok_or(IdentityError::NotFound)?;
        self.remove_mfa(&mut tx, &owner(row.id)).await?;
        self.remove_passkeys(&mut tx, &owner(row.id)).await?;
        store::delete_sessions_of(&mut tx, row.id).await?;
        audit_admin(&mut tx, row.id, "staff.reset_mfa", meta).await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Identity {
    /// Gives an account a new random password, shown once, and ends its sessions: for a
    /// forgotten password, and after a restore from a backup without credentials.
    pub async fn reset_staff_password(
        &self,
        username: &Username,
        meta: &RequestMeta,
    ) -> Result<String, IdentityError> {
        let password = SecretToken::generate().plain[..24].to_owned();
        let hash = self.hasher.hash(&password).await?;
        let mut tx = self.db.write().await?;
        let row = store::by_username(&mut tx, username)
            .await?
            .ok_or(IdentityError::NotFound)?;
        store::set_password(&mut tx, row.id, &hash).await?;
        store::delete_sessions_of(&mut tx, row.id).await?;
        audit_admin(&mut tx, row.id, "staff.reset_password", meta).await?;
        tx.commit().await?;
        Ok(password)
    }
}

async fn audit_admin(
    tx: &mut WriteTx,
    id: StaffId,
    action: &'static str,
    meta: &RequestMeta,
) -> Result<(), IdentityError> {
    let event = Event {
        actor: Actor::system("cli"),
        action,
        target: Target::staff(id),
        outcome: Outcome::Success,
    };
    audit::append(tx, &event, meta).await?;
    Ok(())
}
