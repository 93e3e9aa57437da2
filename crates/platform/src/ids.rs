//! Identifiers of the domain. Public identifiers are random UUIDs so that nothing can be learnt
//! or guessed from their order; each kind has its own type so they cannot be mixed up.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh random identifier.
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }

            /// The UUID itself, for protocols that carry it in binary (WebAuthn user handles).
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

uuid_id!(
    /// A customer of the bank (member of the `customers` user pool).
    CustomerId
);
uuid_id!(
    /// One asset or liability a customer records.
    AssetId
);
uuid_id!(
    /// A member of the bank's staff (member of the `staff` user pool).
    StaffId
);
uuid_id!(
    /// A customer's application for the additional (premium) service.
    ApplicationId
);
uuid_id!(
    /// One identity-document image attached to an application.
    DocumentId
);
