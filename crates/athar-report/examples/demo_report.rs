//! Writes the demo report in both languages and formats to a folder, to look at:
//! `cargo run -p athar-report --example demo_report -- OUT_DIR [PERSONS]`.

use athar_model::vocab::{Lang, Vocabularies};
use athar_report::periodic::{ReportOptions, build};
use athar_stats::counts::Facts;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = std::path::PathBuf::from(args.next().unwrap_or_else(|| "report-demo".into()));
    let persons: u64 = args.next().and_then(|p| p.parse().ok()).unwrap_or(2_000);
    std::fs::create_dir_all(&out)?;
    let records: Vec<_> = athar_demo::generate(7, persons).flatten().collect();
    let vocab = Vocabularies::embedded();
    let facts = Facts::build(records, vocab);
    for (lang, name) in [(Lang::En, "en"), (Lang::Ar, "ar")] {
        let options = ReportOptions {
            lang,
            from: Some("2023-01".into()),
            to: Some("2024-12".into()),
            suppress_below: Some(5),
            prepared_on: "2026-11-22".into(),
            synthetic: true,
            ..Default::default()
        };
        let report = build(&facts, vocab, &options).map_err(|e| format!("{e:?}"))?;
        std::fs::write(
            out.join(format!("report-{name}.html")),
            athar_report::html::render(&report),
        )?;
        let started = std::time::Instant::now();
        std::fs::write(
            out.join(format!("report-{name}.pdf")),
            athar_report::pdf::render(&report)?,
        )?;
        eprintln!("{name}: PDF in {:?}", started.elapsed());
    }
    Ok(())
}
