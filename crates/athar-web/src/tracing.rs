//! The page of a family's search for a missing person (`/tracing/{id}`): what the family
//! reported, the candidate matches the linkage engine found in the organisation's records
//! with the evidence for and against each, the steps taken, the outcome, and the letter to
//! the family. The server reads everything through the organisation's scope and hands it
//! here as [`TracingFacts`].

use askama::Template;
use athar_model::intake::{OutcomeDraft, SearchStepDraft};
use athar_model::tracing::Outcome;
use athar_model::vocab::Lang;
use athar_model::{FieldError, FuzzyDate, MatchDecision, Person, Status, Vocabularies};

use crate::dates;
use crate::i18n::Tr;
use crate::intake::{Choice, FieldMaker, SelectField, TextField};
use crate::pages::{Chrome, Step};

/// One comparison of a candidate with the reported person: the field compared, how they
/// compared (a level of the linkage model) and the weight it added (log₂; negative
/// against).
pub struct Term {
    pub comparison: String,
    pub level: String,
    pub weight: f64,
}

/// A candidate as the server read it.
pub struct CandidateFacts<'a> {
    pub id: String,
    pub person: &'a Person,
    pub probability: f64,
    pub terms: Vec<Term>,
    pub decision: Option<MatchDecision>,
    pub sources: Vec<String>,
    pub status: Status,
    pub events: Vec<Step<'a>>,
    /// Deaths its records give before the reported person was last seen (kind, date).
    pub died_before_seen: Vec<(String, FuzzyDate)>,
}

/// What the page shows, as the server read it.
pub struct TracingFacts<'a> {
    pub id: String,
    pub rev: u32,
    pub person: &'a Person,
    pub last_seen: Option<Step<'a>>,
    /// Who reported, and when (the family's account, the report's source).
    pub reported_by: Option<String>,
    pub reported_on: FuzzyDate,
    pub steps: Vec<(Step<'a>, Option<String>)>,
    /// `None`: nothing could be compared; `Some(None)`: a model learnt now; `Some(Some(n))`:
    /// the model of linkage run n.
    pub model: Option<Option<i64>>,
    pub withheld: bool,
    pub compared: usize,
    pub candidates: Vec<CandidateFacts<'a>>,
    /// The account may change the record (decide, add steps, record the outcome).
    pub can_write: bool,
    pub notice: Option<&'a str>,
}

/// The forms as typed, and what stopped them.
#[derive(Default)]
pub struct TracingForms<'a> {
    pub step: SearchStepDraft,
    pub outcome: OutcomeDraft,
    /// Problems, named `step.*` or `outcome.*`.
    pub problems: &'a [FieldError],
}

pub struct TermView {
    pub text: String,
}

pub struct CandidateView {
    pub id: String,
    pub name: String,
    pub other_names: Vec<String>,
    pub born: String,
    pub probability: String,
    pub decision: Option<String>,
    pub decided_same: bool,
    pub sources: Vec<String>,
    pub status: String,
    pub events: Vec<(String, String)>,
    pub for_: Vec<TermView>,
    pub against: Vec<TermView>,
    pub not_compared: Vec<String>,
}

#[derive(Template)]
#[template(path = "tracing.html")]
struct TracingPage<'a> {
    tr: Tr,
    chrome: &'a Chrome,
    id: String,
    rev: u32,
    title: String,
    notice: Option<String>,
    problems: Vec<(String, String)>,
    differences: Vec<crate::intake::Difference>,
    facts: Vec<(String, String)>,
    outcome: Option<String>,
    outcome_note: Option<String>,
    compared: String,
    withheld: bool,
    nothing_compared: bool,
    candidates: Vec<CandidateView>,
    steps: Vec<(String, String, String)>,
    can_write: bool,
    step_kind: SelectField,
    step_texts: Vec<TextField>,
    step_narrative: TextField,
    outcome_choice: SelectField,
    outcome_date: TextField,
    matched: SelectField,
    note: TextField,
}

fn step_line(tr: &Tr, step: &Step<'_>) -> (String, String) {
    let mut what = step.kind.clone();
    for part in [&step.place, &step.by] {
        if !part.is_empty() {
            what = format!("{what} — {part}");
        }
    }
    (dates::in_words(tr, step.date), what)
}

fn outcome_key(o: Outcome) -> String {
    format!("tracing-outcome-{}", o.code().replace('_', "-"))
}

/// The page of a family's search for `facts.person`.
pub fn tracing_page(
    lang: Lang,
    chrome: &Chrome,
    facts: &TracingFacts<'_>,
    forms: &TracingForms<'_>,
    vocab: &Vocabularies,
) -> askama::Result<String> {
    let tr = chrome.tr(lang);
    let f = FieldMaker {
        tr,
        problems: forms.problems,
    };
    let p = facts.person;
    let mut lines = Vec::new();
    if let Some(seen) = &facts.last_seen {
        let (when, _) = step_line(&tr, seen);
        lines.push((tr.t("report-last-seen-date"), when));
        if !seen.place.is_empty() {
            lines.push((tr.t("report-last-seen-place"), seen.place.clone()));
        }
    }
    if let Some(by) = &facts.reported_by {
        lines.push((tr.t("report-relative"), by.clone()));
    }
    if !facts.reported_on.is_unknown() {
        lines.push((
            tr.t("report-date"),
            dates::in_words(&tr, &facts.reported_on),
        ));
    }
    for c in &p.consent {
        let answer = tr.t(match c.answer {
            athar_model::consent::Answer::Given => "consent-given",
            athar_model::consent::Answer::Refused => "consent-refused",
            athar_model::consent::Answer::Withdrawn => "consent-withdrawn",
        });
        let purpose = match lang {
            Lang::Ar => c.purpose.label_ar(),
            Lang::En => c.purpose.label_en(),
        };
        lines.push((purpose.to_string(), answer));
    }
    let candidates: Vec<CandidateView> = facts
        .candidates
        .iter()
        .map(|c| {
            let term_text = |t: &Term| {
                format!(
                    "{}: {}",
                    tr.t(&format!("link-field-{}", t.comparison.replace('_', "-"))),
                    tr.t(&format!("link-level-{}", t.level.replace('_', "-")))
                )
            };
            let mut against: Vec<TermView> = c
                .terms
                .iter()
                .filter(|t| t.level != "null" && t.weight < 0.0)
                .map(|t| TermView { text: term_text(t) })
                .collect();
            for (kind, date) in &c.died_before_seen {
                against.push(TermView {
                    text: tr.two(
                        "tracing-died-before-seen",
                        ("event", kind),
                        ("date", &dates::in_words(&tr, date)),
                    ),
                });
            }
            let name = c.person.display_name(lang);
            let other_names = c
                .person
                .names
                .iter()
                .map(|n| n.display())
                .filter(|n| *n != name && !n.trim().is_empty())
                .collect();
            CandidateView {
                id: c.id.clone(),
                name,
                other_names,
                born: dates::in_words(&tr, &c.person.birth_date),
                probability: tr.with(
                    "tracing-probability",
                    "p",
                    &tr.num((c.probability * 100.0).round() as u64),
                ),
                decision: c.decision.map(|d| {
                    tr.t(match d {
                        MatchDecision::Same => "tracing-decided-same",
                        _ => "tracing-decided-different",
                    })
                }),
                decided_same: c.decision == Some(MatchDecision::Same),
                sources: c.sources.clone(),
                status: c.status.label(lang).to_string(),
                events: c.events.iter().map(|s| step_line(&tr, s)).collect(),
                for_: c
                    .terms
                    .iter()
                    .filter(|t| t.level != "null" && t.weight > 0.0)
                    .map(|t| TermView { text: term_text(t) })
                    .collect(),
                against,
                not_compared: c
                    .terms
                    .iter()
                    .filter(|t| t.level == "null")
                    .map(|t| tr.t(&format!("link-field-{}", t.comparison.replace('_', "-"))))
                    .collect(),
            }
        })
        .collect();
    let step_kind = f.select(
        "step.kind".into(),
        "intake-event-kind",
        &forms.step.kind,
        std::iter::once(Choice {
            value: String::new(),
            label: tr.t("intake-choose"),
        })
        .chain(
            vocab
                .event_kinds
                .terms()
                .iter()
                .filter(|t| vocab.category_of(&t.id) == Some("search"))
                .map(|t| Choice {
                    value: t.id.clone(),
                    label: t.label(lang).to_string(),
                }),
        )
        .collect(),
    );
    let outcome_choice = f.select(
        "outcome.outcome".into(),
        "tracing-outcome",
        &forms.outcome.outcome,
        std::iter::once(Choice {
            value: String::new(),
            label: tr.t("intake-choose"),
        })
        .chain(Outcome::ALL.into_iter().map(|o| Choice {
            value: o.code().into(),
            label: tr.t(&outcome_key(o)),
        }))
        .collect(),
    );
    let matched = f.select(
        "outcome.matched".into(),
        "tracing-matched",
        &forms.outcome.matched,
        std::iter::once(Choice {
            value: String::new(),
            label: tr.t("tracing-matched-none"),
        })
        .chain(candidates.iter().map(|c| Choice {
            value: c.id.clone(),
            label: format!("{} — {}", c.name, c.sources.join("، ")),
        }))
        .collect(),
    );
    let outcome = p.tracing.as_ref().map(|t| {
        let mut text = tr.t(&outcome_key(t.outcome));
        if !t.date.is_unknown() {
            text = format!("{text} — {}", dates::in_words(&tr, &t.date));
        }
        format!("{text} — {}", t.by)
    });
    TracingPage {
        id: facts.id.clone(),
        rev: facts.rev,
        title: tr.with("tracing-title", "name", &p.display_name(lang)),
        notice: facts.notice.map(|k| tr.t(k)),
        problems: f.summary(),
        differences: Vec::new(),
        facts: lines,
        outcome,
        outcome_note: p.tracing.as_ref().and_then(|t| t.note.clone()),
        compared: match facts.model {
            Some(model) => format!(
                "{} {}",
                tr.n("tracing-compared", facts.compared as u64),
                match model {
                    Some(run) => tr.with("tracing-model-run", "run", &tr.num(run)),
                    None => tr.t("tracing-model-now"),
                }
            ),
            None => String::new(),
        },
        withheld: facts.withheld,
        nothing_compared: facts.model.is_none() && !facts.withheld,
        candidates,
        steps: facts
            .steps
            .iter()
            .map(|(s, narrative)| {
                let (when, what) = step_line(&tr, s);
                (when, what, narrative.clone().unwrap_or_default())
            })
            .collect(),
        can_write: facts.can_write,
        step_texts: vec![f.date("step.date".into(), "intake-event-date", &forms.step.date)],
        step_narrative: f.text(
            "step.narrative".into(),
            "tracing-step-narrative",
            &forms.step.narrative,
            "auto",
        ),
        step_kind,
        outcome_choice,
        outcome_date: f.date(
            "outcome.date".into(),
            "tracing-outcome-date",
            &forms.outcome.date,
        ),
        matched,
        note: f.text(
            "outcome.note".into(),
            "tracing-note",
            &forms.outcome.note,
            "auto",
        ),
        tr,
        chrome,
    }
    .render()
}
