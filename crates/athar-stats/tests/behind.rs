//! Every headline figure can be traced to its records: `Facts::behind` lists exactly what
//! the summary counts, and agrees with the breakdowns' cells.

use std::collections::BTreeSet;

use athar_model::vocab::Vocabularies;
use athar_stats::counts::{Dimension, FIGURES, Facts, Filter};

#[test]
fn every_headline_figure_lists_the_records_it_counts() {
    let records: Vec<_> = athar_demo::generate(11, 3_000).flatten().collect();
    let facts = Facts::build(records, Vocabularies::embedded());
    let filter = Filter::parse(Some("2020"), Some("2024"), None, None).unwrap_or_default();
    let summary = facts.summary(&filter);
    let value = serde_json::to_value(&summary).unwrap_or_default();
    for figure in FIGURES {
        let behind = facts
            .behind(figure, &filter)
            .unwrap_or_else(|| panic!("{figure}"));
        let expected = figure
            .split('.')
            .fold(&value, |v, key| &v[key])
            .as_u64()
            .unwrap_or(u64::MAX) as usize;
        assert_eq!(behind.count, expected, "{figure}");
        if figure.starts_with("arrests") {
            // Victimisations of arrest events: at least one event per listed person.
            assert!(behind.events.len() <= behind.count && behind.persons.len() <= behind.count);
            assert_eq!(behind.events.is_empty(), behind.count == 0, "{figure}");
        } else {
            assert_eq!(behind.persons.len(), behind.count, "{figure}");
            assert!(behind.events.is_empty(), "{figure}");
        }
    }
    assert!(
        summary.arrests > 50
            && summary.arrests_children > 0
            && summary.returnee_cohort.disappeared > 0
    );
    // The arrests are the events of the breakdown's arrest cells.
    let arrests: BTreeSet<String> = facts
        .behind("arrests", &filter)
        .map(|b| b.events.iter().map(|e| e.to_string()).collect())
        .unwrap_or_default();
    let cells: BTreeSet<String> = facts
        .breakdown(&[Dimension::Kind], &filter, true)
        .cells
        .into_iter()
        .filter(|c| c.key[0] == "arrest")
        .flat_map(|c| c.event_ids.unwrap_or_default())
        .collect();
    assert_eq!(arrests, cells);
    // Children's arrests are among the arrests.
    let children = facts
        .behind("arrests_children", &filter)
        .map(|b| b.events)
        .unwrap_or_default();
    assert!(children.iter().all(|e| arrests.contains(&e.to_string())));
    assert!(facts.behind("no_such_figure", &filter).is_none());
}
