//! What is known of a person now, derived from their events — never typed by hand.
//!
//! The rules are written out in `docs/DEFINITIONS.md`; this module is their only
//! implementation. Events are first put in journey order ([`journey_order`]): the links
//! documenters set between events ("this transfer followed that arrest", or the order of
//! one imported row) come first, dates decide the rest, then the kind's place in a journey;
//! events that are equal in all of these are ordered by their content. The order never
//! depends on the order records were stored or read in, nor on their ids.

use std::cmp::{Ordering, Reverse};
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
    /// Dead, as a source states it, without saying how or where: neither a death in
    /// custody nor a killing is claimed ("متوفى"، "dead"). Only a statement gives it.
    Dead,
    Released,
    /// Nothing recorded, or deprived of liberty by an unknown party, place unknown.
    Unknown,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Disappeared,
        Status::Detained,
        Status::DiedInCustody,
        Status::Killed,
        Status::Dead,
        Status::Released,
        Status::AtLiberty,
        Status::Unknown,
    ];

    /// The status's name as the API writes it (`died_in_custody`).
    pub fn code(self) -> &'static str {
        match self {
            Status::AtLiberty => "at_liberty",
            Status::Detained => "detained",
            Status::Disappeared => "disappeared",
            Status::DiedInCustody => "died_in_custody",
            Status::Killed => "killed",
            Status::Dead => "dead",
            Status::Released => "released",
            Status::Unknown => "unknown",
        }
    }

    /// The status a [`Status::code`] names.
    pub fn from_code(code: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The status as the reader's language names it.
    pub fn label(self, lang: crate::vocab::Lang) -> &'static str {
        match lang {
            crate::vocab::Lang::Ar => self.label_ar(),
            crate::vocab::Lang::En => self.label_en(),
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Status::AtLiberty => "At liberty",
            Status::Detained => "Detained (place known)",
            Status::Disappeared => "Disappeared",
            Status::DiedInCustody => "Died in custody",
            Status::Killed => "Killed",
            Status::Dead => "Dead (circumstances unknown)",
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
            Status::Dead => "متوفى (الظروف غير معروفة)",
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

/// Where a step sorts: (start bounds, end bounds, journey rank of its kind, rank of its
/// content, its index).
type StepKey = ((i64, i64), (i64, i64), (u8, usize), usize, usize);

fn role_rank(role: Role) -> u8 {
    match role {
        Role::Victim => 0,
        Role::Witness => 1,
        Role::Informant => 2,
        Role::Perpetrator => 3,
    }
}

/// A total order of steps by what they record, for ties nothing else breaks. Only fields
/// the counting facts keep take part (`facts`): no narrative and no description of the
/// place, which are sealed or free text — so the owner's journey, one shared pseudonymised
/// and the one counted are in the same order. Ids come last:
/// they differ between stores (imported ids are derived under each organisation's key), so
/// they only separate steps whose every recorded field is equal — and swapping those
/// changes no figure.
fn content_order(a: &JourneyStep<'_>, b: &JourneyStep<'_>) -> Ordering {
    fn place(e: &Event) -> Option<(&Option<String>, &Option<String>)> {
        e.place
            .as_ref()
            .filter(|p| p.pcode.is_some() || p.facility.is_some())
            .map(|p| (&p.pcode, &p.facility))
    }
    let (x, y) = (a.event, b.event);
    x.kind
        .cmp(&y.kind)
        .then_with(|| x.start.sort_key().cmp(&y.start.sort_key()))
        .then_with(|| x.end.sort_key().cmp(&y.end.sort_key()))
        .then_with(|| x.start.to_string().cmp(&y.start.to_string()))
        .then_with(|| x.end.to_string().cmp(&y.end.to_string()))
        .then_with(|| place(x).cmp(&place(y)))
        .then_with(|| x.unit.cmp(&y.unit))
        .then_with(|| x.party.cmp(&y.party))
        .then_with(|| x.host_country.cmp(&y.host_country))
        .then_with(|| x.crossing.cmp(&y.crossing))
        .then_with(|| x.cause.cmp(&y.cause))
        .then_with(|| x.verification.cmp(&y.verification))
        .then_with(|| role_rank(a.role).cmp(&role_rank(b.role)))
        .then_with(|| a.id.cmp(&b.id))
}

/// Order a person's events as a journey. Links (`previous`) are hard constraints; among
/// events free to come next, the one whose date may be earliest comes first, then the one
/// whose kind comes earlier in a journey ([`Vocabularies::journey_rank`]: a return before
/// an arrest in the same month), then by content. Cycles in links (a data error) are
/// broken by the same order. The order of `steps` itself never matters, nor do record ids:
/// the same records give the same journey in any store, read in any order.
pub fn journey_order<'a>(steps: &[JourneyStep<'a>], vocab: &Vocabularies) -> Vec<JourneyStep<'a>> {
    let mut by_data: Vec<usize> = (0..steps.len()).collect();
    by_data.sort_by(|&i, &j| content_order(&steps[i], &steps[j]));
    let mut rank = vec![0usize; steps.len()];
    for (r, &i) in by_data.iter().enumerate() {
        rank[i] = r;
    }
    let journey_rank: Vec<(u8, usize)> = steps
        .iter()
        .map(|s| vocab.journey_rank(&s.event.kind))
        .collect();
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
            journey_rank[i],
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
            Some(Reverse((_, _, _, _, i))) => i,
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
                let (start, end, _, _, _) = key(f);
                let inherited = if steps[f].event.start.is_unknown() {
                    inherited_key[next]
                } else {
                    (start, end)
                };
                inherited_key[f] = inherited;
                ready.push(Reverse((
                    inherited.0,
                    inherited.1,
                    journey_rank[f],
                    rank[f],
                    f,
                )));
            }
        }
    }
    out
}

/// Why a person has the status their events give (docs/DEFINITIONS.md, "Derived status"):
/// the rule that decided, and the event it read (an index into the journey given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Because {
    /// No event records them as a victim.
    NoEvents,
    /// A death is recorded (in custody or a killing); it is final whatever follows.
    Death { step: usize },
    /// Events are recorded but none deprived them of liberty.
    NeverDeprived,
    /// They were last seen, as a family reports, and nothing after that bears on their
    /// liberty: what happened is not known.
    LastSeen { step: usize },
    /// The last event bearing on their liberty is a release.
    Released { step: usize },
    /// The last event bearing on their liberty is an enforced disappearance.
    DisappearanceRecorded { step: usize },
    /// Held, and the last event of the custody names the facility.
    HeldAtFacility { step: usize },
    /// Held by agents of an authority (a unit or party is named), the place not
    /// acknowledged.
    HeldByAuthorityPlaceUnknown { step: usize },
    /// Held by an unknown party, the place unknown.
    HeldByUnknown { step: usize },
}

impl Because {
    /// The step of the journey the rule read, if any.
    pub fn step(self) -> Option<usize> {
        match self {
            Because::NoEvents | Because::NeverDeprived => None,
            Because::Death { step }
            | Because::LastSeen { step }
            | Because::Released { step }
            | Because::DisappearanceRecorded { step }
            | Because::HeldAtFacility { step }
            | Because::HeldByAuthorityPlaceUnknown { step }
            | Because::HeldByUnknown { step } => Some(step),
        }
    }

    /// A stable name of the rule, for messages in both languages.
    pub fn code(self) -> &'static str {
        match self {
            Because::NoEvents => "no-events",
            Because::Death { .. } => "death",
            Because::NeverDeprived => "never-deprived",
            Because::LastSeen { .. } => "last-seen",
            Because::Released { .. } => "released",
            Because::DisappearanceRecorded { .. } => "disappearance",
            Because::HeldAtFacility { .. } => "held-at-facility",
            Because::HeldByAuthorityPlaceUnknown { .. } => "held-place-unknown",
            Because::HeldByUnknown { .. } => "held-by-unknown",
        }
    }
}

/// The status of a person from their events in journey order, counting only events in
/// which they are the victim. See docs/DEFINITIONS.md, "Derived status".
pub fn derive_status(journey: &[JourneyStep<'_>], vocab: &Vocabularies) -> Status {
    derive_status_because(journey, vocab).0
}

/// [`derive_status`], with the rule that decided and the event it read.
pub fn derive_status_because(
    journey: &[JourneyStep<'_>],
    vocab: &Vocabularies,
) -> (Status, Because) {
    let victim: Vec<usize> = (0..journey.len())
        .filter(|&i| journey[i].role == Role::Victim)
        .collect();
    if victim.is_empty() {
        return (Status::Unknown, Because::NoEvents);
    }
    let category = |i: usize| {
        vocab
            .category_of(&journey[i].event.kind)
            .unwrap_or("other")
            .to_string()
    };
    // Death is final whatever else is recorded after it (later records are about the body,
    // the trial in absentia, the family).
    if let Some(&death) = victim
        .iter()
        .rev()
        .find(|&&i| matches!(category(i).as_str(), "death-in-custody" | "killing"))
    {
        let status = if category(death) == "death-in-custody" {
            Status::DiedInCustody
        } else {
            Status::Killed
        };
        return (status, Because::Death { step: death });
    }
    let last_liberty = victim.iter().rposition(|&i| {
        matches!(
            category(i).as_str(),
            "deprivation" | "disappearance" | "release"
        )
    });
    let Some(last) = last_liberty else {
        // Reported missing and nothing known since: not known to be free.
        if let Some(&seen) = victim.iter().rev().find(|&&i| category(i) == "missing") {
            return (Status::Unknown, Because::LastSeen { step: seen });
        }
        return (Status::AtLiberty, Because::NeverDeprived);
    };
    let step = victim[last];
    match category(step).as_str() {
        "release" => (Status::Released, Because::Released { step }),
        "disappearance" => (Status::Disappeared, Because::DisappearanceRecorded { step }),
        _ => {
            // Deprived of liberty: where is the person held?
            let held_since = &victim[..=last];
            let chain_start = held_since
                .iter()
                .rposition(|&i| category(i) != "deprivation" && category(i) != "harm")
                .map_or(0, |i| i + 1);
            let custody = &held_since[chain_start..];
            let place_known = custody.last().is_some_and(|&i| {
                journey[i]
                    .event
                    .place
                    .as_ref()
                    .is_some_and(|p| p.facility.is_some())
            });
            // Agents of an authority: a unit, or a party named without one.
            let by_authority = custody
                .iter()
                .find(|&&i| journey[i].event.unit.is_some() || journey[i].event.party.is_some());
            if place_known {
                (Status::Detained, Because::HeldAtFacility { step })
            } else if let Some(&by) = by_authority {
                (
                    Status::Disappeared,
                    Because::HeldByAuthorityPlaceUnknown { step: by },
                )
            } else {
                (Status::Unknown, Because::HeldByUnknown { step })
            }
        }
    }
}

/// What a list or a source states of a person's situation — "معتقل - مكان الاحتجاز معروف",
/// "alive", "enforced disappearance" — kept as stated, with its date and source, beside the
/// events. The derived status uses it where the events alone cannot decide
/// ([`status_with_statements`]; docs/DEFINITIONS.md, "Stated status").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatedStatus {
    /// What was stated: any status but `unknown` (stating nothing is no statement).
    pub status: Status,
    /// When it was stated to hold (the list's date, if the row gives none).
    #[serde(default, skip_serializing_if = "FuzzyDate::is_unknown")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "2024-06"))]
    pub date: FuzzyDate,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<crate::source::Citation>,
}

/// How grave a status is, for statements equally recent: the graver one is taken, so that
/// no list's "released" hides another's "disappeared" of the same date.
fn gravity(status: Status) -> u8 {
    match status {
        Status::Unknown => 0,
        Status::AtLiberty => 1,
        Status::Released => 2,
        Status::Detained => 3,
        Status::Disappeared => 4,
        // A death whose circumstances are unknown, then the deaths that say them.
        Status::Dead => 5,
        Status::Killed => 6,
        Status::DiedInCustody => 7,
    }
}

/// The statement that holds now: the latest by date (an undated statement is older than
/// any dated one), the graver of equally recent ones. Never depends on the order given.
pub fn latest_statement(stated: &[StatedStatus]) -> Option<&StatedStatus> {
    stated
        .iter()
        .filter(|s| s.status != Status::Unknown)
        .max_by_key(|s| {
            let (first, last) = s.date.bounds().unwrap_or((i64::MIN, i64::MIN));
            (first, last, gravity(s.status))
        })
}

/// A person's status from their journey and what sources state of them. The events decide
/// when they say it outright — a death, a release, an enforced disappearance, or detention
/// in a named facility; otherwise (nothing recorded, only a return, or custody whose place
/// is not named) the latest statement decides, if there is one. See docs/DEFINITIONS.md,
/// "Stated status".
pub fn status_with_statements(
    journey: &[JourneyStep<'_>],
    stated: &[StatedStatus],
    vocab: &Vocabularies,
) -> Status {
    let from_events = derive_status(journey, vocab);
    let Some(statement) = latest_statement(stated) else {
        return from_events;
    };
    let events_decide = match from_events {
        Status::DiedInCustody
        | Status::Killed
        | Status::Dead
        | Status::Released
        | Status::Detained => true,
        // Disappeared because an event says so, not inferred from custody with no place.
        Status::Disappeared => {
            journey
                .iter()
                .filter(|s| s.role == Role::Victim)
                .filter_map(|s| vocab.category_of(&s.event.kind))
                .rfind(|c| matches!(*c, "deprivation" | "disappearance" | "release"))
                == Some("disappearance")
        }
        Status::AtLiberty | Status::Unknown => false,
    };
    if events_decide {
        from_events
    } else {
        statement.status
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

impl AgeGroup {
    /// The age group a list states: child (طفل، قاصر، minor) or adult (بالغ، راشد);
    /// `None` for anything else.
    pub fn parse_stated(value: &str) -> Option<AgeGroup> {
        match crate::text::fold(value).as_str() {
            "child" | "minor" | "boy" | "girl" | "kid" | "طفل" | "طفله" | "قاصر" | "قاصره"
            | "اطفال" | "child under 18" => Some(AgeGroup::Child),
            "adult" | "man" | "woman" | "بالغ" | "بالغه" | "راشد" | "راشده" | "رجل" | "امراه" => {
                Some(AgeGroup::Adult)
            }
            _ => None,
        }
    }
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
    #[test]
    fn the_status_says_which_rule_and_which_event_decided() {
        let vocab = Vocabularies::embedded();
        let event = |kind: &str, unit: Option<&str>| Event {
            kind: kind.into(),
            unit: unit.map(str::to_string),
            ..Event::default()
        };
        let (ret, arrest, gone) = (
            event("forced-return", None),
            event("arrest", Some("fourth-division")),
            event("enforced-disappearance", None),
        );
        fn step(e: &Event) -> JourneyStep<'_> {
            JourneyStep {
                id: RecordId::new(),
                event: e,
                role: Role::Victim,
            }
        }
        let (ret, arrest, gone) = (&ret, &arrest, &gone);
        let seen = event("last-seen", None);
        assert_eq!(
            derive_status_because(&[step(&seen)], vocab),
            (Status::Unknown, Because::LastSeen { step: 0 })
        );
        assert_eq!(
            derive_status_because(&[], vocab),
            (Status::Unknown, Because::NoEvents)
        );
        assert_eq!(
            derive_status_because(&[step(ret)], vocab),
            (Status::AtLiberty, Because::NeverDeprived)
        );
        assert_eq!(
            derive_status_because(&[step(ret), step(arrest)], vocab),
            (
                Status::Disappeared,
                Because::HeldByAuthorityPlaceUnknown { step: 1 }
            )
        );
        assert_eq!(
            derive_status_because(&[step(ret), step(arrest), step(gone)], vocab),
            (
                Status::Disappeared,
                Because::DisappearanceRecorded { step: 2 }
            )
        );
    }

    #[test]
    fn every_status_code_is_the_apis_name_and_reads_back() {
        for status in Status::ALL {
            let json = serde_json::to_value(status).unwrap_or_default();
            assert_eq!(json, serde_json::json!(status.code()));
            assert_eq!(Status::from_code(status.code()), Some(status));
        }
        assert_eq!(Status::from_code("missing"), None);
    }

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
        derive_status(
            &journey_order(&s, Vocabularies::embedded()),
            Vocabularies::embedded(),
        )
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

    fn kinds(ordered: &[JourneyStep<'_>]) -> Vec<String> {
        ordered.iter().map(|s| s.event.kind.clone()).collect()
    }

    #[test]
    fn the_order_of_a_journey_never_depends_on_the_order_it_was_read_in() {
        // Same-month events that no date or link orders: a journey's order decides, whichever
        // order the steps arrive in.
        let events = [
            ev("release", "2019-03"),
            ev("arrest", "2019-03"),
            ev("forced-return", "2019-03"),
            ev("detention", "2019-03"),
        ];
        let vocab = Vocabularies::embedded();
        let forward = steps(&events);
        let expected = kinds(&journey_order(&forward, vocab));
        assert_eq!(
            expected,
            ["forced-return", "arrest", "detention", "release"]
        );
        let mut backward = forward.clone();
        backward.reverse();
        assert_eq!(kinds(&journey_order(&backward, vocab)), expected);
        let mut rotated = forward.clone();
        rotated.rotate_left(2);
        assert_eq!(kinds(&journey_order(&rotated, vocab)), expected);
    }

    #[test]
    fn ties_are_broken_by_content_never_by_record_ids() {
        // Two arrests in the same month by different units, then a release: which arrest
        // comes last decides nothing here, but the order must be the same whatever ids the
        // store gave the records (ids are derived under each organisation's key).
        let mut a = ev("arrest", "2019-03");
        a.unit = Some("air-force-intelligence".into());
        let mut b = ev("arrest", "2019-03");
        b.place = Some(PlaceRef {
            facility: Some("sednaya-prison".into()),
            ..Default::default()
        });
        let events = [a, b];
        let vocab = Vocabularies::embedded();
        let order_with_ids = |first: u32, second: u32| {
            let steps = vec![
                JourneyStep {
                    id: RecordId::from_parts(7, first, 11),
                    event: &events[0],
                    role: Role::Victim,
                },
                JourneyStep {
                    id: RecordId::from_parts(7, second, 11),
                    event: &events[1],
                    role: Role::Victim,
                },
            ];
            let ordered = journey_order(&steps, vocab);
            (
                ordered
                    .iter()
                    .map(|s| (s.event.unit.clone(), s.event.place.clone()))
                    .collect::<Vec<_>>(),
                derive_status(&ordered, vocab),
            )
        };
        assert_eq!(order_with_ids(1, 2), order_with_ids(2, 1));
        assert_eq!(order_with_ids(5, 3), order_with_ids(1, 9));
    }

    #[test]
    fn a_day_inside_a_month_does_not_put_the_month_first_when_a_row_links_them() {
        // A return on 4 April and an arrest "04/2024" from the same row: the row's link
        // puts the return first even though the arrest's earliest day is 1 April.
        let ret = ev("forced-return", "2024-04-04");
        let mut arrest = ev("arrest", "04/2024");
        let return_id = RecordId::from_parts(9, 1, 1);
        arrest.previous = Some(return_id);
        let steps = vec![
            JourneyStep {
                id: RecordId::from_parts(9, 2, 1),
                event: &arrest,
                role: Role::Victim,
            },
            JourneyStep {
                id: return_id,
                event: &ret,
                role: Role::Victim,
            },
        ];
        let vocab = Vocabularies::embedded();
        assert_eq!(
            kinds(&journey_order(&steps, vocab)),
            ["forced-return", "arrest"]
        );
    }

    fn stated(status: Status, date: &str) -> StatedStatus {
        StatedStatus {
            status,
            date: FuzzyDate::parse(date).unwrap_or_default(),
            sources: Vec::new(),
        }
    }

    #[test]
    fn a_stated_status_decides_only_where_the_events_cannot() {
        let vocab = Vocabularies::embedded();
        let with = |events: &[Event], statements: &[StatedStatus]| {
            status_with_statements(&journey_order(&steps(events), vocab), statements, vocab)
        };
        // Arrested by a named unit, no facility named: the events infer "disappeared";
        // the list states "detained, whereabouts known", and that decides.
        let arrest = [with_unit(ev("arrest", "2024-03"), "air-force-intelligence")];
        assert_eq!(with(&arrest, &[]), Status::Disappeared);
        let detained = [stated(Status::Detained, "2024-06")];
        assert_eq!(with(&arrest, &detained), Status::Detained);
        // An enforced disappearance recorded as an event is not overridden.
        let gone = [
            ev("arrest", "2024-03"),
            ev("enforced-disappearance", "2024-04"),
        ];
        assert_eq!(
            with(&gone, &[stated(Status::Released, "2024-06")]),
            Status::Disappeared
        );
        // Only a return recorded; the list says the person is disappeared.
        let returned = [ev("forced-return", "2024-01")];
        assert_eq!(
            with(&returned, &[stated(Status::Disappeared, "")]),
            Status::Disappeared
        );
        assert_eq!(with(&returned, &[]), Status::AtLiberty);
        // A death recorded as an event is final.
        let died = [ev("arrest", "2019"), ev("death-in-custody", "2020")];
        assert_eq!(
            with(&died, &[stated(Status::Detained, "2024")]),
            Status::DiedInCustody
        );
        // "Unknown" states nothing.
        assert_eq!(
            with(&arrest, &[stated(Status::Unknown, "2025")]),
            Status::Disappeared
        );
        // "Dead" with nothing said of how: neither in custody nor killed, and it outweighs
        // an equally recent "detained" but not a "killed".
        assert_eq!(
            with(&arrest, &[stated(Status::Dead, "2024-09")]),
            Status::Dead
        );
        assert_eq!(
            with(
                &arrest,
                &[
                    stated(Status::Detained, "2024-09"),
                    stated(Status::Dead, "2024-09")
                ]
            ),
            Status::Dead
        );
        assert_eq!(
            with(
                &arrest,
                &[
                    stated(Status::Killed, "2024-09"),
                    stated(Status::Dead, "2024-09")
                ]
            ),
            Status::Killed
        );
        let value: StatedStatus = serde_json::from_str(r#"{"status": "dead", "date": "2024"}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(value.status, Status::Dead);
    }

    #[test]
    fn the_latest_statement_holds_whatever_order_they_are_given_in() {
        let older = stated(Status::Detained, "2023");
        let newer = stated(Status::Released, "2024-05");
        let undated = stated(Status::Disappeared, "");
        let all = [older.clone(), newer.clone(), undated.clone()];
        let mut reversed = all.clone();
        reversed.reverse();
        assert_eq!(latest_statement(&all), Some(&newer));
        assert_eq!(latest_statement(&reversed), Some(&newer));
        // Equally recent: the graver.
        let same = [
            stated(Status::Released, "2024-05"),
            stated(Status::Disappeared, "2024-05"),
        ];
        assert_eq!(
            latest_statement(&same).map(|s| s.status),
            Some(Status::Disappeared)
        );
        assert_eq!(
            latest_statement(std::slice::from_ref(&undated)),
            Some(&undated)
        );
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
            derive_status(
                &journey_order(&s, Vocabularies::embedded()),
                Vocabularies::embedded()
            ),
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
        let order: Vec<&str> = journey_order(&s, Vocabularies::embedded())
            .iter()
            .map(|x| x.event.kind.as_str())
            .collect();
        // The transfer has no date but is linked after the arrest; the return shares the
        // arrest's month and comes first in a journey, whatever order it was recorded in.
        assert_eq!(order, ["forced-return", "arrest", "transfer"]);
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
        assert_eq!(journey_order(&s, Vocabularies::embedded()).len(), 2);
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
            let journey = journey_order(&steps, Vocabularies::embedded());
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
