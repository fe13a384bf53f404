//! What is known of a person now, derived from their events — never typed by hand.
//!
//! The rules are written out in `docs/DEFINITIONS.md`; this module is their only
//! implementation. Events are first put in journey order ([`journey_order`]): the links
//! documenters set between events ("this transfer followed that arrest") come first, dates
//! decide the rest, and events whose order is unknown keep the order they were recorded in.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use serde::{Deserialize, Serialize};

use crate::date::FuzzyDate;
use crate::event::{Event, Role};
use crate::ids::RecordId;
use crate::vocab::Vocabularies;

/// The derived status of a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Status {
    /// Events are recorded (e.g. a return) but no deprivation of liberty.
    AtLiberty,
    /// Deprived of liberty and the place of detention is known.
    Detained,
    /// Deprived of liberty by agents of an authority, whereabouts not acknowledged since.
    Disappeared,
    DiedInCustody,
    Killed,
    Released,
    /// Nothing recorded, or deprived of liberty by an unknown party, place unknown.
    Unknown,
}

impl Status {
    pub fn label_en(self) -> &'static str {
        match self {
            Status::AtLiberty => "At liberty",
            Status::Detained => "Detained (place known)",
            Status::Disappeared => "Disappeared",
            Status::DiedInCustody => "Died in custody",
            Status::Killed => "Killed",
            Status::Released => "Released",
            Status::Unknown => "Unknown",
        }
    }

    pub fn label_ar(self) -> &'static str {
        match self {
            Status::AtLiberty => "طليق",
            Status::Detained => "محتجز (المكان معروف)",
            Status::Disappeared => "مختفٍ قسرياً",
            Status::DiedInCustody => "توفي في الاحتجاز",
            Status::Killed => "قُتل",
            Status::Released => "أُفرج عنه",
            Status::Unknown => "غير معروف",
        }
    }
}

/// An event as it bears on one person: the event (with its id, the key that orders steps
/// where nothing else decides) and the person's role.
#[derive(Debug, Clone)]
pub struct JourneyStep<'a> {
    pub id: RecordId,
    pub event: &'a Event,
    pub role: Role,
}

/// Where a step sorts: (start bounds, end bounds, rank of its id and role, its index).
type StepKey = ((i64, i64), (i64, i64), usize, usize);

fn role_rank(role: Role) -> u8 {
    match role {
        Role::Victim => 0,
        Role::Witness => 1,
        Role::Informant => 2,
        Role::Perpetrator => 3,
    }
}

/// Order a person's events as a journey. Links (`previous`) are hard constraints; among
/// events free to come next, the one whose date may be earliest comes first, then the one
/// with the lower event id (then role). Cycles in links (a data error) are broken by date
/// order. The order of `steps` itself never matters: the same records give the same
/// journey in any store, read in any order.
pub fn journey_order<'a>(steps: &[JourneyStep<'a>]) -> Vec<JourneyStep<'a>> {
    let mut by_data: Vec<usize> = (0..steps.len()).collect();
    by_data.sort_by_key(|&i| (steps[i].id, role_rank(steps[i].role)));
    let mut rank = vec![0usize; steps.len()];
    for (r, &i) in by_data.iter().enumerate() {
        rank[i] = r;
    }
    let index: HashMap<RecordId, usize> =
        steps.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
    let mut followers: Vec<Vec<usize>> = vec![Vec::new(); steps.len()];
    let mut waiting = vec![0usize; steps.len()];
    for (i, s) in steps.iter().enumerate() {
        if let Some(&p) = s.event.previous.as_ref().and_then(|p| index.get(p))
            && p != i
        {
            followers[p].push(i);
            waiting[i] += 1;
        }
    }
    let key = |i: usize| {
        (
            steps[i].event.start.sort_key(),
            steps[i].event.end.sort_key(),
            rank[i],
            i,
        )
    };
    let mut ready: BinaryHeap<Reverse<StepKey>> = (0..steps.len())
        .filter(|&i| waiting[i] == 0)
        .map(|i| Reverse(key(i)))
        .collect();
    let mut done = vec![false; steps.len()];
    let mut inherited_key: Vec<((i64, i64), (i64, i64))> =
        (0..steps.len()).map(|i| (key(i).0, key(i).1)).collect();
    let mut out = Vec::with_capacity(steps.len());
    while out.len() < steps.len() {
        let next = match ready.pop() {
            Some(Reverse((_, _, _, i))) => i,
            // Only a cycle leaves events waiting with nothing ready: take the earliest.
            None => match (0..steps.len())
                .filter(|&i| !done[i])
                .min_by_key(|&i| key(i))
            {
                Some(i) => i,
                None => break,
            },
        };
        if done[next] {
            continue;
        }
        done[next] = true;
        out.push(steps[next].clone());
        for &f in &followers[next] {
            waiting[f] = waiting[f].saturating_sub(1);
            if waiting[f] == 0 && !done[f] {
                // An undated event linked after another is placed as if it shared its date.
                let (start, end, _, _) = key(f);
                let inherited = if steps[f].event.start.is_unknown() {
                    inherited_key[next]
                } else {
                    (start, end)
                };
                inherited_key[f] = inherited;
                ready.push(Reverse((inherited.0, inherited.1, rank[f], f)));
            }
        }
    }
    out
}

/// The status of a person from their events in journey order, counting only events in
/// which they are the victim. See docs/DEFINITIONS.md, "Derived status".
pub fn derive_status(journey: &[JourneyStep<'_>], vocab: &Vocabularies) -> Status {
    let victim: Vec<&JourneyStep<'_>> = journey.iter().filter(|s| s.role == Role::Victim).collect();
    if victim.is_empty() {
        return Status::Unknown;
    }
    let category = |s: &JourneyStep<'_>| {
        vocab
            .category_of(&s.event.kind)
            .unwrap_or("other")
            .to_string()
    };
    // Death is final whatever else is recorded after it (later records are about the body,
    // the trial in absentia, the family).
    if let Some(death) = victim
        .iter()
        .rev()
        .find(|s| matches!(category(s).as_str(), "death-in-custody" | "killing"))
    {
        return if category(death) == "death-in-custody" {
            Status::DiedInCustody
        } else {
            Status::Killed
        };
    }
    let last_liberty = victim.iter().rposition(|s| {
        matches!(
            category(s).as_str(),
            "deprivation" | "disappearance" | "release"
        )
    });
    let Some(last) = last_liberty else {
        return Status::AtLiberty;
    };
    match category(victim[last]).as_str() {
        "release" => Status::Released,
        "disappearance" => Status::Disappeared,
        _ => {
            // Deprived of liberty: where is the person held?
            let held_since = &victim[..=last];
            let chain_start = held_since
                .iter()
                .rposition(|s| category(s) != "deprivation" && category(s) != "harm")
                .map_or(0, |i| i + 1);
            let custody = &held_since[chain_start..];
            let place_known = custody
                .last()
                .is_some_and(|s| s.event.place.as_ref().is_some_and(|p| p.facility.is_some()));
            let by_authority = custody.iter().any(|s| s.event.unit.is_some());
            if place_known {
                Status::Detained
            } else if by_authority {
                Status::Disappeared
            } else {
                Status::Unknown
            }
        }
    }
}

/// Whether someone was a child (under 18) at a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AgeGroup {
    Child,
    Adult,
    /// Birth date or event date unknown, or the dates allow both.
    Unknown,
}

/// A child is under 18 at the event date. Only when every birth day and event day the
/// fuzzy dates allow give the same answer is it decided; otherwise it stays unknown.
pub fn age_group(birth: &FuzzyDate, at: &FuzzyDate) -> AgeGroup {
    match FuzzyDate::age_bounds(birth, at) {
        Some((_, oldest)) if oldest < 18 => AgeGroup::Child,
        Some((youngest, _)) if youngest >= 18 => AgeGroup::Adult,
        _ => AgeGroup::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::place::PlaceRef;

    fn ev(kind: &str, start: &str) -> Event {
        Event {
            kind: kind.into(),
            start: FuzzyDate::parse(start).unwrap_or_default(),
            ..Default::default()
        }
    }

    fn steps(events: &[Event]) -> Vec<JourneyStep<'_>> {
        events
            .iter()
            .enumerate()
            .map(|(i, e)| JourneyStep {
                id: RecordId::from_parts(1, i as u32, 0),
                event: e,
                role: Role::Victim,
            })
            .collect()
    }

    fn status(events: &[Event]) -> Status {
        let s = steps(events);
        derive_status(&journey_order(&s), Vocabularies::embedded())
    }

    fn with_facility(mut e: Event, facility: &str) -> Event {
        e.place = Some(PlaceRef {
            facility: Some(facility.into()),
            ..Default::default()
        });
        e
    }

    fn with_unit(mut e: Event, unit: &str) -> Event {
        e.unit = Some(unit.into());
        e
    }

    #[test]
    fn the_order_of_a_journey_never_depends_on_the_order_it_was_read_in() {
        // Same-month events that no date or link orders: ties go by event id, whichever
        // order the steps arrive in.
        let events = [
            ev("release", "2019-03"),
            ev("arrest", "2019-03"),
            ev("forced-return", "2019-03"),
            ev("detention", "2019-03"),
        ];
        let forward = steps(&events);
        let ids = |ordered: Vec<JourneyStep<'_>>| ordered.iter().map(|s| s.id).collect::<Vec<_>>();
        let expected = ids(journey_order(&forward));
        let mut sorted = forward.iter().map(|s| s.id).collect::<Vec<_>>();
        sorted.sort();
        assert_eq!(expected, sorted, "ties in id order");
        let mut backward = forward.clone();
        backward.reverse();
        assert_eq!(ids(journey_order(&backward)), expected);
        let mut rotated = forward.clone();
        rotated.rotate_left(2);
        assert_eq!(ids(journey_order(&rotated)), expected);
    }

    #[test]
    fn statuses_follow_the_written_rules() {
        assert_eq!(status(&[]), Status::Unknown);
        assert_eq!(status(&[ev("forced-return", "2019-03")]), Status::AtLiberty);
        assert_eq!(
            status(&[
                ev("forced-return", "2019-03"),
                with_unit(ev("arrest", "2019-03"), "mi-branch-235")
            ]),
            Status::Disappeared,
            "arrested by an authority, no place since"
        );
        assert_eq!(
            status(&[ev("forced-return", "2019-03"), ev("arrest", "2019-03")]),
            Status::Unknown,
            "perpetrator unknown"
        );
        assert_eq!(
            status(&[
                with_unit(ev("arrest", "2019-03"), "mi-branch-235"),
                with_facility(ev("detention", "2019-04"), "sednaya-prison")
            ]),
            Status::Detained
        );
        assert_eq!(
            status(&[
                with_facility(ev("detention", "2019-04"), "sednaya-prison"),
                ev("enforced-disappearance", "2019-09")
            ]),
            Status::Disappeared
        );
        assert_eq!(
            status(&[ev("arrest", "2019"), ev("release", "2020")]),
            Status::Released
        );
        assert_eq!(
            status(&[
                ev("arrest", "2019"),
                ev("release", "2020"),
                with_unit(ev("arrest", "2021"), "air-force-intelligence")
            ]),
            Status::Disappeared
        );
        assert_eq!(
            status(&[
                ev("arrest", "2019"),
                ev("death-in-custody", "2020"),
                ev("release", "2021")
            ]),
            Status::DiedInCustody
        );
        assert_eq!(
            status(&[ev("forced-return", "2019"), ev("killing", "2020")]),
            Status::Killed
        );
        assert_eq!(
            status(&[ev("arrest", "2019"), ev("execution", "2020")]),
            Status::Killed
        );
    }

    #[test]
    fn a_witness_does_not_take_the_victims_status() {
        let events = [ev("arrest", "2019"), ev("death-in-custody", "2020")];
        let mut s = steps(&events);
        for step in &mut s {
            step.role = Role::Witness;
        }
        assert_eq!(
            derive_status(&journey_order(&s), Vocabularies::embedded()),
            Status::Unknown
        );
    }

    #[test]
    fn links_order_the_journey_before_dates() {
        let arrest = ev("arrest", "2019-05");
        let mut transfer = ev("transfer", "");
        let mut returned = ev("forced-return", "2019-05");
        let s0 = steps(std::slice::from_ref(&arrest));
        let arrest_id = s0[0].id;
        transfer.previous = Some(arrest_id);
        returned.kind = "forced-return".into();
        let all = [arrest.clone(), transfer, returned];
        let s = steps(&all);
        let order: Vec<&str> = journey_order(&s)
            .iter()
            .map(|x| x.event.kind.as_str())
            .collect();
        // The transfer has no date but is linked after the arrest; the return shares the
        // arrest's month and was recorded later, so it stays after it.
        assert_eq!(order, ["arrest", "transfer", "forced-return"]);
    }

    #[test]
    fn cycles_do_not_lose_events() {
        let mut a = ev("arrest", "2019");
        let mut b = ev("detention", "2020");
        let ids = [RecordId::from_parts(1, 0, 0), RecordId::from_parts(1, 1, 0)];
        a.previous = Some(ids[1]);
        b.previous = Some(ids[0]);
        let all = [a, b];
        let s = steps(&all);
        assert_eq!(journey_order(&s).len(), 2);
    }

    #[test]
    fn children_are_under_18_at_the_event() {
        let d = |s: &str| FuzzyDate::parse(s).unwrap_or_default();
        assert_eq!(age_group(&d("2005-01-01"), &d("2019-03")), AgeGroup::Child);
        assert_eq!(age_group(&d("1990"), &d("2019-03")), AgeGroup::Adult);
        assert_eq!(
            age_group(&d("2001"), &d("2019-03")),
            AgeGroup::Unknown,
            "17 or 18"
        );
        assert_eq!(
            age_group(&FuzzyDate::Unknown, &d("2019")),
            AgeGroup::Unknown
        );
        assert_eq!(
            age_group(&d("2001-06-01"), &d("2019-03-12")),
            AgeGroup::Child
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    const KINDS: &[&str] = &[
        "forced-return",
        "arrest",
        "detention",
        "transfer",
        "torture",
        "enforced-disappearance",
        "release",
        "death-in-custody",
        "execution",
        "extortion",
    ];

    proptest! {
        #[test]
        fn status_rules_hold_for_any_journey(kinds in prop::collection::vec(0..KINDS.len(), 0..8), years in prop::collection::vec(2011i32..2025, 8)) {
            let events: Vec<Event> = kinds.iter().enumerate().map(|(i, &k)| Event {
                kind: KINDS[k].into(),
                start: FuzzyDate::parse(&years[i].to_string()).unwrap_or_default(),
                ..Default::default()
            }).collect();
            let steps: Vec<JourneyStep<'_>> = events.iter().enumerate()
                .map(|(i, e)| JourneyStep { id: RecordId::from_parts(1, i as u32, 0), event: e, role: Role::Victim }).collect();
            let journey = journey_order(&steps);
            prop_assert_eq!(journey.len(), steps.len());
            let vocab = Vocabularies::embedded();
            let s = derive_status(&journey, vocab);
            let any = |cat: &str| events.iter().any(|e| vocab.category_of(&e.kind) == Some(cat));
            if events.is_empty() {
                prop_assert_eq!(s, Status::Unknown);
            } else if any("death-in-custody") || any("killing") {
                prop_assert!(matches!(s, Status::DiedInCustody | Status::Killed));
            } else if !any("deprivation") && !any("disappearance") && !any("release") {
                prop_assert_eq!(s, Status::AtLiberty);
            } else {
                prop_assert!(!matches!(s, Status::AtLiberty | Status::DiedInCustody | Status::Killed));
            }
            // Journey order respects dates where dates decide.
            for pair in journey.windows(2) {
                prop_assert!(pair[0].event.start.sort_key() <= pair[1].event.start.sort_key());
            }
        }
    }
}
