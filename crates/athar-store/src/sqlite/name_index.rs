//! Writing the blind name index: keyed 64-bit tags of person names, one `name_index` row
//! per (tag, record).
//!
//! Tags are random by design, so inserting them in the order records arrive would touch a
//! different page of the index for nearly every tag. So a transaction gathers the tags it
//! adds and writes them at its end sorted by tag (a long one, in sorted batches); and
//! during a bulk load (many transactions, nobody else using the store) they wait in
//! `name_tags_pending`, one row per record with its tags packed in one value, and go into
//! the index in a single sorted pass when the load ends (or when the store next opens, if
//! the load was interrupted).

use std::collections::HashMap;

use athar_model::{RecordId, RecordKind};
use rusqlite::{Connection, OptionalExtension, params};

use super::{id_bytes, read_id, rebuild_once_per_version, record_key, revision_body};
use crate::Result;
use crate::keyring::{Keyring, Opened};

/// Records whose tags a long transaction gathers before writing them.
#[cfg(not(test))]
const FLUSH_RECORDS: usize = 50_000;
/// In the crate's own tests, a few records already cross batches.
#[cfg(test)]
const FLUSH_RECORDS: usize = 2;

/// Bytes of one tag in a packed pending row.
const TAG_BYTES: usize = 8;

fn pack(tags: &[i64]) -> Vec<u8> {
    tags.iter().flat_map(|t| t.to_be_bytes()).collect()
}

fn unpack(packed: &[u8]) -> impl Iterator<Item = i64> + '_ {
    packed.chunks_exact(TAG_BYTES).map(|c| {
        let mut bytes = [0u8; TAG_BYTES];
        bytes.copy_from_slice(c);
        i64::from_be_bytes(bytes)
    })
}

/// The tags one transaction adds to and drops from the index.
pub(super) struct TagWrites {
    /// Bulk mode: added tags go to `name_tags_pending`, not the index.
    deferred: bool,
    added: HashMap<RecordId, Vec<i64>>,
}

impl TagWrites {
    pub(super) fn new(deferred: bool) -> TagWrites {
        TagWrites {
            deferred,
            added: HashMap::new(),
        }
    }

    /// Tags a new revision of `id` adds; written when the transaction ends ([`Self::finish`]).
    pub(super) fn add(&mut self, id: RecordId, tags: &[i64]) {
        if tags.is_empty() {
            return;
        }
        let entry = self.added.entry(id).or_default();
        entry.extend_from_slice(tags);
    }

    /// Tags of the revision of `id` being replaced: out of the index, of the pending rows and
    /// of what this transaction was about to add.
    pub(super) fn drop_tags(&mut self, tx: &Connection, id: RecordId, tags: &[i64]) -> Result<()> {
        if tags.is_empty() {
            return Ok(());
        }
        if let Some(added) = self.added.get_mut(&id) {
            added.retain(|t| !tags.contains(t));
        }
        let mut drop_tag =
            tx.prepare_cached("DELETE FROM name_index WHERE tag = ?1 AND record_id = ?2")?;
        for tag in tags {
            drop_tag.execute(params![tag, id_bytes(&id)])?;
        }
        if let Some(waiting) = waiting_tags(tx, id)? {
            let kept: Vec<i64> = waiting.into_iter().filter(|t| !tags.contains(t)).collect();
            set_waiting_tags(tx, id, &kept)?;
        }
        Ok(())
    }

    /// Write the added tags: into the index in tag order, or (bulk mode) one pending row per
    /// record in record order.
    pub(super) fn finish(mut self, tx: &Connection) -> Result<()> {
        self.flush(tx)
    }

    /// In a long transaction: write the tags gathered so far once there are many, so that
    /// memory stays bounded while each batch still goes in sorted.
    pub(super) fn flush_if_large(&mut self, tx: &Connection) -> Result<()> {
        if self.added.len() >= FLUSH_RECORDS {
            self.flush(tx)?;
        }
        Ok(())
    }

    fn flush(&mut self, tx: &Connection) -> Result<()> {
        let added = std::mem::take(&mut self.added);
        if self.deferred {
            let mut records: Vec<(RecordId, Vec<i64>)> = added.into_iter().collect();
            records.sort_unstable_by_key(|(id, _)| *id.as_bytes());
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO name_tags_pending (record_id, tags) VALUES (?1, ?2)",
            )?;
            for (id, mut tags) in records {
                if tags.is_empty() {
                    continue;
                }
                if insert.execute(params![id_bytes(&id), pack(&tags)])? == 0 {
                    // The record already has tags waiting (from an earlier transaction or batch).
                    tags.extend(waiting_tags(tx, id)?.unwrap_or_default());
                    tags.sort_unstable();
                    tags.dedup();
                    set_waiting_tags(tx, id, &tags)?;
                }
            }
        } else {
            let mut pairs: Vec<(i64, [u8; 16])> = added
                .into_iter()
                .flat_map(|(id, tags)| tags.into_iter().map(move |t| (t, *id.as_bytes())))
                .collect();
            insert_sorted(tx, &mut pairs)?;
        }
        Ok(())
    }
}

/// The tags of `id` waiting for the end of a bulk load, if any.
fn waiting_tags(tx: &Connection, id: RecordId) -> Result<Option<Vec<i64>>> {
    let packed: Option<Vec<u8>> = tx
        .prepare_cached("SELECT tags FROM name_tags_pending WHERE record_id = ?1")?
        .query_row([id_bytes(&id)], |r| r.get(0))
        .optional()?;
    Ok(packed.map(|p| unpack(&p).collect()))
}

/// Replace the waiting tags of `id` (none: no row).
fn set_waiting_tags(tx: &Connection, id: RecordId, tags: &[i64]) -> Result<()> {
    if tags.is_empty() {
        tx.prepare_cached("DELETE FROM name_tags_pending WHERE record_id = ?1")?
            .execute([id_bytes(&id)])?;
    } else {
        tx.prepare_cached(
            "INSERT OR REPLACE INTO name_tags_pending (record_id, tags) VALUES (?1, ?2)",
        )?
        .execute(params![id_bytes(&id), pack(tags)])?;
    }
    Ok(())
}

/// Insert (tag, record) pairs into the index in key order, so each page is visited once.
fn insert_sorted(tx: &Connection, pairs: &mut [(i64, [u8; 16])]) -> Result<()> {
    pairs.sort_unstable();
    let mut insert =
        tx.prepare_cached("INSERT OR IGNORE INTO name_index (tag, record_id) VALUES (?1, ?2)")?;
    for (tag, id) in pairs.iter() {
        insert.execute(params![tag, &id[..]])?;
    }
    Ok(())
}

/// Whether a bulk load left tags waiting.
pub(super) fn any_pending(conn: &Connection) -> Result<bool> {
    Ok(
        conn.query_row("SELECT EXISTS (SELECT 1 FROM name_tags_pending)", [], |r| {
            r.get(0)
        })?,
    )
}

/// Records whose waiting tags include `tag` (a scan: only while a bulk load is unmerged).
pub(super) fn pending_with_tag(conn: &Connection, tag: i64) -> Result<Vec<RecordId>> {
    let mut stmt = conn.prepare_cached("SELECT record_id, tags FROM name_tags_pending")?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let packed: Vec<u8> = row.get(1)?;
        if unpack(&packed).any(|t| t == tag) {
            out.push(read_id(row.get(0)?)?);
        }
    }
    Ok(out)
}

/// Move every waiting tag into the index in one transaction, in tag order. Needs 24 bytes
/// of memory per waiting tag (250 MB after a million demo persons).
pub(super) fn merge_pending(conn: &Connection) -> Result<()> {
    if !any_pending(conn)? {
        return Ok(());
    }
    // The pending rows are keyed tags, not identifying text: emptying their pages need not
    // overwrite them with zeros first.
    conn.execute_batch("PRAGMA secure_delete = OFF;")?;
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE;") {
        conn.execute_batch("PRAGMA secure_delete = ON;")?;
        return Err(e.into());
    }
    let merged = (|| -> Result<()> {
        let waiting: i64 = conn.query_row(
            "SELECT coalesce(sum(length(tags)), 0) FROM name_tags_pending",
            [],
            |r| r.get(0),
        )?;
        let mut pairs: Vec<(i64, [u8; 16])> =
            Vec::with_capacity(usize::try_from(waiting).unwrap_or(0) / TAG_BYTES);
        {
            let mut stmt = conn.prepare("SELECT record_id, tags FROM name_tags_pending")?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let id = *read_id(row.get(0)?)?.as_bytes();
                let packed: Vec<u8> = row.get(1)?;
                pairs.extend(unpack(&packed).map(|t| (t, id)));
            }
        }
        insert_sorted(conn, &mut pairs)?;
        conn.execute_batch("DELETE FROM name_tags_pending;")?;
        Ok(())
    })();
    let ended = match merged {
        Ok(()) => conn.execute_batch("COMMIT;"),
        Err(_) => conn.execute_batch("ROLLBACK;"),
    };
    conn.execute_batch("PRAGMA secure_delete = ON;")?;
    merged?;
    ended?;
    Ok(())
}

/// The version of the keys in the index ([`athar_model::sealing::search_tokens`]): 6 since
/// a joined Latin "abd" keeps its d apart from a following h (Abdul-Hussein is عبد الحسين);
/// 5 since names written with أل or آل keep those letters (آلاء is not al- + اء); 4 since a word's
/// sound key holds its skeleton, its written ending and the vowel of its last syllable, one
/// key per word (Muhammad is not Mahmoud); 2 and 3 were earlier forms of the skeleton keys;
/// 1 (no entry) held folded words only.
const INDEX_VERSION: &str = "6";

/// Persons indexed again per sorted batch, to bound memory.
const REINDEX_BATCH: usize = 100_000;

/// The tags a live person record holds now (its head's names under its organisation's
/// key), or `None` when it is deleted, shredded or unknown.
pub(super) fn current_tags(
    conn: &Connection,
    keyring: &Keyring,
    id: RecordId,
) -> Result<Option<Vec<i64>>> {
    let head: Option<(i64, bool)> = conn
        .prepare_cached("SELECT seq, deleted FROM heads WHERE kind = ?1 AND id = ?2")?
        .query_row(params![RecordKind::Person.code(), id_bytes(&id)], |r| {
            Ok((r.get(0)?, r.get::<_, i64>(1)? != 0))
        })
        .optional()?;
    let Some((seq, false)) = head else {
        return Ok(None);
    };
    tags_at(conn, keyring, id, seq)
}

/// The tags of a person's revision `seq`, or `None` when its names cannot be opened.
fn tags_at(
    conn: &Connection,
    keyring: &Keyring,
    id: RecordId,
    seq: i64,
) -> Result<Option<Vec<i64>>> {
    let (_, _, sealed) = revision_body(conn, seq)?;
    if let Some(sealed) = sealed
        && let Some((org, wrapped)) = record_key(conn, &id, &sealed)?
        && let Opened::Parts(parts) =
            keyring.open(RecordKind::Person, id, &sealed, Some((org, wrapped)))?
    {
        let mut tags = keyring.tags_of(org, &parts)?;
        tags.sort_unstable();
        tags.dedup();
        return Ok(Some(tags));
    }
    Ok(None)
}

/// Index every live person again under the current keys if the index holds an earlier
/// version's: opens each person's sealed names, so it runs once the organisation keys are
/// unlocked. One transaction; the tags, not the names, are all it writes.
pub(super) fn reindex_if_older(conn: &Connection, keyring: &Keyring) -> Result<()> {
    rebuild_once_per_version(conn, "name_index_version", INDEX_VERSION, || {
        conn.execute_batch("DELETE FROM name_index;")?;
        let heads: Vec<(Vec<u8>, i64)> = conn
            .prepare("SELECT id, seq FROM heads WHERE kind = ?1 AND deleted = 0")?
            .query_map([RecordKind::Person.code()], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<std::result::Result<_, _>>()?;
        if !heads.is_empty() {
            // Shown by default: the store is busy for about a minute per million persons.
            tracing::warn!(
                persons = heads.len(),
                "indexing names again for the search across spellings and scripts (once, after an upgrade)"
            );
        }
        let mut pairs: Vec<(i64, [u8; 16])> = Vec::new();
        for (n, (id, seq)) in heads.into_iter().enumerate() {
            let id = read_id(id)?;
            if let Some(tags) = tags_at(conn, keyring, id, seq)? {
                pairs.extend(tags.into_iter().map(|t| (t, *id.as_bytes())));
            }
            if (n + 1) % REINDEX_BATCH == 0 {
                insert_sorted(conn, &mut pairs)?;
                pairs.clear();
            }
        }
        insert_sorted(conn, &mut pairs)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_tags_come_back_in_order() {
        let tags = [i64::MIN, -1, 0, 7, i64::MAX];
        let packed = pack(&tags);
        assert_eq!(packed.len(), tags.len() * TAG_BYTES);
        assert_eq!(unpack(&packed).collect::<Vec<_>>(), tags);
    }
}
