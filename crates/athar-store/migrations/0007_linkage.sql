-- Athar store schema, version 7: record linkage runs.
--
-- linkage_runs: one run of record linkage over the persons an organisation can see (of
--   chosen lists): who ran it, when, the trained model and what it did (JSON), and the
--   audit entry that commits to its content.
-- linkage_members: the person records the run covered.
-- linkage_pairs: the pairs it scored worth keeping (links, uncertain pairs, the pairs its
--   clustering weighed), with the probability and why (each comparison's level and weight;
--   no value of any field).
-- Decisions about pairs are records of kind `match`, with revisions, not rows here.

CREATE TABLE linkage_runs (
    id        INTEGER PRIMARY KEY,
    org       INTEGER NOT NULL,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    lists     TEXT NOT NULL,
    threshold REAL NOT NULL,
    model     TEXT NOT NULL,
    summary   TEXT NOT NULL,
    audit_seq INTEGER NOT NULL
);

CREATE INDEX linkage_runs_by_org ON linkage_runs (org, id);

CREATE TABLE linkage_members (
    run    INTEGER NOT NULL REFERENCES linkage_runs (id),
    person BLOB NOT NULL,
    PRIMARY KEY (run, person)
) WITHOUT ROWID;

CREATE TABLE linkage_pairs (
    run         INTEGER NOT NULL REFERENCES linkage_runs (id),
    a           BLOB NOT NULL,
    b           BLOB NOT NULL,
    probability REAL NOT NULL,
    why         TEXT NOT NULL,
    PRIMARY KEY (run, a, b)
) WITHOUT ROWID;
