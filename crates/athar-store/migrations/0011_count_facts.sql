-- Athar store schema, version 11: counting facts.
--
-- count_facts: for each live person, event and involvement, what counting reads of it
--   (athar_model::facts::RecordFacts in its compact form: no names, no narratives), kept
--   in step with the record's current revision by the transaction that writes it and
--   removed when the record is deleted. Keyed by owner, so that an organisation's own facts
--   are one range; those shared with it are found through `shares`. Derived from revisions
--   like `heads`: `verify` makes them again and compares, and a store whose facts are of an
--   earlier version (meta.count_facts_version) has them made again when it opens.

CREATE TABLE count_facts (
    owner INTEGER NOT NULL,
    id    BLOB    NOT NULL,
    kind  INTEGER NOT NULL,
    facts BLOB    NOT NULL,
    PRIMARY KEY (owner, id)
) WITHOUT ROWID;
