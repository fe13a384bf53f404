//! Vocabularies: the controlled terms records use, loaded from the bilingual files in
//! `data/vocabularies/` and the gazetteer in `data/gazetteer/`.
//!
//! The files are compiled into the binary, so a fresh install needs nothing else; a term
//! every organisation needs is an edit to a data file. A term one organisation needs (a
//! branch it documents, a host country its returnees came from, a cause of death its list
//! names) is a record of its own, a [`VocabularyTerm`], added at runtime with revisions;
//! [`Vocabularies::with_terms`] gives the shared vocabularies with an organisation's terms
//! added. Every term has an id, an English and an Arabic label and aliases in both
//! languages; [`Vocabulary::lookup`] finds a term by any of them, however it was spelled
//! (see [`crate::text::fold`]).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::date::{FuzzyDate, Temporal};
use crate::gazetteer::Gazetteer;
use crate::text::fold;

/// One controlled term. Which optional attributes apply depends on the vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Term {
    pub id: String,
    pub en: String,
    pub ar: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases_en: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases_ar: Vec<String>,
    /// Event kinds: the category that drives derived status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Units: what sort of body (security-agency, branch, military, court …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Units: the unit above this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Units: the authority served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    /// Facilities: the unit that ran it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Facilities and crossings: the gazetteer area.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pcode: Option<String>,
    /// Crossings: the neighbouring country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "FuzzyDate::is_unknown")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub from: FuzzyDate,
    #[serde(default, skip_serializing_if = "FuzzyDate::is_unknown")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub to: FuzzyDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

impl Term {
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Ar => &self.ar,
        }
    }

    pub fn spellings(&self) -> impl Iterator<Item = &String> {
        [&self.id, &self.en, &self.ar]
            .into_iter()
            .chain(&self.aliases_en)
            .chain(&self.aliases_ar)
    }
}

/// The two languages of the interface and the vocabularies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Ar,
}

/// A named list of terms with look-up by id and by any spelling.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    pub name: &'static str,
    terms: Vec<Term>,
    by_id: HashMap<String, usize>,
    by_spelling: HashMap<String, Vec<usize>>,
}

impl Vocabulary {
    pub fn new(name: &'static str, terms: Vec<Term>) -> Result<Self, VocabularyError> {
        let mut by_id = HashMap::new();
        let mut by_spelling: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, t) in terms.iter().enumerate() {
            if t.id.trim().is_empty() || t.en.trim().is_empty() || t.ar.trim().is_empty() {
                return Err(VocabularyError::new(
                    name,
                    format!("term {} lacks an id or a label", i + 1),
                ));
            }
            if by_id.insert(t.id.clone(), i).is_some() {
                return Err(VocabularyError::new(
                    name,
                    format!("id {} appears twice", t.id),
                ));
            }
            for s in t.spellings() {
                let entry = by_spelling.entry(fold(s)).or_default();
                if !entry.contains(&i) {
                    entry.push(i);
                }
            }
        }
        Ok(Vocabulary {
            name,
            terms,
            by_id,
            by_spelling,
        })
    }

    /// Add a term at the end (its spellings found like the others'). A term whose id is
    /// taken is not added: the shared term keeps its meaning. Answers whether it was added.
    pub fn push(&mut self, term: Term) -> bool {
        if self.by_id.contains_key(&term.id) {
            return false;
        }
        let i = self.terms.len();
        self.by_id.insert(term.id.clone(), i);
        for s in term.spellings() {
            let entry = self.by_spelling.entry(fold(s)).or_default();
            if !entry.contains(&i) {
                entry.push(i);
            }
        }
        self.terms.push(term);
        true
    }

    /// The label of the term `id` in a language, or `id` itself when no term has it (a
    /// value kept as written).
    pub fn label_of(&self, id: &str, lang: Lang) -> String {
        self.get(id)
            .map_or_else(|| id.to_string(), |t| t.label(lang).to_string())
    }

    pub fn get(&self, id: &str) -> Option<&Term> {
        self.by_id.get(id).map(|&i| &self.terms[i])
    }

    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    /// Terms whose id, label or alias matches `text` once folded (Arabic or English).
    pub fn lookup(&self, text: &str) -> Vec<&Term> {
        self.by_spelling
            .get(&fold(text))
            .map(|ix| ix.iter().map(|&i| &self.terms[i]).collect())
            .unwrap_or_default()
    }

    /// Terms whose labels or aliases contain `text` once folded; exact matches first.
    pub fn search(&self, text: &str) -> Vec<&Term> {
        let needle = fold(text);
        let mut exact = self.lookup(text);
        for t in &self.terms {
            if !exact.iter().any(|e| e.id == t.id)
                && t.spellings().any(|s| fold(s).contains(&needle))
            {
                exact.push(t);
            }
        }
        exact
    }
}

/// A term one organisation added to a shared vocabulary: a record of its own (with
/// revisions, owned and shared like any other), merged into the organisation's
/// vocabularies by [`Vocabularies::with_terms`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VocabularyTerm {
    /// The vocabulary it extends: `units`, `facilities`, `host-countries`,
    /// `border-crossings`, `authorities`, `event-kinds`, `causes-of-death`,
    /// `source-kinds` or `identifier-kinds`.
    pub vocabulary: String,
    pub term: Term,
}

/// The longest label or alias of an added term, in characters.
pub const MAX_LABEL_CHARS: usize = 200;

impl VocabularyTerm {
    /// Check the term against the vocabularies it would join: a known vocabulary, an id of
    /// lower-case letters, digits and hyphens (or an upper-case ISO code for a host
    /// country), both labels, only the attributes its vocabulary has, and every reference
    /// (parent, authority, unit, P-code, country, category) to an existing term. Whether
    /// the id is free is for whoever knows the organisation's other terms
    /// ([`Vocabularies::with_terms`] leaves a taken one out).
    pub fn validate(&self, vocab: &Vocabularies) -> Result<(), Vec<crate::validation::FieldError>> {
        use crate::validation::{FieldError, Problems};
        let mut p = Problems::default();
        let t = &self.term;
        if vocab.by_name(&self.vocabulary).is_none() {
            p.push(FieldError::new(
                "vocabulary",
                "term.unknown_vocabulary",
                "no such vocabulary; one of units, facilities, host-countries, border-crossings, authorities, event-kinds, causes-of-death, source-kinds, identifier-kinds",
                "لا توجد قائمة مصطلحات بهذا الاسم؛ اختر واحدة من: units, facilities, host-countries, border-crossings, authorities, event-kinds, causes-of-death, source-kinds, identifier-kinds",
            ));
            return p.into_result();
        }
        let id_ok = !t.id.is_empty()
            && t.id.len() <= 64
            && t.id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            || (self.vocabulary == "host-countries"
                && t.id.len() == 2
                && t.id.chars().all(|c| c.is_ascii_uppercase()));
        if !id_ok {
            p.push(FieldError::new(
                "term.id",
                "term.bad_id",
                "an id is lower-case Latin letters, digits and hyphens (a host country: its two-letter ISO code), at most 64",
                "المعرّف حروف لاتينية صغيرة وأرقام وشرطات (وللبلد المضيف رمزه ISO من حرفين)، 64 على الأكثر",
            ));
        }
        for (field, label) in [("term.en", &t.en), ("term.ar", &t.ar)] {
            if label.trim().is_empty() {
                p.push(FieldError::required(field));
            }
            p.text(field, &Some(label.clone()), MAX_LABEL_CHARS);
        }
        for (i, alias) in t.aliases_en.iter().enumerate() {
            p.text(
                &format!("term.aliases_en[{i}]"),
                &Some(alias.clone()),
                MAX_LABEL_CHARS,
            );
        }
        for (i, alias) in t.aliases_ar.iter().enumerate() {
            p.text(
                &format!("term.aliases_ar[{i}]"),
                &Some(alias.clone()),
                MAX_LABEL_CHARS,
            );
        }
        p.text("term.notes", &t.notes, 2_000);
        // Only the attributes the vocabulary gives meaning to.
        let allowed: &[&str] = match self.vocabulary.as_str() {
            "event-kinds" => &["category"],
            "units" => &["kind", "parent", "authority", "from", "to"],
            "facilities" => &["unit", "pcode", "from", "to"],
            "border-crossings" => &["pcode", "country"],
            _ => &[],
        };
        let present = [
            ("category", t.category.is_some()),
            ("kind", t.kind.is_some()),
            ("parent", t.parent.is_some()),
            ("authority", t.authority.is_some()),
            ("unit", t.unit.is_some()),
            ("pcode", t.pcode.is_some()),
            ("country", t.country.is_some()),
            ("from", !t.from.is_unknown()),
            ("to", !t.to.is_unknown()),
        ];
        for (attribute, is_there) in present {
            if is_there && !allowed.contains(&attribute) {
                p.push(FieldError::new(
                    format!("term.{attribute}"),
                    "term.attribute_not_here",
                    "this vocabulary's terms have no such attribute",
                    "مصطلحات هذه القائمة ليس لها هذه الصفة",
                ));
            }
        }
        if self.vocabulary == "event-kinds" {
            match t.category.as_deref() {
                Some(c) if EVENT_CATEGORIES.contains(&c) => {}
                _ => p.push(FieldError::new(
                    "term.category",
                    "term.category",
                    "an event kind needs its category: return, deprivation, harm, disappearance, release, death-in-custody, killing, search, missing or other",
                    "نوع الحدث يحتاج فئته: return أو deprivation أو harm أو disappearance أو release أو death-in-custody أو killing أو search أو other",
                )),
            }
        }
        let refs = [
            ("term.parent", t.parent.as_deref(), &vocab.units, "units"),
            (
                "term.authority",
                t.authority.as_deref(),
                &vocab.authorities,
                "authorities",
            ),
            ("term.unit", t.unit.as_deref(), &vocab.units, "units"),
            (
                "term.country",
                t.country.as_deref(),
                &vocab.host_countries,
                "host-countries",
            ),
        ];
        for (field, value, list, name) in refs {
            if let Some(v) = value
                && list.get(v).is_none()
            {
                p.push(FieldError::unknown_term(field, name));
            }
        }
        if let Some(pcode) = &t.pcode
            && vocab.gazetteer.get(pcode).is_none()
        {
            p.push(FieldError::new(
                "term.pcode",
                "term.unknown_pcode",
                "no area of the gazetteer has this P-code",
                "لا توجد منطقة في الدليل الجغرافي بهذا الرمز",
            ));
        }
        if t.from.compare(&t.to) == Temporal::After {
            p.push(FieldError::new(
                "term.to",
                "term.ends_before_start",
                "the term's period ends before it starts",
                "تنتهي مدة المصطلح قبل أن تبدأ",
            ));
        }
        p.into_result()
    }
}

/// A period of control of an area or facility by an authority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Control {
    pub authority: String,
    /// A gazetteer P-code (its sub-areas included), `SY` for the whole country, or
    /// `facility:<id>`.
    pub area: String,
    #[serde(default, skip_serializing_if = "FuzzyDate::is_unknown")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub from: FuzzyDate,
    #[serde(default, skip_serializing_if = "FuzzyDate::is_unknown")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub to: FuzzyDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("vocabulary {file}: {problem}")]
pub struct VocabularyError {
    pub file: String,
    pub problem: String,
}

impl VocabularyError {
    fn new(file: &str, problem: String) -> Self {
        VocabularyError {
            file: file.to_string(),
            problem,
        }
    }
}

/// Every vocabulary and the gazetteer.
#[derive(Debug, Clone)]
pub struct Vocabularies {
    pub event_kinds: Vocabulary,
    pub source_kinds: Vocabulary,
    pub identifier_kinds: Vocabulary,
    pub authorities: Vocabulary,
    pub units: Vocabulary,
    pub facilities: Vocabulary,
    pub host_countries: Vocabulary,
    pub border_crossings: Vocabulary,
    pub causes_of_death: Vocabulary,
    pub control: Vec<Control>,
    pub gazetteer: Gazetteer,
}

/// The vocabulary files as compiled into the binary: (name, TOML text).
pub const EMBEDDED_FILES: &[(&str, &str)] = &[
    (
        "event-kinds",
        include_str!("../../../data/vocabularies/event-kinds.toml"),
    ),
    (
        "source-kinds",
        include_str!("../../../data/vocabularies/source-kinds.toml"),
    ),
    (
        "identifier-kinds",
        include_str!("../../../data/vocabularies/identifier-kinds.toml"),
    ),
    (
        "authorities",
        include_str!("../../../data/vocabularies/authorities.toml"),
    ),
    (
        "units",
        include_str!("../../../data/vocabularies/units.toml"),
    ),
    (
        "facilities",
        include_str!("../../../data/vocabularies/facilities.toml"),
    ),
    (
        "host-countries",
        include_str!("../../../data/vocabularies/host-countries.toml"),
    ),
    (
        "border-crossings",
        include_str!("../../../data/vocabularies/border-crossings.toml"),
    ),
    (
        "causes-of-death",
        include_str!("../../../data/vocabularies/causes-of-death.toml"),
    ),
];
pub const EMBEDDED_CONTROL: &str = include_str!("../../../data/vocabularies/control.toml");
pub const EMBEDDED_GAZETTEER: &str = include_str!("../../../data/gazetteer/syria-admin.csv");

/// The categories of event kinds that docs/DEFINITIONS.md gives meaning to, in journey
/// order (`Vocabularies::journey_rank`).
pub const EVENT_CATEGORIES: &[&str] = &[
    "return",
    // Last seen: where a family's account of the journey starts.
    "missing",
    "deprivation",
    "harm",
    "disappearance",
    "release",
    "death-in-custody",
    "killing",
    "search",
    "other",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TermFile {
    #[serde(default)]
    term: Vec<Term>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ControlFile {
    #[serde(default)]
    control: Vec<Control>,
}

impl Vocabularies {
    /// The gazetteer area of a place: its P-code, else its facility's.
    pub fn area_of(&self, place: &crate::place::PlaceRef) -> Option<String> {
        place.pcode.clone().or_else(|| {
            place
                .facility
                .as_deref()
                .and_then(|f| self.facilities.get(f))
                .and_then(|f| f.pcode.clone())
        })
    }

    /// A place by name in a language: its facility and its gazetteer area ("Sednaya
    /// Prison، التل"), or either alone; `None` when neither is a known term.
    pub fn place_name(&self, place: &crate::place::PlaceRef, lang: Lang) -> Option<String> {
        let facility = place
            .facility
            .as_deref()
            .and_then(|id| self.facilities.get(id))
            .map(|t| t.label(lang).to_string());
        let area = place
            .pcode
            .as_deref()
            .and_then(|c| self.gazetteer.get(c))
            .map(|g| g.name(lang).to_string());
        match (facility, area) {
            (Some(f), Some(a)) => Some(format!(
                "{f}{}{a}",
                if lang == Lang::Ar { "، " } else { ", " }
            )),
            (one, other) => one.or(other),
        }
    }

    /// The vocabularies compiled into this binary, parsed once.
    pub fn embedded() -> &'static Vocabularies {
        static VOCABULARIES: OnceLock<Vocabularies> = OnceLock::new();
        VOCABULARIES.get_or_init(|| {
            match Vocabularies::parse(EMBEDDED_FILES, EMBEDDED_CONTROL, EMBEDDED_GAZETTEER) {
                Ok(v) => v,
                // The embedded files are checked by this crate's tests; a failure here is a build defect.
                Err(e) => panic!("embedded vocabulary data is invalid: {e}"),
            }
        })
    }

    /// Parse and cross-check vocabulary files: every reference between vocabularies must
    /// name an existing term.
    pub fn parse(
        files: &[(&'static str, &str)],
        control: &str,
        gazetteer: &str,
    ) -> Result<Vocabularies, VocabularyError> {
        let mut lists: HashMap<&str, Vocabulary> = HashMap::new();
        for (name, text) in files {
            let parsed: TermFile =
                toml::from_str(text).map_err(|e| VocabularyError::new(name, e.to_string()))?;
            lists.insert(name, Vocabulary::new(name, parsed.term)?);
        }
        let mut take = |name: &'static str| {
            lists
                .remove(name)
                .ok_or_else(|| VocabularyError::new(name, "file missing".into()))
        };
        let control: ControlFile =
            toml::from_str(control).map_err(|e| VocabularyError::new("control", e.to_string()))?;
        let v = Vocabularies {
            event_kinds: take("event-kinds")?,
            source_kinds: take("source-kinds")?,
            identifier_kinds: take("identifier-kinds")?,
            authorities: take("authorities")?,
            units: take("units")?,
            facilities: take("facilities")?,
            host_countries: take("host-countries")?,
            border_crossings: take("border-crossings")?,
            causes_of_death: take("causes-of-death")?,
            control: control.control,
            gazetteer: Gazetteer::parse(gazetteer)?,
        };
        v.check_references()?;
        Ok(v)
    }

    fn check_references(&self) -> Result<(), VocabularyError> {
        let bad = |file: &str, what: String| Err(VocabularyError::new(file, what));
        for t in self.event_kinds.terms() {
            match t.category.as_deref() {
                Some(c) if EVENT_CATEGORIES.contains(&c) => {}
                _ => return bad("event-kinds", format!("{} has no known category", t.id)),
            }
        }
        for t in self.units.terms() {
            if let Some(p) = &t.parent
                && self.units.get(p).is_none()
            {
                return bad("units", format!("{} names unknown parent {p}", t.id));
            }
            if let Some(a) = &t.authority
                && self.authorities.get(a).is_none()
            {
                return bad("units", format!("{} names unknown authority {a}", t.id));
            }
        }
        for t in self
            .facilities
            .terms()
            .iter()
            .chain(self.border_crossings.terms())
        {
            if let Some(p) = &t.pcode
                && self.gazetteer.get(p).is_none()
            {
                return bad(
                    "facilities/border-crossings",
                    format!("{} names unknown P-code {p}", t.id),
                );
            }
            if let Some(u) = &t.unit
                && self.units.get(u).is_none()
            {
                return bad("facilities", format!("{} names unknown unit {u}", t.id));
            }
            if let Some(c) = &t.country
                && self.host_countries.get(c).is_none()
            {
                return bad(
                    "border-crossings",
                    format!("{} names unknown country {c}", t.id),
                );
            }
        }
        for c in &self.control {
            if self.authorities.get(&c.authority).is_none() {
                return bad("control", format!("unknown authority {}", c.authority));
            }
            let known = match c.area.strip_prefix("facility:") {
                Some(f) => self.facilities.get(f).is_some(),
                None => c.area == "SY" || self.gazetteer.get(&c.area).is_some(),
            };
            if !known {
                return bad("control", format!("unknown area {}", c.area));
            }
        }
        Ok(())
    }

    /// A vocabulary by its file name, for the look-up API.
    pub fn by_name(&self, name: &str) -> Option<&Vocabulary> {
        Some(match name {
            "event-kinds" => &self.event_kinds,
            "source-kinds" => &self.source_kinds,
            "identifier-kinds" => &self.identifier_kinds,
            "authorities" => &self.authorities,
            "units" => &self.units,
            "facilities" => &self.facilities,
            "host-countries" => &self.host_countries,
            "border-crossings" => &self.border_crossings,
            "causes-of-death" => &self.causes_of_death,
            _ => return None,
        })
    }

    fn by_name_mut(&mut self, name: &str) -> Option<&mut Vocabulary> {
        Some(match name {
            "event-kinds" => &mut self.event_kinds,
            "source-kinds" => &mut self.source_kinds,
            "identifier-kinds" => &mut self.identifier_kinds,
            "authorities" => &mut self.authorities,
            "units" => &mut self.units,
            "facilities" => &mut self.facilities,
            "host-countries" => &mut self.host_countries,
            "border-crossings" => &mut self.border_crossings,
            "causes-of-death" => &mut self.causes_of_death,
            _ => return None,
        })
    }

    /// These vocabularies with an organisation's own terms added, in the order given
    /// (a term may name one given before it, as a branch names its new agency). A term
    /// whose id a shared term already has, or that names what is not there, is left out
    /// and listed with the reason: an added term never changes a shared one's meaning.
    pub fn with_terms<'a>(
        &self,
        added: impl IntoIterator<Item = &'a VocabularyTerm>,
    ) -> (Vocabularies, Vec<(&'a VocabularyTerm, String)>) {
        let mut out = self.clone();
        let mut left_out = Vec::new();
        for t in added {
            if let Err(errors) = t.validate(&out) {
                let why = errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; ");
                left_out.push((t, why));
                continue;
            }
            let Some(list) = out.by_name_mut(&t.vocabulary) else {
                left_out.push((t, format!("no vocabulary {}", t.vocabulary)));
                continue;
            };
            if !list.push(t.term.clone()) {
                left_out.push((t, format!("the id {} is taken", t.term.id)));
            }
        }
        (out, left_out)
    }

    pub fn names() -> impl Iterator<Item = &'static str> {
        EMBEDDED_FILES.iter().map(|(n, _)| *n)
    }

    /// The category of an event kind (`deprivation`, `release` …), if the kind is known.
    pub fn category_of(&self, event_kind: &str) -> Option<&str> {
        self.event_kinds
            .get(event_kind)
            .and_then(|t| t.category.as_deref())
    }

    /// The authority (party) a unit served: the first `authority` up its chain.
    pub fn authority_of_unit(&self, unit: &str) -> Option<&str> {
        self.unit_chain(unit)
            .into_iter()
            .find_map(|t| t.authority.as_deref())
    }

    /// The party responsible for an event: its unit's authority, or the party it names
    /// when no unit is known.
    pub fn party_of<'a>(&'a self, unit: Option<&str>, party: Option<&'a str>) -> Option<&'a str> {
        unit.and_then(|u| self.authority_of_unit(u)).or(party)
    }

    /// Where an event kind stands in a journey, for events nothing else orders (one row's
    /// events, equal dates): its category first — return, last seen, deprivation, harm,
    /// disappearance, release, death in custody, killing, search, other — then the kind's
    /// place in the event-kinds vocabulary, whose terms are listed in journey order within
    /// each category (forced return before return, arrest before detention …). Unknown
    /// kinds come last.
    pub fn journey_rank(&self, event_kind: &str) -> (u8, usize) {
        let terms = self.event_kinds.terms();
        let Some(place) = terms.iter().position(|t| t.id == event_kind) else {
            return (EVENT_CATEGORIES.len() as u8, usize::MAX);
        };
        let category = terms[place].category.as_deref().unwrap_or("other");
        // EVENT_CATEGORIES lists the categories in journey order.
        let rank = EVENT_CATEGORIES
            .iter()
            .position(|c| *c == category)
            .unwrap_or(EVENT_CATEGORIES.len() - 1);
        (rank as u8, place)
    }

    /// The authorities that may have controlled a place (P-code or facility) at a date:
    /// every control row covering the place (or an area containing it) whose period may
    /// include the date. More than one means the record is ambiguous, not that one wins.
    pub fn controlling_authorities(&self, area: &str, at: &FuzzyDate) -> Vec<&Term> {
        let mut areas: Vec<String> = vec![area.to_string(), "SY".to_string()];
        let pcode = match area.strip_prefix("facility:") {
            Some(f) => self.facilities.get(f).and_then(|t| t.pcode.clone()),
            None => Some(area.to_string()),
        };
        if let Some(p) = pcode {
            areas.extend(
                self.gazetteer
                    .ancestors(&p)
                    .into_iter()
                    .map(|e| e.pcode.clone()),
            );
        }
        let mut out: Vec<&Term> = Vec::new();
        for c in &self.control {
            if !areas.contains(&c.area) {
                continue;
            }
            let period = match (c.from.bounds(), c.to.bounds()) {
                (Some((lo, _)), Some((_, hi))) => Some((lo, hi)),
                (Some((lo, _)), None) => Some((lo, i64::MAX)),
                (None, Some((_, hi))) => Some((i64::MIN, hi)),
                (None, None) => None,
            };
            let may_cover = match (period, at.bounds()) {
                (Some((lo, hi)), Some((a, b))) => a <= hi && b >= lo,
                _ => true,
            };
            if may_cover
                && let Some(t) = self.authorities.get(&c.authority)
                && !out.iter().any(|o| o.id == t.id)
            {
                out.push(t);
            }
        }
        out
    }

    /// The chain of units from `unit` up to its top agency.
    pub fn unit_chain(&self, unit: &str) -> Vec<&Term> {
        let mut chain = Vec::new();
        let mut next = self.units.get(unit);
        while let Some(t) = next {
            if chain.iter().any(|c: &&Term| c.id == t.id) {
                break;
            }
            chain.push(t);
            next = t.parent.as_deref().and_then(|p| self.units.get(p));
        }
        chain
    }

    /// Whether a unit existed under its authority at a date (unknown dates give `true`).
    pub fn unit_active_at(&self, unit: &str, at: &FuzzyDate) -> bool {
        let Some(t) = self.units.get(unit) else {
            return false;
        };
        let after_end = !t.to.is_unknown() && at.compare(&t.to) == Temporal::After;
        let before_start = !t.from.is_unknown() && at.compare(&t.from) == Temporal::Before;
        !(after_end || before_start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_vocabularies_parse_and_cross_check() {
        let v = Vocabularies::embedded();
        assert!(v.event_kinds.get("enforced-disappearance").is_some());
        for facility in [
            "sednaya-prison",
            "mi-branch-215-facility",
            "mi-branch-227-facility",
            "mi-branch-235-facility",
            "mi-branch-248-facility",
            "gid-branch-251-facility",
            "afi-mezzeh-airport",
        ] {
            assert!(v.facilities.get(facility).is_some(), "{facility}");
        }
        for country in ["LB", "TR", "JO", "DK", "SE", "DE"] {
            assert!(v.host_countries.get(country).is_some(), "{country}");
        }
    }

    #[test]
    fn terms_are_found_by_any_spelling_in_either_language() {
        let v = Vocabularies::embedded();
        let ids = |list: Vec<&Term>| list.into_iter().map(|t| t.id.clone()).collect::<Vec<_>>();
        assert_eq!(
            ids(v.units.lookup("المخابرات الجوية")),
            ["air-force-intelligence"]
        );
        assert_eq!(
            ids(v.units.lookup("Air Force Intelligence")),
            ["air-force-intelligence"]
        );
        assert_eq!(ids(v.units.lookup("فرع فلسطين")), ["mi-branch-235"]);
        assert_eq!(
            ids(v.event_kinds.lookup("اختفاء قسري")),
            ["enforced-disappearance"]
        );
        assert_eq!(ids(v.host_countries.lookup("Turkey")), ["TR"]);
        assert!(
            v.facilities
                .search("صيدنايا")
                .iter()
                .any(|t| t.id == "sednaya-prison")
        );
    }

    #[test]
    fn unit_hierarchy_and_periods() {
        let v = Vocabularies::embedded();
        let chain: Vec<_> = v
            .unit_chain("mi-branch-235")
            .iter()
            .map(|t| t.id.as_str())
            .collect();
        assert_eq!(chain, ["mi-branch-235", "military-intelligence"]);
        let d = |s: &str| FuzzyDate::parse(s).unwrap_or_default();
        assert!(v.unit_active_at("mi-branch-235", &d("2019-03")));
        assert!(!v.unit_active_at("mi-branch-235", &d("2025-02")));
        assert!(v.unit_active_at("general-security-service", &d("2025-02")));
    }

    #[test]
    fn control_is_time_bounded() {
        let v = Vocabularies::embedded();
        let d = |s: &str| FuzzyDate::parse(s).unwrap_or_default();
        let ids = |list: Vec<&Term>| list.into_iter().map(|t| t.id.clone()).collect::<Vec<_>>();
        assert_eq!(
            ids(v.controlling_authorities("facility:sednaya-prison", &d("2018-06"))),
            ["assad-government"]
        );
        assert_eq!(
            ids(v.controlling_authorities("SY010000", &d("2019"))),
            ["assad-government"]
        );
        assert_eq!(
            ids(v.controlling_authorities("SY010000", &d("2025-03"))),
            ["transitional-authorities"]
        );
        // December 2024 straddles the change: both are possible, and both are reported.
        assert_eq!(
            ids(v.controlling_authorities("SY01", &d("2024-12"))).len(),
            2
        );
    }

    #[test]
    fn an_organisations_terms_join_the_shared_ones_without_changing_them() {
        let v = Vocabularies::embedded();
        let term = |vocabulary: &str, id: &str, extra: &str| -> VocabularyTerm {
            toml::from_str(&format!(
                "vocabulary = \"{vocabulary}\"\n[term]\nid = \"{id}\"\nen = \"E\"\nar = \"ع\"\n{extra}"
            ))
            .unwrap_or_else(|e| panic!("{e}"))
        };
        let france = term("host-countries", "FR", "aliases_ar = [\"فرانسا\"]");
        let branch = term("units", "new-branch", "parent = \"military-intelligence\"");
        let facility = term("facilities", "new-cells", "unit = \"new-branch\"");
        let shadow = term("host-countries", "LB", "");
        let dangling = term("units", "orphan", "parent = \"nowhere\"");
        let misplaced = term("units", "odd", "pcode = \"SY01\"");
        let (merged, left_out) =
            v.with_terms([&france, &branch, &facility, &shadow, &dangling, &misplaced]);
        assert_eq!(merged.host_countries.lookup("فرانسا")[0].id, "FR");
        // A term may name one added before it; the branch serves its parent's authority.
        assert!(merged.facilities.get("new-cells").is_some());
        assert_eq!(
            merged.authority_of_unit("new-branch"),
            v.authority_of_unit("military-intelligence")
        );
        // Lebanon keeps its meaning; the orphan and the unit with a place are left out.
        assert_eq!(merged.host_countries.get("LB"), v.host_countries.get("LB"));
        let why: Vec<&str> = left_out.iter().map(|(t, _)| t.term.id.as_str()).collect();
        assert_eq!(why, ["LB", "orphan", "odd"]);
        // The shared vocabularies are untouched.
        assert!(v.host_countries.get("FR").is_none());
        // An event kind needs a category that gives it meaning.
        let kind = term("event-kinds", "abduction", "");
        assert!(kind.validate(v).is_err());
        let kind = term("event-kinds", "abduction", "category = \"deprivation\"");
        assert!(kind.validate(v).is_ok());
        assert!(term("units", "Bad Id", "").validate(v).is_err());
    }

    #[test]
    fn broken_references_are_refused() {
        let files: Vec<(&'static str, &str)> = EMBEDDED_FILES
            .iter()
            .map(|(n, t)| {
                if *n == "units" {
                    (
                        *n,
                        "[[term]]\nid = \"x\"\nen = \"X\"\nar = \"س\"\nparent = \"nowhere\"\n",
                    )
                } else {
                    (*n, *t)
                }
            })
            .collect();
        let err = Vocabularies::parse(&files, EMBEDDED_CONTROL, EMBEDDED_GAZETTEER).err();
        assert!(err.is_some_and(|e| e.problem.contains("unknown parent nowhere")));
    }
}
