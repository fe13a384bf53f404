//! The letter to a family who reported someone missing: what was searched, what was found.
//!
//! A family who reported a person missing is owed an answer they can keep and read at home,
//! in Arabic: which records were compared with their report, which steps were taken and
//! when, and what the search has come to — "nothing yet", a possible record not yet
//! confirmed, or a confirmed answer with the record it rests on. [`build_letter`] writes it
//! from [`LetterMaterial`] (what the organisation may see of the case); `pdf` sets it.
//! A letter is refused when the family did not consent to be contacted: sending one is
//! contacting them.

use athar_model::consent::{Purpose, permits};
use athar_model::tracing::{Outcome, Tracing};
use athar_model::vocab::Lang;
use athar_model::{Event, FuzzyDate, Person, RecordId, Vocabularies};
use serde::Serialize;

use crate::strings::{Strings, date_in_words};
use crate::wgeid::place_text;

/// What a letter is written from.
#[derive(Debug, Clone)]
pub struct LetterMaterial {
    pub person_id: RecordId,
    pub person: Person,
    /// The family's report: its date and who made it ("Fatima (his mother)").
    pub reported_on: FuzzyDate,
    pub reported_by: Option<String>,
    /// The last sighting the family reported.
    pub last_seen: Option<Event>,
    /// The steps taken, in journey order.
    pub steps: Vec<Event>,
    /// How many person records the report was compared with.
    pub records_compared: usize,
    pub outcome: Option<Tracing>,
    /// What the record that settled the outcome holds: the lists it comes from and its
    /// events (for a possible match and a confirmed one).
    pub matched_sources: Vec<String>,
    pub matched_events: Vec<Event>,
    pub organisation: String,
    /// The store holds demonstration data: the letter says so at its top.
    pub synthetic: bool,
}

/// Why a letter cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LetterError {
    #[error("the family did not consent to be contacted")]
    NoContactConsent,
}

/// A dated line of the letter: a step taken, or an event a register records.
#[derive(Debug, Clone, Serialize)]
pub struct LetterLine {
    pub date: String,
    pub text: String,
}

/// The letter, every word in its language, ready to set.
#[derive(Debug, Clone, Serialize)]
pub struct FamilyLetter {
    pub lang: Lang,
    pub dir: &'static str,
    pub title: String,
    pub synthetic: Option<String>,
    pub person: RecordId,
    pub greeting: String,
    pub opening: String,
    pub searched_title: String,
    pub searched: String,
    pub steps: Vec<LetterLine>,
    pub found_title: String,
    pub found: String,
    pub found_lines: Vec<LetterLine>,
    pub closing: String,
    pub signature: String,
    pub prepared: String,
    pub labels: std::collections::BTreeMap<&'static str, String>,
}

/// A date as a sentence reads it, "an unknown date" when none was recorded.
fn date_words(date: &FuzzyDate, strings: &Strings, lang: Lang) -> String {
    if date.is_unknown() {
        strings.get(lang, "letter_unknown_date").to_string()
    } else {
        date_in_words(&date.to_string(), lang)
    }
}

/// The letter for the family who reported `material.person`, in `lang`.
pub fn build_letter(
    material: &LetterMaterial,
    vocab: &Vocabularies,
    lang: Lang,
    prepared_on: &str,
) -> Result<FamilyLetter, LetterError> {
    let m = material;
    if !permits(&m.person.consent, Purpose::FamilyContact) {
        return Err(LetterError::NoContactConsent);
    }
    let strings = Strings::embedded();
    let get = |key: &str| strings.get(lang, key).to_string();
    let (arabic, latin) = m.person.primary_names();
    let name = match lang {
        Lang::Ar => arabic.clone().or(latin.clone()),
        Lang::En => latin.clone().or(arabic.clone()),
    }
    .unwrap_or_else(|| get("unknown"));
    let greeting = match &m.reported_by {
        Some(by) => strings.fill(lang, "letter_greeting", &[("relative", by.clone())]),
        None => get("letter_greeting_family"),
    };
    let seen_date = m.last_seen.as_ref().map(|e| e.start).unwrap_or_default();
    let seen_place = m
        .last_seen
        .as_ref()
        .and_then(|e| place_text(e, vocab, lang))
        .unwrap_or_else(|| get("letter_unknown_place"));
    let opening = strings.fill(
        lang,
        "letter_opening",
        &[
            ("reported", date_words(&m.reported_on, strings, lang)),
            ("name", name.clone()),
            ("seen", date_words(&seen_date, strings, lang)),
            ("place", seen_place),
        ],
    );
    let shown = m.records_compared.to_string();
    let searched = strings.counted(lang, "letter_searched", m.records_compared as u64, &shown);
    let line = |e: &Event| {
        let kind = vocab.event_kinds.label_of(&e.kind, lang);
        let text = match place_text(e, vocab, lang) {
            Some(place) => format!("{kind} — {place}"),
            None => kind,
        };
        LetterLine {
            date: date_words(&e.start, strings, lang),
            text,
        }
    };
    let steps = m.steps.iter().map(line).collect();
    let outcome = m.outcome.as_ref().map(|t| t.outcome);
    let lists = if m.matched_sources.is_empty() {
        get("letter_a_record")
    } else {
        m.matched_sources
            .join(if lang == Lang::Ar { "، " } else { ", " })
    };
    let found = match outcome {
        None | Some(Outcome::NoMatchYet) => get("letter_found_nothing"),
        Some(o) => strings.fill(
            lang,
            match o {
                Outcome::Possible => "letter_found_possible",
                Outcome::ConfirmedAlive => "letter_found_alive",
                Outcome::ConfirmedDead => "letter_found_dead",
                _ => "letter_found_remains",
            },
            &[
                ("name", name.clone()),
                ("lists", lists),
                (
                    "date",
                    date_words(
                        &m.outcome.as_ref().map(|t| t.date).unwrap_or_default(),
                        strings,
                        lang,
                    ),
                ),
            ],
        ),
    };
    let found_lines = match outcome {
        Some(Outcome::NoMatchYet) | None => Vec::new(),
        Some(_) => m.matched_events.iter().map(line).collect(),
    };
    let organisation = if m.organisation == athar_store::sqlite::DEFAULT_ORGANISATION {
        get("default_organisation")
    } else {
        m.organisation.clone()
    };
    let labels = [("page", "page"), ("record", "wgeid_record")]
        .into_iter()
        .map(|(name, key)| (name, get(key)))
        .collect();
    Ok(FamilyLetter {
        lang,
        dir: if lang == Lang::Ar { "rtl" } else { "ltr" },
        title: strings.fill(lang, "letter_title", &[("name", name)]),
        synthetic: m.synthetic.then(|| get("letter_synthetic")),
        person: m.person_id,
        greeting,
        opening,
        searched_title: get("letter_searched_title"),
        searched,
        steps,
        found_title: get("letter_found_title"),
        found,
        found_lines,
        closing: get("letter_closing"),
        signature: organisation,
        prepared: strings.fill(
            lang,
            "wgeid_prepared",
            &[("date", date_in_words(prepared_on, lang))],
        ),
        labels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use athar_model::consent::{Answer, Consent};
    use athar_model::{PersonName, Script};

    fn date(text: &str) -> FuzzyDate {
        FuzzyDate::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn material(contact: Answer, outcome: Option<Outcome>) -> LetterMaterial {
        LetterMaterial {
            person_id: RecordId::new(),
            person: Person {
                names: vec![PersonName {
                    script: Script::Arab,
                    given: Some("سامر".into()),
                    family: Some("الحلبي".into()),
                    ..Default::default()
                }],
                consent: vec![Consent {
                    purpose: Purpose::FamilyContact,
                    answer: contact,
                    date: date("2025-02-01"),
                    by: None,
                }],
                ..Person::default()
            },
            reported_on: date("2025-02-01"),
            reported_by: Some("فاطمة (والدته)".into()),
            last_seen: Some(Event {
                kind: "last-seen".into(),
                start: date("~2013-05"),
                ..Event::default()
            }),
            steps: vec![Event {
                kind: "search-registers".into(),
                start: date("2025-03-02"),
                ..Event::default()
            }],
            records_compared: 11,
            outcome: outcome.map(|o| Tracing {
                outcome: o,
                date: date("2025-03-10"),
                matched: None,
                by: "amal".into(),
                note: None,
            }),
            matched_sources: vec!["سجل وفيات مستشفى تشرين".into()],
            matched_events: vec![Event {
                kind: "death-in-custody".into(),
                start: date("2014-01"),
                ..Event::default()
            }],
            organisation: "Athar".into(),
            synthetic: false,
        }
    }

    #[test]
    fn a_letter_says_what_was_searched_and_found_in_arabic() {
        let vocab = Vocabularies::embedded();
        let m = material(Answer::Given, Some(Outcome::ConfirmedDead));
        let letter =
            build_letter(&m, vocab, Lang::Ar, "2025-03-11").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(letter.dir, "rtl");
        assert!(letter.title.contains("سامر الحلبي"), "{}", letter.title);
        assert!(letter.greeting.contains("فاطمة (والدته)"));
        // Eleven takes Arabic's "many" form; dates inside sentences are words.
        assert!(letter.searched.contains("11 سجلاً"), "{}", letter.searched);
        assert!(
            letter.opening.contains("نحو أيار/مايو 2013"),
            "{}",
            letter.opening
        );
        assert!(
            letter.found.contains("سجل وفيات مستشفى تشرين"),
            "{}",
            letter.found
        );
        assert_eq!(letter.steps.len(), 1);
        assert_eq!(letter.found_lines.len(), 1);
        assert!(
            letter.found_lines[0]
                .date
                .contains("كانون الثاني/يناير 2014")
        );
    }

    #[test]
    fn nothing_found_says_so_and_lists_no_register_events() {
        let vocab = Vocabularies::embedded();
        let m = material(Answer::Given, None);
        let letter =
            build_letter(&m, vocab, Lang::En, "2025-03-11").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            letter.found,
            Strings::embedded().get(Lang::En, "letter_found_nothing")
        );
        assert!(letter.found_lines.is_empty());
        assert!(
            letter.searched.contains("11 person records"),
            "{}",
            letter.searched
        );
    }

    #[test]
    fn no_letter_without_consent_to_contact() {
        let vocab = Vocabularies::embedded();
        let m = material(Answer::Refused, Some(Outcome::Possible));
        assert!(matches!(
            build_letter(&m, vocab, Lang::Ar, "2025-03-11"),
            Err(LetterError::NoContactConsent)
        ));
    }
}
