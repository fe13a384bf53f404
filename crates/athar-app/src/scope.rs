//! One organisation's view of the store: every read and write an adapter may make.
//!
//! A [`Scope`] is made from an authenticated caller (or the command line's chosen
//! organisation). Reads answer as if another organisation's unshared record did not exist
//! — not found, the same answer as for an id nobody ever used — and strip identifying parts
//! from records shared pseudonymised. Writes are owned by the scope's organisation; the
//! store refuses, inside the write transaction, any reference to a record the organisation
//! may not see, with the same message as for an unknown id.

use athar_model::sealing::take_identifying;

use crate::counting::FactsCache;
use crate::views::ViewLog;
use crate::vocabularies::VocabularyCache;
use athar_model::{OrgId, RecordBody, RecordId, RecordKind};
use athar_store::{
    Backend, Change, ChangeSet, PersonMatches, Result, Revision, SearchCursor, StoreError,
    StoredRecord, Visibility, Written,
};

/// The records written since some data marks, each once, with the marks now (see
/// [`Scope::written_since`]).
pub(crate) type WrittenSince = (athar_store::DataMarks, Vec<(RecordKind, RecordId)>);

/// The store as one organisation may use it, acting as one author.
#[derive(Clone, Copy)]
pub struct Scope<'s> {
    pub(crate) store: &'s dyn Backend,
    org: OrgId,
    author: &'s str,
    /// Counting facts kept between calls (the server's), if any.
    pub(crate) facts: Option<&'s FactsCache>,
    /// Views gathered and audited in batches (the server's), if any.
    pub(crate) views: Option<&'s ViewLog>,
    /// The organisations' vocabularies kept between calls (the server's), if any.
    pub(crate) vocabularies: Option<&'s VocabularyCache>,
    /// Whether the organisations hold demo data, kept between calls (the server's), if any.
    pub(crate) demo: Option<&'s crate::reports::DemoCache>,
    /// The named persons prepared for families' tracing, kept between calls, if any.
    pub(crate) field: Option<&'s crate::tracing::FieldCache>,
}

impl<'s> Scope<'s> {
    /// The scope of `org`, acting as `author` (a username, or `cli`). The organisation must
    /// be one the caller belongs to: adapters take it from the session or token, or from
    /// the command line's `--org` of someone holding the store's passphrase.
    pub fn new(store: &'s dyn Backend, org: OrgId, author: &'s str) -> Self {
        Scope {
            store,
            org,
            author,
            facts: None,
            views: None,
            vocabularies: None,
            demo: None,
            field: None,
        }
    }

    /// The same scope, keeping the named persons prepared for families' tracing in
    /// `cache` while they stay as they were.
    pub fn with_field_cache(self, cache: &'s crate::tracing::FieldCache) -> Self {
        Scope {
            field: Some(cache),
            ..self
        }
    }

    /// The same scope, keeping whether it holds demo data in `cache` while the data stays
    /// as it was.
    pub fn with_demo_cache(self, cache: &'s crate::reports::DemoCache) -> Self {
        Scope {
            demo: Some(cache),
            ..self
        }
    }

    /// The same scope, taking its vocabularies from `cache` while the data stays as it was.
    pub fn with_vocabulary_cache(self, cache: &'s VocabularyCache) -> Self {
        Scope {
            vocabularies: Some(cache),
            ..self
        }
    }

    /// The same scope, its views audited in batches by `views`.
    pub fn with_view_log(self, views: &'s ViewLog) -> Self {
        Scope {
            views: Some(views),
            ..self
        }
    }

    /// The same scope, taking its counting facts from `cache` while the data stays as it
    /// was.
    pub fn with_facts_cache(self, cache: &'s FactsCache) -> Self {
        Scope {
            facts: Some(cache),
            ..self
        }
    }

    pub fn org(&self) -> OrgId {
        self.org
    }

    pub fn author(&self) -> &str {
        self.author
    }

    /// The acting organisation's name.
    pub fn organisation_name(&self) -> Result<String> {
        Ok(self
            .store
            .keyring()
            .organisation(self.org.number())?
            .name
            .clone())
    }

    /// What was written since the store's data stood at `at`, when revisions are all that
    /// moved (no linkage run kept, no sharing changed): the records written, each once, and
    /// the marks to keep with what is brought up to date from them. `None` when something
    /// else moved, or more than `at_most` records were written — then what was computed
    /// from the data must be computed afresh. The caches of counts, tracing and the demo
    /// banner follow writes through it.
    pub(crate) fn written_since(
        &self,
        at: athar_store::DataMarks,
        at_most: usize,
    ) -> Result<Option<WrittenSince>> {
        let now = self.store.data_marks()?;
        if now.runs != at.runs || now.shared != at.shared {
            return Ok(None);
        }
        Ok(self
            .store
            .changed_since(at.revisions, at_most)?
            .map(|(last, written)| {
                let marks = athar_store::DataMarks {
                    revisions: last.max(now.revisions),
                    ..now
                };
                (marks, written)
            }))
    }

    /// How this organisation may see a record (hidden for an id that does not exist).
    pub fn visibility(&self, kind: RecordKind, id: RecordId) -> Result<Visibility> {
        self.store.visibility(self.org.number(), kind, id)
    }

    /// A record as this organisation may see it: not at all (not found), in full, or
    /// without its identifying parts.
    pub fn read(&self, kind: RecordKind, id: RecordId) -> Result<StoredRecord> {
        match self.visibility(kind, id)? {
            Visibility::Hidden => Err(StoreError::NotFound { kind, id }),
            Visibility::Owner | Visibility::Full => self.store.get(kind, id),
            Visibility::Pseudonymised => {
                let mut record = self.store.get(kind, id)?;
                take_identifying(&mut record.body);
                record.pseudonymised = true;
                Ok(record)
            }
        }
    }

    /// A record as [`Scope::read`] gives it, or `None` when it is not there for this
    /// organisation (hidden, unknown or deleted).
    pub fn read_if_visible(&self, kind: RecordKind, id: RecordId) -> Result<Option<StoredRecord>> {
        match self.read(kind, id) {
            Ok(r) => Ok(Some(r)),
            Err(StoreError::NotFound { .. } | StoreError::Deleted { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Succeeds when this organisation owns the record; for any other the record does not
    /// exist (not found), so nobody learns that it is there.
    pub fn require_owner(&self, kind: RecordKind, id: RecordId) -> Result<()> {
        if self.visibility(kind, id)? == Visibility::Owner {
            Ok(())
        } else {
            Err(StoreError::NotFound { kind, id })
        }
    }

    /// A record this organisation owns, in full.
    pub fn read_owned(&self, kind: RecordKind, id: RecordId) -> Result<StoredRecord> {
        self.require_owner(kind, id)?;
        self.store.get(kind, id)
    }

    /// A page of the records of a kind this organisation may see, in id order after `after`.
    pub fn list(
        &self,
        kind: RecordKind,
        after: Option<RecordId>,
        limit: usize,
    ) -> Result<Vec<StoredRecord>> {
        self.store.list_for(self.org.number(), kind, after, limit)
    }

    /// Every record of a kind this organisation may see, in id order.
    pub fn list_all(&self, kind: RecordKind) -> Result<Vec<StoredRecord>> {
        self.store.list_all_for(self.org.number(), kind)
    }

    /// The id and content of every record of these kinds this organisation may see, kind
    /// after kind, each in id order: what counts, reports and briefs are built from.
    pub fn bodies_of(&self, kinds: &[RecordKind]) -> Result<Vec<(RecordId, RecordBody)>> {
        let mut out = Vec::new();
        for &kind in kinds {
            out.extend(self.list_all(kind)?.into_iter().map(|r| (r.id, r.body)));
        }
        Ok(out)
    }

    /// How many records of a kind this organisation may see.
    pub fn count(&self, kind: RecordKind) -> Result<u64> {
        self.store.count_for(self.org.number(), kind)
    }

    /// Every revision of a record this organisation may see, oldest first; without
    /// identifying parts where it was shared pseudonymised.
    pub fn history(&self, kind: RecordKind, id: RecordId) -> Result<Vec<Revision>> {
        let visibility = self.visibility(kind, id)?;
        if visibility == Visibility::Hidden {
            return Err(StoreError::NotFound { kind, id });
        }
        let mut revisions = self.store.history(kind, id)?;
        if visibility == Visibility::Pseudonymised {
            for r in &mut revisions {
                take_identifying(&mut r.body);
            }
        }
        Ok(revisions)
    }

    /// The involvements in an event that this organisation may see; the event itself must
    /// be visible to it.
    pub fn event_involvements(&self, event: RecordId) -> Result<Vec<StoredRecord>> {
        self.read(RecordKind::Event, event)?;
        self.visible_involvements(self.store.involvements_of_event(event)?)
    }

    /// The involvements naming a person that this organisation may see; the person must be
    /// visible to it.
    pub fn person_involvements(&self, person: RecordId) -> Result<Vec<StoredRecord>> {
        self.read(RecordKind::Person, person)?;
        self.visible_involvements(self.store.involvements_of_person(person)?)
    }

    /// Of the involvements the store found, those this organisation may see, as it may see
    /// them.
    fn visible_involvements(&self, found: Vec<StoredRecord>) -> Result<Vec<StoredRecord>> {
        let mut out = Vec::with_capacity(found.len());
        for inv in found {
            if let Some(seen) = self.read_if_visible(RecordKind::Involvement, inv.id)? {
                out.push(seen);
            }
        }
        Ok(out)
    }

    /// Persons this organisation may find by name (its own, and those shared with it in
    /// full), in any spelling or script, closest first: every match it may see is counted
    /// before the page is cut.
    pub fn find_persons(
        &self,
        query: &str,
        after: Option<SearchCursor>,
        limit: usize,
    ) -> Result<PersonMatches> {
        self.store
            .find_persons_for(self.org.number(), query, after, limit)
    }

    /// Apply changes as this organisation, in one transaction with one audit entry: what
    /// they create it owns, what they change must be its own, and what they reference it
    /// must be able to see. Records are checked against the organisation's vocabularies
    /// (its added terms included).
    pub fn write(&self, action: &str, mut changes: Vec<Change>) -> Result<Written> {
        // A case's review changes only through its review steps.
        self.keep_reviews(&mut changes)?;
        self.write_as_is(action, changes)
    }

    /// [`Scope::write`] without keeping reviews: for the review steps themselves.
    pub(crate) fn write_as_is(&self, action: &str, changes: Vec<Change>) -> Result<Written> {
        let vocab = self.vocabularies_for(&changes)?;
        self.check_steps_follow(&changes)?;
        let set = ChangeSet {
            author: self.author.to_string(),
            action: action.to_string(),
            owner: Some(self.org.number()),
            changes,
        };
        let prepared = athar_store::prepare(set, &vocab, &self.store.keyring())?;
        self.store.write_prepared(prepared)
    }

    /// An event that follows another (`previous`) may not be dated certainly before it: a
    /// family's inquiry dated before the disappearance it follows is a typing mistake the
    /// case would carry to the UN. Fuzzy dates that may agree are accepted.
    fn check_steps_follow(&self, changes: &[Change]) -> Result<()> {
        use athar_model::validation::FieldError;
        let body_of = |id: RecordId| {
            changes.iter().find_map(|c| match c {
                Change::Create {
                    id: i,
                    body: RecordBody::Event(e),
                }
                | Change::Update {
                    id: i,
                    body: RecordBody::Event(e),
                    ..
                } if *i == id => Some(e.clone()),
                _ => None,
            })
        };
        for (index, change) in changes.iter().enumerate() {
            let (Change::Create {
                body: RecordBody::Event(event),
                ..
            }
            | Change::Update {
                body: RecordBody::Event(event),
                ..
            }) = change
            else {
                continue;
            };
            let Some(previous) = event.previous else {
                continue;
            };
            let before = match body_of(previous) {
                Some(e) => Some(e),
                None => match self.read_if_visible(RecordKind::Event, previous)? {
                    Some(StoredRecord {
                        body: RecordBody::Event(e),
                        ..
                    }) => Some(e),
                    _ => None,
                },
            };
            if let Some(before) = before
                && before.start.compare(&event.start) == athar_model::Temporal::After
            {
                return Err(StoreError::Invalid {
                    index,
                    errors: vec![FieldError::new(
                        "start",
                        "event.before_previous",
                        format!(
                            "the event is dated {} but follows an event of {} (previous): one of the dates is wrong",
                            event.start, before.start
                        ),
                        format!(
                            "تاريخ الحدث {} لكنه يلي حدثاً بتاريخ {} (الحدث السابق): أحد التاريخين خاطئ",
                            event.start, before.start
                        ),
                    )],
                });
            }
        }
        Ok(())
    }

    /// Create one record and read it back as written.
    pub fn create(&self, action: &str, id: RecordId, body: RecordBody) -> Result<StoredRecord> {
        let kind = body.kind();
        self.write(action, vec![Change::Create { id, body }])?;
        self.store.get(kind, id)
    }

    /// Replace one record this organisation owns and read it back.
    pub fn update(
        &self,
        action: &str,
        id: RecordId,
        expected_rev: Option<u32>,
        body: RecordBody,
    ) -> Result<StoredRecord> {
        let kind = body.kind();
        self.write(
            action,
            vec![Change::Update {
                id,
                expected_rev,
                body,
            }],
        )?;
        self.store.get(kind, id)
    }

    /// Destroy the identifying data of a record this organisation owns.
    pub fn shred(&self, kind: RecordKind, id: RecordId, reason: &str) -> Result<Written> {
        self.require_owner(kind, id)?;
        self.store.shred(kind, id, self.author, reason)
    }

    /// Record in the audit chain an action of this author that changes nothing (a count,
    /// an export), with what it was about.
    pub fn record_action(&self, action: &str, subject: Option<&str>) -> Result<()> {
        self.store.audit(self.author, action, subject)?;
        Ok(())
    }

    /// Write every view waiting in the batch now (before an entry that should follow them).
    pub fn flush_views(&self) -> Result<()> {
        match self.views {
            Some(log) => log.flush(self.store, true),
            None => Ok(()),
        }
    }

    /// Record in the audit chain that this author read figures that name nobody (`stats`):
    /// with a view log (the server's) one entry per window says how many such requests
    /// there were, so a dashboard refreshing all day does not multiply the store.
    pub fn record_reading(&self, action: &str) -> Result<()> {
        match self.views {
            Some(log) => log.count(self.store, self.author, action),
            None => self.record_action(action, None),
        }
    }

    /// Record in the audit chain that this author saw these records (their identifying
    /// parts included): who saw a person's file can always be answered. With a view log
    /// (the server's), views are written in batches (`crate::views`).
    pub fn record_view(&self, kind: RecordKind, ids: &[RecordId]) -> Result<()> {
        match self.views {
            Some(log) => log.record(self.store, self.author, kind, ids),
            None => crate::views::write_now(self.store, self.author, kind, ids),
        }
    }
}
