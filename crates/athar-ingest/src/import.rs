//! Turning the rows of a list into persons and their events, and writing them once.
//!
//! Each row becomes a person (names in Arabic script and Latin letters as the cells are
//! written, identifiers, birth date and place …) and one event per event kind the mapping
//! names, each with an involvement of the person as victim, all citing the list as their
//! source. A row that cannot be read is refused and reported — line, column, reason, never
//! the value — and the others are written in one transaction (one audit entry); with
//! `strict` one refused row refuses the file. Places not found in the gazetteer are kept as
//! written and reported.
//!
//! **Once only.** Record ids are derived from the list's name and the row's key (the `key`
//! column, or the row's content when there is none) under the organisation's blind index
//! key. Importing the same file again finds every record already there and writes nothing;
//! a row whose key stays but whose content changed becomes a new revision.
//!
//! **Memory.** A list imported for the first time is written while it is read: rows are
//! checked and sealed a chunk at a time on every core while the chunk before goes into the
//! open transaction, so the records prepared are never all held at once (the file and its
//! parsed rows are: the file is kept as the list's original). A list imported before is
//! compared with the store first and only its changed rows are held until they are written.

use std::collections::{HashSet, VecDeque};
use std::ops::ControlFlow;

use athar_model::{
    Citation, CombatantStatus, Credibility, Event, FuzzyDate, Identifier, Involvement, Person,
    PersonName, PlaceRef, RecordBody, RecordId, RecordKind, Reliability, Role, Script, Sex, Source,
    Temporal, Verification, Vocabularies,
};
use athar_store::{Change, ChangeSet, NextPart, Store, StoreError, StreamWritten, WriteHeader};
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::mapping::{EventAttr, FATE, FateValue, Mapping, PersonField, Target, fate_value};
use crate::table::Table;

/// A refused row or a note about a cell: where, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowIssue {
    pub line: u64,
    pub column: String,
    pub reason: String,
    /// The value, only where it is a term a vocabulary lacks (a unit's or a country's
    /// name, a status as the list writes it): never a name, a date or free text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// Row issues alike — the same column and reason — counted together, so that a report of
/// 148 refusals for one unknown unit reads as one line with its value, and 26,000 notes
/// about places as one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssueGroup {
    pub column: String,
    pub reason: String,
    pub rows: usize,
    /// The first few lines, in file order.
    pub lines: Vec<u64>,
    /// Each distinct value outside a vocabulary and how many rows wrote it, most first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<(String, usize)>,
}

/// How many lines a group names before "…".
pub const LINES_PER_GROUP: usize = 5;

/// Group issues by column and reason, in the order each group first appears in the file.
pub fn group_issues(issues: &[RowIssue]) -> Vec<IssueGroup> {
    let mut groups: Vec<IssueGroup> = Vec::new();
    let mut values: Vec<std::collections::BTreeMap<String, usize>> = Vec::new();
    let mut sorted: Vec<&RowIssue> = issues.iter().collect();
    sorted.sort_by_key(|i| i.line);
    for issue in sorted {
        let at = match groups
            .iter()
            .position(|g| g.column == issue.column && g.reason == issue.reason)
        {
            Some(at) => at,
            None => {
                groups.push(IssueGroup {
                    column: issue.column.clone(),
                    reason: issue.reason.clone(),
                    rows: 0,
                    lines: Vec::new(),
                    values: Vec::new(),
                });
                values.push(Default::default());
                groups.len() - 1
            }
        };
        let group = &mut groups[at];
        group.rows += 1;
        if group.lines.len() < LINES_PER_GROUP && group.lines.last() != Some(&issue.line) {
            group.lines.push(issue.line);
        }
        if let Some(value) = &issue.value {
            *values[at].entry(value.clone()).or_default() += 1;
        }
    }
    for (group, counted) in groups.iter_mut().zip(values) {
        let mut counted: Vec<(String, usize)> = counted.into_iter().collect();
        counted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        group.values = counted;
    }
    groups
}

/// What an import did (or, checking, would do).
#[derive(Debug, Clone, Serialize, Default)]
pub struct ImportReport {
    pub list: String,
    /// The source record the list is kept as (every imported record cites it): the id to
    /// name the list by in linkage and estimation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<athar_model::RecordId>,
    /// The file as imported, kept in the evidence vault (set by [`keep_original`]'s caller).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original: Option<KeptOriginal>,
    pub encoding: String,
    pub delimiter: String,
    pub rows: usize,
    /// Rows written as new persons.
    pub created: usize,
    /// Rows whose records changed and got a new revision.
    pub updated: usize,
    /// Rows already in the store as they are.
    pub unchanged: usize,
    /// Persons the rows taken stand for: one a row, or the unnamed victims a row counts
    /// (a `victims` column).
    pub persons: usize,
    /// Rows not written, with why.
    pub refused: Vec<RowIssue>,
    /// Rows written with something to look at (a place kept as text …).
    pub warnings: Vec<RowIssue>,
    /// Columns of the file the mapping does not mention (not imported).
    pub unmapped_columns: Vec<String>,
    /// Columns the mapping names that the file does not have.
    pub missing_columns: Vec<String>,
    /// Nothing was written (checking, or strict with refused rows).
    pub written: bool,
    /// The audit entry of the write.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_seq: Option<i64>,
}

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub list: String,
    /// Write nothing; report what would happen.
    pub check: bool,
    /// Refuse the whole file when any row is refused.
    pub strict: bool,
    pub author: String,
    /// The importing organisation (None: the store's first).
    pub owner: Option<i64>,
    /// The importing organisation's vocabularies, its added terms included (None: the
    /// shared ones alone).
    pub vocabularies: Option<std::sync::Arc<Vocabularies>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the list needs a name: give --list or [list] name in the mapping")]
    NoListName,
    #[error("the import was cancelled before it finished; nothing was written")]
    Cancelled,
}

fn folded(s: &str) -> String {
    athar_model::text::fold(s)
}

/// A cell of an Uwazi export as the rest of the import reads it. Free text is kept as it is;
/// in a select or date, a thesaurus value written `Group::Value` is its value, a date range
/// `from~to` becomes `from to to`, and of several values `a|b` the first is kept.
fn from_uwazi(value: &str, target: &Target) -> String {
    // Free text in Uwazi is never split: a name may hold a `|` or `::` of its own.
    let text = matches!(target, Target::Person(field) if field.is_name_part())
        || matches!(
            target,
            Target::Ignore
                | Target::Person(
                    PersonField::Contact
                        | PersonField::Notes
                        | PersonField::Occupation
                        | PersonField::Rank
                        | PersonField::Identifier(_)
                        | PersonField::Identifiers
                )
                | Target::Event(_, EventAttr::Narrative | EventAttr::Actor)
        );
    if text {
        return value.to_string();
    }
    let first = value
        .split('|')
        .map(str::trim)
        .find(|v| !v.is_empty())
        .unwrap_or("");
    let leaf = first.rsplit("::").next().unwrap_or(first).trim();
    let is_date = matches!(
        target,
        Target::Person(PersonField::BirthDate) | Target::Event(_, EventAttr::Date | EventAttr::End)
    );
    match leaf.split_once('~') {
        Some((from, to)) if is_date && !from.trim().is_empty() && !to.trim().is_empty() => {
            format!("{} to {}", from.trim(), to.trim())
        }
        _ => leaf.to_string(),
    }
}

/// Apply the mapping's value translations for a column.
fn translate(mapping: &Mapping, column: &str, value: &str) -> String {
    mapping
        .values
        .get(column)
        .and_then(|table| {
            table
                .iter()
                .find(|(from, _)| folded(from) == folded(value))
                .map(|(_, to)| to.clone())
        })
        .unwrap_or_else(|| value.to_string())
}

/// A cell that says nothing ("unknown", "-", "غير معروف").
fn is_blank_word(value: &str) -> bool {
    matches!(
        folded(value).as_str(),
        "unknown" | "" | "-" | "?" | "n/a" | "غير معروف" | "غير معروفه" | "مجهول"
    )
}

fn sex_of(value: &str) -> Option<Sex> {
    match folded(value).as_str() {
        "male" | "m" | "man" | "boy" | "ذكر" | "رجل" | "ذ" => Some(Sex::Male),
        "female" | "f" | "woman" | "girl" | "انثي" | "انثى" | "امراه" | "ا" | "أنثى" => {
            Some(Sex::Female)
        }
        "unknown" | "" | "غير معروف" | "?" => Some(Sex::Unknown),
        _ => None,
    }
}

/// A place as the gazetteer (or, for where an event happened, the facilities) knows it,
/// else as written (and a note). A facility never answers for a birthplace: the town of
/// Adra is not Adra prison.
fn place_of(value: &str, vocab: &Vocabularies, facilities: bool) -> (PlaceRef, bool) {
    // A P-code as exports and other tools write it, then a name or alias.
    let by_code = vocab.gazetteer.get(&value.trim().to_uppercase());
    if let Some(entry) = by_code.or_else(|| vocab.gazetteer.lookup(value).first().copied()) {
        return (
            PlaceRef {
                pcode: Some(entry.pcode.clone()),
                ..Default::default()
            },
            true,
        );
    }
    if facilities && let Some(term) = vocab.facilities.lookup(value).first() {
        return (
            PlaceRef {
                facility: Some(term.id.clone()),
                ..Default::default()
            },
            true,
        );
    }
    (
        PlaceRef {
            text: Some(value.to_string()),
            ..Default::default()
        },
        false,
    )
}

/// A stable record id for (list, row key, part) under the organisation's key.
fn derived_id(
    store: &dyn Store,
    owner: Option<i64>,
    parts: &[&str],
) -> Result<RecordId, StoreError> {
    let keyring = store.keyring();
    let org = match owner {
        Some(n) => keyring.organisation(n)?,
        None => keyring.default_organisation()?,
    };
    let joined = parts.join("\u{1f}");
    let a = org.tag(&format!("import-id-a\u{1f}{joined}")) as u64;
    let b = org.tag(&format!("import-id-b\u{1f}{joined}")) as u64;
    // Time bits from the hash too: stable across imports (these ids do not sort by time).
    Ok(RecordId::from_parts(a >> 16, b as u32, b >> 32 ^ a))
}

/// One row's events put in journey order (return, arrest, detention … fate: see
/// `Vocabularies::journey_rank`) and each linked (`previous`) to the one before it, so that
/// the row's order holds whatever the precision of its dates ("returned 2024-04-04,
/// arrested 04/2024"). A link is never set against the dates: where an event's dates lie
/// wholly before an earlier-ranked one's, the chain is cut there and dates decide.
fn link_in_journey_order(events: &mut [(String, RecordId, Event)], vocab: &Vocabularies) {
    events.sort_by(|a, b| {
        vocab
            .journey_rank(&a.0)
            .cmp(&vocab.journey_rank(&b.0))
            .then_with(|| a.0.cmp(&b.0))
    });
    let mut chain_start = 0;
    for i in 1..events.len() {
        let contradicted = events[chain_start..i]
            .iter()
            .any(|(_, _, before)| events[i].2.start.compare(&before.start) == Temporal::Before);
        if contradicted {
            chain_start = i;
            events[i].2.previous = None;
        } else {
            events[i].2.previous = Some(events[i - 1].1);
        }
    }
    if let Some(first) = events.first_mut() {
        first.2.previous = None;
    }
}

/// Fill what `event` leaves empty from `more` (a fate column naming the kind of an event
/// the row already has: its date and place columns describe the same event).
fn fill_missing(event: &mut Event, more: Event) {
    if event.start.is_unknown() {
        event.start = more.start;
    }
    if event.end.is_unknown() {
        event.end = more.end;
    }
    event.place = event.place.take().or(more.place);
    event.unit = event.unit.take().or(more.unit);
    event.party = event.party.take().or(more.party);
    event.host_country = event.host_country.take().or(more.host_country);
    event.crossing = event.crossing.take().or(more.crossing);
    event.narrative = event.narrative.take().or(more.narrative);
}

/// What one row becomes.
struct RowRecords {
    person: Person,
    /// How many persons the row stands for: one, or the unnamed victims it counts.
    count: u32,
    events: Vec<(String, Event)>,
    warnings: Vec<RowIssue>,
}

/// The most victims one row may stand for.
pub const MAX_VICTIMS_PER_ROW: u32 = 1_000;

/// Where each mapped column is in the file: found once per import, not once per row.
fn column_positions(mapping: &Mapping, headers: &[String]) -> Vec<Option<usize>> {
    let folded_headers: Vec<String> = headers.iter().map(|h| folded(h)).collect();
    mapping
        .columns
        .iter()
        .map(|(column, _)| {
            let c = folded(column);
            folded_headers.iter().position(|h| *h == c)
        })
        .collect()
}

/// A cell as it was before a spreadsheet export defused it: the apostrophe put before a
/// leading `=`, `+`, `-`, `@`, tab or carriage return (as `export::escape_formula` and
/// spreadsheets do) is taken off again. Any other apostrophe is part of the value.
fn unescape_formula(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

fn read_row(
    mapping: &Mapping,
    positions: &[Option<usize>],
    line: u64,
    cells: &[String],
    vocab: &Vocabularies,
) -> Result<RowRecords, Vec<RowIssue>> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut arab = PersonName {
        script: Script::Arab,
        ..Default::default()
    };
    let mut latn = PersonName {
        script: Script::Latn,
        ..Default::default()
    };
    let mut person = Person::default();
    let mut count: Option<(u32, &str)> = None;
    let mut events: Vec<(String, Event)> = Vec::new();
    // What the list wrote where a name is not known ("Unidentified 12"): kept with the
    // person's notes, never as a name.
    let mut listed_as: Vec<String> = Vec::new();
    // What the row's fate column said, and in which column.
    let mut fate: Option<(FateValue, &str)> = None;
    let issue = |column: &str, reason: String| RowIssue {
        line,
        column: column.to_string(),
        reason,
        value: None,
    };
    // A refusal for a term a vocabulary lacks names the term: it is no one's personal data,
    // and it is what the user must add or translate.
    let unknown_term = |column: &str, reason: String, value: &str| RowIssue {
        value: Some(value.to_string()),
        ..issue(column, reason)
    };
    for ((column, target), position) in mapping.columns.iter().zip(positions) {
        let Some(index) = *position else {
            continue;
        };
        let raw = unescape_formula(cells.get(index).map(String::as_str).unwrap_or("").trim());
        if raw.is_empty() {
            continue;
        }
        let value = translate(mapping, column, raw);
        let value = if mapping.uwazi {
            from_uwazi(&value, target)
        } else {
            value
        };
        match target {
            Target::Ignore => {}
            Target::Fate => match fate_value(&value, vocab) {
                Some(meaning) => fate = Some((meaning, column.as_str())),
                None => errors.push(unknown_term(
                    column,
                    "a value this list gives no meaning: say in [values] what it is (an event kind such as enforced-disappearance, stated:detained, or none)".into(),
                    &value,
                )),
            },
            Target::Person(field)
                if field.is_name_part() && athar_model::person::is_unnamed_placeholder(&value) =>
            {
                // "Unidentified 12" in the name column labels the row; "unknown" as a
                // father's or mother's name is simply no name part (the file itself is kept).
                if *field == PersonField::FullName {
                    listed_as.push(value.clone());
                }
            }
            Target::Person(field) => {
                let name = if athar_model::text::is_arabic_script(&value) {
                    &mut arab
                } else {
                    &mut latn
                };
                let text = Some(value.clone());
                match field {
                    PersonField::FullName => name.full = text,
                    PersonField::GivenName => name.given = text,
                    PersonField::FatherName => name.father = text,
                    PersonField::GrandfatherName => name.grandfather = text,
                    PersonField::FamilyName => name.family = text,
                    PersonField::MotherName => name.mother = text,
                    PersonField::Nickname => name.nickname = text,
                    PersonField::Sex => match sex_of(&value) {
                        Some(s) => person.sex = s,
                        None => errors.push(unknown_term(
                            column,
                            "not a sex this import knows (male/female or ذكر/أنثى); translate it in [values]".into(),
                            &value,
                        )),
                    },
                    PersonField::BirthDate => match FuzzyDate::parse(&value) {
                        Ok(d) => person.birth_date = d,
                        Err(e) => errors.push(issue(column, format!("not a date: {e}"))),
                    },
                    PersonField::Birthplace => {
                        let (place, known) = place_of(&value, vocab, false);
                        if !known {
                            warnings.push(issue(column, "place not in the gazetteer; kept as written".into()));
                        }
                        person.birthplace = Some(place);
                    }
                    PersonField::Contact => person.contact = text,
                    PersonField::Notes => person.notes = text,
                    PersonField::Occupation => person.occupation = text,
                    PersonField::Rank => person.rank = text,
                    PersonField::CombatantStatus => match CombatantStatus::parse(&value) {
                        Some(s) => person.combatant_status = Some(s),
                        None if is_blank_word(&value) => {}
                        None => errors.push(unknown_term(
                            column,
                            "neither civilian nor combatant (مدني / عسكري); say which in [values]".into(),
                            &value,
                        )),
                    },
                    PersonField::VictimCount => {
                        let digits = athar_model::date::normalise_digits(&value);
                        match digits.trim().parse::<u32>() {
                            Ok(n) if (1..=MAX_VICTIMS_PER_ROW).contains(&n) => {
                                count = Some((n, column.as_str()))
                            }
                            _ => errors.push(issue(
                                column,
                                format!("a count of victims is a whole number from 1 to {MAX_VICTIMS_PER_ROW}"),
                            )),
                        }
                    }
                    PersonField::StatedAgeGroup => match athar_model::AgeGroup::parse_stated(&value) {
                        Some(age) => person.stated_age_group = Some(age),
                        None if is_blank_word(&value) => {}
                        None => errors.push(unknown_term(
                            column,
                            "neither child nor adult (طفل / بالغ); say which in [values]".into(),
                            &value,
                        )),
                    },
                    PersonField::Identifier(kind) => person.identifiers.push(Identifier {
                        kind: kind.clone(),
                        value: value.clone(),
                    }),
                    PersonField::Identifiers => {
                        for item in value.split([';', '|']).map(str::trim).filter(|i| !i.is_empty()) {
                            match item.split_once(':') {
                                Some((kind, id))
                                    if vocab.identifier_kinds.get(kind.trim()).is_some()
                                        && !id.trim().is_empty() =>
                                {
                                    person.identifiers.push(Identifier {
                                        kind: kind.trim().to_string(),
                                        value: id.trim().to_string(),
                                    })
                                }
                                _ => errors.push(issue(
                                    column,
                                    "identifiers are written kind:value (a kind of identifier-kinds), separated by ; or |".into(),
                                )),
                            }
                        }
                    }
                }
            }
            Target::Event(kind, attr) => {
                let at = match events.iter().position(|(k, _)| k == kind) {
                    Some(i) => i,
                    None => {
                        events.push((
                            kind.clone(),
                            Event {
                                kind: kind.clone(),
                                verification: Verification::Alleged,
                                ..Default::default()
                            },
                        ));
                        events.len() - 1
                    }
                };
                let event = &mut events[at].1;
                match attr {
                    EventAttr::Date | EventAttr::End => match FuzzyDate::parse(&value) {
                        Ok(d) if *attr == EventAttr::Date => event.start = d,
                        Ok(d) => event.end = d,
                        Err(e) => errors.push(issue(column, format!("not a date: {e}"))),
                    },
                    EventAttr::Place => {
                        let (place, known) = place_of(&value, vocab, true);
                        if !known {
                            warnings.push(issue(
                                column,
                                "place not in the gazetteer; kept as written".into(),
                            ));
                        }
                        event.place = Some(place);
                    }
                    EventAttr::Unit
                    | EventAttr::Party
                    | EventAttr::HostCountry
                    | EventAttr::Crossing => {
                        let (vocabulary, name) = match attr {
                            EventAttr::Unit => (&vocab.units, "units"),
                            EventAttr::Party => (&vocab.authorities, "authorities"),
                            EventAttr::HostCountry => (&vocab.host_countries, "host-countries"),
                            _ => (&vocab.border_crossings, "border-crossings"),
                        };
                        // A unit column that names a party ("قوات سوريا الديمقراطية"): the
                        // party is recorded, with no unit invented for it.
                        let party_for_unit = || {
                            (*attr == EventAttr::Unit)
                                .then(|| vocab.authorities.lookup(&value).first().copied())
                                .flatten()
                        };
                        if vocabulary.lookup(&value).is_empty()
                            && let Some(party) = party_for_unit()
                        {
                            event.party = Some(party.id.clone());
                            continue;
                        }
                        match vocabulary.lookup(&value).first() {
                            Some(term) => {
                                let id = Some(term.id.clone());
                                match attr {
                                    EventAttr::Unit => event.unit = id,
                                    EventAttr::Party => event.party = id,
                                    EventAttr::HostCountry => event.host_country = id,
                                    _ => event.crossing = id,
                                }
                            }
                            None => errors.push(unknown_term(
                                column,
                                format!("not a term of {name} (in Arabic or English); translate it in [values] or add it with `athar vocab add {name}`"),
                                &value,
                            )),
                        }
                    }
                    EventAttr::Narrative => event.narrative = Some(value.clone()),
                    EventAttr::Actor => event.actor_as_written = Some(value.clone()),
                    EventAttr::Kind => match vocab.event_kinds.lookup(&value).first() {
                        Some(term) => event.kind = term.id.clone(),
                        None => errors.push(unknown_term(
                            column,
                            "not a kind of event (in Arabic or English); say in [values] which kind each value means (forced-return, return …)".into(),
                            &value,
                        )),
                    },
                    EventAttr::Cause => match vocab.causes_of_death.lookup(&value).first() {
                        Some(term) => event.cause = Some(term.id.clone()),
                        None => errors.push(unknown_term(
                            column,
                            "not a term of causes-of-death (in Arabic or English); translate it in [values] or add it with `athar vocab add causes-of-death`".into(),
                            &value,
                        )),
                    },
                }
            }
        }
    }
    for name in [arab, latn] {
        if name.parts().iter().any(|(_, v)| v.is_some()) {
            person.names.push(name);
        }
    }
    // The fate event's details (`fate.date` …) go to the event the fate column names, or
    // date the status it states.
    let details = events
        .iter()
        .position(|(k, _)| k == FATE)
        .map(|i| events.remove(i).1);
    match (fate, details) {
        (Some((FateValue::Event(kind), _)), details) => {
            let mut details = details.unwrap_or_default();
            details.kind = kind.clone();
            match events.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, same)) => fill_missing(same, details),
                None => {
                    details.verification = Verification::Alleged;
                    events.push((kind, details));
                }
            }
        }
        (Some((FateValue::Stated(status), column)), details) => {
            let details = details.unwrap_or_default();
            if details.place.is_some() || details.unit.is_some() || details.party.is_some() {
                warnings.push(issue(
                    column,
                    "a stated status has no place or unit of its own; map the place or unit column to an event (detention.place, arrest.unit) to keep it".into(),
                ));
            }
            if details.cause.is_some() {
                warnings.push(issue(
                    column,
                    "a stated status has no cause of death of its own; give the value a death event (killing, death-in-custody) in [values] to keep it".into(),
                ));
            }
            person.stated.push(athar_model::StatedStatus {
                status,
                date: if details.start.is_unknown() {
                    mapping.as_of
                } else {
                    details.start
                },
                sources: Vec::new(),
            });
        }
        (Some((FateValue::Nothing, _)), _) | (None, None) => {}
        (None, Some(_)) => warnings.push(issue(
            "(fate)",
            "the row gives details of its fate (fate.date …) but its fate column is empty; they are not recorded".into(),
        )),
    }
    if person.names.is_empty() {
        // A victim nobody could name is still counted: the row becomes an unnamed person,
        // as long as it records something about them.
        let recorded = !events.is_empty()
            || !person.identifiers.is_empty()
            || !person.birth_date.is_unknown()
            || person.sex != Sex::Unknown
            || !person.stated.is_empty()
            || !listed_as.is_empty();
        if recorded {
            person.unnamed = true;
        } else {
            errors.push(issue(
                "(name)",
                "the row has no name and records nothing else (no event, date, sex or identifier)"
                    .into(),
            ));
        }
    }
    if !listed_as.is_empty() {
        let label = format!("Listed as: {}", listed_as.join(" / "));
        person.notes = Some(match person.notes.take() {
            Some(notes) => format!("{notes}\n{label}"),
            None => label,
        });
    }
    let count = match count {
        Some((n, column)) if n > 1 && !person.names.is_empty() => {
            errors.push(issue(
                column,
                "a row that names a person is one person; a count above one is for victims nobody named".into(),
            ));
            1
        }
        Some((n, column)) if n > 1 && events.is_empty() => {
            errors.push(issue(
                column,
                "the row counts victims but records no event they were victims of".into(),
            ));
            1
        }
        Some((n, _)) => n,
        None => 1,
    };
    if count > 1 {
        let label = format!("One of {count} unnamed victims of this row");
        person.notes = Some(match person.notes.take() {
            Some(notes) => format!("{notes}\n{label}"),
            None => label,
        });
    }
    if errors.is_empty() {
        Ok(RowRecords {
            person,
            count,
            events,
            warnings,
        })
    } else {
        Err(errors)
    }
}

/// Rows read and prepared together on all cores before their outcomes are taken in order:
/// enough to keep both cores busy, few enough that the progress bar moves.
const ROWS_PER_CHUNK: usize = 2048;

/// What one row of the file came to.
enum RowOutcome {
    /// The row could not be read (no name, an impossible date …).
    Unreadable(Vec<RowIssue>),
    /// The row was read: its person's id, and its records checked and sealed — or why
    /// the store refuses them.
    Read {
        person_id: RecordId,
        /// Boxed: a prepared row is much larger than a refusal.
        ready: Result<Box<ReadyRow>, Vec<RowIssue>>,
    },
}

/// A row's records, prepared for writing.
struct ReadyRow {
    prepared: athar_store::Prepared,
    /// How many persons the row stands for.
    persons: u32,
    created: bool,
    changed: bool,
    warnings: Vec<RowIssue>,
}

/// Everything a row needs from its import, shared by the threads preparing rows.
struct RowContext<'a> {
    store: &'a dyn Store,
    mapping: &'a Mapping,
    positions: &'a [Option<usize>],
    key_index: Option<usize>,
    options: &'a ImportOptions,
    list: &'a str,
    cite: &'a [Citation],
    fresh_list: bool,
    vocab: &'a Vocabularies,
    keyring: &'a athar_store::Keyring,
}

impl RowContext<'_> {
    /// Read one row, derive its records' ids, compare them with what the store holds (unless
    /// the list is new) and check and seal what is to be written.
    fn row(&self, line: u64, cells: &[String]) -> Result<RowOutcome, ImportError> {
        let RowContext {
            store,
            mapping,
            options,
            list,
            ..
        } = *self;
        let row = match read_row(mapping, self.positions, line, cells, self.vocab) {
            Ok(r) => r,
            Err(issues) => return Ok(RowOutcome::Unreadable(issues)),
        };
        let list_key = self
            .key_index
            .and_then(|i| cells.get(i))
            .map(|k| k.trim())
            .filter(|k| !k.is_empty());
        let row_key = match list_key {
            Some(k) => format!("key\u{1f}{}", k.trim()),
            None => {
                let mut h = Sha256::new();
                for c in cells {
                    h.update(c.as_bytes());
                    h.update([0x1f]);
                }
                let digest = h.finalize();
                let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
                format!("content\u{1f}{hex}")
            }
        };
        // The row's person, or the unnamed victims it counts: the first keeps the row's
        // own id, the others are numbered after it.
        let mut person_ids = Vec::with_capacity(row.count as usize);
        for k in 0..row.count {
            person_ids.push(if k == 0 {
                derived_id(store, options.owner, &["person", list, &row_key])?
            } else {
                let part = format!("#{}", k + 1);
                derived_id(store, options.owner, &["person", list, &row_key, &part])?
            });
        }
        let mut person = row.person;
        person.sources = self.cite.to_vec();
        person.list_key = list_key.map(str::to_string);
        for statement in &mut person.stated {
            statement.sources = self.cite.to_vec();
        }
        let mut row_changes = Vec::new();
        let mut changed = false;
        let mut created = false;
        let fresh_list = self.fresh_list;
        let mut upsert = |id: RecordId, body: RecordBody| -> Result<(), StoreError> {
            if fresh_list {
                created = true;
                row_changes.push(Change::Create { id, body });
                return Ok(());
            }
            match store.get(body.kind(), id) {
                Ok(existing) if existing.body == body => {}
                Ok(existing) => {
                    changed = true;
                    row_changes.push(Change::Update {
                        id,
                        expected_rev: Some(existing.rev),
                        body,
                    });
                }
                Err(StoreError::NotFound { .. }) => {
                    created = true;
                    row_changes.push(Change::Create { id, body });
                }
                Err(e) => return Err(e),
            }
            Ok(())
        };
        for id in &person_ids {
            upsert(*id, RecordBody::Person(person.clone()))?;
        }
        let mut events = Vec::with_capacity(row.events.len());
        for (kind, event) in row.events {
            let event_id = derived_id(store, options.owner, &["event", list, &row_key, &kind])?;
            events.push((kind, event_id, event));
        }
        link_in_journey_order(&mut events, self.vocab);
        for (kind, event_id, mut event) in events {
            event.sources = self.cite.to_vec();
            upsert(event_id, RecordBody::Event(event))?;
            for (k, person_id) in person_ids.iter().enumerate() {
                let involvement_id = if k == 0 {
                    derived_id(
                        store,
                        options.owner,
                        &["involvement", list, &row_key, &kind],
                    )?
                } else {
                    let part = format!("#{}", k + 1);
                    derived_id(
                        store,
                        options.owner,
                        &["involvement", list, &row_key, &kind, &part],
                    )?
                };
                upsert(
                    involvement_id,
                    RecordBody::Involvement(Involvement {
                        event: event_id,
                        person: *person_id,
                        role: Role::Victim,
                        acts: Vec::new(),
                        verification: Verification::Alleged,
                        sources: self.cite.to_vec(),
                    }),
                )?;
            }
        }
        // Each row's records are checked and sealed on their own: one bad row does not
        // sink the write, and the good rows are written as prepared.
        let prepared = athar_store::prepare(
            ChangeSet {
                author: options.author.clone(),
                action: "import.row".into(),
                owner: options.owner,
                changes: row_changes,
            },
            self.vocab,
            self.keyring,
        );
        let ready = match prepared {
            Ok(prepared) => Ok(Box::new(ReadyRow {
                prepared,
                persons: person_ids.len() as u32,
                created,
                changed,
                warnings: row.warnings,
            })),
            Err(StoreError::Invalid { errors, .. }) => Err(errors
                .into_iter()
                .map(|e| RowIssue {
                    line,
                    column: e.field,
                    reason: e.message,
                    value: None,
                })
                .collect()),
            Err(e) => return Err(e.into()),
        };
        Ok(RowOutcome::Read {
            person_id: person_ids[0],
            ready,
        })
    }
}

/// Import the rows of `table` as list `options.list` (see the module documentation).
pub fn import_table(
    store: &dyn Store,
    table: &Table,
    mapping: &Mapping,
    options: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    import_table_with_progress(store, table, mapping, options, &mut |_| {
        ControlFlow::Continue(())
    })
}

/// [`import_table`], telling `progress` how many rows have been read so far. When it
/// answers [`ControlFlow::Break`] the import stops with [`ImportError::Cancelled`] and
/// writes nothing (its one transaction is abandoned).
pub fn import_table_with_progress(
    store: &dyn Store,
    table: &Table,
    mapping: &Mapping,
    options: &ImportOptions,
    progress: &mut dyn FnMut(usize) -> ControlFlow<()>,
) -> Result<ImportReport, ImportError> {
    let vocab: &Vocabularies = options
        .vocabularies
        .as_deref()
        .unwrap_or(Vocabularies::embedded());
    let list = options.list.trim().to_string();
    if list.is_empty() {
        return Err(ImportError::NoListName);
    }
    let mut report = ImportReport {
        list: list.clone(),
        encoding: table.encoding.to_string(),
        delimiter: table.delimiter.to_string(),
        rows: table.rows.len(),
        ..Default::default()
    };
    let mapped: Vec<String> = mapping.columns.iter().map(|(c, _)| folded(c)).collect();
    report.unmapped_columns = table
        .headers
        .iter()
        .filter(|h| {
            !mapped.contains(&folded(h)) && mapping.key.as_deref().map(folded) != Some(folded(h))
        })
        .cloned()
        .collect();
    report.missing_columns = mapping
        .columns
        .iter()
        .filter(|(c, _)| !table.headers.iter().any(|h| folded(h) == folded(c)))
        .map(|(c, _)| c.clone())
        .collect();
    let positions = column_positions(mapping, &table.headers);
    let key_index = mapping
        .key
        .as_deref()
        .and_then(|k| table.headers.iter().position(|h| folded(h) == folded(k)));

    // The list itself is the source every record cites.
    let source_id = derived_id(store, options.owner, &["list", &list])?;
    report.source = Some(source_id);
    let source = RecordBody::Source(Source {
        kind: mapping.source_kind.clone(),
        title: list.clone(),
        reliability: Reliability::F,
        credibility: Credibility::CANNOT_BE_JUDGED,
        notes: mapping.source.clone(),
        ..Default::default()
    });
    let cite = vec![Citation {
        source: source_id,
        locator: None,
    }];
    let keyring = store.keyring();
    // A list imported for the first time can hold no record yet: every record id derives
    // from the list, so nothing needs looking up before it is created.
    let mut source_part = None;
    match store.get(RecordKind::Source, source_id) {
        Ok(_) => {}
        Err(StoreError::NotFound { .. }) => {
            source_part = Some(athar_store::prepare(
                ChangeSet {
                    author: options.author.clone(),
                    action: "import.source".into(),
                    owner: options.owner,
                    changes: vec![Change::Create {
                        id: source_id,
                        body: source,
                    }],
                },
                vocab,
                &keyring,
            )?);
        }
        Err(e) => return Err(e.into()),
    }
    let fresh_list = source_part.is_some();

    let context = RowContext {
        store,
        mapping,
        positions: &positions,
        key_index,
        options,
        list: &list,
        cite: &cite,
        fresh_list,
        vocab,
        keyring: &keyring,
    };
    let mut tally = Tally {
        report,
        seen: HashSet::new(),
        key_column: match (key_index, &mapping.key) {
            (Some(_), Some(key)) => key.clone(),
            _ => "(row)".into(),
        },
    };
    let header = WriteHeader {
        author: options.author.clone(),
        action: format!("import.list {}", table.rows.len()),
        owner: options.owner,
    };
    let run = Run {
        table,
        context: &context,
        tally: &mut tally,
        source_part,
        header,
    };
    let written = if fresh_list && !options.check {
        run.write_while_reading(progress)?
    } else {
        run.read_then_write(progress)?
    };
    let mut report = tally.report;
    if let Some(written) = written {
        report.written = true;
        report.audit_seq = Some(written.audit_seq);
    }
    Ok(report)
}

/// What each row came to, chunk after chunk in file order: the report, and the rows seen.
struct Tally {
    report: ImportReport,
    /// The person of every row taken so far: a second row with the same one is refused.
    seen: HashSet<RecordId>,
    /// The column a repeated row is reported under.
    key_column: String,
}

impl Tally {
    /// Take the outcomes of a chunk of rows into the report; the prepared records of the
    /// rows to write, in order.
    fn take(
        &mut self,
        chunk: &[(u64, Vec<String>)],
        outcomes: Vec<Result<RowOutcome, ImportError>>,
    ) -> Result<Vec<athar_store::Prepared>, ImportError> {
        let report = &mut self.report;
        let mut parts = Vec::with_capacity(chunk.len());
        for ((line, _), outcome) in chunk.iter().zip(outcomes) {
            let (person_id, ready) = match outcome? {
                RowOutcome::Unreadable(issues) => {
                    report.refused.extend(issues);
                    continue;
                }
                RowOutcome::Read { person_id, ready } => (person_id, ready),
            };
            if !self.seen.insert(person_id) {
                report.refused.push(RowIssue {
                    line: *line,
                    // The key column if the file has it; else the whole row was the key.
                    column: self.key_column.clone(),
                    reason: "the same row (or key) appears earlier in the file".into(),
                    value: None,
                });
                continue;
            }
            let ready = match ready {
                Ok(ready) => ready,
                Err(issues) => {
                    report.refused.extend(issues);
                    continue;
                }
            };
            report.warnings.extend(ready.warnings);
            report.persons += ready.persons as usize;
            if ready.created {
                report.created += 1;
            } else if ready.changed {
                report.updated += 1;
            } else {
                report.unchanged += 1;
            }
            if !ready.prepared.is_empty() {
                parts.push(ready.prepared);
            }
        }
        Ok(parts)
    }

    /// With `strict`, one refused row refuses the file.
    fn refuses_all(&self, options: &ImportOptions) -> bool {
        options.strict && !self.report.refused.is_empty()
    }
}

impl RowContext<'_> {
    /// Read, check and seal a chunk of rows on every core; what each came to, in order.
    fn chunk(&self, chunk: &[(u64, Vec<String>)]) -> Vec<Result<RowOutcome, ImportError>> {
        chunk
            .par_iter()
            .map(|(line, cells)| self.row(*line, cells))
            .collect()
    }
}

/// An import's rows, and how to write them.
struct Run<'a, 'c> {
    table: &'a Table,
    context: &'a RowContext<'c>,
    tally: &'a mut Tally,
    /// The list's source record when the list is new: the first part to write.
    source_part: Option<athar_store::Prepared>,
    header: WriteHeader,
}

impl Run<'_, '_> {
    /// A list imported before, or checked: every row is read and compared with the store (its
    /// readers must not wait on a write still open), and only then are the changed rows written,
    /// in one transaction. Memory grows with the changed rows, not the unchanged ones.
    fn read_then_write(
        self,
        progress: &mut dyn FnMut(usize) -> ControlFlow<()>,
    ) -> Result<Option<StreamWritten>, ImportError> {
        let check = self.context.options.check;
        let mut parts: Vec<athar_store::Prepared> = self.source_part.into_iter().collect();
        for (index, chunk) in self.table.rows.chunks(ROWS_PER_CHUNK).enumerate() {
            if progress(index * ROWS_PER_CHUNK).is_break() {
                return Err(ImportError::Cancelled);
            }
            let taken = self.tally.take(chunk, self.context.chunk(chunk))?;
            if !check {
                parts.extend(taken);
            }
        }
        let _ = progress(self.table.rows.len());
        if check || self.tally.refuses_all(self.context.options) || parts.is_empty() {
            return Ok(None);
        }
        let mut parts = parts.into_iter();
        Ok(self.context.store.write_stream(self.header, &mut || {
            parts.next().map_or(NextPart::Done, NextPart::Part)
        })?)
    }

    /// A list imported for the first time: one thread reads, checks and seals the rows a chunk
    /// at a time (on every core) while this one writes the chunk before it into the open
    /// transaction, so memory stays bounded however long the list. The transaction commits
    /// once every row is in, and not at all if an error (or, with `strict`, a refused row)
    /// stops it; the rest of the rows are still read then, for the report.
    fn write_while_reading(
        self,
        progress: &mut dyn FnMut(usize) -> ControlFlow<()>,
    ) -> Result<Option<StreamWritten>, ImportError> {
        std::thread::scope(|scope| {
            // Two chunks ahead at most: enough to keep the writer fed.
            let (send, receive) = std::sync::mpsc::sync_channel(1);
            scope.spawn(move || {
                for chunk in self.table.rows.chunks(ROWS_PER_CHUNK) {
                    if send.send((chunk, self.context.chunk(chunk))).is_err() {
                        break; // the writer stopped
                    }
                }
            });
            let mut queue: VecDeque<athar_store::Prepared> = self.source_part.into_iter().collect();
            let mut failure = None;
            let mut rows_taken = 0;
            let written = self.context.store.write_stream(self.header, &mut || loop {
                if let Some(part) = queue.pop_front() {
                    return NextPart::Part(part);
                }
                let Ok((chunk, outcomes)) = receive.recv() else {
                    return NextPart::Done;
                };
                if progress(rows_taken).is_break() {
                    failure = Some(ImportError::Cancelled);
                    return NextPart::Abandon;
                }
                rows_taken += chunk.len();
                match self.tally.take(chunk, outcomes) {
                    Ok(parts) => queue.extend(parts),
                    Err(e) => {
                        failure = Some(e);
                        return NextPart::Abandon;
                    }
                }
                if self.tally.refuses_all(self.context.options) {
                    return NextPart::Abandon;
                }
            })?;
            if let Some(e) = failure {
                return Err(e);
            }
            // Refused whole: the remaining rows are read for the report, and nothing written.
            for (chunk, outcomes) in receive.iter() {
                self.tally.take(chunk, outcomes)?;
            }
            let _ = progress(self.table.rows.len());
            Ok(written)
        })
    }
}

/// Where the file a list came from was kept: the evidence item, and whether this import
/// put it there (false: the same bytes were already kept for this list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct KeptOriginal {
    pub evidence: athar_model::RecordId,
    pub new: bool,
}

/// Keeps the file a list was imported from, byte for byte, in the evidence vault — sealed
/// like every item there, with its SHA-256 and chain of custody — about the list's source
/// record, so every imported record can be traced to the row it came from. The same bytes
/// are kept once however often they are imported; each changed version of the file is kept
/// beside the earlier ones.
pub fn keep_original(
    vault: &dyn athar_store::EvidenceVault,
    owner: i64,
    author: &str,
    source: athar_model::RecordId,
    bytes: &[u8],
    filename: Option<&str>,
) -> Result<KeptOriginal, StoreError> {
    use sha2::{Digest, Sha256};
    let sha: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if let Some(item) = vault
        .evidence_about(source)?
        .into_iter()
        .find(|item| item.sha256 == sha)
    {
        return Ok(KeptOriginal {
            evidence: item.id,
            new: false,
        });
    }
    let media_type = if bytes.starts_with(b"PK") {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else if bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'[' || *b == b'{')
    {
        "application/json"
    } else {
        "text/csv"
    };
    let item = vault.ingest(
        owner,
        author,
        athar_store::evidence::NewEvidence {
            kind: athar_store::evidence::EvidenceKind::Original,
            derived_from: None,
            media_type: media_type.into(),
            filename: filename.map(str::to_string),
            description: Some("The list file as imported".into()),
            about: vec![source],
        },
        &mut &bytes[..],
        bytes.len() as u64 + 1,
    )?;
    Ok(KeptOriginal {
        evidence: item.id,
        new: true,
    })
}
