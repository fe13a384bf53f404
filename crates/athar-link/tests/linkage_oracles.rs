//! The reference data of ../shared/data/linkage: a Fellegi–Sunter model with known
//! parameters that EM must recover, and Splink's `fake_1000` people with their true clusters.

use std::path::PathBuf;

use athar_link::em::{self, EmOptions, Parameters, PatternCounts};
use athar_link::{Dataset, Field, InputRecord, LinkMode, Settings, Silent, link, pairwise_scores};

fn shared(name: &str) -> Option<csv::Reader<std::fs::File>> {
    let shared = std::env::var_os("ATHAR_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let path = shared.join("linkage").join(name);
    match std::fs::File::open(&path) {
        Ok(file) => Some(csv::Reader::from_reader(file)),
        Err(_) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "reference file missing at {}",
                path.display()
            );
            eprintln!("SKIPPED: reference file not found at {}", path.display());
            None
        }
    }
}

#[test]
fn em_recovers_known_parameters() {
    let Some(mut reader) = shared("known_params_comparison_vectors.csv") else {
        return;
    };
    let headers = reader.headers().expect("headers").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let gammas = [col("gamma_col_1"), col("gamma_col_2"), col("gamma_col_3")];
    let truth = col("true_match_probability_l");
    let mut counts = PatternCounts::default();
    let mut rows = Vec::new();
    for row in reader.records() {
        let row = row.expect("a row");
        // Level 1 agrees, level 2 disagrees (level 0 is reserved for a missing value).
        let pattern = em::pack(gammas.iter().map(|&c| if &row[c] == "1" { 1 } else { 2 }));
        counts.add(pattern, 1);
        rows.push((pattern, row[truth].parse::<f64>().expect("a probability")));
    }
    assert_eq!(rows.len(), 4000);
    let start = Parameters::starting(&[3, 3, 3], 0.3);
    let (p, report) = em::estimate(
        &counts,
        &start,
        EmOptions {
            fix_u: false,
            ..EmOptions::default()
        },
    );
    assert!(report.converged, "{report:?}");
    let within = |got: f64, want: f64, what: &str| {
        assert!((got - want).abs() <= 0.01, "{what}: {got} against {want}");
    };
    within(p.lambda, 0.5, "λ");
    // (m, u) of "agree" for each column; "disagree" is the complement.
    for (c, (m, u)) in [(0.7, 0.1), (0.9, 0.025), (0.95, 0.2)]
        .into_iter()
        .enumerate()
    {
        within(p.m[c][1], m, &format!("m col_{} agree", c + 1));
        within(p.u[c][1], u, &format!("u col_{} agree", c + 1));
        within(p.m[c][2], 1.0 - m, &format!("m col_{} disagree", c + 1));
        within(p.u[c][2], 1.0 - u, &format!("u col_{} disagree", c + 1));
    }
    for (pattern, want) in rows {
        let got = em::pattern_probability(&p, pattern);
        assert!(
            (got - want).abs() <= 0.01,
            "pattern {pattern:x}: {got} against {want}"
        );
    }
}

#[test]
fn fake_1000_clusters_at_least_as_well_as_splink() {
    let Some(mut reader) = shared("fake_1000.csv") else {
        return;
    };
    let headers = reader.headers().expect("headers").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let map = [
        (col("first_name"), Field::GivenName),
        (col("surname"), Field::FamilyName),
        (col("dob"), Field::BirthDate),
        (col("city"), Field::Residence),
        (col("email"), Field::Email),
    ];
    let (id, cluster) = (col("unique_id"), col("cluster"));
    let mut inputs = Vec::new();
    let mut truth = Vec::new();
    for row in reader.records() {
        let row = row.expect("a row");
        inputs.push(InputRecord {
            list: 0,
            id: row[id].to_string(),
            values: map.iter().map(|&(c, f)| (f, row[c].to_string())).collect(),
        });
        truth.push(row[cluster].parse::<u64>().expect("a cluster"));
    }
    let data = Dataset::prepare(
        &inputs,
        Some(&athar_model::Vocabularies::embedded().gazetteer),
    );
    assert!(data.problems.is_empty(), "{:?}", data.problems);
    let settings = Settings::for_records(&data.records, LinkMode::LinkAndDedupe);
    let outcome = link(&data, &settings, &[], &Silent, 0.0).expect("links");
    let (precision, recall, f1) = pairwise_scores(&outcome.clusters.of, &truth);
    eprintln!(
        "fake_1000: precision {precision:.4} recall {recall:.4} F1 {f1:.4}; {} clusters (181 true); {}",
        outcome.summary.clusters,
        serde_json::to_string(&outcome.summary).unwrap_or_default()
    );

    // Training learnt m close to what the true pairs show, level by level. Blocking biases
    // it a little (a swapped name misses the blocks keyed on that name): within 0.2.
    let scorer = athar_link::Scorer::new(&data, &settings.comparisons, &outcome.parameters);

    // The bounded score used when scoring candidates is exact: the full weight whenever it
    // reaches the floor, nothing otherwise — over every pair of the thousand records.
    let floor = (0.9f64 / 0.1).log2();
    let mut cut = 0;
    for a in 0..truth.len() as u32 {
        for b in a + 1..truth.len() as u32 {
            let full = scorer.weight(a, b, scorer.pattern(a, b));
            let bounded = scorer.weight_at_least(a, b, floor);
            if full >= floor {
                // Summed in another order: equal up to rounding.
                let w = bounded.unwrap_or(f64::NAN);
                assert!((w - full).abs() < 1e-9, "pair {a} {b}: {w} against {full}");
            } else {
                assert_eq!(bounded, None, "pair {a} {b}");
                cut += 1;
            }
        }
    }
    assert!(cut > 400_000, "{cut} pairs below the floor");
    let mut observed: Vec<Vec<u64>> = settings
        .comparisons
        .iter()
        .map(|c| vec![0; c.levels().len()])
        .collect();
    for a in 0..truth.len() as u32 {
        for b in a + 1..truth.len() as u32 {
            if truth[a as usize] == truth[b as usize] {
                let p = scorer.pattern(a, b);
                for (c, row) in observed.iter_mut().enumerate() {
                    row[em::level_of(p, c)] += 1;
                }
            }
        }
    }
    for (c, row) in observed.iter().enumerate() {
        let known: u64 = row[1..].iter().sum();
        for (l, &count) in row.iter().enumerate().skip(1) {
            let truth_m = count as f64 / known as f64;
            let learnt = outcome.parameters.m[c][l];
            assert!(
                (learnt - truth_m).abs() <= 0.2,
                "{} {}: m learnt {learnt:.3}, among true pairs {truth_m:.3}",
                settings.comparisons[c].name(),
                settings.comparisons[c].levels()[l]
            );
        }
    }
    // Every link above the threshold can say why.
    let top = outcome.links[0];
    let why = scorer.explain(top.a, top.b);
    assert!((why.probability - top.probability).abs() < 1e-12);
    assert_eq!(why.terms.len(), settings.comparisons.len());
    assert!(
        outcome.summary.refused_joins > 0,
        "the chaining guard never acted"
    );
    assert!(f1 >= 0.94, "clustered F1 {f1:.4} < 0.94 (Splink's)");

    // What a million records need, at this size: EM trained on a sample of the candidate
    // pairs, and large blocks split by their rules' refining keys before scoring. The
    // clusters hold up.
    let mut sampled = settings.clone();
    sampled.training_pairs = 3_000;
    sampled.max_block = 6;
    let outcome = link(&data, &sampled, &[], &Silent, 0.0).expect("links");
    let (_, _, f1) = pairwise_scores(&outcome.clusters.of, &truth);
    let rate = outcome.summary.em.sample_rate;
    let split: usize = outcome
        .summary
        .blocking
        .iter()
        .map(|r| r.split_blocks)
        .sum();
    let largest = outcome
        .summary
        .blocking
        .iter()
        .map(|r| r.largest_block)
        .max();
    eprintln!("fake_1000, sampled: F1 {f1:.4}, sample rate {rate:.3}, {split} blocks split");
    assert!(rate > 0.0 && rate < 0.5, "sample rate {rate}");
    assert!(
        outcome.summary.em.pairs < 6_000,
        "{} pairs in training",
        outcome.summary.em.pairs
    );
    assert!(split > 0, "no block was split");
    // The unordered name rule has no refining keys: its blocks keep their size.
    assert!(largest > Some(6), "{largest:?}");
    assert!(f1 >= 0.94, "clustered F1 {f1:.4} trained on a sample");
}
