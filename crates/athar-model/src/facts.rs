//! What counting needs of one record, and nothing identifying: a person's sex, birth date,
//! stated statuses, stated age group, civilian or combatant status and the state of their
//! case's review; an event's kind, dates, place codes, unit, party, host country,
//! crossing, cause, the event it follows and its verification; an involvement's person,
//! event, role and verification.
//!
//! The store keeps these [`RecordFacts`] beside each record's current revision, written in
//! the same transaction, so that counting opens a few dozen bytes per record instead of the
//! record itself ([`RecordFacts::encode`] is a compact binary form: terms as their ids,
//! dates in 64 bits, as held in memory). No field here is sealed (`sealing`): they can be made again from
//! any revision's clear body, which is how the store checks them.

use serde::{Deserialize, Serialize};

use crate::date::FuzzyDate;
use crate::event::{Event, Role, Verification};
use crate::person::{CombatantStatus, Sex};
use crate::place::PlaceRef;
use crate::review::ReviewState;
use crate::status::{AgeGroup, StatedStatus, Status};
use crate::{RecordBody, RecordId};

/// The countable facts of one person, event or involvement.
// Facts pass one at a time from the store to counting; a box would cost an allocation per
// event for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum RecordFacts {
    Person(PersonFacts),
    Event(Event),
    Involvement(InvolvementFacts),
}

/// What counting needs of a person.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PersonFacts {
    pub sex: Sex,
    pub birth_date: FuzzyDate,
    /// What sources state of the person now (without the citations).
    pub stated: Vec<StatedStatus>,
    pub stated_age_group: Option<AgeGroup>,
    pub combatant_status: Option<CombatantStatus>,
    /// Where the review of the person's case stands.
    pub review: Option<ReviewState>,
}

/// What counting needs of an involvement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InvolvementFacts {
    pub person: RecordId,
    pub event: RecordId,
    pub role: Role,
    pub verification: Verification,
}

/// Facts that could not be read back: the store's copy is damaged or of another version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("counting facts cannot be read: {0}")]
pub struct FactsError(String);

impl RecordFacts {
    /// The facts of a record, `None` for kinds that are not counted (sources, decisions,
    /// terms). An event keeps only what counting reads: no narrative, no description of the
    /// place or of who did it as written, no citations.
    pub fn of(body: &RecordBody) -> Option<RecordFacts> {
        Some(match body {
            RecordBody::Person(p) => RecordFacts::Person(PersonFacts {
                sex: p.sex,
                birth_date: p.birth_date,
                stated: p
                    .stated
                    .iter()
                    .map(|s| StatedStatus {
                        status: s.status,
                        date: s.date,
                        sources: Vec::new(),
                    })
                    .collect(),
                stated_age_group: p.stated_age_group,
                combatant_status: p.combatant_status,
                review: p.review.as_ref().map(|r| r.state),
            }),
            RecordBody::Event(e) => RecordFacts::Event(Event {
                kind: e.kind.clone(),
                start: e.start,
                end: e.end,
                place: e
                    .place
                    .as_ref()
                    .map(|p| PlaceRef {
                        pcode: p.pcode.clone(),
                        facility: p.facility.clone(),
                        text: None,
                    })
                    .filter(|p| p.pcode.is_some() || p.facility.is_some()),
                unit: e.unit.clone(),
                party: e.party.clone(),
                host_country: e.host_country.clone(),
                crossing: e.crossing.clone(),
                cause: e.cause.clone(),
                actor_as_written: None,
                narrative: None,
                previous: e.previous,
                verification: e.verification,
                sources: Vec::new(),
            }),
            RecordBody::Involvement(i) => RecordFacts::Involvement(InvolvementFacts {
                person: i.person,
                event: i.event,
                role: i.role,
                verification: i.verification,
            }),
            RecordBody::Source(_) | RecordBody::Match(_) | RecordBody::Term(_) => return None,
        })
    }

    /// The compact binary form the store keeps.
    pub fn encode(&self) -> Vec<u8> {
        let wire = match self {
            RecordFacts::Person(p) => Wire::Person {
                sex: p.sex,
                birth: p.birth_date.to_bits(),
                stated: p
                    .stated
                    .iter()
                    .map(|s| (s.status, s.date.to_bits()))
                    .collect(),
                age: p.stated_age_group,
                combatant: p.combatant_status,
                review: p.review,
            },
            RecordFacts::Event(e) => Wire::Event {
                kind: &e.kind,
                start: e.start.to_bits(),
                end: e.end.to_bits(),
                pcode: e.place.as_ref().and_then(|p| p.pcode.as_deref()),
                facility: e.place.as_ref().and_then(|p| p.facility.as_deref()),
                unit: e.unit.as_deref(),
                party: e.party.as_deref(),
                host: e.host_country.as_deref(),
                crossing: e.crossing.as_deref(),
                cause: e.cause.as_deref(),
                previous: e.previous.map(|p| *p.as_bytes()),
                verification: e.verification,
            },
            RecordFacts::Involvement(i) => Wire::Involvement {
                person: *i.person.as_bytes(),
                event: *i.event.as_bytes(),
                role: i.role,
                verification: i.verification,
            },
        };
        // Writing to memory cannot fail; an empty form would be refused when read.
        postcard::to_allocvec(&wire).unwrap_or_default()
    }

    /// Reads the form [`RecordFacts::encode`] wrote.
    pub fn decode(bytes: &[u8]) -> Result<RecordFacts, FactsError> {
        let wire: Wire<'_> = postcard::from_bytes(bytes).map_err(|e| FactsError(e.to_string()))?;
        let owned = |s: Option<&str>| s.map(str::to_string);
        Ok(match wire {
            Wire::Person {
                sex,
                birth,
                stated,
                age,
                combatant,
                review,
            } => RecordFacts::Person(PersonFacts {
                sex,
                birth_date: FuzzyDate::from_bits(birth),
                stated: stated
                    .into_iter()
                    .map(|(status, date)| StatedStatus {
                        status,
                        date: FuzzyDate::from_bits(date),
                        sources: Vec::new(),
                    })
                    .collect(),
                stated_age_group: age,
                combatant_status: combatant,
                review,
            }),
            Wire::Event {
                kind,
                start,
                end,
                pcode,
                facility,
                unit,
                party,
                host,
                crossing,
                cause,
                previous,
                verification,
            } => RecordFacts::Event(Event {
                kind: kind.to_string(),
                start: FuzzyDate::from_bits(start),
                end: FuzzyDate::from_bits(end),
                place: (pcode.is_some() || facility.is_some()).then(|| PlaceRef {
                    pcode: owned(pcode),
                    facility: owned(facility),
                    text: None,
                }),
                unit: owned(unit),
                party: owned(party),
                host_country: owned(host),
                crossing: owned(crossing),
                cause: owned(cause),
                actor_as_written: None,
                narrative: None,
                previous: previous.map(RecordId::from_bytes),
                verification,
                sources: Vec::new(),
            }),
            Wire::Involvement {
                person,
                event,
                role,
                verification,
            } => RecordFacts::Involvement(InvolvementFacts {
                person: RecordId::from_bytes(person),
                event: RecordId::from_bytes(event),
                role,
                verification,
            }),
        })
    }
}

/// The stored form: enums as their variant numbers, terms as their ids, dates as
/// [`FuzzyDate::to_bits`].
#[derive(Serialize, Deserialize)]
enum Wire<'a> {
    Person {
        sex: Sex,
        birth: u64,
        stated: Vec<(Status, u64)>,
        age: Option<AgeGroup>,
        combatant: Option<CombatantStatus>,
        review: Option<ReviewState>,
    },
    Event {
        kind: &'a str,
        start: u64,
        end: u64,
        pcode: Option<&'a str>,
        facility: Option<&'a str>,
        unit: Option<&'a str>,
        party: Option<&'a str>,
        host: Option<&'a str>,
        crossing: Option<&'a str>,
        cause: Option<&'a str>,
        previous: Option<[u8; 16]>,
        verification: Verification,
    },
    Involvement {
        person: [u8; 16],
        event: [u8; 16],
        role: Role,
        verification: Verification,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> Event {
        Event {
            kind: "arrest".into(),
            start: FuzzyDate::parse("~2019-03").expect("date"),
            end: FuzzyDate::parse("2019-03-02/2019-04").expect("date"),
            place: Some(PlaceRef {
                pcode: Some("SY0100".into()),
                facility: None,
                text: Some("قرب الجامع".into()),
            }),
            unit: Some("branch-215".into()),
            party: None,
            host_country: Some("lebanon".into()),
            crossing: None,
            cause: Some("torture".into()),
            actor_as_written: Some("عناصر".into()),
            narrative: Some("told by his brother".into()),
            previous: Some(RecordId::from_bytes([7; 16])),
            verification: Verification::Corroborated,
            sources: Vec::new(),
        }
    }

    #[test]
    fn facts_keep_what_counts_and_drop_what_identifies() {
        let Some(RecordFacts::Event(kept)) = RecordFacts::of(&RecordBody::Event(event())) else {
            panic!("an event has facts");
        };
        let whole = event();
        assert_eq!(kept.kind, whole.kind);
        assert_eq!(kept.start, whole.start);
        assert_eq!(kept.end, whole.end);
        assert_eq!(kept.cause, whole.cause);
        assert_eq!(kept.previous, whole.previous);
        assert_eq!(kept.narrative, None);
        assert_eq!(kept.actor_as_written, None);
        assert_eq!(kept.place.and_then(|p| p.text), None);
    }

    #[test]
    fn the_stored_form_reads_back_as_it_was_written() {
        let facts = RecordFacts::of(&RecordBody::Event(event())).expect("facts");
        let bytes = facts.encode();
        // Terms and an id of 16 bytes; the record itself is several times larger.
        assert!(bytes.len() < 100, "{} bytes", bytes.len());
        assert_eq!(RecordFacts::decode(&bytes), Ok(facts));
        let person = RecordFacts::Person(PersonFacts {
            sex: Sex::Female,
            birth_date: FuzzyDate::parse("1990/1992").expect("date"),
            stated: vec![StatedStatus {
                status: Status::Disappeared,
                date: FuzzyDate::parse("2024-06").expect("date"),
                sources: Vec::new(),
            }],
            stated_age_group: Some(AgeGroup::Adult),
            combatant_status: None,
            review: Some(ReviewState::Submitted),
        });
        assert_eq!(RecordFacts::decode(&person.encode()), Ok(person));
        let involvement = RecordFacts::Involvement(InvolvementFacts {
            person: RecordId::new(),
            event: RecordId::new(),
            role: Role::Witness,
            verification: Verification::Verified,
        });
        assert_eq!(RecordFacts::decode(&involvement.encode()), Ok(involvement));
    }

    #[test]
    fn damaged_facts_are_an_error_not_a_panic() {
        let bytes = RecordFacts::of(&RecordBody::Event(event()))
            .expect("facts")
            .encode();
        for cut in 0..bytes.len() {
            assert!(RecordFacts::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        assert!(RecordFacts::decode(&[9, 9, 9]).is_err());
    }
}
