-- Athar store schema, version 8: the tags of a bulk load wait packed, one row per record.
--
-- name_tags_pending: replaces name_index_pending (one row per tag). During a bulk load a
--   person's blind index tags (8 bytes each, big-endian, concatenated) wait here in one
--   row instead of ten, and are merged into name_index in tag order when the load ends or
--   the store next opens. Tags a store written by an earlier version left waiting are
--   merged now.

INSERT OR IGNORE INTO name_index (tag, record_id)
    SELECT tag, record_id FROM name_index_pending ORDER BY tag, record_id;
DROP TABLE name_index_pending;

CREATE TABLE name_tags_pending (
    record_id BLOB NOT NULL PRIMARY KEY,
    tags      BLOB NOT NULL
) WITHOUT ROWID;
