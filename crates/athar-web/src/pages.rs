//! The pages: what each shows, built from what the server read, rendered with the
//! templates in `templates/`. Every page has the same frame ([`Chrome`]): the signed-in
//! account, the sign-out form with its CSRF token, the other language, the demo banner.

use askama::Template;
use athar_model::vocab::Lang;
use athar_model::{Person, PersonName, Script, Sex};

use crate::dates;
use crate::i18n::Tr;
use crate::intake::{Choice, SelectField, TextField};

/// What every page's frame shows.
#[derive(Debug, Clone, Default)]
pub struct Chrome {
    /// The signed-in account's name; `None` on the sign-in page.
    pub user: Option<String>,
    /// The session's CSRF token, for the forms that change something.
    pub csrf: String,
    /// This page's path and query, for the language switch to come back to.
    pub here: String,
    /// The store holds demonstration data.
    pub demo: bool,
    /// The account may record cases (the intake form and drafts are offered).
    pub can_write: bool,
    /// The account may verify cases (the queue is offered).
    pub can_verify: bool,
    /// How the reader has numbers written.
    pub digits: crate::i18n::Digits,
}

impl Chrome {
    /// The interface's words for this page: the language, with the reader's digits.
    pub fn tr(&self, lang: Lang) -> Tr {
        Tr::new(lang).with_digits(self.digits)
    }
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage<'a> {
    tr: Tr,
    chrome: &'a Chrome,
    error: Option<String>,
    notice: Option<String>,
    next: &'a str,
    username: &'a str,
}

/// The sign-in form, with the refusal or notice to show above it.
pub fn sign_in(
    lang: Lang,
    chrome: &Chrome,
    next: &str,
    username: &str,
    error: Option<String>,
    notice: Option<&str>,
) -> askama::Result<String> {
    let tr = chrome.tr(lang);
    SignInPage {
        tr,
        chrome,
        error,
        notice: notice.map(|key| tr.t(key)),
        next,
        username,
    }
    .render()
}

/// One row of the persons list.
pub struct PersonRow {
    pub id: String,
    pub name: String,
    pub other_name: String,
    pub born: String,
    /// The derived status, in the reader's language.
    pub status: String,
    pub closeness: String,
}

/// A person found or listed, as the list shows them.
pub struct Listed<'a> {
    pub id: String,
    pub person: &'a Person,
    /// `same-spelling`, `same-sound` or `same-skeleton` for a name search.
    pub closeness: Option<&'a str>,
    /// The derived status, as counted.
    pub status: athar_model::Status,
}

/// The persons list's filters as the reader set them (query values, kept as typed), and
/// the fields whose values could not be read.
#[derive(Debug, Clone, Default)]
pub struct ListFilters {
    pub status: String,
    pub kind: String,
    pub governorate: String,
    pub unit: String,
    pub host: String,
    pub from: String,
    pub to: String,
    pub verification: String,
    /// `verified`: only cases a second person verified.
    pub cases: String,
    /// `from`, `to` or `verification`.
    pub invalid: Vec<&'static str>,
}

impl ListFilters {
    /// Whether any filter is set.
    pub fn any(&self) -> bool {
        [
            &self.status,
            &self.kind,
            &self.governorate,
            &self.unit,
            &self.host,
            &self.from,
            &self.to,
            &self.verification,
            &self.cases,
        ]
        .iter()
        .any(|v| !v.trim().is_empty())
    }

    /// The filters as a query string (`status=…&unit=…`), for links that keep them.
    pub fn query(&self) -> String {
        [
            ("status", &self.status),
            ("kind", &self.kind),
            ("governorate", &self.governorate),
            ("unit", &self.unit),
            ("host", &self.host),
            ("from", &self.from),
            ("to", &self.to),
            ("verification", &self.verification),
            ("cases", &self.cases),
        ]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", query_value(v)))
        .collect::<Vec<_>>()
        .join("&")
    }
}

/// Percent-encoding of a query value (every byte but ASCII letters, digits and `-._~`).
pub fn query_value(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn filter_selects(
    tr: &Tr,
    lang: Lang,
    vocab: &athar_model::Vocabularies,
    f: &ListFilters,
) -> Vec<SelectField> {
    let any = || Choice {
        value: String::new(),
        label: tr.t("filter-any"),
    };
    let terms = |v: &athar_model::Vocabulary| {
        std::iter::once(any())
            .chain(v.terms().iter().map(|t| Choice {
                value: t.id.clone(),
                label: t.label(lang).to_string(),
            }))
            .collect::<Vec<_>>()
    };
    let select = |name: &str, label: &str, value: &str, choices: Vec<Choice>| SelectField {
        name: name.to_string(),
        id: format!("filter-{name}"),
        label: tr.t(label),
        value: value.to_string(),
        error: f.invalid.contains(&name).then(|| tr.t("filter-invalid")),
        choices,
    };
    let statuses = std::iter::once(any())
        .chain(athar_model::Status::ALL.iter().map(|s| Choice {
            value: s.code().to_string(),
            label: s.label(lang).to_string(),
        }))
        .collect();
    let governorates = std::iter::once(any())
        .chain(
            vocab
                .gazetteer
                .entries()
                .iter()
                .filter(|e| e.level == athar_model::Level::Governorate)
                .map(|e| Choice {
                    value: e.pcode.clone(),
                    label: match lang {
                        Lang::Ar => e.name_ar.clone(),
                        Lang::En => e.name_en.clone(),
                    },
                }),
        )
        .collect();
    let verification = std::iter::once(any())
        .chain(
            ["alleged", "corroborated", "verified"]
                .iter()
                .map(|v| Choice {
                    value: v.to_string(),
                    label: tr.t(&format!("verification-{v}")),
                }),
        )
        .collect();
    vec![
        select("status", "filter-status", &f.status, statuses),
        select("kind", "filter-kind", &f.kind, terms(&vocab.event_kinds)),
        select(
            "governorate",
            "filter-governorate",
            &f.governorate,
            governorates,
        ),
        select("unit", "intake-event-unit", &f.unit, terms(&vocab.units)),
        select(
            "host",
            "intake-event-host-country",
            &f.host,
            terms(&vocab.host_countries),
        ),
        select(
            "verification",
            "filter-verification",
            &f.verification,
            verification,
        ),
    ]
}

#[derive(Template)]
#[template(path = "persons.html")]
struct PersonsPage<'a> {
    tr: Tr,
    chrome: &'a Chrome,
    filtering: bool,
    filters_unread: bool,
    selects: Vec<SelectField>,
    periods: Vec<TextField>,
    query: &'a str,
    searching: bool,
    total: u64,
    rows: Vec<PersonRow>,
    next_url: Option<String>,
    first_url: Option<String>,
}

fn other_lang(lang: Lang) -> Lang {
    match lang {
        Lang::Ar => Lang::En,
        Lang::En => Lang::Ar,
    }
}

/// The persons list, or the persons a name search (and the filters) found.
#[allow(clippy::too_many_arguments)]
pub fn persons(
    lang: Lang,
    chrome: &Chrome,
    query: &str,
    filters: &ListFilters,
    vocab: &athar_model::Vocabularies,
    total: u64,
    listed: &[Listed<'_>],
    next_url: Option<String>,
    first_url: Option<String>,
) -> askama::Result<String> {
    let tr = chrome.tr(lang);
    let period = |name: &str, label: &str, value: &str| TextField {
        name: name.to_string(),
        id: format!("filter-{name}"),
        label: tr.t(label),
        value: value.to_string(),
        error: filters
            .invalid
            .contains(&name)
            .then(|| tr.t("filter-invalid-date")),
        dir: "auto",
        hint: None,
        list: None,
    };
    let periods = vec![
        period("from", "filter-from", &filters.from),
        period("to", "filter-to", &filters.to),
    ];
    let selects = filter_selects(&tr, lang, vocab, filters);
    let rows = listed
        .iter()
        .map(|l| {
            let name = l.person.display_name(lang);
            let other = l.person.display_name(other_lang(lang));
            PersonRow {
                id: l.id.clone(),
                other_name: if other == name { String::new() } else { other },
                name,
                born: match l.person.birth_date {
                    athar_model::FuzzyDate::Unknown => String::new(),
                    ref d => dates::in_words(&tr, d),
                },
                status: l.status.label(lang).to_string(),
                closeness: l
                    .closeness
                    .map(|c| tr.t(&format!("closeness-{c}")))
                    .unwrap_or_default(),
            }
        })
        .collect();
    PersonsPage {
        tr,
        chrome,
        filtering: filters.any(),
        filters_unread: !filters.invalid.is_empty(),
        selects,
        periods,
        query,
        searching: !query.trim().is_empty(),
        total,
        rows,
        next_url,
        first_url,
    }
    .render()
}

/// One name of a person, by script.
pub struct NameView {
    pub script: String,
    pub lang: &'static str,
    pub parts: Vec<(String, String)>,
}

/// One step of a journey, its words already in the reader's language.
pub struct StepView {
    pub when: String,
    /// The date for `<time datetime>`, when known.
    pub datetime: Option<String>,
    pub what: String,
    pub place: String,
    pub by: String,
}

/// A step as the server read it: the event's date, and the labels of its kind, place and
/// unit or party in the reader's language.
pub struct Step<'a> {
    pub date: &'a athar_model::FuzzyDate,
    pub kind: String,
    pub place: String,
    pub by: String,
}

/// A source the person's record or journey cites.
pub struct SourceView {
    pub title: String,
    pub kind: String,
    pub reliability: String,
    pub date: String,
}

/// One consent decision, in words.
pub struct ConsentView {
    pub purpose: String,
    pub answer: String,
    pub date: String,
    pub by: String,
}

/// One revision of the person's record, in words.
pub struct RevisionView {
    pub rev: u32,
    pub what: String,
    pub when: String,
    pub when_iso: String,
    pub who: String,
    pub changes: Vec<crate::history::Change>,
}

/// What the reader may do about the case's review.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReviewActions {
    /// Submit it (their organisation's case, not waiting or verified).
    pub submit: bool,
    /// Verify or return it (submitted by someone else).
    pub decide: bool,
    /// It waits for verification and the reader submitted it: someone else verifies.
    pub own_case: bool,
}

/// An evidence item as the pages list it.
pub struct EvidenceView {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub description: String,
    pub size: String,
    pub sha256: String,
    pub added: String,
    pub added_iso: String,
    pub by: String,
}

/// An evidence item as the vault describes it.
pub struct EvidenceFacts<'a> {
    pub id: &'a str,
    pub filename: Option<&'a str>,
    /// `original`, `redacted`, `transcript` or `translation`.
    pub kind: &'a str,
    pub description: Option<&'a str>,
    pub size: u64,
    pub sha256: &'a str,
    /// Unix milliseconds.
    pub created: i64,
    pub by: &'a str,
}

/// An evidence item's words in the reader's language.
pub fn evidence_view(tr: &Tr, e: &EvidenceFacts<'_>) -> EvidenceView {
    let (added, added_iso) = dates::moment(tr, e.created);
    EvidenceView {
        id: e.id.to_string(),
        name: e
            .filename
            .map_or_else(|| tr.t("evidence-unnamed"), str::to_string),
        kind: tr.t(&format!("evidence-kind-{}", e.kind)),
        description: e.description.unwrap_or_default().to_string(),
        size: tr.with(
            "evidence-size",
            "kb",
            &tr.digits.write(&format!("{:.1}", e.size as f64 / 1024.0)),
        ),
        sha256: e.sha256.to_string(),
        added,
        added_iso,
        by: e.by.to_string(),
    }
}

/// Why the person has their status: the rule (`death`, `held-place-unknown`, `stated` …,
/// as `athar_model::status::Because::code` names them), the journey step it read, and
/// for a statement its date.
#[derive(Debug, Clone, Copy)]
pub struct StatusWhy {
    pub code: &'static str,
    pub step: Option<usize>,
    pub stated: Option<athar_model::FuzzyDate>,
}

/// What the person page shows beside the names and the journey, as the server read it.
#[derive(Default)]
pub struct PersonExtras<'a> {
    /// A family reported the person missing (or a search for them is recorded): the page
    /// links to the search.
    pub tracing: bool,
    /// Why the status is what it is.
    pub status_why: Option<StatusWhy>,
    /// The evidence about the person (the organisation's own items).
    pub evidence: Vec<EvidenceView>,
    /// The organisation owns the record and the account writes: evidence may be added and
    /// the details edited.
    pub can_write: bool,
    /// The record's revision (for the review forms).
    pub rev: u32,
    pub review_actions: ReviewActions,
    /// The sources cited, with their kind's label already in the reader's language.
    pub sources: Vec<(&'a athar_model::Source, String)>,
    /// With whom the organisation shares the person (names and how), when it owns it.
    pub shares: Option<Vec<(String, &'static str)>>,
    /// The record's revisions, oldest first: (revision, operation code, unix ms, author,
    /// the body as JSON).
    pub revisions: Vec<(u32, &'static str, i64, String, serde_json::Value)>,
    /// A notice key to show above the page.
    pub notice: Option<&'a str>,
    /// The records linkage paired with this one (its latest run's pairs and every
    /// decision about it), strongest first.
    pub matches: Vec<PairedRecord>,
    /// The organisation has run linkage at all.
    pub linkage_run: bool,
}

/// Another person record linkage paired with the one shown.
pub struct PairedRecord {
    pub id: String,
    /// Its name in the reader's script (or the other).
    pub name: String,
    /// The run's match probability, when the run scored the pair.
    pub probability: Option<f64>,
    /// Counted as one person now.
    pub together: bool,
    /// What a reviewer decided, if anyone did.
    pub decision: Option<athar_model::MatchDecision>,
}

/// A paired record as the person page lists it.
pub struct PairedView {
    pub id: String,
    pub name: String,
    pub probability: String,
    pub state: String,
    /// What was decided about the pair: `same`, `different`, or empty.
    pub decided: &'static str,
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage<'a> {
    tr: Tr,
    tracing: bool,
    chrome: &'a Chrome,
    notice: Option<String>,
    id: String,
    rev: u32,
    review_state: String,
    review_comment: Option<String>,
    actions: ReviewActions,
    evidence: Vec<EvidenceView>,
    matches: Vec<PairedView>,
    linkage_run: bool,
    can_write: bool,
    sources: Vec<SourceView>,
    consent: Vec<ConsentView>,
    shares: Option<Vec<String>>,
    revisions: Vec<RevisionView>,
    title: String,
    status: String,
    status_why: String,
    born: String,
    sex: String,
    names: Vec<NameView>,
    steps: Vec<StepView>,
}

fn name_view(tr: &Tr, name: &PersonName) -> NameView {
    let (script, lang) = match name.script {
        Script::Arab => (tr.t("person-script-arab"), "ar"),
        _ => (tr.t("person-script-latn"), "en"),
    };
    let parts = [
        ("person-given", &name.given),
        ("person-father", &name.father),
        ("person-grandfather", &name.grandfather),
        ("person-family", &name.family),
        ("person-mother", &name.mother),
    ]
    .into_iter()
    .filter_map(|(key, value)| value.as_ref().map(|v| (tr.t(key), v.clone())))
    .chain(name.full.as_ref().map(|f| (tr.t("col-name"), f.clone())))
    .collect();
    NameView {
        script,
        lang,
        parts,
    }
}

/// A person's page: names in both scripts, what is known of them, the journey in order.
#[allow(clippy::too_many_arguments)]
pub fn person(
    lang: Lang,
    chrome: &Chrome,
    id: &str,
    person: &Person,
    status_label: &str,
    steps: &[Step<'_>],
    extras: PersonExtras<'_>,
) -> askama::Result<String> {
    let tr = chrome.tr(lang);
    let sources = extras
        .sources
        .iter()
        .map(|(s, kind)| SourceView {
            title: s.title.clone(),
            kind: kind.clone(),
            reliability: tr.t(&format!(
                "reliability-{}",
                format!("{:?}", s.reliability).to_lowercase()
            )),
            date: match s.date {
                athar_model::FuzzyDate::Unknown => String::new(),
                ref d => dates::in_words(&tr, d),
            },
        })
        .collect();
    let consent = person
        .consent
        .iter()
        .map(|c| ConsentView {
            purpose: match lang {
                Lang::Ar => c.purpose.label_ar(),
                Lang::En => c.purpose.label_en(),
            }
            .to_string(),
            answer: tr.t(match c.answer {
                athar_model::consent::Answer::Given => "consent-given",
                athar_model::consent::Answer::Refused => "consent-refused",
                athar_model::consent::Answer::Withdrawn => "consent-withdrawn",
            }),
            date: dates::in_words(&tr, &c.date),
            by: c.by.clone().unwrap_or_default(),
        })
        .collect();
    let shares = extras.shares.map(|list| {
        list.iter()
            .map(|(org, mode)| {
                tr.two(
                    "share-line",
                    ("org", org),
                    ("mode", &tr.t(&format!("share-{mode}"))),
                )
            })
            .collect()
    });
    let mut revisions = Vec::with_capacity(extras.revisions.len());
    let mut before: Option<&serde_json::Value> = None;
    for (rev, op, at, who, body) in &extras.revisions {
        let (when, when_iso) = dates::moment(&tr, *at);
        revisions.push(RevisionView {
            rev: *rev,
            what: tr.t(&format!("revision-{op}")),
            when,
            when_iso,
            who: who.clone(),
            changes: crate::history::changes(before, body),
        });
        before = Some(body);
    }
    revisions.reverse();
    let review_state = match &person.review {
        None => tr.t("review-none"),
        Some(r) => match r.state {
            athar_model::review::ReviewState::Submitted => {
                tr.with("review-submitted", "name", &r.submitted_by)
            }
            athar_model::review::ReviewState::Verified => tr.two(
                "review-verified",
                ("name", r.reviewed_by.as_deref().unwrap_or_default()),
                ("author", &r.submitted_by),
            ),
            athar_model::review::ReviewState::Returned => tr.with(
                "review-returned",
                "name",
                r.reviewed_by.as_deref().unwrap_or_default(),
            ),
        },
    };
    PersonPage {
        tracing: extras.tracing,
        notice: extras.notice.map(|k| tr.t(k)),
        id: id.to_string(),
        rev: extras.rev,
        review_state,
        review_comment: person.review.as_ref().and_then(|r| r.comment.clone()),
        actions: extras.review_actions,
        evidence: extras.evidence,
        matches: extras
            .matches
            .iter()
            .map(|m| PairedView {
                id: m.id.clone(),
                name: m.name.clone(),
                probability: m
                    .probability
                    .map(|p| {
                        tr.with(
                            "tracing-probability",
                            "p",
                            &tr.num((p * 100.0).round() as u64),
                        )
                    })
                    .unwrap_or_default(),
                state: tr.t(match (m.decision, m.together) {
                    (Some(athar_model::MatchDecision::Same), _) => "tracing-decided-same",
                    (Some(athar_model::MatchDecision::Different), _) => "tracing-decided-different",
                    (None, true) => "match-together",
                    (None, false) => "match-apart",
                }),
                decided: match m.decision {
                    Some(athar_model::MatchDecision::Same) => "same",
                    Some(athar_model::MatchDecision::Different) => "different",
                    None => "",
                },
            })
            .collect(),
        linkage_run: extras.linkage_run,
        can_write: extras.can_write,
        sources,
        consent,
        shares,
        revisions,
        tr,
        chrome,
        title: person.display_name(lang),
        status: status_label.to_string(),
        status_why: extras
            .status_why
            .map(|why| {
                let step = why.step.and_then(|i| steps.get(i));
                let event = step.map(|s| s.kind.clone()).unwrap_or_default();
                let date = step
                    .map(|s| dates::in_words(&tr, s.date))
                    .or_else(|| why.stated.map(|d| dates::in_words(&tr, &d)))
                    .unwrap_or_default();
                let by = step.map(|s| s.by.clone()).unwrap_or_default();
                tr.args(
                    &format!("status-why-{}", why.code),
                    &[("event", &event), ("date", &date), ("by", &by)],
                )
            })
            .unwrap_or_default(),
        born: dates::in_words(&tr, &person.birth_date),
        sex: tr.t(match person.sex {
            Sex::Male => "sex-male",
            Sex::Female => "sex-female",
            Sex::Unknown => "sex-unknown",
        }),
        names: person.names.iter().map(|n| name_view(&tr, n)).collect(),
        steps: steps
            .iter()
            .map(|s| StepView {
                when: dates::in_words(&tr, s.date),
                datetime: dates::machine(s.date),
                what: s.kind.clone(),
                place: s.place.clone(),
                by: s.by.clone(),
            })
            .collect(),
    }
    .render()
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage<'a> {
    tr: Tr,
    chrome: &'a Chrome,
    title: String,
    text: String,
}

/// A page that only says something: not found, or an error.
pub fn message(
    lang: Lang,
    chrome: &Chrome,
    title_key: &str,
    text_key: &str,
) -> askama::Result<String> {
    let tr = chrome.tr(lang);
    MessagePage {
        tr,
        chrome,
        title: tr.t(title_key),
        text: tr.t(text_key),
    }
    .render()
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage<'a> {
    tr: Tr,
    chrome: &'a Chrome,
    rows: Vec<(String, String, String)>,
}

/// The cases waiting for verification: (person id, the person, who submitted it).
pub fn review_queue(
    lang: Lang,
    chrome: &Chrome,
    waiting: &[(String, &Person, String)],
) -> askama::Result<String> {
    ReviewPage {
        tr: chrome.tr(lang),
        chrome,
        rows: waiting
            .iter()
            .map(|(id, p, by)| (id.clone(), p.display_name(lang), by.clone()))
            .collect(),
    }
    .render()
}

#[derive(Template)]
#[template(path = "refusal.html")]
struct RefusalPage<'a> {
    tr: Tr,
    chrome: &'a Chrome,
    message: &'a str,
    back: &'a str,
}

/// A step refused, saying why, with the way back to the page it came from.
pub fn refusal(lang: Lang, chrome: &Chrome, message: &str, back: &str) -> askama::Result<String> {
    RefusalPage {
        tr: chrome.tr(lang),
        chrome,
        message,
        back,
    }
    .render()
}

#[derive(Template)]
#[template(path = "evidence.html")]
struct EvidencePage<'a> {
    tr: Tr,
    chrome: &'a Chrome,
    item: EvidenceView,
    back: Option<String>,
    custody: Vec<(String, String, String, String)>,
}

/// An evidence item with its chain of custody: (action, actor, moment, ISO moment).
pub fn evidence_item(
    lang: Lang,
    chrome: &Chrome,
    item: EvidenceView,
    back: Option<String>,
    custody: &[(String, String, i64)],
) -> askama::Result<String> {
    let tr = chrome.tr(lang);
    let custody = custody
        .iter()
        .map(|(action, actor, at)| {
            let (when, iso) = dates::moment(&tr, *at);
            (
                tr.t(&format!("custody-{}", action.replace('.', "-"))),
                actor.clone(),
                when,
                iso,
            )
        })
        .collect();
    EvidencePage {
        tr,
        chrome,
        item,
        back,
        custody,
    }
    .render()
}
