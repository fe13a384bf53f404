//! # athar — the command line
//!
//! `athar init` creates an encrypted store; `athar serve` runs the API over it (with
//! `--demo`, on a fresh store filled with synthetic data); `athar demo` adds synthetic
//! persons; `athar verify` re-checks every revision and the audit chain; `athar shred`
//! destroys a record's identifying data for good; `athar audit head` prints the chain's
//! head for publishing or witnessing elsewhere. The store lives in
//! `--data DIR` (or `ATHAR_DATA`); its passphrase comes from `ATHAR_PASSPHRASE` or a prompt.

#![forbid(unsafe_code)]

mod demo;

/// Bulk writes allocate and free millions of small buffers across two threads; mimalloc
/// does that markedly cheaper than the system allocator (see docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use athar_model::RecordKind;
use athar_store::{DataDir, SqliteStore, Store, StoreError};
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
        /// Address to listen on. The API has no accounts yet: keep it on loopback.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Start on a fresh store filled with synthetic demo data. Generates and prints a
        /// passphrase unless ATHAR_PASSPHRASE is set; refuses an existing store.
        #[arg(long)]
        demo: bool,
        /// With --demo: how many synthetic persons to generate.
        #[arg(long, default_value_t = 1000, requires = "demo")]
        demo_persons: u64,
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
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
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
}

impl From<KindArg> for RecordKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Person => RecordKind::Person,
            KindArg::Event => RecordKind::Event,
            KindArg::Involvement => RecordKind::Involvement,
            KindArg::Source => RecordKind::Source,
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
            let pass = passphrase(false)?;
            let store = SqliteStore::open(&dir, &pass).map_err(|e| e.to_string())?;
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
        Command::Verify { json } => {
            let pass = passphrase(false)?;
            let store = SqliteStore::open(&dir, &pass).map_err(|e| e.to_string())?;
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
            let pass = passphrase(false)?;
            let store = SqliteStore::open(&dir, &pass).map_err(|e| e.to_string())?;
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
        Command::Audit {
            command: AuditCommand::Head { json },
        } => {
            let pass = passphrase(false)?;
            let store = SqliteStore::open(&dir, &pass).map_err(|e| e.to_string())?;
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
        Command::Serve {
            addr,
            demo,
            demo_persons,
        } => {
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
                store
            } else {
                let pass = passphrase(false)?;
                SqliteStore::open(&dir, &pass).map_err(|e| e.to_string())?
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
                println!("Athar is serving on http://{local}/ — try http://{local}/api/persons");
                let state = athar_server::AppState::new(Arc::new(store) as Arc<dyn Store>);
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

fn main() -> ExitCode {
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
