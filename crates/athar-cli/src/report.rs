//! `athar report`: the periodic report of the store's records as HTML, PDF or JSON, in
//! Arabic or English.
//!
//! The same report as `GET /api/reports/periodic` (`athar_server::reports`): what the
//! store's own organisation can see, linked persons counted once, an estimate of the
//! undocumented when lists are named. The file is written whole or not at all, and the
//! report is recorded in the audit chain with the SHA-256 of what was written, so a
//! published file can be traced to the store and moment it came from.

use std::path::PathBuf;
use std::process::ExitCode;

use athar_app::reports::{BriefRequest, CaseRequest, Rendered, ReportError, ReportRequest};
use athar_store::{SqliteStore, Store};

#[derive(clap::Args)]
pub struct ReportArgs {
    /// The first day of the period (e.g. 2024-01, 2024-01-15, 2023); open when absent.
    /// أول يوم في الفترة (مثل 2024-01 أو 2024-01-15 أو 2023)؛ مفتوحة إن غاب.
    #[arg(long)]
    from: Option<String>,
    /// The last day of the period (2024-06 means up to 30 June 2024).
    /// آخر يوم في الفترة (2024-06 تعني حتى 30 حزيران 2024).
    #[arg(long)]
    to: Option<String>,
    /// The report's language: ar (right to left) or en.
    /// لغة التقرير: ar (من اليمين إلى اليسار) أو en.
    #[arg(long, default_value = "en", value_parser = ["ar", "en"])]
    lang: String,
    /// pdf (fonts embedded), html (one standalone page) or json (the figures and words);
    /// taken from --out's extension when left out, pdf when that says nothing.
    /// pdf (الخطوط مضمّنة) أو html (صفحة واحدة مستقلة) أو json (الأرقام والنصوص)؛ تؤخذ من امتداد --out إن غابت، وpdf إن لم يدل عليها.
    #[arg(long, value_parser = ["html", "pdf", "json"])]
    format: Option<String>,
    /// The file to write; replaced whole, never left half-written.
    /// الملف المراد كتابته؛ يُستبدل كاملاً ولا يُترك نصف مكتوب.
    #[arg(long)]
    out: PathBuf,
    /// Count only records at least this well established.
    /// عدّ السجلات الثابتة بهذا القدر على الأقل فقط.
    #[arg(long, value_parser = ["alleged", "corroborated", "verified"])]
    verification: Option<String>,
    /// For publication: withhold counts of fewer persons than this (tables, charts and
    /// headline figures show "fewer than N").
    /// للنشر: حجب الأعداد الأقل من هذا العدد من الأشخاص (تظهر «أقل من N»).
    #[arg(long, value_name = "PERSONS")]
    suppress_below: Option<usize>,
    /// Add an estimate of the undocumented from these lists (sources in the store,
    /// comma-separated), linked persons counted once (`athar linkage run` first).
    /// إضافة تقدير لغير الموثَّقين من هذه القوائم (مصادر المخزن مفصولة بفواصل)، مع عدّ المرتبطين مرة واحدة.
    #[arg(long, value_delimiter = ',', num_args = 1..)]
    estimate_lists: Vec<String>,
    /// The estimation method for --estimate-lists, one of `athar estimate`'s but loglinear
    /// (default: chapman for two lists, aic for more).
    /// طريقة التقدير لـ --estimate-lists، إحدى طرق athar estimate عدا loglinear (افتراضياً: chapman لقائمتين، وaic لأكثر).
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(athar_app::reports::estimate_methods()))]
    estimate_method: Option<String>,
}

#[derive(clap::Args)]
pub struct BriefArgs {
    /// The region: a P-code (SY14) or a governorate, district or sub-district name in
    /// Arabic or English (Homs, حمص).
    /// المنطقة: رمز P-code (SY14) أو اسم محافظة أو منطقة أو ناحية بالعربية أو الإنكليزية (حمص، Homs).
    #[arg(long)]
    region: String,
    /// The first day of the period; open when absent.
    /// أول يوم في الفترة؛ مفتوحة إن غاب.
    #[arg(long)]
    from: Option<String>,
    /// The last day of the period.
    /// آخر يوم في الفترة.
    #[arg(long)]
    to: Option<String>,
    /// The brief's language: ar (right to left) or en.
    /// لغة الموجز: ar (من اليمين إلى اليسار) أو en.
    #[arg(long, default_value = "en", value_parser = ["ar", "en"])]
    lang: String,
    /// pdf, html or json; taken from --out's extension when left out, pdf when that says
    /// nothing.
    /// pdf أو html أو json؛ تؤخذ من امتداد --out إن غابت، وpdf إن لم يدل عليها.
    #[arg(long, value_parser = ["html", "pdf", "json"])]
    format: Option<String>,
    /// The file to write; replaced whole, never left half-written.
    /// الملف المراد كتابته؛ يُستبدل كاملاً ولا يُترك نصف مكتوب.
    #[arg(long)]
    out: PathBuf,
}

/// The format to write: the one asked for, else the one `out`'s extension names, else
/// PDF. A format that contradicts the extension (`--format html --out x.pdf`) is refused
/// before anything is read, so no file holds what its name denies.
fn output_format(given: Option<&str>, out: &std::path::Path) -> Result<String, String> {
    let by_name = out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .and_then(|e| match e.as_str() {
            "pdf" => Some("pdf"),
            "html" | "htm" => Some("html"),
            "json" => Some("json"),
            _ => None,
        });
    match (given, by_name) {
        (Some(format), Some(named)) if format != named => Err(format!(
            "--format {format} but --out {} names a {named} file; give one that agrees (or leave --format out)",
            out.display()
        )),
        (Some(format), _) => Ok(format.to_string()),
        (None, Some(named)) => Ok(named.to_string()),
        (None, None) => Ok("pdf".to_string()),
    }
}

fn option_error(e: ReportError) -> String {
    match e {
        ReportError::Invalid { field, problem } => {
            format!("--{}: {problem}", field.replace('_', "-"))
        }
        ReportError::Incomplete(missing) => format!(
            "the case cannot be made complete from the records:\n{}",
            missing
                .iter()
                .map(|(element, why)| format!("  {element}: {why}"))
                .collect::<Vec<_>>()
                .join("\n")
        ),
        other => other.to_string(),
    }
}

/// Writes a laid-out document whole and records it in the audit chain with its hash.
fn write(
    store: &SqliteStore,
    rendered: &Rendered,
    out: &std::path::Path,
    (action, what): (&str, &str),
    (format, lang): (&str, &str),
) -> Result<String, String> {
    let hex = rendered.sha256();
    crate::link::write_atomically(out, &rendered.bytes)?;
    store
        .audit(
            "cli",
            action,
            Some(&format!("{what} {format} {lang} sha256:{hex}")),
        )
        .map_err(|e| e.to_string())?;
    Ok(hex)
}

#[derive(clap::Args)]
pub struct WgeidArgs {
    /// The disappeared person's record id (the organisation must own it): find it by name
    /// with `athar find NAME`, or with `athar stats --behind enforced_disappearances`.
    /// معرّف سجل الشخص المختفي (يجب أن تملكه الجهة): ابحث عنه بـ athar find الاسم أو athar stats --behind enforced_disappearances.
    #[arg(long)]
    person: String,
    /// The case's language: ar (right to left) or en.
    /// لغة القضية: ar (من اليمين إلى اليسار) أو en.
    #[arg(long, default_value = "en", value_parser = ["ar", "en"])]
    lang: String,
    /// pdf (printable), html or json (the case as data); taken from --out's extension
    /// when left out, pdf when that says nothing.
    /// pdf (للطباعة) أو html أو json (القضية كبيانات)؛ تؤخذ من امتداد --out إن غابت، وpdf إن لم يدل عليها.
    #[arg(long, value_parser = ["html", "pdf", "json"])]
    format: Option<String>,
    /// The file to write; replaced whole, never left half-written. It identifies the
    /// person: keep it as you keep the store.
    /// الملف المراد كتابته؛ يُستبدل كاملاً. إنه يكشف هوية الشخص: احفظه كما تحفظ المخزن.
    #[arg(long)]
    out: PathBuf,
}

pub fn run_wgeid(args: WgeidArgs, store: &SqliteStore, org: i64) -> Result<ExitCode, String> {
    let format = output_format(args.format.as_deref(), &args.out)?;
    let person = args
        .person
        .parse()
        .map_err(|_| format!("--person: {:?} is not a record id", args.person))?;
    let request = CaseRequest {
        lang: Some(args.lang.clone()),
        format: Some(format.clone()),
    };
    let scope = athar_app::Scope::new(store, athar_app::OrgId::new(org), "cli");
    let case = scope.wgeid(person, &request).map_err(option_error)?;
    let rendered = athar_app::reports::render_wgeid(&case, &format)?;
    let hex = write(
        store,
        &rendered,
        &args.out,
        ("wgeid", &format!("person:{person}")),
        (&format, &args.lang),
    )?;
    let steps = match case.steps.len() {
        1 => "1 step".to_string(),
        n => format!("{n} steps"),
    };
    eprintln!(
        "Wrote {} ({} bytes, sha256 {hex}): the WGEID case of {person}, {steps} taken to find them.",
        args.out.display(),
        rendered.bytes.len(),
    );
    Ok(ExitCode::SUCCESS)
}

pub fn run_brief(args: BriefArgs, store: &SqliteStore, org: i64) -> Result<ExitCode, String> {
    let format = output_format(args.format.as_deref(), &args.out)?;
    let request = BriefRequest {
        region: args.region,
        from: args.from,
        to: args.to,
        lang: Some(args.lang.clone()),
        format: Some(format.clone()),
    };
    let scope = athar_app::Scope::new(store, athar_app::OrgId::new(org), "cli");
    let brief = scope.brief(&request).map_err(option_error)?;
    let rendered = athar_app::reports::render_brief(&brief, &format)?;
    let hex = write(
        store,
        &rendered,
        &args.out,
        ("report", &format!("brief {}", request.region.trim())),
        (&format, &args.lang),
    )?;
    eprintln!(
        "Wrote {} ({} bytes, sha256 {hex}): {} incidents against {} returnees in {}.",
        args.out.display(),
        rendered.bytes.len(),
        brief.figures.incidents,
        brief.figures.returnees,
        brief.figures.region
    );
    Ok(ExitCode::SUCCESS)
}

pub fn run(args: ReportArgs, store: &SqliteStore, org: i64) -> Result<ExitCode, String> {
    let format = output_format(args.format.as_deref(), &args.out)?;
    let request = ReportRequest {
        from: args.from,
        to: args.to,
        lang: Some(args.lang.clone()),
        format: Some(format.clone()),
        verification: args.verification,
        suppress_below: args.suppress_below,
        estimate_lists: (!args.estimate_lists.is_empty()).then(|| args.estimate_lists.join(",")),
        estimate_method: args.estimate_method,
    };
    let report = athar_app::Scope::new(store, athar_app::OrgId::new(org), "cli")
        .report(&request)
        .map_err(option_error)?;
    let rendered = athar_app::reports::render(&report, &format)?;
    let hex = write(
        store,
        &rendered,
        &args.out,
        ("report", "periodic"),
        (&format, &args.lang),
    )?;
    eprintln!(
        "Wrote {} ({} bytes, sha256 {hex}): {} persons, {} arrests.",
        args.out.display(),
        rendered.bytes.len(),
        report.summary.persons,
        report.summary.arrests
    );
    Ok(ExitCode::SUCCESS)
}
