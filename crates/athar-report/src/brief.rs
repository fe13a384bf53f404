//! The safety brief: what the records say happened to returnees in one region and period —
//! the evidence a lawyer needs when a government calls that region safe for return.
//!
//! [`build`] finds every incident of harm (arrest, detention, torture, disappearance, death
//! in custody, killing …) recorded against a person *after their return* in their journey,
//! at a place inside the region, dated certainly inside the period. Each incident is listed
//! with its date, kind, place, responsible unit, the returnee (a pseudonym, with where and
//! when they returned from and their status now), its verification and its sources
//! (pseudonyms with their kind and grades). No name, narrative, free-text place or source
//! title is read, so none can appear. Counts by kind and a chart over time come with it.
//! Pure: records in, a [`Brief`] out; [`crate::html`] and [`crate::pdf`] lay it out.

use std::collections::{BTreeMap, HashMap};

use athar_model::RecordId;
use athar_model::date::FuzzyDate;
use athar_model::event::{Event, Involvement, Role, Verification};
use athar_model::gazetteer::GazetteerEntry;
use athar_model::record::RecordBody;
use athar_model::source::Source;
use athar_model::status::{JourneyStep, journey_order, status_with_statements};
use athar_model::vocab::{Lang, Vocabularies};
use serde::Serialize;

use crate::charts::{self, Datum};
use crate::periodic::{Chart, Table, grouped};
use crate::strings::Strings;

/// What a brief is asked for.
#[derive(Debug, Clone, Default)]
pub struct BriefOptions {
    pub lang: Lang,
    /// The region as the user named it: a P-code, or a governorate, district or
    /// sub-district name in Arabic or English.
    pub region: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub prepared_on: String,
    pub synthetic: bool,
}

/// Why a brief cannot be made: the option and the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct BriefError {
    pub field: &'static str,
    pub problem: String,
}

/// One incident as listed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Incident {
    /// The event, for the documenting organisation's own look-up.
    #[serde(skip)]
    pub event: RecordId,
    pub date: String,
    pub kind: String,
    pub place: String,
    pub unit: String,
    pub returnee: String,
    pub returned: String,
    pub status: String,
    pub verification: String,
    pub sources: String,
}

/// The brief, ready to lay out.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Brief {
    pub lang: Lang,
    pub dir: &'static str,
    pub title: String,
    pub period: String,
    pub prepared: String,
    pub synthetic: Option<String>,
    pub statement: String,
    pub counts: Table,
    pub charts: Vec<Chart>,
    pub incidents_title: String,
    pub incidents_intro: String,
    pub columns: Vec<String>,
    pub incidents: Vec<Incident>,
    pub sources_title: String,
    pub sources_intro: String,
    pub sources: Table,
    pub method_title: String,
    pub method: Vec<String>,
    pub attribution: String,
    pub labels: BTreeMap<&'static str, String>,
    /// The figures as numbers, for machines.
    pub figures: BriefFigures,
}

/// The brief's figures as numbers.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct BriefFigures {
    pub region: String,
    pub incidents: usize,
    pub returnees: usize,
    pub arrests: usize,
    pub disappearances: usize,
    pub deaths_in_custody: usize,
    pub children: usize,
    /// Incidents whose date may or may not fall in the period: not listed.
    pub uncertain_in_period: usize,
}

/// The event categories that are harm done to a returnee.
const HARM: [&str; 5] = [
    "deprivation",
    "harm",
    "disappearance",
    "death-in-custody",
    "killing",
];

/// Finds the region a user named.
fn region<'a>(vocab: &'a Vocabularies, named: &str) -> Result<&'a GazetteerEntry, BriefError> {
    let named = named.trim();
    if let Some(entry) = vocab.gazetteer.get(&named.to_uppercase()) {
        return Ok(entry);
    }
    let found = vocab.gazetteer.lookup(named);
    // A name shared by places of several levels (Damascus, Aleppo) means the largest.
    match found.iter().min_by_key(|e| e.level as u8) {
        Some(entry) if found.iter().filter(|e| e.level == entry.level).count() == 1 => Ok(entry),
        Some(_) => Err(BriefError {
            field: "region",
            problem: format!(
                "{named:?} names several places; give a P-code ({})",
                found
                    .iter()
                    .map(|e| e.pcode.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }),
        None => Err(BriefError {
            field: "region",
            problem: format!(
                "{named:?} is not a governorate, district or sub-district of the gazetteer"
            ),
        }),
    }
}

fn days_of(
    text: Option<&str>,
    field: &'static str,
    first: bool,
) -> Result<Option<i64>, BriefError> {
    let Some(text) = text else { return Ok(None) };
    match FuzzyDate::parse(text).map(|d| d.bounds()) {
        Ok(Some((lo, hi))) => Ok(Some(if first { lo } else { hi })),
        Ok(None) => Err(BriefError {
            field,
            problem: "give a date such as 2024 or 2024-03".into(),
        }),
        Err(e) => Err(BriefError {
            field,
            problem: e.to_string(),
        }),
    }
}

/// A person's records put together by linkage: each record's representative.
fn representatives(same_person: &[(RecordId, RecordId)]) -> HashMap<RecordId, RecordId> {
    let mut parent: HashMap<RecordId, RecordId> = HashMap::new();
    fn root(parent: &mut HashMap<RecordId, RecordId>, id: RecordId) -> RecordId {
        let mut at = id;
        while let Some(&up) = parent.get(&at) {
            if up == at {
                break;
            }
            at = up;
        }
        parent.insert(id, at);
        at
    }
    for (a, b) in same_person {
        let (ra, rb) = (root(&mut parent, *a), root(&mut parent, *b));
        if ra != rb {
            let (low, high) = if ra < rb { (ra, rb) } else { (rb, ra) };
            parent.insert(high, low);
        }
    }
    let ids: Vec<RecordId> = parent.keys().copied().collect();
    ids.into_iter()
        .map(|id| (id, root(&mut parent, id)))
        .collect()
}

fn rank(v: Verification) -> u8 {
    match v {
        Verification::Alleged => 0,
        Verification::Corroborated => 1,
        Verification::Verified => 2,
    }
}

/// Builds the brief from the records an organisation can see.
pub fn build(
    records: impl IntoIterator<Item = (RecordId, RecordBody)>,
    same_person: &[(RecordId, RecordId)],
    vocab: &Vocabularies,
    options: &BriefOptions,
) -> Result<Brief, BriefError> {
    let area = region(vocab, &options.region)?;
    let from_day = days_of(options.from.as_deref(), "from", true)?;
    let to_day = days_of(options.to.as_deref(), "to", false)?;
    let strings = Strings::embedded();
    let lang = options.lang;
    let get = |key: &str| strings.get(lang, key).to_string();
    let fill = |key: &str, values: &[(&str, String)]| strings.fill(lang, key, values);
    let region_name = area.name(lang).to_string();

    let representative = representatives(same_person);
    let person_of = |id: RecordId| representative.get(&id).copied().unwrap_or(id);
    let mut events: HashMap<RecordId, Event> = HashMap::new();
    let mut births: HashMap<RecordId, FuzzyDate> = HashMap::new();
    // The age group sources state, kept while linked records agree (counts do the same).
    let mut stated_ages: HashMap<RecordId, (Option<athar_model::AgeGroup>, bool)> = HashMap::new();
    let mut stated: HashMap<RecordId, Vec<athar_model::StatedStatus>> = HashMap::new();
    let mut sources: HashMap<RecordId, Source> = HashMap::new();
    let mut involvements: Vec<Involvement> = Vec::new();
    for (id, body) in records {
        match body {
            RecordBody::Event(e) => {
                events.insert(id, e);
            }
            RecordBody::Person(p) => {
                stated
                    .entry(person_of(id))
                    .or_default()
                    .extend(p.stated.iter().cloned());
                // Of linked records' birth dates, the known one that sorts first, as the
                // counts take it: the same whichever record is read first.
                let entry = births.entry(person_of(id)).or_default();
                *entry = entry.first_known(p.birth_date);
                let age = stated_ages.entry(person_of(id)).or_default();
                *age = athar_model::person::agree(age.0, p.stated_age_group, age.1);
            }
            RecordBody::Source(s) => {
                sources.insert(id, s);
            }
            RecordBody::Involvement(i) => involvements.push(i),
            RecordBody::Match(_) | RecordBody::Term(_) => {}
        }
    }
    // Each person's journey as victim.
    let mut journeys: HashMap<RecordId, Vec<(RecordId, Verification, Vec<RecordId>)>> =
        HashMap::new();
    for inv in &involvements {
        if inv.role != Role::Victim || !events.contains_key(&inv.event) {
            continue;
        }
        journeys.entry(person_of(inv.person)).or_default().push((
            inv.event,
            inv.verification,
            inv.sources.iter().map(|c| c.source).collect(),
        ));
    }
    let category = |e: &Event| vocab.category_of(&e.kind).unwrap_or("other");
    let in_area = |e: &Event| {
        e.place
            .as_ref()
            .and_then(|p| vocab.area_of(p))
            .is_some_and(|p| p.starts_with(&area.pcode))
    };
    struct Found {
        person: RecordId,
        event: RecordId,
        first_day: i64,
        returned: String,
        status: String,
        verification: Verification,
        sources: Vec<RecordId>,
        child: bool,
    }
    let mut found: Vec<Found> = Vec::new();
    let mut uncertain = 0;
    let mut person_ids: Vec<&RecordId> = journeys.keys().collect();
    person_ids.sort();
    for person in person_ids {
        let steps = &journeys[person];
        let journey: Vec<JourneyStep<'_>> = steps
            .iter()
            .map(|(id, _, _)| JourneyStep {
                id: *id,
                event: &events[id],
                role: Role::Victim,
            })
            .collect();
        let ordered = journey_order(&journey, vocab);
        let Some(first_return) = ordered.iter().position(|s| category(s.event) == "return") else {
            continue;
        };
        let return_event = ordered[first_return].event;
        let returned = fill(
            "returned_from",
            &[
                (
                    "country",
                    return_event
                        .host_country
                        .as_deref()
                        .and_then(|h| vocab.host_countries.get(h))
                        .map_or_else(|| get("unknown"), |t| t.label(lang).to_string()),
                ),
                (
                    "date",
                    crate::strings::date_in_words(&return_event.start.to_string(), lang),
                ),
            ],
        );
        let status = status_with_statements(
            &ordered,
            stated.get(person).map_or(&[][..], Vec::as_slice),
            vocab,
        );
        let status = status.label(lang).to_string();
        let birth = births.get(person).copied().unwrap_or_default();
        for step in &ordered[first_return + 1..] {
            let event = step.event;
            if !HARM.contains(&category(event)) || !in_area(event) {
                continue;
            }
            let first_day = match event.start.bounds() {
                // An unknown date is in no period but the whole of time.
                None if from_day.is_some() || to_day.is_some() => {
                    uncertain += 1;
                    continue;
                }
                None => i64::MAX,
                Some((lo, hi)) => {
                    if from_day.is_some_and(|f| hi < f) || to_day.is_some_and(|t| lo > t) {
                        continue;
                    }
                    if from_day.is_some_and(|f| lo < f) || to_day.is_some_and(|t| hi > t) {
                        uncertain += 1;
                        continue;
                    }
                    lo
                }
            };
            let (_, verification, cited) = steps
                .iter()
                .find(|(id, _, _)| *id == step.id)
                .cloned()
                .unwrap_or((step.id, Verification::Alleged, vec![]));
            found.push(Found {
                person: *person,
                event: step.id,
                first_day,
                returned: returned.clone(),
                status: status.clone(),
                verification: if rank(event.verification) < rank(verification) {
                    event.verification
                } else {
                    verification
                },
                sources: event
                    .sources
                    .iter()
                    .map(|c| c.source)
                    .chain(cited)
                    .collect(),
                child: athar_model::person::age_group_or_stated(
                    &birth,
                    stated_ages.get(person).and_then(|a| a.0),
                    &event.start,
                ) == athar_model::status::AgeGroup::Child,
            });
        }
    }
    found.sort_by_key(|f| (f.first_day, f.event));
    // Pseudonyms in order of first appearance: R1, R2 … and S1, S2 …
    let mut returnee_names: HashMap<RecordId, String> = HashMap::new();
    let mut source_names: HashMap<RecordId, String> = HashMap::new();
    let mut source_uses: BTreeMap<usize, (RecordId, usize)> = BTreeMap::new();
    let mut incidents = Vec::with_capacity(found.len());
    let mut by_kind: BTreeMap<String, (usize, Vec<RecordId>)> = BTreeMap::new();
    let mut children: Vec<RecordId> = Vec::new();
    let mut figures = BriefFigures {
        region: area.pcode.clone(),
        ..Default::default()
    };
    for f in &found {
        let event = &events[&f.event];
        let next = returnee_names.len() + 1;
        let returnee = returnee_names
            .entry(f.person)
            .or_insert_with(|| format!("R{next}"))
            .clone();
        let mut cited: Vec<String> = Vec::new();
        let mut seen = f.sources.clone();
        seen.sort();
        seen.dedup();
        for source in seen {
            let Some(s) = sources.get(&source) else {
                continue;
            };
            let next = source_names.len() + 1;
            let name = source_names
                .entry(source)
                .or_insert_with(|| {
                    source_uses.insert(next, (source, 0));
                    format!("S{next}")
                })
                .clone();
            if let Some(number) = name[1..].parse::<usize>().ok()
                && let Some(entry) = source_uses.get_mut(&number)
            {
                entry.1 += 1;
            }
            cited.push(format!(
                "{name} ({:?}{})",
                s.reliability,
                s.credibility.grade()
            ));
        }
        let kind = vocab.event_kinds.label_of(&event.kind, lang);
        let place = event
            .place
            .as_ref()
            .and_then(|p| vocab.place_name(p, lang))
            .unwrap_or_else(|| get("unknown"));
        // The unit held responsible, or the party when the records name no unit.
        let unit = match (event.unit.as_deref(), event.party.as_deref()) {
            (Some(u), _) => vocab.units.label_of(u, lang),
            (None, Some(p)) => vocab.authorities.label_of(p, lang),
            (None, None) => get("unknown"),
        };
        let verification = match f.verification {
            Verification::Alleged => get("alleged"),
            Verification::Corroborated => get("corroborated"),
            Verification::Verified => get("verified"),
        };
        let entry = by_kind.entry(kind.clone()).or_default();
        entry.0 += 1;
        entry.1.push(f.person);
        match category(event) {
            "disappearance" => figures.disappearances += 1,
            "death-in-custody" => figures.deaths_in_custody += 1,
            _ => {}
        }
        if event.kind == "arrest" {
            figures.arrests += 1;
        }
        if f.child {
            children.push(f.person);
        }
        incidents.push(Incident {
            event: f.event,
            date: event.start.to_string(),
            kind,
            place,
            unit,
            returnee,
            returned: f.returned.clone(),
            status: f.status.clone(),
            verification,
            sources: cited.join(if lang == Lang::Ar { "، " } else { ", " }),
        });
    }
    children.sort();
    children.dedup();
    figures.incidents = incidents.len();
    figures.returnees = returnee_names.len();
    figures.children = children.len();
    figures.uncertain_in_period = uncertain;

    let period = crate::periodic::period_text(strings, lang, &options.from, &options.to);
    let statement = if incidents.is_empty() {
        fill("brief_none", &[("region", region_name.clone())])
    } else {
        fill(
            "brief_statement",
            &[
                ("incidents", grouped(figures.incidents)),
                ("returnees", grouped(figures.returnees)),
                ("region", region_name.clone()),
                ("arrests", grouped(figures.arrests)),
                ("disappearances", grouped(figures.disappearances)),
                ("deaths", grouped(figures.deaths_in_custody)),
                ("children", grouped(figures.children)),
            ],
        )
    };
    let mut kinds: Vec<(String, (usize, Vec<RecordId>))> = by_kind.into_iter().collect();
    kinds.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(&b.0)));
    let counts = Table {
        id: "brief-counts",
        title: get("brief_counts"),
        columns: vec![
            get("column_kind"),
            get("column_incidents"),
            get("column_persons"),
        ],
        rows: kinds
            .into_iter()
            .map(|(kind, (n, mut persons))| {
                persons.sort();
                persons.dedup();
                vec![kind, grouped(n), grouped(persons.len())]
            })
            .collect(),
        note: None,
        records_behind: None,
    };
    // Incidents over time: by month within three years, by year beyond.
    let dated: Vec<(i32, u32)> = incidents
        .iter()
        .filter_map(|i| {
            let e = &events[&i.event];
            let (lo, hi) = e.start.bounds()?;
            let (y0, m0, _) = athar_model::date::civil_from_days(lo);
            let (y1, m1, _) = athar_model::date::civil_from_days(hi);
            (y0 == y1).then_some((y0, if m0 == m1 { m0 } else { 0 }))
        })
        .collect();
    let mut charts_out = Vec::new();
    if let (Some(first), Some(last)) = (
        dated.iter().map(|d| d.0).min(),
        dated.iter().map(|d| d.0).max(),
    ) {
        // By month whenever the incidents fall within three years (a six-month brief shows
        // its months); an incident known only to its year is then counted, not drawn.
        let by_month = last - first < 3;
        let mut undrawn = 0usize;
        let mut series: BTreeMap<String, usize> = BTreeMap::new();
        if by_month {
            for year in first..=last {
                for month in 1..=12 {
                    series.insert(format!("{year}-{month:02}"), 0);
                }
            }
        } else {
            for year in first..=last {
                series.insert(year.to_string(), 0);
            }
        }
        for (year, month) in &dated {
            let key = if by_month {
                if *month == 0 {
                    undrawn += 1;
                    continue;
                }
                format!("{year}-{month:02}")
            } else {
                year.to_string()
            };
            *series.entry(key).or_default() += 1;
        }
        // Trim the empty months before the first incident and after the last.
        let keys: Vec<String> = series.keys().cloned().collect();
        let nonzero: Vec<usize> = keys
            .iter()
            .enumerate()
            .filter(|(_, k)| series[*k] > 0)
            .map(|(i, _)| i)
            .collect();
        let (lo, hi) = (
            nonzero.first().copied().unwrap_or(0),
            nonzero.last().copied().unwrap_or(0),
        );
        let data: Vec<Datum> = keys[lo..=hi]
            .iter()
            .map(|k| Datum {
                label: k.clone(),
                value: Some(series[k]),
            })
            .collect();
        let title = get("brief_chart");
        let caption = (undrawn > 0).then(|| {
            strings.fill(
                lang,
                "brief_chart_undrawn",
                &[(
                    "undrawn",
                    strings.counted(lang, "n_incidents", undrawn as u64, &grouped(undrawn)),
                )],
            )
        });
        charts_out.push(Chart {
            id: "brief-over-time",
            svg: charts::columns(&title, &data, lang == Lang::Ar, None),
            title,
            caption,
        });
    }
    let sources_table = Table {
        id: "brief-sources",
        title: get("brief_sources"),
        columns: vec![
            get("column_source"),
            get("column_kind"),
            get("column_grade"),
            get("column_incidents"),
        ],
        rows: source_uses
            .values()
            .map(|(id, uses)| {
                let s = &sources[id];
                vec![
                    source_names[id].clone(),
                    vocab.source_kinds.label_of(&s.kind, lang),
                    format!("{:?}{}", s.reliability, s.credibility.grade()),
                    grouped(*uses),
                ]
            })
            .collect(),
        note: None,
        records_behind: None,
    };
    let labels = [("page", "page")]
        .into_iter()
        .map(|(name, key)| (name, get(key)))
        .collect();
    Ok(Brief {
        lang,
        dir: if lang == Lang::Ar { "rtl" } else { "ltr" },
        title: fill("brief_title", &[("region", region_name.clone())]),
        period,
        prepared: fill(
            "generated",
            &[
                (
                    "date",
                    crate::strings::date_in_words(&options.prepared_on, lang),
                ),
                ("records", grouped(births.len())),
            ],
        ),
        synthetic: options.synthetic.then(|| get("synthetic")),
        statement,
        counts,
        charts: charts_out,
        incidents_title: get("brief_incidents"),
        incidents_intro: get("brief_incidents_intro"),
        columns: [
            "column_date",
            "column_incident",
            "column_place",
            "column_unit",
            "column_returnee",
            "column_returned",
            "column_status",
            "column_verification",
            "column_sources",
        ]
        .iter()
        .map(|k| get(k))
        .collect(),
        incidents,
        sources_title: get("brief_sources"),
        sources_intro: get("brief_sources_intro"),
        sources: sources_table,
        method_title: get("method_title"),
        method: vec![
            fill("brief_method_returnee", &[("region", region_name.clone())]),
            fill(
                "brief_method_uncertain",
                &[
                    ("uncertain", grouped(uncertain)),
                    ("region", region_name.clone()),
                ],
            ),
            get("method_disappearance"),
        ],
        attribution: get("attribution"),
        labels,
        figures,
    })
}

#[cfg(test)]
mod tests {
    use athar_model::person::{Person, PersonName};
    use athar_model::place::PlaceRef;
    use athar_model::source::{Citation, Credibility, Reliability};

    use super::*;

    struct Records(Vec<(RecordId, RecordBody)>);

    impl Records {
        fn person(&mut self, name: &str, born: &str) -> RecordId {
            let id = RecordId::new();
            self.0.push((
                id,
                RecordBody::Person(Person {
                    names: vec![PersonName {
                        full: Some(name.into()),
                        ..Default::default()
                    }],
                    birth_date: FuzzyDate::parse(born).unwrap_or_default(),
                    notes: Some("lives with her uncle in Bab Amr".into()),
                    ..Default::default()
                }),
            ));
            id
        }

        fn source(
            &mut self,
            title: &str,
            kind: &str,
            reliability: Reliability,
            credibility: u8,
        ) -> RecordId {
            let id = RecordId::new();
            self.0.push((
                id,
                RecordBody::Source(Source {
                    kind: kind.into(),
                    title: title.into(),
                    reliability,
                    credibility: Credibility::new(credibility).unwrap_or_default(),
                    ..Default::default()
                }),
            ));
            id
        }

        #[allow(clippy::too_many_arguments)]
        fn event(
            &mut self,
            victim: RecordId,
            kind: &str,
            date: &str,
            pcode: Option<&str>,
            host: Option<&str>,
            previous: Option<RecordId>,
            source: Option<RecordId>,
        ) -> RecordId {
            let id = RecordId::new();
            self.0.push((
                id,
                RecordBody::Event(Event {
                    kind: kind.into(),
                    start: FuzzyDate::parse(date).unwrap_or_default(),
                    place: pcode.map(|p| PlaceRef {
                        pcode: Some(p.into()),
                        text: Some("the checkpoint near his cousin's shop".into()),
                        ..Default::default()
                    }),
                    unit: (kind == "arrest").then(|| "mi-branch-235".to_string()),
                    host_country: host.map(str::to_string),
                    narrative: Some("Taken from the bus at dawn".into()),
                    previous,
                    verification: Verification::Corroborated,
                    ..Default::default()
                }),
            ));
            self.0.push((
                RecordId::new(),
                RecordBody::Involvement(Involvement {
                    event: id,
                    person: victim,
                    role: Role::Victim,
                    acts: vec![],
                    verification: Verification::Verified,
                    sources: source
                        .map(|s| Citation {
                            source: s,
                            locator: None,
                        })
                        .into_iter()
                        .collect(),
                }),
            ));
            id
        }
    }

    fn options(region: &str) -> BriefOptions {
        BriefOptions {
            lang: Lang::En,
            region: region.into(),
            from: Some("2019".into()),
            to: Some("2020".into()),
            prepared_on: "2026-11-22".into(),
            synthetic: false,
        }
    }

    #[test]
    fn incidents_after_a_return_in_the_region_are_listed_with_pseudonyms_only() {
        let mut r = Records(Vec::new());
        let interview = r.source(
            "Interview with the mother, Beirut",
            "interview",
            Reliability::B,
            2,
        );
        let family = r.source(
            "Call with the brother",
            "family-testimony",
            Reliability::C,
            3,
        );
        // A girl forced back from Lebanon, arrested in Homs, then disappeared.
        let hiba = r.person("هبة الخطيب", "2004-05");
        let back = r.event(
            hiba,
            "forced-return",
            "2019-03",
            None,
            Some("LB"),
            None,
            Some(interview),
        );
        let arrest = r.event(
            hiba,
            "arrest",
            "2019-04-02",
            Some("SY0401"),
            None,
            Some(back),
            Some(interview),
        );
        r.event(
            hiba,
            "enforced-disappearance",
            "2019-05",
            Some("SY04"),
            None,
            Some(arrest),
            Some(family),
        );
        // Arrested in Homs before ever leaving: not a returnee's incident.
        let samer = r.person("سامر العلي", "1990");
        r.event(samer, "arrest", "2019-06", Some("SY04"), None, None, None);
        // A returnee arrested in Aleppo: another region.
        let omar = r.person("Omar al-Halabi", "1985");
        let back = r.event(
            omar,
            "forced-return",
            "2019-02",
            None,
            Some("TR"),
            None,
            None,
        );
        r.event(
            omar,
            "arrest",
            "2019-02-20",
            Some("SY02"),
            None,
            Some(back),
            None,
        );
        // A returnee arrested in Homs at a date that may be in the period or before it.
        let rami = r.person("رامي النجار", "1980");
        let back = r.event(rami, "forced-return", "2017", None, Some("LB"), None, None);
        r.event(
            rami,
            "arrest",
            "2018/2019",
            Some("SY04"),
            None,
            Some(back),
            None,
        );
        // Two records of one man, linked: the return on one, the arrest in Homs on the other.
        let khaled_a = r.person("خالد يوسف", "1975");
        let khaled_b = r.person("Khaled Yousef", "1975");
        r.event(
            khaled_a,
            "forced-return",
            "2020-01",
            None,
            Some("LB"),
            None,
            None,
        );
        r.event(
            khaled_b,
            "arrest",
            "2020-02",
            Some("SY04"),
            None,
            None,
            Some(family),
        );

        let vocab = Vocabularies::embedded();
        let brief = build(
            r.0.clone(),
            &[(khaled_a, khaled_b)],
            vocab,
            &options("Homs"),
        )
        .expect("brief");
        assert_eq!(brief.figures.region, "SY04");
        assert_eq!(brief.figures.incidents, 3, "{:#?}", brief.incidents);
        assert_eq!(brief.figures.returnees, 2);
        assert_eq!(brief.figures.arrests, 2);
        assert_eq!(brief.figures.disappearances, 1);
        assert_eq!(brief.figures.children, 1);
        assert_eq!(brief.figures.uncertain_in_period, 1);
        // Within a short period the chart counts by month, whatever precision a date has.
        let chart = &brief.charts[0].svg;
        assert!(
            chart.contains("2019-04") && chart.contains("2019-05"),
            "{chart}"
        );
        let first = &brief.incidents[0];
        assert_eq!(first.date, "2019-04-02");
        assert_eq!(first.kind, "Arrest");
        assert_eq!(first.returnee, "R1");
        assert!(
            first.returned.contains("Lebanon") && first.returned.contains("2019-03"),
            "{}",
            first.returned
        );
        assert_eq!(first.status, "Disappeared");
        assert_eq!(first.verification, "corroborated");
        assert_eq!(first.sources, "S1 (B2)");
        assert_eq!(brief.incidents[1].returnee, "R1");
        assert_eq!(brief.incidents[1].sources, "S2 (C3)");
        assert_eq!(brief.incidents[2].returnee, "R2");
        assert_eq!(brief.sources.rows.len(), 2);
        assert_eq!(brief.sources.rows[0][3], "1");
        assert_eq!(brief.sources.rows[1][3], "2");
        // Nothing identifying reaches the brief.
        let json = serde_json::to_string(&brief).unwrap_or_default();
        for secret in [
            "هبة", "Hiba", "سامر", "Khaled", "خالد", "Beirut", "brother", "Bab Amr", "cousin",
            "dawn",
        ] {
            assert!(!json.contains(secret), "{secret} leaked into the brief");
        }
        // Without the linkage, the man's arrest has no return before it.
        let unlinked = build(r.0.clone(), &[], vocab, &options("SY04")).expect("brief");
        assert_eq!(unlinked.figures.incidents, 2);
        // In Aleppo, only Omar.
        let aleppo = build(r.0, &[], vocab, &options("حلب")).expect("brief");
        assert_eq!(aleppo.figures.incidents, 1);
        assert!(
            aleppo
                .statement
                .contains("in this period: 1, suffered by returnees numbering 1"),
            "{}",
            aleppo.statement
        );
    }

    #[test]
    fn unknown_regions_and_periods_are_refused() {
        let vocab = Vocabularies::embedded();
        let e = build(Vec::new(), &[], vocab, &options("Atlantis")).expect_err("refused");
        assert_eq!(e.field, "region");
        let mut bad = options("SY04");
        bad.from = Some("2019-13".into());
        assert_eq!(
            build(Vec::new(), &[], vocab, &bad)
                .expect_err("refused")
                .field,
            "from"
        );
        let empty = build(Vec::new(), &[], vocab, &options("SY04")).expect("brief");
        assert!(empty.statement.contains("not evidence of safety"));
    }
}
