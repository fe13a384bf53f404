//! `athar import` and `athar export`: lists in and out as the store's organisation, through
//! its scope in `athar-app`; a large list is written in bulk mode.

use crate::*;

/// Lists of at least this many rows are written in bulk mode.
const BULK_IMPORT_ROWS: usize = 10_000;
/// The page cache a bulk import may grow to, in MiB: a million rows take it all.
const IMPORT_CACHE_MIB: u32 = 1024;

#[derive(clap::Args)]
pub struct ImportArgs {
    /// The list file.
    /// ملف القائمة.
    pub file: PathBuf,
    /// The mapping file (TOML).
    /// ملف الربط (TOML).
    #[arg(long, required_unless_present = "suggest")]
    pub mapping: Option<PathBuf>,
    /// Print a first mapping guessed from the headers and values, to edit; touches no
    /// store.
    /// طباعة ربط أولي مستنتج من الترويسات والقيم لتعديله؛ لا يمسّ أي مخزن.
    #[arg(long, conflicts_with_all = ["mapping", "check", "strict", "json"])]
    pub suggest: bool,
    /// The list's name (default: [list] name of the mapping).
    /// اسم القائمة (افتراضياً: [list] name في ملف الربط).
    #[arg(long)]
    pub list: Option<String>,
    /// Write nothing; report what would happen.
    /// عدم كتابة شيء؛ الإخبار بما سيحدث.
    #[arg(long)]
    pub check: bool,
    /// Refuse the whole file if any row is refused.
    /// رفض الملف كله إذا رُفض أي سطر.
    #[arg(long)]
    pub strict: bool,
    /// Print the report as JSON.
    /// طباعة التقرير بصيغة JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct ExportArgs {
    /// csv, json, xlsx or uwazi.
    /// csv أو json أو xlsx أو uwazi.
    #[arg(long, default_value = "csv", value_parser = ["csv", "json", "xlsx", "uwazi"])]
    pub format: String,
    /// The file to create.
    /// الملف المراد إنشاؤه.
    #[arg(long)]
    pub out: PathBuf,
    /// Leave out names, identifiers, contacts and notes.
    /// إغفال الأسماء والمعرّفات ووسائل الاتصال والملاحظات.
    #[arg(long)]
    pub pseudonymised: bool,
    /// Leave out persons who have not consented to this purpose.
    /// إغفال الأشخاص الذين لم يوافقوا على هذا الغرض.
    #[arg(long, value_parser = parse_purpose)]
    pub purpose: Option<athar_model::consent::Purpose>,
    /// Also write the persons' events — one row per person and event, with the person's
    /// id and list key — to this file, in the same format (csv or json). A workbook
    /// (xlsx) holds them on its second sheet.
    /// كتابة أحداث الأشخاص أيضاً — سطر لكل شخص وحدث مع معرّفه ومفتاح قائمته — في هذا الملف وبالصيغة نفسها.
    #[arg(long, value_name = "FILE")]
    pub events: Option<PathBuf>,
}

pub fn import(args: ImportArgs, dir: &DataDir) -> Result<ExitCode, String> {
    let ImportArgs {
        file,
        mapping,
        suggest,
        list,
        check,
        strict,
        json,
    } = args;
    let bytes = std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
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
    let store = open_store(dir)?;
    let org = own_organisation(&store)?;
    let scope = athar_app::Scope::new(&store, athar_app::OrgId::new(org), "cli");
    // The mapping's values are checked against the organisation's own vocabularies.
    let vocab = scope.vocabularies().map_err(|e| e.to_string())?;
    let mapping = athar_ingest::mapping::Mapping::parse(&mapping_text, &vocab)
        .map_err(|e| format!("{}: {e}", mapping.display()))?;
    let table =
        athar_ingest::table::read_any(&bytes).map_err(|e| format!("{}: {e}", file.display()))?;
    let request = athar_app::lists::ImportRequest {
        list: list.or(mapping.list_name.clone()).unwrap_or_default(),
        check,
        strict,
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
    let imported = scope.import_list(&table, &mapping, &request, None, &mut |n| {
        bar.set_position(n as u64);
        std::ops::ControlFlow::Continue(())
    });
    if bulk {
        store.set_bulk_mode(false).map_err(|e| e.to_string())?;
    }
    let mut report = imported.map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    // The file itself, sealed in the vault about the list, once per version.
    if !check {
        scope
            .keep_list_file(
                &mut report,
                &bytes,
                file.file_name().and_then(|n| n.to_str()),
            )
            .map_err(|e| e.to_string())?;
    }
    if json {
        print_json(&report);
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
        // Alike refusals and notes are one line each: how many rows, the first lines, and
        // the values a vocabulary lacks with how many rows wrote each.
        for (label, issues) in [("refused", &report.refused), ("note", &report.warnings)] {
            for group in athar_ingest::import::group_issues(issues) {
                println!("  {}", describe_group(label, &group));
            }
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

pub fn export(args: ExportArgs, dir: &DataDir) -> Result<ExitCode, String> {
    let ExportArgs {
        format,
        out,
        pseudonymised,
        purpose,
        events,
    } = args;
    use athar_ingest::export::{ExportTable, Format};
    let format = match format.as_str() {
        "json" => Format::Json,
        "xlsx" => Format::Xlsx,
        "uwazi" => Format::Uwazi,
        _ => Format::Csv,
    };
    if events.is_some() && !matches!(format, Format::Csv | Format::Json) {
        return Err(
            "--events writes a second csv or json file; a workbook holds the events on its second sheet, and Uwazi's format has none".into(),
        );
    }
    let store = open_store(dir)?;
    let org = own_organisation(&store)?;
    let mut file = std::fs::File::create_new(&out)
        .map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let mut events_file = match &events {
        Some(path) => Some(
            std::fs::File::create_new(path)
                .map_err(|e| format!("cannot create {}: {e}", path.display()))?,
        ),
        None => None,
    };
    let scope = athar_app::Scope::new(&store, athar_app::OrgId::new(org), "cli");
    let report = scope
        .export_persons(
            format,
            ExportTable::Persons,
            pseudonymised,
            purpose,
            &mut file,
        )
        .map_err(|e| e.to_string())?;
    let events_written = match (&mut events_file, &events) {
        (Some(f), Some(path)) => {
            let r = scope
                .export_persons(format, ExportTable::Events, pseudonymised, purpose, f)
                .map_err(|e| e.to_string())?;
            format!(
                "; {} events to {} (SHA-256 {})",
                r.events,
                path.display(),
                r.sha256
            )
        }
        _ if format == Format::Xlsx => format!(", {} events on its second sheet", report.events),
        _ => String::new(),
    };
    println!(
        "Wrote {} persons to {} (SHA-256 {}){events_written}{}.",
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

/// One line of the import report for a group of alike issues.
fn describe_group(label: &str, group: &athar_ingest::import::IssueGroup) -> String {
    let lines = group
        .lines
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let more = if group.rows > group.lines.len() {
        ", …"
    } else {
        ""
    };
    let mut text = if group.rows == 1 {
        format!(
            "{label}: line {lines}, column {}: {}",
            group.column, group.reason
        )
    } else {
        format!(
            "{label}: {} rows (lines {lines}{more}), column {}: {}",
            group.rows, group.column, group.reason
        )
    };
    if !group.values.is_empty() {
        let values = group
            .values
            .iter()
            .map(|(value, n)| format!("{value:?} ×{n}"))
            .collect::<Vec<_>>()
            .join(", ");
        text.push_str(&format!(" — values: {values}"));
    }
    text
}
