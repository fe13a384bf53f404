//! Capture tables the estimation tests share: the reference tables of ../shared/data/mse,
//! our own simulated tables of tests/data, and a tolerance check.

use athar_stats::mse::CaptureTable;
use std::path::PathBuf;

/// A table of ../shared/data/mse; `None` (with a message) when it is missing outside CI.
pub fn shared_table(name: &str) -> Option<CaptureTable> {
    let shared = std::env::var_os("ATHAR_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
                .map_or_else(|| env!("CARGO_MANIFEST_DIR").into(), PathBuf::from);
            manifest.join("../../../shared/data")
        });
    let path = shared.join("mse").join(name);
    match std::fs::File::open(&path) {
        Ok(file) => Some(CaptureTable::from_csv(file).expect("the reference table reads")),
        Err(_) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "reference table missing at {}",
                path.display()
            );
            eprintln!("SKIPPED: reference table not found at {}", path.display());
            None
        }
    }
}

/// `actual` within `relative` of `expected`.
pub fn close(actual: f64, expected: f64, relative: f64, what: &str) {
    let error = (actual - expected).abs() / expected.abs();
    assert!(
        error <= relative,
        "{what}: {actual} against {expected} (relative error {error:.2e} > {relative:.0e})"
    );
}

/// One of our own tables in tests/data (tests/data/README.md says how each was drawn).
pub fn our_table(name: &str) -> CaptureTable {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    CaptureTable::from_csv(file).unwrap_or_else(|e| panic!("{path}: {e}"))
}
