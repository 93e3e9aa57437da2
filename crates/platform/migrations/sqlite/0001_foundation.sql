-- Keys: system keys (blind index, CSRF) and one data key per customer, all wrapped by the
-- master key. Destroying a customer's row here makes their encrypted fields unreadable.
CREATE TABLE system_keys (
    name        TEXT PRIMARY KEY,
    wrapped_key BLOB NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE customer_keys (
    customer_id TEXT PRIMARY KEY,
    wrapped_key BLOB NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE customers (
    id             TEXT PRIMARY KEY,
    email_index    BLOB NOT NULL UNIQUE,
    email_enc      BLOB NOT NULL,
    name_kanji_enc BLOB NOT NULL,
    name_kana_enc  BLOB NOT NULL,
    birth_date_enc BLOB NOT NULL,
    password_hash  TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('unverified', 'active', 'disabled')),
    locale         TEXT NOT NULL CHECK (locale IN ('ja', 'en')),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    last_login_at  INTEGER
);

CREATE TABLE sessions (
    id_hash      BLOB PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX sessions_customer ON sessions (customer_id);

CREATE TABLE one_time_tokens (
    token_hash  BLOB PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);
CREATE INDEX one_time_tokens_customer ON one_time_tokens (customer_id, purpose);

CREATE TABLE assets (
    id              TEXT PRIMARY KEY,
    customer_id     TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    category        TEXT NOT NULL,
    name_enc        BLOB NOT NULL,
    institution_enc BLOB NOT NULL,
    note_enc        BLOB NOT NULL,
    amount_yen      INTEGER NOT NULL CHECK (amount_yen >= 0),
    valuation_date  TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX assets_customer ON assets (customer_id);

CREATE TABLE asset_history (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    asset_id       TEXT NOT NULL,
    customer_id    TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    category       TEXT NOT NULL,
    change         TEXT NOT NULL CHECK (change IN ('created', 'updated', 'deleted')),
    amount_yen     INTEGER NOT NULL,
    valuation_date TEXT NOT NULL,
    recorded_at    INTEGER NOT NULL
);
CREATE INDEX asset_history_customer ON asset_history (customer_id, valuation_date);

-- Audit trail: append-only, each entry chained to the previous one by SHA-256.
CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY,
    at_ms      INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    role       TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    client_ip  TEXT NOT NULL,
    request_id TEXT NOT NULL,
    prev_hash  BLOB NOT NULL,
    hash       BLOB NOT NULL
);

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash BLOB NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, zeroblob(32));

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
