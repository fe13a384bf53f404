//! `athar stats`: the headline figures and breakdowns of the store's records.
//!
//! Reads the persons, events and involvements the store's own organisation can see (its own
//! and those shared with it), keeps only their countable facts (`athar_stats::counts`), and
//! prints the summary — or, with `--by`, a breakdown. The computation is recorded in the
//! audit chain. Definitions: docs/DEFINITIONS.md, "Counting".

use std::process::ExitCode;

use athar_stats::counts::{Dimension, Filter};
use athar_store::{SqliteStore, Store};

#[derive(clap::Args)]
pub struct StatsArgs {
    /// Count events certainly on or after this date (e.g. 2024-01, 2019).
    /// عدّ الأحداث الواقعة يقيناً في هذا التاريخ أو بعده (مثل 2024-01 أو 2019).
    #[arg(long)]
    from: Option<String>,
    /// Count events certainly on or before this date.
    /// عدّ الأحداث الواقعة يقيناً في هذا التاريخ أو قبله.
    #[arg(long)]
    to: Option<String>,
    /// Count only events and involvements at least this well established: alleged,
    /// corroborated or verified.
    /// عدّ الأحداث والمشاركات الثابتة بهذا القدر على الأقل فقط: alleged أو corroborated أو verified.
    #[arg(long, value_parser = ["alleged", "corroborated", "verified"])]
    verification: Option<String>,
    /// Only events in this governorate (P-code, e.g. SY01).
    /// الأحداث في هذه المحافظة فقط (رمز P-code، مثل SY01).
    #[arg(long)]
    governorate: Option<String>,
    /// Break down by up to three of: kind, year, month, governorate, unit, party, sex, age,
    /// host-country, verification.
    /// التوزيع حسب ثلاثة على الأكثر من: النوع والسنة والشهر والمحافظة والوحدة والطرف والجنس والعمر وبلد الاستضافة ودرجة التحقق.
    #[arg(long, value_delimiter = ',')]
    by: Vec<String>,
    /// With --by: list the events behind each cell.
    /// مع --by: سرد الأحداث التي تستند إليها كل خانة.
    #[arg(long)]
    ids: bool,
    /// With --by, for public outputs: withhold cells of fewer persons than this (counts
    /// and events), so that nobody is singled out by a small count.
    /// مع --by وللنشر: حجب الخانات التي تضم أقل من هذا العدد من الأشخاص، كي لا يُعرف أحد من عدد صغير.
    #[arg(long, value_name = "PERSONS")]
    suppress_below: Option<usize>,
    /// List the records behind one headline figure instead: its events and persons
    /// (arrests, arrests_children, enforced_disappearances, returnee_cohort.disappeared …).
    /// سرد السجلات التي يستند إليها رقم رئيسي واحد بدلاً من ذلك: أحداثه وأشخاصه.
    #[arg(long, value_name = "FIGURE", conflicts_with = "by")]
    behind: Option<String>,
    /// Print JSON.
    /// الطباعة بصيغة JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: StatsArgs, store: &SqliteStore, org: i64) -> Result<ExitCode, String> {
    let filter = Filter::parse(
        args.from.as_deref(),
        args.to.as_deref(),
        args.verification.as_deref(),
        args.governorate.as_deref(),
    )
    .map_err(|errors| {
        errors
            .iter()
            .map(|e| format!("--{}: {}", e.field, e.problem))
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    let dimensions = if args.by.is_empty() {
        Vec::new()
    } else {
        Dimension::parse_list(args.by.iter().map(String::as_str))
            .map_err(|e| format!("--by: {e}"))?
    };
    let (facts, linkage) = athar_app::Scope::new(store, athar_app::OrgId::new(org), "cli")
        .counting_facts()
        .map_err(|e| e.to_string())?;
    store
        .audit("cli", "stats", None)
        .map_err(|e| e.to_string())?;
    if let Some(figure) = &args.behind {
        let behind = facts.behind(figure, &filter).ok_or_else(|| {
            format!(
                "--behind: {figure:?} is not a headline figure; one of {}",
                athar_stats::counts::FIGURES.join(", ")
            )
        })?;
        if args.json {
            println!(
                "{}",
                serde_json::to_string_pretty(&behind).map_err(|e| e.to_string())?
            );
        } else {
            println!(
                "{}: {} ({} events, {} persons)",
                behind.figure,
                behind.count,
                behind.events.len(),
                behind.persons.len()
            );
            for event in &behind.events {
                println!("event {event}");
            }
            for person in &behind.persons {
                println!("person {person}");
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    if dimensions.is_empty() {
        let summary = facts.summary(&filter);
        if args.json {
            let mut out = serde_json::to_value(&summary).map_err(|e| e.to_string())?;
            if let Some(obj) = out.as_object_mut() {
                obj.insert(
                    "linkage".into(),
                    serde_json::to_value(&linkage).map_err(|e| e.to_string())?,
                );
            }
            println!(
                "{}",
                serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
            );
        } else {
            println!("Persons recorded: {}", summary.persons);
            if let Some(run) = linkage.run {
                println!(
                    "  from {} person records: linkage run {run} and reviewers' decisions count {} records with another ({} automatic links, {} confirmed, {} rejected)",
                    summary.person_records,
                    linkage.records_joined,
                    linkage.automatic_links,
                    linkage.confirmed_same,
                    linkage.confirmed_different
                );
            } else if linkage.records_joined > 0 {
                println!(
                    "  from {} person records: reviewers' decisions count {} records with another",
                    summary.person_records, linkage.records_joined
                );
            }
            println!("Victims of counted events: {}", summary.victims);
            println!(
                "Returnees: {} ({} forced back)",
                summary.returnees, summary.forced_returnees
            );
            println!(
                "Arrests: {} — children {}, adult women {}, after forced return {} (age unknown {}, sex unknown {})",
                summary.arrests,
                summary.arrests_children,
                summary.arrests_women,
                summary.arrests_after_forced_return,
                summary.arrests_age_unknown,
                summary.arrests_sex_unknown
            );
            if let Some(share) = summary.share_arrests_to_disappearance {
                println!(
                    "Arrests followed by enforced disappearance: {} ({:.0} %)",
                    summary.arrests_then_disappeared,
                    share * 100.0
                );
            }
            println!(
                "Now: disappeared {}, died in custody {}, killed {}, dead (circumstances unknown) {}, detained {}, released {}",
                summary.enforced_disappearances,
                summary.died_in_custody,
                summary.killed,
                summary.dead,
                summary.detained,
                summary.released
            );
            for (party, count) in &summary.arrests_by_party {
                println!("Arrests by {party}: {count}");
            }
            if summary.uncertain_in_period > 0 {
                println!(
                    "Not counted: {} victimisations whose date may or may not fall in the period",
                    summary.uncertain_in_period
                );
            }
        }
    } else {
        let mut breakdown = facts.breakdown(&dimensions, &filter, args.ids);
        if let Some(below) = args.suppress_below {
            breakdown.suppress_small_cells(below);
        }
        if args.json {
            println!(
                "{}",
                serde_json::to_string_pretty(&breakdown).map_err(|e| e.to_string())?
            );
        } else {
            println!(
                "{}\tvictimisations\tevents\tpersons",
                breakdown.dimensions.join("\t")
            );
            for cell in &breakdown.cells {
                if cell.suppressed {
                    let below = format!("<{}", breakdown.suppressed_below.unwrap_or_default());
                    println!("{}\t{below}\t{below}\t{below}", cell.key.join("\t"));
                    continue;
                }
                println!(
                    "{}\t{}\t{}\t{}",
                    cell.key.join("\t"),
                    cell.victimisations,
                    cell.events,
                    cell.persons
                );
            }
            if breakdown.uncertain_in_period > 0 {
                println!(
                    "Not counted: {} victimisations whose date may or may not fall in the period",
                    breakdown.uncertain_in_period
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
