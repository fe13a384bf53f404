-- Athar store schema, version 10: drafts.
--
-- What a documenter is typing, saved every few seconds so that nothing typed is lost: one
-- row per draft, visible only to its author in its organisation, its content sealed with a
-- data key of its own (wrapped by the organisation's key, as records are). A draft is not a
-- record: it has no revisions and no audit entries of its own; the case it becomes is
-- written as records, with both. Discarding or submitting a draft deletes the row, and with
-- it the only copy of its key.

CREATE TABLE drafts (
    id          BLOB PRIMARY KEY,
    org         INTEGER NOT NULL,
    author      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    rev         INTEGER NOT NULL,
    created     INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    key_id      BLOB NOT NULL,
    wrapped_key BLOB NOT NULL,
    sealed      BLOB NOT NULL
) WITHOUT ROWID;

CREATE INDEX drafts_by_author ON drafts (org, author, updated);
