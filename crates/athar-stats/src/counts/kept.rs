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

use super::{EventFact, Facts, FastMap, Interned, PersonFact, RecordId, RecordMaps, VictimFact};

/// The version of the kept form: its first bytes. Change it with any change to the facts'
/// fields or to what they mean, so that facts kept by an earlier build are counted afresh.
pub const KEPT_FORM: &[u8; 8] = b"facts:03";

/// Facts that could not be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("kept counting facts cannot be read: {0}")]
pub struct KeptError(String);

/// The facts as read back, but for the events and the victimisations, which are kept
/// apart ([`Facts::to_kept`]) so that two threads read them; [`RestOf`] writes the same
/// fields, in the same order, from the facts in memory without copying them.
#[derive(Deserialize)]
struct Rest {
    persons: Vec<PersonFact>,
    person_records: u64,
    kinds: Vec<String>,
    categories: Vec<String>,
    governorates: Vec<String>,
    units: Vec<String>,
    authorities: Vec<String>,
    hosts: Vec<String>,
    causes: Vec<String>,
    submitted: Vec<RecordId>,
    unmapped: Unmapped,
}

/// What the maps from record ids hold besides the persons' and events' own ids. Kept
/// within the rest of the facts (postcard writes a struct's fields in place, as if they
/// were the enclosing struct's own).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct Unmapped {
    /// Persons whose record is not one read (a linked group counted under a record this
    /// organisation cannot see), by their places, in order.
    persons_unread: Vec<u32>,
    /// Person records read that are not the record their person is counted under.
    records_linked: Vec<(RecordId, u32)>,
    /// Event facts no record points to any more (an event changed or deleted since they
    /// were counted), by their places, in order.
    events_left: Vec<u32>,
}

#[derive(Serialize)]
struct RestOf<'f> {
    persons: &'f [PersonFact],
    person_records: u64,
    kinds: &'f [String],
    categories: &'f [String],
    governorates: &'f [String],
    units: &'f [String],
    authorities: &'f [String],
    hosts: &'f [String],
    causes: &'f [String],
    submitted: &'f [RecordId],
    unmapped: Unmapped,
}

/// Appends `value` in postcard's form, after its length in eight bytes.
fn write_part<T: Serialize + ?Sized>(value: &T, mut bytes: Vec<u8>) -> Vec<u8> {
    let at = bytes.len();
    bytes.extend_from_slice(&[0; 8]);
    // Writing to memory cannot fail; if it did, the part left empty is refused when read.
    let mut bytes = postcard::to_extend(value, bytes).unwrap_or_default();
    let length = bytes.len().saturating_sub(at + 8) as u64;
    if let Some(prefix) = bytes.get_mut(at..at + 8) {
        prefix.copy_from_slice(&length.to_le_bytes());
    }
    bytes
}

/// The next part [`write_part`] wrote, and what follows it.
fn next_part(bytes: &[u8]) -> Result<(&[u8], &[u8]), KeptError> {
    let cut = || KeptError("cut short".into());
    let (length, rest) = bytes.split_first_chunk::<8>().ok_or_else(cut)?;
    let length = usize::try_from(u64::from_le_bytes(*length)).map_err(|_| cut())?;
    rest.split_at_checked(length).ok_or_else(cut)
}

fn read_part<'de, T: Deserialize<'de>>(part: &'de [u8]) -> Result<T, KeptError> {
    postcard::from_bytes(part).map_err(|e| KeptError(e.to_string()))
}

/// How many items a part [`write_part`] wrote of a sequence holds (postcard's length
/// first), never more than its bytes could hold.
fn items_in(part: &[u8]) -> Result<usize, KeptError> {
    let (count, rest) =
        postcard::take_from_bytes::<u64>(part).map_err(|e| KeptError(e.to_string()))?;
    usize::try_from(count)
        .ok()
        .filter(|count| *count <= rest.len())
        .ok_or_else(|| KeptError("a count beyond its bytes".into()))
}

/// The items of a sequence part, in a vector with room for `more` besides: read one by
/// one into the room made for them, where reading the vector whole would grow it by
/// doubling — a hundred megabytes more at the peak for a million persons' events.
fn read_items<'de, T: Deserialize<'de>>(part: &'de [u8], more: usize) -> Result<Vec<T>, KeptError> {
    let count = items_in(part)?;
    let (_, mut rest) =
        postcard::take_from_bytes::<u64>(part).map_err(|e| KeptError(e.to_string()))?;
    let mut items = Vec::with_capacity(count + more);
    for _ in 0..count {
        let (item, after) =
            postcard::take_from_bytes::<T>(rest).map_err(|e| KeptError(e.to_string()))?;
        items.push(item);
        rest = after;
    }
    Ok(items)
}

impl Facts {
    /// The facts as bytes to keep, beginning with [`KEPT_FORM`].
    pub fn to_kept(&self) -> Vec<u8> {
        self.write_kept(Vec::new())
    }

    /// `bytes` followed by [`Facts::to_kept`]'s.
    pub fn write_kept(&self, mut bytes: Vec<u8>) -> Vec<u8> {
        let unmapped = match self.maps.get() {
            Some(maps) => self.unmapped_by(maps),
            None => self.unmapped.clone(),
        };
        let rest = RestOf {
            persons: &self.persons,
            person_records: self.person_records as u64,
            kinds: &self.kinds.values,
            categories: &self.categories,
            governorates: &self.governorates.values,
            units: &self.units.values,
            authorities: &self.authorities.values,
            hosts: &self.hosts.values,
            causes: &self.causes.values,
            submitted: &self.submitted,
            unmapped,
        };
        bytes.extend_from_slice(KEPT_FORM);
        // The events in two halves: one thread reads the first with the victimisations,
        // the other the second with the rest.
        let (first, second) = self.events.split_at(self.events.len() / 2);
        let bytes = write_part(first, bytes);
        let bytes = write_part(&self.victims, bytes);
        let bytes = write_part(second, bytes);
        write_part(&rest, bytes)
    }

    /// Reads what [`Facts::to_kept`] wrote.
    pub fn from_kept(bytes: &[u8]) -> Result<Facts, KeptError> {
        let body = bytes
            .strip_prefix(KEPT_FORM.as_slice())
            .ok_or_else(|| KeptError("of another form".into()))?;
        let (first, body) = next_part(body)?;
        let (victims, body) = next_part(body)?;
        let (second, body) = next_part(body)?;
        let (rest, _) = next_part(body)?;
        type Half = Result<(Vec<EventFact>, Vec<VictimFact>), KeptError>;
        let (half, other): (Half, Result<(Vec<EventFact>, Rest), KeptError>) =
            std::thread::scope(|threads| {
                let half = threads.spawn(|| -> Half {
                    let events = read_items(first, items_in(second)?)?;
                    Ok((events, read_items(victims, 0)?))
                });
                let other = read_items(second, 0).and_then(|events| Ok((events, read_part(rest)?)));
                let half = half
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (half, other)
            });
        let ((mut events, victims), (second, form)) = (half?, other?);
        events.extend(second);
        let bad = |what: &str| KeptError(format!("{what} out of range"));
        let interned = |values: Vec<String>| {
            let index = values
                .iter()
                .enumerate()
                .map(|(i, v)| (v.clone(), i as u16))
                .collect();
            Interned { values, index }
        };
        let (persons, event_count) = (form.persons.len(), events.len());
        if victims
            .iter()
            .any(|v| v.person as usize >= persons || v.event as usize >= event_count)
        {
            return Err(bad("a victimisation"));
        }
        let unmapped = &form.unmapped;
        if unmapped
            .persons_unread
            .iter()
            .any(|at| *at as usize >= persons)
            || unmapped
                .records_linked
                .iter()
                .any(|(_, at)| *at as usize >= persons)
        {
            return Err(bad("a linked record"));
        }
        if unmapped
            .events_left
            .iter()
            .any(|at| *at as usize >= event_count)
        {
            return Err(bad("an event left"));
        }
        let categories = form.categories;
        let kinds = interned(form.kinds);
        if categories.len() < kinds.values.len() {
            return Err(bad("a kind's category"));
        }
        let facts = Facts {
            persons: form.persons,
            person_records: form.person_records as usize,
            events,
            victims,
            kinds,
            categories,
            governorates: interned(form.governorates),
            units: interned(form.units),
            authorities: interned(form.authorities),
            hosts: interned(form.hosts),
            causes: interned(form.causes),
            submitted: form.submitted,
            maps: Default::default(),
            unmapped: form.unmapped,
            tallies: Default::default(),
        };
        facts.check_codes().map_err(bad)?;
        Ok(facts)
    }

    /// Makes now what counting records again needs (where each record is among the
    /// facts), which facts read back ([`Facts::from_kept`]) make only when first needed:
    /// a server does it ahead, so that the first write is counted in milliseconds.
    pub fn prepare_to_recount(&self) {
        self.maps();
    }

    /// Where each record read is among the facts, made now if they were not.
    pub(super) fn maps(&self) -> &RecordMaps {
        self.maps.get_or_init(|| self.make_maps())
    }

    /// As [`Facts::maps`], to change them.
    pub(super) fn maps_mut(&mut self) -> &mut RecordMaps {
        if self.maps.get().is_none() {
            self.maps = self.make_maps().into();
            self.unmapped = Unmapped::default();
        }
        self.maps
            .get_mut()
            .unwrap_or_else(|| unreachable!("the maps were just made"))
    }

    /// The maps from the persons' and events' own ids and what `unmapped` says besides.
    fn make_maps(&self) -> RecordMaps {
        let Unmapped {
            persons_unread,
            records_linked,
            events_left,
        } = &self.unmapped;
        let mut persons = FastMap::default();
        persons.reserve(self.persons.len() + records_linked.len());
        let mut unread = persons_unread.iter().copied().peekable();
        for (at, person) in self.persons.iter().enumerate() {
            if unread.next_if_eq(&(at as u32)).is_none() {
                persons.insert(person.id, at as u32);
            }
        }
        persons.extend(records_linked.iter().copied());
        let mut events = FastMap::default();
        events.reserve(self.events.len());
        let mut left = events_left.iter().copied().peekable();
        for (at, event) in self.events.iter().enumerate() {
            if left.next_if_eq(&(at as u32)).is_none() {
                events.insert(event.id, at as u32);
            }
        }
        RecordMaps { persons, events }
    }

    /// What the maps hold besides the persons' and events' own ids.
    fn unmapped_by(&self, maps: &RecordMaps) -> Unmapped {
        let persons_unread = self
            .persons
            .iter()
            .enumerate()
            .filter(|(at, p)| maps.persons.get(&p.id) != Some(&(*at as u32)))
            .map(|(at, _)| at as u32)
            .collect();
        let mut records_linked: Vec<(RecordId, u32)> = maps
            .persons
            .iter()
            .filter(|(id, at)| self.persons.get(**at as usize).is_none_or(|p| p.id != **id))
            .map(|(id, at)| (*id, *at))
            .collect();
        records_linked.sort_unstable();
        let events_left = self
            .events
            .iter()
            .enumerate()
            .filter(|(at, e)| maps.events.get(&e.id) != Some(&(*at as u32)))
            .map(|(at, _)| at as u32)
            .collect();
        Unmapped {
            persons_unread,
            records_linked,
            events_left,
        }
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
