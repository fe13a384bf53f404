//! The counting facts kept in each live person's, event's and involvement's row of `heads`
//! (`heads.facts`, migration 0012; migration 0011 first kept them in a table of their own):
//! written by the statement that makes the record's revision current, cleared by its
//! deletion, read an organisation at a time without opening a record, made again from the
//! revisions when a store's facts are of an earlier version, and checked against the
//! revisions by `verify`.

#[allow(clippy::wildcard_imports)]
use super::*;

use athar_model::facts::RecordFacts;

/// The version of the facts' content and form: a store whose facts are of another is given
/// them again when it opens.
const FACTS_VERSION: &str = "2";

/// The record kinds that have counting facts, by their codes.
const COUNTED_KINDS: &str = "(1, 2, 3)";

/// What a revision does to its record's counting facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::sqlite) enum FactsChange {
    /// Nothing counted changes (a shredding: the facts are never sealed).
    Keep,
    /// The record's facts are now these (a creation or an update of a counted kind).
    Put(Vec<u8>),
    /// The record counts no more (a deletion).
    Remove,
}

impl FactsChange {
    /// Whether the head's facts are replaced, and by what (`None`: cleared): the two
    /// parameters of the statement that moves a head to its new revision.
    pub(in crate::sqlite) fn replacement(&self) -> (bool, Option<&[u8]>) {
        match self {
            FactsChange::Keep => (false, None),
            FactsChange::Put(facts) => (true, Some(facts)),
            FactsChange::Remove => (true, None),
        }
    }
}

/// The facts of a stored (clear) body, as a rebuild or a check makes them.
fn from_stored(kind: RecordKind, body: &[u8]) -> Result<Option<Vec<u8>>> {
    Ok(RecordFacts::of(&parse_body(kind, body)?).map(|facts| facts.encode()))
}

/// How many records a rebuild of the facts reads before it writes their facts.
const REBUILD_BATCH: usize = 4096;

/// Make every record's facts again from its current revision if the store's facts are of
/// an earlier version (or the store has none yet): one transaction, reading only the clear
/// bodies — no key is needed. Heads are read a batch at a time in key order and written
/// between reads, so no statement reads a table another is changing.
pub(in crate::sqlite) fn rebuild_if_older(conn: &Connection) -> Result<()> {
    rebuild_once_per_version(conn, "count_facts_version", FACTS_VERSION, || {
        conn.execute_batch("UPDATE heads SET facts = NULL WHERE facts IS NOT NULL;")?;
        let mut read = conn.prepare(&format!(
            "SELECT h.kind, h.id, r.body FROM heads h JOIN revisions r ON r.seq = h.seq
             WHERE h.deleted = 0 AND h.kind IN {COUNTED_KINDS} AND (h.kind, h.id) > (?1, ?2)
             ORDER BY h.kind, h.id LIMIT {REBUILD_BATCH}"
        ))?;
        let mut write = conn.prepare("UPDATE heads SET facts = ?3 WHERE kind = ?1 AND id = ?2")?;
        let mut after: (i64, Vec<u8>) = (0, Vec::new());
        loop {
            let mut batch = Vec::with_capacity(REBUILD_BATCH);
            let mut rows = read.query(params![after.0, after.1])?;
            while let Some(row) = rows.next()? {
                let (code, id): (i64, Vec<u8>) = (row.get(0)?, row.get(1)?);
                let facts = from_stored(kind_of(code)?, blob(row, 2)?)?;
                batch.push((code, id, facts));
            }
            drop(rows);
            let Some((code, id, _)) = batch.last() else {
                return Ok(());
            };
            after = (*code, id.clone());
            for (code, id, facts) in batch {
                write.execute(params![code, id, facts])?;
            }
        }
    })
}

/// Column `i` of `row`, a blob.
fn blob<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> Result<&'r [u8]> {
    row.get_ref(i)?
        .as_blob()
        .map_err(|e| StoreError::Database(format!("column {i} of the counting facts: {e}")))
}

fn kind_of(code: i64) -> Result<RecordKind> {
    RecordKind::from_code(code)
        .ok_or_else(|| StoreError::Database(format!("a record of unknown kind {code}")))
}

fn facts_of_row(id: &[u8], facts: &[u8]) -> Result<(RecordId, RecordFacts)> {
    let id = <[u8; 16]>::try_from(id)
        .map(RecordId::from_bytes)
        .map_err(|_| StoreError::Database("a stored record id is not 16 bytes".into()))?;
    let facts = RecordFacts::decode(facts).map_err(|e| {
        StoreError::Database(format!("record {id}: {e}; `athar verify` checks the store"))
    })?;
    Ok((id, facts))
}

/// Give `visit` the facts of every live person, event and involvement organisation `org`
/// may see (its own, then those shared with it in full or pseudonymised), as they are read.
pub(in crate::sqlite) fn for_org(
    conn: &Connection,
    org: i64,
    visit: &mut dyn FnMut(RecordId, &RecordFacts) -> Result<()>,
) -> Result<()> {
    // One snapshot for both reads; nothing is written, so it ends by being dropped.
    let snapshot = conn.unchecked_transaction()?;
    let conn = &*snapshot;
    let mut own =
        conn.prepare_cached("SELECT id, facts FROM heads WHERE owner = ?1 AND facts IS NOT NULL")?;
    let mut rows = own.query([org])?;
    while let Some(row) = rows.next()? {
        let (id, facts) = facts_of_row(blob(row, 0)?, blob(row, 1)?)?;
        visit(id, &facts)?;
    }
    let mut shared = conn.prepare_cached(&format!(
        "SELECT h.id, h.facts FROM shares s
         JOIN heads h ON h.kind IN {COUNTED_KINDS} AND h.id = s.record_id
         WHERE s.org = ?1 AND s.mode IN ('full', 'pseudonymised') AND h.owner != ?1
           AND h.facts IS NOT NULL"
    ))?;
    let mut rows = shared.query([org])?;
    while let Some(row) = rows.next()? {
        let (id, facts) = facts_of_row(blob(row, 0)?, blob(row, 1)?)?;
        visit(id, &facts)?;
    }
    Ok(())
}

/// How many records the check of the counting facts passes from the reader to the checker
/// at a time.
const CHECK_BATCH: usize = 1024;

/// A record's current revision with the facts kept for it, read for the check.
struct Kept {
    id: RecordId,
    kind: RecordKind,
    body: Vec<u8>,
    facts: Option<Vec<u8>>,
    seq: i64,
}

impl Kept {
    /// What is wrong with the facts kept, if anything; a body that does not read is the
    /// chain check's to name.
    fn problem(self) -> Option<Problem> {
        let expected = from_stored(self.kind, &self.body).ok()?;
        if self.facts == expected {
            return None;
        }
        let (kind, id) = (self.kind.name(), self.id);
        Some(Problem {
            table: "count facts",
            seq: Some(self.seq),
            problem: match self.facts {
                None => format!("the counting facts of {kind} {id} are missing"),
                Some(_) => {
                    format!("the counting facts of {kind} {id} differ from its current revision")
                }
            },
        })
    }
}

/// The first disagreement between the kept facts and those the current revisions give:
/// a record whose facts are missing, stale or damaged, or facts kept for a record that is
/// deleted or of a kind that is not counted.
pub(in crate::sqlite) fn check(conn: &Connection) -> Result<Option<Problem>> {
    // The rows are read here while another thread makes each record's facts again and
    // compares, in the order read, so the first record that differs is the one named.
    let (send, receive) = std::sync::mpsc::sync_channel::<Vec<Kept>>(4);
    let first = std::thread::scope(|threads| -> Result<Option<Problem>> {
        let checker = threads.spawn(move || {
            receive
                .into_iter()
                .flatten()
                .find_map(|kept| kept.problem())
        });
        let mut rows = conn.prepare(&format!(
            "SELECT h.id, h.kind, r.body, h.facts, h.seq FROM heads h JOIN revisions r ON r.seq = h.seq
             WHERE h.deleted = 0 AND h.kind IN {COUNTED_KINDS}"
        ))?;
        let mut rows = rows.query([])?;
        let mut batch = Vec::with_capacity(CHECK_BATCH);
        while let Some(row) = rows.next()? {
            // A revision changed behind the store's back may not even read; the chain's
            // check names it, so its facts are not judged here.
            let body = match row.get_ref(2)? {
                rusqlite::types::ValueRef::Blob(b) | rusqlite::types::ValueRef::Text(b) => {
                    b.to_vec()
                }
                _ => continue,
            };
            batch.push(Kept {
                id: read_id(row.get(0)?)?,
                kind: kind_of(row.get(1)?)?,
                body,
                facts: row.get(3)?,
                seq: row.get(4)?,
            });
            if batch.len() == CHECK_BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(CHECK_BATCH));
                // The checker stops at the first difference: nothing more to read.
                if send.send(full).is_err() {
                    break;
                }
            }
        }
        let _ = send.send(batch);
        drop(send);
        checker
            .join()
            .map_err(|_| StoreError::Database("checking the counting facts failed".into()))
    })?;
    if first.is_some() {
        return Ok(first);
    }
    let stray: Option<Vec<u8>> = conn
        .query_row(
            &format!(
                "SELECT id FROM heads
                 WHERE facts IS NOT NULL AND (deleted != 0 OR kind NOT IN {COUNTED_KINDS})
                 LIMIT 1"
            ),
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(stray.map(|id| Problem {
        table: "count facts",
        seq: None,
        problem: format!(
            "counting facts are kept for {}, which is deleted or not of a counted kind",
            read_id(id).map_or_else(|_| "an unreadable id".to_string(), |id| id.to_string())
        ),
    }))
}
