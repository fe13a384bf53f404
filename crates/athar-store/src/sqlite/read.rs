//! Reading records: the current state of one, a page of those an organisation may see,
//! counts, histories, the involvements of a person or an event (the name search is in
//! `name_search`). Pseudonymised shares are stripped before they leave.

#[allow(clippy::wildcard_imports)]
use super::*;

/// Rows organisation `?2` may see: its own, and those shared with it in full or pseudonymised.
const VISIBLE_TO: &str = "(h.owner = ?2 OR EXISTS (SELECT 1 FROM shares s WHERE s.record_id = h.id AND s.org = ?2 AND s.mode IN ('full', 'pseudonymised')))";

impl SqliteStore {
    /// A page of current records: all of them, or those organisation `org` may see (shared
    /// pseudonymised ones without their identifying parts, which are then not even opened).
    pub(super) fn list_visible(
        &self,
        org: Option<i64>,
        kind: RecordKind,
        after: Option<RecordId>,
        limit: usize,
    ) -> Result<Vec<StoredRecord>> {
        self.read(|conn| {
            let after = after.map(|a| a.as_bytes().to_vec()).unwrap_or_default();
            let filter = if org.is_some() {
                VISIBLE_TO
            } else {
                "?2 IS NULL"
            };
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT h.id, h.rev, h.created_at, h.updated_at, r.body, r.sealed, r.op, h.owner,
                        (SELECT mode FROM shares s WHERE s.record_id = h.id AND s.org = ?2)
                 FROM heads h JOIN revisions r ON r.seq = h.seq
                 WHERE h.kind = ?1 AND h.deleted = 0 AND h.id > ?3 AND {filter}
                 ORDER BY h.id LIMIT ?4"
            ))?;
            let rows = stmt.query_map(params![kind.code(), org, after, limit as i64], |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, Vec<u8>>(4)?,
                    sealed_of(r, 5)?,
                    r.get::<_, i64>(6)?,
                    r.get::<_, i64>(7)?,
                    r.get::<_, Option<String>>(8)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, rev, created_at, updated_at, body, sealed, op, owner, mode) = row?;
                let id = read_id(id)?;
                let pseudonymised =
                    org.is_some_and(|o| o != owner) && mode.as_deref() == Some("pseudonymised");
                let (body, shredded) = if pseudonymised {
                    let mut clear = parse_body(kind, &body)?;
                    take_identifying(&mut clear);
                    (clear, false)
                } else {
                    self.materialise(conn, kind, id, &body, sealed.as_deref())?
                };
                out.push(StoredRecord {
                    id,
                    rev: rev as u32,
                    body,
                    created_at,
                    updated_at,
                    shredded: shredded || op == Operation::Shred.code(),
                    owner,
                    pseudonymised,
                });
            }
            Ok(out)
        })
    }
}

pub(super) fn get(store: &SqliteStore, kind: RecordKind, id: RecordId) -> Result<StoredRecord> {
    store.read(|conn| {
            let row = conn
                .prepare_cached(
                    "SELECT h.rev, h.deleted, h.created_at, h.updated_at, r.body, r.reason, r.sealed, r.op, h.owner
                     FROM heads h JOIN revisions r ON r.seq = h.seq WHERE h.kind = ?1 AND h.id = ?2",
                )?
                .query_row(params![kind.code(), id_bytes(&id)], |r| {
                    Ok((
                        r.get::<_, i64>(0)? as u32,
                        r.get::<_, i64>(1)? != 0,
                        r.get::<_, i64>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, Vec<u8>>(4)?,
                        r.get::<_, Option<String>>(5)?,
                        sealed_of(r, 6)?,
                        r.get::<_, i64>(7)?,
                        r.get::<_, i64>(8)?,
                    ))
                })
                .optional()?;
            let Some((rev, deleted, created_at, updated_at, body, reason, sealed, op, owner)) = row
            else {
                return Err(StoreError::NotFound { kind, id });
            };
            if deleted {
                return Err(StoreError::Deleted { kind, id, rev, reason });
            }
            let (body, shredded) = store.materialise(conn, kind, id, &body, sealed.as_deref())?;
            Ok(StoredRecord {
                id,
                rev,
                body,
                created_at,
                updated_at,
                shredded: shredded || op == Operation::Shred.code(),
                owner,
                pseudonymised: false,
            })
        })
}

pub(super) fn count_for(store: &SqliteStore, org: i64, kind: RecordKind) -> Result<u64> {
    store.read(|conn| {
        Ok(conn.query_row(
            &format!(
                "SELECT count(*) FROM heads h WHERE h.kind = ?1 AND h.deleted = 0 AND {VISIBLE_TO}"
            ),
            params![kind.code(), org],
            |r| r.get::<_, i64>(0),
        )? as u64)
    })
}

/// The records with a revision after `mark`, each once, and the last revision read; `None`
/// beyond `at_most` records (see `Store::changed_since`).
pub(super) fn changed_since(
    conn: &Connection,
    mark: i64,
    at_most: usize,
) -> Result<Option<crate::ChangedRecords>> {
    let mut stmt = conn
        .prepare_cached("SELECT seq, kind, record_id FROM revisions WHERE seq > ?1 ORDER BY seq")?;
    let mut rows = stmt.query([mark])?;
    let mut last = mark;
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        last = row.get(0)?;
        let code: i64 = row.get(1)?;
        let kind = RecordKind::from_code(code).ok_or_else(|| {
            StoreError::Database(format!("a stored revision has an unknown kind {code}"))
        })?;
        let id = read_id(row.get(2)?)?;
        if seen.insert((kind, id)) {
            if out.len() == at_most {
                return Ok(None);
            }
            out.push((kind, id));
        }
    }
    Ok(Some((last, out)))
}

pub(super) fn count(store: &SqliteStore, kind: RecordKind) -> Result<u64> {
    store.read(|conn| {
        Ok(conn.query_row(
            "SELECT count(*) FROM heads WHERE kind = ?1 AND deleted = 0",
            [kind.code()],
            |r| r.get::<_, i64>(0),
        )? as u64)
    })
}

pub(super) fn history(
    store: &SqliteStore,
    kind: RecordKind,
    id: RecordId,
) -> Result<Vec<Revision>> {
    store.read(|conn| {
        let current = head(conn, kind, &id)?.ok_or(StoreError::NotFound { kind, id })?;
        let mut stmt = conn.prepare_cached(&format!("{SELECT_REVISION} WHERE seq = ?1"))?;
        let mut out = Vec::new();
        let mut next = Some(current.seq);
        while let Some(seq) = next {
            let row = stmt.query_row([seq], revision_row)?;
            if row.record_id != *id.as_bytes() {
                return Err(StoreError::Database(format!(
                    "revision {seq} is not of record {id}; run athar verify"
                )));
            }
            let (body, shredded) =
                store.materialise(conn, kind, id, &row.body, row.sealed.as_deref())?;
            out.push(Revision {
                rev: row.rev as u32,
                op: Operation::from_code(row.op).unwrap_or(Operation::Update),
                at: row.at,
                author: row.author,
                reason: row.reason,
                audit_seq: row.audit_seq,
                hash: to_hex(&row.hash),
                body,
                shredded: shredded || row.op == Operation::Shred.code(),
            });
            next = row.prev_seq;
            if out.len() > current.rev as usize {
                return Err(StoreError::Database(format!(
                    "the history of {id} loops; run athar verify"
                )));
            }
        }
        out.reverse();
        Ok(out)
    })
}

/// The involvements linked to a person or an event (`column`: `person` or `event`).
fn involvements_linked(
    store: &SqliteStore,
    column: &str,
    linked: RecordId,
) -> Result<Vec<StoredRecord>> {
    let ids = store.read(|conn| {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT involvement FROM involvement_links WHERE {column} = ?1"
        ))?;
        let rows = stmt.query_map([id_bytes(&linked)], |r| r.get::<_, Vec<u8>>(0))?;
        rows.map(|r| read_id(r?)).collect::<Result<Vec<_>>>()
    })?;
    ids.into_iter()
        .map(|id| store.get(RecordKind::Involvement, id))
        .collect()
}

pub(super) fn involvements_of_person(
    store: &SqliteStore,
    person: RecordId,
) -> Result<Vec<StoredRecord>> {
    involvements_linked(store, "person", person)
}

pub(super) fn involvements_of_event(
    store: &SqliteStore,
    event: RecordId,
) -> Result<Vec<StoredRecord>> {
    involvements_linked(store, "event", event)
}
