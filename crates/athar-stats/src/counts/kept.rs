//! The kept form of [`Facts`]: what counting made of an organisation's records, written
//! down so that a later process opens it instead of counting every record again
//! ([`Facts::to_kept`], [`Facts::from_kept`]). The form holds what the facts hold — codes,
//! day numbers, record ids and derived statuses, no name — and the maps from record ids
//! are not written: they are made again from the persons and events, with the few entries
//! those do not give written beside them.
//!
//! The bytes begin with [`KEPT_FORM`], then come in parts of at most [`ITEMS_PER_PART`]
//! items, read back as they come ([`KeptReader`]) on two threads. Facts of another form,
//! damaged or cut short, are an error (the caller then counts afresh), never figures read
//! wrongly.

use std::io::Write;

use serde::{Deserialize, Serialize};

use super::{EventFact, Facts, FastMap, Interned, PersonFact, RecordId, RecordMaps, VictimFact};

/// The version of the kept form: its first bytes. Change it with any change to the facts'
/// fields or to what they mean, so that facts kept by an earlier build are counted afresh.
pub const KEPT_FORM: &[u8; 8] = b"facts:04";

/// Facts that could not be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("kept counting facts cannot be read: {0}")]
pub struct KeptError(String);

/// How many events, victimisations or persons one part holds: parts are read as they
/// come, each dropped once read, so that reading never holds more than a few of them
/// besides the facts.
const ITEMS_PER_PART: usize = 1 << 16;

/// What each part of the kept form holds; its tag is the first byte of the part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// How many persons, events and victimisations follow ([`Head`]): the first part.
    Head = 0,
    /// The tables and the rest ([`Rest`]): the second part.
    Rest = 1,
    Events = 2,
    Victims = 3,
    Persons = 4,
    /// Nothing follows: the last part.
    End = 5,
}

impl Part {
    fn of(tag: u8) -> Option<Part> {
        [
            Part::Head,
            Part::Rest,
            Part::Events,
            Part::Victims,
            Part::Persons,
            Part::End,
        ]
        .into_iter()
        .find(|part| *part as u8 == tag)
    }
}

/// How many items the parts hold in all, so that room is made for them once.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
struct Head {
    persons: u64,
    events: u64,
    victims: u64,
}

/// The facts besides their persons, events and victimisations, as read back; [`RestOf`]
/// writes the same fields, in the same order, from the facts in memory without copying.
#[derive(Deserialize)]
struct Rest {
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

/// Writes `value` as one part: its tag, its length in eight bytes, then postcard's form,
/// made in `buffer` (kept between parts so that it is made once).
fn write_part<T: Serialize + ?Sized>(
    out: &mut dyn Write,
    buffer: &mut Vec<u8>,
    part: Part,
    value: &T,
) -> std::io::Result<()> {
    buffer.clear();
    *buffer = postcard::to_extend(value, std::mem::take(buffer))
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))?;
    out.write_all(&[part as u8])?;
    out.write_all(&(buffer.len() as u64).to_le_bytes())?;
    out.write_all(buffer)
}

fn read_part<'de, T: Deserialize<'de>>(part: &'de [u8]) -> Result<T, KeptError> {
    postcard::from_bytes(part).map_err(|e| KeptError(e.to_string()))
}

/// Appends the items of a part to `items`, which must have room for them: read one by
/// one into the room made for them, where reading a vector whole would grow it by
/// doubling.
fn read_items<'de, T: Deserialize<'de>>(
    part: &'de [u8],
    items: &mut Vec<T>,
) -> Result<(), KeptError> {
    let (count, mut rest) =
        postcard::take_from_bytes::<u64>(part).map_err(|e| KeptError(e.to_string()))?;
    let room = (items.capacity() - items.len()) as u64;
    if count > room || count > rest.len() as u64 {
        return Err(KeptError("more items than the head says".into()));
    }
    for _ in 0..count {
        let (item, after) =
            postcard::take_from_bytes::<T>(rest).map_err(|e| KeptError(e.to_string()))?;
        items.push(item);
        rest = after;
    }
    if !rest.is_empty() {
        return Err(KeptError("bytes after a part's items".into()));
    }
    Ok(())
}

/// A vector with room for `count` items and a thirty-second more, or an error when that
/// room cannot be had (a head that names more items than memory holds is damaged, never a
/// reason to stop). The room beyond is for the records written after the facts were kept:
/// without it the first one counted again would double the vector, copying a million
/// persons' events (150 MB more at the peak) to add a few.
fn with_room<T>(count: u64) -> Result<Vec<T>, KeptError> {
    let mut items = Vec::new();
    usize::try_from(count)
        .ok()
        .and_then(|count| count.checked_add(count / 32 + 64))
        .and_then(|count| items.try_reserve_exact(count).ok())
        .ok_or_else(|| KeptError("a head naming more items than memory holds".into()))?;
    Ok(items)
}

/// A thread that reads parts as they come, and what it made of them once they stop.
struct Reading<T> {
    parts: std::sync::mpsc::SyncSender<(Part, Vec<u8>)>,
    thread: std::thread::JoinHandle<Result<T, KeptError>>,
}

impl<T: Send + 'static> Reading<T> {
    fn start(
        read: impl FnOnce(std::sync::mpsc::Receiver<(Part, Vec<u8>)>) -> Result<T, KeptError>
        + Send
        + 'static,
    ) -> Result<Reading<T>, KeptError> {
        // Two parts waiting at most: what is held besides the facts stays a few megabytes.
        let (parts, received) = std::sync::mpsc::sync_channel(2);
        let thread = std::thread::Builder::new()
            .name("kept-facts".into())
            .spawn(move || read(received))
            .map_err(|e| KeptError(format!("no thread to read them: {e}")))?;
        Ok(Reading { parts, thread })
    }

    /// Hands a part over; `false` when the thread stopped (it found an error).
    fn give(&self, part: Part, bytes: Vec<u8>) -> bool {
        self.parts.send((part, bytes)).is_ok()
    }

    fn finish(self) -> Result<T, KeptError> {
        drop(self.parts);
        self.thread
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }
}

/// A part of the facts besides the events, as it is written.
enum OtherPart<'f> {
    Victims(&'f [VictimFact]),
    Persons(&'f [PersonFact]),
}

/// What the second reading thread makes: everything but the events.
struct Others {
    rest: Option<Rest>,
    victims: Vec<VictimFact>,
    persons: Vec<PersonFact>,
}

/// Where the bytes of the kept form are written to be read back ([`Facts::kept_reader`]):
/// each part is handed, as soon as it is whole, to one of two threads (the events to one,
/// the rest to the other) and dropped once read, so that reading a million persons' facts
/// holds little more than the facts themselves, and the reading goes on while the bytes
/// are still being opened.
#[derive(Default)]
pub struct KeptReader {
    /// The first bytes, until they are all of [`KEPT_FORM`].
    form: Vec<u8>,
    /// The part being received: its tag and length (nine bytes), then its bytes.
    tag_and_length: Vec<u8>,
    part: Option<(Part, usize, Vec<u8>)>,
    head: Option<Head>,
    events: Option<Reading<Vec<EventFact>>>,
    others: Option<Reading<Others>>,
    ended: bool,
    failed: Option<KeptError>,
}

impl KeptReader {
    fn fail(&mut self, error: KeptError) -> std::io::Error {
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, error.to_string());
        self.failed.get_or_insert(error);
        io
    }

    /// Takes a whole part: the head starts the readers, other parts go to them.
    fn take(&mut self, part: Part, bytes: Vec<u8>) -> Result<(), KeptError> {
        let expected_first = |what| KeptError(format!("the {what} out of place"));
        match (part, &self.head) {
            (Part::Head, None) => {
                let head: Head = read_part(&bytes)?;
                let events = with_room::<EventFact>(head.events)?;
                self.events = Some(Reading::start(move |parts| {
                    let mut events = events;
                    for (_, bytes) in parts {
                        read_items(&bytes, &mut events)?;
                    }
                    Ok(events)
                })?);
                let (victims, persons) = (with_room(head.victims)?, with_room(head.persons)?);
                self.others = Some(Reading::start(move |parts| {
                    let mut others = Others {
                        rest: None,
                        victims,
                        persons,
                    };
                    for (part, bytes) in parts {
                        match part {
                            Part::Rest => others.rest = Some(read_part(&bytes)?),
                            Part::Victims => read_items(&bytes, &mut others.victims)?,
                            _ => read_items(&bytes, &mut others.persons)?,
                        }
                    }
                    Ok(others)
                })?);
                self.head = Some(head);
                Ok(())
            }
            (Part::Head, Some(_)) => Err(expected_first("head")),
            (_, None) => Err(expected_first("first part")),
            (Part::End, Some(_)) => {
                if !bytes.is_empty() {
                    return Err(KeptError("bytes in the end".into()));
                }
                self.ended = true;
                Ok(())
            }
            (Part::Events, Some(_)) => {
                let given = self.events.as_ref().is_some_and(|r| r.give(part, bytes));
                given.then_some(()).ok_or_else(|| self.stopped())
            }
            (Part::Rest | Part::Victims | Part::Persons, Some(_)) => {
                let given = self.others.as_ref().is_some_and(|r| r.give(part, bytes));
                given.then_some(()).ok_or_else(|| self.stopped())
            }
        }
    }

    /// The error a reading thread stopped at, once it has stopped.
    fn stopped(&mut self) -> KeptError {
        let events = self.events.take().map(Reading::finish);
        let others = self.others.take().map(Reading::finish);
        match (events, others) {
            (Some(Err(e)), _) | (_, Some(Err(e))) => e,
            _ => KeptError("a reading thread stopped".into()),
        }
    }

    /// The facts the bytes written hold, if they were all of them.
    pub fn finish(mut self) -> Result<Facts, KeptError> {
        if let Some(error) = self.failed.take() {
            return Err(error);
        }
        let (Some(head), Some(events), Some(others)) =
            (self.head, self.events.take(), self.others.take())
        else {
            return Err(KeptError("cut short".into()));
        };
        let (events, others) = (events.finish(), others.finish());
        let (events, others) = (events?, others?);
        if !self.ended || !self.tag_and_length.is_empty() || self.part.is_some() {
            return Err(KeptError("cut short".into()));
        }
        let Others {
            rest,
            victims,
            persons,
        } = others;
        let rest = rest.ok_or_else(|| KeptError("cut short".into()))?;
        if (
            persons.len() as u64,
            events.len() as u64,
            victims.len() as u64,
        ) != (head.persons, head.events, head.victims)
        {
            return Err(KeptError("cut short".into()));
        }
        Facts::assemble(persons, events, victims, rest)
    }
}

impl Write for KeptReader {
    fn write(&mut self, mut bytes: &[u8]) -> std::io::Result<usize> {
        let given = bytes.len();
        if self.failed.is_some() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "kept counting facts cannot be read",
            ));
        }
        while !bytes.is_empty() {
            if self.form.len() < KEPT_FORM.len() {
                let take = (KEPT_FORM.len() - self.form.len()).min(bytes.len());
                self.form.extend_from_slice(&bytes[..take]);
                bytes = &bytes[take..];
                if !KEPT_FORM.starts_with(&self.form) {
                    return Err(self.fail(KeptError("of another form".into())));
                }
                continue;
            }
            if self.ended {
                return Err(self.fail(KeptError("bytes after the end".into())));
            }
            match &mut self.part {
                None => {
                    let take = (9 - self.tag_and_length.len()).min(bytes.len());
                    self.tag_and_length.extend_from_slice(&bytes[..take]);
                    bytes = &bytes[take..];
                    if self.tag_and_length.len() < 9 {
                        continue;
                    }
                    let Some(part) = Part::of(self.tag_and_length[0]) else {
                        return Err(self.fail(KeptError("a part of no known kind".into())));
                    };
                    let mut length = [0u8; 8];
                    length.copy_from_slice(&self.tag_and_length[1..]);
                    self.tag_and_length.clear();
                    // A part is at most a few megabytes; a length beyond any is damage.
                    let Some(length) = usize::try_from(u64::from_le_bytes(length))
                        .ok()
                        .filter(|length| *length <= 1 << 30)
                    else {
                        return Err(self.fail(KeptError("a part longer than any".into())));
                    };
                    // Room for what a part holds; more only as its bytes come.
                    let room = length.min(1 << 24);
                    self.part = Some((part, length, Vec::with_capacity(room)));
                }
                Some((_, length, part)) => {
                    let take = (*length - part.len()).min(bytes.len());
                    part.extend_from_slice(&bytes[..take]);
                    bytes = &bytes[take..];
                }
            }
            if let Some((part, length, got)) = self.part.take() {
                if got.len() < length {
                    self.part = Some((part, length, got));
                } else if let Err(error) = self.take(part, got) {
                    return Err(self.fail(error));
                }
            }
        }
        Ok(given)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Facts {
    /// The facts as bytes to keep, beginning with [`KEPT_FORM`].
    pub fn to_kept(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        // Writing to memory cannot fail; if it did, the bytes cut short are refused.
        let _ = self.write_kept(&mut bytes);
        bytes
    }

    /// Writes [`Facts::to_kept`]'s bytes to `out`, part by part.
    pub fn write_kept(&self, out: &mut dyn Write) -> std::io::Result<()> {
        self.write_kept_in_parts(out, ITEMS_PER_PART)
    }

    /// [`Facts::write_kept`] with parts of `items` persons, events or victimisations, so
    /// that tests of small facts read them in many parts.
    #[doc(hidden)]
    pub fn write_kept_in_parts(&self, out: &mut dyn Write, items: usize) -> std::io::Result<()> {
        let items = items.max(1);
        let unmapped = match self.maps.get() {
            Some(maps) => self.unmapped_by(maps),
            None => self.unmapped.clone(),
        };
        let rest = RestOf {
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
        let head = Head {
            persons: self.persons.len() as u64,
            events: self.events.len() as u64,
            victims: self.victims.len() as u64,
        };
        let mut buffer = Vec::new();
        out.write_all(KEPT_FORM)?;
        write_part(out, &mut buffer, Part::Head, &head)?;
        write_part(out, &mut buffer, Part::Rest, &rest)?;
        // The events' parts between the others', so that both threads reading them back
        // have parts to read all along.
        let mut events = self.events.chunks(items);
        let victims = self.victims.chunks(items).map(OtherPart::Victims);
        let persons = self.persons.chunks(items).map(OtherPart::Persons);
        for other in victims.chain(persons) {
            if let Some(events) = events.next() {
                write_part(out, &mut buffer, Part::Events, events)?;
            }
            match other {
                OtherPart::Victims(v) => write_part(out, &mut buffer, Part::Victims, v)?,
                OtherPart::Persons(p) => write_part(out, &mut buffer, Part::Persons, p)?,
            }
        }
        for events in events {
            write_part(out, &mut buffer, Part::Events, events)?;
        }
        write_part(out, &mut buffer, Part::End, &())
    }

    /// Where to write the bytes [`Facts::write_kept`] wrote, to read them back as they
    /// come: [`KeptReader::finish`] gives the facts.
    pub fn kept_reader() -> KeptReader {
        KeptReader::default()
    }

    /// Reads what [`Facts::to_kept`] wrote.
    pub fn from_kept(bytes: &[u8]) -> Result<Facts, KeptError> {
        let mut reader = Facts::kept_reader();
        // An error stops the writing; the reader holds it and `finish` gives it.
        let _ = reader.write_all(bytes);
        reader.finish()
    }

    /// The facts of what was read back, once they are checked to hold together.
    fn assemble(
        persons: Vec<PersonFact>,
        events: Vec<EventFact>,
        victims: Vec<VictimFact>,
        form: Rest,
    ) -> Result<Facts, KeptError> {
        let bad = |what: &str| KeptError(format!("{what} out of range"));
        let interned = |values: Vec<String>| {
            let index = values
                .iter()
                .enumerate()
                .map(|(i, v)| (v.clone(), i as u16))
                .collect();
            Interned { values, index }
        };
        let (person_count, event_count) = (persons.len(), events.len());
        if victims
            .iter()
            .any(|v| v.person as usize >= person_count || v.event as usize >= event_count)
        {
            return Err(bad("a victimisation"));
        }
        let unmapped = &form.unmapped;
        if unmapped
            .persons_unread
            .iter()
            .any(|at| *at as usize >= person_count)
            || unmapped
                .records_linked
                .iter()
                .any(|(_, at)| *at as usize >= person_count)
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
            persons,
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
