//! `athar find`: persons by name in any spelling or script, closest first — the search of
//! `GET /api/persons?name=`, through the organisation's scope, with the same totals and
//! paging. Looking at the persons found is recorded in the audit log, as on the server.

use std::process::ExitCode;

use athar_model::{Lang, RecordBody, RecordKind};
use athar_store::{DataDir, NameCloseness, SearchCursor};
use clap::Args;
use serde::Serialize;

use crate::{open_store, own_organisation, print_json};

#[derive(Args)]
pub struct FindArgs {
    /// The name, or some of its words, in Arabic or Latin script and any spelling
    /// ("Mohammad al-Halabi", "محمد الحلبي", "Halabi").
    /// الاسم أو بعض كلماته، بالعربية أو اللاتينية وبأي كتابة.
    pub name: String,
    /// How many persons to show.
    /// عدد الأشخاص المعروضين.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Start after this place: the `next` printed below the page before.
    /// البدء بعد هذا الموضع: قيمة next المطبوعة تحت الصفحة السابقة.
    #[arg(long)]
    pub after: Option<String>,
    /// Print the page as JSON (total, next, and each person's id, names and closeness).
    /// طباعة الصفحة بصيغة JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Found {
    id: String,
    closeness: NameCloseness,
    name_ar: String,
    name_en: String,
    birth_date: String,
}

#[derive(Serialize)]
struct FoundPage {
    total: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
    items: Vec<Found>,
}

fn closeness_words(c: NameCloseness) -> &'static str {
    match c {
        NameCloseness::SameSpelling => "same spelling / الكتابة نفسها",
        NameCloseness::SameSound => "other spelling / كتابة أخرى",
        NameCloseness::SameSkeleton => "similar / مشابه",
    }
}

pub fn run(args: FindArgs, dir: &DataDir) -> Result<ExitCode, String> {
    let after = match args.after.as_deref() {
        Some(a) => Some(a.parse::<SearchCursor>().map_err(|()| {
            format!("--after {a:?} is not a place in a search: give the `next` printed below the page before")
        })?),
        None => None,
    };
    if args.limit == 0 {
        return Err("--limit must be at least 1".into());
    }
    let store = open_store(dir)?;
    let org = own_organisation(&store)?;
    let scope = athar_app::Scope::new(&store, athar_app::OrgId::new(org), "cli");
    let found = scope
        .find_persons(&args.name, after, args.limit)
        .map_err(|e| e.to_string())?;
    scope
        .record_view(
            RecordKind::Person,
            &found.items.iter().map(|m| m.record.id).collect::<Vec<_>>(),
        )
        .map_err(|e| e.to_string())?;
    let page = FoundPage {
        total: found.total,
        next: found.next.map(|c| c.to_string()),
        items: found
            .items
            .iter()
            .map(|m| {
                let (ar, en, born) = match &m.record.body {
                    RecordBody::Person(p) => (
                        p.display_name(Lang::Ar),
                        p.display_name(Lang::En),
                        p.birth_date.to_string(),
                    ),
                    _ => Default::default(),
                };
                Found {
                    id: m.record.id.to_string(),
                    closeness: m.closeness,
                    name_ar: ar,
                    name_en: en,
                    birth_date: born,
                }
            })
            .collect(),
    };
    if args.json {
        print_json(&page);
        return Ok(ExitCode::SUCCESS);
    }
    if page.total == 0 {
        println!("No person found by that name. / لم يُعثر على أحد بهذا الاسم.");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} found, closest first / عدد النتائج: {}",
        page.total, page.total
    );
    for f in &page.items {
        println!(
            "{}\t{}\t{}\t{}\t{}",
            f.id,
            f.name_ar,
            f.name_en,
            f.birth_date,
            closeness_words(f.closeness)
        );
    }
    if let Some(next) = &page.next {
        println!("More / المزيد: athar find {:?} --after {next}", args.name);
    }
    Ok(ExitCode::SUCCESS)
}
