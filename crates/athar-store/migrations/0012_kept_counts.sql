-- Athar store schema, version 12: counting kept between processes.
--
-- kept_counts: for each organisation, what the application made of its counting facts
--   (athar_stats's columnar facts in their kept form, with the record links they were
--   counted with) and the data marks they were made at, so that a process that starts
--   opens them and counts again only the records written since, instead of every record.
--   Derived like count_facts: no names, nothing sealed, made again whenever they are
--   missing, of another form or of other linkage or sharing. Held in parts, each with its
--   share of the bytes; `checksum` is the SHA-256 of all parts together, checked when
--   they are read and by `verify`.

CREATE TABLE kept_counts (
    org       INTEGER PRIMARY KEY,
    revisions INTEGER NOT NULL,
    runs      INTEGER NOT NULL,
    shared    INTEGER NOT NULL,
    parts     INTEGER NOT NULL,
    checksum  BLOB    NOT NULL
);

CREATE TABLE kept_count_parts (
    org   INTEGER NOT NULL,
    part  INTEGER NOT NULL,
    bytes BLOB    NOT NULL,
    PRIMARY KEY (org, part)
) WITHOUT ROWID;
