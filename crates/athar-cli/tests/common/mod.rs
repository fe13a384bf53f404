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
