//! The latent-class estimate against R's LCMCR 0.4.14 on simulated tables of our own
//! (tests/data/README.md), with the settings both default to (K = 10, a = b = 0.25, burn-in
//! 10,000, 1,000 draws thinned by 100): the posterior median within 3 % of the mean of R's
//! medians over seeds 1–10, and the chains' diagnostics passing. The R figures were printed
//! by `python3 scripts/bench-lcmcr.py --table TABLE --seeds 10` (its R runs).

use athar_stats::mse::{self, LcmcrSettings, Method};

#[path = "common/tables.rs"]
#[allow(dead_code)] // the shared reference tables are not used here
mod tables;
use tables::{close, our_table};

/// R's posterior medians over seeds 1–10.
fn mean(medians: &[f64]) -> f64 {
    medians.iter().sum::<f64>() / medians.len() as f64
}

fn agrees_with_r(name: &str, r_medians: &[f64], seed: u64) {
    let table = our_table(name);
    let settings = LcmcrSettings {
        seed,
        ..LcmcrSettings::default()
    };
    let estimate = mse::estimate(&table, &Method::Lcmcr(settings), 0.95)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    close(
        estimate.estimate,
        mean(r_medians),
        0.03,
        &format!("{name} seed {seed}"),
    );
    let details = &estimate.details;
    assert!(
        details["r_hat"].as_f64().is_some_and(|r| r <= 1.05),
        "{name}: {details}"
    );
    assert!(
        details["split_r_hat"].as_f64().is_some_and(|r| r <= 1.05),
        "{name}: {details}"
    );
}

#[test]
fn six_lists_three_groups() {
    let r = [
        13336.0, 13361.0, 13336.5, 13320.5, 13323.0, 13225.0, 13388.5, 13424.5, 13338.5, 13343.5,
    ];
    agrees_with_r("six_lists_three_groups.csv", &r, 1);
}

#[test]
fn six_lists_hidden_majority() {
    let r = [
        17818.5, 17774.0, 17586.0, 17708.0, 17756.5, 17503.5, 17706.0, 17316.5, 17721.0, 17449.5,
    ];
    agrees_with_r("six_lists_hidden_majority.csv", &r, 2);
}

#[test]
fn eight_lists_sparse() {
    let r = [
        2044.0, 2055.0, 2059.5, 2036.0, 2039.0, 2050.0, 2048.0, 2050.5, 2057.0, 2040.5,
    ];
    agrees_with_r("eight_lists_sparse.csv", &r, 3);
}

#[test]
fn six_lists_by_region() {
    let r = [
        7959.5, 7964.0, 7945.0, 7963.5, 7964.5, 7957.0, 7964.0, 7939.0, 7977.0, 7974.0,
    ];
    agrees_with_r("six_lists_by_region.csv", &r, 4);
}
