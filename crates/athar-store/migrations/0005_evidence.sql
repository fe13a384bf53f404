-- Athar store schema, version 5: the evidence vault.
--
-- evidence: one row per item, never changed. The file itself lives in DATA/evidence/,
--   sealed under the item's data key (in record_keys, under the item's id). sha256 and
--   size are those of the original bytes, also committed to the audit chain by the ingest
--   entry. derived_from links a redacted copy, transcript or translation to its original.
--   sealed holds the file name and description, sealed like a record's identifying parts.

CREATE TABLE evidence (
    id           BLOB    PRIMARY KEY,
    owner        INTEGER NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('original', 'redacted', 'transcript', 'translation')),
    derived_from BLOB    REFERENCES evidence (id),
    sha256       BLOB    NOT NULL,
    size         INTEGER NOT NULL,
    media_type   TEXT    NOT NULL,
    sealed       BLOB    NOT NULL,
    created_at   INTEGER NOT NULL,
    created_by   TEXT    NOT NULL,
    audit_seq    INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER evidence_never_changed BEFORE UPDATE ON evidence
BEGIN SELECT RAISE(ABORT, 'evidence items are never changed'); END;
