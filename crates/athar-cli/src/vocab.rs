//! `athar vocab`: the organisation's own vocabulary terms — a branch it documents, a host
//! country its returnees came from, a cause of death its list names — added at runtime
//! beside the shared terms of `data/vocabularies/`, with revisions, through the
//! organisation's scope (`athar-app`'s vocabularies).

use std::process::ExitCode;

use clap::{Args, Subcommand};

use athar_model::{FuzzyDate, Lang, RecordBody, RecordKind, Term, Vocabularies, VocabularyTerm};
use athar_store::DataDir;

use crate::{open_store, own_organisation, print_json};

#[derive(Subcommand)]
pub enum VocabCommand {
    /// Add a term to one of the organisation's vocabularies (units, facilities,
    /// host-countries, border-crossings, authorities, event-kinds, causes-of-death,
    /// source-kinds, identifier-kinds). Imports, counts and reports know it at once.
    ///
    /// إضافة مصطلح إلى مفردات الجهة؛ تعرفه عمليات الاستيراد والعدّ والتقارير فوراً.
    Add(TermArgs),
    /// Change a term the organisation added (labels, aliases, attributes): a new revision;
    /// its id and vocabulary stay, since records name it.
    ///
    /// تعديل مصطلح أضافته الجهة (نسخة جديدة؛ يبقى معرّفه ومفرداته).
    Set(TermArgs),
    /// The terms of a vocabulary as the organisation has them (shared and added), or only
    /// the added ones of every vocabulary with --added.
    ///
    /// مصطلحات مفردات ما كما هي لدى الجهة (المشتركة والمضافة)، أو المضافة فقط مع --added.
    List(ListArgs),
    /// Every revision of a term the organisation added.
    ///
    /// كل نسخ مصطلح أضافته الجهة.
    History {
        /// The term's vocabulary.
        /// مفردات المصطلح.
        vocabulary: String,
        /// The term's id.
        /// معرّف المصطلح.
        id: String,
        /// Print the revisions as JSON.
        /// طباعة النسخ بصيغة JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
pub struct TermArgs {
    /// The vocabulary: units, facilities, host-countries, border-crossings, authorities,
    /// event-kinds, causes-of-death, source-kinds or identifier-kinds.
    /// المفردات: units أو facilities أو host-countries أو border-crossings أو authorities أو event-kinds أو causes-of-death أو source-kinds أو identifier-kinds.
    pub vocabulary: String,
    /// The term's id: lower-case Latin letters, digits and hyphens (a host country: its
    /// two-letter ISO code, FR).
    /// معرّف المصطلح: حروف لاتينية صغيرة وأرقام وشرطات (بلد الاستضافة: رمزه ISO من حرفين، FR).
    #[arg(long)]
    pub id: String,
    /// The English label.
    /// التسمية الإنكليزية.
    #[arg(long)]
    pub en: Option<String>,
    /// The Arabic label.
    /// التسمية العربية.
    #[arg(long)]
    pub ar: Option<String>,
    /// Another English spelling a list may use (repeat for more).
    /// كتابة إنكليزية أخرى قد تستخدمها قائمة (كرّره للمزيد).
    #[arg(long = "alias-en")]
    pub aliases_en: Vec<String>,
    /// Another Arabic spelling a list may use (repeat for more).
    /// كتابة عربية أخرى قد تستخدمها قائمة (كرّره للمزيد).
    #[arg(long = "alias-ar")]
    pub aliases_ar: Vec<String>,
    /// Event kinds: the category (return, deprivation, harm, disappearance, release,
    /// death-in-custody, killing, search, other).
    /// أنواع الأحداث: الفئة (return أو deprivation أو harm أو disappearance أو release أو death-in-custody أو killing أو search أو other).
    #[arg(long)]
    pub category: Option<String>,
    /// Units: what sort of body (branch, military, militia …).
    /// الوحدات: نوع الجهة (فرع، عسكرية، ميليشيا …).
    #[arg(long)]
    pub kind: Option<String>,
    /// Units: the unit above this one.
    /// الوحدات: الوحدة الأعلى منها.
    #[arg(long)]
    pub parent: Option<String>,
    /// Units: the authority (party) served.
    /// الوحدات: السلطة (الطرف) التي تتبعها.
    #[arg(long)]
    pub authority: Option<String>,
    /// Facilities: the unit that ran it.
    /// المرافق: الوحدة التي أدارته.
    #[arg(long)]
    pub unit: Option<String>,
    /// Facilities and crossings: the gazetteer P-code of its area.
    /// المرافق والمعابر: رمز P-code لمنطقته في المعجم الجغرافي.
    #[arg(long)]
    pub pcode: Option<String>,
    /// Crossings: the neighbouring country.
    /// المعابر: البلد المجاور.
    #[arg(long)]
    pub country: Option<String>,
    /// Units and facilities: since when (a date as records write it: 2012, 2012-05 …).
    /// الوحدات والمرافق: منذ متى (تاريخ كما تكتبه السجلات: 2012، 2012-05 …).
    #[arg(long)]
    pub from: Option<String>,
    /// Units and facilities: until when.
    /// الوحدات والمرافق: حتى متى.
    #[arg(long)]
    pub to: Option<String>,
    /// Notes on the term (its source, how lists write it).
    /// ملاحظات على المصطلح (مصدره، وكيف تكتبه القوائم).
    #[arg(long)]
    pub notes: Option<String>,
    /// Print the term as JSON.
    /// طباعة المصطلح بصيغة JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ListArgs {
    /// The vocabulary to list (all added terms when left out with --added).
    /// المفردات المراد سردها (كل المصطلحات المضافة إن غابت مع --added).
    pub vocabulary: Option<String>,
    /// Only the terms the organisation added (or was shared).
    /// المصطلحات التي أضافتها الجهة (أو شوركت معها) فقط.
    #[arg(long)]
    pub added: bool,
    /// Labels in Arabic.
    /// التسميات بالعربية.
    #[arg(long)]
    pub arabic: bool,
    /// Print the terms as JSON.
    /// طباعة المصطلحات بصيغة JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(command: VocabCommand, dir: &DataDir) -> Result<ExitCode, String> {
    let store = open_store(dir)?;
    let org = own_organisation(&store)?;
    let scope = athar_app::Scope::new(&store, athar_app::OrgId::new(org), "cli");
    match command {
        VocabCommand::Add(args) => {
            let json = args.json;
            let term = term_of(args, None)?;
            let label = format!("{} {}", term.vocabulary, term.term.id);
            let written = scope.add_term(term).map_err(|e| e.to_string())?;
            if json {
                print_json(&serde_json::json!({ "record": written.id, "rev": written.rev }));
            } else {
                println!("added {label} (record {}, revision 1)", written.id);
            }
        }
        VocabCommand::Set(args) => {
            let json = args.json;
            let found = added(&scope, &args.vocabulary, &args.id)?;
            let RecordBody::Term(before) = &found.body else {
                return Err("not a term".into());
            };
            let term = term_of(args, Some(&before.term))?;
            let label = format!("{} {}", term.vocabulary, term.term.id);
            let written = scope
                .update(
                    "vocab.set",
                    found.id,
                    Some(found.rev),
                    RecordBody::Term(term),
                )
                .map_err(|e| e.to_string())?;
            if json {
                print_json(&serde_json::json!({ "record": written.id, "rev": written.rev }));
            } else {
                println!("changed {label} (revision {})", written.rev);
            }
        }
        VocabCommand::List(args) => list(&scope, args)?,
        VocabCommand::History {
            vocabulary,
            id,
            json,
        } => {
            let found = added(&scope, &vocabulary, &id)?;
            let history = scope
                .history(RecordKind::Term, found.id)
                .map_err(|e| e.to_string())?;
            if json {
                print_json(&history);
            } else {
                for r in history {
                    let what = match &r.body {
                        RecordBody::Term(t) => format!("{} / {}", t.term.en, t.term.ar),
                        _ => String::new(),
                    };
                    let op = serde_json::to_value(r.op)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default();
                    println!("revision {}  {op}  by {}  {what}", r.rev, r.author);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The stored record of a term this organisation added.
fn added(
    scope: &athar_app::Scope<'_>,
    vocabulary: &str,
    id: &str,
) -> Result<athar_store::StoredRecord, String> {
    let terms = scope.added_terms().map_err(|e| e.to_string())?;
    let own = scope.org().number();
    let found = terms
        .iter()
        .find(|t| t.vocabulary == vocabulary && t.term.id == id && t.owner == own)
        .ok_or_else(|| {
            format!(
                "the organisation added no term {id:?} to {vocabulary} (shared terms change in data/vocabularies/)"
            )
        })?;
    scope
        .read_owned(RecordKind::Term, found.id)
        .map_err(|e| e.to_string())
}

/// The term the arguments describe; for a change, the arguments left out keep the term's
/// values as they were.
fn term_of(args: TermArgs, before: Option<&Term>) -> Result<VocabularyTerm, String> {
    let date = |field: &str, text: Option<String>, was: FuzzyDate| match text {
        Some(t) => FuzzyDate::parse(&t).map_err(|e| format!("--{field}: {e}")),
        None => Ok(was),
    };
    let keep = |new: Option<String>, old: Option<&Option<String>>| match new {
        Some(v) if v.trim().is_empty() => None,
        Some(v) => Some(v),
        None => old.cloned().flatten(),
    };
    let label = |field: &str, new: Option<String>, old: Option<&String>| {
        new.or_else(|| old.cloned()).ok_or_else(|| {
            format!("--{field} is required: every term has an English and an Arabic label")
        })
    };
    // New spellings join the ones the term had.
    let merged = |had: Option<&Vec<String>>, new: Vec<String>| {
        let mut all = had.cloned().unwrap_or_default();
        for a in new {
            if !all.contains(&a) {
                all.push(a);
            }
        }
        all
    };
    let aliases_en = merged(before.map(|b| &b.aliases_en), args.aliases_en);
    let aliases_ar = merged(before.map(|b| &b.aliases_ar), args.aliases_ar);
    let term = Term {
        id: args.id,
        en: label("en", args.en, before.map(|b| &b.en))?,
        ar: label("ar", args.ar, before.map(|b| &b.ar))?,
        aliases_en,
        aliases_ar,
        category: keep(args.category, before.map(|b| &b.category)),
        kind: keep(args.kind, before.map(|b| &b.kind)),
        parent: keep(args.parent, before.map(|b| &b.parent)),
        authority: keep(args.authority, before.map(|b| &b.authority)),
        unit: keep(args.unit, before.map(|b| &b.unit)),
        pcode: keep(args.pcode, before.map(|b| &b.pcode)),
        country: keep(args.country, before.map(|b| &b.country)),
        from: date(
            "from",
            args.from,
            before.map(|b| b.from).unwrap_or_default(),
        )?,
        to: date("to", args.to, before.map(|b| b.to).unwrap_or_default())?,
        notes: keep(args.notes, before.map(|b| &b.notes)),
    };
    Ok(VocabularyTerm {
        vocabulary: args.vocabulary,
        term,
    })
}

fn list(scope: &athar_app::Scope<'_>, args: ListArgs) -> Result<(), String> {
    let lang = if args.arabic { Lang::Ar } else { Lang::En };
    if args.added {
        let terms: Vec<_> = scope
            .added_terms()
            .map_err(|e| e.to_string())?
            .into_iter()
            .filter(|t| args.vocabulary.as_deref().is_none_or(|v| v == t.vocabulary))
            .collect();
        if args.json {
            print_json(&terms);
            return Ok(());
        }
        if terms.is_empty() {
            println!("no added terms");
        }
        for t in terms {
            let state = match &t.not_used {
                Some(why) => format!("  — not in use: {why}"),
                None => String::new(),
            };
            println!(
                "{}  {}  {}{state}",
                t.vocabulary,
                t.term.id,
                t.term.label(lang)
            );
        }
        return Ok(());
    }
    let Some(name) = args.vocabulary else {
        return Err(format!(
            "name a vocabulary ({}) or give --added",
            Vocabularies::names().collect::<Vec<_>>().join(", ")
        ));
    };
    let vocab = scope.vocabularies().map_err(|e| e.to_string())?;
    let list = vocab
        .by_name(&name)
        .ok_or_else(|| format!("no vocabulary {name:?}"))?;
    let shared = Vocabularies::embedded().by_name(&name);
    if args.json {
        print_json(&list.terms());
        return Ok(());
    }
    for t in list.terms() {
        let mark = if shared.is_some_and(|s| s.get(&t.id).is_none()) {
            "  (added)"
        } else {
            ""
        };
        println!("{}  {}{mark}", t.id, t.label(lang));
    }
    Ok(())
}
