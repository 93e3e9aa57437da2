//! Where the provider's endpoints are, on the public listener: the discovery document names
//! them, the endpoints' router mounts them (`oidc_http`), and the portal serves the two that
//! involve the customer's browser session.

/// Discovery document (OpenID Connect Discovery 1.0).
pub const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";
/// The authorization endpoint (served by the portal).
pub const AUTHORIZE_PATH: &str = "/oauth2/authorize";
/// The token endpoint.
pub const TOKEN_PATH: &str = "/oauth2/token";
/// The pushed authorization request endpoint (RFC 9126).
pub const PAR_PATH: &str = "/oauth2/par";
/// The userinfo endpoint.
pub const USERINFO_PATH: &str = "/oauth2/userinfo";
/// The JSON Web Key Set.
pub const JWKS_PATH: &str = "/oauth2/jwks";
/// Token revocation (RFC 7009).
pub const REVOKE_PATH: &str = "/oauth2/revoke";
/// RP-initiated logout (served by the portal).
pub const END_SESSION_PATH: &str = "/oauth2/logout";
