//! The staff pool: the bank's business operators and administrators. Staff sign in with a user
//! name, a password and, always, a second factor: an account without one can do nothing but
//! enrol. Staff sessions are shorter than customers'. Accounts are managed from the command
//! line (`assetstatus users …`), every change audited.

mod admin;
mod federated;
mod login;
mod step_up;
mod store;

use std::fmt;

use platform::fields::FieldError;
use platform::ids::StaffId;

pub use admin::{NewStaff, StaffAccount};
pub use federated::FederatedLogin;
pub use login::{StaffLoginOutcome, StaffSession};

/// What a member of staff may do; an account may hold both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StaffRole {
    /// Business operator: usage figures, application review and approval.
    Operator,
    /// System administrator: health, incidents, logs, backups.
    Admin,
}

impl StaffRole {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            StaffRole::Operator => "operator",
            StaffRole::Admin => "admin",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "operator" => Some(StaffRole::Operator),
            "admin" => Some(StaffRole::Admin),
            _ => None,
        }
    }
}

/// A non-empty set of roles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffRoles(Vec<StaffRole>);

impl StaffRoles {
    /// Parses `operator,admin`; at least one role, no unknown ones.
    pub fn parse(list: &str) -> Result<Self, FieldError> {
        let mut roles = list
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(StaffRole::parse)
            .collect::<Option<Vec<_>>>()
            .ok_or(FieldError::UnknownChoice)?;
        roles.sort();
        roles.dedup();
        if roles.is_empty() {
            Err(FieldError::Required)
        } else {
            Ok(Self(roles))
        }
    }

    /// The set of the given roles; `None` when empty.
    pub fn of(roles: &[StaffRole]) -> Option<Self> {
        let mut roles = roles.to_vec();
        roles.sort();
        roles.dedup();
        (!roles.is_empty()).then_some(Self(roles))
    }

    /// Whether the set includes `role`.
    pub fn has(&self, role: StaffRole) -> bool {
        self.0.contains(&role)
    }

    fn stored(&self) -> String {
        self.0
            .iter()
            .map(|r| r.code())
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl fmt::Display for StaffRoles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.stored())
    }
}

/// A staff user name: 3 to 32 characters of lower-case letters, digits, `.`, `_` and `-`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    /// Parses a user name, folding it to lower case.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let name = raw.trim().to_ascii_lowercase();
        if name.is_empty() {
            return Err(FieldError::Required);
        }
        if name.len() > 32 {
            return Err(FieldError::TooLong { max: 32 });
        }
        let allowed =
            |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-');
        if name.len() < 3 || !name.chars().all(allowed) {
            return Err(FieldError::UnknownChoice);
        }
        Ok(Self(name))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether a staff account may sign in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaffStatus {
    /// May sign in.
    Active,
    /// Blocked.
    Disabled,
}

impl StaffStatus {
    fn code(self) -> &'static str {
        match self {
            StaffStatus::Active => "active",
            StaffStatus::Disabled => "disabled",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(StaffStatus::Active),
            "disabled" => Some(StaffStatus::Disabled),
            _ => None,
        }
    }
}

/// The owner key of a staff member's second factor.
pub(crate) fn owner(id: StaffId) -> crate::mfa::Owner {
    crate::mfa::Owner::Staff(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_user_names_are_checked() {
        assert_eq!(
            StaffRoles::parse("admin, operator,admin")
                .unwrap()
                .to_string(),
            "operator,admin"
        );
        assert_eq!(StaffRoles::parse("root"), Err(FieldError::UnknownChoice));
        assert_eq!(StaffRoles::parse(""), Err(FieldError::Required));
        assert_eq!(Username::parse(" Yamada.H ").unwrap().as_str(), "yamada.h");
        assert_eq!(Username::parse("ab"), Err(FieldError::UnknownChoice));
        assert_eq!(Username::parse("山田"), Err(FieldError::UnknownChoice));
        assert_eq!(
            Username::parse(&"a".repeat(33)),
            Err(FieldError::TooLong { max: 32 })
        );
    }
}
