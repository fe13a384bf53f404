-- Athar store schema, version 2: sealed identifying fields.
--
-- organisations: each organisation's key, wrapped by the store's master key.
-- record_keys: the data key of each sealed revision, wrapped by its organisation's key.
--   The only table whose rows are destroyed on purpose: deleting a record's keys
--   (crypto-shredding) makes its sealed parts unreadable everywhere.
-- revisions.sealed: key id ‖ ciphertext of the revision's identifying parts.
-- name_index: blind index of person names and identifiers; keyed tags, never words.
-- name_index_pending: tags written during a bulk load, in record order, merged into
--   name_index in tag order when the load ends (or when the store next opens). Tags are
--   random by design, so inserting them one by one would touch every page of the index
--   in every transaction.

CREATE TABLE organisations (
    num         INTEGER PRIMARY KEY,
    id          BLOB    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    wrapped_key BLOB    NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE record_keys (
    record_id BLOB    NOT NULL,
    key_id    BLOB    NOT NULL,
    org       INTEGER NOT NULL,
    wrapped   BLOB    NOT NULL,
    PRIMARY KEY (record_id, key_id)
) WITHOUT ROWID;

ALTER TABLE revisions ADD COLUMN sealed BLOB;

CREATE TABLE name_index (
    tag       INTEGER NOT NULL,
    record_id BLOB    NOT NULL,
    PRIMARY KEY (tag, record_id)
) WITHOUT ROWID;

CREATE TABLE name_index_pending (
    record_id BLOB    NOT NULL,
    tag       INTEGER NOT NULL,
    PRIMARY KEY (record_id, tag)
) WITHOUT ROWID;
