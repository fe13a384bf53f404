//! The case intake form: its fields' names (`arabic.given`, `events[2].date` …) to and from
//! a [`CaseDraft`], what the button pressed asks for, and the page — the person, each event
//! of the journey and the source, with pickers from the vocabularies and the gazetteer, the
//! problems next to their fields, and the line that says whether what is typed is saved.

use askama::Template;
use athar_model::intake::{
    CaseDraft, EventDraft, MAX_EVENTS, MissingReport, NameDraft, PersonEdit,
};
use athar_model::vocab::{Lang, Vocabularies, Vocabulary};
use athar_model::{FieldError, Level};

use crate::i18n::Tr;
use crate::pages::Chrome;

/// What the button pressed (or the page's own saving) asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    /// Keep what is typed.
    Save,
    /// Saved by the page itself every few seconds (answered in JSON, not a page).
    Autosave,
    /// Keep it and add an event below the others.
    AddEvent,
    /// Keep it without event `i`.
    RemoveEvent(usize),
    /// Keep it, then write the case.
    Submit,
    /// Delete the draft.
    Discard,
}

/// What a posted intake form holds.
#[derive(Debug, Clone, Default)]
pub struct Posted {
    pub draft: CaseDraft,
    /// The draft's revision the form was opened at.
    pub rev: Option<u32>,
    pub csrf: String,
    pub intent: Option<Intent>,
}

fn name_part<'a>(name: &'a mut NameDraft, part: &str) -> Option<&'a mut String> {
    Some(match part {
        "given" => &mut name.given,
        "father" => &mut name.father,
        "grandfather" => &mut name.grandfather,
        "family" => &mut name.family,
        "mother" => &mut name.mother,
        _ => return None,
    })
}

fn event_part<'a>(event: &'a mut EventDraft, part: &str) -> Option<&'a mut String> {
    Some(match part {
        "kind" => &mut event.kind,
        "date" => &mut event.date,
        "end" => &mut event.end,
        "place" => &mut event.place,
        "facility" => &mut event.facility,
        "unit" => &mut event.unit,
        "host_country" => &mut event.host_country,
        "narrative" => &mut event.narrative,
        _ => return None,
    })
}

/// The draft field a form field name stands for, to be written.
fn field<'a>(draft: &'a mut CaseDraft, name: &str) -> Option<&'a mut String> {
    let (head, part) = name.split_once('.').unwrap_or((name, ""));
    match head {
        "arabic" => name_part(&mut draft.arabic, part),
        "latin" => name_part(&mut draft.latin, part),
        "sex" => Some(&mut draft.sex),
        "birth_date" => Some(&mut draft.birth_date),
        "birthplace" => Some(&mut draft.birthplace),
        "source" => Some(match part {
            "kind" => &mut draft.source.kind,
            "title" => &mut draft.source.title,
            "date" => &mut draft.source.date,
            "reliability" => &mut draft.source.reliability,
            _ => return None,
        }),
        _ => {
            let index: usize = head
                .strip_prefix("events[")?
                .strip_suffix(']')?
                .parse()
                .ok()?;
            if index >= MAX_EVENTS {
                return None;
            }
            if draft.events.len() <= index {
                draft.events.resize(index + 1, EventDraft::default());
            }
            event_part(&mut draft.events[index], part)
        }
    }
}

/// Reads a posted form (its name–value pairs in order). Unknown names are ignored; a
/// value is kept exactly as typed.
pub fn read_form(pairs: &[(String, String)]) -> Posted {
    let mut posted = Posted::default();
    for (name, value) in pairs {
        match name.as_str() {
            "rev" => posted.rev = value.trim().parse().ok(),
            "csrf" => posted.csrf = value.clone(),
            "intent" => {
                posted.intent = match value.as_str() {
                    "save" => Some(Intent::Save),
                    "autosave" => Some(Intent::Autosave),
                    "add-event" => Some(Intent::AddEvent),
                    "submit" => Some(Intent::Submit),
                    "discard" => Some(Intent::Discard),
                    other => other
                        .strip_prefix("remove-event-")
                        .and_then(|i| i.parse().ok())
                        .map(Intent::RemoveEvent),
                }
            }
            _ => {
                if let Some(slot) = field(&mut posted.draft, name) {
                    slot.clone_from(value);
                }
            }
        }
    }
    posted
}

/// Every field of a draft with its form name and value, in the form's order.
pub fn fields(draft: &CaseDraft) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (script, name) in [("arabic", &draft.arabic), ("latin", &draft.latin)] {
        for (part, value) in [
            ("given", &name.given),
            ("father", &name.father),
            ("grandfather", &name.grandfather),
            ("family", &name.family),
            ("mother", &name.mother),
        ] {
            out.push((format!("{script}.{part}"), value.clone()));
        }
    }
    out.push(("sex".into(), draft.sex.clone()));
    out.push(("birth_date".into(), draft.birth_date.clone()));
    out.push(("birthplace".into(), draft.birthplace.clone()));
    for (i, e) in draft.events.iter().enumerate() {
        for (part, value) in [
            ("kind", &e.kind),
            ("date", &e.date),
            ("end", &e.end),
            ("place", &e.place),
            ("facility", &e.facility),
            ("unit", &e.unit),
            ("host_country", &e.host_country),
            ("narrative", &e.narrative),
        ] {
            out.push((format!("events[{i}].{part}"), value.clone()));
        }
    }
    for (part, value) in [
        ("kind", &draft.source.kind),
        ("title", &draft.source.title),
        ("date", &draft.source.date),
        ("reliability", &draft.source.reliability),
    ] {
        out.push((format!("source.{part}"), value.clone()));
    }
    out
}

/// An element id for a form field name (`events[2].date` → `f-events-2-date`).
pub fn field_id(name: &str) -> String {
    let mut id = String::from("f-");
    for c in name.chars() {
        match c {
            '[' | '.' => id.push('-'),
            ']' => {}
            c => id.push(c),
        }
    }
    id
}

/// One choice of a picker.
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// A text field as the page shows it.
pub struct TextField {
    pub name: String,
    pub id: String,
    pub label: String,
    pub value: String,
    pub error: Option<String>,
    /// `rtl`, `ltr` or `auto`.
    pub dir: &'static str,
    pub hint: Option<String>,
    /// The id of a `<datalist>` to suggest from.
    pub list: Option<&'static str>,
}

/// A picker as the page shows it.
pub struct SelectField {
    pub name: String,
    pub id: String,
    pub label: String,
    pub value: String,
    pub error: Option<String>,
    pub choices: Vec<Choice>,
}

/// One event of the journey as the page shows it.
pub struct EventView {
    pub index: usize,
    pub number: usize,
    pub kind: SelectField,
    pub texts: Vec<TextField>,
    pub selects: Vec<SelectField>,
    pub narrative: TextField,
}

/// A field that differs between the draft as saved elsewhere and as typed here.
pub struct Difference {
    pub label: String,
    pub saved: String,
    pub yours: String,
}

#[derive(Template)]
#[template(path = "intake.html")]
struct IntakePage<'a> {
    tr: Tr,
    chrome: &'a Chrome,
    action: String,
    rev: u32,
    problems: Vec<(String, String)>,
    notice: Option<String>,
    differences: Vec<Difference>,
    arabic: Vec<TextField>,
    latin: Vec<TextField>,
    sex: SelectField,
    birth: Vec<TextField>,
    events: Vec<EventView>,
    can_add: bool,
    source_kind: SelectField,
    source_texts: Vec<TextField>,
    reliability: SelectField,
    places: Vec<String>,
}

/// What the intake page shows besides the draft.
#[derive(Default)]
pub struct IntakeState<'a> {
    /// Problems that stop the case, by field.
    pub problems: &'a [FieldError],
    /// A message key to show above the form.
    pub notice: Option<&'a str>,
    /// The draft as saved from another window, when this one conflicts with it.
    pub saved_elsewhere: Option<&'a CaseDraft>,
}

fn choices(vocabulary: &Vocabulary, lang: Lang, tr: &Tr) -> Vec<Choice> {
    std::iter::once(Choice {
        value: String::new(),
        label: tr.t("intake-choose"),
    })
    .chain(vocabulary.terms().iter().map(|t| Choice {
        value: t.id.clone(),
        label: t.label(lang).to_string(),
    }))
    .collect()
}

/// The places the place fields suggest: every division of the gazetteer, in the reader's
/// language, with the governorate it lies in and its P-code (which the server reads back).
pub fn place_choices(vocab: &Vocabularies, lang: Lang) -> Vec<String> {
    let name = |e: &athar_model::GazetteerEntry| match lang {
        Lang::Ar => e.name_ar.clone(),
        Lang::En => e.name_en.clone(),
    };
    vocab
        .gazetteer
        .entries()
        .iter()
        .map(
            |e| match (e.level, vocab.gazetteer.governorate_of(&e.pcode)) {
                (Level::Governorate, _) | (_, None) => format!("{} ({})", name(e), e.pcode),
                (_, Some(g)) => format!("{} — {} ({})", name(e), name(g), e.pcode),
            },
        )
        .collect()
}

/// The fields whose values differ between a version saved elsewhere and the one typed
/// here, in the form's order (fields only one of them has count as empty in the other).
fn differences(tr: &Tr, saved: &[(String, String)], yours: &[(String, String)]) -> Vec<Difference> {
    let value_in = |list: &[(String, String)], name: &str| {
        list.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut seen = std::collections::HashSet::new();
    yours
        .iter()
        .chain(saved)
        .map(|(n, _)| n)
        .filter(|n| seen.insert((*n).clone()))
        .filter_map(|name| {
            let (saved, yours) = (value_in(saved, name), value_in(yours, name));
            (saved != yours).then(|| Difference {
                label: field_label(tr, name),
                saved,
                yours,
            })
        })
        .collect()
}

/// Builds the forms' fields in the reader's words, each with its problem (if any) beside it.
pub(crate) struct FieldMaker<'a> {
    pub(crate) tr: Tr,
    pub(crate) problems: &'a [FieldError],
}

impl FieldMaker<'_> {
    pub(crate) fn message(&self, e: &FieldError) -> String {
        match self.tr.lang {
            Lang::Ar => e.message_ar.clone(),
            Lang::En => e.message.clone(),
        }
    }

    pub(crate) fn error_of(&self, name: &str) -> Option<String> {
        self.problems
            .iter()
            .find(|p| p.field == name)
            .map(|p| self.message(p))
    }

    pub(crate) fn text(
        &self,
        name: String,
        label: &str,
        value: &str,
        dir: &'static str,
    ) -> TextField {
        TextField {
            id: field_id(&name),
            error: self.error_of(&name),
            label: self.tr.t(label),
            value: value.to_string(),
            dir,
            hint: None,
            list: None,
            name,
        }
    }

    pub(crate) fn date(&self, name: String, label: &str, value: &str) -> TextField {
        TextField {
            hint: Some(self.tr.t("intake-date-hint")),
            ..self.text(name, label, value, "auto")
        }
    }

    pub(crate) fn place(&self, name: String, label: &str, value: &str) -> TextField {
        TextField {
            hint: Some(self.tr.t("intake-place-hint")),
            list: Some("places"),
            ..self.text(name, label, value, "auto")
        }
    }

    pub(crate) fn select(
        &self,
        name: String,
        label: &str,
        value: &str,
        choices: Vec<Choice>,
    ) -> SelectField {
        SelectField {
            id: field_id(&name),
            error: self.error_of(&name),
            label: self.tr.t(label),
            value: value.to_string(),
            choices,
            name,
        }
    }

    /// The parts of a name in one script (`arabic` or `latin`).
    fn names(&self, script: &str, name: &NameDraft, dir: &'static str) -> Vec<TextField> {
        [
            ("given", "person-given", &name.given),
            ("father", "person-father", &name.father),
            ("grandfather", "person-grandfather", &name.grandfather),
            ("family", "person-family", &name.family),
            ("mother", "person-mother", &name.mother),
        ]
        .into_iter()
        .map(|(part, label, value)| self.text(format!("{script}.{part}"), label, value, dir))
        .collect()
    }

    fn sex(&self, value: &str) -> SelectField {
        let tr = &self.tr;
        self.select(
            "sex".into(),
            "person-sex",
            value,
            [
                ("", "sex-unknown"),
                ("male", "sex-male"),
                ("female", "sex-female"),
            ]
            .into_iter()
            .map(|(value, label)| Choice {
                value: value.into(),
                label: tr.t(label),
            })
            .collect(),
        )
    }

    /// The problems listed above a form, each linking to its field.
    pub(crate) fn summary(&self) -> Vec<(String, String)> {
        self.problems
            .iter()
            .map(|p| {
                (
                    field_id(&p.field),
                    format!("{}: {}", field_label(&self.tr, &p.field), self.message(p)),
                )
            })
            .collect()
    }
}

/// The intake form for draft `id` at revision `rev`.
pub fn page(
    lang: Lang,
    chrome: &Chrome,
    id: &str,
    rev: u32,
    draft: &CaseDraft,
    vocab: &Vocabularies,
    state: IntakeState<'_>,
) -> askama::Result<String> {
    let tr = chrome.tr(lang);
    let f = FieldMaker {
        tr,
        problems: state.problems,
    };
    let (text, date_field, place_field) = (
        |n, l: &str, v: &str, d| f.text(n, l, v, d),
        |n, l: &str, v: &str| f.date(n, l, v),
        |n, l: &str, v: &str| f.place(n, l, v),
    );
    let select = |n, l: &str, v: &str, c| f.select(n, l, v, c);
    let events = draft
        .events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let n = |part: &str| format!("events[{i}].{part}");
            EventView {
                index: i,
                number: i + 1,
                kind: select(
                    n("kind"),
                    "intake-event-kind",
                    &e.kind,
                    choices(&vocab.event_kinds, lang, &tr),
                ),
                texts: vec![
                    date_field(n("date"), "intake-event-date", &e.date),
                    date_field(n("end"), "intake-event-end", &e.end),
                    place_field(n("place"), "intake-event-place", &e.place),
                ],
                selects: vec![
                    select(
                        n("facility"),
                        "intake-event-facility",
                        &e.facility,
                        choices(&vocab.facilities, lang, &tr),
                    ),
                    select(
                        n("unit"),
                        "intake-event-unit",
                        &e.unit,
                        choices(&vocab.units, lang, &tr),
                    ),
                    select(
                        n("host_country"),
                        "intake-event-host-country",
                        &e.host_country,
                        choices(&vocab.host_countries, lang, &tr),
                    ),
                ],
                narrative: text(
                    n("narrative"),
                    "intake-event-narrative",
                    &e.narrative,
                    "auto",
                ),
            }
        })
        .collect();
    let problems = f.summary();
    let differences = state
        .saved_elsewhere
        .map(|saved| differences(&tr, &fields(saved), &fields(draft)))
        .unwrap_or_default();
    let reliability_choices = ["A", "B", "C", "D", "E", "F"]
        .into_iter()
        .map(|g| Choice {
            value: g.to_string(),
            label: tr.t(&format!("reliability-{}", g.to_lowercase())),
        })
        .collect();
    IntakePage {
        action: format!("/drafts/{id}"),
        rev,
        problems,
        notice: state.notice.map(|k| tr.t(k)),
        differences,
        arabic: f.names("arabic", &draft.arabic, "rtl"),
        latin: f.names("latin", &draft.latin, "ltr"),
        sex: f.sex(&draft.sex),
        birth: vec![
            date_field("birth_date".into(), "person-born", &draft.birth_date),
            place_field("birthplace".into(), "intake-birthplace", &draft.birthplace),
        ],
        events,
        can_add: draft.events.len() < MAX_EVENTS,
        source_kind: select(
            "source.kind".into(),
            "intake-source-kind",
            &draft.source.kind,
            choices(&vocab.source_kinds, lang, &tr),
        ),
        source_texts: vec![
            text(
                "source.title".into(),
                "intake-source-title",
                &draft.source.title,
                "auto",
            ),
            date_field(
                "source.date".into(),
                "intake-source-date",
                &draft.source.date,
            ),
        ],
        reliability: select(
            "source.reliability".into(),
            "intake-source-reliability",
            &draft.source.reliability,
            reliability_choices,
        ),
        places: place_choices(vocab, lang),
        tr,
        chrome,
    }
    .render()
}

/// What a posted edit of a person's details holds.
#[derive(Debug, Clone, Default)]
pub struct PostedEdit {
    pub edit: PersonEdit,
    /// The revision of the record the form was made from.
    pub rev: Option<u32>,
    pub csrf: String,
}

/// Reads a posted edit form; unknown names are ignored, values kept as typed.
pub fn read_edit(pairs: &[(String, String)]) -> PostedEdit {
    let mut posted = PostedEdit::default();
    for (name, value) in pairs {
        let (head, part) = name.split_once('.').unwrap_or((name, ""));
        let slot = match head {
            "rev" => {
                posted.rev = value.trim().parse().ok();
                None
            }
            "csrf" => Some(&mut posted.csrf),
            "arabic" => name_part(&mut posted.edit.arabic, part),
            "latin" => name_part(&mut posted.edit.latin, part),
            "sex" => Some(&mut posted.edit.sex),
            "birth_date" => Some(&mut posted.edit.birth_date),
            "birthplace" => Some(&mut posted.edit.birthplace),
            _ => None,
        };
        if let Some(slot) = slot {
            slot.clone_from(value);
        }
    }
    posted
}

fn edit_fields(edit: &PersonEdit) -> Vec<(String, String)> {
    let draft = CaseDraft {
        arabic: edit.arabic.clone(),
        latin: edit.latin.clone(),
        sex: edit.sex.clone(),
        birth_date: edit.birth_date.clone(),
        birthplace: edit.birthplace.clone(),
        ..CaseDraft::default()
    };
    fields(&draft)
        .into_iter()
        .filter(|(n, _)| !n.starts_with("source.") && !n.starts_with("events["))
        .collect()
}

#[derive(Template)]
#[template(path = "person_edit.html")]
struct EditPage<'a> {
    tr: Tr,
    chrome: &'a Chrome,
    id: &'a str,
    title: String,
    rev: u32,
    problems: Vec<(String, String)>,
    differences: Vec<Difference>,
    arabic: Vec<TextField>,
    latin: Vec<TextField>,
    sex: SelectField,
    birth: Vec<TextField>,
    places: Vec<String>,
}

/// The form editing a person's details (record `id` at revision `rev`), with the problems
/// that stopped a save, and, when someone saved the record meanwhile, what differs.
#[allow(clippy::too_many_arguments)]
pub fn edit_page(
    lang: Lang,
    chrome: &Chrome,
    id: &str,
    title: &str,
    rev: u32,
    edit: &PersonEdit,
    vocab: &Vocabularies,
    problems: &[FieldError],
    saved_elsewhere: Option<&PersonEdit>,
) -> askama::Result<String> {
    let draft = CaseDraft {
        arabic: edit.arabic.clone(),
        latin: edit.latin.clone(),
        sex: edit.sex.clone(),
        birth_date: edit.birth_date.clone(),
        birthplace: edit.birthplace.clone(),
        ..CaseDraft::default()
    };
    // The same fields as the intake form's person, with the same checks.
    let tr = chrome.tr(lang);
    let f = FieldMaker { tr, problems };
    let differences = saved_elsewhere
        .map(|saved| differences(&tr, &edit_fields(saved), &edit_fields(edit)))
        .unwrap_or_default();
    EditPage {
        id,
        title: title.to_string(),
        rev,
        problems: f.summary(),
        differences,
        arabic: f.names("arabic", &draft.arabic, "rtl"),
        latin: f.names("latin", &draft.latin, "ltr"),
        sex: f.sex(&draft.sex),
        birth: vec![
            f.date("birth_date".into(), "person-born", &draft.birth_date),
            f.place("birthplace".into(), "intake-birthplace", &draft.birthplace),
        ],
        places: place_choices(vocab, lang),
        tr,
        chrome,
    }
    .render()
}

/// Reads a posted missing-person report: the report as typed, and the form's token.
pub fn read_report(pairs: &[(String, String)]) -> (MissingReport, String) {
    let mut report = MissingReport::default();
    let mut csrf = String::new();
    for (name, value) in pairs {
        let (head, part) = name.split_once('.').unwrap_or((name, ""));
        let slot = match head {
            "csrf" => Some(&mut csrf),
            "arabic" => name_part(&mut report.arabic, part),
            "latin" => name_part(&mut report.latin, part),
            "sex" => Some(&mut report.sex),
            "birth_date" => Some(&mut report.birth_date),
            "last_seen_date" => Some(&mut report.last_seen_date),
            "last_seen_place" => Some(&mut report.last_seen_place),
            "circumstances" => Some(&mut report.circumstances),
            "relative" => Some(&mut report.relative),
            "relation" => Some(&mut report.relation),
            "contact" => Some(&mut report.contact),
            "report_date" => Some(&mut report.report_date),
            "consent_search" => Some(&mut report.consent_search),
            "consent_contact" => Some(&mut report.consent_contact),
            _ => None,
        };
        if let Some(slot) = slot {
            slot.clone_from(value);
        }
    }
    (report, csrf)
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage<'a> {
    tr: Tr,
    chrome: &'a Chrome,
    problems: Vec<(String, String)>,
    differences: Vec<Difference>,
    arabic: Vec<TextField>,
    latin: Vec<TextField>,
    sex: SelectField,
    person: Vec<TextField>,
    seen: Vec<TextField>,
    circumstances: TextField,
    family: Vec<TextField>,
    consent: Vec<SelectField>,
    places: Vec<String>,
}

/// The form taking a missing-person report from a family, with the problems that stopped it.
pub fn report_page(
    lang: Lang,
    chrome: &Chrome,
    report: &MissingReport,
    vocab: &Vocabularies,
    problems: &[FieldError],
) -> askama::Result<String> {
    let tr = chrome.tr(lang);
    let f = FieldMaker { tr, problems };
    let consent = |name: &str, label: &str, value: &str| {
        f.select(
            name.into(),
            label,
            value,
            [
                ("", "intake-choose"),
                ("given", "report-consent-given"),
                ("refused", "report-consent-refused"),
            ]
            .into_iter()
            .map(|(value, label)| Choice {
                value: value.into(),
                label: tr.t(label),
            })
            .collect(),
        )
    };
    ReportPage {
        problems: f.summary(),
        differences: Vec::new(),
        arabic: f.names("arabic", &report.arabic, "rtl"),
        latin: f.names("latin", &report.latin, "ltr"),
        sex: f.sex(&report.sex),
        person: vec![f.date("birth_date".into(), "person-born", &report.birth_date)],
        seen: vec![
            f.date(
                "last_seen_date".into(),
                "report-last-seen-date",
                &report.last_seen_date,
            ),
            f.place(
                "last_seen_place".into(),
                "report-last-seen-place",
                &report.last_seen_place,
            ),
        ],
        circumstances: f.text(
            "circumstances".into(),
            "report-circumstances",
            &report.circumstances,
            "auto",
        ),
        family: vec![
            f.text(
                "relative".into(),
                "report-relative",
                &report.relative,
                "auto",
            ),
            f.text(
                "relation".into(),
                "report-relation",
                &report.relation,
                "auto",
            ),
            TextField {
                hint: Some(tr.t("report-contact-hint")),
                ..f.text("contact".into(), "report-contact", &report.contact, "ltr")
            },
            f.date("report_date".into(), "report-date", &report.report_date),
        ],
        consent: vec![
            consent(
                "consent_search",
                "report-consent-search",
                &report.consent_search,
            ),
            consent(
                "consent_contact",
                "report-consent-contact",
                &report.consent_contact,
            ),
        ],
        places: place_choices(vocab, lang),
        tr,
        chrome,
    }
    .render()
}

/// One of the author's drafts, as the drafts page lists it.
pub struct DraftRow {
    pub id: String,
    pub name: String,
    pub events: String,
    pub saved: String,
    pub saved_iso: String,
}

#[derive(Template)]
#[template(path = "drafts.html")]
struct DraftsPage<'a> {
    tr: Tr,
    chrome: &'a Chrome,
    notice: Option<String>,
    rows: Vec<DraftRow>,
}

/// The author's drafts: (id, the draft, when it was last saved in unix milliseconds).
pub fn drafts_page(
    lang: Lang,
    chrome: &Chrome,
    drafts: &[(String, CaseDraft, i64)],
    notice: Option<&str>,
) -> askama::Result<String> {
    let tr = chrome.tr(lang);
    let rows = drafts
        .iter()
        .map(|(id, draft, updated)| {
            let (first, second) = match lang {
                Lang::Ar => (&draft.arabic, &draft.latin),
                Lang::En => (&draft.latin, &draft.arabic),
            };
            let line = |n: &NameDraft| {
                [&n.given, &n.father, &n.family]
                    .iter()
                    .map(|p| p.trim())
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let name = Some(line(first))
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| line(second));
            let (saved, saved_iso) = crate::dates::moment(&tr, *updated);
            DraftRow {
                id: id.clone(),
                name,
                events: tr.num(draft.events.iter().filter(|e| !e.is_empty()).count()),
                saved,
                saved_iso,
            }
        })
        .collect();
    DraftsPage {
        notice: notice.map(|k| tr.t(k)),
        tr,
        chrome,
        rows,
    }
    .render()
}

/// The words naming a form field (`events[1].date` → "Event 2: date").
pub fn field_label(tr: &Tr, name: &str) -> String {
    let (head, part) = name.split_once('.').unwrap_or((name, ""));
    let part_key = |part: &str| match part {
        "given" => "person-given",
        "father" => "person-father",
        "grandfather" => "person-grandfather",
        "family" => "person-family",
        "mother" => "person-mother",
        "kind" if head == "source" => "intake-source-kind",
        "kind" => "intake-event-kind",
        "date" if head == "source" => "intake-source-date",
        "date" => "intake-event-date",
        "end" => "intake-event-end",
        "place" => "intake-event-place",
        "facility" => "intake-event-facility",
        "unit" => "intake-event-unit",
        "host_country" => "intake-event-host-country",
        "narrative" => "intake-event-narrative",
        "title" => "intake-source-title",
        "reliability" => "intake-source-reliability",
        _ => "intake-field",
    };
    match head {
        "arabic" => format!("{} ({})", tr.t(part_key(part)), tr.t("person-script-arab")),
        "latin" => format!("{} ({})", tr.t(part_key(part)), tr.t("person-script-latn")),
        "sex" => tr.t("person-sex"),
        "birth_date" => tr.t("person-born"),
        "birthplace" => tr.t("intake-birthplace"),
        "last_seen_date" => tr.t("report-last-seen-date"),
        "last_seen_place" => tr.t("report-last-seen-place"),
        "circumstances" => tr.t("report-circumstances"),
        "relative" => tr.t("report-relative"),
        "relation" => tr.t("report-relation"),
        "contact" => tr.t("report-contact"),
        "report_date" => tr.t("report-date"),
        "consent_search" => tr.t("report-consent-search"),
        "consent_contact" => tr.t("report-consent-contact"),
        "source" | "step" => tr.t(part_key(part)),
        "outcome" => tr.t(match part {
            "outcome" => "tracing-outcome",
            "date" => "tracing-outcome-date",
            "matched" => "tracing-matched",
            "note" => "tracing-note",
            _ => "intake-field",
        }),
        _ => match head
            .strip_prefix("events[")
            .and_then(|r| r.strip_suffix(']'))
            .and_then(|i| i.parse::<u64>().ok())
        {
            Some(i) => format!(
                "{}: {}",
                tr.with("intake-event-number", "n", &tr.num(i + 1)),
                tr.t(part_key(part))
            ),
            None => tr.t("intake-field"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_posted_form_reads_back_as_the_draft_it_shows() {
        let mut draft = CaseDraft::default();
        draft.arabic.given = "محمد".into();
        draft.latin.family = "Al-Halabi".into();
        draft.birth_date = "حوالي 1990".into();
        draft.events = vec![
            EventDraft {
                kind: "arrest".into(),
                date: "03/2019".into(),
                unit: "fourth-division".into(),
                narrative: "  كما قالت الأم\nسطر ثانٍ  ".into(),
                ..EventDraft::default()
            },
            EventDraft::default(),
        ];
        draft.source.title = "مقابلة".into();
        let mut form = fields(&draft);
        form.push(("rev".into(), "7".into()));
        form.push(("csrf".into(), "token".into()));
        form.push(("intent".into(), "remove-event-1".into()));
        let posted = read_form(&form);
        assert_eq!(posted.draft, draft, "every value exactly as typed");
        assert_eq!(posted.rev, Some(7));
        assert_eq!(posted.csrf, "token");
        assert_eq!(posted.intent, Some(Intent::RemoveEvent(1)));
    }

    #[test]
    fn names_out_of_bounds_or_unknown_are_ignored() {
        let posted = read_form(&pairs(&[
            ("events[999999].date", "2019"),
            ("events[x].date", "2019"),
            ("password", "secret"),
            ("events[2].kind", "arrest"),
        ]));
        assert_eq!(posted.draft.events.len(), 3);
        assert_eq!(posted.draft.events[2].kind, "arrest");
        assert_eq!(posted.intent, None);
    }

    #[test]
    fn fields_have_ids_and_labels_in_both_languages() {
        assert_eq!(field_id("events[2].date"), "f-events-2-date");
        assert_eq!(field_id("arabic.given"), "f-arabic-given");
        let en = Tr::new(Lang::En);
        assert_eq!(
            field_label(&en, "events[1].date").replace(['\u{2068}', '\u{2069}'], ""),
            "Event 2: Date"
        );
        let ar = Tr::new(Lang::Ar);
        assert!(
            field_label(&ar, "source.title")
                .chars()
                .any(|c| ('\u{600}'..='\u{6ff}').contains(&c))
        );
    }

    #[test]
    fn the_form_renders_with_problems_next_to_their_fields() {
        let mut draft = CaseDraft::default();
        draft.events.push(EventDraft {
            date: "31/02/2019".into(),
            ..EventDraft::default()
        });
        let problems = [FieldError::new(
            "events[0].date",
            "date.day_out_of_range",
            "day 31 does not exist",
            "اليوم 31 غير موجود",
        )];
        let html = page(
            Lang::Ar,
            &Chrome::default(),
            "d1",
            3,
            &draft,
            Vocabularies::embedded(),
            IntakeState {
                problems: &problems,
                ..IntakeState::default()
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(html.contains(r#"id="f-events-0-date""#), "{html}");
        assert!(html.contains(r#"aria-invalid="true""#));
        assert!(html.contains("اليوم 31 غير موجود"));
        assert!(
            html.contains(r##"href="#f-events-0-date""##),
            "the summary links to the field"
        );
        assert!(html.contains(r#"name="rev" value="3""#));
        assert!(html.contains("<datalist id=\"places\">"));
        assert!(html.contains("(SY0302)"), "Douma's district is offered");
    }
}
