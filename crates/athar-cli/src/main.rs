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

mod admin;
mod cases;
mod demo;
mod estimate;
mod find;
mod link;
mod linkage;
mod lists;
mod report;
mod serve;
mod stats;
mod vocab;

/// Bulk writes allocate and free millions of small buffers across two threads; mimalloc
/// does that markedly cheaper than the system allocator (see docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use admin::{AuditCommand, OrgCommand, TokenCommand, UserCommand};
use athar_model::RecordKind;
use athar_model::access::{Role, Scope};
use athar_store::accounts::NewUser;
use athar_store::{Accounts, Backend, DataDir, SqliteStore, Store};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Parser)]
#[command(
    name = "athar",
    version,
    about = "Athar (أثر): documentation of detention, disappearance, torture and killing in Syria",
    long_about = "Athar records what happens to people — returns, arrests, detention, disappearance, fate — \
                  in an encrypted store with a tamper-evident history, and serves it over a JSON API.\n\
                  أثر يوثّق ما يحدث للناس — العودة والاعتقال والاحتجاز والإخفاء والمصير — في مخزن مشفّر \
                  بسجل لا يمكن العبث به، ويقدّمه عبر واجهة برمجية.\n\n\
                  The passphrase is read from ATHAR_PASSPHRASE, or asked for at the terminal.\n\
                  تُقرأ عبارة المرور من ATHAR_PASSPHRASE أو تُطلب في الطرفية.",
    before_long_help = "Start here:\n  \
                        athar init                    create the encrypted store; keep the passphrase and athar-key.json\n  \
                        athar demo                    add synthetic demo persons to explore\n  \
                        athar serve --demo            serve a fresh demo store and print where to open it\n  \
                        athar import FILE --suggest   a first mapping for your list (docs/IMPORT.md)\n  \
                        athar find NAME               persons by name, in any spelling or script\n  \
                        athar stats                   the headline figures (docs/DEFINITIONS.md)\n\n\
                        ابدأ من هنا:\n  \
                        athar init                    لإنشاء المخزن المشفّر؛ احفظ عبارة المرور وملف athar-key.json\n  \
                        athar demo                    لإضافة أشخاص تجريبيين\n  \
                        athar serve --demo            لتشغيل مخزن تجريبي جديد ومعرفة عنوان فتحه\n  \
                        athar import FILE --suggest   لربط أولي لأعمدة قائمتك\n  \
                        athar find NAME               للبحث عن الأشخاص بالاسم بأي كتابة\n  \
                        athar stats                   للأرقام الرئيسية"
)]
struct Cli {
    /// Directory of the store (created by `athar init`).
    /// مجلد المخزن (الذي أنشأه athar init).
    #[arg(long, global = true, env = "ATHAR_DATA", default_value = "athar-data")]
    data: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new encrypted store in the data directory. Asks for a passphrase (or reads
    /// ATHAR_PASSPHRASE) and writes athar-key.json beside the store: keep both, apart and
    /// safe — without both the store cannot be opened, and nobody can recover it.
    ///
    /// إنشاء مخزن مشفّر جديد في مجلد البيانات؛ احفظ عبارة المرور وملف athar-key.json.
    Init,
    /// Serve the JSON API over the store.
    ///
    /// تشغيل الواجهة البرمجية فوق المخزن (مع --demo: مخزن تجريبي جديد).
    Serve(serve::ServeArgs),
    /// Add synthetic demo persons with their journeys (clearly labelled, deterministic by seed).
    ///
    /// إضافة أشخاص تجريبيين مع رحلاتهم (موسومة بوضوح، ثابتة حسب البذرة).
    Demo(demo::DemoArgs),
    /// Write the same synthetic people as several lists name them (Arabic script and Latin
    /// transliterations, partial names, approximate years), with the true person of each
    /// record, to a CSV file: test data for record linkage (`athar link`, other tools).
    ///
    /// كتابة الأشخاص التجريبيين أنفسهم كما تسمّيهم عدة قوائم، لاختبار الربط.
    DemoLists(demo::DemoListsArgs),
    /// Check every revision, the audit chain and the database pages; exit 1 naming the
    /// first entry that does not hold.
    ///
    /// التحقق من كل نسخة وسجل التدقيق وصفحات قاعدة البيانات.
    Verify(admin::VerifyArgs),
    /// Destroy the identifying data (names, identifiers, contacts, notes, narratives) of a
    /// record in every revision, for good: its data keys are erased. Dates, places, kinds
    /// and the history of who changed what stay. Cannot be undone.
    ///
    /// إتلاف البيانات المعرِّفة لسجل في كل نسخه نهائياً.
    Shred(admin::ShredArgs),
    /// Write a consistent encrypted snapshot of the store to a new file, even while the
    /// server runs; its SHA-256 goes into the audit chain. The data keys go to a separate
    /// FILE.keys, so that shredding can reach every backup (see docs/SECURITY.md).
    ///
    /// نسخة احتياطية مشفّرة ومتسقة للمخزن، حتى أثناء التشغيل.
    Backup(admin::BackupArgs),
    /// Restore a backup into the data directory (which must hold no store). The backup is
    /// opened with the passphrase and verified before it is put in place.
    ///
    /// استعادة نسخة احتياطية إلى مجلد البيانات بعد التحقق منها.
    Restore(admin::RestoreArgs),
    /// Import a list (CSV or other delimited text in any encoding, an Excel workbook, or a
    /// JSON list of records) following a mapping file
    /// (docs/IMPORT.md). Rows that cannot be read are refused and reported by line, column
    /// and reason; the rest are written in one transaction. Importing the same file again
    /// adds nothing.
    ///
    /// استيراد قائمة (CSV أو Excel أو JSON) وفق ملف ربط؛ --suggest يقترح ربطاً أولياً.
    Import(lists::ImportArgs),
    /// Export persons as CSV, JSON, an Excel workbook (right-to-left) or Uwazi's CSV import
    /// format (formula cells defused), recorded in the audit chain.
    ///
    /// تصدير الأشخاص وأحداثهم (CSV أو JSON أو Excel أو Uwazi)، مع تسجيل ذلك في سجل التدقيق.
    Export(lists::ExportArgs),
    /// Make a signed evidence package of a person's case for a mechanism or a court: their
    /// records, events, sources and evidence files, with a manifest of hashes, custody and
    /// consent signed with the organisation's key. Refused without the person's consent to
    /// the purpose.
    ///
    /// حزمة أدلة موقّعة لقضية شخص لآلية دولية أو محكمة، بموافقته على الغرض.
    Package(cases::PackageArgs),
    /// Check an evidence package offline against the organisation's public key; exit 1
    /// naming every file that was added, removed or changed.
    ///
    /// التحقق من حزمة أدلة دون اتصال بالمفتاح العام للجهة.
    VerifyPackage(cases::VerifyPackageArgs),
    /// Estimate how many people were never documented, from how lists overlap (Multiple
    /// Systems Estimation): two-list, log-linear with model selection, or Bayesian latent
    /// classes. Refuses, saying why, when the data cannot support the method.
    ///
    /// تقدير عدد من لم يوثَّقوا من تداخل القوائم (تقدير الأنظمة المتعددة).
    Estimate(estimate::EstimateArgs),
    /// Find the records of CSV files that describe the same person (Arabic script and Latin
    /// transliterations, partial names, approximate dates) and write each record's cluster.
    ///
    /// ربط سجلات ملفات CSV التي تصف الشخص نفسه.
    Link(link::LinkArgs),
    /// Record linkage of the persons in the store: run it over chosen lists, see the review
    /// queue, decide pairs. Nothing is merged; statistics count linked persons once.
    ///
    /// ربط الأشخاص في المخزن: تشغيل الربط ومراجعة الأزواج والبت فيها.
    Linkage {
        #[command(subcommand)]
        command: linkage::LinkageCommand,
    },
    /// Headline figures (persons, returnees, arrests of children and women, arrests after
    /// forced return, enforced disappearances, deaths in custody, arrests by party) or, with
    /// --by, breakdowns with the records behind each cell. Rules: docs/DEFINITIONS.md.
    ///
    /// الأرقام الرئيسية والتوزيعات مع السجلات التي تستند إليها.
    Stats(stats::StatsArgs),
    /// The periodic report — headline figures, charts over time, by party and on a map of
    /// Syria, breakdown tables, the returnees, an estimate, the method — as HTML or PDF, in
    /// Arabic or English, with the command behind each table that lists its records.
    ///
    /// التقرير الدوري بالعربية أو الإنكليزية (PDF أو HTML أو JSON).
    Report(report::ReportArgs),
    /// A safety brief: the incidents recorded against returnees in one region and period —
    /// arrests, disappearances, deaths in custody — with pseudonymised returnees and
    /// sources, counts and a chart, for a lawyer answering "this region is safe".
    ///
    /// موجز أمني: الحوادث المسجّلة بحق العائدين في منطقة وفترة.
    Brief(report::BriefArgs),
    /// The case of a disappeared person for the UN Working Group on Enforced or Involuntary
    /// Disappearances, printable in Arabic or English, or as JSON; refused, naming every
    /// missing element, when the records or the person's consent do not allow it.
    ///
    /// قضية شخص مختفٍ للفريق العامل المعني بحالات الاختفاء القسري.
    Wgeid(report::WgeidArgs),
    /// The audit log.
    ///
    /// سجل التدقيق.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Organisations of a coalition server, each with its own key.
    ///
    /// الجهات الأعضاء في الخادم، لكل منها مفتاحها.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Accounts of people who sign in.
    ///
    /// حسابات المستخدمين.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// API tokens for scripts.
    ///
    /// مفاتيح الواجهة البرمجية للبرامج.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// The organisation's own vocabulary terms (units, facilities, host countries,
    /// crossings, causes of death …) beside the shared ones, with revisions.
    ///
    /// مصطلحات الجهة الخاصة إلى جانب المصطلحات المشتركة، مع نسخها.
    Vocab {
        #[command(subcommand)]
        command: vocab::VocabCommand,
    },
    /// Find persons by name in any spelling or script — "Mohammad", "Muhammad" and «محمد»
    /// alike — closest first, with how many there are in all.
    ///
    /// البحث عن الأشخاص بالاسم بأي كتابة أو أبجدية، الأقرب أولاً.
    Find(find::FindArgs),
}

fn parse_purpose(text: &str) -> Result<athar_model::consent::Purpose, String> {
    athar_model::consent::Purpose::ALL
        .into_iter()
        .find(|p| p.code() == text)
        .ok_or_else(|| format!("unknown purpose {text:?}"))
}

fn passphrase(confirm: bool) -> Result<String, String> {
    if let Ok(p) = std::env::var("ATHAR_PASSPHRASE")
        && !p.is_empty()
    {
        return Ok(p);
    }
    let first = rpassword::prompt_password("Passphrase / عبارة المرور: ").map_err(|e| {
        format!(
            "cannot read the passphrase from a terminal ({e}); where there is none, set ATHAR_PASSPHRASE"
        )
    })?;
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

/// Print a value as indented JSON on standard output (for `--json`).
fn print_json(value: &impl serde::Serialize) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}

/// Open the store in `dir` with the passphrase from the environment or the terminal.
fn open_store(dir: &DataDir) -> Result<SqliteStore, String> {
    let pass = passphrase(false)?;
    SqliteStore::open(dir, &pass).map_err(|e| e.to_string())
}

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
    let template =
        format!("{{bar:40}} {{human_pos}}/{{human_len}} {unit} ({{rate}}, {{eta}} left)");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style.with_key("rate", rate));
    }
    bar
}

/// Items a second as a whole number ("10,005/s"), for progress bars.
fn rate(state: &indicatif::ProgressState, out: &mut dyn std::fmt::Write) {
    let per_second = state.per_sec().round() as u64;
    let _ = write!(out, "{}/s", indicatif::HumanCount(per_second));
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    let dir = DataDir::new(&cli.data);
    match cli.command {
        Command::Init => admin::init(&dir),
        Command::Demo(args) => demo::demo(args, &dir),
        Command::DemoLists(args) => demo::demo_lists(args),
        Command::Verify(args) => admin::verify(args, &dir),
        Command::Shred(args) => admin::shred(args, &dir),
        Command::Backup(args) => admin::backup(args, &dir),
        Command::Restore(args) => admin::restore(args, &dir),
        Command::Import(args) => lists::import(args, &dir),
        Command::Export(args) => lists::export(args, &dir),
        Command::Package(args) => cases::package(args, &dir),
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
        Command::VerifyPackage(args) => cases::verify_package(args),
        Command::Audit { command } => admin::audit(command, &dir),
        Command::User { command } => admin::user(command, &dir),
        Command::Org { command } => admin::org(command, &dir),
        Command::Token { command } => admin::token(command, &dir),
        Command::Vocab { command } => vocab::run(command, &dir),
        Command::Find(args) => find::run(args, &dir),
        Command::Serve(args) => serve::serve(args, &dir),
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

/// The command line, read. `athar link` works on CSV files alone: its help leaves out the
/// store's `--data` (which it accepts, as every command does).
fn parse_command_line() -> Cli {
    use clap::{CommandFactory, FromArgMatches, error::ErrorKind};
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let matches = match Cli::command().try_get_matches_from(&args) {
        Ok(matches) => matches,
        Err(e) if e.kind() == ErrorKind::DisplayHelp && args.iter().any(|a| a == "link") => {
            let without_data = Cli::command().mut_arg("data", |a| a.hide(true));
            match without_data.try_get_matches_from(&args) {
                Err(help) => help.exit(),
                Ok(_) => e.exit(),
            }
        }
        Err(e) => e.exit(),
    };
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
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
    match run(parse_command_line()) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("athar: {message}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    fn has_arabic(text: &str) -> bool {
        text.chars().any(|c| ('\u{0621}'..='\u{064A}').contains(&c))
    }

    /// Every command and every option of every command says what it is in Arabic as well
    /// as English.
    #[test]
    fn every_command_and_option_is_explained_in_both_languages() {
        let mut missing = Vec::new();
        let mut stack = vec![(String::from("athar"), super::Cli::command())];
        while let Some((path, command)) = stack.pop() {
            let about = command
                .get_long_about()
                .or(command.get_about())
                .map(ToString::to_string)
                .unwrap_or_default();
            if path != "athar" && !has_arabic(&about) {
                missing.push(path.clone());
            }
            for arg in command.get_arguments() {
                let id = arg.get_id().as_str();
                if matches!(id, "help" | "version") {
                    continue;
                }
                let help = arg
                    .get_long_help()
                    .or(arg.get_help())
                    .map(ToString::to_string)
                    .unwrap_or_default();
                if !has_arabic(&help) || !help.chars().any(|c| c.is_ascii_alphabetic()) {
                    missing.push(format!("{path} --{id}"));
                }
            }
            for sub in command.get_subcommands() {
                if sub.get_name() != "help" {
                    stack.push((format!("{path} {}", sub.get_name()), sub.clone()));
                }
            }
        }
        assert!(missing.is_empty(), "not in both languages: {missing:?}");
    }
}
