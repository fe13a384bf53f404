//! Writing change sets. Each prepared change becomes one revision, hash-chained and
//! covered by the one audit entry of its transaction; the read indexes (current heads,
//! involvement links, data keys, name tags) change with it in the same transaction.
//!
//! [`ChangeWriter`] holds what one transaction has written so far. A change set given whole
//! ([`write_prepared`]) and one streamed part by part ([`write_stream`]: a large import,
//! prepared while it is written) go through it alike; a streamed write keeps only what the
//! current part needs, so its memory does not grow with its length.

use std::collections::{HashMap, HashSet};

use athar_model::{FieldError, RecordId, RecordKind, Reference};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

use super::count_facts::FactsChange;
use super::name_index::TagWrites;
use super::{
    SqliteStore, append_audit, head, id_bytes, linked_person, live_head, lock, now_ms,
    person_of_involvement, reference_error, revision_body,
};
use crate::chain::{self, ChangeDigest};
use crate::{
    NextPart, Operation, Prepared, Result, Step, Store, StoreError, StreamWritten, WriteHeader,
    Written,
};

/// Fails unless every reference names a live record of its kind that the writing
/// organisation may see: one written earlier in this transaction, one it owns, or one
/// shared with it (in full or pseudonymised). Another organisation's record that is not
/// shared with the writer is refused exactly as an id that does not exist — same code,
/// same message, deleted or not — so a write cannot probe what others hold.
fn check_references(
    conn: &Connection,
    index: usize,
    references: &[Reference],
    writer: i64,
    alive_here: &HashMap<RecordId, RecordKind>,
    known: &mut HashSet<(RecordKind, RecordId)>,
) -> Result<()> {
    for reference in references {
        if alive_here.get(&reference.id) == Some(&reference.kind)
            || known.contains(&(reference.kind, reference.id))
        {
            continue;
        }
        let found = head(conn, reference.kind, &reference.id)?;
        let visible = match &found {
            Some(h) => h.owner == writer || shared_with(conn, &reference.id, writer)?,
            None => false,
        };
        match found {
            Some(h) if visible && !h.deleted => {
                known.insert((reference.kind, reference.id));
            }
            Some(_) if visible => {
                return Err(reference_error(
                    index,
                    &reference.field,
                    reference.kind,
                    true,
                ));
            }
            _ => {
                return Err(reference_error(
                    index,
                    &reference.field,
                    reference.kind,
                    false,
                ));
            }
        }
    }
    Ok(())
}

/// Whether a record is shared with organisation `org` so that it may see it (in full or
/// pseudonymised; aggregate sharing shows nothing).
fn shared_with(conn: &Connection, id: &RecordId, org: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM shares WHERE record_id = ?1 AND org = ?2 AND mode IN ('full', 'pseudonymised')",
        )?
        .query_row(params![id_bytes(id), org], |_| Ok(()))
        .optional()?
        .is_some())
}

/// One revision about to be written.
pub(super) struct NewRevision<'a> {
    pub(super) kind: RecordKind,
    pub(super) id: RecordId,
    /// For an involvement: the (person, event) it links from now on, if any.
    pub(super) link: Option<(RecordId, RecordId)>,
    /// For an involvement: the person it linked until now, if any.
    pub(super) unlink: Option<RecordId>,
    pub(super) rev: u32,
    pub(super) prev_seq: Option<i64>,
    pub(super) op: Operation,
    pub(super) reason: Option<&'a str>,
    pub(super) body: Vec<u8>,
    pub(super) sealed: Option<Vec<u8>>,
    /// A new data key to keep: (key id, organisation, wrapped key).
    pub(super) key: Option<([u8; 8], i64, Vec<u8>)>,
    /// Blind index tags to drop (of the revision replaced) and to add.
    pub(super) drop_tags: Vec<i64>,
    pub(super) add_tags: Vec<i64>,
    /// The owning organisation.
    pub(super) owner: i64,
    /// What becomes of the record's counting facts.
    pub(super) facts: FactsChange,
}

/// Write one revision and keep the read indexes (current state, involvement links, data
/// keys) in step with it; its name index tags are left to `tags`, written when the
/// transaction ends. Returns the revision's hash.
pub(super) fn insert_revision(
    tx: &Connection,
    tags: &mut TagWrites,
    seq: i64,
    new: &NewRevision<'_>,
    at: i64,
    author: &str,
    audit_seq: i64,
) -> Result<chain::Hash> {
    if let Some(person) = new.unlink {
        tx.prepare_cached("DELETE FROM involvement_links WHERE person = ?1 AND involvement = ?2")?
            .execute(params![id_bytes(&person), id_bytes(&new.id)])?;
    }
    if let Some((person, event)) = new.link {
        tx.prepare_cached(
            "INSERT INTO involvement_links (person, involvement, event) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![
            id_bytes(&person),
            id_bytes(&new.id),
            id_bytes(&event)
        ])?;
    }
    tags.drop_tags(tx, new.id, &new.drop_tags)?;
    tags.add(new.id, &new.add_tags);
    if let Some((key_id, org, wrapped)) = &new.key {
        tx.prepare_cached(
            "INSERT INTO record_keys (record_id, key_id, org, wrapped) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![id_bytes(&new.id), &key_id[..], org, wrapped])?;
    }
    let hash = chain::revision_hash(
        seq,
        new.id.as_bytes(),
        new.kind.code(),
        i64::from(new.rev),
        new.prev_seq,
        new.op.code(),
        at,
        author,
        new.reason,
        audit_seq,
        &new.body,
        new.sealed.as_deref(),
        Some(new.owner),
    );
    tx.prepare_cached(
        "INSERT INTO revisions (seq, record_id, kind, rev, prev_seq, op, at, author, reason, audit_seq, body, hash, sealed, owner)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        seq,
        id_bytes(&new.id),
        new.kind.code(),
        i64::from(new.rev),
        new.prev_seq,
        new.op.code(),
        at,
        author,
        new.reason,
        audit_seq,
        &new.body,
        &hash[..],
        new.sealed.as_deref(),
        new.owner,
    ])?;
    if new.op == Operation::Create {
        let inserted = tx
            .prepare_cached(
                "INSERT INTO heads (kind, id, seq, rev, deleted, created_at, updated_at, owner, facts) VALUES (?1, ?2, ?3, 1, 0, ?4, ?4, ?5, ?6)",
            )?
            .execute(params![
                new.kind.code(),
                id_bytes(&new.id),
                seq,
                at,
                new.owner,
                new.facts.replacement().1
            ]);
        match inserted {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                return Err(StoreError::Exists { id: new.id });
            }
            other => other?,
        };
    } else {
        // A shredding leaves a deleted record deleted, and its facts as they were.
        let (replace_facts, facts) = new.facts.replacement();
        tx.prepare_cached(
            "UPDATE heads SET seq = ?3, rev = ?4, deleted = CASE WHEN ?5 < 0 THEN deleted ELSE ?5 END, updated_at = ?6,
                              facts = CASE WHEN ?7 THEN ?8 ELSE facts END
             WHERE kind = ?1 AND id = ?2",
        )?
        .execute(params![
            new.kind.code(),
            id_bytes(&new.id),
            seq,
            i64::from(new.rev),
            match new.op {
                Operation::Delete => 1,
                Operation::Shred => -1,
                _ => 0,
            },
            at,
            replace_facts,
            facts
        ])?;
    }
    Ok(hash)
}

/// How many referenced records a streamed write remembers having found live before it
/// forgets them (and looks them up again when next referenced).
const KNOWN_REFERENCES: usize = 65_536;

/// What one write transaction has done so far.
struct ChangeWriter<'s> {
    store: &'s SqliteStore,
    at: i64,
    author: String,
    /// The organisation acting, owner of what it creates.
    owner: i64,
    audit_seq: i64,
    first_seq: i64,
    /// The last revision written.
    seq: i64,
    /// Changes written so far; the next one's index in error messages.
    applied: usize,
    /// The record of the first change, the audit entry's subject if it stays the only one.
    first: Option<RecordId>,
    digest: ChangeDigest,
    /// Records the current part has created or changed and left live: references to them
    /// need no lookup.
    alive_here: HashMap<RecordId, RecordKind>,
    /// Records a lookup in this transaction found live.
    known: HashSet<(RecordKind, RecordId)>,
    tags: TagWrites,
}

impl<'s> ChangeWriter<'s> {
    fn begin(
        store: &'s SqliteStore,
        tx: &Connection,
        author: String,
        owner: Option<i64>,
    ) -> Result<Self> {
        let audit_seq: i64 =
            tx.query_row("SELECT coalesce(max(seq), 0) + 1 FROM audit", [], |r| {
                r.get(0)
            })?;
        let seq: i64 = tx.query_row("SELECT coalesce(max(seq), 0) FROM revisions", [], |r| {
            r.get(0)
        })?;
        let keyring = store.keyring();
        let owner = match owner {
            Some(num) => keyring.organisation(num)?.num,
            None => keyring.default_organisation()?.num,
        };
        Ok(ChangeWriter {
            store,
            at: now_ms(),
            author,
            owner,
            audit_seq,
            first_seq: seq + 1,
            seq,
            applied: 0,
            first: None,
            digest: ChangeDigest::new(),
            alive_here: HashMap::new(),
            known: HashSet::new(),
            tags: TagWrites::new(store.bulk.load(std::sync::atomic::Ordering::SeqCst)),
        })
    }

    /// Write the changes of one prepared set, telling `written` each record's new revision.
    fn apply(
        &mut self,
        tx: &Connection,
        prepared: Prepared,
        written: &mut dyn FnMut(RecordId, u32),
    ) -> Result<()> {
        let Prepared {
            steps,
            encoded,
            references,
            sealed,
            facts,
            ..
        } = prepared;
        let owner = self.owner;
        for ((((step, body_json), refs), part), facts) in steps
            .iter()
            .zip(encoded)
            .zip(&references)
            .zip(sealed)
            .zip(facts)
        {
            let put = facts.map_or(FactsChange::Keep, FactsChange::Put);
            let index = self.applied;
            let (sealed, key, add_tags) = match part {
                Some(p) => (
                    Some(p.sealed),
                    Some((p.key_id, p.org, p.wrapped_key)),
                    p.tags,
                ),
                None => (None, None, Vec::new()),
            };
            let new = match step {
                Step::Create { id, kind, link } => {
                    let kind = *kind;
                    // A second creation of an id fails on the primary key of `heads`.
                    check_references(tx, index, refs, owner, &self.alive_here, &mut self.known)?;
                    self.alive_here.insert(*id, kind);
                    NewRevision {
                        kind,
                        id: *id,
                        link: *link,
                        unlink: None,
                        rev: 1,
                        prev_seq: None,
                        op: Operation::Create,
                        reason: None,
                        body: body_json.unwrap_or_default(),
                        sealed,
                        key,
                        drop_tags: Vec::new(),
                        add_tags,
                        owner,
                        facts: put,
                    }
                }
                Step::Update {
                    id,
                    expected_rev,
                    kind,
                    link,
                } => {
                    let kind = *kind;
                    let current = live_head(tx, kind, *id, *expected_rev, owner)?;
                    check_references(tx, index, refs, owner, &self.alive_here, &mut self.known)?;
                    let unlink = match kind {
                        RecordKind::Involvement => linked_person(tx, kind, current.seq)?,
                        _ => None,
                    };
                    self.alive_here.insert(*id, kind);
                    NewRevision {
                        kind,
                        id: *id,
                        link: *link,
                        unlink,
                        rev: current.rev + 1,
                        prev_seq: Some(current.seq),
                        op: Operation::Update,
                        reason: None,
                        body: body_json.unwrap_or_default(),
                        sealed,
                        key,
                        drop_tags: self.store.tags_at(tx, kind, *id, current.seq)?,
                        add_tags,
                        owner,
                        facts: put,
                    }
                }
                Step::Delete {
                    kind,
                    id,
                    expected_rev,
                    reason,
                } => {
                    let current = live_head(tx, *kind, *id, *expected_rev, owner)?;
                    // The deletion revision keeps the last content (its sealed part under the
                    // same key), so history shows what went.
                    let (old, _, old_sealed) = revision_body(tx, current.seq)?;
                    let unlink = match kind {
                        RecordKind::Involvement => person_of_involvement(*kind, &old)?,
                        _ => None,
                    };
                    self.alive_here.remove(id);
                    self.known.remove(&(*kind, *id));
                    NewRevision {
                        kind: *kind,
                        id: *id,
                        link: None,
                        unlink,
                        rev: current.rev + 1,
                        prev_seq: Some(current.seq),
                        op: Operation::Delete,
                        reason: Some(reason.as_str()),
                        body: old,
                        sealed: old_sealed,
                        key: None,
                        drop_tags: self.store.tags_at(tx, *kind, *id, current.seq)?,
                        add_tags: Vec::new(),
                        owner,
                        facts: FactsChange::Remove,
                    }
                }
            };
            self.seq += 1;
            let hash = insert_revision(
                tx,
                &mut self.tags,
                self.seq,
                &new,
                self.at,
                &self.author,
                self.audit_seq,
            )?;
            self.digest.add(&hash);
            self.first.get_or_insert(new.id);
            self.applied += 1;
            written(new.id, new.rev);
        }
        Ok(())
    }

    /// Between the parts of a streamed write: forget what only the last part needed, so
    /// memory stays bounded however long the stream.
    fn end_part(&mut self, tx: &Connection) -> Result<()> {
        self.alive_here.clear();
        if self.known.len() > KNOWN_REFERENCES {
            self.known.clear();
        }
        self.tags.flush_if_large(tx)
    }

    /// Write what is left of the name tags and the transaction's audit entry; returns the
    /// entry's number.
    fn finish(self, tx: &Connection, action: &str) -> Result<i64> {
        self.tags.finish(tx)?;
        let range = (self.seq >= self.first_seq).then_some((self.first_seq, self.seq));
        let subject = match (self.applied, self.first) {
            (1, Some(id)) => Some(id.to_string()),
            _ => None,
        };
        let entry = append_audit(
            tx,
            self.at,
            &self.author,
            action,
            subject.as_deref(),
            range,
            self.digest.finish(),
        )?;
        debug_assert_eq!(entry.seq, self.audit_seq);
        Ok(self.audit_seq)
    }
}

fn begin_immediate(conn: &mut Connection) -> Result<Transaction<'_>> {
    Ok(conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
}

/// [`crate::Store::write_prepared`] for the embedded store.
pub(super) fn write_prepared(store: &SqliteStore, mut prepared: Prepared) -> Result<Written> {
    let author = std::mem::take(&mut prepared.author);
    let action = std::mem::take(&mut prepared.action);
    let mut conn = lock(&store.writer);
    let tx = begin_immediate(&mut conn)?;
    let mut writer = ChangeWriter::begin(store, &tx, author, prepared.owner)?;
    let mut revisions = Vec::with_capacity(prepared.len());
    writer.apply(&tx, prepared, &mut |id, rev| revisions.push((id, rev)))?;
    let audit_seq = writer.finish(&tx, &action)?;
    tx.commit()?;
    Ok(Written {
        audit_seq,
        revisions,
    })
}

/// [`crate::Store::write_stream`] for the embedded store.
pub(super) fn write_stream(
    store: &SqliteStore,
    header: WriteHeader,
    next: &mut dyn FnMut() -> NextPart,
) -> Result<Option<StreamWritten>> {
    let mut conn = lock(&store.writer);
    let tx = begin_immediate(&mut conn)?;
    let mut writer = ChangeWriter::begin(store, &tx, header.author, header.owner)?;
    loop {
        match next() {
            NextPart::Part(part) => {
                if part.owner != header.owner {
                    return Err(StoreError::Database(
                        "prepared change sets of different organisations cannot be written together"
                            .into(),
                    ));
                }
                writer.apply(&tx, part, &mut |_, _| {})?;
                writer.end_part(&tx)?;
            }
            NextPart::Done => break,
            // Dropping the transaction rolls it back.
            NextPart::Abandon => return Ok(None),
        }
    }
    let revisions = writer.applied as u64;
    let audit_seq = writer.finish(&tx, &header.action)?;
    tx.commit()?;
    Ok(Some(StreamWritten {
        audit_seq,
        revisions,
    }))
}

/// Destroy a record's data keys, with the revision that says who did it and why.
pub(super) fn shred(
    store: &SqliteStore,
    kind: RecordKind,
    id: RecordId,
    author: &str,
    reason: &str,
) -> Result<Written> {
    if reason.trim().is_empty() {
        return Err(StoreError::Invalid {
            index: 0,
            errors: vec![FieldError::new(
                "reason",
                "shred.no_reason",
                "destroying a record's identifying data must give its reason",
                "يجب ذكر سبب إتلاف البيانات المعرِّفة للسجل",
            )],
        });
    }
    let mut conn = lock(&store.writer);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let at = now_ms();
    let current = head(&tx, kind, &id)?.ok_or(StoreError::NotFound { kind, id })?;
    let drop_tags = store.tags_at(&tx, kind, id, current.seq)?;
    let (body, _, _) = revision_body(&tx, current.seq)?;
    let destroyed = tx
        .prepare_cached("DELETE FROM record_keys WHERE record_id = ?1")?
        .execute([id_bytes(&id)])?;
    let audit_seq: i64 = tx.query_row("SELECT coalesce(max(seq), 0) + 1 FROM audit", [], |r| {
        r.get(0)
    })?;
    let seq: i64 = tx.query_row("SELECT coalesce(max(seq), 0) + 1 FROM revisions", [], |r| {
        r.get(0)
    })?;
    let new = NewRevision {
        kind,
        id,
        link: None,
        unlink: None,
        rev: current.rev + 1,
        prev_seq: Some(current.seq),
        op: Operation::Shred,
        reason: Some(reason),
        body,
        sealed: None,
        key: None,
        drop_tags,
        add_tags: Vec::new(),
        owner: current.owner,
        // Shredding destroys identifying parts only; what counts was never sealed.
        facts: FactsChange::Keep,
    };
    let mut tags = TagWrites::new(false);
    let hash = insert_revision(&tx, &mut tags, seq, &new, at, author, audit_seq)?;
    tags.finish(&tx)?;
    let mut digest = ChangeDigest::new();
    digest.add(&hash);
    append_audit(
        &tx,
        at,
        author,
        "record.shred",
        Some(&id.to_string()),
        Some((seq, seq)),
        digest.finish(),
    )?;
    tx.commit()?;
    // Old copies of the destroyed key rows may sit in the write-ahead log: write it back
    // into the database file (whose freed cells secure_delete zeroed) and empty it.
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
    tracing::info!(keys = destroyed, "record shredded");
    Ok(Written {
        audit_seq,
        revisions: vec![(id, new.rev)],
    })
}

#[cfg(test)]
mod tests {
    use athar_model::{Person, PersonName, RecordBody, Script, Vocabularies};

    use super::*;
    use crate::{Change, ChangeSet, DataDir, prepare};

    fn named(latin: &str) -> RecordBody {
        RecordBody::Person(Person {
            names: vec![PersonName {
                script: Script::Latn,
                full: Some(latin.into()),
                ..Default::default()
            }],
            ..Default::default()
        })
    }

    fn part(store: &SqliteStore, changes: Vec<Change>) -> Prepared {
        let set = ChangeSet {
            author: "test".into(),
            action: "test".into(),
            owner: None,
            changes,
        };
        prepare(set, Vocabularies::embedded(), &store.keyring()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn index_rows(store: &SqliteStore, id: RecordId) -> i64 {
        lock(&store.writer)
            .query_row(
                "SELECT count(*) FROM name_index WHERE record_id = ?1",
                [id_bytes(&id)],
                |r| r.get(0),
            )
            .unwrap_or(-1)
    }

    /// The tags of a long stream are written in batches (of two records in these tests):
    /// a record renamed after its first tags were written keeps only its new ones.
    #[test]
    fn names_of_a_stream_written_in_batches_are_indexed_once() {
        for bulk in [false, true] {
            let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
            let dir = DataDir::new(tmp.path().join("data"));
            let store = SqliteStore::create(&dir, "stream test passphrase", "test")
                .unwrap_or_else(|e| panic!("{e}"));
            store.set_bulk_mode(bulk).unwrap_or_else(|e| panic!("{e}"));
            let ids: Vec<RecordId> = (0..5).map(|_| RecordId::new()).collect();
            let create = |i: usize, name: &str| Change::Create {
                id: ids[i],
                body: named(name),
            };
            let rename = |i: usize, rev: u32, name: &str| Change::Update {
                id: ids[i],
                expected_rev: Some(rev),
                body: named(name),
            };
            let mut parts = vec![
                part(
                    &store,
                    vec![create(0, "Samer al-Ali"), create(1, "Huda Kassem")],
                ),
                part(
                    &store,
                    vec![create(2, "Rami Nasser"), create(3, "Lina Haddad")],
                ),
                part(&store, vec![rename(0, 1, "Samer al-Hassan")]),
                part(
                    &store,
                    vec![create(4, "Rami al-Shami"), rename(4, 1, "Rami al-Deiri")],
                ),
            ]
            .into_iter();
            let written = write_stream(
                &store,
                WriteHeader {
                    author: "test".into(),
                    action: "test.stream".into(),
                    owner: None,
                },
                &mut || parts.next().map_or(NextPart::Done, NextPart::Part),
            )
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("not abandoned"));
            assert_eq!(written.revisions, 7);
            store.set_bulk_mode(false).unwrap_or_else(|e| panic!("{e}"));
            let found = |q: &str| -> Vec<RecordId> {
                store
                    .find_persons(q, 10)
                    .unwrap_or_else(|e| panic!("{e}"))
                    .into_iter()
                    .map(|r| r.id)
                    .collect()
            };
            assert_eq!(found("Hassan"), vec![ids[0]], "bulk: {bulk}");
            assert!(found("Ali").is_empty(), "bulk: {bulk}");
            assert_eq!(found("Deiri"), vec![ids[4]], "bulk: {bulk}");
            assert!(found("Shami").is_empty(), "bulk: {bulk}");
            // Index rows equal to the same names written on their own.
            let fresh = |name: &str| {
                let id = RecordId::new();
                let single = part(
                    &store,
                    vec![Change::Create {
                        id,
                        body: named(name),
                    }],
                );
                write_prepared(&store, single).unwrap_or_else(|e| panic!("{e}"));
                index_rows(&store, id)
            };
            assert!(
                index_rows(&store, ids[0]) >= 2,
                "{}",
                index_rows(&store, ids[0])
            );
            assert_eq!(index_rows(&store, ids[0]), fresh("Samer al-Hassan"));
            assert_eq!(index_rows(&store, ids[4]), fresh("Rami al-Deiri"));
            assert_eq!(index_rows(&store, ids[2]), fresh("Rami Nasser"));
            let report = store.verify(&mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
            assert!(report.ok(), "{:?}", report.problems);
        }
    }
}
