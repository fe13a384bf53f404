-- Athar store schema, version 12: the counting facts move into `heads`.
--
-- heads.facts: each live person's, event's and involvement's counting facts (as
--   count_facts.facts held them), NULL for deleted records and for kinds that are not
--   counted. The row that says which revision is current is written by every revision
--   anyway, so keeping the facts in it spares each write a second table's key and B-tree
--   insert. An organisation's own facts are read by scanning `heads` for its owner; those
--   shared with it are found through `shares` as before.

ALTER TABLE heads ADD COLUMN facts BLOB;

UPDATE heads SET facts = (
    SELECT f.facts FROM count_facts f WHERE f.owner = heads.owner AND f.id = heads.id
) WHERE deleted = 0 AND kind IN (1, 2, 3);

DROP TABLE count_facts;
