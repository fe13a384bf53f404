-- Athar store schema, version 3: accounts, sessions, API tokens.
--
-- users: people who sign in, each in one organisation with one role. password is an
--   Argon2id PHC string; totp is the one-time-code secret sealed by the master key.
-- sessions, api_tokens: keyed by the SHA-256 of the secret the client holds, never the
--   secret itself.

CREATE TABLE users (
    id              BLOB    PRIMARY KEY,
    organisation    INTEGER NOT NULL REFERENCES organisations (num),
    username        TEXT    NOT NULL UNIQUE,
    role            TEXT    NOT NULL,
    password        TEXT    NOT NULL,
    totp            BLOB,
    totp_last_step  INTEGER,
    failed_sign_ins INTEGER NOT NULL DEFAULT 0,
    locked_until    INTEGER,
    disabled        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE sessions (
    hash       BLOB    PRIMARY KEY,
    user_id    BLOB    NOT NULL REFERENCES users (id),
    csrf       BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE api_tokens (
    hash       BLOB    PRIMARY KEY,
    id         BLOB    NOT NULL UNIQUE,
    user_id    BLOB    NOT NULL REFERENCES users (id),
    name       TEXT    NOT NULL,
    scope      TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
