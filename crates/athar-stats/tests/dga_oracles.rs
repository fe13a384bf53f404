//! Model averaging over decomposable graphs against R's dga 2.0.2 (`bma.cr`): Madigan and
//! York's spina bifida example as the package documents it, and the shared and simulated
//! tables with the package's defaults (δ = 2⁻ᵗ, prior 1/N) — the posterior mean of N to 1e-6
//! relative, its median, mode and 2.5 % / 97.5 % quantiles exactly, and the most probable
//! graph with its weight. R's figures were printed by
//! `Rscript scripts/dga-oracle.R TABLE MAX_MISSING`.

use athar_stats::mse::{self, DgaSettings, Method, PopulationPrior, dga};

#[path = "common/tables.rs"]
mod tables;
use tables::{close, our_table, shared_table};

/// mean, median, mode, 2.5 % and 97.5 % quantiles, the top graph's weight and name.
struct Expected {
    mean: f64,
    median: f64,
    mode: f64,
    low: f64,
    high: f64,
    top: f64,
    graph: &'static str,
}

fn check(name: &str, table: &mse::CaptureTable, settings: DgaSettings, expected: Expected) {
    let result = dga::dga(table, &settings).unwrap_or_else(|e| panic!("{name}: {e}"));
    close(result.mean(), expected.mean, 1e-6, &format!("{name} mean"));
    assert_eq!(result.quantile(0.5), expected.median, "{name} median");
    assert_eq!(result.mode(), expected.mode, "{name} mode");
    assert_eq!(result.quantile(0.025), expected.low, "{name} 2.5 %");
    assert_eq!(result.quantile(0.975), expected.high, "{name} 97.5 %");
    let (graph, weight) = &result.graphs[0];
    close(
        *weight,
        expected.top,
        1e-6,
        &format!("{name} top graph's weight"),
    );
    assert_eq!(graph.describe(table), expected.graph, "{name}");
}

#[test]
fn spina_bifida_as_madigan_and_york() {
    let Some(table) = shared_table("spina_bifida.csv") else {
        return;
    };
    // The package's own example: δ = 1, Madigan and York's prior with a = 13.14 and
    // b = 55.17, 1 to 300 people on no list. Published: averaged estimate 731, mode 728, top
    // model 0.37.
    let settings = DgaSettings {
        delta: Some(1.0),
        missing: Some((1, 300)),
        prior: PopulationPrior::NegativeBinomial { a: 13.14, b: 55.17 },
    };
    let expected = Expected {
        mean: 733.452369111851,
        median: 731.0,
        mode: 728.0,
        low: 682.0,
        high: 797.0,
        top: 0.373767397640113,
        graph: "[L1,L2][L3]",
    };
    check("spina bifida", &table, settings, expected);
}

fn defaults_up_to(max_missing: u64) -> DgaSettings {
    DgaSettings {
        missing: Some((0, max_missing)),
        ..DgaSettings::default()
    }
}

#[test]
fn kosovo_with_the_package_defaults() {
    let Some(table) = shared_table("kosovo.csv") else {
        return;
    };
    let expected = Expected {
        mean: 12749.344529,
        median: 12595.0,
        mode: 12267.0,
        low: 9827.0,
        high: 16544.0,
        top: 0.9855131777,
        graph: "[EXH,ABA,OSCE][EXH,OSCE,HRW]",
    };
    check("kosovo", &table, defaults_up_to(60_000), expected);
}

#[test]
fn hiv_rome_with_the_package_defaults() {
    let Some(table) = shared_table("hiv_rome.csv") else {
        return;
    };
    let expected = Expected {
        mean: 11357.131968,
        median: 11220.0,
        mode: 10992.0,
        low: 9404.0,
        high: 14095.0,
        top: 0.5386575266,
        graph: "[c1][c2][c3][c4]",
    };
    check("hiv rome", &table, defaults_up_to(60_000), expected);
}

#[test]
fn five_lists_with_the_package_defaults() {
    let table = our_table("heterogeneous_five_lists.csv");
    let expected = Expected {
        mean: 1901.328038,
        median: 1896.0,
        mode: 1886.0,
        low: 1746.0,
        high: 2089.0,
        top: 0.5985085443,
        graph: "[L1][L2][L3][L4][L5]",
    };
    check("five lists", &table, defaults_up_to(20_000), expected);
}

#[test]
fn the_range_is_found_from_the_data_when_not_given() {
    let Some(table) = shared_table("kosovo.csv") else {
        return;
    };
    let estimate =
        mse::estimate(&table, &Method::Dga(DgaSettings::default()), 0.95).expect("an estimate");
    assert_eq!(estimate.method, "dga");
    // The same as over 0 … 60,000, where R's posterior had fallen to 3e-10 of its peak.
    assert_eq!(estimate.estimate, 12595.0);
    assert_eq!(estimate.interval, [Some(9827.0), Some(16544.0)]);
    assert!(
        estimate.warnings[0].contains("decomposable graphs"),
        "{:?}",
        estimate.warnings
    );
    assert_eq!(estimate.warnings.len(), estimate.warnings_ar.len());
}

#[test]
fn dga_takes_three_to_five_lists() {
    let two =
        mse::CaptureTable::new(vec!["A".into(), "B".into()], vec![0, 5, 6, 7]).expect("a table");
    let error = dga::dga(&two, &DgaSettings::default()).expect_err("two lists");
    assert!(error.to_string().contains("3 to 5 lists"), "{error}");
}
