//! Views of records, audited in batches.
//!
//! Every read of a record's identifying parts is recorded in the audit chain, so "who saw
//! this person's file?" can always be answered. One entry per request made a read-heavy
//! day multiply the store (each entry a chained row, each list page one more); so the
//! server gathers the ids each author sees of each kind and writes them as one entry — the
//! ids in order, once each — when the window has passed since the first of them, when the
//! batch is large, when the audit chain's head is asked for, or when the server stops.
//! A window of zero writes every view at once (the command line, and tests that count
//! entries).
//!
//! Reads of figures that name nobody (`stats`, `stats.behind`) are batched the same way:
//! one entry per author and action per window, saying how many requests it stands for.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use athar_model::{RecordId, RecordKind};
use athar_store::{Backend, Result};

/// The most ids one batched entry names before it is written.
const MAX_IDS: usize = 2_000;

/// Views waiting to be written, by (author, kind).
pub struct ViewLog {
    window: Duration,
    pending: Mutex<HashMap<(String, RecordKind), Pending>>,
    /// Requests of an action that names no record, by (author, action): since, how many.
    counted: Mutex<HashMap<(String, String), (Instant, u64)>>,
}

struct Pending {
    since: Instant,
    ids: BTreeSet<RecordId>,
}

impl ViewLog {
    /// Views gathered for at most `window` before they are written.
    pub fn new(window: Duration) -> Self {
        ViewLog {
            window,
            pending: Mutex::new(HashMap::new()),
            counted: Mutex::new(HashMap::new()),
        }
    }

    /// Note that `author` asked for `action` (a count, which names no record); write every
    /// tally that is due as one entry whose subject says how many requests it stands for.
    pub fn count(&self, store: &dyn Backend, author: &str, action: &str) -> Result<()> {
        if self.window.is_zero() {
            store.audit(author, action, None)?;
            return Ok(());
        }
        let due = {
            let mut counted = self.counted.lock().unwrap_or_else(|p| p.into_inner());
            let entry = counted
                .entry((author.to_string(), action.to_string()))
                .or_insert_with(|| (Instant::now(), 0));
            entry.1 += 1;
            take_due_counts(&mut counted, self.window, false)
        };
        write_counts(store, due)
    }

    /// Note that `author` saw these records; write every batch that is due.
    pub fn record(
        &self,
        store: &dyn Backend,
        author: &str,
        kind: RecordKind,
        ids: &[RecordId],
    ) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        if self.window.is_zero() {
            return write_now(store, author, kind, ids);
        }
        let due = {
            let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            let entry = pending
                .entry((author.to_string(), kind))
                .or_insert_with(|| Pending {
                    since: Instant::now(),
                    ids: BTreeSet::new(),
                });
            entry.ids.extend(ids.iter().copied());
            take_due(&mut pending, self.window, false)
        };
        write_all(store, due)
    }

    /// Write every batch whose window has passed (`all`: every batch).
    pub fn flush(&self, store: &dyn Backend, all: bool) -> Result<()> {
        let due = {
            let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            take_due(&mut pending, self.window, all)
        };
        write_all(store, due)?;
        let due = {
            let mut counted = self.counted.lock().unwrap_or_else(|p| p.into_inner());
            take_due_counts(&mut counted, self.window, all)
        };
        write_counts(store, due)
    }
}

type Tally = ((String, String), u64);

fn take_due_counts(
    counted: &mut HashMap<(String, String), (Instant, u64)>,
    window: Duration,
    all: bool,
) -> Vec<Tally> {
    let mut due: Vec<Tally> = Vec::new();
    counted.retain(|key, (since, n)| {
        let write = all || since.elapsed() >= window;
        if write {
            due.push((key.clone(), *n));
        }
        !write
    });
    // A fixed order, so the chain does not depend on a hash map's.
    due.sort();
    due
}

fn write_counts(store: &dyn Backend, due: Vec<Tally>) -> Result<()> {
    for ((author, action), requests) in due {
        store.audit(&author, &action, Some(&format!("requests: {requests}")))?;
    }
    Ok(())
}

type Batch = ((String, RecordKind), Pending);

fn take_due(
    pending: &mut HashMap<(String, RecordKind), Pending>,
    window: Duration,
    all: bool,
) -> Vec<Batch> {
    let keys: Vec<(String, RecordKind)> = pending
        .iter()
        .filter(|(_, p)| all || p.since.elapsed() >= window || p.ids.len() >= MAX_IDS)
        .map(|(k, _)| k.clone())
        .collect();
    let mut due: Vec<Batch> = keys
        .into_iter()
        .filter_map(|k| pending.remove(&k).map(|p| (k, p)))
        .collect();
    // Written in a fixed order, so the chain does not depend on a hash map's.
    due.sort_by(|a, b| (a.0.0.as_str(), a.0.1.name()).cmp(&(b.0.0.as_str(), b.0.1.name())));
    due
}

/// Audit a view at once, as one entry (the command line; a log with no window).
pub fn write_now(
    store: &dyn Backend,
    author: &str,
    kind: RecordKind,
    ids: &[RecordId],
) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    write(store, author, kind, ids.iter())
}

fn write_all(store: &dyn Backend, due: Vec<Batch>) -> Result<()> {
    for ((author, kind), batch) in due {
        write(store, &author, kind, batch.ids.iter())?;
    }
    Ok(())
}

fn write<'a>(
    store: &dyn Backend,
    author: &str,
    kind: RecordKind,
    ids: impl Iterator<Item = &'a RecordId>,
) -> Result<()> {
    let subject = ids.map(ToString::to_string).collect::<Vec<_>>().join(",");
    store.audit(author, &format!("view.{}", kind.name()), Some(&subject))?;
    Ok(())
}
