//! `athar demo`: write synthetic demo persons into the store.
//!
//! Generation and writing overlap: one thread generates batches of persons while the
//! calling thread writes the previous batch in one transaction (one audit entry each).

use std::sync::mpsc::sync_channel;
use std::time::Instant;

use athar_model::Vocabularies;
use athar_store::{Change, ChangeSet, Prepared, SqliteStore, Store, StoreError, prepare};

/// Persons per transaction: large enough to amortise the commit, small enough that an
/// interrupted run loses little and memory stays bounded.
pub const BATCH_PERSONS: u64 = 5_000;

#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct DemoSummary {
    pub persons: u64,
    pub records: u64,
    pub seconds: f64,
    pub persons_per_second: f64,
}

/// Generate `persons` demo persons from `seed` and write them. `progress` is told how many
/// persons are written so far.
pub fn write_demo(
    store: &SqliteStore,
    persons: u64,
    seed: u64,
    progress: &mut dyn FnMut(u64),
) -> Result<DemoSummary, StoreError> {
    let started = Instant::now();
    let (tx, rx) = sync_channel::<(u64, Result<Prepared, StoreError>)>(2);
    let keyring = store.keyring_handle();
    let generator = std::thread::spawn(move || {
        let mut records = athar_demo::generate(seed, persons);
        let mut remaining = persons;
        while remaining > 0 {
            let n = remaining.min(BATCH_PERSONS);
            let mut changes = Vec::with_capacity(n as usize * 10);
            for person in records.by_ref().take(n as usize) {
                changes.extend(
                    person
                        .into_iter()
                        .map(|(id, body)| Change::Create { id, body }),
                );
            }
            remaining -= n;
            // Checking, sealing and encoding happen here, beside the writer, on the other core.
            let set = ChangeSet {
                author: "demo".into(),
                owner: None,
                action: "demo.generate".into(),
                changes,
            };
            let prepared = prepare(set, Vocabularies::embedded(), &keyring);
            if tx.send((n, prepared)).is_err() {
                break;
            }
        }
    });
    store.set_bulk_mode(true)?;
    let mut written = 0u64;
    let mut records = 0u64;
    let mut result = Ok(());
    for (n, prepared) in rx {
        let written_now = prepared.and_then(|p| {
            records += p.len() as u64;
            store.write_prepared(p)
        });
        if let Err(e) = written_now {
            result = Err(e);
            break;
        }
        written += n;
        progress(written);
    }
    let _ = generator.join();
    store.set_bulk_mode(false)?;
    result?;
    let seconds = started.elapsed().as_secs_f64();
    Ok(DemoSummary {
        persons: written,
        records,
        seconds,
        persons_per_second: written as f64 / seconds.max(1e-9),
    })
}

/// Write the families' tracing demo over the demo persons of `seed` (`athar_demo::tracing`):
/// the recovered register's entries and the families' reports, in one transaction. How
/// many of each.
pub fn write_tracing_demo(
    store: &SqliteStore,
    persons: u64,
    seed: u64,
) -> Result<(usize, usize), StoreError> {
    let records = athar_demo::tracing::generate(seed, persons);
    let count = |with_contact: bool| {
        records
            .iter()
            .filter(|(_, b)| {
                matches!(b, athar_model::RecordBody::Person(p) if p.contact.is_some() == with_contact)
            })
            .count()
    };
    let counts = (count(false), count(true));
    let set = ChangeSet {
        author: "demo".into(),
        owner: None,
        action: "demo.tracing".into(),
        changes: records
            .into_iter()
            .map(|(id, body)| Change::Create { id, body })
            .collect(),
    };
    store.write_prepared(prepare(set, Vocabularies::embedded(), &store.keyring())?)?;
    Ok(counts)
}

use crate::{DataDir, ExitCode, ProgressBar, link, open_store, progress_bar};

#[derive(clap::Args)]
pub struct DemoArgs {
    /// How many persons to generate.
    /// عدد الأشخاص المراد توليدهم.
    #[arg(long, default_value_t = 1000)]
    pub persons: u64,
    /// Seed: the same seed gives the same persons, so a second run needs another seed to
    /// add more.
    /// البذرة: البذرة نفسها تعطي الأشخاص أنفسهم، فالتشغيل الثاني يحتاج بذرة أخرى لإضافة المزيد.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print the summary as JSON.
    /// طباعة الملخص بصيغة JSON.
    #[arg(long)]
    pub json: bool,
    /// Also write a recovered death register naming some of these persons as registers
    /// spell them, and families' reports of some of the missing (as `serve --demo` does).
    /// اكتب أيضاً سجلّ وفيات مستعاداً يذكر بعض هؤلاء الأشخاص كما تكتبهم السجلات، وبلاغات
    /// عائلات عن بعض المفقودين (كما يفعل `serve --demo`).
    #[arg(long)]
    pub tracing: bool,
}

#[derive(clap::Args)]
pub struct DemoListsArgs {
    /// How many records to write.
    /// عدد السجلات المراد كتابتها.
    #[arg(long, default_value_t = 10_000)]
    pub records: usize,
    /// Seed: the same seed gives the same records.
    /// البذرة: البذرة نفسها تعطي السجلات نفسها.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The CSV file to write.
    /// ملف CSV المراد كتابته.
    #[arg(long)]
    pub out: std::path::PathBuf,
    /// Add brothers, sisters and cousins: the same father, family and mother with another
    /// given name, or the same family and grandfather — the hard cases for linkage.
    /// إضافة إخوة وأخوات وأبناء عمومة: الأب والعائلة والأم أنفسهم باسم آخر، أو العائلة والجد أنفسهم.
    #[arg(long)]
    pub families: bool,
}

pub fn demo(args: DemoArgs, dir: &DataDir) -> Result<ExitCode, String> {
    let DemoArgs {
        persons,
        seed,
        json,
        tracing,
    } = args;
    let store = open_store(dir)?;
    if !json && persons > BATCH_PERSONS {
        eprintln!(
            "Writing {persons} synthetic persons in batches of {BATCH_PERSONS}; an interrupted run keeps the batches already written."
        );
    }
    let summary = run_demo(&store, persons, seed, json).map_err(|e| match e {
        StoreError::Exists { .. } => format!(
            "the store already holds the demo persons of seed {seed} (the same seed gives the same persons): give another seed to add more, e.g. --seed {}",
            seed + 1
        ),
        other => other.to_string(),
    })?;
    if json {
        println!("{}", serde_json::to_string(&summary).unwrap_or_default());
    } else {
        println!(
            "Wrote {} synthetic persons ({} records) in {:.1} s: {:.0} persons/s",
            summary.persons, summary.records, summary.seconds, summary.persons_per_second
        );
    }
    if tracing {
        let (entries, reports) =
            write_tracing_demo(&store, persons, seed).map_err(|e| e.to_string())?;
        if !json {
            println!(
                "Wrote a recovered death register naming {entries} of them and {reports} families' reports of the missing."
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn demo_lists(args: DemoListsArgs) -> Result<ExitCode, String> {
    let DemoListsArgs {
        records,
        seed,
        out,
        families,
    } = args;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let write_error = |e: csv::Error| format!("cannot write {}: {e}", out.display());
    writer
        .write_record(athar_demo::lists::ListRecord::HEADER)
        .map_err(write_error)?;
    let mut people = std::collections::HashSet::new();
    let generator = if families {
        athar_demo::lists::ListGenerator::with_families(seed)
    } else {
        athar_demo::lists::ListGenerator::new(seed)
    };
    for record in generator.take(records) {
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

/// Write demo persons with a progress bar (none when quiet).
pub fn run_demo(
    store: &SqliteStore,
    persons: u64,
    seed: u64,
    quiet: bool,
) -> Result<DemoSummary, StoreError> {
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        progress_bar(persons, "persons")
    };
    let summary = write_demo(store, persons, seed, &mut |n| bar.set_position(n))?;
    bar.finish_and_clear();
    Ok(summary)
}
