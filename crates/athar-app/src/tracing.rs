//! Families' tracing, as one organisation works a missing-person report: the candidate
//! matches in every record it may see (recovered registers among them), the steps taken,
//! the outcome, and the letter to the family.
//!
//! Candidates are scored by the linkage engine against every named person record the
//! organisation may see (`athar_link::tracing`); each comes back with what the
//! organisation may see of it — its sources, its journey and derived status — and with
//! what in it contradicts the family's account (a death recorded before the person was last
//! seen). Confirming a candidate is a linkage decision (`Scope::decide_match`), so the
//! statistics count the two records as one person. The outcome is a revision of the
//! person's record (`tracing.outcome` in the audit chain); a confirmed death is also stated
//! as the person's status, citing the sources of the record that settled it.

use std::sync::Arc;

use athar_link::tracing::{Candidate, CandidatesError, Field, ModelSource};
use athar_model::consent::{Purpose, permits};
use athar_model::intake::{OutcomeDraft, SearchStepDraft};
use athar_model::status::{StatedStatus, Status};
use athar_model::tracing::Tracing;
use athar_model::vocab::Lang;
use athar_model::{
    Citation, Event, FieldError, FuzzyDate, MatchDecision, RecordBody, RecordId, RecordKind,
    Temporal,
};
use athar_report::letter::{FamilyLetter, LetterError, LetterMaterial};
use athar_store::{Change, DataMarks, Result, StoreError, StoredRecord, Written};

use crate::Scope;
use crate::journey::Journey;

/// The named persons each organisation may see, prepared for families' tracing
/// ([`Field`]), kept while no person record, linkage run or sharing changes: preparing
/// them reads every person record (seconds for a large store), while a report's
/// candidates are scored in a fraction of that. Decisions, search steps and other records
/// leave them as they were.
#[derive(Default)]
pub struct FieldCache {
    by_org:
        std::sync::Mutex<std::collections::HashMap<athar_model::OrgId, (DataMarks, Arc<Field>)>>,
    /// How many times a field was prepared.
    prepared: std::sync::atomic::AtomicUsize,
}

impl FieldCache {
    /// How many times a field was prepared rather than taken from the cache.
    pub fn prepared(&self) -> usize {
        self.prepared.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Scope<'_> {
    /// The named persons this organisation may see, prepared for comparison: from the
    /// cache when no person record, run or sharing changed since, else prepared now.
    fn tracing_field(&self) -> std::result::Result<Arc<Field>, CandidatesError> {
        let org = self.org();
        let Some(cache) = self.field else {
            return Ok(Arc::new(Field::prepare(self.store, org.number())?));
        };
        let kept = cache.by_org.lock().ok().and_then(|c| c.get(&org).cloned());
        if let Some((at, field)) = kept
            && let Some((marks, written)) =
                self.written_since(at, crate::counting::RECOUNT_AT_MOST)?
            && !written.iter().any(|(kind, _)| *kind == RecordKind::Person)
        {
            if marks != at
                && let Ok(mut c) = cache.by_org.lock()
            {
                c.insert(org, (marks, Arc::clone(&field)));
            }
            return Ok(field);
        }
        cache
            .prepared
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let marks = self.store.data_marks()?;
        let field = Arc::new(Field::prepare(self.store, org.number())?);
        if let Ok(mut c) = cache.by_org.lock() {
            c.insert(org, (marks, Arc::clone(&field)));
        }
        Ok(field)
    }
}

/// At most this many undecided candidates are shown for one report.
pub const CANDIDATES_SHOWN: usize = 20;

/// What in a candidate's records contradicts the family's account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contradiction {
    /// The candidate's records give a death (of this kind and date) certainly before the
    /// person was last seen.
    DiedBeforeLastSeen { kind: String, date: FuzzyDate },
}

/// A candidate with what the organisation may see of it.
#[derive(Debug, Clone)]
pub struct CandidateRecord {
    pub candidate: Candidate,
    /// Its journey (person, involvements, events) as the organisation may see it.
    pub journey: Journey,
    pub status: Status,
    /// The titles of the sources (lists, registers) it cites, as far as they may be read.
    pub sources: Vec<String>,
    pub against: Vec<Contradiction>,
}

/// The candidates for one reported person.
#[derive(Debug, Clone)]
pub struct TracingCandidates {
    /// Where the scoring model came from; `None` when nothing could be compared (the
    /// person has no name, or the organisation holds too few records to learn from).
    pub model: Option<ModelSource>,
    pub compared: usize,
    pub candidates: Vec<CandidateRecord>,
    /// The family refused (or withdrew) consent to search the records for the person:
    /// nothing was compared.
    pub withheld: bool,
}

/// Why a letter to a family cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum LetterFailure {
    #[error(transparent)]
    Refused(#[from] athar_report::letter::LetterError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A refused letter as a field error, in both languages.
pub fn letter_refusal(why: &LetterError) -> FieldError {
    match why {
        LetterError::NoContactConsent => FieldError::new(
            "consent",
            "tracing.no_contact_consent",
            "the family did not consent to be contacted: no letter can be made",
            "لم توافق العائلة على التواصل معها: لا يمكن إعداد رسالة",
        ),
    }
}

/// The last sighting of a journey: the latest step of the `missing` category.
pub fn last_seen<'a>(
    journey: &'a Journey,
    vocab: &athar_model::Vocabularies,
) -> Option<&'a crate::journey::JourneyStep> {
    journey
        .as_victim()
        .filter(|s| vocab.category_of(&s.details.kind) == Some("missing"))
        .last()
}

/// The steps taken to find the person (events of the `search` category), in journey order.
pub fn search_steps<'a>(
    journey: &'a Journey,
    vocab: &'a athar_model::Vocabularies,
) -> impl Iterator<Item = &'a crate::journey::JourneyStep> {
    journey
        .as_victim()
        .filter(move |s| vocab.category_of(&s.details.kind) == Some("search"))
}

fn person_of(record: &StoredRecord) -> Option<&athar_model::Person> {
    match &record.body {
        RecordBody::Person(p) => Some(p),
        _ => None,
    }
}

/// A family's answer on searching binds: asked and not given (refused, withdrawn), nothing
/// is compared. A person never asked (not a family's report) may be compared.
fn search_refused(p: &athar_model::Person) -> bool {
    p.consent
        .iter()
        .any(|c| c.purpose == Purpose::FamilyTracing)
        && !permits(&p.consent, Purpose::FamilyTracing)
}

/// The statement a death outcome adds to the person's statuses.
fn death_statement(tracing: &Tracing, sources: &[Citation]) -> Option<StatedStatus> {
    tracing.outcome.is_death().then(|| StatedStatus {
        status: Status::Dead,
        date: tracing.date,
        sources: sources.to_vec(),
    })
}

fn matched_error(code: &str, en: &str, ar: &str) -> Vec<FieldError> {
    vec![FieldError::new("matched", code, en, ar)]
}

impl Scope<'_> {
    /// The titles of the sources a person record cites, as far as this organisation may
    /// read them (a source shared pseudonymised has no title to show).
    fn source_titles(&self, citations: &[Citation]) -> Result<Vec<String>> {
        let mut titles = Vec::new();
        for c in citations {
            if let Some(r) = self.read_if_visible(RecordKind::Source, c.source)?
                && let RecordBody::Source(s) = &r.body
                && !s.title.trim().is_empty()
                && !titles.contains(&s.title)
            {
                titles.push(s.title.clone());
            }
        }
        Ok(titles)
    }

    /// The person records that may be `person` (a family's report, or any person record),
    /// the likeliest first, with what the organisation may see of each; looking is
    /// recorded in the audit chain (`tracing.candidates`).
    pub fn tracing_candidates(&self, person: RecordId) -> Result<TracingCandidates> {
        let journey = self.journey(person)?;
        let vocab = self.vocabularies()?;
        let seen = last_seen(&journey, &vocab).map(|s| s.details.start);
        let none = |withheld| TracingCandidates {
            model: None,
            compared: 0,
            candidates: Vec::new(),
            withheld,
        };
        if person_of(&journey.person).is_some_and(search_refused) {
            return Ok(none(true));
        }
        let found = match self.tracing_field().and_then(|field| {
            field.candidates(self.store, self.org().number(), person, CANDIDATES_SHOWN)
        }) {
            Ok(found) => found,
            Err(CandidatesError::Run(athar_link::stored::RunError::Store(e))) => return Err(e),
            Err(_) => return Ok(none(false)),
        };
        self.record_action("tracing.candidates", Some(&person.to_string()))?;
        let mut candidates = Vec::with_capacity(found.candidates.len());
        for candidate in found.candidates {
            let journey = self.journey(candidate.person)?;
            let status = journey.status(&vocab);
            let sources = match person_of(&journey.person) {
                Some(p) => self.source_titles(&p.sources)?,
                None => Vec::new(),
            };
            let mut against = Vec::new();
            if let Some(seen) = seen {
                for step in journey.as_victim() {
                    let category = vocab.category_of(&step.details.kind);
                    if matches!(category, Some("death-in-custody" | "killing"))
                        && step.details.start.compare(&seen) == Temporal::Before
                    {
                        against.push(Contradiction::DiedBeforeLastSeen {
                            kind: step.details.kind.clone(),
                            date: step.details.start,
                        });
                    }
                }
            }
            candidates.push(CandidateRecord {
                candidate,
                journey,
                status,
                sources,
                against,
            });
        }
        Ok(TracingCandidates {
            model: Some(found.model),
            compared: found.compared,
            candidates,
            withheld: false,
        })
    }

    /// Record a step taken to find `person`: an event of the `search` category following
    /// their last sighting, citing the person's sources, in one write (`tracing.step`).
    /// Fields that stop it come back named as in the form, and nothing is written. The
    /// search is the owner's: for another organisation the person is not found, even when
    /// shared with it (its steps would enter the owner's case).
    pub fn record_search_step(
        &self,
        person: RecordId,
        step: &SearchStepDraft,
    ) -> Result<std::result::Result<Written, Vec<FieldError>>> {
        self.read_owned(RecordKind::Person, person)?;
        let journey = self.journey(person)?;
        let vocab = self.vocabularies()?;
        let after = last_seen(&journey, &vocab).map(|s| (s.event.id, s.details.start));
        let sources = person_of(&journey.person)
            .map(|p| p.sources.clone())
            .unwrap_or_default();
        let records = match step.build(&vocab, person, after, &sources, RecordId::new) {
            Ok(records) => records,
            Err(problems) => return Ok(Err(problems)),
        };
        let changes = records
            .into_iter()
            .map(|(id, body)| Change::Create { id, body })
            .collect();
        match self.write("tracing.step", changes) {
            Ok(written) => Ok(Ok(written)),
            Err(StoreError::Invalid { errors, .. }) => Ok(Err(errors)),
            Err(e) => Err(e),
        }
    }

    /// Record what the search for `person` (a record this organisation owns, at revision
    /// `expected_rev` when given) has come to. The record it rests on must be one the
    /// organisation may see, and a confirmed outcome needs the match confirmed first (a
    /// linkage decision that the two are the same person). A death outcome is also stated
    /// as the person's status, citing the matched record's sources; a later outcome takes
    /// back what the earlier one stated.
    pub fn record_tracing_outcome(
        &self,
        person: RecordId,
        draft: &OutcomeDraft,
        expected_rev: Option<u32>,
    ) -> Result<std::result::Result<StoredRecord, Vec<FieldError>>> {
        let current = self.read_owned(RecordKind::Person, person)?;
        let RecordBody::Person(mut body) = current.body else {
            return Err(StoreError::NotFound {
                kind: RecordKind::Person,
                id: person,
            });
        };
        let tracing = match draft.build(self.author()) {
            Ok(t) => t,
            Err(problems) => return Ok(Err(problems)),
        };
        let sources_of = |id: Option<RecordId>| -> Result<Option<Vec<Citation>>> {
            let Some(id) = id else {
                return Ok(Some(Vec::new()));
            };
            Ok(self
                .read_if_visible(RecordKind::Person, id)?
                .and_then(|r| person_of(&r).map(|p| p.sources.clone())))
        };
        let Some(matched_sources) = sources_of(tracing.matched)? else {
            return Ok(Err(matched_error(
                "tracing.matched_unknown",
                "no such record among those this organisation may see",
                "لا يوجد سجل كهذا بين السجلات التي تستطيع هذه المنظمة رؤيتها",
            )));
        };
        if let Some(matched) = tracing.matched {
            if matched == person {
                return Ok(Err(matched_error(
                    "tracing.matched_self",
                    "choose another record than the report itself",
                    "اختر سجلاً غير البلاغ نفسه",
                )));
            }
            let confirmed = tracing.outcome != athar_model::tracing::Outcome::Possible;
            let decided = athar_link::stored::decision_about(
                self.store,
                self.org().number(),
                (person, matched),
            )?;
            if confirmed && decided != Some(MatchDecision::Same) {
                return Ok(Err(matched_error(
                    "tracing.confirm_first",
                    "confirm first that this record is the same person",
                    "أكّد أولاً أن هذا السجل يخص الشخص نفسه",
                )));
            }
        }
        // What an earlier death outcome stated is taken back before the new one is added.
        if let Some(previous) = &body.tracing {
            let previous_sources = sources_of(previous.matched)?.unwrap_or_default();
            if let Some(earlier) = death_statement(previous, &previous_sources) {
                body.stated.retain(|s| *s != earlier);
            }
        }
        if let Some(statement) = death_statement(&tracing, &matched_sources) {
            body.stated.push(statement);
        }
        body.tracing = Some(tracing);
        let write = self.write(
            "tracing.outcome",
            vec![Change::Update {
                id: person,
                expected_rev: expected_rev.or(Some(current.rev)),
                body: RecordBody::Person(body),
            }],
        );
        match write {
            Ok(_) => Ok(Ok(self.read(RecordKind::Person, person)?)),
            Err(StoreError::Invalid { errors, .. }) => Ok(Err(errors)),
            Err(e) => Err(e),
        }
    }

    /// The letter to the family who reported `person`, in `lang`: what was compared and
    /// which steps were taken, what the search has come to and the record it rests on.
    /// Refused when the family did not consent to be contacted. Only the organisation that
    /// owns the report writes to the family: for any other it is not found.
    pub fn family_letter(
        &self,
        person: RecordId,
        lang: Lang,
    ) -> std::result::Result<FamilyLetter, LetterFailure> {
        self.read_owned(RecordKind::Person, person)?;
        let journey = self.journey(person)?;
        let vocab = self.vocabularies()?;
        let Some(body) = person_of(&journey.person).cloned() else {
            return Err(StoreError::NotFound {
                kind: RecordKind::Person,
                id: person,
            }
            .into());
        };
        // The family's account: the first source the report cites.
        let mut reported_on = FuzzyDate::Unknown;
        let mut reported_by = None;
        if let Some(c) = body.sources.first()
            && let Some(r) = self.read_if_visible(RecordKind::Source, c.source)?
            && let RecordBody::Source(s) = &r.body
        {
            reported_on = s.date;
            reported_by = Some(s.title.clone()).filter(|t| !t.trim().is_empty());
        }
        let last = last_seen(&journey, &vocab).map(|s| s.details.clone());
        let steps: Vec<Event> = search_steps(&journey, &vocab)
            .map(|s| s.details.clone())
            .collect();
        // What the report's page compared it with; nothing when the family refused the search.
        let compared = if search_refused(&body) {
            0
        } else {
            match self.tracing_field() {
                Ok(field) => field.compared(),
                Err(CandidatesError::Run(athar_link::stored::RunError::Store(e))) => {
                    return Err(e.into());
                }
                Err(_) => athar_link::tracing::compared_with(self.store, self.org().number())?,
            }
        };
        let (mut matched_sources, mut matched_events) = (Vec::new(), Vec::new());
        if let Some(matched) = body.tracing.as_ref().and_then(|t| t.matched)
            && self.read_if_visible(RecordKind::Person, matched)?.is_some()
        {
            let theirs = self.journey(matched)?;
            if let Some(p) = person_of(&theirs.person) {
                matched_sources = self.source_titles(&p.sources)?;
            }
            matched_events = theirs
                .as_victim()
                .filter(|s| {
                    !matches!(
                        vocab.category_of(&s.details.kind),
                        Some("search" | "missing")
                    )
                })
                .map(|s| s.details.clone())
                .collect();
        }
        let material = LetterMaterial {
            person_id: person,
            outcome: body.tracing.clone(),
            person: body,
            reported_on,
            reported_by,
            last_seen: last,
            steps,
            records_compared: compared,
            matched_sources,
            matched_events,
            organisation: self.organisation_name()?,
            synthetic: self.holds_demo_data()?,
        };
        Ok(athar_report::letter::build_letter(
            &material,
            &vocab,
            lang,
            &crate::reports::today(),
        )?)
    }

    /// The letter to the family laid out as a PDF (or, `pdf` false, its JSON), its handing
    /// out recorded in the audit chain with the SHA-256 of what is handed out
    /// (`tracing.letter`); the refusal when a letter cannot be written.
    pub fn hand_out_letter(
        &self,
        person: RecordId,
        lang: Lang,
        pdf: bool,
    ) -> Result<std::result::Result<crate::reports::Rendered, LetterError>> {
        let letter = match self.family_letter(person, lang) {
            Ok(letter) => letter,
            Err(LetterFailure::Store(e)) => return Err(e),
            Err(LetterFailure::Refused(why)) => return Ok(Err(why)),
        };
        let laid_out = |bytes: std::result::Result<Vec<u8>, String>| {
            bytes
                .map_err(|e| StoreError::Database(format!("the letter could not be laid out: {e}")))
        };
        let rendered = if pdf {
            crate::reports::Rendered {
                bytes: laid_out(
                    athar_report::pdf::render_letter(&letter).map_err(|e| e.to_string()),
                )?,
                media_type: "application/pdf",
                extension: "pdf",
            }
        } else {
            crate::reports::Rendered {
                bytes: laid_out(serde_json::to_vec_pretty(&letter).map_err(|e| e.to_string()))?,
                media_type: "application/json",
                extension: "json",
            }
        };
        let code = if lang == Lang::Ar { "ar" } else { "en" };
        self.record_handout(
            "tracing.letter",
            &format!("person:{person}"),
            (rendered.extension, code),
            &rendered,
        )?;
        Ok(Ok(rendered))
    }
}
