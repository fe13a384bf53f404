-- Athar store schema, version 9: the audit chain indexed by action.
--
-- `data_version` asks for the last sharing change on every statistics request; without an
-- index that meant reading the whole audit chain, which grows with every view (a read-heavy
-- day made /api/stats slower by the hour). Entries are never changed, so the index only grows.

CREATE INDEX audit_by_action ON audit (action, seq);
