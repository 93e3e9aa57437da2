-- Customer numbers: eight digits and a check digit, readable on the phone. Not personal data,
-- so stored in clear. Every number ever issued stays in `customer_numbers`, also after the
-- customer is deleted, so a number is never issued twice. Customers registered before this
-- migration get theirs at start-up (`Identity::assign_missing_customer_numbers`).
CREATE TABLE customer_numbers (
    number    TEXT PRIMARY KEY,
    issued_at BIGINT NOT NULL
);
ALTER TABLE customers ADD COLUMN customer_number TEXT;
CREATE UNIQUE INDEX customers_customer_number ON customers (customer_number);

-- Blind index for the operators' search by prefix and by the name as written: keyed hashes of
-- prefixes of the kana reading (`kana`), of the name in kanji whole and by part (`kanji`) and
-- of prefixes of the e-mail address's local part (`email`), each kind under a system key of
-- its own (ADR 0012). Written in the transaction that stores the field; gone with the customer.
CREATE TABLE customer_search_index (
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('kana', 'kanji', 'email')),
    token       BYTEA NOT NULL,
    PRIMARY KEY (customer_id, kind, token)
);
CREATE INDEX customer_search_index_token ON customer_search_index (kind, token);
