-- Athar store schema, version 4: ownership and sharing.
--
-- revisions.owner, heads.owner: the organisation (number) a record belongs to. Revisions
--   written before ownership existed have NULL: they belong to organisation 1.
-- shares: what the owner lets another organisation see of a record: 'full' or
--   'pseudonymised' (no names, identifiers, contacts, notes or narratives); 'aggregate'
--   with org 0 lets the record count in coalition statistics without being seen.

ALTER TABLE revisions ADD COLUMN owner INTEGER;
ALTER TABLE heads ADD COLUMN owner INTEGER NOT NULL DEFAULT 1;

CREATE TABLE shares (
    record_id BLOB    NOT NULL,
    org       INTEGER NOT NULL,
    mode      TEXT    NOT NULL CHECK (mode IN ('full', 'pseudonymised', 'aggregate')),
    PRIMARY KEY (record_id, org)
) WITHOUT ROWID;

CREATE INDEX shares_by_org ON shares (org, record_id);
