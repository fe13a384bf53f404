//! Counting what an organisation may see: the countable facts of its records (no names),
//! linked persons counted once ([`Scope::facts`]), kept between requests while the data
//! stays as it was ([`FactsCache`]); the strata of persons for stratified estimates; and
//! capture tables of lists for Multiple Systems Estimation ([`Scope::capture_counts`]).

use std::sync::Arc;

use athar_link::stored::{CaptureCounts, LinkageState, Review, RunError};
use athar_model::{OrgId, RecordBody, RecordId, RecordKind, Status};
use athar_stats::counts::{Facts, PersonFilter};
use athar_store::{DataMarks, StoreError, StoredRecord};

use crate::Scope;

/// A page of the persons a filter selects.
#[derive(Debug, Clone)]
pub struct FilteredPersons {
    pub persons: Vec<StoredRecord>,
    /// How many the filter selects in all.
    pub total: u64,
    /// Where the next page starts, when there is one.
    pub next: Option<RecordId>,
}

impl Scope<'_> {
    /// The ids of every person `filter` selects, in id order (linked records once).
    pub fn person_ids_where(&self, filter: &PersonFilter) -> Result<Vec<RecordId>, StoreError> {
        Ok(self.counting_facts()?.0.persons_matching(filter))
    }

    /// The persons `filter` selects (by derived status and by an event of their journey,
    /// from the counting facts: linked records once), in id order from after `after`, at
    /// most `limit`, each read through this scope.
    pub fn persons_where(
        &self,
        filter: &PersonFilter,
        after: Option<RecordId>,
        limit: usize,
    ) -> Result<FilteredPersons, StoreError> {
        let (facts, _) = self.counting_facts()?;
        let ids = facts.persons_matching(filter);
        let start = after.map_or(0, |a| ids.partition_point(|id| *id <= a));
        let page: Vec<RecordId> = ids.iter().skip(start).take(limit).copied().collect();
        let next = (start + page.len() < ids.len())
            .then(|| page.last().copied())
            .flatten();
        let persons = page
            .iter()
            .map(|id| self.read(RecordKind::Person, *id))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(FilteredPersons {
            persons,
            total: ids.len() as u64,
            next,
        })
    }

    /// The derived status of each person record: as counted (with the records linked to
    /// it) when the counting facts are at hand, so that a list agrees with its status
    /// filter; otherwise — while they are being built — from the record's own journey,
    /// read now, so that no list waits for them.
    pub fn statuses_of(&self, ids: &[RecordId]) -> Result<Vec<Status>, StoreError> {
        let counted = match self.facts {
            Some(cache) => cache.ready(self)?.map(|(facts, _)| facts),
            None => None,
        };
        let vocab = self.vocabularies()?;
        ids.iter()
            .map(|id| match counted.as_ref().and_then(|f| f.status_of(*id)) {
                Some(status) => Ok(status),
                None => Ok(self.journey(*id)?.status(&vocab)),
            })
            .collect()
    }

    /// The state of this organisation's record linkage, from the counting facts' cache
    /// when it holds it for the data as it is now, else read now.
    pub fn linkage_review(&self) -> Result<Arc<Review>, StoreError> {
        if let Some(cache) = self.facts
            && let Some(review) = cache.ready_review(self)?
        {
            return Ok(review);
        }
        Ok(Arc::new(self.review()?))
    }

    /// The state of this organisation's record linkage: its latest run and its reviewers'
    /// decisions, which say which person records are one person.
    pub fn review(&self) -> Result<Review, StoreError> {
        Review::load(self.store, self.org().number())
    }

    /// For lists (sources) this organisation may see, how many persons each combination of
    /// lists holds, linked persons counted once: the capture table of an estimate.
    pub fn capture_counts(&self, lists: &[RecordId]) -> Result<CaptureCounts, RunError> {
        athar_link::stored::capture_counts(self.store, self.org().number(), lists)
    }

    /// The counting facts of what this organisation can see — from the scope's cache when
    /// it has one and nothing changed since; else from those the store keeps, brought up to
    /// date; else built now (and kept).
    pub fn counting_facts(&self) -> Result<(Arc<Facts>, LinkageState), StoreError> {
        match self.facts {
            Some(cache) => cache.get(self),
            None => FactsCache::default().get(self),
        }
    }

    /// Capture tables of lists per stratum (a person's stratum from [`person_strata`]),
    /// linked persons counted once.
    pub fn capture_counts_by_stratum(
        &self,
        lists: &[RecordId],
        placed: &std::collections::HashMap<RecordId, (i64, String)>,
    ) -> Result<Vec<(String, CaptureCounts)>, RunError> {
        athar_link::stored::capture_counts_by_stratum(
            self.store,
            self.org().number(),
            lists,
            placed,
        )
    }

    /// The countable facts of every person, event and involvement this organisation can
    /// see, linked persons counted once, with how the linkage stands (built now).
    pub fn facts(&self) -> Result<(Facts, LinkageState), StoreError> {
        self.facts_with(&self.review()?)
    }

    /// The facts from what the store keeps of each record (`Store::count_facts_for`),
    /// counted as they are read: neither the records nor all their facts are ever in
    /// memory at once.
    fn facts_with(&self, review: &Review) -> Result<(Facts, LinkageState), StoreError> {
        let vocab = self.vocabularies()?;
        let mut builder = Facts::builder(&review.same_person(), &vocab);
        self.store
            .count_facts_for(self.org().number(), &mut |id, facts| {
                builder.push(id, facts);
                Ok(())
            })?;
        Ok((builder.finish(), review.state()))
    }
}

/// The counting facts of each organisation, kept while the store's data stays as it was
/// ([`athar_store::DataMarks`]) and kept up to date record by record after writes:
/// building them means opening every record, seconds for a large store, while counting
/// again what a write touched takes milliseconds. Reads never invalidate them; a linkage
/// run, a sharing change, a change of the organisation's own terms or a write of more
/// than [`RECOUNT_AT_MOST`] records builds them afresh.
#[derive(Default)]
pub struct FactsCache {
    by_org: std::sync::Mutex<std::collections::HashMap<OrgId, CachedFacts>>,
    /// One lock per organisation, held while its facts are built: a stampede of cold
    /// requests builds them once, the others wait and take the result.
    building: std::sync::Mutex<std::collections::HashMap<OrgId, Arc<std::sync::Mutex<()>>>>,
    /// How many times facts were built from every record.
    builds: std::sync::atomic::AtomicUsize,
    /// How many times facts were brought up to date from the records a write touched.
    recounts: std::sync::atomic::AtomicUsize,
    /// Facts opened or built are made ready to be counted again before they are handed
    /// out ([`FactsCache::ready_to_recount`]).
    ahead: std::sync::atomic::AtomicBool,
}

/// Beyond this many records written since the facts were made (an import, say), building
/// them afresh is quicker than counting each record again.
pub const RECOUNT_AT_MOST: usize = 20_000;

struct CachedFacts {
    marks: DataMarks,
    /// The marks of the facts the store keeps for the organisation, when they are these or
    /// earlier ones of which these were brought up to date.
    kept_at: Option<DataMarks>,
    facts: Arc<Facts>,
    linkage: LinkageState,
    /// The linked person records the facts were counted with.
    same_person: Vec<(RecordId, RecordId)>,
    /// The linkage run and decisions they were counted with (the person pages' pairs).
    review: Arc<Review>,
}

/// Once the facts in memory are this many revisions ahead of those the store keeps, they
/// are kept again, so that a process that starts has little to count again.
pub const KEEP_AGAIN_AFTER: i64 = 5_000;

/// What the cache hands out of an organisation's facts.
type Kept = (Arc<Facts>, LinkageState, Arc<Review>);

impl CachedFacts {
    fn kept(&self) -> Kept {
        (
            Arc::clone(&self.facts),
            self.linkage.clone(),
            Arc::clone(&self.review),
        )
    }
}

impl FactsCache {
    /// How many times facts were built from every record.
    pub fn builds(&self) -> usize {
        self.builds.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How many times facts were brought up to date from the records writes touched.
    pub fn recounts(&self) -> usize {
        self.recounts.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// From now on, facts opened or built are made ready to be counted again (the maps
    /// from record ids made, [`Facts::prepare_to_recount`]) before the request that opened
    /// them has them: a server does this, so that the first write after it starts is
    /// counted in milliseconds rather than waiting for the maps (or, were they made while
    /// a reader held the facts, copying them whole). A process that only counts once
    /// leaves them unmade.
    pub fn ready_to_recount(&self) {
        self.ahead.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// The facts of the scope's organisation at the store's current data, from the cache,
    /// brought up to date, or built now.
    pub fn get(&self, scope: &Scope<'_>) -> Result<(Arc<Facts>, LinkageState), StoreError> {
        self.fetch(scope, true)?
            .map(|(facts, linkage, _)| (facts, linkage))
            .ok_or_else(|| StoreError::Database("the counting facts were not built".into()))
    }

    /// The linkage run and decisions the facts at hand were counted with, when they are at
    /// hand (see [`FactsCache::ready`]).
    pub fn ready_review(&self, scope: &Scope<'_>) -> Result<Option<Arc<Review>>, StoreError> {
        Ok(self.fetch(scope, false)?.map(|(_, _, review)| review))
    }

    /// The facts when they are at hand — current, or brought up to date from the writes
    /// since — and `None` while they must be built from every record (at first, after a
    /// linkage run, a sharing change or an import) or another request is building them.
    pub fn ready(
        &self,
        scope: &Scope<'_>,
    ) -> Result<Option<(Arc<Facts>, LinkageState)>, StoreError> {
        Ok(self
            .fetch(scope, false)?
            .map(|(facts, linkage, _)| (facts, linkage)))
    }

    /// The facts, how the linkage stands and the review they were counted with: from the
    /// cache, brought up to date, or (`build`) built now; `None` when they are not at hand
    /// and `build` is false.
    fn fetch(&self, scope: &Scope<'_>, build: bool) -> Result<Option<Kept>, StoreError> {
        let org = scope.org();
        let cached = |marks: DataMarks| {
            self.by_org.lock().ok().and_then(|cache| {
                cache
                    .get(&org)
                    .filter(|e| e.marks == marks)
                    .map(CachedFacts::kept)
            })
        };
        if let Some(hit) = cached(scope.store.data_marks()?) {
            return Ok(Some(hit));
        }
        let gate = self
            .building
            .lock()
            .map(|mut gates| gates.entry(org).or_default().clone())
            .unwrap_or_default();
        let _building = if build {
            gate.lock().unwrap_or_else(|p| p.into_inner())
        } else {
            match gate.try_lock() {
                Ok(held) => held,
                Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
                Err(std::sync::TryLockError::WouldBlock) => return Ok(None),
            }
        };
        // Another request may have built them while this one waited.
        let marks = scope.store.data_marks()?;
        if let Some(hit) = cached(marks) {
            return Ok(Some(hit));
        }
        let updatable =
            |e: &CachedFacts| e.marks.runs == marks.runs && e.marks.shared == marks.shared;
        let mut earlier = self.by_org.lock().ok().and_then(|mut cache| {
            let take = build || cache.get(&org).is_some_and(updatable);
            take.then(|| cache.remove(&org)).flatten()
        });
        if earlier.is_none() && build {
            // A process that starts opens what an earlier one kept of the counting.
            earlier = scope.kept_counting(marks)?;
        }
        if !build && earlier.is_none() {
            return Ok(None);
        }
        let kept = match earlier {
            Some(earlier) if updatable(&earlier) => scope.bring_up_to_date(earlier)?,
            _ => None,
        };
        if kept.is_none() && !build {
            return Ok(None);
        }
        let mut kept = match kept {
            Some(kept) => {
                self.recounts
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                kept
            }
            None => {
                self.builds
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let review = scope.review()?;
                let (facts, linkage) = scope.facts_with(&review)?;
                CachedFacts {
                    marks,
                    kept_at: None,
                    facts: Arc::new(facts),
                    linkage,
                    same_person: review.same_person(),
                    review: Arc::new(review),
                }
            }
        };
        if kept
            .kept_at
            .is_none_or(|at| kept.marks.revisions - at.revisions > KEEP_AGAIN_AFTER)
        {
            scope.keep_counting(&mut kept);
        }
        if self.ahead.load(std::sync::atomic::Ordering::Relaxed) {
            kept.facts.prepare_to_recount();
        }
        let out = kept.kept();
        if let Ok(mut cache) = self.by_org.lock() {
            cache.insert(org, kept);
        }
        Ok(Some(out))
    }
}

impl Scope<'_> {
    /// Facts made at `earlier` brought up to the store's data now by counting again only
    /// the persons the revisions since touched; `None` when they must be built afresh.
    fn bring_up_to_date(&self, earlier: CachedFacts) -> Result<Option<CachedFacts>, StoreError> {
        let Some((marks, changed)) = self.written_since(earlier.marks, RECOUNT_AT_MOST)? else {
            return Ok(None);
        };
        if changed.is_empty() {
            // Nothing written since (facts just opened from the store, say): as they are.
            return Ok(Some(CachedFacts { marks, ..earlier }));
        }
        if changed.iter().any(|(kind, _)| *kind == RecordKind::Term) {
            // A term can change what every event counts as.
            return Ok(None);
        }
        let kept_at = earlier.kept_at;
        let CachedFacts {
            mut facts,
            same_person: before,
            review,
            ..
        } = earlier;
        // Decisions are `match` records: without one written, the linkage stands as it was.
        let review = if changed.iter().any(|(kind, _)| *kind == RecordKind::Match) {
            Arc::new(self.review()?)
        } else {
            review
        };
        let same_person = review.same_person();
        let facts_now = Arc::make_mut(&mut facts);
        let mut touched: Vec<RecordId> = Vec::new();
        let mut events = std::collections::HashSet::new();
        for (kind, id) in &changed {
            match kind {
                RecordKind::Person => touched.push(*id),
                RecordKind::Event => {
                    events.insert(*id);
                }
                // Every person it has named: it may have moved from one to another, or
                // been deleted.
                RecordKind::Involvement => {
                    for revision in self.store.history(*kind, *id)? {
                        if let RecordBody::Involvement(inv) = revision.body {
                            touched.push(inv.person);
                        }
                    }
                }
                RecordKind::Source | RecordKind::Match | RecordKind::Term => {}
            }
        }
        // The persons in the events that changed, as the store links them now (an
        // involvement moved away is itself among the changes).
        for event in &events {
            for inv in self.store.involvements_of_event(*event)? {
                if let RecordBody::Involvement(inv) = inv.body {
                    touched.push(inv.person);
                }
            }
        }
        let (was, is): (std::collections::HashSet<_>, std::collections::HashSet<_>) = (
            before.iter().copied().collect(),
            same_person.iter().copied().collect(),
        );
        for (a, b) in was.symmetric_difference(&is) {
            touched.extend([*a, *b]);
        }
        let recount = facts_now.to_recount(touched, &before, &same_person);
        // The persons as they are now, every involvement naming them, and the events of
        // those; then the events that changed.
        let mut records = Vec::new();
        let mut wanted = events.clone();
        let mut ordered: Vec<RecordId> = recount.iter().copied().collect();
        ordered.sort_unstable();
        for person in ordered {
            let Some(body) = self
                .read_if_visible(RecordKind::Person, person)?
                .map(|r| r.body)
            else {
                continue;
            };
            records.push((person, body));
            for inv in self.person_involvements(person)? {
                if let RecordBody::Involvement(i) = &inv.body {
                    wanted.insert(i.event);
                }
                records.push((inv.id, inv.body));
            }
        }
        let mut gone = Vec::new();
        let mut wanted: Vec<RecordId> = wanted.into_iter().collect();
        wanted.sort_unstable();
        for event in wanted {
            match self
                .read_if_visible(RecordKind::Event, event)?
                .map(|r| r.body)
            {
                Some(body) => records.push((event, body)),
                None => gone.push(event),
            }
        }
        facts_now.recount(
            &recount,
            &gone,
            records,
            &same_person,
            &*self.vocabularies()?,
        );
        Ok(Some(CachedFacts {
            marks,
            kept_at,
            facts,
            linkage: review.state(),
            same_person,
            review,
        }))
    }
}

impl Scope<'_> {
    /// The facts the store keeps of this organisation's counting, as they were made, when
    /// they are of this build's form, read back whole and were counted with the linkage
    /// run and sharing of `now` (else `None`: they are built afresh).
    fn kept_counting(&self, now: DataMarks) -> Result<Option<CachedFacts>, StoreError> {
        let mut reader = kept_form::Reader::at(now);
        let Some(marks) = self.store.kept_counts(self.org().number(), &mut reader)? else {
            return Ok(None);
        };
        let Some((same_person, facts)) = reader.finish() else {
            return Ok(None);
        };
        let review = self.review()?;
        Ok(Some(CachedFacts {
            marks,
            kept_at: Some(marks),
            facts: Arc::new(facts),
            linkage: review.state(),
            same_person,
            review: Arc::new(review),
        }))
    }

    /// Keeps `counted` in the store for the processes that start later. Failing to keep
    /// them changes no figure — they are counted afresh then — so it is only logged.
    fn keep_counting(&self, counted: &mut CachedFacts) {
        let kept = self
            .store
            .keep_counts(self.org().number(), counted.marks, &mut |out| {
                kept_form::write(&counted.same_person, &counted.facts, out)
            });
        match kept {
            Ok(()) => counted.kept_at = Some(counted.marks),
            Err(e) => tracing::warn!(error = %e, "the counting facts could not be kept"),
        }
    }
}

/// The bytes the store keeps of an organisation's counting: the build's vocabularies and
/// gazetteer they were counted with (a SHA-256 of their files, with the facts' form), the
/// linked person records the facts were counted with (their number, then each pair's two
/// ids), then the facts in their kept form ([`Facts::to_kept`]).
mod kept_form {
    use std::sync::OnceLock;

    use std::io::Write;

    use athar_model::RecordId;
    use athar_model::vocab::{EMBEDDED_FILES, EMBEDDED_GAZETTEER};
    use athar_stats::counts::{Facts, KEPT_FORM, KeptReader};
    use athar_store::{DataMarks, KeptCountsReader};
    use sha2::{Digest, Sha256};

    /// What the facts were counted with besides the records: an event's category, a
    /// place's governorate and a unit's party come from these files, which change with
    /// the build.
    fn counted_with() -> &'static [u8; 32] {
        static DIGEST: OnceLock<[u8; 32]> = OnceLock::new();
        DIGEST.get_or_init(|| {
            let mut digest = Sha256::new();
            digest.update(KEPT_FORM);
            for (name, text) in EMBEDDED_FILES {
                for part in [name.as_bytes(), text.as_bytes()] {
                    digest.update((part.len() as u64).to_le_bytes());
                    digest.update(part);
                }
            }
            digest.update(EMBEDDED_GAZETTEER.as_bytes());
            digest.finalize().into()
        })
    }

    /// Linked person records, each with the record it is counted under.
    type Links = Vec<(RecordId, RecordId)>;

    pub(super) fn write(
        same_person: &[(RecordId, RecordId)],
        facts: &Facts,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        let mut prefix = counted_with().to_vec();
        prefix.extend((same_person.len() as u64).to_le_bytes());
        for (a, b) in same_person {
            prefix.extend_from_slice(a.as_bytes());
            prefix.extend_from_slice(b.as_bytes());
        }
        out.write_all(&prefix)?;
        facts.write_kept(out)
    }

    /// Reads what [`write`] wrote as the store opens it: the links first, then the facts
    /// as they come ([`KeptReader`]). Bytes counted with other vocabularies, or at a
    /// linkage run or sharing other than the store's now, are refused.
    pub(super) struct Reader {
        now: DataMarks,
        prefix: Vec<u8>,
        links: Option<Links>,
        facts: KeptReader,
    }

    fn refused(why: &str) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::InvalidData, why.to_string())
    }

    impl Reader {
        pub(super) fn at(now: DataMarks) -> Reader {
            Reader {
                now,
                prefix: Vec::with_capacity(40),
                links: None,
                facts: Facts::kept_reader(),
            }
        }

        /// The links and the facts, if every byte was given and read.
        pub(super) fn finish(self) -> Option<(Links, Facts)> {
            Some((self.links?, self.facts.finish().ok()?))
        }

        /// Takes prefix bytes from `bytes` until the links are whole; what is left.
        fn take_prefix<'b>(&mut self, bytes: &'b [u8]) -> std::io::Result<&'b [u8]> {
            // The digest and the number of links, then that many pairs of ids.
            let whole = |prefix: &[u8]| match prefix.get(32..40) {
                None => Ok(40),
                Some(count) => {
                    usize::try_from(u64::from_le_bytes(count.try_into().unwrap_or_default()))
                        .ok()
                        .and_then(|count| count.checked_mul(32)?.checked_add(40))
                        .ok_or_else(|| refused("more links than any"))
                }
            };
            let take = (whole(&self.prefix)? - self.prefix.len()).min(bytes.len());
            self.prefix.extend_from_slice(&bytes[..take]);
            if self.prefix.len() >= 32 && self.prefix[..32] != counted_with()[..] {
                return Err(refused("counted with other vocabularies"));
            }
            if self.prefix.len() >= 40 && self.prefix.len() == whole(&self.prefix)? {
                let id = |b: &[u8]| RecordId::from_bytes(b.try_into().unwrap_or_default());
                let links = self.prefix[40..]
                    .chunks_exact(32)
                    .map(|pair| (id(&pair[..16]), id(&pair[16..])))
                    .collect();
                self.links = Some(links);
                self.prefix = Vec::new();
            }
            Ok(&bytes[take..])
        }
    }

    impl Write for Reader {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            let mut rest = bytes;
            while self.links.is_none() && !rest.is_empty() {
                rest = self.take_prefix(rest)?;
            }
            self.facts.write_all(rest)?;
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl KeptCountsReader for Reader {
        fn read_at(&mut self, marks: DataMarks) -> bool {
            marks.runs == self.now.runs && marks.shared == self.now.shared
        }
    }
}

/// How capture tables from the store can be stratified.
pub const STRATA: [&str; 2] = ["year", "governorate"];

/// Each person record's stratum for a stratified estimate, as (day, name): the year, or the
/// governorate (P-code), of the earliest event in which the person is the victim of
/// deprivation of liberty or worse (categories deprivation, harm, disappearance,
/// death-in-custody, killing). A year is "uncertain" when the date spans years; a person
/// with no such event, or no place or date for it, is left out (the caller's "unknown").
pub fn person_strata(
    scope: &Scope<'_>,
    by: &str,
) -> Result<std::collections::HashMap<athar_model::RecordId, (i64, String)>, StoreError> {
    use athar_model::record::RecordBody;
    let vocab = scope.vocabularies()?;
    let mut placed: std::collections::HashMap<athar_model::RecordId, (i64, String)> =
        std::collections::HashMap::new();
    let mut events = std::collections::HashMap::new();
    for r in scope.list_all(RecordKind::Event)? {
        if let RecordBody::Event(event) = r.body {
            let harm = matches!(
                vocab.category_of(&event.kind),
                Some("deprivation" | "harm" | "disappearance" | "death-in-custody" | "killing")
            );
            if harm {
                events.insert(r.id, event);
            }
        }
    }
    for r in scope.list_all(RecordKind::Involvement)? {
        let RecordBody::Involvement(inv) = r.body else {
            continue;
        };
        if inv.role != athar_model::event::Role::Victim {
            continue;
        }
        let Some(event) = events.get(&inv.event) else {
            continue;
        };
        let Some((lo, hi)) = event.start.bounds() else {
            continue;
        };
        let name = if by == "year" {
            let (y0, _, _) = athar_model::date::civil_from_days(lo);
            let (y1, _, _) = athar_model::date::civil_from_days(hi);
            if y0 == y1 {
                y0.to_string()
            } else {
                "uncertain".to_string()
            }
        } else {
            let area = event.place.as_ref().and_then(|p| vocab.area_of(p));
            match area
                .as_deref()
                .and_then(|a| vocab.gazetteer.governorate_of(a))
            {
                Some(g) => g.pcode.clone(),
                None => continue,
            }
        };
        let entry = placed
            .entry(inv.person)
            .or_insert((i64::MAX, String::new()));
        if lo < entry.0 {
            *entry = (lo, name);
        }
    }
    Ok(placed)
}
