-- Athar store schema, version 6: what evidence packages need.
--
-- organisations.signing_key: the organisation's Ed25519 signing seed, sealed by the master
--   key; its public half signs package manifests.
-- evidence_links: which records an evidence item is about (a person, an event …).

ALTER TABLE organisations ADD COLUMN signing_key BLOB;

CREATE TABLE evidence_links (
    evidence BLOB NOT NULL REFERENCES evidence (id),
    record   BLOB NOT NULL,
    PRIMARY KEY (evidence, record)
) WITHOUT ROWID;

CREATE INDEX evidence_links_by_record ON evidence_links (record);
