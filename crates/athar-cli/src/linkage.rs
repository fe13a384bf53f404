//! `athar linkage`: record linkage of the persons in the store, from the command line —
//! run it over chosen lists, see the review queue, decide a pair. The same operations as
//! the API's `/api/linkage`; nothing is merged, decisions are `match` records.

use std::process::ExitCode;

use athar_link::stored::RunOptions;
use athar_model::{MatchDecision, RecordId, RecordKind};
use athar_store::SqliteStore;

use crate::link::TerminalProgress;

#[derive(clap::Subcommand)]
pub enum LinkageCommand {
    /// Link the persons of chosen lists (sources) — or all persons — and keep the run.
    /// Decisions already made are taken as known.
    ///
    /// ربط أشخاص القوائم (المصادر) المختارة — أو كل الأشخاص — وحفظ التشغيل.
    Run {
        /// A source whose persons to link; repeat for several. None: every person.
        /// مصدر يُربط أشخاصه؛ كرّره لعدة مصادر. دونه: كل الأشخاص.
        #[arg(long = "list")]
        lists: Vec<String>,
        /// A pair at or above this match probability is a link.
        /// الزوج الذي يبلغ احتمال تطابقه هذا الحد أو يتجاوزه يُعدّ رابطاً.
        #[arg(long)]
        threshold: Option<f64>,
        /// Seed of the random pairs that u is learnt from.
        /// بذرة الأزواج العشوائية التي يُتعلَّم منها u.
        #[arg(long)]
        seed: Option<u64>,
        /// Print what the run did as JSON.
        /// طباعة ما فعله التشغيل بصيغة JSON.
        #[arg(long)]
        json: bool,
    },
    /// The pairs to decide next, most valuable first, with why each scored what it did.
    ///
    /// الأزواج التالية للبت فيها، الأهم أولاً، مع سبب درجة كل منها.
    Queue {
        /// How many pairs to show.
        /// عدد الأزواج المعروضة.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Print the queue as JSON.
        /// طباعة قائمة المراجعة بصيغة JSON.
        #[arg(long)]
        json: bool,
    },
    /// Decide whether two person records are the same person (a new revision if the pair
    /// was decided before).
    ///
    /// البت في ما إذا كان سجلا شخصين للشخص نفسه.
    Decide {
        /// One person record's id.
        /// معرّف سجل الشخص الأول.
        first: String,
        /// The other person record's id.
        /// معرّف سجل الشخص الثاني.
        second: String,
        /// `same` or `different`.
        /// same (الشخص نفسه) أو different (شخصان مختلفان).
        #[arg(value_parser = ["same", "different"])]
        decision: String,
        /// Why (kept sealed).
        /// السبب (يُحفظ مختوماً).
        #[arg(long)]
        note: Option<String>,
    },
    /// Withdraw a decision: a deletion with its reason; the history keeps it.
    ///
    /// سحب قرار: حذف مع سببه، ويبقى في التاريخ.
    Withdraw {
        /// The decision's id (as `decide` printed it).
        /// معرّف القرار (كما طبعه decide).
        decision: String,
        /// Why, for the history and the audit log (no personal data).
        /// السبب، للتاريخ وسجل التدقيق (دون بيانات شخصية).
        #[arg(long)]
        reason: String,
    },
}

fn record_id(text: &str, what: &str) -> Result<RecordId, String> {
    text.parse()
        .map_err(|_| format!("{what} {text:?} is not a record id"))
}

pub fn run(command: LinkageCommand, store: &SqliteStore, org: i64) -> Result<ExitCode, String> {
    let scope = athar_app::Scope::new(store, athar_app::OrgId::new(org), "cli");
    match command {
        LinkageCommand::Run {
            lists,
            threshold,
            seed,
            json,
        } => {
            let lists = lists
                .iter()
                .map(|l| record_id(l, "--list"))
                .collect::<Result<Vec<_>, _>>()?;
            let progress = TerminalProgress::new();
            let report = scope.run_linkage(
                &RunOptions {
                    lists,
                    threshold,
                    seed,
                },
                &progress,
            );
            progress.finish();
            let report = report.map_err(|e| e.to_string())?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
                );
            } else {
                println!(
                    "Linkage run {}: {} person records ({} lists), {} comparisons, {} clusters; {} pairs kept with why; {} decisions taken as known.",
                    report.run,
                    report.members,
                    report.summary.lists,
                    report.summary.comparisons,
                    report.summary.clusters,
                    report.pairs_kept,
                    report.decisions_used
                );
                if report.without_names > 0 {
                    println!(
                        "{} person records without a name were left out.",
                        report.without_names
                    );
                }
                println!("Nothing was merged. Review the uncertain pairs: athar linkage queue");
            }
            Ok(ExitCode::SUCCESS)
        }
        LinkageCommand::Queue { limit, json } => {
            let items = scope
                .review_queue(limit.max(1))
                .map_err(|e| e.to_string())?;
            let ran = scope.review().map_err(|e| e.to_string())?.run.is_some();
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&items).map_err(|e| e.to_string())?
                );
                return Ok(ExitCode::SUCCESS);
            }
            if !ran {
                println!("No linkage run yet: athar linkage run [--list SOURCE …]");
            } else if items.is_empty() {
                println!("Nothing to decide.");
            }
            for item in items {
                println!(
                    "{} {}  p={:.3}  value={:.2} ({} records, {:?})",
                    item.first,
                    item.second,
                    item.probability,
                    item.value,
                    item.records_affected,
                    item.reason
                );
                for term in item.why.as_array().into_iter().flatten() {
                    println!(
                        "    {:<18} {:<12} {:+.2}",
                        term["comparison"].as_str().unwrap_or_default(),
                        term["level"].as_str().unwrap_or_default(),
                        term["weight"].as_f64().unwrap_or_default()
                            + term["frequency_adjustment"].as_f64().unwrap_or_default()
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        LinkageCommand::Decide {
            first,
            second,
            decision,
            note,
        } => {
            let first = record_id(&first, "first")?;
            let second = record_id(&second, "second")?;
            let decision = if decision == "same" {
                MatchDecision::Same
            } else {
                MatchDecision::Different
            };
            let (record, _) = scope
                .decide_match((first, second), decision, note)
                .map_err(|e| e.to_string())?;
            let (id, rev) = (record.id, record.rev);
            println!("Decision {id} (revision {rev}): {}.", decision.name());
            Ok(ExitCode::SUCCESS)
        }
        LinkageCommand::Withdraw { decision, reason } => {
            let id = record_id(&decision, "decision")?;
            scope
                .write(
                    "link.withdraw",
                    vec![athar_store::Change::Delete {
                        kind: RecordKind::Match,
                        id,
                        expected_rev: None,
                        reason,
                    }],
                )
                .map_err(|e| e.to_string())?;
            println!("Decision {id} withdrawn.");
            Ok(ExitCode::SUCCESS)
        }
    }
}
