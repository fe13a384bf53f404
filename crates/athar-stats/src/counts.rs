//! Counts and breakdowns of documented violations, with the records behind every number.
//!
//! [`Facts`] is a compact, columnar copy of what statistics need from the records — kinds,
//! dates, places, units, sex, birth dates, roles, verification and each person's derived
//! status — and nothing identifying. It is built once ([`Facts::build`]) and answers
//! [`Facts::summary`] and [`Facts::breakdown`] from memory.
//!
//! Person records that record linkage (and its reviewers) found to describe one person are
//! counted as one person ([`Facts::build_linked`]): their journeys are put together and the
//! status is derived from the whole. Records stay as they are.
//!
//! The unit counted is a **victimisation**: one person as victim of one event. A breakdown
//! cell gives the victimisations, the distinct events and the distinct persons in it. Rules
//! for fuzzy dates, unknown ages and statuses are those of docs/DEFINITIONS.md ("Counting"):
//! a date that may fall in more than one period is counted as uncertain, never guessed; an
//! unknown age is neither child nor adult.

use std::collections::HashMap;

use athar_model::event::{Event, Role, Verification};
use athar_model::facts::RecordFacts;
use athar_model::person::{CombatantStatus, Sex, age_group_or_stated, agree};
use athar_model::review::ReviewState;
use athar_model::status::{AgeGroup, JourneyStep, Status, journey_order, status_with_statements};
use athar_model::{FuzzyDate, RecordBody, RecordId, Vocabularies};
use serde::{Deserialize, Serialize};

mod kept;
pub use kept::{KEPT_FORM, KeptError, KeptReader};

const NONE: u16 = u16::MAX;

/// A map keyed by record ids (or terms) with foldhash, seeded per process: SipHash, the
/// default, took a tenth of counting a million persons.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PersonFact {
    /// The person's record (for linked records, the one the others are counted with).
    id: RecordId,
    sex: Sex,
    status: Status,
    returnee: bool,
    /// Civilian or combatant as stated; `None` when no record says (or linked records
    /// disagree).
    combatant: Option<CombatantStatus>,
    /// One of its records is a case verified by a second person.
    verified: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct EventFact {
    id: RecordId,
    kind: u16,
    /// First and last possible day, when known.
    days: Days,
    governorate: u16,
    unit: u16,
    authority: u16,
    host: u16,
    /// The cause of death, for deaths that name one.
    cause: u16,
    verification: Verification,
    /// The year and the month the date certainly falls in, as `year << 4 | month` (month 0
    /// for the year key); UNKNOWN_DATE or UNCERTAIN_DATE when it does not decide.
    year_key: u32,
    month_key: u32,
}

/// An event's first and last possible day (days from 1970-01-01), in half the room of
/// two 64-bit numbers: a million persons' events are a few hundred megabytes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Days {
    first: i32,
    last: i32,
}

/// `Days::first` of an event whose date is unknown.
const NO_DAY: i32 = i32::MIN;

impl Days {
    fn of(days: Option<(i64, i64)>) -> Days {
        // Dates are of years 1 to 9999: far inside 32 bits of days either way.
        let day = |d: i64| i32::try_from(d).unwrap_or(if d < 0 { NO_DAY + 1 } else { i32::MAX });
        match days {
            Some((first, last)) => Days {
                first: day(first),
                last: day(last),
            },
            None => Days {
                first: NO_DAY,
                last: NO_DAY,
            },
        }
    }

    fn get(self) -> Option<(i64, i64)> {
        (self.first != NO_DAY).then_some((i64::from(self.first), i64::from(self.last)))
    }
}

const UNKNOWN_DATE: u32 = u32::MAX;
const UNCERTAIN_DATE: u32 = u32::MAX - 1;

fn period_keys(days: Option<(i64, i64)>) -> (u32, u32) {
    let Some((lo, hi)) = days else {
        return (UNKNOWN_DATE, UNKNOWN_DATE);
    };
    let (y0, m0, _) = athar_model::date::civil_from_days(lo);
    let (y1, m1, _) = athar_model::date::civil_from_days(hi);
    if y0 != y1 || y0 < 0 {
        return (UNCERTAIN_DATE, UNCERTAIN_DATE);
    }
    let year = (y0 as u32) << 4;
    (year, if m0 == m1 { year | m0 } else { UNCERTAIN_DATE })
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct VictimFact {
    event: u32,
    person: u32,
    age: AgeGroup,
    verification: Verification,
    /// A forced return of this person comes before this event in their journey.
    after_forced_return: bool,
    /// After this event, the person's journey shows an enforced disappearance, or they are
    /// disappeared now.
    then_disappeared: bool,
}

/// Facts built from records given one at a time, as a store reads them: the same as
/// [`Facts::from_record_facts`] over the same records, in any order.
pub struct FactsBuilder<'v> {
    facts: Facts,
    adding: Adding,
    canonical: FastMap<RecordId, RecordId>,
    vocab: &'v Vocabularies,
}

impl FactsBuilder<'_> {
    /// Takes one record's countable facts in.
    pub fn push(&mut self, id: RecordId, record: &RecordFacts) {
        self.adding
            .push(&mut self.facts, id, record, &self.canonical, self.vocab);
    }

    /// The facts of every record pushed.
    pub fn finish(self) -> Facts {
        let mut facts = self.facts;
        self.adding.finish(&mut facts, self.vocab);
        facts
    }
}

/// What counting records in needs while they come, before the journeys are put together.
struct Adding {
    /// The persons added now start here; the vectors below are indexed from it.
    base: usize,
    /// The group a linked person record was counted in, by the record its group is counted
    /// under (records linked to no other are found in `Facts::person_of_record`).
    roots: FastMap<RecordId, u32>,
    /// What journeys need of each event given now, besides its fact; `part_of` gives the
    /// part of each event fact (`NO_PART` for events not given now).
    parts: Vec<JourneyPart>,
    part_of: PartOf,
    /// The events a part follows that were not read yet when it was (see `JourneyPart`).
    later: Vec<RecordId>,
    terms: JourneyTerms,
    /// The governorate of each place (P-code, facility) and the party responsible for each
    /// (unit, party), as numbered in the facts.
    governorates: FastMap<(u16, u16), u16>,
    authorities: FastMap<(u16, u16), u16>,
    births: Vec<FuzzyDate>,
    /// Linked records that give different sexes: the person's sex stays unknown.
    sexes_differ: Vec<bool>,
    /// What sources state of each person (all their linked records'), for the status.
    stated: Vec<Vec<athar_model::StatedStatus>>,
    /// The age group a source stated, for when the dates cannot decide; and whether
    /// linked records stated differing ones or differing civilian/combatant statuses
    /// (then it stays unknown, whatever order they are read in).
    stated_ages: Vec<Option<AgeGroup>>,
    ages_differ: Vec<bool>,
    combatants_differ: Vec<bool>,
    /// The steps of journeys: (person, event fact, role, verification), as soon as the
    /// person and the event of an involvement have both been given; those given before
    /// them wait in `waiting`.
    steps: Vec<(u32, u32, Role, Verification)>,
    waiting: Vec<athar_model::facts::InvolvementFacts>,
}

const NO_PART: u32 = u32::MAX;

/// What a person's journey needs of an event besides its [`EventFact`], while the facts are
/// built: its dates as recorded (journeys are ordered by them; [`FuzzyDate::to_bits`]), the
/// event it follows, and the terms that break ties, as small numbers.
struct JourneyPart {
    start: u64,
    end: u64,
    /// The event it follows: `NO_PART` for none; below `LATER` the event's fact, read
    /// before this one (as events are, mostly, being written in journey order); else
    /// `LATER` plus its place in `Adding::later`.
    previous: u32,
    pcode: u16,
    facility: u16,
    party: u16,
    crossing: u16,
}

const LATER: u32 = 1 << 31;

/// The terms of [`JourneyPart`]s that the facts do not keep.
#[derive(Default)]
struct JourneyTerms {
    places: Interned,
    parties: Interned,
    crossings: Interned,
}

/// The part of each event fact given now: a vector over the events when all of them are
/// given (a build), a map when a few are given among millions counted before (counting
/// again after a write, which would otherwise make and fill a vector over every event).
enum PartOf {
    Dense(Vec<u32>),
    Sparse(FastMap<u32, u32>),
}

impl PartOf {
    fn for_facts(facts: &Facts) -> PartOf {
        if facts.events.is_empty() {
            PartOf::Dense(Vec::new())
        } else {
            PartOf::Sparse(FastMap::default())
        }
    }

    /// The part of event fact `at`, or [`NO_PART`] when it was not given now.
    fn of(&self, at: usize) -> u32 {
        match self {
            PartOf::Dense(parts) => parts.get(at).copied().unwrap_or(NO_PART),
            PartOf::Sparse(parts) => u32::try_from(at)
                .ok()
                .and_then(|at| parts.get(&at).copied())
                .unwrap_or(NO_PART),
        }
    }

    fn set(&mut self, at: u32, part: u32) {
        match self {
            PartOf::Dense(parts) => {
                if parts.len() <= at as usize {
                    parts.resize(at as usize + 1, NO_PART);
                }
                parts[at as usize] = part;
            }
            PartOf::Sparse(parts) => {
                parts.insert(at, part);
            }
        }
    }
}

impl Adding {
    fn new(facts: &Facts) -> Adding {
        Adding {
            base: facts.persons.len(),
            roots: FastMap::default(),
            parts: Vec::new(),
            part_of: PartOf::for_facts(facts),
            later: Vec::new(),
            terms: JourneyTerms::default(),
            governorates: FastMap::default(),
            authorities: FastMap::default(),
            births: Vec::new(),
            sexes_differ: Vec::new(),
            stated: Vec::new(),
            stated_ages: Vec::new(),
            ages_differ: Vec::new(),
            combatants_differ: Vec::new(),
            steps: Vec::new(),
            waiting: Vec::new(),
        }
    }

    /// The person and the event fact of an involvement, once both were given now.
    fn step_of(
        &self,
        facts: &Facts,
        involvement: &athar_model::facts::InvolvementFacts,
    ) -> Option<(u32, u32, Role, Verification)> {
        let maps = facts.maps();
        let person = *maps.persons.get(&involvement.person)?;
        let at = *maps.events.get(&involvement.event)?;
        let given_now = person as usize >= self.base && self.part_of.of(at as usize) != NO_PART;
        given_now.then_some((person, at, involvement.role, involvement.verification))
    }

    /// The event of fact `at` again, with what journey order and derived status read of it.
    fn event(&self, at: usize, facts: &Facts) -> Event {
        let fact = &facts.events[at];
        let part = &self.parts[self.part_of.of(at) as usize];
        let text = |names: &Interned, i: u16| names.value(i).map(str::to_string);
        let (pcode, facility) = (
            text(&self.terms.places, part.pcode),
            text(&self.terms.places, part.facility),
        );
        let previous = match part.previous {
            NO_PART => None,
            p if p < LATER => facts.events.get(p as usize).map(|e| e.id),
            p => self.later.get((p - LATER) as usize).copied(),
        };
        Event {
            kind: facts.kinds.name(fact.kind).to_string(),
            start: FuzzyDate::from_bits(part.start),
            end: FuzzyDate::from_bits(part.end),
            place: (pcode.is_some() || facility.is_some()).then_some(athar_model::PlaceRef {
                pcode,
                facility,
                text: None,
            }),
            unit: text(&facts.units, fact.unit),
            party: text(&self.terms.parties, part.party),
            host_country: text(&facts.hosts, fact.host),
            crossing: text(&self.terms.crossings, part.crossing),
            cause: text(&facts.causes, fact.cause),
            previous,
            verification: fact.verification,
            ..Event::default()
        }
    }

    /// Takes one record's facts in.
    fn push(
        &mut self,
        facts: &mut Facts,
        id: RecordId,
        body: &RecordFacts,
        canonical: &FastMap<RecordId, RecordId>,
        vocab: &Vocabularies,
    ) {
        match body {
            RecordFacts::Person(person) => {
                facts.person_records += 1;
                let review = person.review;
                let verified = review == Some(ReviewState::Verified);
                if review == Some(ReviewState::Submitted) {
                    facts.submitted.push(id);
                }
                let root = canonical.get(&id).copied();
                if let Some(&at) = root.and_then(|root| self.roots.get(&root)) {
                    facts.maps_mut().persons.insert(id, at);
                    // Linked records agree or not whatever order they are read in:
                    // sexes that differ leave the sex unknown, and of differing birth
                    // dates the one that sorts first is kept.
                    let fact = &mut facts.persons[at as usize];
                    let i = at as usize - self.base;
                    fact.verified |= verified;
                    fact.sex = match (fact.sex, person.sex) {
                        (known, Sex::Unknown) => known,
                        (Sex::Unknown, known) if !self.sexes_differ[i] => known,
                        (a, b) if a == b => a,
                        _ => {
                            self.sexes_differ[i] = true;
                            Sex::Unknown
                        }
                    };
                    self.births[i] = self.births[i].first_known(person.birth_date);
                    self.stated[i].extend(person.stated.iter().cloned());
                    (self.stated_ages[i], self.ages_differ[i]) = agree(
                        self.stated_ages[i],
                        person.stated_age_group,
                        self.ages_differ[i],
                    );
                    (fact.combatant, self.combatants_differ[i]) = agree(
                        fact.combatant,
                        person.combatant_status,
                        self.combatants_differ[i],
                    );
                    return;
                }
                let at = facts.persons.len() as u32;
                if let Some(root) = root {
                    self.roots.insert(root, at);
                }
                facts.maps_mut().persons.insert(id, at);
                self.births.push(person.birth_date);
                self.sexes_differ.push(false);
                self.stated.push(person.stated.clone());
                self.stated_ages.push(person.stated_age_group);
                self.ages_differ.push(false);
                self.combatants_differ.push(false);
                facts.persons.push(PersonFact {
                    id: root.unwrap_or(id),
                    sex: person.sex,
                    status: Status::Unknown,
                    returnee: false,
                    combatant: person.combatant_status,
                    verified,
                });
            }
            RecordFacts::Event(event) => {
                let kind = facts.kinds.intern(Some(&event.kind));
                if facts.categories.len() <= kind as usize {
                    facts.categories.push(
                        vocab
                            .category_of(&event.kind)
                            .unwrap_or("other")
                            .to_string(),
                    );
                }
                let place = event.place.as_ref();
                let (pcode, facility) = (
                    self.terms
                        .places
                        .intern(place.and_then(|p| p.pcode.as_deref())),
                    self.terms
                        .places
                        .intern(place.and_then(|p| p.facility.as_deref())),
                );
                // The governorate of each place and the party of each unit and party named,
                // looked up once.
                let governorate =
                    *self
                        .governorates
                        .entry((pcode, facility))
                        .or_insert_with(|| {
                            let area = place.and_then(|p| vocab.area_of(p));
                            let governorate = area
                                .as_deref()
                                .and_then(|a| vocab.gazetteer.governorate_of(a))
                                .map(|g| g.pcode.as_str());
                            facts.governorates.intern(governorate)
                        });
                let unit = facts.units.intern(event.unit.as_deref());
                let party = self.terms.parties.intern(event.party.as_deref());
                // The party responsible: the unit's authority, or the party named without
                // a unit.
                let authority = *self.authorities.entry((unit, party)).or_insert_with(|| {
                    let authority = vocab.party_of(event.unit.as_deref(), event.party.as_deref());
                    facts.authorities.intern(authority)
                });
                let days = event.start.bounds();
                let (year_key, month_key) = period_keys(days);
                let fact = EventFact {
                    id,
                    kind,
                    days: Days::of(days),
                    year_key,
                    month_key,
                    governorate,
                    unit,
                    authority,
                    host: facts.hosts.intern(event.host_country.as_deref()),
                    cause: facts.causes.intern(event.cause.as_deref()),
                    verification: event.verification,
                };
                let at = match facts.maps_mut().events.get(&id).copied() {
                    Some(at) if facts.events[at as usize] == fact => at,
                    _ => {
                        facts.events.push(fact);
                        let at = (facts.events.len() - 1) as u32;
                        facts.maps_mut().events.insert(id, at);
                        at
                    }
                };
                let previous = match event.previous {
                    None => NO_PART,
                    Some(p) => match facts.maps_mut().events.get(&p) {
                        Some(&read) if read < LATER => read,
                        _ => {
                            self.later.push(p);
                            LATER + (self.later.len() - 1) as u32
                        }
                    },
                };
                self.part_of.set(at, self.parts.len() as u32);
                self.parts.push(JourneyPart {
                    start: event.start.to_bits(),
                    end: event.end.to_bits(),
                    previous,
                    pcode,
                    facility,
                    party,
                    crossing: self.terms.crossings.intern(event.crossing.as_deref()),
                });
            }
            RecordFacts::Involvement(involvement) => match self.step_of(facts, involvement) {
                Some(step) => self.steps.push(step),
                None => self.waiting.push(*involvement),
            },
        }
    }

    /// Puts each person's journey together: statuses, and the victimisations with what
    /// came before and after them.
    fn finish(mut self, facts: &mut Facts, vocab: &Vocabularies) {
        // Each person's journey, for statuses and for what came before and after an event:
        // the steps of involvements given before their person or event too, sorted so that
        // each person's steps are together, in event order.
        let waiting = std::mem::take(&mut self.waiting);
        let resolved: Vec<_> = waiting
            .iter()
            .filter_map(|involvement| self.step_of(facts, involvement))
            .collect();
        drop(waiting);
        let mut all_steps = std::mem::take(&mut self.steps);
        all_steps.extend(resolved);
        all_steps.sort_unstable_by_key(|&(person, event, role, verification)| {
            (
                person,
                event,
                role as u8,
                std::cmp::Reverse(rank(verification)),
            )
        });
        let forced_return = facts.kinds.index.get("forced-return").copied();
        // One person's journey: their status, whether they returned, their victimisations.
        let journey_of = |journey_steps: &[(u32, u32, Role, Verification)],
                          victims: &mut Vec<VictimFact>|
         -> (u32, Status, bool) {
            let facts = &*facts;
            let person = journey_steps[0].0;
            // Two linked records in the same event: one step of the person's journey; of
            // two involvements in one step, the better established (sorted first) is kept.
            let mut steps: Vec<(usize, Role, Verification)> = journey_steps
                .iter()
                .map(|&(_, at, role, verification)| (at as usize, role, verification))
                .collect();
            steps.dedup_by_key(|(e, role, _)| (*e, *role as u8));
            // The journey's events, made for as long as it takes to order them.
            let made: Vec<Event> = steps
                .iter()
                .map(|(at, _, _)| self.event(*at, facts))
                .collect();
            let journey: Vec<JourneyStep<'_>> = steps
                .iter()
                .zip(&made)
                .map(|((at, role, _), event)| JourneyStep {
                    id: facts.events[*at].id,
                    event,
                    role: *role,
                })
                .collect();
            let ordered = journey_order(&journey, vocab);
            let i = person as usize - self.base;
            let status = status_with_statements(&ordered, &self.stated[i], vocab);
            // A journey is a handful of steps: looking through it beats a map per person.
            let position = |id: RecordId| ordered.iter().rposition(|s| s.id == id);
            let victim_steps: Vec<usize> = ordered
                .iter()
                .enumerate()
                .filter(|(_, s)| s.role == Role::Victim)
                .map(|(i, _)| i)
                .collect();
            let fact_at = |i: usize| {
                steps
                    .iter()
                    .find(|(at, _, _)| facts.events[*at].id == ordered[i].id)
                    .map_or(0, |(at, _, _)| *at)
            };
            let category_at =
                |i: usize| facts.categories[facts.events[fact_at(i)].kind as usize].as_str();
            let returnee = victim_steps.iter().any(|i| category_at(*i) == "return");
            let first_forced_return = victim_steps
                .iter()
                .copied()
                .find(|i| Some(facts.events[fact_at(*i)].kind) == forced_return);
            let last_disappearance = victim_steps
                .iter()
                .copied()
                .rfind(|i| category_at(*i) == "disappearance");
            for (at, role, verification) in &steps {
                let at_fact = *at as u32;
                let start = FuzzyDate::from_bits(self.parts[self.part_of.of(*at) as usize].start);
                // A step taken to find someone is no violation, whoever is recorded in it.
                if *role != Role::Victim
                    || facts.categories[facts.events[at_fact as usize].kind as usize] == "search"
                {
                    continue;
                }
                let Some(at) = position(facts.events[at_fact as usize].id) else {
                    continue;
                };
                victims.push(VictimFact {
                    event: at_fact,
                    person,
                    age: age_group_or_stated(&self.births[i], self.stated_ages[i], &start),
                    verification: *verification,
                    after_forced_return: first_forced_return.is_some_and(|f| f < at),
                    then_disappeared: status == Status::Disappeared
                        || last_disappearance.is_some_and(|d| d > at),
                });
            }
            (person, status, returnee)
        };
        // The journeys in two halves, one on each core, split between two persons.
        let mut half = all_steps.len() / 2;
        while half > 0 && half < all_steps.len() && all_steps[half - 1].0 == all_steps[half].0 {
            half += 1;
        }
        let (first, second) = all_steps.split_at(half);
        let run = |part: &[(u32, u32, Role, Verification)]| {
            let mut victims = Vec::new();
            let persons: Vec<(u32, Status, bool)> = part
                .chunk_by(|a, b| a.0 == b.0)
                .map(|steps| journey_of(steps, &mut victims))
                .collect();
            (persons, victims)
        };
        let ((persons_a, victims_a), (persons_b, victims_b)) = std::thread::scope(|threads| {
            let other = threads.spawn(|| run(second));
            let mine = run(first);
            let theirs = other
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (mine, theirs)
        });
        for (person, status, returnee) in persons_a.into_iter().chain(persons_b) {
            let fact = &mut facts.persons[person as usize];
            fact.status = status;
            fact.returnee = returnee;
        }
        let counted_before = facts.victims.len();
        facts.victims.extend(victims_a);
        facts.victims.extend(victims_b);
        merge_into_sorted(&mut facts.victims, counted_before, |v| (v.event, v.person));
        facts.victims.dedup_by_key(|v| (v.event, v.person));
        facts.submitted.sort_unstable();
        facts.submitted.dedup();
    }
}

/// Sort `items[from..]` by `key` and merge it into `items[..from]`, already sorted, as a
/// stable sort of the whole would (of equal keys, those before `from` first). A recount adds
/// a handful of victimisations to millions: sorting them all again allocated half their
/// size and touched every one (30 ms at a million persons), where merging moves only those
/// after the first one added.
fn merge_into_sorted<T: Clone, K: Ord>(items: &mut [T], from: usize, key: impl Fn(&T) -> K) {
    items[from..].sort_by_key(&key);
    if from == 0 || from == items.len() || key(&items[from - 1]) <= key(&items[from]) {
        return;
    }
    let added: Vec<T> = items[from..].to_vec();
    let (mut kept, mut new, mut at) = (from, added.len(), items.len());
    while new > 0 {
        at -= 1;
        if kept > 0 && key(&items[kept - 1]) > key(&added[new - 1]) {
            kept -= 1;
            items[at] = items[kept].clone();
        } else {
            new -= 1;
            items[at] = added[new].clone();
        }
    }
}

/// Each linked person record with the record its group is counted under (union–find over
/// the pairs; the smallest id of a group stands for it).
fn canonical_persons(pairs: &[(RecordId, RecordId)]) -> FastMap<RecordId, RecordId> {
    let mut parent: HashMap<RecordId, RecordId> = HashMap::new();
    fn find(parent: &mut HashMap<RecordId, RecordId>, x: RecordId) -> RecordId {
        let mut root = x;
        while let Some(&up) = parent.get(&root) {
            if up == root {
                break;
            }
            root = up;
        }
        parent.insert(x, root);
        root
    }
    for &(a, b) in pairs {
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra != rb {
            let (low, high) = if ra < rb { (ra, rb) } else { (rb, ra) };
            parent.insert(high, low);
            parent.insert(low, low);
        }
    }
    let keys: Vec<RecordId> = parent.keys().copied().collect();
    keys.into_iter()
        .map(|k| (k, find(&mut parent, k)))
        .collect()
}

/// The countable facts of the records among `records` that have any.
fn facts_of(
    records: impl IntoIterator<Item = (RecordId, RecordBody)>,
) -> impl Iterator<Item = (RecordId, RecordFacts)> {
    records
        .into_iter()
        .filter_map(|(id, body)| RecordFacts::of(&body).map(|facts| (id, facts)))
}

/// Strings seen in one dimension, interned to small numbers.
#[derive(Debug, Clone, Default)]
struct Interned {
    values: Vec<String>,
    index: FastMap<String, u16>,
}

impl Interned {
    fn intern(&mut self, value: Option<&str>) -> u16 {
        let Some(value) = value else {
            return NONE;
        };
        if let Some(i) = self.index.get(value) {
            return *i;
        }
        let i = u16::try_from(self.values.len())
            .unwrap_or(NONE - 1)
            .min(NONE - 1);
        self.values.push(value.to_string());
        self.index.insert(value.to_string(), i);
        i
    }

    /// The value numbered `i`, `None` for none.
    fn value(&self, i: u16) -> Option<&str> {
        self.values.get(i as usize).map(String::as_str)
    }

    fn name(&self, i: u16) -> &str {
        if i == NONE {
            "unknown"
        } else {
            self.values
                .get(i as usize)
                .map_or("unknown", String::as_str)
        }
    }
}

/// What statistics know of a body of records.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    persons: Vec<PersonFact>,
    /// Person records read: more than `persons` when linked records count as one.
    person_records: usize,
    events: Vec<EventFact>,
    victims: Vec<VictimFact>,
    kinds: Interned,
    categories: Vec<String>,
    governorates: Interned,
    units: Interned,
    authorities: Interned,
    hosts: Interned,
    causes: Interned,
    /// Person records whose case waits for verification, in id order.
    submitted: Vec<RecordId>,
    /// Where each record read is among the facts: made when first needed (to count
    /// records again, or to say a record's status), so that facts read back to be counted
    /// only never make them.
    maps: std::sync::OnceLock<RecordMaps>,
    /// What the maps need besides the persons' and events' own ids, while they are not
    /// made (facts read back: [`Facts::from_kept`]).
    unmapped: kept::Unmapped,
    tallies: KeptTallies,
}

/// Where each record read is among the facts.
#[derive(Debug, Clone, Default)]
struct RecordMaps {
    /// Each person record read, with the person it counts as (its place in `persons`).
    persons: FastMap<RecordId, u32>,
    /// Each event read, with its place in `events` (a changed event takes a new place;
    /// the old one is then no victim's).
    events: FastMap<RecordId, u32>,
}

/// Which victimisations to count.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Count only events and involvements at least this well established.
    pub min_verification: Option<Verification>,
    /// The period, as days since 1970-01-01 (inclusive): an event counts when its date is
    /// certainly inside; one that may or may not be is counted apart as uncertain.
    pub from_day: Option<i64>,
    pub to_day: Option<i64>,
    /// Only events in this governorate (P-code).
    pub governorate: Option<String>,
    /// Only persons whose case a second person verified (docs/DEFINITIONS.md, "Verified
    /// cases").
    pub verified_cases_only: bool,
}

/// Which persons to list: by derived status, and by an event of their journey.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PersonFilter {
    pub status: Option<Status>,
    /// The event's period, verification and governorate.
    pub events: Filter,
    /// The event's kind (`arrest`), unit held responsible and host country of a return, by id.
    pub kind: Option<String>,
    pub unit: Option<String>,
    pub host_country: Option<String>,
}

impl PersonFilter {
    /// Whether any criterion is about events (rather than the person's status alone).
    pub fn has_event_criteria(&self) -> bool {
        self.events != Filter::default()
            || self.kind.is_some()
            || self.unit.is_some()
            || self.host_country.is_some()
    }

    /// Whether it selects anything less than every person.
    pub fn is_active(&self) -> bool {
        self.status.is_some() || self.has_event_criteria()
    }
}

/// A filter value that cannot be read: which one, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    /// `from`, `to` or `verification`.
    pub field: &'static str,
    pub problem: String,
}

impl Filter {
    /// A filter from what a person typed: dates in any form `FuzzyDate` reads (the period
    /// runs from the first day `from` may mean to the last day `to` may mean), a verification
    /// level by name, a governorate P-code. Every unreadable value is reported.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        verification: Option<&str>,
        governorate: Option<&str>,
    ) -> Result<Filter, Vec<FilterError>> {
        let mut errors = Vec::new();
        let mut day = |text: Option<&str>, field: &'static str, first: bool| {
            let text = text?;
            match athar_model::FuzzyDate::parse(text).map(|d| d.bounds()) {
                Ok(Some((lo, hi))) => Some(if first { lo } else { hi }),
                Ok(None) => {
                    errors.push(FilterError {
                        field,
                        problem: "give a date such as 2024 or 2024-03".into(),
                    });
                    None
                }
                Err(e) => {
                    errors.push(FilterError {
                        field,
                        problem: e.to_string(),
                    });
                    None
                }
            }
        };
        let from_day = day(from, "from", true);
        let to_day = day(to, "to", false);
        let min_verification = match verification {
            None => None,
            Some("alleged") => Some(Verification::Alleged),
            Some("corroborated") => Some(Verification::Corroborated),
            Some("verified") => Some(Verification::Verified),
            Some(_) => {
                errors.push(FilterError {
                    field: "verification",
                    problem: "one of alleged, corroborated, verified".into(),
                });
                None
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Filter {
            min_verification,
            from_day,
            to_day,
            governorate: governorate.map(str::to_string),
            verified_cases_only: false,
        })
    }
}

fn rank(v: Verification) -> u8 {
    match v {
        Verification::Alleged => 0,
        Verification::Corroborated => 1,
        Verification::Verified => 2,
    }
}

/// Whether an event falls in the filter's period: certainly, possibly, or not at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InPeriod {
    Yes,
    Maybe,
    No,
}

impl Filter {
    fn period(&self, days: Option<(i64, i64)>) -> InPeriod {
        if self.from_day.is_none() && self.to_day.is_none() {
            return InPeriod::Yes;
        }
        let Some((lo, hi)) = days else {
            return InPeriod::Maybe;
        };
        let from = self.from_day.unwrap_or(i64::MIN);
        let to = self.to_day.unwrap_or(i64::MAX);
        if lo >= from && hi <= to {
            InPeriod::Yes
        } else if hi < from || lo > to {
            InPeriod::No
        } else {
            InPeriod::Maybe
        }
    }
}

/// The headline figures of a report (`athar stats --json`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    /// Persons recorded, whatever happened to them (linked records counted once).
    pub persons: usize,
    /// Person records, before linked ones are counted once.
    pub person_records: usize,
    /// Distinct persons who are victims of a counted event.
    pub victims: usize,
    /// Persons with a return (forced or declared voluntary) as victim, and of them those
    /// forced back.
    pub returnees: usize,
    pub forced_returnees: usize,
    /// Victims of arrest events (a person arrested twice counts twice).
    pub arrests: usize,
    pub arrests_children: usize,
    /// Arrests of adult women (girls are counted among the children).
    pub arrests_women: usize,
    /// Arrests where the age at the arrest cannot be decided, or the sex is not recorded.
    pub arrests_age_unknown: usize,
    pub arrests_sex_unknown: usize,
    pub arrests_after_forced_return: usize,
    /// Arrests followed by an enforced disappearance (or the person is disappeared now).
    pub arrests_then_disappeared: usize,
    /// arrests_then_disappeared / arrests (null without arrests).
    pub share_arrests_to_disappearance: Option<f64>,
    /// Persons by derived status now (from their whole journey).
    pub enforced_disappearances: usize,
    pub died_in_custody: usize,
    pub killed: usize,
    /// Dead as a source states it, how or where not said (docs/DEFINITIONS.md).
    pub dead: usize,
    pub detained: usize,
    pub released: usize,
    /// Arrests by the party responsible: the authority the unit served, or the party
    /// named without a unit ("unknown" when neither).
    pub arrests_by_party: Vec<(String, usize)>,
    /// Shares of arrests by party, of the arrests with a known party.
    pub share_arrests_by_party: Vec<(String, f64)>,
    /// What became of the returnees: arrested after returning, and by status now.
    pub returnee_cohort: ReturneeCohort,
    /// Victimisations left out because their date may or may not fall in the period.
    pub uncertain_in_period: usize,
}

/// What a set of persons adds to a summary: its figures (without the shares, the parties'
/// arrests or the persons recorded), with the arrests by party's number and of no party.
/// Every figure is a sum over persons, so the summary of facts counted again after a
/// change is the kept tally less what the persons counted again added, plus what they add
/// now ([`Facts::recount`]).
#[derive(Debug, Clone, PartialEq)]
struct Tally {
    figures: Summary,
    by_party: Vec<usize>,
    by_no_party: usize,
}

impl Tally {
    /// Adds `other` to this tally (`sign` 1), or takes it away (`sign` -1).
    fn combine(&mut self, other: &Tally, sign: i8) {
        let apply = |to: &mut usize, by: usize| {
            *to = if sign < 0 {
                to.saturating_sub(by)
            } else {
                *to + by
            };
        };
        let (a, b) = (&mut self.figures, &other.figures);
        for (to, by) in [
            (&mut a.victims, b.victims),
            (&mut a.returnees, b.returnees),
            (&mut a.forced_returnees, b.forced_returnees),
            (&mut a.arrests, b.arrests),
            (&mut a.arrests_children, b.arrests_children),
            (&mut a.arrests_women, b.arrests_women),
            (&mut a.arrests_age_unknown, b.arrests_age_unknown),
            (&mut a.arrests_sex_unknown, b.arrests_sex_unknown),
            (
                &mut a.arrests_after_forced_return,
                b.arrests_after_forced_return,
            ),
            (&mut a.arrests_then_disappeared, b.arrests_then_disappeared),
            (&mut a.enforced_disappearances, b.enforced_disappearances),
            (&mut a.died_in_custody, b.died_in_custody),
            (&mut a.killed, b.killed),
            (&mut a.dead, b.dead),
            (&mut a.detained, b.detained),
            (&mut a.released, b.released),
            (&mut a.uncertain_in_period, b.uncertain_in_period),
            (
                &mut a.returnee_cohort.returnees,
                b.returnee_cohort.returnees,
            ),
            (
                &mut a.returnee_cohort.children_at_return,
                b.returnee_cohort.children_at_return,
            ),
            (
                &mut a.returnee_cohort.arrested_after_return,
                b.returnee_cohort.arrested_after_return,
            ),
            (&mut a.returnee_cohort.detained, b.returnee_cohort.detained),
            (
                &mut a.returnee_cohort.disappeared,
                b.returnee_cohort.disappeared,
            ),
            (
                &mut a.returnee_cohort.died_in_custody,
                b.returnee_cohort.died_in_custody,
            ),
            (&mut a.returnee_cohort.killed, b.returnee_cohort.killed),
            (&mut a.returnee_cohort.dead, b.returnee_cohort.dead),
            (&mut a.returnee_cohort.released, b.returnee_cohort.released),
            (
                &mut a.returnee_cohort.nothing_known,
                b.returnee_cohort.nothing_known,
            ),
        ] {
            apply(to, by);
        }
        if self.by_party.len() < other.by_party.len() {
            self.by_party.resize(other.by_party.len(), 0);
        }
        for (to, by) in self.by_party.iter_mut().zip(&other.by_party) {
            apply(to, *by);
        }
        apply(&mut self.by_no_party, other.by_no_party);
    }
}

/// The tallies of the summaries asked for lately, each with its filter, kept up to date by
/// [`Facts::recount`] so that a summary after a write costs what the write changed.
#[derive(Debug, Default)]
struct KeptTallies(std::sync::Mutex<Vec<(Filter, Tally)>>);

/// How many filters' tallies are kept.
const TALLIES_KEPT: usize = 8;

impl Clone for KeptTallies {
    fn clone(&self) -> Self {
        let kept = self.0.lock().map(|kept| kept.clone()).unwrap_or_default();
        KeptTallies(std::sync::Mutex::new(kept))
    }
}

impl KeptTallies {
    fn find(&self, filter: &Filter) -> Option<Tally> {
        let kept = self.0.lock().ok()?;
        kept.iter()
            .find(|(f, _)| f == filter)
            .map(|(_, t)| t.clone())
    }

    fn keep(&self, filter: &Filter, tally: &Tally) {
        if let Ok(mut kept) = self.0.lock() {
            if kept.len() == TALLIES_KEPT {
                kept.remove(0);
            }
            kept.push((filter.clone(), tally.clone()));
        }
    }

    fn take(&mut self) -> Vec<(Filter, Tally)> {
        self.0.get_mut().map(std::mem::take).unwrap_or_default()
    }

    fn put(&mut self, tallies: Vec<(Filter, Tally)>) {
        if let Ok(kept) = self.0.get_mut() {
            *kept = tallies;
        }
    }
}

/// The headline figures whose records [`Facts::behind`] can list.
pub const FIGURES: [&str; 25] = [
    "victims",
    "returnees",
    "forced_returnees",
    "arrests",
    "arrests_children",
    "arrests_women",
    "arrests_age_unknown",
    "arrests_sex_unknown",
    "arrests_after_forced_return",
    "arrests_then_disappeared",
    "enforced_disappearances",
    "died_in_custody",
    "killed",
    "dead",
    "detained",
    "released",
    "returnee_cohort.children_at_return",
    "returnee_cohort.arrested_after_return",
    "returnee_cohort.detained",
    "returnee_cohort.disappeared",
    "returnee_cohort.died_in_custody",
    "returnee_cohort.killed",
    "returnee_cohort.dead",
    "returnee_cohort.released",
    "returnee_cohort.nothing_known",
];

/// A figure's value in a summary, by its name in [`FIGURES`].
fn summary_figure(summary: &Summary, name: &str) -> Option<usize> {
    let c = &summary.returnee_cohort;
    Some(match name {
        "victims" => summary.victims,
        "returnees" => summary.returnees,
        "forced_returnees" => summary.forced_returnees,
        "arrests" => summary.arrests,
        "arrests_children" => summary.arrests_children,
        "arrests_women" => summary.arrests_women,
        "arrests_age_unknown" => summary.arrests_age_unknown,
        "arrests_sex_unknown" => summary.arrests_sex_unknown,
        "arrests_after_forced_return" => summary.arrests_after_forced_return,
        "arrests_then_disappeared" => summary.arrests_then_disappeared,
        "enforced_disappearances" => summary.enforced_disappearances,
        "died_in_custody" => summary.died_in_custody,
        "killed" => summary.killed,
        "dead" => summary.dead,
        "detained" => summary.detained,
        "released" => summary.released,
        "returnee_cohort.children_at_return" => c.children_at_return,
        "returnee_cohort.arrested_after_return" => c.arrested_after_return,
        "returnee_cohort.detained" => c.detained,
        "returnee_cohort.disappeared" => c.disappeared,
        "returnee_cohort.died_in_custody" => c.died_in_custody,
        "returnee_cohort.killed" => c.killed,
        "returnee_cohort.dead" => c.dead,
        "returnee_cohort.released" => c.released,
        "returnee_cohort.nothing_known" => c.nothing_known,
        _ => return None,
    })
}

/// The records behind a headline figure.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Behind {
    pub figure: &'static str,
    /// The figure's value: victimisations for the arrest figures, persons for the rest.
    pub count: usize,
    /// The events counted (none for figures of persons).
    pub events: Vec<RecordId>,
    /// The persons counted.
    pub persons: Vec<RecordId>,
}

/// The returnees and what became of them.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct ReturneeCohort {
    pub returnees: usize,
    pub children_at_return: usize,
    pub arrested_after_return: usize,
    pub detained: usize,
    pub disappeared: usize,
    pub died_in_custody: usize,
    pub killed: usize,
    /// Dead, how or where not said.
    pub dead: usize,
    pub released: usize,
    /// At liberty or unknown: nothing known of harm after the return.
    pub nothing_known: usize,
}

/// A dimension to break counts down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimension {
    Kind,
    Year,
    Month,
    Governorate,
    Unit,
    Party,
    Sex,
    AgeGroup,
    HostCountry,
    /// The cause of death a death names.
    Cause,
    /// Civilian or combatant, as stated of the person.
    Combatant,
    Verification,
}

impl Dimension {
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "kind" => Self::Kind,
            "year" => Self::Year,
            "month" => Self::Month,
            "governorate" => Self::Governorate,
            "unit" => Self::Unit,
            "party" => Self::Party,
            "sex" => Self::Sex,
            "age" | "age-group" => Self::AgeGroup,
            "host-country" => Self::HostCountry,
            "cause" => Self::Cause,
            "combatant" | "civilian" => Self::Combatant,
            "verification" => Self::Verification,
            _ => return None,
        })
    }

    /// The names [`Dimension::parse`] takes, for messages.
    pub const NAMES: &'static str = "kind, year, month, governorate, unit, party, sex, age, host-country, cause, combatant, verification";

    /// One to three dimensions by name.
    pub fn parse_list<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Vec<Self>, String> {
        let dimensions = names
            .into_iter()
            .map(|name| {
                Self::parse(name.trim())
                    .ok_or_else(|| format!("unknown dimension {name:?}; one of {}", Self::NAMES))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if !(1..=3).contains(&dimensions.len()) {
            return Err(format!("one to three of {}", Self::NAMES));
        }
        Ok(dimensions)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Kind => "kind",
            Self::Year => "year",
            Self::Month => "month",
            Self::Governorate => "governorate",
            Self::Unit => "unit",
            Self::Party => "party",
            Self::Sex => "sex",
            Self::AgeGroup => "age",
            Self::HostCountry => "host-country",
            Self::Cause => "cause",
            Self::Combatant => "combatant",
            Self::Verification => "verification",
        }
    }
}

/// One cell of a breakdown.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// The values of the dimensions, in order ("unknown" or "uncertain" where the records do
    /// not decide).
    pub key: Vec<String>,
    pub victimisations: usize,
    pub events: usize,
    pub persons: usize,
    /// The events behind the cell, when asked for.
    pub event_ids: Option<Vec<String>>,
    /// Too few persons to publish (see [`Breakdown::suppress_small_cells`]): the counts are
    /// withheld — written as null — and so are the events.
    pub suppressed: bool,
}

impl Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let shown = |n: usize| (!self.suppressed).then_some(n);
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("key", &self.key)?;
        map.serialize_entry("victimisations", &shown(self.victimisations))?;
        map.serialize_entry("events", &shown(self.events))?;
        map.serialize_entry("persons", &shown(self.persons))?;
        if self.suppressed {
            map.serialize_entry("suppressed", &true)?;
        } else if let Some(ids) = &self.event_ids {
            map.serialize_entry("event_ids", ids)?;
        }
        map.end()
    }
}

/// A breakdown: cells in decreasing order of victimisations.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Breakdown {
    pub dimensions: Vec<&'static str>,
    pub cells: Vec<Cell>,
    pub uncertain_in_period: usize,
    /// Cells of fewer persons than this are suppressed (public outputs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed_below: Option<usize>,
}

impl Breakdown {
    /// For public outputs: withhold every cell of fewer than `below` persons (but more than
    /// none), so that no one can be singled out from a small count — a cross-tabulation of
    /// place, year, sex and age quickly comes down to one person. Only the cells are
    /// withheld; totals published beside the breakdown can give a lone suppressed cell back,
    /// so publish them rounded or not at all. `below` of 0 or 1 withholds nothing.
    pub fn suppress_small_cells(&mut self, below: usize) {
        if below <= 1 {
            return;
        }
        for cell in &mut self.cells {
            if cell.persons > 0 && cell.persons < below {
                cell.suppressed = true;
                cell.event_ids = None;
            }
        }
        self.suppressed_below = Some(below);
    }
}

impl Facts {
    /// Builds the facts from records (persons, events, involvements; others are ignored).
    /// Deleted or shredded records are the caller's to leave out; shredding removes no
    /// countable fact.
    pub fn build(
        records: impl IntoIterator<Item = (RecordId, RecordBody)>,
        vocab: &Vocabularies,
    ) -> Facts {
        Facts::build_linked(records, &[], vocab)
    }

    /// As [`Facts::build`], with `same_person` pairs of person records that describe one
    /// person (each record with the record it is counted under): such records count once,
    /// with their journeys together. The sex and birth date are the first known ones; a
    /// person in the same event through two records is one victim of it.
    pub fn build_linked(
        records: impl IntoIterator<Item = (RecordId, RecordBody)>,
        same_person: &[(RecordId, RecordId)],
        vocab: &Vocabularies,
    ) -> Facts {
        Facts::from_record_facts(facts_of(records), same_person, vocab)
    }

    /// A builder to give records' countable facts one at a time, linked records as in
    /// [`Facts::build_linked`].
    pub fn builder<'v>(
        same_person: &[(RecordId, RecordId)],
        vocab: &'v Vocabularies,
    ) -> FactsBuilder<'v> {
        let facts = Facts::default();
        FactsBuilder {
            adding: Adding::new(&facts),
            facts,
            canonical: canonical_persons(same_person),
            vocab,
        }
    }

    /// As [`Facts::build_linked`], from each record's countable facts (as the store keeps
    /// them) rather than the records themselves: the same figures.
    pub fn from_record_facts(
        records: impl IntoIterator<Item = (RecordId, RecordFacts)>,
        same_person: &[(RecordId, RecordId)],
        vocab: &Vocabularies,
    ) -> Facts {
        let mut facts = Facts::default();
        facts.add(records, &canonical_persons(same_person), vocab);
        facts
    }

    /// Counts `records` in: whole groups of linked person records not counted yet, with
    /// every involvement naming them and the events of those involvements (events already
    /// counted and unchanged keep their place; a changed one takes a new one).
    fn add(
        &mut self,
        records: impl IntoIterator<Item = (RecordId, RecordFacts)>,
        canonical: &FastMap<RecordId, RecordId>,
        vocab: &Vocabularies,
    ) {
        let mut adding = Adding::new(self);
        for (id, body) in records {
            adding.push(self, id, &body, canonical, vocab);
        }
        adding.finish(self, vocab);
    }

    /// The person records to count again when `touched` changed (edited, deleted,
    /// created, in an involvement or event that changed, or linked differently): each with
    /// every record linked to it by `before` (the links these facts were counted with) and
    /// by `now`, until no group is left half counted.
    pub fn to_recount(
        &self,
        touched: impl IntoIterator<Item = RecordId>,
        before: &[(RecordId, RecordId)],
        now: &[(RecordId, RecordId)],
    ) -> std::collections::HashSet<RecordId> {
        let groups = |pairs: &[(RecordId, RecordId)]| {
            let canonical = canonical_persons(pairs);
            let mut members: HashMap<RecordId, Vec<RecordId>> = HashMap::new();
            for (id, root) in &canonical {
                members.entry(*root).or_default().push(*id);
            }
            (canonical, members)
        };
        let (before, now) = (groups(before), groups(now));
        let mut out = std::collections::HashSet::new();
        let mut queue: Vec<RecordId> = touched.into_iter().collect();
        while let Some(id) = queue.pop() {
            if !out.insert(id) {
                continue;
            }
            for (canonical, members) in [&before, &now] {
                let root = canonical.get(&id).copied().unwrap_or(id);
                queue.extend(members.get(&root).into_iter().flatten().copied());
            }
        }
        out
    }

    /// Counts again, after a change, the person records `recount` (from
    /// [`Facts::to_recount`], so that whole groups of linked records are in it): what they
    /// counted for goes, and `records` comes in — those
    /// of them still there, every involvement naming them and the events of those
    /// involvements, and any event that changed. Events in `gone` (deleted) are forgotten.
    /// The figures are then those of [`Facts::build_linked`] over all records as they are
    /// now; record by record, without reading the others again.
    pub fn recount(
        &mut self,
        recount: &std::collections::HashSet<RecordId>,
        gone: &[RecordId],
        records: impl IntoIterator<Item = (RecordId, RecordBody)>,
        same_person: &[(RecordId, RecordId)],
        vocab: &Vocabularies,
    ) {
        let mut dropped = vec![false; self.persons.len()];
        let mut dropped_persons: Vec<usize> = recount
            .iter()
            .filter_map(|id| self.maps().persons.get(id).map(|at| *at as usize))
            .collect();
        dropped_persons.sort_unstable();
        dropped_persons.dedup();
        for at in &dropped_persons {
            dropped[*at] = true;
        }
        // The summaries kept lose what the persons counted again gave them.
        let mut tallies = self.tallies.take();
        if !dropped_persons.is_empty() {
            for (filter, tally) in &mut tallies {
                let gone = self.tally(
                    filter,
                    self.victims.iter().filter(|v| dropped[v.person as usize]),
                    dropped_persons.iter().copied(),
                    |_, _, _| {},
                );
                tally.combine(&gone, -1);
            }
        }
        // Every record of a dropped person is among those counted again.
        for id in recount {
            if self.maps_mut().persons.remove(id).is_some() {
                self.person_records -= 1;
            }
        }
        self.submitted.retain(|id| !recount.contains(id));
        for event in gone {
            self.maps_mut().events.remove(event);
        }
        if !dropped_persons.is_empty() {
            self.victims.retain(|v| !dropped[v.person as usize]);
            // The persons left keep their order; their places close up.
            let mut place = vec![u32::MAX; self.persons.len()];
            let mut kept = 0u32;
            for (at, slot) in place.iter_mut().enumerate() {
                if !dropped[at] {
                    *slot = kept;
                    kept += 1;
                }
            }
            let mut at = 0;
            self.persons.retain(|_| {
                let keep = place[at] != u32::MAX;
                at += 1;
                keep
            });
            for v in &mut self.victims {
                v.person = place[v.person as usize];
            }
            for at in self.maps_mut().persons.values_mut() {
                *at = place[*at as usize];
            }
        }
        let before = self.persons.len();
        self.add(facts_of(records), &canonical_persons(same_person), vocab);
        // And gain what they give now: the persons counted again come after the others.
        for (filter, tally) in &mut tallies {
            let added = self.tally(
                filter,
                self.victims.iter().filter(|v| v.person as usize >= before),
                before..self.persons.len(),
                |_, _, _| {},
            );
            tally.combine(&added, 1);
        }
        self.tallies.put(tallies);
    }

    /// The derived status of the person a person record counts as (with the records
    /// linked to it), or `None` for a record these facts were not built from.
    pub fn status_of(&self, record: RecordId) -> Option<Status> {
        let at = *self.maps().persons.get(&record)?;
        self.persons.get(at as usize).map(|p| p.status)
    }

    /// The person records whose case waits for a second person's verification, in id order.
    pub fn submitted_cases(&self) -> &[RecordId] {
        &self.submitted
    }

    /// The persons `filter` selects, in record id order: linked records once, under the
    /// record their group is counted with. A person is selected when their derived status
    /// is the one asked for and one event of their journey (as a victim) meets every event
    /// criterion at once — one whose date *may* fall in the period counts, so that a list
    /// never hides a person a date might concern.
    pub fn persons_matching(&self, filter: &PersonFilter) -> Vec<RecordId> {
        let by_events = filter.has_event_criteria();
        let mut keep = vec![!by_events; self.persons.len()];
        if by_events {
            let wanted = |names: &Interned, want: &Option<String>, value: u16| {
                want.as_deref().is_none_or(|w| names.name(value) == w)
            };
            for victim in &self.victims {
                let person = victim.person as usize;
                if keep[person] || self.counted(&filter.events, victim) == InPeriod::No {
                    continue;
                }
                let event = &self.events[victim.event as usize];
                if wanted(&self.units, &filter.unit, event.unit)
                    && wanted(&self.hosts, &filter.host_country, event.host)
                    && wanted(&self.kinds, &filter.kind, event.kind)
                {
                    keep[person] = true;
                }
            }
        }
        let mut ids: Vec<RecordId> = self
            .persons
            .iter()
            .zip(keep)
            .filter(|(p, keep)| *keep && filter.status.is_none_or(|s| p.status == s))
            .map(|(p, _)| p.id)
            .collect();
        ids.sort_unstable();
        ids
    }

    fn counted(&self, filter: &Filter, victim: &VictimFact) -> InPeriod {
        if filter.verified_cases_only && !self.persons[victim.person as usize].verified {
            return InPeriod::No;
        }
        let event = &self.events[victim.event as usize];
        if let Some(min) = filter.min_verification
            && (rank(event.verification) < rank(min) || rank(victim.verification) < rank(min))
        {
            return InPeriod::No;
        }
        if let Some(governorate) = &filter.governorate
            && self.governorates.name(event.governorate) != governorate
        {
            return InPeriod::No;
        }
        filter.period(event.days.get())
    }

    /// The headline figures under a filter. The tallies of the last few filters asked are
    /// kept with the facts and follow [`Facts::recount`].
    pub fn summary(&self, filter: &Filter) -> Summary {
        if let Some(tally) = self.tallies.find(filter) {
            return self.summary_of(tally);
        }
        let tally = self.tally_all(filter, |_, _, _| {});
        self.tallies.keep(filter, &tally);
        self.summary_of(tally)
    }

    /// The records behind one headline figure, named as in [`Summary`]'s JSON
    /// (`arrests_children`, `returnee_cohort.disappeared` …; [`FIGURES`] lists them): the
    /// events and persons it counts, each once, in record order. `None` for an unknown name.
    pub fn behind(&self, figure: &str, filter: &Filter) -> Option<Behind> {
        let name = *FIGURES.iter().find(|f| **f == figure)?;
        let mut events = Vec::new();
        let mut persons = Vec::new();
        let summary = self.summary_noting(filter, |counted, event, person| {
            if counted == name {
                if let Some(e) = event {
                    events.push(self.events[e as usize].id);
                }
                persons.push(self.persons[person as usize].id);
            }
        });
        events.sort_unstable();
        events.dedup();
        persons.sort_unstable();
        persons.dedup();
        let count = summary_figure(&summary, name).unwrap_or(0);
        Some(Behind {
            figure: name,
            count,
            events,
            persons,
        })
    }

    /// The summary, telling `note` of everything it counts: the figure's name, the event
    /// (for counts of victimisations) and the person.
    fn summary_noting(
        &self,
        filter: &Filter,
        note: impl FnMut(&'static str, Option<u32>, u32),
    ) -> Summary {
        self.summary_of(self.tally_all(filter, note))
    }

    /// The tally of every person and victimisation.
    fn tally_all(
        &self,
        filter: &Filter,
        note: impl FnMut(&'static str, Option<u32>, u32),
    ) -> Tally {
        self.tally(filter, self.victims.iter(), 0..self.persons.len(), note)
    }

    /// What the `victims` and the `persons` they are the victimisations of add to the
    /// summary under `filter` (every figure is a sum over persons), telling `note` of what
    /// is counted.
    fn tally<'v>(
        &self,
        filter: &Filter,
        victims: impl Iterator<Item = &'v VictimFact>,
        persons: impl Iterator<Item = usize>,
        mut note: impl FnMut(&'static str, Option<u32>, u32),
    ) -> Tally {
        let arrest = self.kinds.index.get("arrest").copied();
        let mut is_victim = vec![false; self.persons.len()];
        let mut arrested_after_return = vec![false; self.persons.len()];
        let mut children_at_return = vec![false; self.persons.len()];
        let mut summary = Summary {
            persons: 0,
            person_records: 0,
            victims: 0,
            returnees: 0,
            forced_returnees: 0,
            arrests: 0,
            arrests_children: 0,
            arrests_women: 0,
            arrests_age_unknown: 0,
            arrests_sex_unknown: 0,
            arrests_after_forced_return: 0,
            arrests_then_disappeared: 0,
            share_arrests_to_disappearance: None,
            enforced_disappearances: 0,
            died_in_custody: 0,
            killed: 0,
            dead: 0,
            detained: 0,
            released: 0,
            arrests_by_party: vec![],
            share_arrests_by_party: vec![],
            returnee_cohort: ReturneeCohort::default(),
            uncertain_in_period: 0,
        };
        // Arrests by party, by the party's number (the last slot for none).
        let mut by_party = vec![0usize; self.authorities.values.len() + 1];
        let party_slot = |p: u16| (p as usize).min(self.authorities.values.len());
        let mut forced_returnees = 0;
        // What each kind is, looked up once rather than for every victimisation.
        let returns: Vec<(bool, bool)> = (0..self.kinds.values.len())
            .map(|k| {
                let kind = k as u16;
                (
                    self.categories.get(k).is_some_and(|c| c == "return"),
                    self.kinds.name(kind) == "forced-return",
                )
            })
            .collect();
        let mut forced = vec![false; self.persons.len()];
        for victim in victims {
            match self.counted(filter, victim) {
                InPeriod::No => continue,
                InPeriod::Maybe => {
                    summary.uncertain_in_period += 1;
                    continue;
                }
                InPeriod::Yes => {}
            }
            let person = &self.persons[victim.person as usize];
            let event = &self.events[victim.event as usize];
            is_victim[victim.person as usize] = true;
            let (is_return, is_forced) = returns
                .get(event.kind as usize)
                .copied()
                .unwrap_or((false, false));
            if is_return {
                if is_forced {
                    forced[victim.person as usize] = true;
                }
                if victim.age == AgeGroup::Child {
                    children_at_return[victim.person as usize] = true;
                }
            }
            if Some(event.kind) != arrest {
                continue;
            }
            let noted = Some(victim.event);
            summary.arrests += 1;
            note("arrests", noted, victim.person);
            match victim.age {
                AgeGroup::Child => {
                    summary.arrests_children += 1;
                    note("arrests_children", noted, victim.person);
                }
                AgeGroup::Unknown => {
                    summary.arrests_age_unknown += 1;
                    note("arrests_age_unknown", noted, victim.person);
                }
                AgeGroup::Adult => {}
            }
            match person.sex {
                // Women are adult women, as monitoring groups count them: girls are among
                // the children, and a woman or girl of unknown age among the unknown ages.
                Sex::Female if victim.age == AgeGroup::Adult => {
                    summary.arrests_women += 1;
                    note("arrests_women", noted, victim.person);
                }
                Sex::Female => {}
                Sex::Unknown => {
                    summary.arrests_sex_unknown += 1;
                    note("arrests_sex_unknown", noted, victim.person);
                }
                Sex::Male => {}
            }
            if victim.after_forced_return {
                summary.arrests_after_forced_return += 1;
                note("arrests_after_forced_return", noted, victim.person);
            }
            if person.returnee {
                arrested_after_return[victim.person as usize] = true;
            }
            if victim.then_disappeared {
                summary.arrests_then_disappeared += 1;
                note("arrests_then_disappeared", noted, victim.person);
            }
            by_party[party_slot(event.authority)] += 1;
        }
        for i in persons {
            let person = &self.persons[i];
            if !is_victim[i] {
                continue;
            }
            forced_returnees += usize::from(forced[i]);
            let at = i as u32;
            summary.victims += 1;
            note("victims", None, at);
            let status_figure = match person.status {
                Status::Disappeared => {
                    summary.enforced_disappearances += 1;
                    Some("enforced_disappearances")
                }
                Status::DiedInCustody => {
                    summary.died_in_custody += 1;
                    Some("died_in_custody")
                }
                Status::Killed => {
                    summary.killed += 1;
                    Some("killed")
                }
                Status::Dead => {
                    summary.dead += 1;
                    Some("dead")
                }
                Status::Detained => {
                    summary.detained += 1;
                    Some("detained")
                }
                Status::Released => {
                    summary.released += 1;
                    Some("released")
                }
                Status::AtLiberty | Status::Unknown => None,
            };
            if let Some(figure) = status_figure {
                note(figure, None, at);
            }
            if forced[i] {
                note("forced_returnees", None, at);
            }
            if person.returnee {
                let cohort = &mut summary.returnee_cohort;
                cohort.returnees += 1;
                note("returnees", None, at);
                if children_at_return[i] {
                    cohort.children_at_return += 1;
                    note("returnee_cohort.children_at_return", None, at);
                }
                if arrested_after_return[i] {
                    cohort.arrested_after_return += 1;
                    note("returnee_cohort.arrested_after_return", None, at);
                }
                let figure = match person.status {
                    Status::Detained => {
                        cohort.detained += 1;
                        "returnee_cohort.detained"
                    }
                    Status::Disappeared => {
                        cohort.disappeared += 1;
                        "returnee_cohort.disappeared"
                    }
                    Status::DiedInCustody => {
                        cohort.died_in_custody += 1;
                        "returnee_cohort.died_in_custody"
                    }
                    Status::Killed => {
                        cohort.killed += 1;
                        "returnee_cohort.killed"
                    }
                    Status::Dead => {
                        cohort.dead += 1;
                        "returnee_cohort.dead"
                    }
                    Status::Released => {
                        cohort.released += 1;
                        "returnee_cohort.released"
                    }
                    Status::AtLiberty | Status::Unknown => {
                        cohort.nothing_known += 1;
                        "returnee_cohort.nothing_known"
                    }
                };
                note(figure, None, at);
            }
        }
        summary.returnees = summary.returnee_cohort.returnees;
        summary.forced_returnees = forced_returnees;
        let unknown = self.authorities.values.len();
        Tally {
            figures: summary,
            by_party: by_party[..unknown].to_vec(),
            by_no_party: by_party[unknown],
        }
    }

    /// The summary of these facts from the tally of all their persons.
    fn summary_of(&self, tally: Tally) -> Summary {
        let Tally {
            figures: mut summary,
            by_party,
            by_no_party,
        } = tally;
        summary.persons = self.persons.len();
        summary.person_records = self.person_records;
        summary.share_arrests_to_disappearance = (summary.arrests > 0)
            .then(|| summary.arrests_then_disappeared as f64 / summary.arrests as f64);
        let mut parties: Vec<(String, usize)> = by_party
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(p, n)| (self.authorities.name(p as u16).to_string(), *n))
            .collect();
        if by_no_party > 0 {
            parties.push(("unknown".to_string(), by_no_party));
        }
        parties.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let known: usize = by_party.iter().sum();
        summary.share_arrests_by_party = parties
            .iter()
            .filter(|(name, _)| name != "unknown" && known > 0)
            .map(|(name, n)| (name.clone(), *n as f64 / known as f64))
            .collect();
        summary.arrests_by_party = parties;
        summary
    }

    fn key_of(&self, dimension: Dimension, victim: &VictimFact) -> u32 {
        let event = &self.events[victim.event as usize];
        let person = &self.persons[victim.person as usize];
        match dimension {
            Dimension::Kind => event.kind as u32,
            Dimension::Governorate => event.governorate as u32,
            Dimension::Unit => event.unit as u32,
            Dimension::Party => event.authority as u32,
            Dimension::HostCountry => event.host as u32,
            Dimension::Cause => event.cause as u32,
            Dimension::Combatant => match person.combatant {
                Some(CombatantStatus::Civilian) => 0,
                Some(CombatantStatus::Combatant) => 1,
                None => 2,
            },
            Dimension::Sex => person.sex as u32,
            Dimension::AgeGroup => victim.age as u32,
            Dimension::Verification => {
                rank(event.verification.min_by_key_rank(victim.verification)) as u32
            }
            Dimension::Year => event.year_key,
            Dimension::Month => event.month_key,
        }
    }

    fn key_name(&self, dimension: Dimension, key: u32) -> String {
        let small = |k: u32| u16::try_from(k).unwrap_or(NONE);
        match dimension {
            Dimension::Kind => self.kinds.name(small(key)).to_string(),
            Dimension::Governorate => self.governorates.name(small(key)).to_string(),
            Dimension::Unit => self.units.name(small(key)).to_string(),
            Dimension::Party => self.authorities.name(small(key)).to_string(),
            Dimension::HostCountry => self.hosts.name(small(key)).to_string(),
            Dimension::Cause => self.causes.name(small(key)).to_string(),
            Dimension::Combatant => match key {
                0 => "civilian".into(),
                1 => "combatant".into(),
                _ => "unknown".into(),
            },
            Dimension::Sex => match key {
                k if k == Sex::Male as u32 => "male".into(),
                k if k == Sex::Female as u32 => "female".into(),
                _ => "unknown".into(),
            },
            Dimension::AgeGroup => match key {
                k if k == AgeGroup::Child as u32 => "child".into(),
                k if k == AgeGroup::Adult as u32 => "adult".into(),
                _ => "unknown".into(),
            },
            Dimension::Verification => match key {
                0 => "alleged".into(),
                1 => "corroborated".into(),
                _ => "verified".into(),
            },
            Dimension::Year | Dimension::Month => match key {
                UNKNOWN_DATE => "unknown".into(),
                UNCERTAIN_DATE => "uncertain".into(),
                k if dimension == Dimension::Year => format!("{}", k >> 4),
                k => format!("{}-{:02}", k >> 4, k & 15),
            },
        }
    }

    /// Counts by up to three dimensions under a filter. With `with_ids`, each cell lists the
    /// events behind it.
    pub fn breakdown(
        &self,
        dimensions: &[Dimension],
        filter: &Filter,
        with_ids: bool,
    ) -> Breakdown {
        #[derive(Default)]
        struct Accumulator {
            victimisations: usize,
            events: usize,
            persons: Vec<u32>,
            last_event: Option<u32>,
            event_ids: Vec<u32>,
        }
        let mut cells: HashMap<[u32; 3], Accumulator, CellHasher> = HashMap::default();
        let mut uncertain = 0;
        for victim in &self.victims {
            match self.counted(filter, victim) {
                InPeriod::No => continue,
                InPeriod::Maybe => {
                    uncertain += 1;
                    continue;
                }
                InPeriod::Yes => {}
            }
            let mut key = [0u32; 3];
            for (slot, dimension) in key.iter_mut().zip(dimensions.iter().take(3)) {
                *slot = self.key_of(*dimension, victim);
            }
            let cell = cells.entry(key).or_default();
            cell.victimisations += 1;
            // Victims are sorted by event, so an event's victims arrive together.
            if cell.last_event != Some(victim.event) {
                cell.events += 1;
                cell.last_event = Some(victim.event);
                if with_ids {
                    cell.event_ids.push(victim.event);
                }
            }
            cell.persons.push(victim.person);
        }
        let mut out: Vec<Cell> = cells
            .into_iter()
            .map(|(key, mut cell)| {
                cell.persons.sort_unstable();
                cell.persons.dedup();
                Cell {
                    key: dimensions
                        .iter()
                        .take(3)
                        .zip(key)
                        .map(|(d, k)| self.key_name(*d, k))
                        .collect(),
                    victimisations: cell.victimisations,
                    events: cell.events,
                    persons: cell.persons.len(),
                    // In record order, whatever order the records were read in.
                    event_ids: with_ids.then(|| {
                        let mut ids: Vec<RecordId> = cell
                            .event_ids
                            .iter()
                            .map(|e| self.events[*e as usize].id)
                            .collect();
                        ids.sort_unstable();
                        ids.iter().map(RecordId::to_string).collect()
                    }),
                    suppressed: false,
                }
            })
            .collect();
        out.sort_by(|a, b| {
            b.victimisations
                .cmp(&a.victimisations)
                .then(a.key.cmp(&b.key))
        });
        Breakdown {
            dimensions: dimensions.iter().take(3).map(|d| d.name()).collect(),
            cells: out,
            uncertain_in_period: uncertain,
            suppressed_below: None,
        }
    }

    /// The number of victimisations held.
    pub fn victimisations(&self) -> usize {
        self.victims.len()
    }
}

/// A multiply–xor hasher for the small integer keys of breakdown cells: the default SipHash
/// guards against chosen keys an attacker sends, which these (our own small numbers) are not,
/// and costs most of a breakdown's time.
#[derive(Default, Clone, Copy)]
struct CellKeyHasher(u64);

impl std::hash::Hasher for CellKeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }

    fn write_u32(&mut self, value: u32) {
        self.write_u64(u64::from(value));
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_usize(&mut self, value: usize) {
        self.write_u64(value as u64);
    }
}

type CellHasher = std::hash::BuildHasherDefault<CellKeyHasher>;

/// The weaker of two verification levels.
trait Weaker {
    fn min_by_key_rank(self, other: Verification) -> Verification;
}

impl Weaker for Verification {
    fn min_by_key_rank(self, other: Verification) -> Verification {
        if rank(other) < rank(self) {
            other
        } else {
            self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use athar_model::place::PlaceRef;
    use athar_model::{FuzzyDate, Involvement, Person, PersonName};

    #[test]
    fn merging_added_items_equals_a_stable_sort_of_the_whole() {
        // (key, origin): of equal keys, the items counted before come first, as a stable
        // sort of the whole puts them.
        let mut seed = 12345u64;
        let mut next = move |n: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) % n
        };
        for _ in 0..500 {
            let before = next(40) as usize;
            let added = next(6) as usize;
            let mut kept: Vec<(u64, usize)> = (0..before).map(|i| (next(30), i)).collect();
            kept.sort_by_key(|item| item.0);
            let mut items = kept;
            items.extend((0..added).map(|i| (next(30), 1000 + i)));
            let mut expected = items.clone();
            expected.sort_by_key(|item| item.0);
            merge_into_sorted(&mut items, before, |item| item.0);
            assert_eq!(items, expected, "{before} counted, {added} added");
        }
    }

    struct Records {
        next: u32,
        out: Vec<(RecordId, RecordBody)>,
    }

    impl Records {
        fn id(&mut self) -> RecordId {
            self.next += 1;
            RecordId::from_parts(1_700_000_000_000, self.next, 7)
        }

        fn person(&mut self, sex: Sex, born: &str) -> RecordId {
            let id = self.id();
            let person = Person {
                names: vec![PersonName {
                    full: Some("x".into()),
                    ..Default::default()
                }],
                sex,
                birth_date: FuzzyDate::parse(born).unwrap_or_default(),
                ..Default::default()
            };
            self.out.push((id, RecordBody::Person(person)));
            id
        }

        fn event(
            &mut self,
            victim: RecordId,
            kind: &str,
            start: &str,
            unit: Option<&str>,
            facility: Option<&str>,
            pcode: Option<&str>,
        ) {
            let id = self.id();
            let event = Event {
                kind: kind.into(),
                start: FuzzyDate::parse(start).unwrap_or_default(),
                unit: unit.map(str::to_string),
                place: (facility.is_some() || pcode.is_some()).then(|| PlaceRef {
                    pcode: pcode.map(str::to_string),
                    facility: facility.map(str::to_string),
                    text: None,
                }),
                host_country: (kind.contains("return")).then(|| "LB".to_string()),
                ..Default::default()
            };
            self.out.push((id, RecordBody::Event(event)));
            let involvement = self.id();
            self.out.push((
                involvement,
                RecordBody::Involvement(Involvement {
                    event: id,
                    person: victim,
                    role: Role::Victim,
                    acts: vec![],
                    verification: Verification::Alleged,
                    sources: vec![],
                }),
            ));
        }
    }

    #[test]
    fn small_cells_are_withheld_for_public_outputs() {
        let facts = sample();
        let mut b = facts.breakdown(&[Dimension::Kind], &Filter::default(), true);
        let arrests = b.cells.iter().find(|c| c.key == ["arrest"]).cloned();
        assert_eq!(arrests.as_ref().map(|c| c.persons), Some(4));
        b.suppress_small_cells(3);
        for cell in &b.cells {
            assert_eq!(cell.suppressed, cell.persons < 3, "{:?}", cell.key);
        }
        let json = serde_json::to_value(&b).unwrap_or_default();
        let shown = json["cells"]
            .as_array()
            .and_then(|cells| cells.iter().find(|c| c["key"][0] == "arrest"))
            .cloned()
            .unwrap_or_default();
        assert_eq!(shown["persons"], 4);
        assert!(shown["event_ids"].is_array());
        let withheld = json["cells"]
            .as_array()
            .and_then(|cells| cells.iter().find(|c| c["key"][0] == "forced-return"))
            .cloned()
            .unwrap_or_default();
        assert_eq!(withheld["suppressed"], true);
        assert!(withheld["persons"].is_null() && withheld["victimisations"].is_null());
        assert!(
            withheld.get("event_ids").is_none(),
            "the events are withheld too"
        );
        assert_eq!(json["suppressed_below"], 3);
    }

    #[test]
    fn linked_records_count_as_one_person_with_one_journey() {
        let mut r = Records {
            next: 0,
            out: vec![],
        };
        // One list says a man was arrested; another, about the same man (age unknown there),
        // says he disappeared after it. A third record is someone else.
        let a = r.person(Sex::Male, "1980");
        r.event(a, "arrest", "2019-04", None, None, None);
        let b = r.person(Sex::Unknown, "");
        r.event(b, "enforced-disappearance", "2019-05", None, None, None);
        let c = r.person(Sex::Female, "1990");
        r.event(c, "arrest", "2019-06", None, None, None);
        let records = r.out.clone();
        let apart = Facts::build(records.clone(), Vocabularies::embedded());
        let s = apart.summary(&Filter::default());
        assert_eq!((s.persons, s.person_records, s.victims), (3, 3, 3));
        assert_eq!(s.enforced_disappearances, 1);
        assert_eq!(
            s.arrests_then_disappeared, 0,
            "apart, no arrest is followed by anything"
        );

        let linked = Facts::build_linked(records, &[(b, a)], Vocabularies::embedded());
        let s = linked.summary(&Filter::default());
        assert_eq!((s.persons, s.person_records, s.victims), (2, 3, 2));
        // Together the journey reads: arrested, then disappeared.
        assert_eq!(s.arrests_then_disappeared, 1);
        assert_eq!(s.arrests_sex_unknown, 0);
        let cells = linked
            .breakdown(&[Dimension::Sex], &Filter::default(), false)
            .cells;
        let persons: usize = cells.iter().map(|c| c.persons).sum();
        assert_eq!(persons, 2);
    }

    #[test]
    fn linked_records_that_disagree_give_the_same_figures_in_any_order() {
        let mut r = Records {
            next: 0,
            out: vec![],
        };
        // Three records of one person: a man born 1990, a woman born 2008 (a child at the
        // arrest), and one saying nothing. Which is read first must not matter.
        let a = r.person(Sex::Male, "1990");
        r.event(a, "arrest", "2020-04", None, None, None);
        let b = r.person(Sex::Female, "2008");
        let c = r.person(Sex::Unknown, "");
        let pairs = [(b, a), (c, a)];
        let figures = |records: Vec<(RecordId, RecordBody)>| {
            let s = Facts::build_linked(records, &pairs, Vocabularies::embedded())
                .summary(&Filter::default());
            (
                s.persons,
                s.arrests_sex_unknown,
                s.arrests_women,
                s.arrests_children,
                s.arrests_age_unknown,
            )
        };
        let forward = figures(r.out.clone());
        // Sexes disagree: unknown. Birth dates: 1990 sorts first, so an adult.
        assert_eq!(forward, (1, 1, 0, 0, 0));
        let mut backward = r.out.clone();
        backward.reverse();
        assert_eq!(figures(backward), forward);
        let mut rotated = r.out.clone();
        rotated.rotate_left(1);
        assert_eq!(figures(rotated), forward);
    }

    fn sample_records() -> Vec<(RecordId, RecordBody)> {
        let mut r = Records {
            next: 0,
            out: vec![],
        };
        // A girl forced back from Lebanon, arrested by Branch 215, never seen since.
        let p1 = r.person(Sex::Female, "2005-01-01");
        r.event(p1, "forced-return", "2019-03", None, None, None);
        r.event(
            p1,
            "arrest",
            "2019-04",
            Some("mi-branch-215"),
            None,
            Some("SY010000"),
        );
        // A man who returned, was arrested by Air Force Intelligence and is held in Sednaya.
        let p2 = r.person(Sex::Male, "1980");
        r.event(p2, "return", "2020-01", None, None, None);
        r.event(
            p2,
            "arrest",
            "2020-02",
            Some("air-force-intelligence"),
            None,
            None,
        );
        r.event(
            p2,
            "detention",
            "2020-03",
            None,
            Some("sednaya-prison"),
            None,
        );
        // A man of unknown age arrested by an unknown party.
        let p3 = r.person(Sex::Male, "");
        r.event(p3, "arrest", "2018-06", None, None, None);
        // A woman arrested in 2018 or 2019, who died in custody in 2019.
        let p4 = r.person(Sex::Female, "1990");
        r.event(p4, "arrest", "2018/2019", None, None, None);
        r.event(p4, "death-in-custody", "2019-10", None, None, None);
        // Someone with nothing recorded.
        r.person(Sex::Unknown, "");
        r.out
    }

    fn sample() -> Facts {
        Facts::build(sample_records(), Vocabularies::embedded())
    }

    #[test]
    fn figures_do_not_depend_on_the_order_records_are_read_in() {
        let figures = |records: Vec<(RecordId, RecordBody)>| {
            let facts = Facts::build(records, Vocabularies::embedded());
            let all = Filter::default();
            let mut statuses: Vec<(RecordId, Option<Status>)> = sample_records()
                .iter()
                .map(|(id, _)| (*id, facts.status_of(*id)))
                .collect();
            statuses.sort_by_key(|(id, _)| *id);
            (
                facts.summary(&all),
                facts.breakdown(&[Dimension::Kind, Dimension::AgeGroup], &all, true),
                facts.breakdown(&[Dimension::Unit, Dimension::Sex], &all, true),
                statuses,
            )
        };
        let forward = figures(sample_records());
        assert!(forward.0.arrests >= 4, "{:?}", forward.0);
        let mut backward = sample_records();
        backward.reverse();
        assert_eq!(figures(backward), forward);
        // Involvements first, then events, then persons: every step waits for its person.
        let mut by_kind = sample_records();
        by_kind.sort_by_key(|(_, body)| match body {
            RecordBody::Involvement(_) => 0,
            RecordBody::Event(_) => 1,
            _ => 2,
        });
        assert_eq!(figures(by_kind), forward);
    }

    #[test]
    fn persons_are_listed_by_status_and_by_an_event_meeting_every_criterion() {
        let facts = sample();
        let all = facts.persons_matching(&PersonFilter::default());
        assert_eq!(all.len(), 5);
        assert!(all.windows(2).all(|w| w[0] < w[1]), "in id order");
        let by = |filter: PersonFilter| facts.persons_matching(&filter).len();
        assert_eq!(
            by(PersonFilter {
                status: Some(Status::DiedInCustody),
                ..PersonFilter::default()
            }),
            1
        );
        let afi = PersonFilter {
            unit: Some("air-force-intelligence".into()),
            ..PersonFilter::default()
        };
        assert_eq!(by(afi.clone()), 1);
        // Every criterion on one event: Air Force Intelligence arrested in 2020, not 2019.
        let in_2019 = Filter::parse(Some("2019"), Some("2019"), None, None).unwrap_or_default();
        assert_eq!(
            by(PersonFilter {
                events: in_2019.clone(),
                ..afi
            }),
            0
        );
        // An arrest in "2018 or 2019" may fall in 2019: listed.
        assert_eq!(
            by(PersonFilter {
                events: in_2019,
                kind: Some("arrest".into()),
                ..PersonFilter::default()
            }),
            2
        );
        assert_eq!(
            by(PersonFilter {
                host_country: Some("LB".into()),
                ..PersonFilter::default()
            }),
            2
        );
        assert_eq!(
            by(PersonFilter {
                events: Filter {
                    governorate: Some("SY01".into()),
                    ..Filter::default()
                },
                ..PersonFilter::default()
            }),
            1
        );
    }

    #[test]
    fn the_summary_counts_what_the_definitions_say() {
        let facts = sample();
        let s = facts.summary(&Filter::default());
        assert_eq!((s.persons, s.victims), (5, 4));
        assert_eq!((s.returnees, s.forced_returnees), (2, 1));
        assert_eq!(s.arrests, 4);
        assert_eq!(s.arrests_children, 1);
        // The woman born in 1990; the girl is among the children.
        assert_eq!(s.arrests_women, 1);
        assert_eq!(s.arrests_age_unknown, 1);
        assert_eq!(s.arrests_sex_unknown, 0);
        assert_eq!(s.arrests_after_forced_return, 1);
        assert_eq!(s.arrests_then_disappeared, 1);
        assert_eq!(s.share_arrests_to_disappearance, Some(0.25));
        assert_eq!(
            (
                s.enforced_disappearances,
                s.died_in_custody,
                s.detained,
                s.released,
                s.killed
            ),
            (1, 1, 1, 0, 0)
        );
        assert_eq!(
            s.arrests_by_party,
            vec![
                ("assad-government".to_string(), 2),
                ("unknown".to_string(), 2)
            ]
        );
        assert_eq!(
            s.share_arrests_by_party,
            vec![("assad-government".to_string(), 1.0)]
        );
        let cohort = &s.returnee_cohort;
        assert_eq!(
            (
                cohort.returnees,
                cohort.children_at_return,
                cohort.arrested_after_return
            ),
            (2, 1, 2)
        );
        assert_eq!(
            (cohort.disappeared, cohort.detained, cohort.nothing_known),
            (1, 1, 0)
        );
        assert_eq!(s.uncertain_in_period, 0);
    }

    #[test]
    fn a_period_counts_what_is_certainly_inside_and_reports_the_rest() {
        let facts = sample();
        let year_2019 = Filter {
            from_day: FuzzyDate::parse("2019-01-01")
                .ok()
                .and_then(|d| d.bounds())
                .map(|b| b.0),
            to_day: FuzzyDate::parse("2019-12-31")
                .ok()
                .and_then(|d| d.bounds())
                .map(|b| b.1),
            ..Filter::default()
        };
        let s = facts.summary(&year_2019);
        assert_eq!(s.arrests, 1, "only the girl's arrest is certainly in 2019");
        assert_eq!(
            s.uncertain_in_period, 1,
            "the 2018/2019 arrest is reported as uncertain"
        );
        assert_eq!(s.victims, 2);
        assert_eq!(s.died_in_custody, 1);
        let damascus = Filter {
            governorate: Some("SY01".into()),
            ..Filter::default()
        };
        assert_eq!(facts.summary(&damascus).arrests, 1);
    }

    #[test]
    fn breakdowns_keep_uncertain_and_unknown_apart_and_name_their_records() {
        let facts = sample();
        let by_year = facts.breakdown(&[Dimension::Year], &Filter::default(), true);
        let cell = |key: &str| {
            by_year
                .cells
                .iter()
                .find(|c| c.key == [key])
                .map(|c| (c.victimisations, c.events, c.persons))
        };
        assert_eq!(cell("2019"), Some((3, 3, 2)));
        assert_eq!(cell("2020"), Some((3, 3, 1)));
        assert_eq!(cell("2018"), Some((1, 1, 1)));
        assert_eq!(cell("uncertain"), Some((1, 1, 1)));
        let total: usize = by_year.cells.iter().map(|c| c.victimisations).sum();
        assert_eq!(total, facts.victimisations());
        let ids = by_year
            .cells
            .iter()
            .find(|c| c.key == ["2018"])
            .and_then(|c| c.event_ids.clone());
        assert_eq!(ids.map(|i| i.len()), Some(1));

        let by_kind_sex = facts.breakdown(
            &[Dimension::Kind, Dimension::Sex],
            &Filter::default(),
            false,
        );
        let arrests_women = by_kind_sex
            .cells
            .iter()
            .find(|c| c.key == ["arrest", "female"])
            .map(|c| c.victimisations);
        assert_eq!(arrests_women, Some(2));
        let by_age = facts.breakdown(&[Dimension::AgeGroup], &Filter::default(), false);
        assert!(
            by_age
                .cells
                .iter()
                .any(|c| c.key == ["unknown"] && c.victimisations == 1)
        );
        let by_host = facts.breakdown(
            &[Dimension::HostCountry, Dimension::Kind],
            &Filter::default(),
            false,
        );
        assert!(
            by_host
                .cells
                .iter()
                .any(|c| c.key == ["LB", "forced-return"])
        );
    }
}
