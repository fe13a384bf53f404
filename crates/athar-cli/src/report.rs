//! `athar report`: the periodic report of the store's records as HTML, PDF or JSON, in
//! Arabic or English.
//!
//! Reads what the store's own organisation can see (linked persons counted once), builds
//! the report (`athar_report::periodic`), optionally estimates the undocumented from lists
//! in the store, and writes the file whole or not at all. The report is recorded in the
//! audit chain with the SHA-256 of what was written, so a published file can be traced to
//! the store and moment it came from.

use std::path::PathBuf;
use std::process::ExitCode;

use athar_model::RecordKind;
use athar_model::record::RecordBody;
use athar_model::vocab::{Lang, Vocabularies};
use athar_report::periodic::{EstimateInput, ReportOptions};
use athar_stats::mse::{self, CaptureTable, Method, MethodOptions};
use athar_store::{SqliteStore, Store};
use sha2::{Digest, Sha256};

#[derive(clap::Args)]
pub struct ReportArgs {
    /// The first day of the period (e.g. 2024-01, 2024-01-15, 2023); open when absent.
    #[arg(long)]
    from: Option<String>,
    /// The last day of the period (2024-06 means up to 30 June 2024).
    #[arg(long)]
    to: Option<String>,
    /// The report's language: ar (right to left) or en.
    #[arg(long, default_value = "en", value_parser = ["ar", "en"])]
    lang: String,
    /// html (one standalone page), pdf (fonts embedded) or json (the figures and words).
    #[arg(long, default_value = "html", value_parser = ["html", "pdf", "json"])]
    format: String,
    /// The file to write; replaced whole, never left half-written.
    #[arg(long)]
    out: PathBuf,
    /// Count only records at least this well established.
    #[arg(long, value_parser = ["alleged", "corroborated", "verified"])]
    verification: Option<String>,
    /// For publication: withhold counts of fewer persons than this (tables, charts and
    /// headline figures show "fewer than N").
    #[arg(long, value_name = "PERSONS")]
    suppress_below: Option<usize>,
    /// Add an estimate of the undocumented from these lists (sources in the store,
    /// comma-separated), linked persons counted once (`athar linkage run` first).
    #[arg(long, value_delimiter = ',', num_args = 1..)]
    estimate_lists: Vec<String>,
    /// The estimation method for --estimate-lists: chapman, lincoln-petersen,
    /// independence, stepwise, aic, bic or lcmcr (default: chapman for two lists, aic for
    /// more).
    #[arg(long, value_parser = [
        "chapman", "lincoln-petersen", "independence", "stepwise", "aic", "bic", "lcmcr",
    ])]
    estimate_method: Option<String>,
}

/// Today's date in UTC as YYYY-MM-DD.
fn today() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = athar_model::date::civil_from_days((seconds / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

fn estimate(
    args: &ReportArgs,
    store: &SqliteStore,
    org: i64,
) -> Result<Option<EstimateInput>, String> {
    if args.estimate_lists.is_empty() {
        if args.estimate_method.is_some() {
            return Err("--estimate-method goes with --estimate-lists".into());
        }
        return Ok(None);
    }
    let lists = args
        .estimate_lists
        .iter()
        .map(|l| {
            l.parse()
                .map_err(|_| format!("--estimate-lists: {l:?} is not a source id"))
        })
        .collect::<Result<Vec<athar_model::RecordId>, _>>()?;
    let counts = athar_link::stored::capture_counts(store, org, &lists)
        .map_err(|e| format!("--estimate-lists: {e}"))?;
    let names: Vec<String> = (1..=lists.len()).map(|i| format!("L{i}")).collect();
    let table =
        CaptureTable::new(names, counts.counts).map_err(|e| format!("--estimate-lists: {e}"))?;
    let method_name = args
        .estimate_method
        .clone()
        .unwrap_or_else(|| if lists.len() == 2 { "chapman" } else { "aic" }.to_string());
    let method = Method::from_name(&method_name, &MethodOptions::default(), &table)
        .map_err(|e| format!("--estimate-method: {e}"))?;
    let result =
        mse::estimate(&table, &method, 0.95).map_err(|e| format!("--estimate-lists: {e}"))?;
    // The lists by their titles, as the organisation named them.
    let mut titles = Vec::new();
    for (name, id) in result.lists.iter().zip(&lists) {
        let title = store
            .get(RecordKind::Source, *id)
            .ok()
            .and_then(|r| match r.body {
                RecordBody::Source(s) => Some(s.title),
                _ => None,
            })
            .unwrap_or_else(|| id.to_string());
        titles.push(format!("{name} ({title})"));
    }
    Ok(Some(EstimateInput {
        lists: titles,
        documented: result.observed as usize,
        method: result.method.clone(),
        estimate: result.estimate,
        interval: (result.interval[0], result.interval[1]),
        warnings: result.warnings.clone(),
    }))
}

pub fn run(args: ReportArgs, store: &SqliteStore, org: i64) -> Result<ExitCode, String> {
    let lang = if args.lang == "ar" {
        Lang::Ar
    } else {
        Lang::En
    };
    let estimate = estimate(&args, store, org)?;
    let (facts, _linkage) =
        athar_server::stats::load_facts(store, org).map_err(|e| e.to_string())?;
    let synthetic = store
        .list_all_for(org, RecordKind::Source)
        .map_err(|e| e.to_string())?
        .iter()
        .any(|r| matches!(&r.body, RecordBody::Source(s) if athar_demo::is_demo_source(s)));
    let options = ReportOptions {
        lang,
        from: args.from.clone(),
        to: args.to.clone(),
        verification: args.verification.clone(),
        suppress_below: args.suppress_below,
        prepared_on: today(),
        synthetic,
        estimate,
    };
    let report = athar_report::periodic::build(&facts, Vocabularies::embedded(), &options)
        .map_err(|errors| {
            errors
                .iter()
                .map(|e| format!("--{}: {}", e.field, e.problem))
                .collect::<Vec<_>>()
                .join("; ")
        })?;
    let bytes = match args.format.as_str() {
        "pdf" => athar_report::pdf::render(&report).map_err(|e| e.to_string())?,
        "json" => serde_json::to_vec_pretty(&report).map_err(|e| e.to_string())?,
        _ => athar_report::html::render(&report).into_bytes(),
    };
    let digest = Sha256::digest(&bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    crate::link::write_atomically(&args.out, &bytes)?;
    store
        .audit(
            "cli",
            "report",
            Some(&format!("{} {} sha256:{hex}", args.format, args.lang)),
        )
        .map_err(|e| e.to_string())?;
    eprintln!(
        "Wrote {} ({} bytes, sha256 {hex}): {} persons, {} arrests.",
        args.out.display(),
        bytes.len(),
        report.summary.persons,
        report.summary.arrests
    );
    Ok(ExitCode::SUCCESS)
}
