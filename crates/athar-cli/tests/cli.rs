//! The `athar` binary as a user runs it: init, demo, verify — and verify failing, naming
//! the entry, after one byte of a stored revision changes.

use std::process::Command;

const PASS: &str = "cli test passphrase 123";

fn athar(data: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_athar"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env("ATHAR_PASSPHRASE", PASS)
        .output()
        .unwrap_or_else(|e| panic!("cannot run athar: {e}"))
}

#[test]
fn demo_data_verifies_and_a_changed_byte_is_named() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = tmp.path().join("store");
    assert!(athar(&data, &["init"]).status.success());
    let out = athar(
        &data,
        &["demo", "--persons", "300", "--seed", "5", "--json"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(summary["persons"], 300);
    let out = athar(&data, &["verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("OK:"));

    // No demo name can be read in the files.
    let names: Vec<String> = athar_demo::generate(5, 20)
        .flatten()
        .filter_map(|(_, b)| match b {
            athar_model::RecordBody::Person(p) => p.names.first().and_then(|n| n.family.clone()),
            _ => None,
        })
        .collect();
    for entry in std::fs::read_dir(&data).unwrap_or_else(|e| panic!("{e}")) {
        let bytes = std::fs::read(entry.map(|e| e.path()).unwrap_or_default()).unwrap_or_default();
        for name in &names {
            assert!(
                !bytes.windows(name.len()).any(|w| w == name.as_bytes()),
                "a demo name is readable"
            );
        }
    }

    // Change one byte of revision 10 behind the store's back.
    let key = athar_store::DataDir::new(&data)
        .derive_key(PASS)
        .unwrap_or_else(|e| panic!("{e}"));
    let conn = rusqlite::Connection::open(data.join("athar.db")).unwrap_or_else(|e| panic!("{e}"));
    conn.execute_batch(&format!(
        "{}
         DROP TRIGGER revisions_append_only;
         UPDATE revisions SET body = CAST(substr(body, 1, 2) || 'Z' || substr(body, 4) AS BLOB) WHERE seq = 10;
         CREATE TRIGGER revisions_append_only BEFORE UPDATE ON revisions BEGIN SELECT RAISE(ABORT, 'x'); END;",
        athar_store::unlock_statements(&key).as_str()
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    drop(conn);
    let out = athar(&data, &["verify"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("revision entry 10:"), "{err}");
}

#[test]
fn a_wrong_passphrase_and_a_missing_store_are_clear_errors() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = tmp.path().join("store");
    let out = athar(&data, &["verify"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("athar init"));
    assert!(athar(&data, &["init"]).status.success());
    let out = Command::new(env!("CARGO_BIN_EXE_athar"))
        .arg("--data")
        .arg(&data)
        .arg("verify")
        .env("ATHAR_PASSPHRASE", "wrong")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("passphrase does not open"));
}

#[test]
fn shredding_asks_for_confirmation_and_shows_in_the_audit_head() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = tmp.path().join("store");
    assert!(athar(&data, &["init"]).status.success());
    assert!(
        athar(&data, &["demo", "--persons", "5", "--seed", "9", "--json"])
            .status
            .success()
    );
    let person = athar_demo::generate(9, 1)
        .flatten()
        .find(|(_, b)| matches!(b, athar_model::RecordBody::Person(_)))
        .map(|(id, _)| id.to_string())
        .unwrap_or_default();
    let args = [
        "shred",
        "--kind",
        "person",
        &person,
        "--reason",
        "consent withdrawn",
    ];
    let out = athar(&data, &args);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--yes"));
    let out = athar(&data, &[&args[..], &["--yes"]].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("Shredded person"));

    let out = athar(&data, &["audit", "head", "--json"]);
    assert!(out.status.success());
    let head: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(head["action"], "record.shred");
    assert_eq!(head["subject"], person.as_str());
    assert_eq!(head["hash"].as_str().map(str::len), Some(64));
    let out = athar(&data, &["verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // An unknown id is a clear error.
    let out = athar(
        &data,
        &[
            "shred",
            "--kind",
            "person",
            "0190a000-0000-7000-8000-000000000000",
            "--reason",
            "x",
            "--yes",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no person with id"));
}

fn athar_with_password(
    data: &std::path::Path,
    password: &str,
    args: &[&str],
) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_athar"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env("ATHAR_PASSPHRASE", PASS)
        .env("ATHAR_USER_PASSWORD", password)
        .output()
        .unwrap_or_else(|e| panic!("cannot run athar: {e}"))
}

#[test]
fn accounts_and_tokens_are_made_from_the_command_line() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = tmp.path().join("store");
    assert!(athar(&data, &["init"]).status.success());
    let out = athar_with_password(
        &data,
        "a fine long password",
        &["user", "add", "amal", "--role", "org-admin"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("org-admin (مدير المنظمة)"), "{text}");
    assert!(text.contains("otpauth://totp/Athar:amal?"), "{text}");
    // A documenter gets no second factor unless asked for one.
    let out = athar_with_password(
        &data,
        "another long password",
        &["user", "add", "sami", "--role", "documenter"],
    );
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("otpauth"));
    for (args, password, error) in [
        (
            vec!["user", "add", "amal", "--role", "viewer"],
            "a fine long password",
            "username is taken",
        ),
        (
            vec!["user", "add", "rana", "--role", "viewer"],
            "short",
            "at least 12 characters",
        ),
        (
            vec!["user", "add", "rana", "--role", "boss"],
            "a fine long password",
            "unknown role",
        ),
        (
            vec!["token", "create", "--user", "nobody", "--name", "x"],
            "",
            "no account named",
        ),
        (
            vec![
                "token", "create", "--user", "sami", "--name", "x", "--days", "999",
            ],
            "",
            "1 to 365 days",
        ),
    ] {
        let out = athar_with_password(&data, password, &args);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(error), "{args:?}: {err}");
    }
    let out = athar(
        &data,
        &[
            "token", "create", "--user", "sami", "--name", "nightly", "--scope", "write",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(token.starts_with("ath_") && token.len() == 68);
    // A second organisation, and an account in it.
    let out = athar(&data, &["org", "add", "Rights Watch Syria"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = athar(&data, &["org", "list"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("2\t"));
    let out = athar_with_password(
        &data,
        "a third long password",
        &[
            "user",
            "add",
            "lina",
            "--role",
            "viewer",
            "--organisation",
            "Rights Watch Syria",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = athar_with_password(
        &data,
        "a third long password",
        &[
            "user",
            "add",
            "omar",
            "--role",
            "viewer",
            "--organisation",
            "Nobody",
        ],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("no organisation named"));
    // Account changes are in the audit chain, which still verifies.
    let out = athar(&data, &["verify"]);
    assert!(out.status.success());
}

#[test]
fn backup_and_restore_from_the_command_line() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = tmp.path().join("store");
    assert!(athar(&data, &["init"]).status.success());
    assert!(
        athar(&data, &["demo", "--persons", "30", "--json"])
            .status
            .success()
    );
    let file = tmp.path().join("monday.backup");
    let file_arg = file.display().to_string();
    let out = athar(&data, &["backup", "--out", &file_arg, "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(summary["sha256"].as_str().map(str::len), Some(64));
    // Not over an existing file, not into an existing store.
    assert_eq!(
        athar(&data, &["backup", "--out", &file_arg]).status.code(),
        Some(2)
    );
    assert_eq!(athar(&data, &["restore", &file_arg]).status.code(), Some(2));

    let elsewhere = tmp.path().join("laptop");
    let out = athar(&elsewhere, &["restore", &file_arg]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("Restored into"));
    let out = athar(&elsewhere, &["verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn packages_are_made_for_consented_purposes_and_checked_offline() {
    use athar_model::consent::{Purpose, permits};
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = tmp.path().join("store");
    assert!(athar(&data, &["init"]).status.success());
    assert!(
        athar(&data, &["demo", "--persons", "20", "--seed", "3", "--json"])
            .status
            .success()
    );
    let persons: Vec<(String, bool)> = athar_demo::generate(3, 20)
        .flatten()
        .filter_map(|(id, b)| match b {
            athar_model::RecordBody::Person(p) => {
                Some((id.to_string(), permits(&p.consent, Purpose::Wgeid)))
            }
            _ => None,
        })
        .collect();
    let consenting = persons
        .iter()
        .find(|p| p.1)
        .map(|p| p.0.clone())
        .unwrap_or_default();
    let refusing = persons
        .iter()
        .find(|p| !p.1)
        .map(|p| p.0.clone())
        .unwrap_or_default();
    let out = athar(&data, &["org", "list"]);
    let listing = String::from_utf8_lossy(&out.stdout).to_string();
    let key = listing
        .lines()
        .nth(1)
        .and_then(|l| l.split('\t').nth(3))
        .unwrap_or_default()
        .to_string();
    assert_eq!(key.len(), 64, "{listing}");

    let file = tmp.path().join("case.tar");
    let file_arg = file.display().to_string();
    let out = athar(
        &data,
        &[
            "package",
            "--person",
            &consenting,
            "--purpose",
            "wgeid",
            "--out",
            &file_arg,
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = athar(&data, &["verify-package", &file_arg, "--key", &key]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("OK:"));

    let mut bytes = std::fs::read(&file).unwrap_or_default();
    let at = bytes
        .windows(7)
        .position(|w| w == b"\"kind\":")
        .unwrap_or(600);
    bytes[at + 10] ^= 0x01;
    std::fs::write(&file, &bytes).unwrap_or_else(|e| panic!("{e}"));
    let out = athar(&data, &["verify-package", &file_arg, "--key", &key]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("has changed"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let other = tmp.path().join("refused.tar");
    let out = athar(
        &data,
        &[
            "package",
            "--person",
            &refusing,
            "--purpose",
            "wgeid",
            "--out",
            &other.display().to_string(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("has not consented to submission to the UN WGEID")
    );
    assert!(!other.exists(), "a refused package leaves no file");
}
