//! Everything the counting facts say — headline figures, the records behind each,
//! breakdowns with their records, the persons each filter selects, each record's derived
//! status, the cases waiting for review — in one value, for comparing two sets of facts
//! that must agree (kept up to date, and built afresh). Lists are sorted, so that the
//! order records were read in never shows.

use athar_model::RecordId;
use athar_model::status::Status;
use athar_stats::counts::{Dimension, FIGURES, Facts, Filter, PersonFilter};

/// Everything the figures say, for comparing two sets of facts.
pub fn figures(facts: &Facts, persons: &[RecordId]) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    for (name, filter) in [
        ("all", Filter::default()),
        (
            "2015-2020",
            Filter::parse(Some("2015"), Some("2020"), None, None).unwrap_or_default(),
        ),
    ] {
        out.insert(
            format!("summary {name}"),
            serde_json::to_value(facts.summary(&filter)).unwrap_or_default(),
        );
        for figure in FIGURES {
            let behind = facts.behind(figure, &filter).map(|b| {
                let mut persons: Vec<String> = b.persons.iter().map(|p| p.to_string()).collect();
                let mut events: Vec<String> = b.events.iter().map(|e| e.to_string()).collect();
                persons.sort();
                events.sort();
                (b.count, persons, events)
            });
            out.insert(
                format!("behind {name} {figure}"),
                serde_json::to_value(behind).unwrap_or_default(),
            );
        }
        for dims in [
            vec![Dimension::Kind, Dimension::Year],
            vec![Dimension::Sex, Dimension::AgeGroup],
            vec![Dimension::Governorate, Dimension::Unit],
            vec![Dimension::HostCountry, Dimension::Verification],
        ] {
            let breakdown = facts.breakdown(&dims, &filter, true);
            let mut cells: Vec<serde_json::Value> = breakdown
                .cells
                .iter()
                .map(|c| {
                    let mut v = serde_json::to_value(c).unwrap_or_default();
                    for list in ["person_ids", "event_ids"] {
                        if let Some(ids) = v.get_mut(list).and_then(|l| l.as_array_mut()) {
                            ids.sort_by_key(|x| x.to_string());
                        }
                    }
                    v
                })
                .collect();
            cells.sort_by_key(|c| c["key"].to_string());
            out.insert(format!("breakdown {name} {dims:?}"), cells.into());
        }
    }
    for status in Status::ALL {
        let filter = PersonFilter {
            status: Some(status),
            ..PersonFilter::default()
        };
        let ids: Vec<String> = facts
            .persons_matching(&filter)
            .iter()
            .map(|i| i.to_string())
            .collect();
        out.insert(format!("persons {}", status.code()), ids.into());
    }
    let arrested = PersonFilter {
        kind: Some("arrest".into()),
        events: Filter::parse(Some("2012"), Some("2019"), None, None).unwrap_or_default(),
        ..PersonFilter::default()
    };
    out.insert(
        "persons arrested 2012-2019".into(),
        facts
            .persons_matching(&arrested)
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .into(),
    );
    let statuses: Vec<String> = persons
        .iter()
        .map(|p| format!("{p} {:?}", facts.status_of(*p)))
        .collect();
    out.insert("status of each record".into(), statuses.into());
    out.insert(
        "submitted".into(),
        facts
            .submitted_cases()
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .into(),
    );
    serde_json::Value::Object(out)
}

/// Fails, naming the first figure that differs, unless `kept` and `fresh` say the same of
/// the person records `persons`.
pub fn assert_agree(step: &str, kept: &Facts, fresh: &Facts, persons: &[RecordId]) {
    let (kept, fresh) = (figures(kept, persons), figures(fresh, persons));
    if kept == fresh {
        return;
    }
    if let (Some(k), Some(f)) = (kept.as_object(), fresh.as_object()) {
        for (key, value) in k {
            assert_eq!(Some(value), f.get(key), "{step}: {key}");
        }
    }
    panic!("{step}: the figures differ");
}
