//! Counting what an organisation may see: the countable facts of its records (no names),
//! linked persons counted once ([`Scope::facts`]), kept between requests while the data
//! stays as it was ([`FactsCache`]); the strata of persons for stratified estimates; and
//! capture tables of lists for Multiple Systems Estimation ([`Scope::capture_counts`]).

use std::sync::Arc;

use athar_link::stored::{CaptureCounts, LinkageState, Review, RunError};
use athar_model::{OrgId, RecordId, RecordKind};
use athar_stats::counts::{Facts, PersonFilter};
use athar_store::{StoreError, StoredRecord};

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
    /// it has one and nothing changed since, else built now.
    pub fn counting_facts(&self) -> Result<(Arc<Facts>, LinkageState), StoreError> {
        match self.facts {
            Some(cache) => cache.get(self),
            None => self.facts().map(|(f, l)| (Arc::new(f), l)),
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
        let review = self.review()?;
        let records = self.bodies_of(&[
            RecordKind::Person,
            RecordKind::Event,
            RecordKind::Involvement,
        ])?;
        let facts = Facts::build_linked(records, &review.same_person(), &*self.vocabularies()?);
        Ok((facts, review.state()))
    }
}

/// The counting facts of each organisation, kept while the store's data stays as it was
/// (`Store::data_version`): rebuilding them means opening every record, seconds for a large
/// store, while a breakdown over them takes milliseconds. Reads never invalidate them;
/// any write, linkage run or sharing change does.
#[derive(Default)]
pub struct FactsCache {
    by_org: std::sync::Mutex<std::collections::HashMap<OrgId, CachedFacts>>,
    /// One lock per organisation, held while its facts are built: a stampede of cold
    /// requests builds them once, the others wait and take the result.
    building: std::sync::Mutex<std::collections::HashMap<OrgId, Arc<std::sync::Mutex<()>>>>,
    /// How many times facts were built (not taken from the cache).
    builds: std::sync::atomic::AtomicUsize,
}

struct CachedFacts {
    version: String,
    facts: std::sync::Arc<Facts>,
    linkage: LinkageState,
}

impl FactsCache {
    /// How many times facts were built rather than taken from the cache.
    pub fn builds(&self) -> usize {
        self.builds.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The facts of the scope's organisation at the store's current version, built now if
    /// need be.
    pub fn get(
        &self,
        scope: &Scope<'_>,
    ) -> Result<(std::sync::Arc<Facts>, LinkageState), StoreError> {
        let org = scope.org();
        let cached = |version: &str| {
            self.by_org.lock().ok().and_then(|cache| {
                cache
                    .get(&org)
                    .filter(|e| e.version == version)
                    .map(|e| (e.facts.clone(), e.linkage.clone()))
            })
        };
        let version = scope.store.data_version()?;
        if let Some(hit) = cached(&version) {
            return Ok(hit);
        }
        let gate = self
            .building
            .lock()
            .map(|mut gates| gates.entry(org).or_default().clone())
            .unwrap_or_default();
        let _building = gate.lock().unwrap_or_else(|p| p.into_inner());
        // Another request may have built them while this one waited.
        let version = scope.store.data_version()?;
        if let Some(hit) = cached(&version) {
            return Ok(hit);
        }
        self.builds
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (facts, linkage) = scope.facts()?;
        let facts = std::sync::Arc::new(facts);
        if let Ok(mut cache) = self.by_org.lock() {
            cache.insert(
                org,
                CachedFacts {
                    version,
                    facts: facts.clone(),
                    linkage: linkage.clone(),
                },
            );
        }
        Ok((facts, linkage))
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
