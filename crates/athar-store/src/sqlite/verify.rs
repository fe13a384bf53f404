//! `verify`: every page's authentication, SQLite's integrity, the append-only triggers,
//! every revision hash, every audit link and digest, the data keys, and the indexes against
//! the revisions — naming the first thing that does not hold.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) fn verify(store: &SqliteStore, progress: &mut dyn FnMut(u64)) -> Result<VerifyReport> {
    store.read(|conn| {
            let mut verifier = ChainVerifier::new();
            let mut problems: Vec<Problem> = Vec::new();
            let mut database = |problem: String| problems.push(Problem { table: "database", seq: None, problem });

            // SQLCipher checks every page's HMAC: a byte changed in the file itself.
            let mut stmt = conn.prepare("PRAGMA cipher_integrity_check")?;
            for row in stmt.query_map([], |r| r.get::<_, String>(0))? {
                database(format!("page authentication failed: {}", row?));
            }
            let mut stmt = conn.prepare("PRAGMA quick_check")?;
            for row in stmt.query_map([], |r| r.get::<_, String>(0))? {
                let row = row?;
                if row != "ok" {
                    database(format!("SQLite integrity: {row}"));
                }
            }
            let present: HashSet<String> = conn
                .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")?
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<_>>()?;
            for t in TRIGGERS {
                if !present.contains(*t) {
                    database(format!("the append-only guard {t} has been removed"));
                }
            }

            let mut audit_stmt = conn.prepare(
                "SELECT seq, at, actor, action, subject, first_rev, last_rev, digest, prev_hash, hash FROM audit ORDER BY seq",
            )?;
            let mut rev_stmt = conn.prepare(&format!("{SELECT_REVISION} ORDER BY seq"))?;
            let mut revisions = rev_stmt.query_map([], revision_row)?;
            let mut counted = 0u64;
            let mut shredded: HashSet<[u8; 16]> = HashSet::new();
            let mut revisions_with_progress = std::iter::from_fn(|| {
                let next = revisions.next();
                if let Some(Ok(row)) = &next
                    && row.op == Operation::Shred.code()
                {
                    shredded.insert(row.record_id);
                }
                counted += 1;
                if counted.is_multiple_of(100_000) {
                    progress(counted);
                }
                next
            });
            for entry in audit_stmt.query_map([], audit_row)? {
                verifier.audit(&entry?, &mut revisions_with_progress)?;
            }
            verifier.finish(&mut revisions_with_progress)?;
            // Linkage runs are what their audit entries committed to.
            problems.extend(linkage::verify_runs(conn)?);

            // The read indexes must agree with the revisions they are derived from.
            let bad_head: Option<i64> = conn
                .query_row(
                    "SELECT h.seq FROM heads h LEFT JOIN revisions r ON r.seq = h.seq
                     WHERE r.seq IS NULL OR r.record_id != h.id OR r.kind != h.kind OR r.rev != h.rev
                        OR (r.op != 4 AND (r.op = 3) != (h.deleted != 0))
                        OR coalesce(r.owner, 1) != h.owner
                     LIMIT 1",
                    [],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(seq) = bad_head {
                problems.push(Problem { table: "index", seq: Some(seq), problem: "the current-state index disagrees with this revision".into() });
            }
            let bad_link: Option<i64> = conn
                .query_row(
                    "SELECT r.seq FROM revisions r LEFT JOIN revisions p ON p.seq = r.prev_seq
                     WHERE (r.prev_seq IS NULL AND (r.rev != 1 OR r.op != 1))
                        OR (r.prev_seq IS NOT NULL AND (p.seq IS NULL OR p.record_id != r.record_id OR p.rev != r.rev - 1))
                     LIMIT 1",
                    [],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(seq) = bad_link {
                problems.push(Problem { table: "revision", seq: Some(seq), problem: "does not follow the previous revision of its record".into() });
            }
            let (revision_count, head_total): (i64, i64) = conn.query_row(
                "SELECT (SELECT count(*) FROM revisions), (SELECT coalesce(sum(rev), 0) FROM heads)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if revision_count != head_total {
                problems.push(Problem {
                    table: "index",
                    seq: None,
                    problem: format!("{revision_count} revisions stored but the current-state index accounts for {head_total}"),
                });
            }
            // The counting facts are those the current revisions give.
            problems.extend(count_facts::check(conn)?);
            problems.extend(kept_counts::check(store)?);
            // Every sealed revision keeps its data key unless its record was shredded, and
            // every kept key opens under its organisation's key.
            let mut keyless = conn.prepare(
                "SELECT r.seq, r.record_id FROM revisions r
                 WHERE r.sealed IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM record_keys k
                                   WHERE k.record_id = r.record_id AND k.key_id = substr(r.sealed, 1, 8))",
            )?;
            for row in keyless.query_map([], |r| Ok((r.get::<_, i64>(0)?, blob_of(r, 1)?)))? {
                let (seq, id) = row?;
                let was_shredded = <[u8; 16]>::try_from(id.as_slice()).is_ok_and(|id| shredded.contains(&id));
                if !was_shredded {
                    problems.push(Problem { table: "revision", seq: Some(seq), problem: "its data key is missing although its record was never shredded".into() });
                    break;
                }
            }
            let mut keys = conn.prepare("SELECT record_id, key_id, org, wrapped FROM record_keys")?;
            let rows = keys.query_map([], |r| Ok((blob_of(r, 0)?, blob_of(r, 1)?, r.get::<_, i64>(2)?, blob_of(r, 3)?)))?;
            for row in rows {
                let (id, key_id, org, wrapped) = row?;
                let opens = match (<[u8; 16]>::try_from(id.as_slice()), <[u8; 8]>::try_from(key_id.as_slice())) {
                    (Ok(id), Ok(key_id)) => store.keyring().key_opens(RecordId::from_bytes(id), &key_id, org, &wrapped),
                    _ => false,
                };
                if !opens {
                    problems.push(Problem { table: "record key", seq: None, problem: format!("the data key of record {} does not open", to_hex(&id)) });
                }
            }
            // Every evidence file, re-hashed against what was recorded at ingest.
            store.verify_evidence(&mut problems)?;
            let mut all = verifier.problems;
            all.extend(problems);
            Ok(VerifyReport {
                audit_entries: verifier.audit_entries,
                revisions: verifier.revisions,
                body_bytes: verifier.bytes,
                head: to_hex(&verifier.head),
                problems: all,
            })
        })
}
