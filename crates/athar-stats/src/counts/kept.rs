//! The kept form of [`Facts`]: what counting made of an organisation's records, written
//! down so that a later process opens it instead of counting every record again
//! ([`Facts::to_kept`], [`Facts::from_kept`]). The form holds what the facts hold — codes,
//! day numbers, record ids and derived statuses, no name — and the maps from record ids
//! are not written: they are made again from the persons and events, with the few entries
//! those do not give written beside them.
//!
//! The bytes begin with [`KEPT_FORM`]; facts of another form, or damaged ones, are an
//! error (the caller then counts afresh), never figures read wrongly.

use serde::{Deserialize, Serialize};

use super::{EventFact, Facts, FastMap, Interned, PersonFact, RecordId, VictimFact};

/// The version of the kept form: its first bytes. Change it with any change to the facts'
/// fields or to what they mean, so that facts kept by an earlier build are counted afresh.
pub const KEPT_FORM: &[u8; 8] = b"facts:01";

/// Facts that could not be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("kept counting facts cannot be read: {0}")]
pub struct KeptError(String);

/// The facts as read back; [`FormOf`] writes the same fields, in the same order, from the
/// facts in memory without copying them.
#[derive(Deserialize)]
struct Form {
    persons: Vec<PersonFact>,
    person_records: u64,
    events: Vec<EventFact>,
    victims: Vec<VictimFact>,
    kinds: Vec<String>,
    categories: Vec<String>,
    governorates: Vec<String>,
    units: Vec<String>,
    authorities: Vec<String>,
    hosts: Vec<String>,
    causes: Vec<String>,
    submitted: Vec<RecordId>,
    /// Persons whose record is not one read (a linked group counted under a record this
    /// organisation cannot see), by their places.
    persons_unread: Vec<u32>,
    /// Person records read that are not the record their person is counted under.
    records_linked: Vec<(RecordId, u32)>,
    /// Event facts no record points to any more (an event changed or deleted since they
    /// were counted), by their places.
    events_left: Vec<u32>,
}

#[derive(Serialize)]
struct FormOf<'f> {
    persons: &'f [PersonFact],
    person_records: u64,
    events: &'f [EventFact],
    victims: &'f [VictimFact],
    kinds: &'f [String],
    categories: &'f [String],
    governorates: &'f [String],
    units: &'f [String],
    authorities: &'f [String],
    hosts: &'f [String],
    causes: &'f [String],
    submitted: &'f [RecordId],
    persons_unread: Vec<u32>,
    records_linked: Vec<(RecordId, u32)>,
    events_left: Vec<u32>,
}

impl Facts {
    /// The facts as bytes to keep, beginning with [`KEPT_FORM`].
    pub fn to_kept(&self) -> Vec<u8> {
        self.write_kept(Vec::new())
    }

    /// `bytes` followed by [`Facts::to_kept`]'s.
    pub fn write_kept(&self, mut bytes: Vec<u8>) -> Vec<u8> {
        let persons_unread = self
            .persons
            .iter()
            .enumerate()
            .filter(|(at, p)| self.person_of_record.get(&p.id) != Some(&(*at as u32)))
            .map(|(at, _)| at as u32)
            .collect();
        let mut records_linked: Vec<(RecordId, u32)> = self
            .person_of_record
            .iter()
            .filter(|(id, at)| self.persons.get(**at as usize).is_none_or(|p| p.id != **id))
            .map(|(id, at)| (*id, *at))
            .collect();
        records_linked.sort_unstable();
        let events_left = self
            .events
            .iter()
            .enumerate()
            .filter(|(at, e)| self.event_of_record.get(&e.id) != Some(&(*at as u32)))
            .map(|(at, _)| at as u32)
            .collect();
        let form = FormOf {
            persons: &self.persons,
            person_records: self.person_records as u64,
            events: &self.events,
            victims: &self.victims,
            kinds: &self.kinds.values,
            categories: &self.categories,
            governorates: &self.governorates.values,
            units: &self.units.values,
            authorities: &self.authorities.values,
            hosts: &self.hosts.values,
            causes: &self.causes.values,
            submitted: &self.submitted,
            persons_unread,
            records_linked,
            events_left,
        };
        bytes.extend_from_slice(KEPT_FORM);
        // Writing to memory cannot fail; if it did, the empty bytes are refused when read.
        postcard::to_extend(&form, bytes).unwrap_or_default()
    }

    /// Reads what [`Facts::to_kept`] wrote.
    pub fn from_kept(bytes: &[u8]) -> Result<Facts, KeptError> {
        let body = bytes
            .strip_prefix(KEPT_FORM.as_slice())
            .ok_or_else(|| KeptError("of another form".into()))?;
        let form: Form = postcard::from_bytes(body).map_err(|e| KeptError(e.to_string()))?;
        let bad = |what: &str| KeptError(format!("{what} out of range"));
        let interned = |values: Vec<String>| {
            let index = values
                .iter()
                .enumerate()
                .map(|(i, v)| (v.clone(), i as u16))
                .collect();
            Interned { values, index }
        };
        let (persons, events) = (form.persons.len(), form.events.len());
        if form
            .victims
            .iter()
            .any(|v| v.person as usize >= persons || v.event as usize >= events)
        {
            return Err(bad("a victimisation"));
        }
        let mut person_of_record = FastMap::default();
        person_of_record.reserve(persons + form.records_linked.len());
        let mut unread = form.persons_unread.iter().copied().peekable();
        for (at, person) in form.persons.iter().enumerate() {
            if unread.next_if_eq(&(at as u32)).is_none() {
                person_of_record.insert(person.id, at as u32);
            }
        }
        for (id, at) in form.records_linked {
            if at as usize >= persons {
                return Err(bad("a linked record"));
            }
            person_of_record.insert(id, at);
        }
        let mut event_of_record = FastMap::default();
        event_of_record.reserve(events);
        let mut left = form.events_left.iter().copied().peekable();
        for (at, event) in form.events.iter().enumerate() {
            if left.next_if_eq(&(at as u32)).is_none() {
                event_of_record.insert(event.id, at as u32);
            }
        }
        let categories = form.categories;
        let kinds = interned(form.kinds);
        if categories.len() < kinds.values.len() {
            return Err(bad("a kind's category"));
        }
        let facts = Facts {
            persons: form.persons,
            person_records: form.person_records as usize,
            events: form.events,
            victims: form.victims,
            kinds,
            categories,
            governorates: interned(form.governorates),
            units: interned(form.units),
            authorities: interned(form.authorities),
            hosts: interned(form.hosts),
            causes: interned(form.causes),
            submitted: form.submitted,
            person_of_record,
            event_of_record,
            tallies: Default::default(),
        };
        facts.check_codes().map_err(|what| bad(what))?;
        Ok(facts)
    }

    /// Whether every code of an event names a value of its dimension (or none), so that
    /// facts read back never index out of their tables.
    fn check_codes(&self) -> Result<(), &'static str> {
        let fits = |names: &Interned, code: u16| {
            code == super::NONE || (code as usize) < names.values.len()
        };
        for e in &self.events {
            if !(fits(&self.kinds, e.kind) && (e.kind as usize) < self.categories.len()) {
                return Err("an event's kind");
            }
            if !(fits(&self.governorates, e.governorate)
                && fits(&self.units, e.unit)
                && fits(&self.authorities, e.authority)
                && fits(&self.hosts, e.host)
                && fits(&self.causes, e.cause))
            {
                return Err("an event's code");
            }
        }
        Ok(())
    }
}
