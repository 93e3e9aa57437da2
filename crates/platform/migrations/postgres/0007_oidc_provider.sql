-- How a session was authenticated (OpenID Connect `amr` values, space-separated), so tokens
-- issued from it can say whether a second factor was used.
ALTER TABLE sessions ADD COLUMN amr TEXT NOT NULL DEFAULT 'pwd';

-- Signing keys of the identity provider. The private key is sealed with the signing system key;
-- the newest key without `retired_at` signs, and each key stays published until `expires_at`,
-- when every token it signed has expired.
CREATE TABLE oidc_signing_keys (
    kid         TEXT PRIMARY KEY,
    public_jwk  TEXT NOT NULL,
    private_enc BYTEA NOT NULL,
    created_at  BIGINT NOT NULL,
    retired_at  BIGINT,
    expires_at  BIGINT
);

-- Registered OAuth clients. Machine secrets are stored as SHA-256 hashes; `private_key_jwt`
-- clients register a public key instead. Lists are space-separated.
CREATE TABLE oauth_clients (
    client_id     TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    auth_method   TEXT NOT NULL CHECK (auth_method IN ('none', 'client_secret_basic', 'private_key_jwt')),
    secret_hash   BYTEA,
    public_jwk    TEXT,
    redirect_uris TEXT NOT NULL,
    logout_uris   TEXT NOT NULL,
    grant_types   TEXT NOT NULL,
    scopes        TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    disabled_at   BIGINT
);

-- One authorization: the family of refresh tokens (and access tokens, by `sid`) it produced.
-- Revoking the grant ends them all.
CREATE TABLE oidc_grants (
    id          TEXT PRIMARY KEY,
    client_id   TEXT NOT NULL REFERENCES oauth_clients (client_id),
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    scope       TEXT NOT NULL,
    auth_time   BIGINT NOT NULL,
    amr         TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    revoked_at  BIGINT,
    revoked_why TEXT
);
CREATE INDEX oidc_grants_customer ON oidc_grants (customer_id);

-- Authorization codes: single use, 60 seconds. `grant_id` is set when the code is redeemed,
-- so a second redemption can revoke what the first one issued.
CREATE TABLE oidc_codes (
    code_hash      BYTEA PRIMARY KEY,
    client_id      TEXT NOT NULL,
    customer_id    TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    redirect_uri   TEXT NOT NULL,
    scope          TEXT NOT NULL,
    nonce          TEXT,
    code_challenge TEXT NOT NULL,
    auth_time      BIGINT NOT NULL,
    amr            TEXT NOT NULL,
    expires_at     BIGINT NOT NULL,
    used_at        BIGINT,
    grant_id       TEXT
);

-- Refresh tokens by hash. A rotated token keeps its row, so presenting it again is recognised
-- as reuse.
CREATE TABLE oidc_refresh_tokens (
    token_hash BYTEA PRIMARY KEY,
    grant_id   TEXT NOT NULL REFERENCES oidc_grants (id) ON DELETE CASCADE,
    issued_at  BIGINT NOT NULL,
    rotated_at BIGINT
);
CREATE INDEX oidc_refresh_tokens_grant ON oidc_refresh_tokens (grant_id);

-- Access tokens revoked before their expiry, by `jti`.
CREATE TABLE oidc_revoked_jtis (
    jti        TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);

-- `jti` of client assertions already used, so a captured assertion cannot be replayed.
CREATE TABLE oidc_assertion_jtis (
    client_id  TEXT NOT NULL,
    jti        TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (client_id, jti)
);
