//! Name search over a large store: the first page of searches for common names, in both
//! scripts and several spellings, as the organisation that owns the persons. The store is
//! one made beforehand with `athar demo` (a million persons take about two minutes):
//!
//! ```sh
//! export ATHAR_PASSPHRASE='a passphrase of twelve or more'
//! athar --data /tmp/d1m init && athar --data /tmp/d1m demo --persons 1000000
//! ATHAR_BENCH_STORE=/tmp/d1m cargo bench -p athar-store --bench name_search
//! ```
//!
//! Each query is asked 15 times in turn with the others; more distinct queries are asked
//! than the store keeps ranked lists for, so every ask ranks afresh. A second table times
//! the next page of each search, which reuses the ranked list.

use std::time::{Duration, Instant};

use athar_store::{DataDir, SqliteStore, Store};

const QUERIES: &[&str] = &[
    "Mohammad",
    "محمد",
    "Muhammed",
    "Ahmad",
    "أحمد",
    "Ali",
    "Khaled",
    "Halabi",
    "الحلبي",
    "محمد أحمد",
    "Mohammad Halabi",
    "عبد الرحمن",
];

fn median(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    (
        times[0].as_secs_f64() * 1e3,
        times[times.len() / 2].as_secs_f64() * 1e3,
    )
}

fn main() {
    let Ok(dir) = std::env::var("ATHAR_BENCH_STORE") else {
        println!(
            "name_search: set ATHAR_BENCH_STORE to a store made with `athar demo` (see the file's header); nothing measured"
        );
        return;
    };
    let passphrase = std::env::var("ATHAR_PASSPHRASE").unwrap_or_default();
    let start = Instant::now();
    let store = match SqliteStore::open(&DataDir::new(dir), &passphrase) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("name_search: cannot open the store: {e}");
            std::process::exit(1);
        }
    };
    let persons = store
        .count(athar_model::RecordKind::Person)
        .unwrap_or_default();
    println!(
        "opened a store of {persons} persons in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let org = store
        .keyring()
        .default_organisation()
        .map(|o| o.num)
        .unwrap_or(1);
    let t = Instant::now();
    let _ = store.data_version();
    println!("data version: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    let mut first: Vec<Vec<Duration>> = vec![Vec::new(); QUERIES.len()];
    let mut next: Vec<Vec<Duration>> = vec![Vec::new(); QUERIES.len()];
    let mut totals = vec![0; QUERIES.len()];
    for _ in 0..15 {
        for (i, q) in QUERIES.iter().enumerate() {
            let t = Instant::now();
            let page = store
                .find_persons_for(org, q, None, 50)
                .unwrap_or_else(|e| panic!("{e}"));
            first[i].push(t.elapsed());
            totals[i] = page.total;
            let t = Instant::now();
            store
                .find_persons_for(org, q, page.next, 50)
                .unwrap_or_else(|e| panic!("{e}"));
            next[i].push(t.elapsed());
        }
    }
    println!(
        "{:<20} {:>10} {:>14} {:>18} {:>18}",
        "query",
        "found",
        "first ask (ms)",
        "first page (best / median ms)",
        "next page (median ms)"
    );
    for (i, q) in QUERIES.iter().enumerate() {
        let cold = first[i][0].as_secs_f64() * 1e3;
        let (best, med) = median(first[i].clone());
        let (_, next_med) = median(next[i].clone());
        println!(
            "{q:<20} {:>10} {cold:>14.1} {best:>12.1} / {med:>6.1} {next_med:>18.1}",
            totals[i]
        );
    }
    let all: Vec<Duration> = first.concat();
    let (_, med) = median(all);
    println!("median first page over all queries: {med:.1} ms");
    after_writes(&store, org);
}

/// محمد right after each of ten edits of one of its persons (the edit takes the name away,
/// the next puts it back): the persons kept in memory follow the write first.
fn after_writes(store: &SqliteStore, org: i64) {
    let Some(found) = store
        .find_persons_for(org, "محمد", None, 1)
        .ok()
        .and_then(|p| p.items.into_iter().next())
    else {
        return;
    };
    let id = found.record.id;
    let original = found.record.body;
    let mut other = original.clone();
    if let athar_model::RecordBody::Person(p) = &mut other {
        for name in &mut p.names {
            name.given = Some("خالد".into());
            name.full = None;
        }
    }
    let mut times = Vec::new();
    for round in 0..10 {
        let rev = store
            .get(athar_model::RecordKind::Person, id)
            .map(|r| r.rev)
            .unwrap_or_else(|e| panic!("{e}"));
        let body = if round % 2 == 0 {
            other.clone()
        } else {
            original.clone()
        };
        store
            .write(athar_store::ChangeSet {
                author: "bench".into(),
                owner: None,
                action: "bench.edit".into(),
                changes: vec![athar_store::Change::Update {
                    id,
                    expected_rev: Some(rev),
                    body,
                }],
            })
            .unwrap_or_else(|e| panic!("{e}"));
        let t = Instant::now();
        store
            .find_persons_for(org, "محمد", None, 50)
            .unwrap_or_else(|e| panic!("{e}"));
        times.push(t.elapsed());
    }
    let (best, med) = median(times);
    println!(
        "محمد right after an edit of one of its persons (10 edits): best {best:.1} ms, median {med:.1} ms"
    );
}
