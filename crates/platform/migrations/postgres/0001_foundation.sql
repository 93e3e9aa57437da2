-- Keys: system keys (blind index, CSRF) and one data key per customer, all wrapped by the
-- master key. Destroying a customer's row here makes their encrypted fields unreadable.
CREATE TABLE system_keys (
    name        TEXT PRIMARY KEY,
    wrapped_key BYTEA NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE customer_keys (
    customer_id TEXT PRIMARY KEY,
    wrapped_key BYTEA NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE customers (
    id             TEXT PRIMARY KEY,
    email_index    BYTEA NOT NULL UNIQUE,
    email_enc      BYTEA NOT NULL,
    name_kanji_enc BYTEA NOT NULL,
    name_kana_enc  BYTEA NOT NULL,
    birth_date_enc BYTEA NOT NULL,
    password_hash  TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('unverified', 'active', 'disabled')),
    locale         TEXT NOT NULL CHECK (locale IN ('ja', 'en')),
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    last_login_at  BIGINT
);

CREATE TABLE sessions (
    id_hash      BYTEA PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX sessions_customer ON sessions (customer_id);

CREATE TABLE one_time_tokens (
    token_hash  BYTEA PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX one_time_tokens_customer ON one_time_tokens (customer_id, purpose);

CREATE TABLE assets (
    id              TEXT PRIMARY KEY,
    customer_id     TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    category        TEXT NOT NULL,
    name_enc        BYTEA NOT NULL,
    institution_enc BYTEA NOT NULL,
    note_enc        BYTEA NOT NULL,
    amount_yen      BIGINT NOT NULL CHECK (amount_yen >= 0),
    valuation_date  TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX assets_customer ON assets (customer_id);

CREATE TABLE asset_history (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    asset_id       TEXT NOT NULL,
    customer_id    TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    category       TEXT NOT NULL,
    change         TEXT NOT NULL CHECK (change IN ('created', 'updated', 'deleted')),
    amount_yen     BIGINT NOT NULL,
    valuation_date TEXT NOT NULL,
    recorded_at    BIGINT NOT NULL
);
CREATE INDEX asset_history_customer ON asset_history (customer_id, valuation_date);

-- Audit trail: append-only, each entry chained to the previous one by SHA-256.
CREATE TABLE audit_log (
    seq        BIGINT PRIMARY KEY,
    at_ms      BIGINT NOT NULL,
    actor      TEXT NOT NULL,
    role       TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    client_ip  TEXT NOT NULL,
    request_id TEXT NOT NULL,
    prev_hash  BYTEA NOT NULL,
    hash       BYTEA NOT NULL
);

CREATE TABLE audit_head (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash BYTEA NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'));

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
