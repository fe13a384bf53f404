-- Athar store schema, version 1.
--
-- revisions: every state every record has ever had, append-only. A record's current
--   state is its newest revision; `heads` points at it. Nothing is updated in place.
-- audit: the hash chain. Each entry commits to the previous entry and, for writes, to
--   the hashes of the revisions it added (seq range first_rev..last_rev).
-- heads, involvement_links: indexes derived from revisions, for reading.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,          -- unix milliseconds
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    subject   TEXT,
    first_rev INTEGER,
    last_rev  INTEGER,
    digest    BLOB    NOT NULL,          -- SHA-256 over the hashes of revisions first_rev..last_rev
    prev_hash BLOB    NOT NULL,
    hash      BLOB    NOT NULL
);

CREATE TABLE revisions (
    seq       INTEGER PRIMARY KEY,
    record_id BLOB    NOT NULL,
    kind      INTEGER NOT NULL,
    rev       INTEGER NOT NULL,          -- 1, 2, 3 … per record
    prev_seq  INTEGER,                   -- the record's previous revision
    op        INTEGER NOT NULL,          -- 1 create, 2 update, 3 delete
    at        INTEGER NOT NULL,
    author    TEXT    NOT NULL,
    reason    TEXT,
    audit_seq INTEGER NOT NULL,
    body      BLOB    NOT NULL,          -- JSON of the record as of this revision
    hash      BLOB    NOT NULL
);

CREATE TABLE heads (
    kind       INTEGER NOT NULL,
    id         BLOB    NOT NULL,
    seq        INTEGER NOT NULL,
    rev        INTEGER NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;

CREATE TABLE involvement_links (
    person      BLOB NOT NULL,
    involvement BLOB NOT NULL,
    event       BLOB NOT NULL,
    PRIMARY KEY (person, involvement)
) WITHOUT ROWID;

CREATE INDEX involvement_links_by_event ON involvement_links (event);

CREATE TRIGGER revisions_append_only BEFORE UPDATE ON revisions
BEGIN SELECT RAISE(ABORT, 'revisions are append-only'); END;
CREATE TRIGGER revisions_never_deleted BEFORE DELETE ON revisions
BEGIN SELECT RAISE(ABORT, 'revisions are append-only'); END;
CREATE TRIGGER audit_append_only BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_never_deleted BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
