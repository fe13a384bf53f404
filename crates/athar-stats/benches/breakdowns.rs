//! Breakdowns over a million events, warm: the facts of synthetic demo journeys are built
//! once, then the summary and several breakdowns are timed (best and median of 20 runs each).
//!
//! ```sh
//! cargo bench -p athar-stats --bench breakdowns            # 450,000 persons (≈ 1.2 M events)
//! ATHAR_BENCH_PERSONS=100000 cargo bench -p athar-stats --bench breakdowns
//! ```

use std::time::{Duration, Instant};

use athar_model::{RecordBody, Vocabularies};
use athar_stats::counts::{Dimension, Facts, Filter};

fn time(label: &str, mut run: impl FnMut() -> usize) {
    let mut times: Vec<Duration> = Vec::new();
    let mut check = 0;
    for _ in 0..20 {
        let start = Instant::now();
        check = run();
        times.push(start.elapsed());
    }
    times.sort();
    println!(
        "{label:<44} best {:>7.1} ms   median {:>7.1} ms   ({check} in the answer)",
        times[0].as_secs_f64() * 1e3,
        times[times.len() / 2].as_secs_f64() * 1e3
    );
}

fn main() {
    let persons: u64 = std::env::var("ATHAR_BENCH_PERSONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(450_000);
    let start = Instant::now();
    let records: Vec<_> = athar_demo::generate(1, persons).flatten().collect();
    let events = records
        .iter()
        .filter(|(_, b)| matches!(b, RecordBody::Event(_)))
        .count();
    println!(
        "{persons} demo persons, {events} events, {} records generated in {:.1} s",
        records.len(),
        start.elapsed().as_secs_f64()
    );
    let start = Instant::now();
    let facts = Facts::build(records, Vocabularies::embedded());
    println!(
        "facts built in {:.1} s ({} victimisations)",
        start.elapsed().as_secs_f64(),
        facts.victimisations()
    );
    let all = Filter::default();
    let year = Filter {
        from_day: athar_model::FuzzyDate::parse("2024")
            .ok()
            .and_then(|d| d.bounds())
            .map(|b| b.0),
        to_day: athar_model::FuzzyDate::parse("2024")
            .ok()
            .and_then(|d| d.bounds())
            .map(|b| b.1),
        ..Filter::default()
    };
    time("summary (all)", || facts.summary(&all).arrests);
    time("summary (2024)", || facts.summary(&year).arrests);
    time("by kind", || {
        facts.breakdown(&[Dimension::Kind], &all, false).cells.len()
    });
    time("by party × year", || {
        facts
            .breakdown(&[Dimension::Party, Dimension::Year], &all, false)
            .cells
            .len()
    });
    time("by governorate × sex × age (2024)", || {
        facts
            .breakdown(
                &[Dimension::Governorate, Dimension::Sex, Dimension::AgeGroup],
                &year,
                false,
            )
            .cells
            .len()
    });
    time("by host country × kind, with event ids", || {
        facts
            .breakdown(&[Dimension::HostCountry, Dimension::Kind], &all, true)
            .cells
            .len()
    });
}
