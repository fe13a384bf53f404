//! The `athar` binary as a user runs it: init, demo, verify — and verify failing, naming
//! the entry, after one byte of a stored revision changes.

use std::process::Command;

mod common;
use common::{PASS, athar};

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
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("passphrase does not open"));
    // It says what to check: the passphrase, and the key file beside the store.
    assert!(
        stderr.contains("ATHAR_PASSPHRASE") && stderr.contains("athar-key.json"),
        "{stderr}"
    );
    // Athar's one line, not the encryption library's log of each page it could not open.
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

/// What a newcomer meets first on the command line: help that says where to start in both
/// languages and what init makes, a second demo run told how to add more, a busy port
/// reported before any store is made.
#[test]
fn the_command_line_says_where_to_start_and_what_went_wrong() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = tmp.path().join("store");
    let help = String::from_utf8_lossy(&athar(&data, &["--help"]).stdout).into_owned();
    assert!(
        help.contains("Start here") && help.contains("ابدأ من هنا"),
        "{help}"
    );
    let init_help = String::from_utf8_lossy(&athar(&data, &["init", "--help"]).stdout).into_owned();
    assert!(
        init_help.contains("athar-key.json") && init_help.contains("ATHAR_PASSPHRASE"),
        "{init_help}"
    );
    let wgeid_help =
        String::from_utf8_lossy(&athar(&data, &["wgeid", "--help"]).stdout).into_owned();
    // Every command says what it does in Arabic too.
    for command in [
        "init", "import", "export", "stats", "report", "brief", "wgeid", "vocab", "serve",
    ] {
        let help = String::from_utf8_lossy(&athar(&data, &[command, "--help"]).stdout).into_owned();
        assert!(
            help.chars().any(|c| ('\u{0621}'..='\u{064A}').contains(&c)),
            "{command} --help has no Arabic: {help}"
        );
    }
    assert!(
        wgeid_help.contains("--behind enforced_disappearances"),
        "{wgeid_help}"
    );
    // Linking CSV files needs no store: its help does not offer one; a store's command does.
    for flag in ["--help", "-h"] {
        let link_help = String::from_utf8_lossy(&athar(&data, &["link", flag]).stdout).into_owned();
        assert!(
            link_help.contains("--csv") && !link_help.contains("--data"),
            "{link_help}"
        );
    }
    let stats_help =
        String::from_utf8_lossy(&athar(&data, &["stats", "--help"]).stdout).into_owned();
    assert!(stats_help.contains("--data"), "{stats_help}");

    assert!(athar(&data, &["init"]).status.success());
    assert!(
        athar(&data, &["demo", "--persons", "20", "--json"])
            .status
            .success()
    );
    let again = athar(&data, &["demo", "--persons", "20"]);
    assert!(!again.status.success());
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("--seed 2"), "{stderr}");

    // A port in use is said before a demo store is made.
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let addr = busy.local_addr().map(|a| a.to_string()).unwrap_or_default();
    let fresh = tmp.path().join("fresh");
    let out = athar(&fresh, &["serve", "--demo", "--addr", &addr]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--addr"), "{stderr}");
    assert!(
        !fresh.join("athar-key.json").exists() && !fresh.exists(),
        "a store was made"
    );
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

/// One HTTP/1.1 request over a plain socket; the status and body of the answer.
fn http(addr: &str, method: &str, path: &str, token: &str, body: Option<&str>) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap_or_else(|e| panic!("{e}"));
    let body = body.unwrap_or("");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// Known names, an identifier, a contact and a narrative go in through the running server;
/// then the database file, its write-ahead log, a backup and the server's own log (at the
/// most verbose level) are searched for them byte by byte: nothing.
#[test]
fn no_identifying_text_in_the_files_the_backup_or_the_server_log() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = tmp.path().join("store");
    assert!(athar(&data, &["init"]).status.success());
    let out = athar_with_password(
        &data,
        "a long enough password",
        &["user", "add", "rami", "--role", "documenter"],
    );
    assert!(out.status.success());
    let out = athar(
        &data,
        &[
            "token", "create", "--user", "rami", "--name", "t", "--scope", "write",
        ],
    );
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();

    let log = tmp.path().join("server.log");
    let log_file = std::fs::File::create(&log).unwrap_or_else(|e| panic!("{e}"));
    let mut server = Command::new(env!("CARGO_BIN_EXE_athar"))
        .arg("--data")
        .arg(&data)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("ATHAR_PASSPHRASE", PASS)
        .env("ATHAR_LOG", "trace")
        .stdout(std::process::Stdio::from(
            log_file.try_clone().unwrap_or_else(|e| panic!("{e}")),
        ))
        .stderr(std::process::Stdio::from(log_file))
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut addr = String::new();
    for _ in 0..200 {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if let Some(rest) = text.split("serving on http://").nth(1) {
            addr = rest.split('/').next().unwrap_or_default().to_string();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(!addr.is_empty(), "the server did not start");

    let needles = [
        "زينب الحوراني",
        "Zaynab al-Hourani",
        "09071234567",
        "+963 933 111 222",
        "taken from the bakery queue in Douma",
    ];
    let person = serde_json::json!({
        "names": [
            {"script": "arab", "full": needles[0]},
            {"script": "latn", "full": needles[1]}
        ],
        "identifiers": [{"kind": "national-id", "value": needles[2]}],
        "contact": needles[3],
        "birth_date": "1994"
    })
    .to_string();
    let (status, created) = http(&addr, "POST", "/api/persons", &token, Some(&person));
    assert_eq!(status, 201, "{created}");
    let event = serde_json::json!({"kind": "arrest", "start": "2018-07", "narrative": needles[4]})
        .to_string();
    let (status, _) = http(&addr, "POST", "/api/events", &token, Some(&event));
    assert_eq!(status, 201);
    let (status, found) = http(
        &addr,
        "GET",
        "/api/persons?name=%D8%B2%D9%8A%D9%86%D8%A8",
        &token,
        None,
    );
    assert_eq!(status, 200);
    assert!(
        found.contains(needles[0]),
        "the name is found and shown to its reader"
    );
    let (status, _) = http(
        &addr,
        "GET",
        "/api/persons?name=nobody-at-all",
        &token,
        None,
    );
    assert_eq!(status, 200);

    // While the server runs: the database and its write-ahead log.
    let mut haystacks: Vec<(String, Vec<u8>)> = std::fs::read_dir(&data)
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read(&p).unwrap_or_default(),
            )
        })
        .collect();
    assert!(
        haystacks
            .iter()
            .any(|(p, b)| p.ends_with("athar.db-wal") && !b.is_empty())
    );
    let _ = server.kill();
    let _ = server.wait();
    let backup = tmp.path().join("b.backup");
    let out = athar(&data, &["backup", "--out", &backup.display().to_string()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    haystacks.push(("backup".into(), std::fs::read(&backup).unwrap_or_default()));
    let log_bytes = std::fs::read(&log).unwrap_or_default();
    let log_text = String::from_utf8_lossy(&log_bytes).to_string();
    assert!(
        log_text.matches("request").count() >= 4 && log_text.contains("/api/persons"),
        "the server logs every request: {log_text}"
    );
    haystacks.push(("server log".into(), log_bytes));
    for needle in needles {
        for (name, bytes) in &haystacks {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{needle:?} readable in {name}"
            );
        }
    }
}

#[test]
fn a_list_is_imported_as_the_import_guide_says() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = tmp.path().join("store");
    assert!(athar(&data, &["init"]).status.success());
    let list = tmp.path().join("list.csv");
    std::fs::write(
        &list,
        "No.;الاسم الكامل;تاريخ الاعتقال;الجهة\n1;محمد الأحمد;12/03/2019;فرع فلسطين\n2;سامر;2019-13-45;\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mapping = tmp.path().join("m.toml");
    std::fs::write(
        &mapping,
        "[list]\nname = \"Test list\"\nkey = \"No.\"\n[columns]\n\"الاسم الكامل\" = \"full_name\"\n\"تاريخ الاعتقال\" = \"arrest.date\"\n\"الجهة\" = \"arrest.unit\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (l, m) = (list.display().to_string(), mapping.display().to_string());
    // A first mapping, guessed, needs no store and parses.
    let out = athar(&data, &["import", &l, "--suggest"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let suggested = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        suggested.contains("\"الاسم الكامل\" = \"full_name\""),
        "{suggested}"
    );
    assert!(
        suggested.contains("\"تاريخ الاعتقال\" = \"arrest.date\""),
        "{suggested}"
    );
    let out = athar(&data, &["import", &l, "--mapping", &m, "--check"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a refused row makes the exit code 1"
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        text.contains("1 new") && text.contains("nothing written"),
        "{text}"
    );
    assert!(
        text.contains("refused: line 3, column تاريخ الاعتقال"),
        "{text}"
    );
    let out = athar(&data, &["import", &l, "--mapping", &m, "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(
        (report["created"].as_u64(), report["written"].as_bool()),
        (Some(1), Some(true))
    );
    // The file itself is kept, sealed, in the evidence vault about the list.
    assert_eq!(report["original"]["new"], true, "{report}");
    let kept = report["original"]["evidence"].clone();
    let out = athar(&data, &["import", &l, "--mapping", &m, "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(
        (report["unchanged"].as_u64(), report["written"].as_bool()),
        (Some(1), Some(false))
    );
    // Once, however often it is imported.
    assert_eq!(report["original"]["new"], false, "{report}");
    assert_eq!(report["original"]["evidence"], kept);
    // Sealed: the store file holds none of the list's text.
    let db = std::fs::read(data.join("athar.db")).unwrap_or_default();
    let needle = "محمد".as_bytes();
    assert!(!db.windows(needle.len()).any(|w| w == needle));
    // Out again, pseudonymised: no name in the file.
    let exported = tmp.path().join("out.csv");
    let out = athar(
        &data,
        &[
            "export",
            "--out",
            &exported.display().to_string(),
            "--pseudonymised",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&exported).unwrap_or_default();
    assert!(
        text.starts_with("id,name_ar") && !text.contains("محمد"),
        "{text}"
    );
    // A broken mapping is a clear error naming the column.
    std::fs::write(&mapping, "[columns]\n\"الجهة\" = \"arrest.colour\"\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let out = athar(&data, &["import", &l, "--mapping", &m, "--list", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("column \"الجهة\""));
    assert!(athar(&data, &["verify"]).status.success());
}

fn json_of(out: &std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// Linkage in the store from the command line: run, queue, decide, count, withdraw.
#[test]
fn persons_in_the_store_are_linked_reviewed_and_counted_once() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = tmp.path().join("store");
    assert!(athar(&data, &["init"]).status.success());
    json_of(&athar(
        &data,
        &["demo", "--persons", "400", "--seed", "3", "--json"],
    ));
    let before = json_of(&athar(&data, &["stats", "--json"]));
    assert_eq!(before["persons"], before["person_records"]);

    let out = athar(&data, &["linkage", "run", "--list", "not-an-id"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--list"));

    let run = json_of(&athar(&data, &["linkage", "run", "--json"]));
    assert_eq!(run["members"], 400, "{run}");
    assert!(run["summary"]["comparisons"].as_u64() > Some(0), "{run}");
    // Demo persons are all different people: nothing is joined, nothing is uncertain.
    assert_eq!(run["summary"]["links"], 0, "{run}");
    let queue = json_of(&athar(&data, &["linkage", "queue", "--json"]));
    assert_eq!(queue, serde_json::json!([]));
    let out = athar(&data, &["linkage", "queue"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Nothing to decide"));
    // A reviewer knows better about two of them.
    let export = tmp.path().join("persons.json");
    let out = athar(
        &data,
        &[
            "export",
            "--format",
            "json",
            "--out",
            export.to_str().unwrap_or_default(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let persons: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&export).unwrap_or_default()).unwrap_or_default();
    let (first, second) = (
        persons[0]["id"].as_str().unwrap_or_default().to_string(),
        persons[1]["id"].as_str().unwrap_or_default().to_string(),
    );
    let linked = json_of(&athar(&data, &["stats", "--json"]));
    let joined_before = linked["linkage"]["records_joined"]
        .as_u64()
        .unwrap_or_default();

    let out = athar(
        &data,
        &[
            "linkage",
            "decide",
            &first,
            &second,
            "same",
            "--note",
            "same mother",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    let decision = said
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_string();
    let decided = json_of(&athar(&data, &["stats", "--json"]));
    assert_eq!(decided["linkage"]["confirmed_same"], 1);
    assert_eq!(
        decided["linkage"]["records_joined"].as_u64(),
        Some(joined_before + 1),
        "the pair now counts as one person"
    );
    assert_eq!(
        decided["persons"].as_u64(),
        decided["person_records"]
            .as_u64()
            .map(|r| r - joined_before - 1)
    );
    let out = athar(
        &data,
        &["linkage", "withdraw", &decision, "--reason", "wrong pair"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let withdrawn = json_of(&athar(&data, &["stats", "--json"]));
    assert_eq!(withdrawn["linkage"]["confirmed_same"], 0);
    assert_eq!(withdrawn["persons"], linked["persons"]);
    assert!(athar(&data, &["verify"]).status.success());

    // Estimation from the store's lists names what it cannot use.
    for (args, says) in [
        (
            vec!["estimate", "--linked", "not-an-id,x"],
            "not a source id",
        ),
        (
            vec!["estimate", "--linked", first.as_str(), second.as_str()],
            "not a source this organisation can see",
        ),
        (
            vec!["estimate", "--linked", first.as_str()],
            "between 2 and 16 lists",
        ),
    ] {
        let out = athar(&data, &args);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }

    // A reader that stops early (`| head`) ends the command quietly, without a panic.
    use std::io::Read;
    let mut child = Command::new(env!("CARGO_BIN_EXE_athar"))
        .arg("--data")
        .arg(&data)
        .args(["stats", "--by", "kind,year,month", "--ids", "--json"])
        .env("ATHAR_PASSPHRASE", PASS)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut first = [0u8; 64];
    if let Some(out) = child.stdout.as_mut() {
        out.read_exact(&mut first).unwrap_or_else(|e| panic!("{e}"));
    }
    drop(child.stdout.take());
    let done = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(done.status.code(), Some(101), "{stderr}");
}

/// Two lists imported, linked, and the number never documented estimated from their overlap
/// — each linked person counted once — as an analyst runs it from the command line.
#[test]
fn lists_imported_linked_and_estimated_from_the_store() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = tmp.path().join("store");
    assert!(athar(&data, &["init"]).status.success());
    // 60 invented people: list A names people 0–39 in Arabic script, list B people 20–59
    // in Latin letters; 20 are on both.
    const GIVEN: [(&str, &str); 10] = [
        ("محمد", "Mohammad"),
        ("أحمد", "Ahmad"),
        ("خالد", "Khaled"),
        ("عمر", "Omar"),
        ("يوسف", "Yousef"),
        ("حسن", "Hassan"),
        ("علي", "Ali"),
        ("سامر", "Samer"),
        ("فادي", "Fadi"),
        ("ماهر", "Maher"),
    ];
    const FAMILY: [(&str, &str); 6] = [
        ("الحلبي", "al-Halabi"),
        ("الخطيب", "al-Khatib"),
        ("المصري", "al-Masri"),
        ("الشامي", "al-Shami"),
        ("النجار", "al-Najjar"),
        ("الزعبي", "al-Zoubi"),
    ];
    let person = |i: usize| {
        (
            GIVEN[i % 10],
            GIVEN[(i / 10 + 3 * i) % 10],
            FAMILY[i / 10],
            1960 + i,
        )
    };
    // Everyone was arrested, the even-numbered in 2019 and the others in 2020, and both
    // lists say so: stratified by year, each year has 10 on A only, 10 on both, 10 on B only.
    let arrested = |i: usize| {
        if i.is_multiple_of(2) {
            "2019-05"
        } else {
            "2020-07"
        }
    };
    let mut a = String::from("ref,given,father,family,born,arrested\n");
    for i in 0..40 {
        let (g, f, fam, year) = person(i);
        a += &format!(
            "A{i},{},{},{},{year}-0{}-1{},{}\n",
            g.0,
            f.0,
            fam.0,
            1 + i % 9,
            i % 9,
            arrested(i)
        );
    }
    let mut b = String::from("ref,given,father,family,born,arrested\n");
    for i in 20..60 {
        let (g, f, fam, year) = person(i);
        b += &format!("B{i},{},{},{},{year},{}\n", g.1, f.1, fam.1, arrested(i));
    }
    let mut sources = Vec::new();
    for (name, text) in [("List A", a), ("List B", b)] {
        let list = tmp.path().join(format!("{name}.csv"));
        std::fs::write(&list, text).unwrap_or_else(|e| panic!("{e}"));
        let mapping = tmp.path().join(format!("{name}.toml"));
        std::fs::write(
            &mapping,
            format!(
                "[list]\nname = \"{name}\"\nkey = \"ref\"\n[columns]\ngiven = \"given_name\"\nfather = \"father_name\"\nfamily = \"family_name\"\nborn = \"birth_date\"\narrested = \"arrest.date\"\n"
            ),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let report = json_of(&athar(
            &data,
            &[
                "import",
                &list.display().to_string(),
                "--mapping",
                &mapping.display().to_string(),
                "--json",
            ],
        ));
        assert_eq!(report["created"], 40, "{report}");
        sources.push(report["source"].as_str().unwrap_or_default().to_string());
    }
    let lists = sources.join(",");
    // Before linkage every record is its own person: nobody is on both lists, so there is
    // no Lincoln–Petersen estimate, and Chapman's says so beside its figure.
    let out = athar(
        &data,
        &[
            "estimate",
            "--linked",
            &lists,
            "--method",
            "lincoln-petersen",
        ],
    );
    assert!(!out.status.success(), "no overlap, no estimate");
    let unlinked = json_of(&athar(
        &data,
        &[
            "estimate", "--linked", &lists, "--method", "chapman", "--json",
        ],
    ));
    assert!(
        unlinked["warnings"]
            .to_string()
            .contains("nobody in common"),
        "{unlinked}"
    );
    let run = json_of(&athar(
        &data,
        &[
            "linkage",
            "run",
            "--list",
            &sources[0],
            "--list",
            &sources[1],
            "--json",
        ],
    ));
    assert_eq!(run["members"], 80, "{run}");
    let estimate = json_of(&athar(
        &data,
        &[
            "estimate",
            "--linked",
            &lists,
            "--method",
            "lincoln-petersen",
            "--json",
        ],
    ));
    // 40 × 40 / 20 = 80 when the 20 on both lists are found, and only they.
    let n = estimate["estimate"].as_f64().unwrap_or_default();
    assert!((n - 80.0).abs() < 1e-6, "{estimate}");
    let out = athar(
        &data,
        &["estimate", "--linked", &lists, "--method", "chapman"],
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(text.contains("60 persons from 80 person records"), "{text}");
    // By year of arrest: 20 × 20 / 10 = 40 in each year.
    let stratified = json_of(&athar(
        &data,
        &[
            "estimate",
            "--linked",
            &lists,
            "--method",
            "lincoln-petersen",
            "--stratum",
            "year",
            "--json",
        ],
    ));
    let strata = stratified["strata"].as_array().cloned().unwrap_or_default();
    let years: Vec<&str> = strata
        .iter()
        .filter_map(|s| s["stratum"].as_str())
        .collect();
    assert_eq!(years, ["2019", "2020"], "{stratified}");
    for stratum in &strata {
        let n = stratum["estimate"].as_f64().unwrap_or_default();
        assert!((n - 40.0).abs() < 1e-6, "{stratum}");
    }
    let out = athar(
        &data,
        &["estimate", "--linked", &lists, "--stratum", "colour"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("year, governorate"));
    // The report carries the same estimate. It names the lists by kind or maker, never by
    // their titles, which are sealed as identifying.
    let out_file = tmp.path().join("report.json");
    let report_in = |lang: &str| -> serde_json::Value {
        let out = athar(
            &data,
            &[
                "report",
                "--format",
                "json",
                "--lang",
                lang,
                "--estimate-lists",
                &lists,
                "--estimate-method",
                "lincoln-petersen",
                "--out",
                &out_file.display().to_string(),
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&std::fs::read(&out_file).unwrap_or_default()).unwrap_or_default()
    };
    let report = report_in("en");
    let said = report["estimate"]["text"].as_str().unwrap_or_default();
    assert!(
        said.contains("L1 (")
            && said.contains("L2 (")
            && !said.contains("List A")
            && said.contains("name 60 distinct persons")
            && said.contains("total at 80 "),
        "{said}"
    );
    assert_eq!(report["summary"]["persons"], 60, "{}", report["summary"]);
    assert!(
        report["estimate"]["warnings"]
            .to_string()
            .contains("assumes the lists are independent"),
        "{}",
        report["estimate"]
    );
    // In Arabic, the estimate's warnings are in Arabic too.
    let report = report_in("ar");
    let warnings = report["estimate"]["warnings"].to_string();
    assert!(
        warnings.contains("تقدير القائمتين يفترض") && !warnings.contains("assumes"),
        "{warnings}"
    );
}

/// An import killed at half, four fifths and nineteen twentieths of its time leaves the store
/// as it was or with the whole list —
/// never part of it — and verifiable; importing again completes it.
#[test]
fn an_import_killed_midway_writes_all_or_nothing() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let list = tmp.path().join("lists.csv");
    let list_arg = list.display().to_string();
    let made = athar(
        &tmp.path().join("unused"),
        &[
            "demo-lists",
            "--records",
            "5000",
            "--seed",
            "2",
            "--out",
            &list_arg,
        ],
    );
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let mapping = tmp.path().join("m.toml");
    let mut toml = String::from(
        "[list]\nname = \"Demo lists\"\nkey = \"id\"\n[columns]\n\"person\" = \"ignore\"\n\"list\" = \"ignore\"\n",
    );
    for field in &athar_demo::lists::ListRecord::HEADER[3..] {
        toml += &format!("\"{field}\" = \"{field}\"\n");
    }
    std::fs::write(&mapping, toml).unwrap_or_else(|e| panic!("{e}"));
    let mapping_arg = mapping.display().to_string();
    let import = [
        "import",
        list_arg.as_str(),
        "--mapping",
        mapping_arg.as_str(),
    ];
    let persons = |data: &std::path::Path| -> u64 {
        json_of(&athar(data, &["stats", "--json"]))["person_records"]
            .as_u64()
            .unwrap_or(u64::MAX)
    };

    // How long a whole import takes here.
    let whole = tmp.path().join("whole");
    assert!(athar(&whole, &["init"]).status.success());
    let started = std::time::Instant::now();
    let out = athar(&whole, &import);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let duration = started.elapsed();
    assert_eq!(persons(&whole), 5000);

    let killed_running =
        kill_imports_midway(tmp.path(), &import, 5000, duration, &[0.5, 0.8, 0.95]);
    assert!(
        killed_running >= 2,
        "the imports ended before they could be killed"
    );
}

/// Start `import` in fresh stores and kill it after each share of `duration` (what a whole
/// import took): each store must verify and hold none or all of the `expected` persons,
/// and importing again must complete it. A run may go faster than the one measured (the
/// machine was busier then): an import that ended before its kill is tried again, killed
/// sooner. Returns how many imports were killed while still running.
fn kill_imports_midway(
    dir: &std::path::Path,
    import: &[&str],
    expected: u64,
    duration: std::time::Duration,
    shares: &[f64],
) -> usize {
    let persons = |data: &std::path::Path| -> u64 {
        json_of(&athar(data, &["stats", "--json"]))["person_records"]
            .as_u64()
            .unwrap_or(u64::MAX)
    };
    let mut killed_running = 0;
    for (i, share) in shares.iter().enumerate() {
        for attempt in 0..5 {
            let data = dir.join(format!("killed{i}-{attempt}"));
            assert!(athar(&data, &["init"]).status.success());
            let mut child = Command::new(env!("CARGO_BIN_EXE_athar"))
                .arg("--data")
                .arg(&data)
                .args(import)
                .env("ATHAR_PASSPHRASE", PASS)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("{e}"));
            std::thread::sleep(duration.mul_f64(share * 0.6f64.powi(attempt)));
            let running = child.try_wait().ok().flatten().is_none();
            child.kill().ok();
            child.wait().ok();
            let verify = athar(&data, &["verify"]);
            assert!(
                verify.status.success(),
                "{}",
                String::from_utf8_lossy(&verify.stdout)
            );
            let found = persons(&data);
            assert!(
                found == 0 || found == expected,
                "killed at {share}: {found} persons"
            );
            // Importing again completes the list, once.
            assert!(athar(&data, import).status.success());
            assert_eq!(persons(&data), expected);
            if running {
                killed_running += 1;
                break;
            }
        }
    }
    killed_running
}

/// A list of ten thousand rows or more is written in bulk mode (a rollback journal, name
/// tags merged at the end): all of it, verifiable, and importing it again writes nothing.
#[test]
fn a_large_list_is_written_in_bulk_whole_and_once() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = tmp.path().join("store");
    assert!(athar(&data, &["init"]).status.success());
    const GIVEN: [&str; 8] = ["محمد", "أحمد", "سامر", "هبة", "ريم", "خالد", "عمر", "نور"];
    const FAMILY: [&str; 5] = ["الحلبي", "الخطيب", "العلي", "النجار", "الشامي"];
    let mut list = String::from("No.,الاسم,المواليد,تاريخ الاعتقال,الجهة\n");
    for i in 0..10_000 {
        list += &format!(
            "{i},{} {} {},{},{}-{:02},فرع فلسطين\n",
            GIVEN[i % 8],
            GIVEN[(i / 8) % 8],
            FAMILY[(i / 64) % 5],
            1960 + i % 40,
            2012 + i % 12,
            1 + i % 12
        );
    }
    let file = tmp.path().join("large.csv");
    std::fs::write(&file, list).unwrap_or_else(|e| panic!("{e}"));
    let mapping = tmp.path().join("large.toml");
    std::fs::write(
        &mapping,
        "[list]\nname = \"Large\"\nkey = \"No.\"\n[columns]\n\"الاسم\" = \"full_name\"\n\"المواليد\" = \"birth_date\"\n\"تاريخ الاعتقال\" = \"arrest.date\"\n\"الجهة\" = \"arrest.unit\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (f, m) = (file.display().to_string(), mapping.display().to_string());
    let started = std::time::Instant::now();
    let report = json_of(&athar(&data, &["import", &f, "--mapping", &m, "--json"]));
    let duration = started.elapsed();
    assert_eq!(report["created"], 10_000, "{report}");
    let verify = athar(&data, &["verify"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    let stats = json_of(&athar(&data, &["stats", "--json"]));
    assert_eq!(stats["person_records"], 10_000);
    assert_eq!(stats["arrests"], 10_000);
    let again = json_of(&athar(&data, &["import", &f, "--mapping", &m, "--json"]));
    assert_eq!(
        (again["unchanged"].as_u64(), again["written"].as_bool()),
        (Some(10_000), Some(false))
    );
    // Killed midway, a bulk load leaves its rollback journal behind: the next opening
    // rolls the store back to before the load.
    let import = ["import", f.as_str(), "--mapping", m.as_str()];
    let killed_running = kill_imports_midway(tmp.path(), &import, 10_000, duration, &[0.6]);
    assert_eq!(
        killed_running, 1,
        "the import ended before it could be killed"
    );
}

/// A store whose file was damaged on disk: `verify` says so in one clear failure, and with
/// --json a script gets JSON saying it failed — never silence, never the encryption
/// library's page-by-page log.
#[test]
fn a_damaged_store_file_fails_verify_with_an_answer_in_json_too() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = tmp.path().join("store");
    assert!(athar(&data, &["init"]).status.success());
    assert!(
        athar(&data, &["demo", "--persons", "30", "--seed", "3"])
            .status
            .success()
    );
    let file = data.join("athar.db");
    let mut bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{e}"));
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x5A;
    std::fs::write(&file, &bytes).unwrap_or_else(|e| panic!("{e}"));
    let out = athar(&data, &["verify", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    let failed =
        report["ok"] == false || report["problems"].as_array().is_some_and(|p| !p.is_empty());
    assert!(failed, "{report}");
    if report["ok"] == false {
        let error = report["error"].as_str().unwrap_or_default();
        assert!(
            error.contains("damaged") && error.contains("backup"),
            "the answer should say the file is damaged and what to do: {report}"
        );
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("ERROR CORE"), "{stderr}");
}

/// Percent-encode a query value as `curl --data-urlencode` does.
fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The README's "Try it" calls, run as written against `athar serve --demo`: each curl
/// line of its example, with the token the server printed, answers 200 with something in it.
#[test]
fn the_readmes_examples_run_against_a_demo_server() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .unwrap_or_else(|e| panic!("{e}"));
    let calls: Vec<&str> = readme
        .lines()
        .filter(|l| l.starts_with("curl ") && l.contains("$TOKEN"))
        .collect();
    assert!(calls.len() >= 5, "the README's examples: {calls:?}");

    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = tmp.path().join("demo");
    let log = tmp.path().join("serve.log");
    let log_file = std::fs::File::create(&log).unwrap_or_else(|e| panic!("{e}"));
    let mut server = Command::new(env!("CARGO_BIN_EXE_athar"))
        .arg("--data")
        .arg(&data)
        .args([
            "serve",
            "--demo",
            "--demo-persons",
            "300",
            "--addr",
            "127.0.0.1:0",
        ])
        .env_remove("ATHAR_PASSPHRASE")
        .stdout(std::process::Stdio::from(
            log_file.try_clone().unwrap_or_else(|e| panic!("{e}")),
        ))
        .stderr(std::process::Stdio::from(log_file))
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let (mut addr, mut token) = (String::new(), String::new());
    for _ in 0..600 {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if let Some(rest) = text.split("serving on http://").nth(1) {
            addr = rest.split('/').next().unwrap_or_default().to_string();
            token = text
                .split("Bearer ")
                .nth(1)
                .and_then(|t| t.split('\'').next())
                .unwrap_or_default()
                .to_string();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let printed = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(!addr.is_empty() && token.starts_with("ath_"), "{printed}");
    // The passphrase came first, before the long part.
    let passphrase_at = printed.find("Demo passphrase").unwrap_or(usize::MAX);
    let generating_at = printed.find("Generating").unwrap_or(0);
    assert!(passphrase_at < generating_at, "{printed}");

    for call in calls {
        // curl [-G] -H "Authorization: Bearer $TOKEN" URL [--data-urlencode "k=v"]
        let url = call
            .split_whitespace()
            .map(|w| w.trim_matches('"'))
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {call}"));
        let mut path = url
            .split_once("8080")
            .map(|(_, p)| p.to_string())
            .unwrap_or_else(|| panic!("{url}"));
        if let Some((_, data)) = call.split_once("--data-urlencode ") {
            let data = data.trim().trim_matches('"');
            let (key, value) = data.split_once('=').unwrap_or((data, ""));
            path.push(if path.contains('?') { '&' } else { '?' });
            path.push_str(&format!("{key}={}", url_encode(value)));
        }
        let (status, body) = http(&addr, "GET", &path, &token, None);
        assert_eq!(status, 200, "{call}: {body}");
        let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        let empty = |key: &str| json[key].as_array().is_some_and(|a| a.is_empty());
        assert!(
            !empty("items") && !empty("terms") && !empty("places") && !empty("cells"),
            "{call} found nothing: {body}"
        );
    }
    let _ = server.kill();
    let _ = server.wait();
}

/// Demo data has something to show for every feature: disappeared persons with the steps
/// their families took, so a WGEID case can be made — marked as demonstration data, and
/// in Arabic without English fragments.
#[test]
fn a_demo_person_gets_a_wgeid_case_marked_as_demonstration_data() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = tmp.path().join("store");
    assert!(athar(&data, &["init"]).status.success());
    assert!(
        athar(&data, &["demo", "--persons", "400", "--json"])
            .status
            .success()
    );
    let behind = athar(
        &data,
        &["stats", "--behind", "enforced_disappearances", "--json"],
    );
    let behind: serde_json::Value = serde_json::from_slice(&behind.stdout).unwrap_or_default();
    let persons: Vec<String> = behind["persons"]
        .as_array()
        .map(|p| {
            p.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    assert!(persons.len() > 10, "{behind}");
    let out = tmp.path().join("case.json");
    let made = persons.iter().find(|person| {
        let _ = std::fs::remove_file(&out);
        athar(
            &data,
            &[
                "wgeid",
                "--person",
                person,
                "--lang",
                "ar",
                "--out",
                &out.display().to_string(),
            ],
        )
        .status
        .success()
    });
    assert!(
        made.is_some(),
        "no demo person of {} gets a case",
        persons.len()
    );
    let case = std::fs::read_to_string(&out).unwrap_or_default();
    let case: serde_json::Value = serde_json::from_str(&case).unwrap_or_default();
    assert!(
        case["synthetic"]
            .as_str()
            .is_some_and(|s| s.contains("تجريبية")),
        "{case}"
    );
    let submission = case["submission"].to_string();
    assert!(
        !submission.contains("Local organisation") && !submission.contains("a relative)"),
        "{submission}"
    );
    assert!(
        case["steps"].as_array().is_some_and(|s| !s.is_empty()),
        "{case}"
    );
}

/// `athar find`: one search finds a name in every spelling and both scripts, closest first,
/// and its pages, followed with `--after`, give the same persons in the same order.
#[test]
fn a_name_is_found_in_every_spelling_and_script_page_by_page() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = tmp.path().join("store");
    assert!(athar(&data, &["init"]).status.success());
    json_of(&athar(
        &data,
        &["demo", "--persons", "300", "--seed", "5", "--json"],
    ));
    let find = |args: &[&str]| {
        let mut all = vec!["find"];
        all.extend_from_slice(args);
        json_of(&athar(&data, &all))
    };
    let arabic = find(&["محمد", "--limit", "500", "--json"]);
    let total = arabic["total"].as_u64().unwrap_or(0);
    assert!(total > 10, "{arabic}");
    assert_eq!(
        arabic["items"].as_array().map(Vec::len),
        Some(total as usize)
    );
    for spelling in ["Muhammad", "Mohammad", "Mohammed", "Mohamed"] {
        let page = find(&[spelling, "--limit", "500", "--json"]);
        assert_eq!(page["total"], total, "{spelling}");
        // Those written so come first.
        let closeness: Vec<&str> = page["items"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|i| i["closeness"].as_str().unwrap_or(""))
                    .collect()
            })
            .unwrap_or_default();
        let first_other = closeness
            .iter()
            .position(|c| *c != "same-spelling")
            .unwrap_or(closeness.len());
        assert!(first_other > 0, "{spelling}: {closeness:?}");
        assert!(
            closeness[first_other..]
                .iter()
                .all(|c| *c != "same-spelling"),
            "{spelling}: {closeness:?}"
        );
    }
    // Page by page.
    let whole: Vec<String> = find(&["Mohammed", "--limit", "500", "--json"])["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| i["id"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default();
    let mut paged = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut args = vec!["Mohammed", "--limit", "7", "--json"];
        if let Some(a) = &after {
            args.extend_from_slice(&["--after", a]);
        }
        let page = find(&args);
        assert_eq!(page["total"], total);
        paged.extend(
            page["items"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|i| i["id"].as_str().unwrap_or("").to_string()),
        );
        match page["next"].as_str() {
            Some(n) => after = Some(n.to_string()),
            None => break,
        }
    }
    assert_eq!(paged, whole);
    let text = athar(&data, &["find", "Mohammed", "--limit", "2"]);
    let shown = String::from_utf8_lossy(&text.stdout);
    assert!(
        shown.contains("closest first") && shown.contains("--after"),
        "{shown}"
    );
    let bad = athar(&data, &["find", "Mohammed", "--after", "somewhere"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--after"));
}
