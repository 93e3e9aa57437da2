//! The verified caller of an API request, as authentication hands it to handlers: put in the
//! request's extensions by the bearer-token check in this process, or, behind a gateway in
//! split mode, taken from the gateway's signed assertion. Nothing from outside can set it.

use platform::ids::CustomerId;
use serde::{Deserialize, Serialize};

/// A customer acting through a client application with some scopes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// The customer the token acts for.
    #[serde(with = "customer_id")]
    pub customer: CustomerId,
    /// The client application that holds the token.
    pub client_id: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
}

impl Principal {
    /// Whether the token carries `scope`.
    pub fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

mod customer_id {
    use platform::ids::CustomerId;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(id: &CustomerId, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(id)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<CustomerId, D::Error> {
        let raw = String::deserialize(d)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}
