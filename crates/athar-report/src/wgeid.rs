//! The case of a disappeared person in the form the UN Working Group on Enforced or
//! Involuntary Disappearances (WGEID) takes: the person's identity, the date of the arrest
//! or disappearance, the place of the arrest or where last seen, the forces believed
//! responsible, the steps the family took to find them, and the submitting organisation.
//!
//! [`build_case`] makes it from [`CaseMaterial`] — the person and the events of their
//! journey exactly as the submitting organisation may see them, gathered by the
//! application layer (`athar-app`), never read here around an organisation's scope — and
//! refuses — naming every missing element at once — when it cannot be complete: no consent
//! for a WGEID submission, no name, not recorded as disappeared, a date less precise than a
//! month, no place, no unit believed responsible, no step taken to find them. What it makes
//! holds identifying data: it is for the Working Group, written where the caller says, and
//! recorded in the audit chain by the caller. [`crate::html`] and [`crate::pdf`] lay it out
//! in Arabic or English; the JSON is the case itself.

use athar_model::RecordId;
use athar_model::consent::{Answer, Purpose, permits};
use athar_model::event::{Event, Role};
use athar_model::person::Person;
use athar_model::status::{JourneyStep, Status, journey_order, status_with_statements};
use athar_model::vocab::{Lang, Vocabularies};
use athar_store::StoreError;
use serde::Serialize;

use crate::strings::Strings;

/// Why no case was made.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("no person with id {0} in this organisation")]
    NotFound(RecordId),
    /// The elements the Working Group needs that the records do not give: (element, why).
    #[error("the case is not complete: {}", .0.iter().map(|(f, p)| format!("{f}: {p}")).collect::<Vec<_>>().join("; "))]
    Incomplete(Vec<(&'static str, String)>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One labelled line of the case.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Line {
    pub label: String,
    pub value: String,
}

/// A step the family took.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Step {
    pub date: String,
    pub kind: String,
    pub place: String,
    pub authority: String,
    pub account: String,
}

/// The case, ready to lay out.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WgeidCase {
    pub lang: Lang,
    pub dir: &'static str,
    pub title: String,
    pub intro: String,
    /// The demonstration-data notice, when the store holds demo data.
    pub synthetic: Option<String>,
    pub person: RecordId,
    pub identity_title: String,
    pub identity: Vec<Line>,
    pub disappearance_title: String,
    pub disappearance: Vec<Line>,
    pub steps_title: String,
    pub steps_columns: Vec<String>,
    pub steps: Vec<Step>,
    pub submission_title: String,
    pub submission: Vec<Line>,
    pub prepared: String,
    pub labels: std::collections::BTreeMap<&'static str, String>,
}

pub(crate) fn place_text(event: &Event, vocab: &Vocabularies, lang: Lang) -> Option<String> {
    let place = event.place.as_ref()?;
    let mut parts = Vec::new();
    if let Some(f) = place
        .facility
        .as_deref()
        .and_then(|f| vocab.facilities.get(f))
    {
        parts.push(f.label(lang).to_string());
    }
    if let Some(code) = place.pcode.as_deref() {
        // The area and each area above it: sub-district, district, governorate.
        let chain: Vec<String> = std::iter::once(code)
            .filter_map(|c| vocab.gazetteer.get(c))
            .chain(vocab.gazetteer.ancestors(code))
            .map(|g| g.name(lang).to_string())
            .collect();
        let mut seen = Vec::new();
        for name in chain {
            if !seen.contains(&name) {
                seen.push(name);
            }
        }
        parts.extend(seen);
    }
    // The words as the source gave them, unless they only repeat a name already there.
    if let Some(text) = place.text.as_deref().filter(|t| !t.trim().is_empty())
        && !parts.iter().any(|p| p == text.trim())
    {
        parts.push(text.to_string());
    }
    if parts.is_empty() {
        return None;
    }
    parts.push(match lang {
        Lang::En => "Syria".into(),
        Lang::Ar => "سوريا".into(),
    });
    Some(parts.join(if lang == Lang::Ar { "، " } else { ", " }))
}

/// The unit and the bodies above it, as the Working Group's "forces believed responsible";
/// the party alone when the record names no unit.
fn forces(event: &Event, vocab: &Vocabularies, lang: Lang) -> Option<String> {
    let Some(unit) = event.unit.as_deref() else {
        return event
            .party
            .as_deref()
            .map(|p| vocab.authorities.label_of(p, lang));
    };
    let chain = vocab.unit_chain(unit);
    if chain.is_empty() {
        return Some(unit.to_string());
    }
    let mut names: Vec<String> = chain.iter().map(|t| t.label(lang).to_string()).collect();
    if let Some(authority) = vocab
        .authority_of_unit(unit)
        .and_then(|a| vocab.authorities.get(a))
    {
        names.push(authority.label(lang).to_string());
    }
    names.dedup();
    Some(names.join(" / "))
}

/// What a case is made of, as the submitting organisation may see it.
#[derive(Debug, Clone)]
pub struct CaseMaterial {
    pub person_id: RecordId,
    pub person: Person,
    /// The events of the person's journey in which they are the victim.
    pub victim_events: Vec<(RecordId, Event)>,
    /// Events of a search kind (steps taken to find someone): those that follow the
    /// person's events through `previous` links are the case's steps.
    pub search_events: Vec<(RecordId, Event)>,
    /// The submitting organisation's name.
    pub organisation: String,
    /// The store holds demonstration data: the case says so at its top.
    pub synthetic: bool,
}

/// Builds the case from its material, or names every missing element.
pub fn build_case(
    material: CaseMaterial,
    vocab: &Vocabularies,
    lang: Lang,
    prepared_on: &str,
) -> Result<WgeidCase, CaseError> {
    let CaseMaterial {
        person_id,
        person,
        victim_events: events,
        search_events: candidates,
        organisation,
        synthetic,
    } = material;
    let strings = Strings::embedded();
    let get = |key: &str| strings.get(lang, key).to_string();
    let mut missing: Vec<(&'static str, String)> = Vec::new();
    if !permits(&person.consent, Purpose::Wgeid) {
        let answered = person
            .consent
            .iter()
            .rev()
            .find(|c| c.purpose == Purpose::Wgeid)
            .map(|c| c.answer);
        missing.push((
            "consent",
            match answered {
                Some(Answer::Refused) => "the consent to a WGEID submission was refused".into(),
                Some(Answer::Withdrawn) => "the consent to a WGEID submission was withdrawn".into(),
                _ => "no consent to a WGEID submission is recorded".into(),
            },
        ));
    }
    if person.names.iter().all(|n| n.display().trim().is_empty()) {
        missing.push(("name", "the person has no recorded name".into()));
    }

    let steps: Vec<JourneyStep<'_>> = events
        .iter()
        .map(|(id, e)| JourneyStep {
            id: *id,
            event: e,
            role: Role::Victim,
        })
        .collect();
    let ordered = journey_order(&steps, vocab);
    let status = status_with_statements(&ordered, &person.stated, vocab);
    if status != Status::Disappeared {
        missing.push((
            "status",
            format!(
                "the person is not recorded as disappeared (status now: {})",
                status.label_en().to_lowercase()
            ),
        ));
    }
    let category = |e: &Event| vocab.category_of(&e.kind).unwrap_or("other");
    let last_disappearance = ordered
        .iter()
        .rposition(|s| category(s.event) == "disappearance");
    // The arrest the disappearance began with: the first deprivation of liberty since the
    // last release, up to the last disappearance — or, for someone disappeared because a
    // named authority took them to no named place, up to the end of the journey; else the
    // disappearance itself.
    let upto = last_disappearance.map_or(ordered.len(), |d| d + 1);
    let taken = ordered[..upto]
        .iter()
        .rev()
        .take_while(|s| category(s.event) != "release")
        .filter(|s| category(s.event) == "deprivation")
        .last();
    let start = taken.or_else(|| last_disappearance.map(|d| &ordered[d]));
    let start_event = start.map(|s| s.event);
    match start_event.map(|e| e.start.bounds()) {
        Some(Some((lo, hi))) if hi - lo <= 31 => {}
        Some(_) => missing.push((
            "date",
            "the date of the arrest or disappearance is not known to the month".into(),
        )),
        None => missing.push(("date", "no arrest or disappearance is recorded".into())),
    }
    let place = start_event.and_then(|e| place_text(e, vocab, lang));
    if place.is_none() {
        missing.push((
            "place",
            "the place of the arrest, or where the person was last seen, is not recorded".into(),
        ));
    }
    // Forces: of the arrest, else of any deprivation or disappearance on the way.
    let responsible = start_event
        .and_then(|e| forces(e, vocab, lang))
        .or_else(|| {
            ordered
                .iter()
                .filter(|s| matches!(category(s.event), "deprivation" | "disappearance"))
                .find_map(|s| forces(s.event, vocab, lang))
        });
    if responsible.is_none() {
        missing.push((
            "forces",
            "no unit believed responsible is recorded for the arrest or disappearance".into(),
        ));
    }

    // Steps taken to find the person: search events among their own events (recorded
    // with them as its subject), and those that follow one of their events.
    let mut searches: Vec<(RecordId, Event)> = events
        .iter()
        .filter(|(_, e)| category(e) == "search")
        .cloned()
        .collect();
    let mut known: Vec<RecordId> = events.iter().map(|(id, _)| *id).collect();
    loop {
        let before = searches.len();
        for (id, e) in &candidates {
            if category(e) == "search"
                && !known.contains(id)
                && e.previous.is_some_and(|p| known.contains(&p))
            {
                known.push(*id);
                searches.push((*id, e.clone()));
            }
        }
        if searches.len() == before {
            break;
        }
    }
    searches.sort_by_key(|(_, e)| e.start.bounds().map_or(i64::MAX, |b| b.0));
    if searches.is_empty() {
        missing.push((
            "steps",
            "no step taken to find the person is recorded (events of a search kind following their arrest or disappearance)".into(),
        ));
    }
    if !missing.is_empty() {
        return Err(CaseError::Incomplete(missing));
    }

    let line = |key: &str, value: String| Line {
        label: get(key),
        value,
    };
    let (arabic, latin) = person.primary_names();
    let mut identity = Vec::new();
    if let Some(name) = arabic {
        identity.push(line("wgeid_name_arabic", name));
    }
    if let Some(name) = latin {
        identity.push(line("wgeid_name_latin", name));
    }
    // Every other way the name was written: the lists' spellings help the Working Group
    // and the authorities find the same man or woman in their own records.
    let primary = person.primary_names();
    let mut other_names: Vec<String> = Vec::new();
    for name in person.names.iter().map(|n| n.display()) {
        if Some(&name) != primary.0.as_ref()
            && Some(&name) != primary.1.as_ref()
            && !other_names.contains(&name)
            && !name.trim().is_empty()
        {
            other_names.push(name);
        }
    }
    if !other_names.is_empty() {
        identity.push(line("wgeid_other_spellings", other_names.join("; ")));
    }
    if let Some(mother) = person.names.iter().find_map(|n| n.mother.clone()) {
        identity.push(line("wgeid_mother", mother));
    }
    if let Some(nickname) = person.names.iter().find_map(|n| n.nickname.clone()) {
        identity.push(line("wgeid_nickname", nickname));
    }
    identity.push(line(
        "wgeid_sex",
        match person.sex {
            athar_model::person::Sex::Male => get("male"),
            athar_model::person::Sex::Female => get("female"),
            athar_model::person::Sex::Unknown => get("unknown"),
        },
    ));
    identity.push(line(
        "wgeid_birth",
        if person.birth_date.is_unknown() {
            get("unknown")
        } else {
            person.birth_date.to_string()
        },
    ));
    if let Some(place) = birthplace(&person, vocab, lang) {
        identity.push(line("wgeid_birthplace", place));
    }
    for identifier in &person.identifiers {
        let kind = vocab.identifier_kinds.label_of(&identifier.kind, lang);
        identity.push(Line {
            label: kind,
            value: identifier.value.clone(),
        });
    }

    let start_event = start_event.ok_or(CaseError::NotFound(person_id))?;
    let mut disappearance = vec![
        line("wgeid_date", start_event.start.to_string()),
        line("wgeid_place", place.unwrap_or_default()),
        line("wgeid_forces", responsible.unwrap_or_default()),
    ];
    if let Some(kind) = vocab.event_kinds.get(&start_event.kind) {
        disappearance.insert(0, line("wgeid_what", kind.label(lang).to_string()));
    }
    // What is known since, in journey order: transfers, places of detention.
    let since: Vec<String> = ordered
        .iter()
        .skip_while(|s| !std::ptr::eq(s.event, start_event))
        .skip(1)
        .map(|s| {
            let kind = vocab.event_kinds.label_of(&s.event.kind, lang);
            let place = place_text(s.event, vocab, lang).unwrap_or_default();
            format!(
                "{} — {kind}{}",
                s.event.start,
                if place.is_empty() {
                    String::new()
                } else {
                    format!(" — {place}")
                }
            )
        })
        .collect();
    if !since.is_empty() {
        disappearance.push(line("wgeid_since", since.join("\n")));
    }
    if let Some(narrative) = start_event.narrative.clone() {
        disappearance.push(line("wgeid_account", narrative));
    }

    let steps = searches
        .iter()
        .map(|(_, e)| Step {
            date: e.start.to_string(),
            kind: vocab.event_kinds.label_of(&e.kind, lang),
            place: place_text(e, vocab, lang).unwrap_or_default(),
            authority: e
                .unit
                .as_deref()
                .map(|u| vocab.units.label_of(u, lang))
                .unwrap_or_default(),
            account: e.narrative.clone().unwrap_or_default(),
        })
        .collect();

    let consent = person
        .consent
        .iter()
        .rev()
        .find(|c| c.purpose == Purpose::Wgeid)
        .map(|c| {
            let mut text = c.date.to_string();
            if let Some(by) = &c.by {
                text = format!("{text} ({by})");
            }
            text
        })
        .unwrap_or_default();
    // A store's first organisation is named in English until someone names it; the case
    // says it in its own language.
    let organisation = if organisation == athar_store::sqlite::DEFAULT_ORGANISATION {
        get("default_organisation")
    } else {
        organisation
    };
    let submission = vec![
        line("wgeid_organisation", organisation),
        line("wgeid_consent", consent),
        line("wgeid_confidential", get("wgeid_confidential_value")),
    ];
    let labels = [("page", "page"), ("record", "wgeid_record")]
        .into_iter()
        .map(|(name, key)| (name, get(key)))
        .collect();
    Ok(WgeidCase {
        lang,
        dir: if lang == Lang::Ar { "rtl" } else { "ltr" },
        title: get("wgeid_title"),
        intro: get("wgeid_intro"),
        synthetic: synthetic.then(|| get("synthetic")),
        person: person_id,
        identity_title: get("wgeid_identity"),
        identity,
        disappearance_title: get("wgeid_disappearance"),
        disappearance,
        steps_title: get("wgeid_steps"),
        steps_columns: [
            "column_date",
            "column_kind",
            "column_place",
            "wgeid_authority",
            "wgeid_account",
        ]
        .iter()
        .map(|k| get(k))
        .collect(),
        steps,
        submission_title: get("wgeid_submission"),
        submission,
        prepared: strings.fill(
            lang,
            "wgeid_prepared",
            &[("date", crate::strings::date_in_words(prepared_on, lang))],
        ),
        labels,
    })
}

fn birthplace(person: &Person, vocab: &Vocabularies, lang: Lang) -> Option<String> {
    let place = person.birthplace.as_ref()?;
    let from_gazetteer = place
        .pcode
        .as_deref()
        .and_then(|c| vocab.gazetteer.get(c))
        .map(|g| g.name(lang).to_string());
    from_gazetteer.or_else(|| place.text.clone())
}
