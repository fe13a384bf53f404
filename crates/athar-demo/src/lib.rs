//! # athar-demo — synthetic returnee journeys for demonstrations and benchmarks
//!
//! Every person generated here is invented: the notes of each person and the title of each
//! source say so in English and Arabic, and identifiers carry a `DEMO-` prefix. The shape is
//! realistic: refugees returned from Lebanon, Türkiye, Jordan and Europe through the
//! crossings they use, arrests by the branches that made them, detention in the documented
//! facilities, transfers, disappearances, deaths in custody and releases, with fuzzy dates
//! of mixed precision and names in Arabic script with the Latin spellings they are really
//! written in.
//!
//! The output depends only on the seed: the same seed gives the same records with the same
//! identifiers. Generation is pure; writing the records is the caller's business.

#![forbid(unsafe_code)]

pub mod lists;
pub mod names;
pub mod tracing;

use athar_model::consent::{Answer, Consent, Purpose};
use athar_model::date::{PartialDate, civil_from_days, days_from_civil};
use athar_model::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use names::{Name, NameTable, spelling};

/// The label every demo person carries.
pub const SYNTHETIC_NOTE: &str = "Synthetic demo record, not a real person / سجل تجريبي مُصطنع";

/// Whether a source is one of the demo generator's: reports on a store holding them say
/// on their first page that the figures are invented.
pub fn is_demo_source(source: &Source) -> bool {
    source.title.starts_with("Demo source ") && source.title.contains("(synthetic)")
}

/// One generated record, in the order it must be written (referenced records first).
pub type Generated = (RecordId, RecordBody);

/// How many persons share one demo source (an interview series, a partner's list).
const PERSONS_PER_SOURCE: u64 = 25;

/// Generates demo persons with their journeys, one person at a time.
pub struct DemoGenerator {
    rng: ChaCha8Rng,
    names: NameTable,
    vocab: &'static Vocabularies,
    subdistricts: Vec<String>,
    base_millis: u64,
    counter: u32,
    persons: u64,
    source: Option<RecordId>,
}

/// Fall of the Assad government: arrests after it are attributed to the new authorities.
pub(crate) const FALL_OF_ASSAD: i64 = 20_065; // days since 1970-01-01 of 2024-12-08
/// The last day demo events may fall on (2025-09-30): demo data never dates an event after
/// the day it could have been documented, whatever day it is generated.
pub(crate) const DEMO_LAST_DAY: i64 = 20_361;

fn weighted<'a, R: Rng, T>(rng: &mut R, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| *w).sum();
    let mut x = rng.random_range(0..total.max(1));
    for (item, w) in items {
        if x < *w {
            return item;
        }
        x -= w;
    }
    &items[0].0
}

impl DemoGenerator {
    pub fn new(seed: u64) -> Self {
        let vocab = Vocabularies::embedded();
        let subdistricts = vocab
            .gazetteer
            .entries()
            .iter()
            .filter(|e| e.level == Level::Subdistrict)
            .map(|e| e.pcode.clone())
            .collect();
        DemoGenerator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            names: NameTable::embedded(),
            vocab,
            subdistricts,
            // 2025-01-01T00:00:00Z plus the seed, so stores generated with different seeds
            // do not share identifiers.
            base_millis: 1_735_689_600_000 + (seed % 1_000_000) * 1000,
            counter: 0,
            persons: 0,
            source: None,
        }
    }

    fn next_id(&mut self) -> RecordId {
        self.counter += 1;
        let entropy: u64 = self.rng.random();
        RecordId::from_parts(
            self.base_millis + u64::from(self.counter >> 20),
            self.counter,
            entropy,
        )
    }

    /// Consent as families typically give it: documentation nearly always, sharing within
    /// the coalition often, a UN submission sometimes, publication with the name rarely.
    fn consent(&mut self) -> Vec<Consent> {
        let mut out = Vec::new();
        for (purpose, share) in [
            (Purpose::Documentation, 0.97),
            (Purpose::CoalitionSharing, 0.6),
            (Purpose::Wgeid, 0.35),
            (Purpose::AnonymisedPublication, 0.5),
            (Purpose::NamedPublication, 0.08),
        ] {
            if self.rng.random_bool(share) {
                out.push(Consent {
                    purpose,
                    answer: Answer::Given,
                    date: FuzzyDate::parse("2025").unwrap_or_default(),
                    by: Some(
                        if self.rng.random_bool(0.5) {
                            "the person / الشخص نفسه"
                        } else {
                            "a relative / أحد الأقارب"
                        }
                        .into(),
                    ),
                });
            }
        }
        out
    }

    /// A fuzzy date around a day: known to the day, month or year, sometimes approximate.
    fn fuzzy(&mut self, day: i64) -> FuzzyDate {
        let (y, m, d) = civil_from_days(day);
        let r: f64 = self.rng.random();
        let date = if r < 0.45 {
            PartialDate::day(y, m, d)
        } else if r < 0.80 {
            PartialDate::month(y, m)
        } else {
            PartialDate::year(y)
        };
        match date {
            Ok(date) => FuzzyDate::On {
                date,
                approximate: self.rng.random_bool(0.1),
            },
            Err(_) => FuzzyDate::Unknown,
        }
    }

    fn birth_date(&mut self) -> FuzzyDate {
        if self.rng.random_bool(0.12) {
            return FuzzyDate::Unknown;
        }
        let year = self.rng.random_range(1958..=2008);
        let day = days_from_civil(year, 1, 1) + self.rng.random_range(0..365);
        self.fuzzy(day)
    }

    fn name_pair(&mut self, sex: Sex) -> (PersonName, PersonName) {
        let pick_given = |g: &mut Self, female: bool| -> Name {
            let pool = if female {
                &g.names.female
            } else {
                &g.names.male
            };
            pool.draw(&mut g.rng).clone()
        };
        let given = pick_given(self, sex == Sex::Female);
        let father = pick_given(self, false);
        let grandfather = self.rng.random_bool(0.4).then(|| pick_given(self, false));
        let family = self.names.family.draw(&mut self.rng).clone();
        let mother = self.rng.random_bool(0.6).then(|| {
            (
                pick_given(self, true),
                self.names.family.draw(&mut self.rng).clone(),
            )
        });
        let arab = PersonName {
            script: Script::Arab,
            given: Some(given.arabic.clone()),
            father: Some(father.arabic.clone()),
            grandfather: grandfather.as_ref().map(|n| n.arabic.clone()),
            family: Some(family.arabic.clone()),
            mother: mother
                .as_ref()
                .map(|(g, f)| format!("{} {}", g.arabic, f.arabic)),
            ..Default::default()
        };
        let latn = PersonName {
            script: Script::Latn,
            given: Some(spelling(&given, &mut self.rng).to_string()),
            father: Some(spelling(&father, &mut self.rng).to_string()),
            grandfather: grandfather
                .as_ref()
                .map(|n| spelling(n, &mut self.rng).to_string()),
            family: Some(spelling(&family, &mut self.rng).to_string()),
            mother: mother.as_ref().map(|(g, f)| {
                format!(
                    "{} {}",
                    spelling(g, &mut self.rng),
                    spelling(f, &mut self.rng)
                )
            }),
            ..Default::default()
        };
        (arab, latn)
    }

    fn random_subdistrict(&mut self) -> String {
        let i = self.rng.random_range(0..self.subdistricts.len());
        self.subdistricts[i].clone()
    }

    fn demo_source(&mut self, out: &mut Vec<Generated>) -> RecordId {
        if self.persons.is_multiple_of(PERSONS_PER_SOURCE) || self.source.is_none() {
            let id = self.next_id();
            let kind = *weighted(
                &mut self.rng,
                &[
                    ("family-testimony", 5),
                    ("interview", 3),
                    ("organisation-report", 1),
                    ("official-record", 1),
                ],
            );
            let number = self.persons / PERSONS_PER_SOURCE + 1;
            let source = Source {
                kind: kind.into(),
                title: format!("Demo source {number} (synthetic) / مصدر تجريبي {number} (مُصطنع)"),
                reliability: *weighted(
                    &mut self.rng,
                    &[
                        (Reliability::B, 3),
                        (Reliability::C, 4),
                        (Reliability::F, 2),
                    ],
                ),
                credibility: Credibility::new(self.rng.random_range(2..=4)).unwrap_or_default(),
                notes: Some(SYNTHETIC_NOTE.into()),
                ..Default::default()
            };
            out.push((id, RecordBody::Source(source)));
            self.source = Some(id);
        }
        self.source.unwrap_or_default()
    }

    /// The next person, preceded by a new source when one is due, followed by their events
    /// and involvements.
    pub fn next_person(&mut self) -> Vec<Generated> {
        let mut out = Vec::with_capacity(12);
        let source = self.demo_source(&mut out);
        self.persons += 1;
        let cite = vec![Citation {
            source,
            locator: None,
        }];
        let sex = if self.rng.random_bool(0.88) {
            Sex::Male
        } else {
            Sex::Female
        };
        let (arab, latn) = self.name_pair(sex);
        let mut names = vec![arab, latn.clone()];
        if self.rng.random_bool(0.25) {
            // A second list spelled the name differently.
            let (_, mut other) = self.name_pair(sex);
            other.given = latn.given.clone();
            other.family = latn.family.clone().map(|f| {
                if f.starts_with("Al-") {
                    f.replacen("Al-", "Al ", 1)
                } else {
                    format!("Al-{f}")
                }
            });
            other.father = None;
            other.mother = None;
            other.grandfather = None;
            names.push(other);
        }
        let person_id = self.next_id();
        let identifiers = if self.rng.random_bool(0.3) {
            vec![Identifier {
                kind: "national-id".into(),
                value: format!("DEMO-{:011}", self.rng.random_range(0..100_000_000_000u64)),
            }]
        } else {
            vec![]
        };
        let birthplace = self.rng.random_bool(0.7).then(|| PlaceRef {
            pcode: Some(self.random_subdistrict()),
            ..Default::default()
        });
        out.push((
            person_id,
            RecordBody::Person(Person {
                names,
                sex,
                birth_date: self.birth_date(),
                birthplace,
                identifiers,
                notes: Some(SYNTHETIC_NOTE.into()),
                sources: cite.clone(),
                consent: self.consent(),
                ..Default::default()
            }),
        ));
        for (event_id, event) in self.journey(&cite) {
            let acts = if matches!(event.kind.as_str(), "detention" | "interrogation")
                && self.rng.random_bool(0.4)
            {
                vec!["torture".to_string()]
            } else {
                vec![]
            };
            let verification = event.verification;
            out.push((event_id, RecordBody::Event(event)));
            let involvement = Involvement {
                event: event_id,
                person: person_id,
                role: Role::Victim,
                acts,
                verification,
                sources: cite.clone(),
            };
            let inv_id = self.next_id();
            out.push((inv_id, RecordBody::Involvement(involvement)));
        }
        out
    }

    fn verification(&mut self) -> Verification {
        *weighted(
            &mut self.rng,
            &[
                (Verification::Alleged, 6),
                (Verification::Corroborated, 3),
                (Verification::Verified, 1),
            ],
        )
    }

    fn event(
        &mut self,
        kind: &str,
        day: i64,
        previous: Option<RecordId>,
        cite: &[Citation],
    ) -> (RecordId, Event) {
        let id = self.next_id();
        let event = Event {
            kind: kind.into(),
            start: self.fuzzy(day),
            previous,
            verification: self.verification(),
            sources: cite.to_vec(),
            ..Default::default()
        };
        (id, event)
    }

    fn journey(&mut self, cite: &[Citation]) -> Vec<(RecordId, Event)> {
        let mut events = Vec::new();
        let host = *weighted(
            &mut self.rng,
            &[
                ("LB", 45),
                ("TR", 33),
                ("JO", 10),
                ("DK", 3),
                ("SE", 2),
                ("DE", 3),
                ("IQ", 2),
                ("EG", 2),
            ],
        );
        let crossing = match host {
            "LB" => *weighted(
                &mut self.rng,
                &[
                    ("masnaa", 5),
                    ("jousieh", 2),
                    ("arida", 1),
                    ("dabousieh", 1),
                    ("irregular-lebanon", 2),
                ],
            ),
            "TR" => *weighted(
                &mut self.rng,
                &[
                    ("bab-al-hawa", 4),
                    ("bab-al-salama", 3),
                    ("kasab", 1),
                    ("tal-abyad", 1),
                    ("jarablus", 1),
                ],
            ),
            "JO" => "nasib",
            "IQ" => *weighted(&mut self.rng, &[("al-bukamal", 1), ("semalka", 1)]),
            _ => "damascus-airport",
        };
        let forced = self.rng.random_bool(if matches!(host, "LB" | "TR") {
            0.7
        } else {
            0.35
        });
        // Returns from 2017 to March 2025, more of them after 2019.
        let return_day =
            days_from_civil(2017, 1, 1) + (self.rng.random::<f64>().sqrt() * 3011.0) as i64;
        let (return_id, mut returned) = self.event(
            if forced { "forced-return" } else { "return" },
            return_day,
            None,
            cite,
        );
        returned.host_country = Some(host.into());
        returned.crossing = Some(crossing.into());
        let crossing_pcode = self
            .vocab
            .border_crossings
            .get(crossing)
            .and_then(|t| t.pcode.clone());
        returned.place = crossing_pcode.clone().map(|pcode| PlaceRef {
            pcode: Some(pcode),
            ..Default::default()
        });
        if forced {
            returned.unit = match host {
                "LB" => Some(
                    if self.rng.random_bool(0.6) {
                        "lebanese-armed-forces"
                    } else {
                        "lebanese-general-security"
                    }
                    .into(),
                ),
                "TR" => Some("turkish-migration-management".into()),
                "JO" => Some("jordanian-authorities-border".into()),
                _ => None,
            };
        }
        events.push((return_id, returned));

        if !self.rng.random_bool(0.55) {
            let other = *weighted(
                &mut self.rng,
                &[
                    ("", 70),
                    ("conscription", 12),
                    ("extortion", 10),
                    ("property-seizure", 5),
                    ("summons", 8),
                ],
            );
            let day = return_day + self.rng.random_range(10..400);
            if !other.is_empty() && day <= DEMO_LAST_DAY {
                let ev = self.event(other, day, Some(return_id), cite);
                events.push(ev);
            }
            return events;
        }

        // Arrest: at the crossing or within months of the return.
        let arrest_day = return_day
            + if self.rng.random_bool(0.4) {
                0
            } else {
                self.rng.random_range(1..240)
            };
        if arrest_day > DEMO_LAST_DAY {
            return events;
        }
        let before_fall = arrest_day < FALL_OF_ASSAD;
        let unit = if before_fall {
            *weighted(
                &mut self.rng,
                &[
                    ("mi-branch-235", 6),
                    ("mi-branch-227", 4),
                    ("mi-branch-215", 3),
                    ("mi-branch-248", 2),
                    ("afi-investigation-branch", 5),
                    ("gid-branch-251", 3),
                    ("political-security", 3),
                    ("immigration-passports", 4),
                    ("fourth-division", 2),
                    ("military-police", 2),
                    ("mi-branch-261", 2),
                    ("mi-branch-245", 2),
                ],
            )
        } else {
            "general-security-service"
        };
        let (arrest_id, mut arrest) = self.event("arrest", arrest_day, Some(return_id), cite);
        arrest.unit = Some(unit.into());
        arrest.place = Some(match (&crossing_pcode, arrest_day == return_day) {
            (Some(p), true) => PlaceRef {
                pcode: Some(p.clone()),
                text: Some("At the border crossing / على المعبر".into()),
                ..Default::default()
            },
            _ => PlaceRef {
                pcode: Some(self.random_subdistrict()),
                ..Default::default()
            },
        });
        events.push((arrest_id, arrest));
        let mut last = arrest_id;
        let mut day = arrest_day;

        let facility_of_unit = |vocab: &Vocabularies, unit: &str| {
            vocab
                .facilities
                .terms()
                .iter()
                .find(|f| f.unit.as_deref() == Some(unit))
                .map(|f| f.id.clone())
        };
        // A later step of the journey may be written only if it falls before the demo's
        // last day and, for someone the former government held, before its fall: nothing
        // after 8 December 2024 is put on its units, whose periods end there.
        let open = |day: i64| day <= DEMO_LAST_DAY && !(before_fall && day >= FALL_OF_ASSAD);
        let mut place_known = false;
        let mut held_at_the_fall = false;
        if before_fall && self.rng.random_bool(0.5) {
            day += self.rng.random_range(1..30);
            if open(day) {
                let facility = facility_of_unit(self.vocab, unit)
                    .unwrap_or_else(|| "mi-branch-235-facility".into());
                let (id, mut detention) = self.event("detention", day, Some(last), cite);
                detention.unit = Some(unit.into());
                detention.place = Some(PlaceRef {
                    facility: Some(facility),
                    ..Default::default()
                });
                events.push((id, detention));
                last = id;
                place_known = true;
            } else {
                held_at_the_fall = true;
            }
            if place_known && self.rng.random_bool(0.3) {
                day += self.rng.random_range(30..400);
                let to = *weighted(
                    &mut self.rng,
                    &[
                        ("sednaya-prison", 5),
                        ("adra-central-prison", 3),
                        ("military-police-qaboun", 1),
                    ],
                );
                if open(day) {
                    let (id, mut transfer) = self.event("transfer", day, Some(last), cite);
                    transfer.place = Some(PlaceRef {
                        facility: Some(to.into()),
                        ..Default::default()
                    });
                    transfer.unit = Some("military-police".into());
                    events.push((id, transfer));
                    last = id;
                } else {
                    held_at_the_fall = true;
                }
            }
        }
        let mut disappeared = false;
        if !held_at_the_fall && self.rng.random_bool(if place_known { 0.25 } else { 0.45 }) {
            day += self.rng.random_range(30..365);
            if open(day) {
                let (id, mut gone) = self.event("enforced-disappearance", day, Some(last), cite);
                gone.unit = Some(unit.into());
                events.push((id, gone));
                last = id;
                disappeared = true;
            } else {
                held_at_the_fall = before_fall;
            }
        }
        let fate = *weighted(
            &mut self.rng,
            &[
                ("", 55),
                ("release", 28),
                ("death-in-custody", 11),
                ("execution", 6),
            ],
        );
        let mut ended = false;
        if !held_at_the_fall && !fate.is_empty() && (fate == "release" || before_fall) {
            day += self.rng.random_range(30..900);
            if open(day) {
                let (id, mut end) = self.event(fate, day, Some(last), cite);
                if fate != "release" {
                    end.unit = Some(unit.into());
                }
                events.push((id, end));
                last = id;
                ended = true;
            } else {
                held_at_the_fall = before_fall;
            }
        }
        // Held when the prisons were opened (8 December 2024): freed then, or still missing.
        if held_at_the_fall && self.rng.random_bool(0.5) {
            let freed = self.rng.random_range(0..4u32);
            let (id, mut release) = self.event(
                "release",
                FALL_OF_ASSAD + i64::from(freed),
                Some(last),
                cite,
            );
            if let Ok(date) = PartialDate::day(2024, 12, 8 + freed) {
                release.start = FuzzyDate::on(date);
            }
            events.push((id, release));
            ended = true;
        }
        // The family's steps to find someone still missing: an inquiry, then perhaps a
        // lawyer's request or a request to a mechanism, each after the one before.
        let missing = !ended && (disappeared || !place_known);
        if missing && self.rng.random_bool(0.6) {
            let kinds = ["search-inquiry", "search-legal", "search-request"];
            let steps = 1 + self.rng.random_range(0..3usize);
            for kind in kinds.iter().take(steps) {
                day += self.rng.random_range(20..200);
                if day > DEMO_LAST_DAY {
                    break;
                }
                let (id, mut step) = self.event(kind, day, Some(last), cite);
                // A family's inquiry is dated to the day it was made.
                let (y, m, d) = civil_from_days(day);
                if let Ok(date) = PartialDate::day(y, m, d) {
                    step.start = FuzzyDate::on(date);
                }
                step.place = Some(PlaceRef {
                    pcode: Some("SY01".into()),
                    text: Some("Military Police, Qaboun / الشرطة العسكرية، القابون".into()),
                    ..Default::default()
                });
                events.push((id, step));
                last = id;
            }
        }
        events
    }
}

/// `persons` demo persons from `seed`, each with its records in write order.
pub fn generate(seed: u64, persons: u64) -> impl Iterator<Item = Vec<Generated>> {
    let mut generator = DemoGenerator::new(seed);
    (0..persons).map(move |_| generator.next_person())
}

#[cfg(test)]
mod tests {
    use super::*;
    use athar_model::status::{JourneyStep, derive_status, journey_order};
    use std::collections::{HashMap, HashSet};

    #[test]
    fn the_same_seed_gives_the_same_records() {
        let a: Vec<_> = generate(7, 50).collect();
        let b: Vec<_> = generate(7, 50).collect();
        let c: Vec<_> = generate(8, 50).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn generated_records_are_valid_and_reference_only_earlier_records() {
        let vocab = Vocabularies::embedded();
        let mut seen: HashSet<RecordId> = HashSet::new();
        let mut statuses: HashMap<Status, usize> = HashMap::new();
        for person in generate(42, 2000) {
            let mut events = Vec::new();
            for (id, body) in &person {
                if let Err(errors) = body.validate(vocab) {
                    panic!("invalid {:?}: {errors:?}", body.kind());
                }
                for r in body.references() {
                    assert!(seen.contains(&r.id), "{} refers forward", r.field);
                }
                assert!(seen.insert(*id), "duplicate id");
                if let RecordBody::Event(e) = body {
                    events.push((*id, e.clone()));
                }
            }
            let steps: Vec<JourneyStep<'_>> = events
                .iter()
                .map(|(id, e)| JourneyStep {
                    id: *id,
                    event: e,
                    role: Role::Victim,
                })
                .collect();
            *statuses
                .entry(derive_status(&journey_order(&steps, vocab), vocab))
                .or_default() += 1;
            let RecordBody::Person(p) = &person
                .iter()
                .find(|(_, b)| b.kind() == RecordKind::Person)
                .map(|(_, b)| b.clone())
                .unwrap_or(RecordBody::Source(Source::default()))
            else {
                panic!("no person generated");
            };
            assert_eq!(p.notes.as_deref(), Some(SYNTHETIC_NOTE));
            let (ar, la) = p.primary_names();
            assert!(ar.is_some_and(|n| n.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))));
            assert!(la.is_some_and(|n| n.is_ascii() && !n.is_empty()));
        }
        // Every fate the demo is meant to show occurs, in plausible proportions.
        for s in [
            Status::AtLiberty,
            Status::Detained,
            Status::Disappeared,
            Status::DiedInCustody,
            Status::Killed,
            Status::Released,
        ] {
            let n = statuses.get(&s).copied().unwrap_or(0);
            assert!(n > 20, "{s:?} occurs only {n} times in 2000: {statuses:?}");
        }
    }

    #[test]
    fn demo_journeys_keep_to_the_calendar_and_to_who_held_power_when() {
        let vocab = Vocabularies::embedded();
        let today = athar_model::date::today();
        let mut searches = 0;
        for person in generate(7, 3000) {
            let events: HashMap<RecordId, Event> = person
                .iter()
                .filter_map(|(id, b)| match b {
                    RecordBody::Event(e) => Some((*id, e.clone())),
                    _ => None,
                })
                .collect();
            for e in events.values() {
                let (first, _) = e.start.bounds().unwrap_or((i64::MIN, i64::MIN));
                assert!(
                    first <= DEMO_LAST_DAY && first <= today,
                    "{} dated {}",
                    e.kind,
                    e.start
                );
                // A unit is held responsible only while it existed under its authority.
                if let Some(unit) = &e.unit {
                    assert!(
                        vocab.unit_active_at(unit, &e.start),
                        "{} by {unit} on {}",
                        e.kind,
                        e.start
                    );
                }
                // Each step comes after the one it follows.
                if let Some(previous) = e.previous.and_then(|p| events.get(&p)) {
                    assert_ne!(
                        previous.start.compare(&e.start),
                        athar_model::Temporal::After,
                        "{} on {} follows {} on {}",
                        e.kind,
                        e.start,
                        previous.kind,
                        previous.start
                    );
                }
                if vocab.category_of(&e.kind) == Some("search") {
                    searches += 1;
                }
            }
        }
        assert!(
            searches > 100,
            "families' steps to find the missing: {searches}"
        );
    }
}
