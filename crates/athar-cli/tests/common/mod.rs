//! What the command-line tests share: running `athar` on a store with the tests' passphrase.

use std::path::Path;
use std::process::{Command, Output};

/// The passphrase of every store the command-line tests make.
pub const PASS: &str = "cli test passphrase 123";

/// Run `athar --data DATA ARGS…` with the tests' passphrase.
pub fn athar(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_athar"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env("ATHAR_PASSPHRASE", PASS)
        .output()
        .unwrap_or_else(|e| panic!("cannot run athar: {e}"))
}

/// The standard output of a run that must succeed (else both outputs, in the panic).
#[allow(dead_code)] // Not every test file reads output.
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The JSON a run that must succeed printed (`--json`).
#[allow(dead_code)] // Not every test file reads JSON.
pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_str(&ok(out)).unwrap_or_else(|e| panic!("{e}"))
}
