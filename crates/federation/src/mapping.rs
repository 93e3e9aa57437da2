//! From the directory's claims to a staff sign-in: roles by the configured mapping, second
//! factor by `amr`/`acr`, a name to show.

use identity::staff::{FederatedLogin, StaffRole, StaffRoles};
use platform::config::FederationConfig;
use serde_json::{Map, Value};

use crate::FederationError;

/// The sign-in the claims describe.
pub(crate) fn login(
    config: &FederationConfig,
    issuer: &str,
    claims: &Map<String, Value>,
) -> Result<FederatedLogin, FederationError> {
    let subject = claims
        .get("sub")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty() && s.len() <= 255)
        .ok_or(FederationError::Refused("ID token has no subject"))?;
    let roles: Vec<StaffRole> = strings(claims.get(&config.roles_claim))
        .iter()
        .filter_map(|value| config.role_map.get(value))
        .filter_map(|role| StaffRole::parse(role))
        .collect();
    let roles = StaffRoles::of(&roles).ok_or(FederationError::NoRole)?;
    let amr = strings(claims.get("amr"));
    let acr = claims
        .get("acr")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mfa =
        amr.iter().any(|v| config.mfa_amr.contains(v)) || config.mfa_acr.iter().any(|v| v == acr);
    let display_name = ["name", "preferred_username", "email"]
        .iter()
        .find_map(|c| claims.get(*c).and_then(Value::as_str))
        .unwrap_or(subject)
        .chars()
        .filter(|c| !c.is_control())
        .take(100)
        .collect();
    Ok(FederatedLogin {
        issuer: issuer.to_owned(),
        subject: subject.to_owned(),
        display_name,
        roles,
        mfa,
    })
}

/// A claim as a list of strings: a JSON array, or a space-separated string.
fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Some(Value::String(s)) => s
            .split(' ')
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn config() -> FederationConfig {
        let toml = r#"
            issuer = "https://idp.example"
            client_id = "bank"
            client_secret = "s"
            redirect_uri = "https://staff.example/staff/login/federated/callback"
            [role_map]
            "asset-ops" = "operator"
            "asset-admins" = "admin"
        "#;
        toml::from_str(toml).unwrap()
    }

    fn claims(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn roles_follow_the_mapping_and_nothing_else() {
        let c = config();
        let both = login(
            &c,
            "i",
            &claims(json!({"sub": "u1", "roles": ["asset-ops", "asset-admins", "x"]})),
        )
        .unwrap();
        assert!(both.roles.has(StaffRole::Operator) && both.roles.has(StaffRole::Admin));
        let spaced = login(&c, "i", &claims(json!({"sub": "u1", "roles": "asset-ops"}))).unwrap();
        assert!(spaced.roles.has(StaffRole::Operator) && !spaced.roles.has(StaffRole::Admin));
        let none = login(
            &c,
            "i",
            &claims(json!({"sub": "u1", "roles": ["operator"]})),
        );
        assert!(matches!(none, Err(FederationError::NoRole)));
        let missing = login(&c, "i", &claims(json!({"sub": "u1"})));
        assert!(matches!(missing, Err(FederationError::NoRole)));
    }

    #[test]
    fn second_factor_is_delegated_only_when_the_token_says_so() {
        let c = config();
        let base = json!({"sub": "u1", "roles": ["asset-ops"]});
        assert!(!login(&c, "i", &claims(base.clone())).unwrap().mfa);
        let mut pwd = base.clone();
        pwd["amr"] = json!(["pwd"]);
        assert!(!login(&c, "i", &claims(pwd)).unwrap().mfa);
        let mut otp = base.clone();
        otp["amr"] = json!(["pwd", "otp"]);
        assert!(login(&c, "i", &claims(otp)).unwrap().mfa);
        let mut acr = base;
        acr["acr"] = json!("urn:bank:mfa");
        assert!(!login(&c, "i", &claims(acr.clone())).unwrap().mfa);
        let mut with_acr = config();
        with_acr.mfa_acr = vec!["urn:bank:mfa".into()];
        assert!(login(&with_acr, "i", &claims(acr)).unwrap().mfa);
    }

    #[test]
    fn subject_is_required_and_names_are_cleaned() {
        let c = config();
        assert!(login(&c, "i", &claims(json!({"roles": ["asset-ops"]}))).is_err());
        let named = login(
            &c,
            "i",
            &claims(json!({"sub": "u1", "roles": ["asset-ops"], "name": "山田\u{7}太郎"})),
        )
        .unwrap();
        assert_eq!(named.display_name, "山田太郎");
    }
}
