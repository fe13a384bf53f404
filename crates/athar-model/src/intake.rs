//! A new case as it is being typed: the person, each event of their journey and the
//! source, kept exactly as written — every field a string, nothing parsed away — so that a
//! draft saved half-way, with a date still wrong, loses nothing. [`CaseDraft::build`] turns
//! a finished draft into the records of the case (the source, the person, each event with
//! the person's involvement as its victim, chained in the order typed), or names every
//! field that stops it, in English and Arabic.
//!
//! Pickers send vocabulary ids (`unit`, `kind`, `host_country`, `facility`); a place is
//! typed, and resolved against the gazetteer when it names one (a `(SY…)` P-code chosen
//! from the list, or a name in either language) — otherwise it is kept as the source
//! describes it.

use serde::{Deserialize, Serialize};

use crate::consent::{Answer, Consent, Purpose};
use crate::date::{FuzzyDate, Temporal};
use crate::event::{Event, Involvement, Role};
use crate::ids::RecordId;
use crate::person::{Person, PersonName, Script, Sex};
use crate::place::PlaceRef;
use crate::record::RecordBody;
use crate::source::{Citation, Reliability, Source};
use crate::validation::FieldError;
use crate::vocab::Vocabularies;

/// At most this many events in one draft (a journey longer than that is typed as several
/// edits, not one form).
pub const MAX_EVENTS: usize = 40;

/// A name in one script, part by part, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NameDraft {
    pub given: String,
    pub father: String,
    pub grandfather: String,
    pub family: String,
    pub mother: String,
}

impl NameDraft {
    fn is_empty(&self) -> bool {
        [
            &self.given,
            &self.father,
            &self.grandfather,
            &self.family,
            &self.mother,
        ]
        .iter()
        .all(|p| p.trim().is_empty())
    }

    fn to_name(&self, script: Script) -> Option<PersonName> {
        if self.is_empty() {
            return None;
        }
        let part = |p: &String| {
            let p = p.trim();
            (!p.is_empty()).then(|| p.to_string())
        };
        Some(PersonName {
            script,
            given: part(&self.given),
            father: part(&self.father),
            grandfather: part(&self.grandfather),
            family: part(&self.family),
            mother: part(&self.mother),
            ..PersonName::default()
        })
    }
}

/// One event of the journey, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EventDraft {
    /// An `event-kinds` id.
    pub kind: String,
    pub date: String,
    pub end: String,
    /// The place as typed, or as picked from the gazetteer's list.
    pub place: String,
    /// A `facilities` id.
    pub facility: String,
    /// A `units` id.
    pub unit: String,
    /// A `host-countries` id, for returns.
    pub host_country: String,
    pub narrative: String,
}

impl EventDraft {
    pub fn is_empty(&self) -> bool {
        [
            &self.kind,
            &self.date,
            &self.end,
            &self.place,
            &self.facility,
            &self.unit,
            &self.host_country,
            &self.narrative,
        ]
        .iter()
        .all(|p| p.trim().is_empty())
    }
}

/// Where what the case says comes from, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SourceDraft {
    /// A `source-kinds` id.
    pub kind: String,
    pub title: String,
    pub date: String,
    /// `A` to `F`.
    pub reliability: String,
}

/// A case being typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaseDraft {
    pub arabic: NameDraft,
    pub latin: NameDraft,
    /// `male`, `female` or empty.
    pub sex: String,
    pub birth_date: String,
    pub birthplace: String,
    pub events: Vec<EventDraft>,
    pub source: SourceDraft,
}

/// The records a finished draft makes, in the order they are written.
#[derive(Debug, Clone, PartialEq)]
pub struct BuiltCase {
    pub source: RecordId,
    pub person: RecordId,
    /// Each event's id, in the order typed.
    pub events: Vec<RecordId>,
    pub records: Vec<(RecordId, RecordBody)>,
}

fn text(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty()).then(|| v.to_string())
}

/// The names typed in the two scripts; a problem noted when there is none.
fn names_of(
    arabic: &NameDraft,
    latin: &NameDraft,
    problems: &mut Vec<FieldError>,
) -> Vec<PersonName> {
    let names: Vec<PersonName> = [arabic.to_name(Script::Arab), latin.to_name(Script::Latn)]
        .into_iter()
        .flatten()
        .collect();
    if names.is_empty() {
        problems.push(name_required());
    }
    names
}

/// Submitted for review by whoever writes it (the writer fills in who).
fn submitted() -> crate::review::CaseReview {
    crate::review::CaseReview {
        state: crate::review::ReviewState::Submitted,
        submitted_by: String::new(),
        reviewed_by: None,
        verified_rev: None,
        comment: None,
    }
}

/// A person needs a name (one part is enough), in either script.
fn name_required() -> FieldError {
    FieldError::new(
        "arabic.given",
        "intake.name_required",
        "give at least one part of the name, in Arabic or Latin letters",
        "اكتب جزءاً واحداً من الاسم على الأقل، بالحروف العربية أو اللاتينية",
    )
}

/// The sex chosen (`male`, `female`, or empty for not known); `None`, with the problem
/// noted, for anything else.
fn sex(field: &str, value: &str, problems: &mut Vec<FieldError>) -> Option<Sex> {
    match value.trim() {
        "male" => Some(Sex::Male),
        "female" => Some(Sex::Female),
        "" | "unknown" => Some(Sex::Unknown),
        _ => {
            problems.push(FieldError::new(
                field,
                "intake.sex",
                "choose male, female or not known",
                "اختر ذكراً أو أنثى أو غير معروف",
            ));
            None
        }
    }
}

fn date(field: &str, value: &str, problems: &mut Vec<FieldError>) -> FuzzyDate {
    match FuzzyDate::parse(value) {
        Ok(d) => d,
        Err(e) => {
            problems.push(FieldError::from_date(field, &e));
            FuzzyDate::Unknown
        }
    }
}

fn term(
    field: &str,
    value: &str,
    vocabulary: &crate::vocab::Vocabulary,
    problems: &mut Vec<FieldError>,
) -> Option<String> {
    let value = text(value)?;
    if vocabulary.get(&value).is_some() {
        return Some(value);
    }
    // A label typed instead of picked: the term it names, when only one does.
    match vocabulary.lookup(&value).as_slice() {
        [one] => Some(one.id.clone()),
        _ => {
            problems.push(FieldError::unknown_term(field, vocabulary.name));
            None
        }
    }
}

/// A typed place: the gazetteer entry it names (by a `(SY…)` P-code picked from the list,
/// or by one name), with the words kept as the source describes the place.
pub fn resolve_place(vocab: &Vocabularies, typed: &str) -> Option<PlaceRef> {
    let typed = text(typed)?;
    let picked = typed
        .rsplit_once('(')
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .map(str::trim)
        .filter(|code| vocab.gazetteer.get(code).is_some())
        .map(str::to_string);
    let pcode = picked.or_else(|| match vocab.gazetteer.lookup(&typed).as_slice() {
        // The largest area of that name: "Al-Hasakah" is first the governorate.
        [first, ..] => Some(first.pcode.clone()),
        [] => None,
    });
    Some(PlaceRef {
        pcode,
        facility: None,
        text: Some(typed),
    })
}

/// A missing-person report taken from a family, as typed: who is missing, when and where
/// they were last seen, who reports them and how to reach them (sealed), and what the
/// family consents to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MissingReport {
    pub arabic: NameDraft,
    pub latin: NameDraft,
    pub sex: String,
    pub birth_date: String,
    pub last_seen_date: String,
    pub last_seen_place: String,
    /// What the family tells of how the person went missing.
    pub circumstances: String,
    /// The relative who reports, and how they are related ("his mother").
    pub relative: String,
    pub relation: String,
    /// How to reach the family (phone, address) — identifying, sealed.
    pub contact: String,
    pub report_date: String,
    /// `given` or `refused`: searching the records for the person for the family.
    pub consent_search: String,
    /// `given` or `refused`: being contacted at the contact given.
    pub consent_contact: String,
}

fn answer(field: &str, value: &str, problems: &mut Vec<FieldError>) -> Option<Answer> {
    match value.trim() {
        "given" => Some(Answer::Given),
        "refused" => Some(Answer::Refused),
        _ => {
            problems.push(FieldError::new(
                field,
                "report.consent_required",
                "ask the family and record their answer",
                "اسأل العائلة وسجّل جوابها",
            ));
            None
        }
    }
}

impl MissingReport {
    /// The report's records: the family's account as the source, the missing person (with
    /// the family's contact, sealed, and their consent), the last sighting with the person
    /// as its victim; or every field that stops it.
    pub fn build(
        &self,
        vocab: &Vocabularies,
        person: RecordId,
        mut new_id: impl FnMut() -> RecordId,
    ) -> Result<BuiltCase, Vec<FieldError>> {
        let mut problems = Vec::new();
        let names = names_of(&self.arabic, &self.latin, &mut problems);
        let sex = sex("sex", &self.sex, &mut problems).unwrap_or(Sex::Unknown);
        let birth_date = date("birth_date", &self.birth_date, &mut problems);
        let seen = date("last_seen_date", &self.last_seen_date, &mut problems);
        let reported = date("report_date", &self.report_date, &mut problems);
        let relative = text(&self.relative);
        if relative.is_none() {
            problems.push(FieldError::required("relative"));
        }
        let search = answer("consent_search", &self.consent_search, &mut problems);
        let contact_answer = answer("consent_contact", &self.consent_contact, &mut problems);
        if !problems.is_empty() {
            return Err(problems);
        }
        let by = match text(&self.relation) {
            Some(relation) => format!("{} ({relation})", relative.clone().unwrap_or_default()),
            None => relative.clone().unwrap_or_default(),
        };
        let source_id = new_id();
        let cite = vec![Citation {
            source: source_id,
            locator: None,
        }];
        let consent = [
            (Purpose::FamilyTracing, search),
            (Purpose::FamilyContact, contact_answer),
        ]
        .into_iter()
        .filter_map(|(purpose, answer)| {
            Some(Consent {
                purpose,
                answer: answer?,
                date: reported,
                by: Some(by.clone()),
            })
        })
        .collect();
        let event_id = new_id();
        let records = vec![
            (
                source_id,
                RecordBody::Source(Source {
                    kind: "family-testimony".into(),
                    title: by.clone(),
                    date: reported,
                    reliability: Reliability::F,
                    ..Source::default()
                }),
            ),
            (
                person,
                RecordBody::Person(Person {
                    names,
                    sex,
                    birth_date,
                    contact: text(&self.contact),
                    consent,
                    sources: cite.clone(),
                    review: Some(submitted()),
                    ..Person::default()
                }),
            ),
            (
                event_id,
                RecordBody::Event(Event {
                    kind: "last-seen".into(),
                    start: seen,
                    place: resolve_place(vocab, &self.last_seen_place),
                    narrative: text(&self.circumstances),
                    sources: cite.clone(),
                    ..Event::default()
                }),
            ),
            (
                new_id(),
                RecordBody::Involvement(Involvement {
                    event: event_id,
                    person,
                    role: Role::Victim,
                    acts: Vec::new(),
                    verification: Default::default(),
                    sources: cite,
                }),
            ),
        ];
        Ok(BuiltCase {
            source: source_id,
            person,
            events: vec![event_id],
            records,
        })
    }
}

/// A step taken in a family's search, as typed: its kind (an `event-kinds` id of the
/// `search` category: an inquiry, a legal step, a request, a search of registers), when,
/// and what was asked and answered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchStepDraft {
    pub kind: String,
    pub date: String,
    pub narrative: String,
}

impl SearchStepDraft {
    /// The step's event, following the last sighting (`after`: its id and date) when there
    /// is one, and the person's involvement in it; or every field that stops it. A step
    /// dated before the person was last seen is refused: one cannot search for someone not
    /// yet missing.
    pub fn build(
        &self,
        vocab: &Vocabularies,
        person: RecordId,
        after: Option<(RecordId, FuzzyDate)>,
        sources: &[Citation],
        mut new_id: impl FnMut() -> RecordId,
    ) -> Result<Vec<(RecordId, RecordBody)>, Vec<FieldError>> {
        let mut problems = Vec::new();
        let kind = term("kind", &self.kind, &vocab.event_kinds, &mut problems);
        if self.kind.trim().is_empty() {
            problems.push(FieldError::required("kind"));
        }
        if let Some(k) = &kind
            && vocab.category_of(k) != Some("search")
        {
            problems.push(FieldError::new(
                "kind",
                "tracing.not_a_search_step",
                "choose a kind of search step",
                "اختر نوعاً من خطوات البحث",
            ));
        }
        let when = date("date", &self.date, &mut problems);
        if self.date.trim().is_empty() {
            problems.push(FieldError::required("date"));
        }
        if let Some((_, seen)) = &after
            && when.compare(seen) == Temporal::Before
        {
            problems.push(FieldError::new(
                "date",
                "tracing.step_before_last_seen",
                "this date is before the person was last seen",
                "هذا التاريخ يسبق آخر مرة شوهد فيها الشخص",
            ));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let event = new_id();
        Ok(vec![
            (
                event,
                RecordBody::Event(Event {
                    kind: kind.unwrap_or_default(),
                    start: when,
                    previous: after.map(|(id, _)| id),
                    narrative: text(&self.narrative),
                    sources: sources.to_vec(),
                    ..Event::default()
                }),
            ),
            (
                new_id(),
                RecordBody::Involvement(Involvement {
                    event,
                    person,
                    role: Role::Victim,
                    acts: Vec::new(),
                    verification: Default::default(),
                    sources: sources.to_vec(),
                }),
            ),
        ])
    }
}

/// The outcome of a family's search as the case worker types it (see
/// [`crate::tracing`]): the outcome's code, when, the person record that settled it (its
/// id, chosen among the candidates) and a note.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OutcomeDraft {
    pub outcome: String,
    pub date: String,
    pub matched: String,
    pub note: String,
}

impl OutcomeDraft {
    /// The outcome as the person's record carries it, recorded by `by`; or every field that
    /// stops it. A possible match, a confirmed death and identified remains name the record
    /// that settled them.
    pub fn build(&self, by: &str) -> Result<crate::tracing::Tracing, Vec<FieldError>> {
        use crate::tracing::{Outcome, Tracing};
        let mut problems = Vec::new();
        let outcome = Outcome::from_code(self.outcome.trim());
        if outcome.is_none() {
            problems.push(FieldError::new(
                "outcome",
                "tracing.outcome",
                "choose what the search has come to",
                "اختر ما انتهى إليه البحث",
            ));
        }
        let when = date("date", &self.date, &mut problems);
        let matched = match self.matched.trim() {
            "" => None,
            typed => match typed.parse::<RecordId>() {
                Ok(id) => Some(id),
                Err(_) => {
                    problems.push(FieldError::new(
                        "matched",
                        "tracing.matched",
                        "choose the record among the candidates",
                        "اختر السجل من بين المطابقات المرشحة",
                    ));
                    None
                }
            },
        };
        if let Some(o) = outcome
            && o.needs_match()
            && matched.is_none()
            && !problems.iter().any(|p| p.field == "matched")
        {
            problems.push(FieldError::new(
                "matched",
                "tracing.match_required",
                "name the record this outcome rests on",
                "حدّد السجل الذي تستند إليه هذه النتيجة",
            ));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Tracing {
            outcome: outcome.unwrap_or(Outcome::NoMatchYet),
            date: when,
            matched,
            by: by.to_string(),
            note: text(&self.note),
        })
    }
}

/// The details of a person's record as the edit form shows them: the first name in each
/// script, sex, birth date and birthplace, as strings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonEdit {
    pub arabic: NameDraft,
    pub latin: NameDraft,
    pub sex: String,
    pub birth_date: String,
    pub birthplace: String,
}

fn name_draft(name: Option<&PersonName>) -> NameDraft {
    let part = |p: &Option<String>| p.clone().unwrap_or_default();
    name.map(|n| NameDraft {
        given: part(&n.given),
        father: part(&n.father),
        grandfather: part(&n.grandfather),
        family: part(&n.family),
        mother: part(&n.mother),
    })
    .unwrap_or_default()
}

fn place_text(place: Option<&PlaceRef>) -> String {
    place
        .and_then(|p| p.text.clone().or_else(|| p.pcode.clone()))
        .unwrap_or_default()
}

impl PersonEdit {
    /// The form's values for a person as recorded.
    pub fn of(person: &Person) -> PersonEdit {
        let first = |script: Script| person.names.iter().find(|n| n.script == script);
        PersonEdit {
            arabic: name_draft(first(Script::Arab)),
            latin: name_draft(first(Script::Latn)),
            sex: match person.sex {
                Sex::Male => "male",
                Sex::Female => "female",
                Sex::Unknown => "",
            }
            .to_string(),
            birth_date: match person.birth_date {
                FuzzyDate::Unknown => String::new(),
                d => d.to_string(),
            },
            birthplace: place_text(person.birthplace.as_ref()),
        }
    }

    /// `person` with these details, everything else as it was (its other spellings,
    /// sources, consent, statements, review); or every field that stops it.
    pub fn apply(&self, person: &Person, vocab: &Vocabularies) -> Result<Person, Vec<FieldError>> {
        let mut problems = Vec::new();
        let mut out = person.clone();
        for (script, typed) in [(Script::Arab, &self.arabic), (Script::Latn, &self.latin)] {
            let at = out.names.iter().position(|n| n.script == script);
            let has_parts = |n: &PersonName| {
                [&n.given, &n.father, &n.grandfather, &n.family, &n.mother]
                    .iter()
                    .any(|p| p.is_some())
            };
            match (at, typed.to_name(script)) {
                (Some(i), Some(mut name)) => {
                    // What the form does not show (a nickname, the whole name as a list
                    // wrote it) is kept.
                    name.nickname = out.names[i].nickname.take();
                    name.full = out.names[i].full.take();
                    out.names[i] = name;
                }
                // Parts cleared: the name goes. A name written whole, with no parts to
                // show, stays whatever the form says.
                (Some(i), None) if has_parts(&out.names[i]) => {
                    out.names.remove(i);
                }
                (Some(_), None) => {}
                (None, Some(name)) => out.names.push(name),
                (None, None) => {}
            }
        }
        if out.names.is_empty() && !out.unnamed {
            problems.push(name_required());
        }
        out.sex = sex("sex", &self.sex, &mut problems).unwrap_or(person.sex);
        out.birth_date = date("birth_date", &self.birth_date, &mut problems);
        if self.birthplace.trim() != place_text(person.birthplace.as_ref()).trim() {
            out.birthplace = resolve_place(vocab, &self.birthplace);
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(problems)
        }
    }
}

impl CaseDraft {
    /// Whether nothing has been typed yet.
    pub fn is_empty(&self) -> bool {
        *self == CaseDraft::default()
            || (self.arabic.is_empty()
                && self.latin.is_empty()
                && self.sex.is_empty()
                && self.birth_date.trim().is_empty()
                && self.birthplace.trim().is_empty()
                && self.events.iter().all(EventDraft::is_empty)
                && self.source == SourceDraft::default())
    }

    /// The case's records: the source, the person (with id `person`), and each event that
    /// is not left blank with the person's involvement as its victim, each citing the
    /// source and following the one before. `new_id` gives the other records' ids. Every
    /// field that stops it is named (`arabic.given`, `events[1].date`, `source.title` …).
    pub fn build(
        &self,
        vocab: &Vocabularies,
        person: RecordId,
        mut new_id: impl FnMut() -> RecordId,
    ) -> Result<BuiltCase, Vec<FieldError>> {
        let mut problems = Vec::new();
        let names = names_of(&self.arabic, &self.latin, &mut problems);
        let sex = sex("sex", &self.sex, &mut problems).unwrap_or(Sex::Unknown);
        let birth_date = date("birth_date", &self.birth_date, &mut problems);

        // The source.
        let source_kind = term(
            "source.kind",
            &self.source.kind,
            &vocab.source_kinds,
            &mut problems,
        );
        if source_kind.is_none() && !problems.iter().any(|p| p.field == "source.kind") {
            problems.push(FieldError::required("source.kind"));
        }
        let title = text(&self.source.title);
        if title.is_none() {
            problems.push(FieldError::required("source.title"));
        }
        let source_date = date("source.date", &self.source.date, &mut problems);
        let reliability = match self.source.reliability.trim() {
            "A" => Reliability::A,
            "B" => Reliability::B,
            "C" => Reliability::C,
            "D" => Reliability::D,
            "E" => Reliability::E,
            "F" | "" => Reliability::F,
            _ => {
                problems.push(FieldError::new(
                    "source.reliability",
                    "intake.reliability",
                    "choose a grade from A to F",
                    "اختر درجة من A إلى F",
                ));
                Reliability::F
            }
        };

        // The events, in the order typed; blank rows are left out.
        let typed: Vec<(usize, &EventDraft)> = self
            .events
            .iter()
            .enumerate()
            .filter(|(_, e)| !e.is_empty())
            .collect();
        if typed.len() > MAX_EVENTS {
            problems.push(FieldError::new(
                "events",
                "intake.too_many_events",
                format!("at most {MAX_EVENTS} events in one form"),
                format!("لا يزيد عدد الأحداث في النموذج الواحد على {MAX_EVENTS}"),
            ));
        }
        let mut events: Vec<(usize, Event)> = Vec::with_capacity(typed.len());
        for (i, e) in typed {
            let field = |name: &str| format!("events[{i}].{name}");
            let kind = term(&field("kind"), &e.kind, &vocab.event_kinds, &mut problems);
            if kind.is_none() && text(&e.kind).is_none() {
                problems.push(FieldError::required(field("kind")));
            }
            let start = date(&field("date"), &e.date, &mut problems);
            let end = date(&field("end"), &e.end, &mut problems);
            let facility = term(
                &field("facility"),
                &e.facility,
                &vocab.facilities,
                &mut problems,
            );
            let mut place = resolve_place(vocab, &e.place);
            if let Some(facility) = facility {
                place.get_or_insert_with(PlaceRef::default).facility = Some(facility);
            }
            let event = Event {
                kind: kind.unwrap_or_default(),
                start,
                end,
                place,
                unit: term(&field("unit"), &e.unit, &vocab.units, &mut problems),
                host_country: term(
                    &field("host_country"),
                    &e.host_country,
                    &vocab.host_countries,
                    &mut problems,
                ),
                narrative: text(&e.narrative),
                ..Event::default()
            };
            if let Some((_, before)) = events.last()
                && before.start.compare(&event.start) == Temporal::After
            {
                problems.push(FieldError::new(
                    field("date"),
                    "event.before_previous",
                    "this event is dated before the one above it: correct a date or the order",
                    "تاريخ هذا الحدث يسبق الحدث الذي قبله: صحّح أحد التاريخين أو الترتيب",
                ));
            }
            events.push((i, event));
        }
        if !problems.is_empty() {
            return Err(problems);
        }

        let source_id = new_id();
        let cite = vec![Citation {
            source: source_id,
            locator: None,
        }];
        let mut records = vec![(
            source_id,
            RecordBody::Source(Source {
                kind: source_kind.unwrap_or_default(),
                title: title.unwrap_or_default(),
                date: source_date,
                reliability,
                ..Source::default()
            }),
        )];
        records.push((
            person,
            RecordBody::Person(Person {
                names,
                sex,
                birth_date,
                birthplace: resolve_place(vocab, &self.birthplace),
                sources: cite.clone(),
                review: Some(submitted()),
                ..Person::default()
            }),
        ));
        let mut event_ids = Vec::with_capacity(events.len());
        let mut previous = None;
        for (_, mut event) in events {
            let id = new_id();
            event.previous = previous;
            event.sources = cite.clone();
            records.push((id, RecordBody::Event(event)));
            records.push((
                new_id(),
                RecordBody::Involvement(Involvement {
                    event: id,
                    person,
                    role: Role::Victim,
                    acts: Vec::new(),
                    verification: Default::default(),
                    sources: cite.clone(),
                }),
            ));
            event_ids.push(id);
            previous = Some(id);
        }
        Ok(BuiltCase {
            source: source_id,
            person,
            events: event_ids,
            records,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> &'static Vocabularies {
        Vocabularies::embedded()
    }

    fn a_draft() -> CaseDraft {
        CaseDraft {
            arabic: NameDraft {
                given: "محمد".into(),
                family: "الحلبي".into(),
                ..NameDraft::default()
            },
            sex: "male".into(),
            birth_date: "~1990".into(),
            events: vec![
                EventDraft {
                    kind: "forced-return".into(),
                    date: "03/2019".into(),
                    host_country: "LB".into(),
                    ..EventDraft::default()
                },
                EventDraft::default(),
                EventDraft {
                    kind: "arrest".into(),
                    date: "حوالي 2019-04".into(),
                    place: "دوما".into(),
                    unit: "air-force-intelligence".into(),
                    ..EventDraft::default()
                },
            ],
            source: SourceDraft {
                kind: "family-testimony".into(),
                title: "مقابلة مع الأم".into(),
                ..SourceDraft::default()
            },
            ..CaseDraft::default()
        }
    }

    #[test]
    fn a_finished_draft_makes_the_source_the_person_and_a_chained_journey() {
        let person = RecordId::new();
        let built = a_draft()
            .build(vocab(), person, RecordId::new)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(built.person, person);
        assert_eq!(built.events.len(), 2, "the blank row is left out");
        // source, person, then each event with its involvement
        assert_eq!(built.records.len(), 2 + 2 * 2);
        let events: Vec<&Event> = built
            .records
            .iter()
            .filter_map(|(_, b)| match b {
                RecordBody::Event(e) => Some(e),
                _ => None,
            })
            .collect();
        assert_eq!(events[0].previous, None);
        assert_eq!(events[1].previous, Some(built.events[0]));
        assert!(events[1].start.is_approximate());
        let place = events[1].place.clone().unwrap_or_default();
        assert_eq!(place.text.as_deref(), Some("دوما"));
        assert!(place.pcode.is_some(), "Douma is in the gazetteer");
        for (_, body) in &built.records {
            body.validate(vocab())
                .unwrap_or_else(|e| panic!("{body:?}: {e:?}"));
        }
    }

    #[test]
    fn every_field_that_stops_a_draft_is_named_and_nothing_is_built() {
        let mut draft = a_draft();
        draft.arabic = NameDraft::default();
        draft.events[0].date = "31/02/2019".into();
        draft.events[2].unit = "no-such-unit".into();
        draft.source.title = " ".into();
        let problems = draft
            .build(vocab(), RecordId::new(), RecordId::new)
            .err()
            .unwrap_or_default();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "arabic.given",
                "source.title",
                "events[0].date",
                "events[2].unit"
            ]
        );
        assert!(problems.iter().all(|p| !p.message_ar.is_empty()));
    }

    #[test]
    fn an_event_dated_before_the_one_above_it_is_refused() {
        let mut draft = a_draft();
        draft.events[2].date = "2017".into();
        let problems = draft
            .build(vocab(), RecordId::new(), RecordId::new)
            .err()
            .unwrap_or_default();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "events[2].date");
        assert_eq!(problems[0].code, "event.before_previous");
    }

    #[test]
    fn a_place_picked_from_the_list_keeps_its_code_and_an_unknown_one_its_words() {
        let picked = resolve_place(vocab(), "Douma — Rif Dimashq (SY0302)").unwrap_or_default();
        assert_eq!(picked.pcode.as_deref(), Some("SY0302"));
        let unknown = resolve_place(vocab(), "a checkpoint near the bakery").unwrap_or_default();
        assert_eq!(unknown.pcode, None);
        assert_eq!(
            unknown.text.as_deref(),
            Some("a checkpoint near the bakery")
        );
        assert_eq!(resolve_place(vocab(), "  "), None);
    }

    #[test]
    fn an_edit_changes_the_details_shown_and_keeps_everything_else() {
        let built = a_draft()
            .build(vocab(), RecordId::new(), RecordId::new)
            .unwrap_or_else(|e| panic!("{e:?}"));
        let Some(RecordBody::Person(person)) = built
            .records
            .iter()
            .find(|(id, _)| *id == built.person)
            .map(|(_, b)| b.clone())
        else {
            panic!("a person");
        };
        let mut edit = PersonEdit::of(&person);
        assert_eq!(edit.arabic.given, "محمد");
        assert_eq!(edit.birth_date, "~1990");
        edit.latin.given = "Mohammad".into();
        edit.birth_date = "1989/1990".into();
        let changed = edit
            .apply(&person, vocab())
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(changed.names.len(), 2, "a Latin name added");
        assert_eq!(changed.sources, person.sources, "the rest as it was");
        assert_eq!(changed.review, person.review);
        assert_eq!(PersonEdit::of(&changed), edit);
        edit.birth_date = "31/02/1990".into();
        edit.arabic = NameDraft::default();
        edit.latin = NameDraft::default();
        let problems = edit.apply(&person, vocab()).err().unwrap_or_default();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["arabic.given", "birth_date"]);
        // A name a list wrote whole has no parts to show; an edit keeps it.
        let whole = Person {
            names: vec![PersonName {
                script: Script::Arab,
                full: Some("محمد أحمد الحلبي".into()),
                ..PersonName::default()
            }],
            ..Person::default()
        };
        let mut edit = PersonEdit::of(&whole);
        edit.sex = "male".into();
        let changed = edit
            .apply(&whole, vocab())
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(changed.names, whole.names);
        assert_eq!(changed.sex, Sex::Male);
    }

    #[test]
    fn a_familys_report_makes_the_missing_person_their_last_sighting_and_the_consent() {
        let report = MissingReport {
            arabic: NameDraft {
                given: "سامر".into(),
                family: "الديري".into(),
                ..NameDraft::default()
            },
            last_seen_date: "~06/2013".into(),
            last_seen_place: "دوما".into(),
            circumstances: "خرج إلى العمل ولم يعد".into(),
            relative: "أم سامر".into(),
            relation: "والدته".into(),
            contact: "+963 9xx xxx xxx".into(),
            report_date: "2025-02".into(),
            consent_search: "given".into(),
            consent_contact: "refused".into(),
            ..MissingReport::default()
        };
        let person = RecordId::new();
        let built = report
            .build(vocab(), person, RecordId::new)
            .unwrap_or_else(|e| panic!("{e:?}"));
        for (_, body) in &built.records {
            body.validate(vocab())
                .unwrap_or_else(|e| panic!("{body:?}: {e:?}"));
        }
        let Some((_, RecordBody::Person(p))) = built.records.iter().find(|(id, _)| *id == person)
        else {
            panic!("a person");
        };
        assert_eq!(p.contact.as_deref(), Some("+963 9xx xxx xxx"));
        assert!(crate::consent::permits(&p.consent, Purpose::FamilyTracing));
        assert!(!crate::consent::permits(&p.consent, Purpose::FamilyContact));
        assert_eq!(p.consent[0].by.as_deref(), Some("أم سامر (والدته)"));
        // Nobody to report, no answers asked: each named.
        let problems = MissingReport {
            arabic: report.arabic.clone(),
            ..MissingReport::default()
        }
        .build(vocab(), RecordId::new(), RecordId::new)
        .err()
        .unwrap_or_default();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["relative", "consent_search", "consent_contact"]);
    }

    #[test]
    fn an_empty_draft_is_empty_and_round_trips_through_json() {
        assert!(CaseDraft::default().is_empty());
        let draft = a_draft();
        assert!(!draft.is_empty());
        let json = serde_json::to_string(&draft).unwrap_or_default();
        let back: CaseDraft = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(back, draft);
        // A draft saved by an older form, with fields missing, still opens.
        let old: CaseDraft =
            serde_json::from_str(r#"{"arabic":{"given":"علي"}}"#).unwrap_or_default();
        assert_eq!(old.arabic.given, "علي");
    }
}
