//! Finding persons by name through the blind index.
//!
//! Each word of a search is looked for by three kinds of keys
//! ([`athar_model::sealing::query_words`]): the same written form, the same skeleton and
//! ending in either script, the same skeleton alone. A person matches when every word
//! finds one of their name words; they rank by how closely — three points a word for the
//! same form, two for skeleton and ending, one for the skeleton — and then by record id,
//! so the order never depends on how the rows are stored. Counting and ranking read only
//! the index (under the key of each organisation whose persons the searcher may see); only
//! the persons on the page asked for are opened, and each is checked again before it is
//! given out.
//!
//! The ranked list of the last searches is kept, keyed by the data version, so the next
//! pages of a search cost no more than opening their persons. The persons of common tags
//! (a common name's, read by many searches) are kept in memory too ([`TagCache`]), brought
//! up to date from the revisions written since — by this process or another — so that a
//! search for محمد over a million persons does not read its 400,000 index rows each time.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use athar_model::sealing::{WordKeys, query_words, search_tokens, take_identifying};
use athar_model::{RecordId, RecordKind};
use rusqlite::{Connection, params};

use super::{SqliteStore, lock, name_index};
use crate::keyring::Keyring;
use crate::{
    NameCloseness, PersonMatch, PersonMatches, Result, SearchCursor, Store, StoreError,
    StoredRecord, Visibility,
};

/// Searches whose ranked lists are kept for their next pages.
const KEPT_SEARCHES: usize = 8;

/// One person found: how closely (summed over the words), the loosest word, the id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Ranked {
    score: u32,
    loosest: u8,
    id: [u8; 16],
}

impl Ranked {
    fn cursor(&self) -> SearchCursor {
        SearchCursor {
            score: self.score,
            id: RecordId::from_bytes(self.id),
        }
    }

    /// Before `other` in the ranking: closer first, then by id.
    fn key(&self) -> (std::cmp::Reverse<u32>, [u8; 16]) {
        (std::cmp::Reverse(self.score), self.id)
    }
}

/// The ranked lists of recent searches: (data version, organisation, the search's keys).
#[derive(Default)]
pub(super) struct SearchCache {
    kept: VecDeque<(String, Arc<Vec<Ranked>>)>,
}

impl SearchCache {
    fn get(&self, key: &str) -> Option<Arc<Vec<Ranked>>> {
        self.kept
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| Arc::clone(v))
    }

    fn put(&mut self, key: String, ranked: Arc<Vec<Ranked>>) {
        self.kept.retain(|(k, _)| *k != key);
        if self.kept.len() >= KEPT_SEARCHES {
            self.kept.pop_front();
        }
        self.kept.push_back((key, ranked));
    }
}

/// A tag read with at least this many persons is kept in memory.
const CACHED_FROM: usize = 2_048;
/// At most this many persons are kept over all cached tags (16 bytes each).
const CACHED_AT_MOST: usize = 6_000_000;
/// Beyond this many records written since the cache was brought up to date (an import),
/// it is emptied instead.
const FOLLOWED_AT_MOST: usize = 20_000;

/// The persons of common tags, in id order, as the index held them at revision `mark`.
#[derive(Default)]
pub(super) struct TagCache {
    mark: i64,
    lists: HashMap<i64, Arc<Vec<[u8; 16]>>>,
    /// Least recently used first.
    used: VecDeque<i64>,
    persons: usize,
}

impl TagCache {
    /// Follows the revisions written since `self.mark` (at least up to `now`): each person
    /// written is taken out of every kept list and put back into those of the tags it holds
    /// now. Emptied when nothing is kept yet, or after an import.
    fn follow(&mut self, conn: &Connection, keyring: &Keyring, now: i64) -> Result<()> {
        if self.mark == now {
            return Ok(());
        }
        let written = if self.lists.is_empty() || now < self.mark {
            None
        } else {
            super::read::changed_since(conn, self.mark, FOLLOWED_AT_MOST)?
        };
        let Some((last, written)) = written else {
            *self = TagCache {
                mark: now,
                ..TagCache::default()
            };
            return Ok(());
        };
        for (kind, id) in written {
            if kind != RecordKind::Person {
                continue;
            }
            let tags = name_index::current_tags(conn, keyring, id)?.unwrap_or_default();
            let id = *id.as_bytes();
            for (tag, list) in &mut self.lists {
                let holds = tags.binary_search(tag).is_ok();
                match (list.binary_search(&id), holds) {
                    (Ok(at), false) => {
                        Arc::make_mut(list).remove(at);
                        self.persons -= 1;
                    }
                    (Err(at), true) => {
                        Arc::make_mut(list).insert(at, id);
                        self.persons += 1;
                    }
                    _ => {}
                }
            }
        }
        self.mark = last.max(now);
        Ok(())
    }

    fn get(&mut self, tag: i64) -> Option<Arc<Vec<[u8; 16]>>> {
        let list = self.lists.get(&tag)?.clone();
        self.used.retain(|t| *t != tag);
        self.used.push_back(tag);
        Some(list)
    }

    fn put(&mut self, tag: i64, list: Arc<Vec<[u8; 16]>>) {
        if list.len() < CACHED_FROM || list.len() > CACHED_AT_MOST {
            return;
        }
        self.persons += list.len();
        if let Some(old) = self.lists.insert(tag, list) {
            self.persons -= old.len();
        }
        self.used.retain(|t| *t != tag);
        self.used.push_back(tag);
        while self.persons > CACHED_AT_MOST
            && let Some(oldest) = self.used.pop_front()
        {
            if let Some(gone) = self.lists.remove(&oldest) {
                self.persons -= gone.len();
            }
        }
    }
}

/// Tier points of one word: how closely it was found.
const SAME_FORM: u8 = 3;
const SAME_SOUND: u8 = 2;
const SAME_SKELETON: u8 = 1;

/// The persons one organisation may find by name (its own, and those shared with it in
/// full), or with `org` `None` every person; a page after `after`.
pub(super) fn search(
    store: &SqliteStore,
    org: Option<i64>,
    query: &str,
    after: Option<SearchCursor>,
    limit: usize,
) -> Result<PersonMatches> {
    let words = query_words(query);
    if words.is_empty() {
        return Ok(PersonMatches::default());
    }
    let ranked = ranked(store, org, &words)?;
    let start = match after {
        None => 0,
        Some(c) => {
            let key = (std::cmp::Reverse(c.score), *c.id.as_bytes());
            ranked.partition_point(|r| r.key() <= key)
        }
    };
    let mut out = PersonMatches {
        total: ranked.len() as u64,
        ..PersonMatches::default()
    };
    for (i, found) in ranked.iter().enumerate().skip(start) {
        if out.items.len() >= limit {
            out.next = ranked.get(i - 1).map(Ranked::cursor);
            break;
        }
        let id = RecordId::from_bytes(found.id);
        let Some(record) = confirmed(store, org, id, &words)? else {
            // The index and the record disagree (a change since the list was ranked):
            // the person is not given out, and no longer counted.
            out.total = out.total.saturating_sub(1);
            continue;
        };
        out.items.push(PersonMatch {
            record,
            closeness: match found.loosest {
                SAME_FORM => NameCloseness::SameSpelling,
                SAME_SOUND => NameCloseness::SameSound,
                _ => NameCloseness::SameSkeleton,
            },
            cursor: found.cursor(),
        });
    }
    Ok(out)
}

/// Every match of a search, ranked; from the cache when the data has not changed.
fn ranked(store: &SqliteStore, org: Option<i64>, words: &[WordKeys]) -> Result<Arc<Vec<Ranked>>> {
    use std::fmt::Write as _;
    let mut key = Store::data_version(store)?;
    let _ = write!(key, "|{org:?}");
    for w in words {
        let _ = write!(key, "|{}", w.form);
    }
    if let Some(hit) = lock(&store.search_cache).get(&key) {
        return Ok(hit);
    }
    let keyring = store.keyring_handle();
    let ranked = store.read(|conn| {
        let pending = name_index::any_pending(conn)?;
        // While a bulk load's tags wait, the index is read as it is, none kept.
        let mut tags = lock(&store.tag_cache);
        let mut kept = if pending {
            None
        } else {
            let now: i64 =
                conn.query_row("SELECT coalesce(max(rowid), 0) FROM revisions", [], |r| {
                    r.get(0)
                })?;
            tags.follow(conn, &keyring, now)?;
            Some(&mut *tags)
        };
        let mut all = Vec::new();
        for (key_org, only) in searchable_keys(conn, &keyring, org)? {
            let mut found = matches_under(conn, &keyring, key_org, words, pending, &mut kept)?;
            if let Some(only) = only {
                found.retain(|r| only.contains(&r.id));
            }
            all.extend(found);
        }
        Ok(rank(all))
    })?;
    let ranked = Arc::new(ranked);
    lock(&store.search_cache).put(key, Arc::clone(&ranked));
    Ok(ranked)
}

/// Order matches closest first, then by id: a stable bucket pass by score over lists each
/// already in id order, merged.
fn rank(mut all: Vec<Ranked>) -> Vec<Ranked> {
    if !all.is_sorted_by_key(|r| r.id) {
        all.sort_unstable_by_key(|r| r.id);
    }
    let top = all.iter().map(|r| r.score).max().unwrap_or(0) as usize;
    let mut counts = vec![0usize; top + 1];
    for r in &all {
        counts[r.score as usize] += 1;
    }
    // Where each score's bucket starts, highest score first.
    let mut starts = vec![0usize; top + 1];
    let mut at = 0;
    for score in (0..=top).rev() {
        starts[score] = at;
        at += counts[score];
    }
    let mut out = vec![
        Ranked {
            score: 0,
            loosest: 0,
            id: [0; 16],
        };
        all.len()
    ];
    for r in all {
        let slot = &mut starts[r.score as usize];
        out[*slot] = r;
        *slot += 1;
    }
    out
}

/// The persons of another organisation the searcher may find (shared with it in full).
type Only = HashSet<[u8; 16]>;

/// The organisations whose index keys a search reads, each with the persons of it the
/// searcher may see when that is not all of them (those shared with it in full).
fn searchable_keys(
    conn: &Connection,
    keyring: &Keyring,
    org: Option<i64>,
) -> Result<Vec<(i64, Option<Only>)>> {
    let Some(org) = org else {
        return Ok(keyring
            .organisations()
            .iter()
            .map(|o| (o.num, None))
            .collect());
    };
    let mut out = vec![(org, None)];
    let mut shared: HashMap<i64, Only> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        // From the shares to the heads (CROSS JOIN keeps that order): the shares an
        // organisation receives are few beside the persons of the store.
        "SELECT h.owner, s.record_id FROM shares s CROSS JOIN heads h
           ON h.kind = ?2 AND h.id = s.record_id
         WHERE s.org = ?1 AND s.mode = 'full' AND h.deleted = 0 AND h.owner <> ?1",
    )?;
    let mut rows = stmt.query(params![org, RecordKind::Person.code()])?;
    while let Some(row) = rows.next()? {
        let owner: i64 = row.get(0)?;
        let id = id_array(row.get_ref(1)?)?;
        shared.entry(owner).or_default().insert(id);
    }
    let mut owners: Vec<_> = shared.into_iter().collect();
    owners.sort_unstable_by_key(|(o, _)| *o);
    out.extend(owners.into_iter().map(|(o, ids)| (o, Some(ids))));
    Ok(out)
}

/// A record id read from an index row without copying it into a new allocation.
fn id_array(value: rusqlite::types::ValueRef<'_>) -> Result<[u8; 16]> {
    value
        .as_blob()
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| StoreError::Database("a record id in the name index is damaged".into()))
}

/// The persons under one organisation's index key that match every word, ranked.
fn matches_under(
    conn: &Connection,
    keyring: &Keyring,
    key_org: i64,
    words: &[WordKeys],
    pending: bool,
    kept: &mut Option<&mut TagCache>,
) -> Result<Vec<Ranked>> {
    let org = keyring.organisation(key_org)?;
    let mut per_word: Vec<Vec<([u8; 16], u8)>> = Vec::with_capacity(words.len());
    let mut read = |tag: i64, tier: u8| -> Result<Vec<([u8; 16], u8)>> {
        let Some(cache) = kept.as_deref_mut() else {
            return read_tag(conn, tag, tier, pending);
        };
        let list = match cache.get(tag) {
            Some(list) => list,
            None => {
                let list: Arc<Vec<[u8; 16]>> = Arc::new(
                    read_tag(conn, tag, tier, false)?
                        .into_iter()
                        .map(|(id, _)| id)
                        .collect(),
                );
                cache.put(tag, Arc::clone(&list));
                list
            }
        };
        Ok(list.iter().map(|id| (*id, tier)).collect())
    };
    for w in words {
        // Each tag's persons come in id order; merged, each person once with the closest
        // way this word was found.
        let mut hits = read(org.tag(&w.form), SAME_FORM)?;
        for k in &w.close {
            hits = merge(hits, read(org.tag(k), SAME_SOUND)?);
        }
        for k in &w.loose {
            hits = merge(hits, read(org.tag(k), SAME_SKELETON)?);
        }
        if hits.is_empty() {
            return Ok(Vec::new());
        }
        per_word.push(hits);
    }
    // Intersect, starting from the word with the fewest persons.
    per_word.sort_by_key(Vec::len);
    let mut words_iter = per_word.into_iter();
    let Some(first) = words_iter.next() else {
        return Ok(Vec::new());
    };
    let mut out: Vec<Ranked> = first
        .into_iter()
        .map(|(id, tier)| Ranked {
            score: u32::from(tier),
            loosest: tier,
            id,
        })
        .collect();
    for hits in words_iter {
        out.retain_mut(|r| match hits.binary_search_by(|h| h.0.cmp(&r.id)) {
            Ok(i) => {
                r.score += u32::from(hits[i].1);
                r.loosest = r.loosest.min(hits[i].1);
                true
            }
            Err(_) => false,
        });
    }
    Ok(out)
}

/// The persons holding `tag` in id order (with those a bulk load left waiting with it).
fn read_tag(conn: &Connection, tag: i64, tier: u8, pending: bool) -> Result<Vec<([u8; 16], u8)>> {
    let mut stmt = conn.prepare_cached("SELECT record_id FROM name_index WHERE tag = ?1")?;
    let mut rows = stmt.query([tag])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push((id_array(row.get_ref(0)?)?, tier));
    }
    if pending {
        out.extend(
            name_index::pending_with_tag(conn, tag)?
                .into_iter()
                .map(|id| (*id.as_bytes(), tier)),
        );
        out.sort_unstable();
        out.dedup_by_key(|h| h.0);
    }
    Ok(out)
}

/// Two id-ordered lists of persons as one, each person once at its closest tier.
fn merge(a: Vec<([u8; 16], u8)>, b: Vec<([u8; 16], u8)>) -> Vec<([u8; 16], u8)> {
    if a.is_empty() {
        return b;
    }
    if b.is_empty() {
        return a;
    }
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push((a[i].0, a[i].1.max(b[j].1)));
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// A live person the searcher may see whose opened names still match every word, or `None`.
fn confirmed(
    store: &SqliteStore,
    org: Option<i64>,
    id: RecordId,
    words: &[WordKeys],
) -> Result<Option<StoredRecord>> {
    if let Some(org) = org
        && !matches!(
            super::sharing::visibility(store, org, RecordKind::Person, id)?,
            Visibility::Owner | Visibility::Full
        )
    {
        return Ok(None);
    }
    let record = match super::read::get(store, RecordKind::Person, id) {
        Ok(r) => r,
        Err(StoreError::Deleted { .. } | StoreError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut body = record.body.clone();
    let keys = take_identifying(&mut body)
        .map(|p| search_tokens(&p))
        .unwrap_or_default();
    let found = words.iter().all(|w| {
        std::iter::once(&w.form)
            .chain(&w.close)
            .chain(&w.loose)
            .any(|k| keys.binary_search(k).is_ok())
    });
    Ok(found.then_some(record))
}
