//! `athar estimate`: how many people were never documented, from a capture table.
//!
//! The table is a CSV of capture patterns and counts (the format of published tables, see
//! docs/ESTIMATION.md); with `--stratum COLUMN` it holds one table per stratum and each is
//! estimated on its own. `--json` prints what scripts rely on: `estimate`, `interval`,
//! `method`, `terms`, `deviance`, `df` and `warnings`, with the fit's details beside them.

use std::path::PathBuf;
use std::process::ExitCode;

use athar_stats::mse::{self, CaptureTable, Estimate, LcmcrSettings, Method, MethodOptions};

#[derive(clap::Args)]
pub struct EstimateArgs {
    /// The capture table: one column per list (1 = on that list), a last column of counts
    /// named count, n, freq or frequency; separated by commas, semicolons or tabs.
    /// جدول الالتقاط: عمود لكل قائمة (1 = في تلك القائمة) وعمود أخير للأعداد اسمه count أو n أو freq أو frequency، تفصل بينها فواصل أو فواصل منقوطة أو مسافات جدولة.
    #[arg(long, conflicts_with = "linked")]
    table: Option<PathBuf>,
    /// Or: the sources (lists) in the store, comma-separated; the table is made from the
    /// persons citing them, linked persons counted once (`athar linkage run` first).
    /// أو: مصادر (قوائم) المخزن مفصولة بفواصل؛ يُبنى الجدول من الأشخاص الذين يستشهدون بها، ويُعدّ المرتبطون مرة واحدة (شغّل athar linkage run أولاً).
    #[arg(long, value_delimiter = ',', num_args = 1..)]
    linked: Vec<String>,
    /// chapman, lincoln-petersen, independence, loglinear, stepwise, sparsemse (SparseMSE's
    /// stepwise rule: lowest p-value first), aic, bic, lcmcr, dga (R's model averaging over
    /// decomposable graphs, 3 to 5 lists), or one of Rcapture's
    /// closed-population models: m0, mt, mh-chao, mh-poisson, mh-darroch, mh-gamma,
    /// mth-chao, mth-poisson, mth-darroch, mth-gamma (docs/ESTIMATION.md).
    /// طريقة التقدير، ومنها نماذج Rcapture للمجتمع المغلق: m0 وmt وmh-… وmth-… (انظر docs/ESTIMATION.md).
    #[arg(long, default_value = "aic", value_parser = clap::builder::PossibleValuesParser::new(mse::METHOD_NAMES))]
    method: String,
    /// With loglinear: the interactions, e.g. `A:B,C:D` (list names from the header).
    /// مع loglinear: التفاعلات، مثل A:B,C:D (أسماء القوائم من الترويسة).
    #[arg(long, value_delimiter = ',')]
    terms: Vec<String>,
    /// With chapman or lincoln-petersen: the two lists to use (default the first two).
    /// مع chapman أو lincoln-petersen: القائمتان المستخدمتان (افتراضياً أول اثنتين).
    #[arg(long, value_delimiter = ',', num_args = 1..)]
    lists: Vec<String>,
    /// With stepwise or sparsemse: add an interaction only while its p-value is below this
    /// (default 0.05 for stepwise, 0.02 for sparsemse as the package's).
    /// مع stepwise أو sparsemse: يُضاف تفاعل ما دامت قيمة p له أقل من هذا (افتراضياً 0.05 لـ stepwise و0.02 لـ sparsemse).
    #[arg(long = "p")]
    p_threshold: Option<f64>,
    /// Coverage of the interval.
    /// نسبة تغطية المجال.
    #[arg(long, default_value_t = 0.95)]
    level: f64,
    /// With lcmcr: the random seed (the same seed gives the same result).
    /// مع lcmcr: البذرة العشوائية (البذرة نفسها تعطي النتيجة نفسها).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// With lcmcr: passes discarded before sampling.
    /// مع lcmcr: الدورات المهملة قبل أخذ العينات.
    #[arg(long, default_value_t = 10_000)]
    burnin: usize,
    /// With lcmcr: posterior draws kept.
    /// مع lcmcr: عدد السحبات اللاحقة المحفوظة.
    #[arg(long, default_value_t = 1_000)]
    samples: usize,
    /// With lcmcr: passes between kept draws.
    /// مع lcmcr: الدورات بين سحبتين محفوظتين.
    #[arg(long, default_value_t = 100)]
    thin: usize,
    /// With lcmcr: independent chains, run in parallel, sharing the samples. Until their
    /// draws agree (R̂ and split R̂ at most 1.05, enough effective draws), each round doubles
    /// every chain; if they never agree, no estimate is given and the exit status is 2.
    /// مع lcmcr: سلاسل مستقلة تعمل بالتوازي وتتقاسم العينات. تُضاعَف كل سلسلة في كل جولة حتى تتفق سحباتها، وإن لم تتفق فلا تقدير ورمز الخروج 2.
    #[arg(long, default_value_t = LcmcrSettings::default().chains)]
    chains: usize,
    /// With lcmcr: the most draws (all chains together) to make while waiting for the
    /// chains to agree.
    /// مع lcmcr: أكبر عدد من السحبات (للسلاسل كلها) قبل التوقف إن لم تتفق السلاسل.
    #[arg(long, default_value_t = LcmcrSettings::default().max_draws)]
    max_draws: usize,
    /// With lcmcr: the largest number of latent classes.
    /// مع lcmcr: أكبر عدد من الفئات الكامنة.
    #[arg(long, default_value_t = 10)]
    classes: usize,
    /// With dga: the hyper-Dirichlet prior's weight per cell of the full table (default
    /// 2^-t for t lists, the package's suggestion).
    /// مع dga: وزن توزيع ديريشليه الفائق المسبق لكل خلية من الجدول الكامل (افتراضياً 2^-t لـ t قوائم).
    #[arg(long)]
    delta: Option<f64>,
    /// Strata, one estimate each. With --table: a column of the table naming them. With
    /// --linked: year or governorate, of each person's earliest arrest, detention or worse.
    /// الطبقات، تقدير لكل منها. مع --table: عمود في الجدول يسمّيها. مع --linked: السنة أو المحافظة لأول اعتقال أو احتجاز أو أشد لكل شخص.
    #[arg(long)]
    stratum: Option<String>,
    /// Print JSON.
    /// الطباعة بصيغة JSON.
    #[arg(long)]
    json: bool,
}

fn method_for(args: &EstimateArgs, table: &CaptureTable) -> Result<Method, String> {
    let options = MethodOptions {
        terms: args.terms.clone(),
        lists: args.lists.clone(),
        p_threshold: args.p_threshold,
        lcmcr: LcmcrSettings {
            classes: args.classes,
            seed: args.seed,
            burnin: args.burnin,
            samples: args.samples,
            thin: args.thin,
            chains: args.chains,
            max_draws: args.max_draws,
            ..LcmcrSettings::default()
        },
        dga: mse::DgaSettings {
            delta: args.delta,
            ..mse::DgaSettings::default()
        },
    };
    Method::from_name(&args.method, &options, table).map_err(|e| format!("--{e}"))
}

fn print_estimate(estimate: &Estimate, heading: Option<&str>) {
    if let Some(heading) = heading {
        println!("== {heading} ==");
    }
    let bound = |b: Option<f64>| b.map_or_else(|| "unbounded".to_string(), |v| format!("{v:.0}"));
    println!(
        "Estimated total: {:.0}  ({:.0} % interval {} – {}, {})",
        estimate.estimate,
        estimate.level * 100.0,
        bound(estimate.interval[0]),
        bound(estimate.interval[1]),
        estimate.interval_method
    );
    println!(
        "Documented: {} on {} lists ({}); estimated undocumented: {:.0}",
        estimate.observed,
        estimate.lists.len(),
        estimate.lists.join(", "),
        estimate.estimate - estimate.observed as f64
    );
    let model = if estimate.terms.is_empty() {
        String::new()
    } else {
        format!("; interactions {}", estimate.terms.join(", "))
    };
    println!("Method: {}{model}", estimate.method);
    if let (Some(deviance), Some(df)) = (estimate.deviance, estimate.df) {
        println!(
            "Fit: deviance {deviance:.3} on {df} df, AIC {:.2}",
            estimate.aic.unwrap_or(f64::NAN)
        );
    }
    for warning in &estimate.warnings {
        println!("Warning: {warning}");
    }
}

/// The capture tables of the store's lists, linked persons counted once: one, or one per
/// stratum with `--stratum year|governorate`.
fn linked_tables(
    args: &EstimateArgs,
    dir: &athar_store::DataDir,
) -> Result<Vec<(String, CaptureTable)>, String> {
    if let Some(by) = args.stratum.as_deref()
        && !athar_app::counting::STRATA.contains(&by)
    {
        return Err(format!(
            "--stratum: with --linked, one of {}",
            athar_app::counting::STRATA.join(", ")
        ));
    }
    let lists = args
        .linked
        .iter()
        .map(|l| {
            l.parse()
                .map_err(|_| format!("--linked: {l:?} is not a source id"))
        })
        .collect::<Result<Vec<athar_model::RecordId>, _>>()?;
    use athar_store::Store;
    let store = crate::open_store(dir)?;
    let org = crate::own_organisation(&store)?;
    let scope = athar_app::Scope::new(&store, athar_app::OrgId::new(org), "cli");
    let names: Vec<String> = (1..=lists.len()).map(|i| format!("L{i}")).collect();
    let strata: Vec<(String, athar_link::stored::CaptureCounts)> = match args.stratum.as_deref() {
        None => vec![(
            String::new(),
            scope
                .capture_counts(&lists)
                .map_err(|e| format!("--linked: {e}"))?,
        )],
        Some(by) => {
            let placed =
                athar_app::counting::person_strata(&scope, by).map_err(|e| e.to_string())?;
            scope
                .capture_counts_by_stratum(&lists, &placed)
                .map_err(|e| format!("--linked: {e}"))?
        }
    };
    if !args.json {
        for (name, list) in names.iter().zip(&lists) {
            println!("{name} = source {list}");
        }
        let persons: usize = strata.iter().map(|(_, c)| c.persons).sum();
        let records: usize = strata.iter().map(|(_, c)| c.records).sum();
        match strata.first().and_then(|(_, c)| c.linkage.run) {
            Some(run) => println!(
                "{persons} persons from {records} person records (linkage run {run}, {} records counted with another).",
                strata[0].1.linkage.records_joined
            ),
            None => println!(
                "{persons} persons from {records} person records; no linkage run yet, so a person on two lists counts twice (athar linkage run)."
            ),
        }
    }
    store
        .audit("cli", "estimate.linked", None)
        .map_err(|e| e.to_string())?;
    strata
        .into_iter()
        .map(|(stratum, counts)| {
            CaptureTable::new(names.clone(), counts.counts)
                .map(|table| (stratum, table))
                .map_err(|e| format!("--linked: {e}"))
        })
        .collect()
}

/// Why no estimate was given: the message, and what the method measured when it has
/// something to show (the chains' diagnostics when they did not agree).
struct Refusal {
    message: String,
    diagnostics: Option<serde_json::Value>,
}

impl From<String> for Refusal {
    fn from(message: String) -> Self {
        Self {
            message,
            diagnostics: None,
        }
    }
}

/// Runs the estimate; with `--json` a refusal is JSON too (`{"error": …}` on standard
/// output, with `diagnostics` when there are some; exit status 2), so that a script reads
/// one format whatever happens.
pub fn run(args: EstimateArgs, dir: &athar_store::DataDir) -> Result<ExitCode, String> {
    let json = args.json;
    match estimate(args, dir) {
        Ok(code) => Ok(code),
        Err(refusal) if json => {
            let mut out = serde_json::json!({ "error": refusal.message });
            if let Some(diagnostics) = refusal.diagnostics {
                out["diagnostics"] = diagnostics;
            }
            println!(
                "{}",
                serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
            );
            Ok(ExitCode::from(2))
        }
        Err(refusal) => Err(refusal.message),
    }
}

fn estimate(args: EstimateArgs, dir: &athar_store::DataDir) -> Result<ExitCode, Refusal> {
    let strata: Vec<(String, CaptureTable)> = if !args.linked.is_empty() {
        linked_tables(&args, dir)?
    } else {
        let Some(path) = &args.table else {
            return Err(
                "give --table FILE.csv, or --linked SOURCE,SOURCE… for the store's lists"
                    .to_string()
                    .into(),
            );
        };
        let file = std::fs::File::open(path)
            .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        let with_file = |e: mse::TableError| format!("{}: {e}", path.display());
        match &args.stratum {
            Some(column) => CaptureTable::strata_from_csv(file, column).map_err(with_file)?,
            None => vec![(
                String::new(),
                CaptureTable::from_csv(file).map_err(with_file)?,
            )],
        }
    };
    let mut results = Vec::with_capacity(strata.len());
    for (name, table) in &strata {
        let method = method_for(&args, table)?;
        let estimate = mse::estimate(table, &method, args.level).map_err(|e| Refusal {
            message: if name.is_empty() {
                e.to_string()
            } else {
                format!("stratum {name:?}: {e}")
            },
            diagnostics: e.diagnostics(),
        })?;
        results.push((name.clone(), estimate));
    }
    if args.stratum.is_none() {
        let (_, estimate) = &results[0];
        if args.json {
            println!(
                "{}",
                serde_json::to_string_pretty(estimate).map_err(|e| e.to_string())?
            );
        } else {
            print_estimate(estimate, None);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let total: f64 = results.iter().map(|(_, e)| e.estimate).sum();
    let observed: u64 = results.iter().map(|(_, e)| e.observed).sum();
    let total_warning = "the total is the sum of the strata's estimates; their intervals do not add, so the total has none";
    if args.json {
        let strata: Vec<_> = results
            .iter()
            .map(|(name, estimate)| {
                let mut value = serde_json::to_value(estimate).unwrap_or_default();
                value["stratum"] = name.clone().into();
                value
            })
            .collect();
        let out = serde_json::json!({
            "stratified_by": args.stratum,
            "strata": strata,
            "total": { "estimate": total, "observed": observed, "interval": null, "warnings": [total_warning] },
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
        );
    } else {
        for (name, estimate) in &results {
            print_estimate(estimate, Some(name));
            println!();
        }
        println!("Total over strata: {total:.0} ({observed} documented)");
        println!("Note: {total_warning}");
    }
    Ok(ExitCode::SUCCESS)
}
