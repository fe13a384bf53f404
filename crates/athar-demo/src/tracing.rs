//! Families' tracing over the demo persons, so that its pages have something to show: a
//! recovered death register naming some of the demo persons under the spellings registers
//! use (a father's name joined, the family name without its article, one field for the
//! whole name), and families' reports of some of those still missing.
//!
//! Those who died in custody are in the register with the day of their death; some of those
//! still missing are in it too, dead some months after they were last recorded — what a
//! family learns from a recovered register. Everything is invented and says so; the output
//! depends only on the seed and the number of demo persons, whose records it re-generates
//! rather than reads.

use athar_model::consent::{Answer, Consent, Purpose};
use athar_model::date::{PartialDate, civil_from_days};
use athar_model::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::{DEMO_LAST_DAY, FALL_OF_ASSAD, Generated, SYNTHETIC_NOTE};

/// The register's title: a demo source's, so reports on the store say it is invented.
pub const REGISTER_TITLE: &str = "Demo source R (synthetic): recovered death register, military hospital / مصدر تجريبي (مُصطنع): سجل وفيات مستعاد لمستشفى عسكري";

/// What became of a demo person, as tracing needs it.
struct Fate {
    names: Vec<PersonName>,
    sex: Sex,
    birth: FuzzyDate,
    /// The first day of the death in custody, if they died in custody.
    died: Option<i64>,
    /// Still missing (disappeared, or held where nobody knows): the last recorded day.
    missing_since: Option<i64>,
}

fn fate_of(person: &[Generated], vocab: &Vocabularies) -> Option<Fate> {
    let p = person.iter().find_map(|(_, b)| match b {
        RecordBody::Person(p) => Some(p),
        _ => None,
    })?;
    let mut died = None;
    let mut ended = false;
    let mut disappeared = false;
    let mut last = None;
    for (_, body) in person {
        let RecordBody::Event(e) = body else { continue };
        let day = e.start.bounds().map(|(lo, _)| lo);
        match vocab.category_of(&e.kind) {
            Some("death-in-custody") => {
                died = day;
                ended = true;
            }
            Some("killing" | "release") => ended = true,
            Some("disappearance") => disappeared = true,
            Some("search") => continue,
            _ => {}
        }
        last = last.max(day);
    }
    Some(Fate {
        names: p.names.clone(),
        sex: p.sex,
        birth: p.birth_date,
        died,
        missing_since: (!ended && disappeared).then_some(last).flatten(),
    })
}

/// The name as a register writes it: Arabic only, the father's name joined when it is a
/// compound (عبد الكريم → عبدالكريم), the family name often without its article, and
/// sometimes all of it in one field.
fn register_name(name: &PersonName, rng: &mut ChaCha8Rng) -> PersonName {
    let joined = |part: &Option<String>| part.as_ref().map(|p| p.replacen("عبد ", "عبد", 1));
    let family = name.family.as_ref().map(|f| {
        if rng.random_bool(0.5) {
            f.strip_prefix("ال").unwrap_or(f).to_string()
        } else {
            f.clone()
        }
    });
    let given = joined(&name.given);
    let father = joined(&name.father);
    if rng.random_bool(0.3) {
        let full = [&given, &father, &family]
            .into_iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join(" ");
        return PersonName {
            script: Script::Arab,
            full: Some(full),
            ..Default::default()
        };
    }
    PersonName {
        script: Script::Arab,
        given,
        father,
        family,
        ..Default::default()
    }
}

fn day_date(day: i64) -> FuzzyDate {
    let (y, m, d) = civil_from_days(day);
    PartialDate::day(y, m, d).map_or(FuzzyDate::Unknown, FuzzyDate::on)
}

struct Ids {
    rng: ChaCha8Rng,
    counter: u32,
}

impl Ids {
    fn next(&mut self) -> RecordId {
        self.counter += 1;
        // 2025-01-01, when recovered registers began to be documented.
        RecordId::from_parts(1_735_689_600_000, self.counter, self.rng.random())
    }
}

fn victim(event: RecordId, person: RecordId, cite: &[Citation]) -> Involvement {
    Involvement::victim(event, person, cite.to_vec())
}

/// The register and the families' reports over `generate(seed, persons)`, in write order.
pub fn generate(seed: u64, persons: u64) -> Vec<Generated> {
    let vocab = Vocabularies::embedded();
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7472_6163_696e_6721);
    let mut ids = Ids {
        rng: ChaCha8Rng::seed_from_u64(seed ^ 0x6964_7321),
        counter: 0,
    };
    let register = ids.next();
    let mut out: Vec<Generated> = vec![(
        register,
        RecordBody::Source(Source {
            kind: "official-record".into(),
            title: REGISTER_TITLE.into(),
            date: PartialDate::year(2024).map_or(FuzzyDate::Unknown, FuzzyDate::on),
            reliability: Reliability::B,
            notes: Some(SYNTHETIC_NOTE.into()),
            ..Default::default()
        }),
    )];
    let in_register = vec![Citation {
        source: register,
        locator: None,
    }];
    let mut reports = 0u32;
    for person in crate::generate(seed, persons) {
        let Some(fate) = fate_of(&person, vocab) else {
            continue;
        };
        let Some(arabic) = fate.names.iter().find(|n| n.script == Script::Arab) else {
            continue;
        };
        // Dead in the register: those who died in custody (half of them), and some of those
        // still missing, a few months after they were last recorded.
        let death = match (fate.died, fate.missing_since) {
            (Some(day), _) if rng.random_bool(0.5) => Some(day),
            (None, Some(since)) if rng.random_bool(0.3) => {
                Some((since + rng.random_range(30..700)).min(FALL_OF_ASSAD - 1))
            }
            _ => None,
        }
        .filter(|day| *day <= DEMO_LAST_DAY);
        if let Some(day) = death {
            let (entry, event) = (ids.next(), ids.next());
            out.push((
                entry,
                RecordBody::Person(Person {
                    names: vec![register_name(arabic, &mut rng)],
                    sex: fate.sex,
                    birth_date: fate
                        .birth
                        .earliest_year()
                        .and_then(|y| PartialDate::year(y).ok())
                        .map_or(FuzzyDate::Unknown, FuzzyDate::on),
                    notes: Some(SYNTHETIC_NOTE.into()),
                    sources: in_register.clone(),
                    ..Default::default()
                }),
            ));
            out.push((
                event,
                RecordBody::Event(Event {
                    kind: "death-in-custody".into(),
                    start: day_date(day),
                    sources: in_register.clone(),
                    ..Default::default()
                }),
            ));
            out.push((
                ids.next(),
                RecordBody::Involvement(victim(event, entry, &in_register)),
            ));
        }
        // A family's report of someone still missing: what they know, in their words.
        let Some(since) = fate.missing_since else {
            continue;
        };
        if !rng.random_bool(0.5) {
            continue;
        }
        reports += 1;
        let (source, report, seen) = (ids.next(), ids.next(), ids.next());
        let reported = day_date((since + rng.random_range(400..2500)).min(DEMO_LAST_DAY));
        out.push((
            source,
            RecordBody::Source(Source {
                kind: "family-testimony".into(),
                title: format!(
                    "Demo source F{reports} (synthetic): a family's report / مصدر تجريبي (مُصطنع): بلاغ عائلة"
                ),
                date: reported,
                reliability: Reliability::F,
                notes: Some(SYNTHETIC_NOTE.into()),
                ..Default::default()
            }),
        ));
        let cite = vec![Citation {
            source,
            locator: None,
        }];
        let consent = [Purpose::FamilyTracing, Purpose::FamilyContact]
            .into_iter()
            .map(|purpose| Consent {
                purpose,
                answer: Answer::Given,
                date: reported,
                by: None,
            })
            .collect();
        let family_name = PersonName {
            script: Script::Arab,
            given: arabic.given.clone(),
            father: arabic.father.clone().filter(|_| rng.random_bool(0.7)),
            family: arabic.family.clone(),
            ..Default::default()
        };
        out.push((
            report,
            RecordBody::Person(Person {
                names: vec![family_name],
                sex: fate.sex,
                birth_date: fate.birth,
                contact: Some(format!(
                    "DEMO +963 9{:08}",
                    rng.random_range(0..100_000_000u32)
                )),
                notes: Some(SYNTHETIC_NOTE.into()),
                consent,
                sources: cite.clone(),
                ..Default::default()
            }),
        ));
        let mut last_seen = day_date(since);
        if let FuzzyDate::On { approximate, .. } = &mut last_seen {
            *approximate = true;
        }
        out.push((
            seen,
            RecordBody::Event(Event {
                kind: "last-seen".into(),
                start: last_seen,
                sources: cite.clone(),
                ..Default::default()
            }),
        ));
        out.push((
            ids.next(),
            RecordBody::Involvement(victim(seen, report, &cite)),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_register_and_reports_are_valid_invented_and_the_same_for_a_seed() {
        let vocab = Vocabularies::embedded();
        let records = generate(3, 400);
        assert_eq!(records, generate(3, 400));
        let mut seen: HashSet<RecordId> = crate::generate(3, 400)
            .flatten()
            .map(|(id, _)| id)
            .collect();
        let (mut entries, mut reports) = (0, 0);
        for (id, body) in &records {
            if let Err(errors) = body.validate(vocab) {
                panic!("invalid {:?}: {errors:?}", body.kind());
            }
            for r in body.references() {
                assert!(seen.contains(&r.id), "{} refers forward", r.field);
            }
            assert!(seen.insert(*id), "an id used twice");
            match body {
                RecordBody::Source(s) => assert!(crate::is_demo_source(s), "{}", s.title),
                RecordBody::Person(p) => {
                    assert_eq!(p.notes.as_deref(), Some(SYNTHETIC_NOTE));
                    if p.contact.is_some() {
                        reports += 1;
                    } else {
                        entries += 1;
                    }
                }
                RecordBody::Event(e) => {
                    let day = e.start.bounds().map_or(0, |(lo, _)| lo);
                    assert!(day <= DEMO_LAST_DAY, "dated after the demo's last day");
                }
                _ => {}
            }
        }
        assert!(
            entries >= 10 && reports >= 10,
            "{entries} entries, {reports} reports"
        );
    }
}
