//! # athar — the command line
//!
//! `athar init` creates an encrypted store; `athar serve` runs the API over it (with
//! `--demo`, on a fresh store filled with synthetic data); `athar demo` adds synthetic
//! persons; `athar verify` re-checks every revision and the audit chain; `athar shred`
//! destroys a record's identifying data for good; `athar audit head` prints the chain's
//! head for publishing or witnessing elsewhere; `athar backup` and `athar restore` copy the
//! store safely; `athar user add` and `athar token create` manage access. The store lives in
//! `--data DIR` (or `ATHAR_DATA`); its passphrase comes from `ATHAR_PASSPHRASE` or a prompt.

#![forbid(unsafe_code)]

mod demo;
mod estimate;
mod link;
mod linkage;
mod report;
mod stats;

/// Bulk writes allocate and free millions of small buffers across two threads; mimalloc
/// does that markedly cheaper than the system allocator (see docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use athar_model::RecordKind;
use athar_model::access::{Role, Scope};
use athar_store::accounts::NewUser;
use athar_store::{Accounts, Backend, DataDir, SqliteStore, Store, StoreError};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Parser)]
#[command(
    name = "athar",
    version,
    about = "Athar (أثر): documentation of detention, disappearance, torture and killing in Syria",
    long_about = "Athar records what happens to people — returns, arrests, detention, disappearance, fate — \
                  in an encrypted store with a tamper-evident history, and serves it over a JSON API.\n\n\
                  The passphrase is read from ATHAR_PASSPHRASE, or asked for at the terminal."
)]
struct Cli {
    /// Directory of the store (created by `athar init`).
    #[arg(long, global = true, env = "ATHAR_DATA", default_value = "athar-data")]
    data: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new encrypted store in the data directory.
    Init,
    /// Serve the JSON API over the store.
    Serve {
        /// Address to listen on. Beyond loopback, put a TLS proxy in front (session cookies are Secure).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Start on a fresh store filled with synthetic demo data. Generates and prints a
        /// passphrase unless ATHAR_PASSPHRASE is set; refuses an existing store.
        #[arg(long)]
        demo: bool,
        /// With --demo: how many synthetic persons to generate.
        #[arg(long, default_value_t = 1000, requires = "demo")]
        demo_persons: u64,
        /// The largest evidence file accepted, in bytes.
        #[arg(long, default_value_t = athar_server::DEFAULT_EVIDENCE_LIMIT)]
        evidence_limit: u64,
    },
    /// Add synthetic demo persons with their journeys (clearly labelled, deterministic by seed).
    Demo {
        /// How many persons to generate.
        #[arg(long, default_value_t = 1000)]
        persons: u64,
        /// Seed: the same seed gives the same persons.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write the same synthetic people as several lists name them (Arabic script and Latin
    /// transliterations, partial names, approximate years), with the true person of each
    /// record, to a CSV file: test data for record linkage (`athar link`, other tools).
    DemoLists {
        /// How many records to write.
        #[arg(long, default_value_t = 10_000)]
        records: usize,
        /// Seed: the same seed gives the same records.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The CSV file to write.
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Check every revision, the audit chain and the database pages; exit 1 naming the
    /// first entry that does not hold.
    Verify {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Destroy the identifying data (names, identifiers, contacts, notes, narratives) of a
    /// record in every revision, for good: its data keys are erased. Dates, places, kinds
    /// and the history of who changed what stay. Cannot be undone.
    Shred {
        /// The kind of record.
        #[arg(long, value_enum)]
        kind: KindArg,
        /// The record's id.
        id: String,
        /// Why, for the record's history and the audit log (no personal data).
        #[arg(long)]
        reason: String,
        /// Confirm that this cannot be undone.
        #[arg(long)]
        yes: bool,
    },
    /// Write a consistent encrypted snapshot of the store to a new file, even while the
    /// server runs; its SHA-256 goes into the audit chain. The data keys go to a separate
    /// FILE.keys, so that shredding can reach every backup (see docs/SECURITY.md).
    Backup {
        /// The backup file to create.
        #[arg(long)]
        out: PathBuf,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Restore a backup into the data directory (which must hold no store). The backup is
    /// opened with the passphrase and verified before it is put in place.
    Restore {
        /// The backup file.
        file: PathBuf,
        /// The keys file (default: the backup's name with .keys added). The newest keys file
        /// of the store fits any of its older backups.
        #[arg(long)]
        keys: Option<PathBuf>,
    },
    /// Import a list (CSV or other delimited text in any encoding, an Excel workbook, or a
    /// JSON list of records) following a mapping file
    /// (docs/IMPORT.md). Rows that cannot be read are refused and reported by line, column
    /// and reason; the rest are written in one transaction. Importing the same file again
    /// adds nothing.
    Import {
        /// The list file.
        file: PathBuf,
        /// The mapping file (TOML).
        #[arg(long, required_unless_present = "suggest")]
        mapping: Option<PathBuf>,
        /// Print a first mapping guessed from the headers and values, to edit; touches no
        /// store.
        #[arg(long, conflicts_with_all = ["mapping", "check", "strict", "json"])]
        suggest: bool,
        /// The list's name (default: [list] name of the mapping).
        #[arg(long)]
        list: Option<String>,
        /// Write nothing; report what would happen.
        #[arg(long)]
        check: bool,
        /// Refuse the whole file if any row is refused.
        #[arg(long)]
        strict: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Export persons as CSV, JSON, an Excel workbook (right-to-left) or Uwazi's CSV import
    /// format (formula cells defused), recorded in the audit chain.
    Export {
        /// csv, json, xlsx or uwazi.
        #[arg(long, default_value = "csv", value_parser = ["csv", "json", "xlsx", "uwazi"])]
        format: String,
        /// The file to create.
        #[arg(long)]
        out: PathBuf,
        /// Leave out names, identifiers, contacts and notes.
        #[arg(long)]
        pseudonymised: bool,
        /// Leave out persons who have not consented to this purpose.
        #[arg(long, value_parser = parse_purpose)]
        purpose: Option<athar_model::consent::Purpose>,
    },
    /// Make a signed evidence package of a person's case for a mechanism or a court: their
    /// records, events, sources and evidence files, with a manifest of hashes, custody and
    /// consent signed with the organisation's key. Refused without the person's consent to
    /// the purpose.
    Package {
        /// The person's id.
        #[arg(long)]
        person: String,
        /// wgeid, iiim, commission-of-inquiry, iimp, anonymised-publication,
        /// named-publication, coalition-sharing or documentation.
        #[arg(long, value_parser = parse_purpose)]
        purpose: athar_model::consent::Purpose,
        /// The package file to create.
        #[arg(long)]
        out: PathBuf,
    },
    /// Check an evidence package offline against the organisation's public key; exit 1
    /// naming every file that was added, removed or changed.
    VerifyPackage {
        file: PathBuf,
        /// The organisation's public key, hex (from `athar org list`).
        #[arg(long)]
        key: String,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Estimate how many people were never documented, from how lists overlap (Multiple
    /// Systems Estimation): two-list, log-linear with model selection, or Bayesian latent
    /// classes. Refuses, saying why, when the data cannot support the method.
    Estimate(estimate::EstimateArgs),
    /// Find the records of CSV files that describe the same person (Arabic script and Latin
    /// transliterations, partial names, approximate dates) and write each record's cluster.
    Link(link::LinkArgs),
    /// Record linkage of the persons in the store: run it over chosen lists, see the review
    /// queue, decide pairs. Nothing is merged; statistics count linked persons once.
    Linkage {
        #[command(subcommand)]
        command: linkage::LinkageCommand,
    },
    /// Headline figures (persons, returnees, arrests of children and women, arrests after
    /// forced return, enforced disappearances, deaths in custody, arrests by party) or, with
    /// --by, breakdowns with the records behind each cell. Rules: docs/DEFINITIONS.md.
    Stats(stats::StatsArgs),
    /// The periodic report — headline figures, charts over time, by party and on a map of
    /// Syria, breakdown tables, the returnees, an estimate, the method — as HTML or PDF, in
    /// Arabic or English, with the command behind each table that lists its records.
    Report(report::ReportArgs),
    /// A safety brief: the incidents recorded against returnees in one region and period —
    /// arrests, disappearances, deaths in custody — with pseudonymised returnees and
    /// sources, counts and a chart, for a lawyer answering "this region is safe".
    Brief(report::BriefArgs),
    /// The case of a disappeared person for the UN Working Group on Enforced or Involuntary
    /// Disappearances, printable in Arabic or English, or as JSON; refused, naming every
    /// missing element, when the records or the person's consent do not allow it.
    Wgeid(report::WgeidArgs),
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Organisations of a coalition server, each with its own key.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Accounts of people who sign in.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// API tokens for scripts.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Add an organisation (a coalition member) with a fresh key.
    Add { name: String },
    /// List the organisations.
    List,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add an account to the store's organisation. The password comes from
    /// ATHAR_USER_PASSWORD or a prompt. Administrators (and anyone given
    /// --second-factor) get a one-time-code secret: the command prints the otpauth:// link
    /// to enrol in an authenticator app, once.
    Add {
        username: String,
        /// viewer, documenter, analyst, org-admin or coalition-admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Enrol a one-time code even though the role does not require one.
        #[arg(long)]
        second_factor: bool,
        /// The organisation's name (default: the store's first organisation).
        #[arg(long)]
        organisation: Option<String>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Make an API token for an account; it is printed once.
    Create {
        /// The account the token acts as.
        #[arg(long)]
        user: String,
        /// What the token is for.
        #[arg(long)]
        name: String,
        /// read or write.
        #[arg(long, value_parser = parse_scope, default_value = "read")]
        scope: Scope,
        /// Days until it expires (1 to 365).
        #[arg(long, default_value_t = 30)]
        days: u32,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| {
        format!(
            "unknown role {text:?}; one of viewer, documenter, analyst, org-admin, coalition-admin"
        )
    })
}

fn parse_purpose(text: &str) -> Result<athar_model::consent::Purpose, String> {
    athar_model::consent::Purpose::ALL
        .into_iter()
        .find(|p| p.code() == text)
        .ok_or_else(|| format!("unknown purpose {text:?}"))
}

fn parse_scope(text: &str) -> Result<Scope, String> {
    Scope::parse(text).ok_or_else(|| format!("unknown scope {text:?}; read or write"))
}

/// Create an account in the store's own organisation; returns the enrolment link of its
/// one-time code, if it got one.
fn add_user(
    store: &SqliteStore,
    username: &str,
    role: Role,
    password: &str,
    second_factor: bool,
    organisation: Option<&str>,
) -> Result<Option<String>, String> {
    if password.chars().count() < athar_crypto::auth::MIN_PASSWORD_CHARS {
        return Err(format!(
            "choose a password of at least {} characters",
            athar_crypto::auth::MIN_PASSWORD_CHARS
        ));
    }
    let keyring = store.keyring();
    let organisation = match organisation {
        Some(name) => keyring
            .organisations()
            .iter()
            .find(|o| o.name == name)
            .map(|o| o.num)
            .ok_or_else(|| format!("no organisation named {name:?}; see `athar org list`"))?,
        None => own_organisation(store)?,
    };
    let totp = if second_factor || role.needs_second_factor() {
        Some(athar_crypto::auth::TotpSecret::generate().map_err(|e| e.to_string())?)
    } else {
        None
    };
    let password_hash = athar_crypto::auth::hash_password(password).map_err(|e| e.to_string())?;
    store
        .create_user(
            "cli",
            NewUser {
                username: username.to_string(),
                role,
                organisation,
                password_hash,
                totp_secret: totp.as_ref().map(|t| t.as_bytes().to_vec()),
            },
        )
        .map_err(|e| e.to_string())?;
    totp.map(|t| t.otpauth_uri(username).map_err(|e| e.to_string()))
        .transpose()
}

/// Make an API token for `username`; returns the token.
fn create_token(
    store: &SqliteStore,
    username: &str,
    name: &str,
    scope: Scope,
    days: u32,
) -> Result<String, String> {
    let user = store
        .user_by_name(username)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no account named {username:?}"))?;
    let (token, _) = athar_app::accounts::issue_token(store, &user, name, scope, days)
        .map_err(|e| e.to_string())?;
    Ok(token)
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Print the last entry of the audit chain: its hash commits to the whole history, so
    /// publishing it lets anyone check later that nothing before it was changed.
    Head {
        /// Print it as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum KindArg {
    Person,
    Event,
    Involvement,
    Source,
    Match,
}

impl From<KindArg> for RecordKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Person => RecordKind::Person,
            KindArg::Event => RecordKind::Event,
            KindArg::Involvement => RecordKind::Involvement,
            KindArg::Source => RecordKind::Source,
            KindArg::Match => RecordKind::Match,
        }
    }
}

fn passphrase(confirm: bool) -> Result<String, String> {
    if let Ok(p) = std::env::var("ATHAR_PASSPHRASE")
        && !p.is_empty()
    {
        return Ok(p);
    }
    let first = rpassword::prompt_password("Passphrase / عبارة المرور: ")
        .map_err(|e| format!("cannot read the passphrase: {e}"))?;
    if confirm {
        let again = rpassword::prompt_password("Again / مرة أخرى: ")
            .map_err(|e| format!("cannot read the passphrase: {e}"))?;
        if again != first {
            return Err("the two passphrases differ".into());
        }
        if first.chars().count() < 12 {
            return Err("choose a passphrase of at least 12 characters".into());
        }
    }
    Ok(first)
}

/// Open the store in `dir` with the passphrase from the environment or the terminal.
fn open_store(dir: &DataDir) -> Result<SqliteStore, String> {
    let pass = passphrase(false)?;
    SqliteStore::open(dir, &pass).map_err(|e| e.to_string())
}

/// Lists of at least this many rows are written in bulk mode.
const BULK_IMPORT_ROWS: usize = 10_000;
/// The page cache a bulk import may grow to, in MiB: a million rows take it all.
const IMPORT_CACHE_MIB: u32 = 1024;

/// The store's own organisation (the one the command line acts for).
fn own_organisation(store: &SqliteStore) -> Result<i64, String> {
    Ok(store
        .keyring()
        .default_organisation()
        .map_err(|e| e.to_string())?
        .num)
}

fn progress_bar(total: u64, unit: &str) -> ProgressBar {
    let bar = ProgressBar::new(total);
    let template = format!("{{bar:40}} {{pos}}/{{len}} {unit} ({{per_sec}}, {{eta}} left)");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
}

fn run_demo(
    store: &SqliteStore,
    persons: u64,
    seed: u64,
    quiet: bool,
) -> Result<demo::DemoSummary, StoreError> {
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        progress_bar(persons, "persons")
    };
    let summary = demo::write_demo(store, persons, seed, &mut |n| bar.set_position(n))?;
    bar.finish_and_clear();
    Ok(summary)
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    let dir = DataDir::new(&cli.data);
    match cli.command {
        Command::Init => {
            let pass = passphrase(true)?;
            SqliteStore::create(&dir, &pass, "cli").map_err(|e| e.to_string())?;
            println!("Created an encrypted store in {}", dir.root.display());
            println!(
                "Keep the passphrase and {} safe: without both the store cannot be opened.",
                athar_store::layout::KEY_FILE
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo {
            persons,
            seed,
            json,
        } => {
            let store = open_store(&dir)?;
            let summary = run_demo(&store, persons, seed, json).map_err(|e| e.to_string())?;
            if json {
                println!("{}", serde_json::to_string(&summary).unwrap_or_default());
            } else {
                println!(
                    "Wrote {} synthetic persons ({} records) in {:.1} s: {:.0} persons/s",
                    summary.persons, summary.records, summary.seconds, summary.persons_per_second
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::DemoLists { records, seed, out } => {
            let mut writer = csv::Writer::from_writer(Vec::new());
            let write_error = |e: csv::Error| format!("cannot write {}: {e}", out.display());
            writer
                .write_record(athar_demo::lists::ListRecord::HEADER)
                .map_err(write_error)?;
            let mut people = std::collections::HashSet::new();
            for record in athar_demo::lists::ListGenerator::new(seed).take(records) {
                people.insert(record.person);
                writer.write_record(record.fields()).map_err(write_error)?;
            }
            let bytes = writer
                .into_inner()
                .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
            link::write_atomically(&out, &bytes)?;
            println!(
                "Wrote {records} synthetic list records of {} people to {}.",
                people.len(),
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify { json } => {
            let store = open_store(&dir)?;
            let total = store.count(RecordKind::Person).unwrap_or(0);
            let bar = if json || total < 10_000 {
                ProgressBar::hidden()
            } else {
                ProgressBar::new_spinner()
            };
            let report = store
                .verify(&mut |n| bar.set_message(format!("{n} revisions checked")))
                .map_err(|e| e.to_string())?;
            bar.finish_and_clear();
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
            } else if report.ok() {
                println!(
                    "OK: {} audit entries and {} revisions verified; chain head {}",
                    report.audit_entries, report.revisions, report.head
                );
            } else {
                eprintln!(
                    "FAILED: {} problem(s); the first: {}",
                    report.problems.len(),
                    report.problems[0]
                );
                for p in report.problems.iter().skip(1).take(20) {
                    eprintln!("  also: {p}");
                }
            }
            Ok(if report.ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Shred {
            kind,
            id,
            reason,
            yes,
        } => {
            let id: athar_model::RecordId = id
                .parse()
                .map_err(|_| format!("{id:?} is not a record id"))?;
            if !yes {
                return Err(
                    "shredding destroys the record's identifying data for good; pass --yes to confirm"
                        .into(),
                );
            }
            let store = open_store(&dir)?;
            let written = store
                .shred(kind.into(), id, "cli", &reason)
                .map_err(|e| e.to_string())?;
            println!(
                "Shredded {} {id}: its identifying data is gone (revision {}, audit entry {}).",
                RecordKind::from(kind).name(),
                written.revisions.first().map_or(0, |r| r.1),
                written.audit_seq
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { out, json } => {
            let store = open_store(&dir)?;
            let summary = store
                .backup(&dir.key_file(), &out)
                .map_err(|e| e.to_string())?;
            if json {
                println!("{}", serde_json::to_string(&summary).unwrap_or_default());
            } else {
                println!(
                    "Backed up to {} ({} bytes, SHA-256 {}).",
                    out.display(),
                    summary.bytes,
                    summary.sha256
                );
                println!(
                    "Its {} data keys are in {}: keep that file apart from the backup, keep only the newest \
                     one (it fits every older backup), and destroy older ones after shredding anything. \
                     Both files need the passphrase.",
                    summary.keys,
                    summary.keys_file.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { file, keys } => {
            let pass = passphrase(false)?;
            let keys = keys.unwrap_or_else(|| athar_store::sqlite::keys_file_of(&file));
            let report =
                SqliteStore::restore(&dir, &file, &keys, &pass).map_err(|e| e.to_string())?;
            println!(
                "Restored into {}: {} audit entries and {} revisions verified.",
                dir.root.display(),
                report.audit_entries,
                report.revisions
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            file,
            mapping,
            suggest,
            list,
            check,
            strict,
            json,
        } => {
            let bytes =
                std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            if suggest {
                let table = athar_ingest::table::read_any(&bytes)
                    .map_err(|e| format!("{}: {e}", file.display()))?;
                print!(
                    "{}",
                    athar_ingest::suggest::suggest(&table, athar_model::Vocabularies::embedded())
                );
                return Ok(ExitCode::SUCCESS);
            }
            let mapping = mapping.unwrap_or_default();
            let mapping_text = std::fs::read_to_string(&mapping)
                .map_err(|e| format!("cannot read {}: {e}", mapping.display()))?;
            let mapping = athar_ingest::mapping::Mapping::parse(
                &mapping_text,
                athar_model::Vocabularies::embedded(),
            )
            .map_err(|e| format!("{}: {e}", mapping.display()))?;
            let table = athar_ingest::table::read_any(&bytes)
                .map_err(|e| format!("{}: {e}", file.display()))?;
            let store = open_store(&dir)?;
            let options = athar_ingest::import::ImportOptions {
                list: list.or(mapping.list_name.clone()).unwrap_or_default(),
                check,
                strict,
                author: "cli".into(),
                owner: None,
            };
            let bar = if json || table.rows.len() < 1000 {
                ProgressBar::hidden()
            } else {
                progress_bar(table.rows.len() as u64, "rows")
            };
            // A large list is written as the demo's bulk loads are: a rollback journal (each
            // page written once) and name tags merged at the end, as one transaction still.
            // Its record ids derive from its rows, so they come in random order and the
            // indexes are reached at random pages: a larger cache pays (docs/BENCHMARKS.md).
            let bulk = !check && table.rows.len() >= BULK_IMPORT_ROWS;
            if bulk {
                store.set_bulk_mode(true).map_err(|e| e.to_string())?;
                store
                    .set_bulk_cache_mib(IMPORT_CACHE_MIB)
                    .map_err(|e| e.to_string())?;
            }
            let imported = athar_ingest::import::import_table_with_progress(
                &store,
                &table,
                &mapping,
                &options,
                &mut |n| bar.set_position(n as u64),
            );
            if bulk {
                store.set_bulk_mode(false).map_err(|e| e.to_string())?;
            }
            let report = imported.map_err(|e| e.to_string())?;
            bar.finish_and_clear();
            let mut report = report;
            if let Some(source) = report.source
                && !check
                && store.get(athar_model::RecordKind::Source, source).is_ok()
            {
                let org = own_organisation(&store)?;
                report.original = Some(
                    athar_ingest::import::keep_original(
                        &store,
                        org,
                        "cli",
                        source,
                        &bytes,
                        file.file_name().and_then(|n| n.to_str()),
                    )
                    .map_err(|e| e.to_string())?,
                );
            }
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
            } else {
                println!(
                    "{}: {} rows ({}, delimiter {:?}): {} new, {} changed, {} unchanged, {} refused{}",
                    report.list,
                    report.rows,
                    report.encoding,
                    report.delimiter,
                    report.created,
                    report.updated,
                    report.unchanged,
                    report.refused.len(),
                    if report.written {
                        ""
                    } else {
                        " — nothing written"
                    }
                );
                if let (true, Some(source)) = (report.written, report.source) {
                    println!(
                        "  kept as source {source} (for athar linkage run --list, athar estimate --linked)"
                    );
                }
                if let Some(original) = report.original.filter(|o| o.new) {
                    println!(
                        "  the file itself kept, sealed, as evidence {} about the list",
                        original.evidence
                    );
                }
                for r in &report.refused {
                    println!(
                        "  refused: line {}, column {}: {}",
                        r.line, r.column, r.reason
                    );
                }
                for w in &report.warnings {
                    println!("  note: line {}, column {}: {}", w.line, w.column, w.reason);
                }
                if !report.unmapped_columns.is_empty() {
                    println!(
                        "  columns not imported: {}",
                        report.unmapped_columns.join(", ")
                    );
                }
                if !report.missing_columns.is_empty() {
                    println!(
                        "  mapped columns missing from the file: {}",
                        report.missing_columns.join(", ")
                    );
                }
            }
            Ok(if report.refused.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Export {
            format,
            out,
            pseudonymised,
            purpose,
        } => {
            let store = open_store(&dir)?;
            let org = own_organisation(&store)?;
            let mut file = std::fs::File::create_new(&out)
                .map_err(|e| format!("cannot create {}: {e}", out.display()))?;
            let options = athar_ingest::export::ExportOptions {
                format: match format.as_str() {
                    "json" => athar_ingest::export::Format::Json,
                    "xlsx" => athar_ingest::export::Format::Xlsx,
                    "uwazi" => athar_ingest::export::Format::Uwazi,
                    _ => athar_ingest::export::Format::Csv,
                },
                pseudonymised,
                purpose,
                author: "cli".into(),
                org,
            };
            let report = athar_ingest::export::export_persons(&store, &options, &mut file)
                .map_err(|e| e.to_string())?;
            println!(
                "Wrote {} persons to {} (SHA-256 {}){}.",
                report.persons,
                out.display(),
                report.sha256,
                if report.left_out_without_consent > 0 {
                    format!(
                        "; {} left out without consent to the purpose",
                        report.left_out_without_consent
                    )
                } else {
                    String::new()
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Package {
            person,
            purpose,
            out,
        } => {
            let person: athar_model::RecordId = person
                .parse()
                .map_err(|_| format!("{person:?} is not a record id"))?;
            let store = open_store(&dir)?;
            let org = own_organisation(&store)?;
            let file = std::fs::File::create_new(&out)
                .map_err(|e| format!("cannot create {}: {e}", out.display()))?;
            let scope = athar_app::Scope::new(&store, athar_app::OrgId::new(org), "cli");
            match scope.evidence_package(person, purpose, file) {
                Ok(summary) => {
                    println!(
                        "Wrote {}: {} records, {} evidence files. Check it with: athar verify-package {} --key {}",
                        out.display(),
                        summary.records,
                        summary.evidence,
                        out.display(),
                        summary.public_key
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    let _ = std::fs::remove_file(&out);
                    Err(e.to_string())
                }
            }
        }
        Command::Estimate(args) => estimate::run(args, &dir),
        Command::Link(args) => link::run(args),
        Command::Linkage { command } => {
            let store = open_store(&dir)?;
            let org = own_organisation(&store)?;
            linkage::run(command, &store, org)
        }
        Command::Stats(args) => {
            let store = open_store(&dir)?;
            let org = own_organisation(&store)?;
            stats::run(args, &store, org)
        }
        Command::Report(args) => {
            let store = open_store(&dir)?;
            let org = own_organisation(&store)?;
            report::run(args, &store, org)
        }
        Command::Brief(args) => {
            let store = open_store(&dir)?;
            let org = own_organisation(&store)?;
            report::run_brief(args, &store, org)
        }
        Command::Wgeid(args) => {
            let store = open_store(&dir)?;
            let org = own_organisation(&store)?;
            report::run_wgeid(args, &store, org)
        }
        Command::VerifyPackage { file, key, json } => {
            let mut input = std::io::BufReader::new(
                std::fs::File::open(&file)
                    .map_err(|e| format!("cannot open {}: {e}", file.display()))?,
            );
            let report = athar_report::package::verify_package(&mut input, &key);
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
            } else if report.ok() {
                println!(
                    "OK: {} files match the manifest signed by {}.",
                    report.files,
                    report.organisation.as_deref().unwrap_or("?")
                );
            } else {
                for p in &report.problems {
                    eprintln!("FAILED: {p}");
                }
            }
            Ok(if report.ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Audit {
            command: AuditCommand::Head { json },
        } => {
            let store = open_store(&dir)?;
            let head = store.audit_head().map_err(|e| e.to_string())?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&head).unwrap_or_default()
                );
            } else {
                println!(
                    "{} (audit entry {}, {} by {})",
                    head.hash, head.seq, head.action, head.actor
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    role,
                    second_factor,
                    organisation,
                },
        } => {
            let store = open_store(&dir)?;
            let password = match std::env::var("ATHAR_USER_PASSWORD") {
                Ok(p) if !p.is_empty() => p,
                _ => rpassword::prompt_password(format!("Password for {username} / كلمة المرور: "))
                    .map_err(|e| format!("cannot read the password: {e}"))?,
            };
            let link = add_user(
                &store,
                &username,
                role,
                &password,
                second_factor,
                organisation.as_deref(),
            )?;
            println!("Added {username} as {} ({}).", role.name(), role.name_ar());
            if let Some(link) = link {
                println!(
                    "Enrol this one-time-code link in an authenticator app now; it is not shown again:"
                );
                println!("{link}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Org { command } => {
            let store = open_store(&dir)?;
            if let OrgCommand::Add { name } = &command {
                let org = store
                    .create_organisation("cli", name)
                    .map_err(|e| e.to_string())?;
                println!(
                    "Added organisation {} ({}), number {}.",
                    org.name, org.id, org.num
                );
            } else {
                println!("number\tid\tname\tpublic key (for verify-package)");
                for org in store.keyring().organisations() {
                    println!(
                        "{}\t{}\t{}\t{}",
                        org.num,
                        org.id,
                        org.name,
                        org.public_key()
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Token {
            command:
                TokenCommand::Create {
                    user,
                    name,
                    scope,
                    days,
                },
        } => {
            let store = open_store(&dir)?;
            let token = create_token(&store, &user, &name, scope, days)?;
            println!("{token}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve {
            addr,
            demo,
            demo_persons,
            evidence_limit,
        } => {
            let mut demo_token = None;
            let store = if demo {
                if dir.is_initialised() {
                    return Err(format!(
                        "{} holds a store already; --demo starts a fresh one. Use another --data directory, or serve without --demo",
                        dir.root.display()
                    ));
                }
                let (pass, generated) = match std::env::var("ATHAR_PASSPHRASE") {
                    Ok(p) if !p.is_empty() => (p, false),
                    _ => (
                        athar_crypto::generate_passphrase().map_err(|e| e.to_string())?,
                        true,
                    ),
                };
                let store = SqliteStore::create(&dir, &pass, "cli").map_err(|e| e.to_string())?;
                println!("Generating {demo_persons} synthetic demo persons …");
                let summary =
                    run_demo(&store, demo_persons, 1, false).map_err(|e| e.to_string())?;
                println!(
                    "Demo store in {} with {} synthetic persons.",
                    dir.root.display(),
                    summary.persons
                );
                if generated {
                    println!("Demo passphrase (needed to open this store again): {pass}");
                }
                let password = athar_crypto::generate_passphrase().map_err(|e| e.to_string())?;
                add_user(&store, "demo", Role::Documenter, &password, false, None)?;
                let token = create_token(&store, "demo", "demo", Scope::Write, 30)?;
                println!(
                    "Demo account: demo / {password} (documenter); sign in with POST /api/session"
                );
                demo_token = Some(token);
                store
            } else {
                open_store(&dir)?
            };
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind(addr)
                    .await
                    .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
                let local = listener.local_addr().map_err(|e| e.to_string())?;
                println!("Athar is serving on http://{local}/");
                if let Some(token) = &demo_token {
                    println!(
                        "Try: curl -H 'Authorization: Bearer {token}' http://{local}/api/persons"
                    );
                }
                let mut state = athar_server::AppState::new(Arc::new(store) as Arc<dyn Backend>);
                state.evidence_limit = evidence_limit;
                let shutdown = async {
                    let _ = tokio::signal::ctrl_c().await;
                };
                athar_server::serve(listener, state, shutdown)
                    .await
                    .map_err(|e| e.to_string())
            })?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Output cut short by its reader (`athar stats | head`) ends the command quietly, as it
/// does for other command-line tools, instead of a panic about a broken pipe.
fn quiet_on_closed_output() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.contains("failed printing to stdout") && message.contains("Broken pipe") {
            // 128 + SIGPIPE, what a shell reports for a command stopped by a closed pipe.
            std::process::exit(141);
        }
        default(info);
    }));
}

fn main() -> ExitCode {
    quiet_on_closed_output();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ATHAR_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("athar: {message}");
            ExitCode::from(2)
        }
    }
}
