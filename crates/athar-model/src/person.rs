//! A person: the victim, witness or perpetrator a record is about.
//!
//! Names are kept as people write them, in as many spellings as the sources give: each
//! [`PersonName`] is one written form, in Arabic script or a Latin transliteration, split
//! into the parts Syrian documents use (given name, father's, grandfather's, family name,
//! mother's name, nickname or kunya) or kept whole when nobody split it.

use serde::{Deserialize, Serialize};

use crate::consent::Consent;
use crate::date::FuzzyDate;
use crate::place::PlaceRef;
use crate::source::Citation;
use crate::validation::{FieldError, Problems};
use crate::vocab::Vocabularies;

pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_TEXT_CHARS: usize = 100_000;

/// The writing system of a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Script {
    /// Arabic script.
    #[default]
    Arab,
    /// Latin letters (a transliteration).
    Latn,
}

/// One written form of a person's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonName {
    #[serde(default)]
    pub script: Script,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub father: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grandfather: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// The mother's name (given and family), often what distinguishes namesakes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mother: Option<String>,
    /// Nickname, kunya (Abu …) or laqab.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// The whole name as written, when it was not split into parts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full: Option<String>,
}

impl PersonName {
    /// The name as one line: the whole form if given, else the parts in Syrian order.
    pub fn display(&self) -> String {
        if let Some(full) = &self.full {
            return full.clone();
        }
        [&self.given, &self.father, &self.grandfather, &self.family]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn parts(&self) -> [(&'static str, &Option<String>); 7] {
        [
            ("given", &self.given),
            ("father", &self.father),
            ("grandfather", &self.grandfather),
            ("family", &self.family),
            ("mother", &self.mother),
            ("nickname", &self.nickname),
            ("full", &self.full),
        ]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Sex {
    Male,
    Female,
    #[default]
    Unknown,
}

/// An identifying number: national ID, passport, UNHCR registration, family booklet …
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Identifier {
    /// A term of the `identifier-kinds` vocabulary.
    pub kind: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    /// Every written form of the name; at least one.
    pub names: Vec<PersonName>,
    #[serde(default)]
    pub sex: Sex,
    #[serde(default, skip_serializing_if = "FuzzyDate::is_unknown")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "~1990-03"))]
    pub birth_date: FuzzyDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthplace: Option<PlaceRef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<Identifier>,
    /// How to reach the family or the person (phone, address) — identifying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Citation>,
    /// Consent decisions per purpose, in the order given (see [`crate::consent`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consent: Vec<Consent>,
    /// Recorded without a name: an unidentified victim that a list counts ("two
    /// unidentified victims of a car bomb", "Unidentified 12"). Counted like anyone,
    /// never matched by name, shown as "unidentified" — and never given an invented name.
    /// Not identifying, so it stays in the clear part.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unnamed: bool,
    /// What sources state of the person's situation ("detained, whereabouts known",
    /// "alive"), each with its date and source; the derived status uses it where the
    /// events cannot decide (docs/DEFINITIONS.md, "Stated status").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stated: Vec<crate::status::StatedStatus>,
    /// Civilian or combatant when the events happened, as the source states it
    /// (casualty lists record it). Counted; never inferred.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub combatant_status: Option<CombatantStatus>,
    /// Child or adult as the source states it ("طفل", "child"), for when no birth date
    /// says so: a known birth date decides, this decides only where the dates cannot
    /// (docs/DEFINITIONS.md, "Children").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stated_age_group: Option<crate::status::AgeGroup>,
    /// The person's occupation as written ("طالب جامعي", "nurse") — identifying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occupation: Option<String>,
    /// A military or police rank as written ("مجند", "ملازم أول") — identifying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<String>,
    /// The row's key in the list it was imported from (the `[list] key` column: a row
    /// number, an id), so an export can be checked against the list row by row —
    /// identifying, since lists key rows by national ID numbers too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_key: Option<String>,
    /// Where the case stands in its review (submitted, verified, returned); none for a
    /// record that never entered the review (imported, or written before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<crate::review::CaseReview>,
    /// Where a family's search for the person stands (see [`crate::tracing`]); none until
    /// a case worker records an outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracing: Option<crate::tracing::Tracing>,
}

/// Whether a person was a civilian or a combatant (a member of an armed force or group
/// taking part in hostilities) when the events happened, as a source states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CombatantStatus {
    Civilian,
    Combatant,
}

impl CombatantStatus {
    /// The status a list's value states: "civilian", "مدني", "combatant", "عسكري",
    /// "مقاتل", "non-civilian" …; `None` for anything else.
    pub fn parse(value: &str) -> Option<CombatantStatus> {
        let v = crate::text::fold(value);
        const CIVILIAN: &[&str] = &["civilian", "civil", "مدني", "مدنيه", "مدنية"];
        const COMBATANT: &[&str] = &[
            "combatant",
            "non-civilian",
            "non civilian",
            "noncivilian",
            "military",
            "fighter",
            "soldier",
            "عسكري",
            "عسكريه",
            "مقاتل",
            "مقاتله",
            "غير مدني",
            "مسلح",
        ];
        let is = |words: &[&str]| words.iter().any(|w| crate::text::fold(w) == v);
        if is(CIVILIAN) {
            Some(CombatantStatus::Civilian)
        } else if is(COMBATANT) {
            Some(CombatantStatus::Combatant)
        } else {
            None
        }
    }

    pub fn label(self, lang: crate::vocab::Lang) -> &'static str {
        match (self, lang) {
            (CombatantStatus::Civilian, crate::vocab::Lang::En) => "civilian",
            (CombatantStatus::Civilian, crate::vocab::Lang::Ar) => "مدني",
            (CombatantStatus::Combatant, crate::vocab::Lang::En) => "combatant",
            (CombatantStatus::Combatant, crate::vocab::Lang::Ar) => "مقاتل",
        }
    }
}

/// Child or adult at a date from a birth date where it decides, else the age group a
/// source stated (unknown when neither says).
pub fn age_group_or_stated(
    birth: &FuzzyDate,
    stated: Option<crate::status::AgeGroup>,
    at: &FuzzyDate,
) -> crate::status::AgeGroup {
    match crate::status::age_group(birth, at) {
        crate::status::AgeGroup::Unknown => stated.unwrap_or(crate::status::AgeGroup::Unknown),
        decided => decided,
    }
}

/// A value stated by one of several linked records, kept while they agree: the first
/// known one, or none once two known ones differ (`differ` remembers that they did, so a
/// third record cannot bring one back). The result does not depend on reading order.
pub fn agree<T: PartialEq + Copy>(
    kept: Option<T>,
    next: Option<T>,
    differ: bool,
) -> (Option<T>, bool) {
    match (kept, next) {
        (_, _) if differ => (None, true),
        (k, None) => (k, false),
        (None, n) => (n, false),
        (Some(a), Some(b)) if a == b => (Some(a), false),
        _ => (None, true),
    }
}

/// What lists write where a name is not known: "Unidentified 12", "unknown", "مجهول
/// الهوية ٣", "بدون اسم". Such a value is no name; a person recorded with it is unnamed.
pub fn is_unnamed_placeholder(value: &str) -> bool {
    const WORDS: &[&str] = &[
        "unidentified",
        "unidentified person",
        "unidentified victim",
        "unknown",
        "unknown person",
        "unnamed",
        "anonymous",
        "no name",
        "n/a",
        "مجهول",
        "مجهولة",
        "مجهول الهوية",
        "مجهولة الهوية",
        "مجهول الاسم",
        "غير معروف",
        "غير معروفة",
        "غير محدد",
        "بدون اسم",
        "لا يوجد اسم",
        "لا يوجد",
        "شخص مجهول",
        "ضحية مجهولة",
        "ضحية مجهولة الهوية",
    ];
    let digits = crate::date::normalise_digits(value);
    let lowered = digits.trim().to_lowercase();
    // A number after the word ("Unidentified 12", "مجهول (٣)", "unknown #4") counts the
    // unidentified; it names nobody.
    let word = lowered
        .trim_end_matches(|c: char| c.is_ascii_digit() || " #№-_.()".contains(c))
        .trim();
    WORDS.contains(&word) || (!lowered.is_empty() && lowered.chars().all(|c| "-?_. ".contains(c)))
}

impl Person {
    /// The first name in Arabic script and the first in Latin letters, for lists.
    pub fn primary_names(&self) -> (Option<String>, Option<String>) {
        let of = |script| {
            self.names
                .iter()
                .find(|n| n.script == script)
                .map(PersonName::display)
        };
        (of(Script::Arab), of(Script::Latn))
    }

    /// How lists and pages name the person: their first name as written (Arabic script
    /// first when `lang` is Arabic), or "unidentified" for an unnamed person.
    pub fn display_name(&self, lang: crate::vocab::Lang) -> String {
        if self.unnamed || self.names.is_empty() {
            return match lang {
                crate::vocab::Lang::Ar => "مجهول الهوية".into(),
                crate::vocab::Lang::En => "Unidentified".into(),
            };
        }
        let (arab, latn) = self.primary_names();
        match lang {
            crate::vocab::Lang::Ar => arab.or(latn),
            crate::vocab::Lang::En => latn.or(arab),
        }
        .unwrap_or_default()
    }

    /// Child or adult at a date: by the birth date where it decides, else as the source
    /// stated it (docs/DEFINITIONS.md, "Children").
    pub fn age_group_at(&self, at: &FuzzyDate) -> crate::status::AgeGroup {
        age_group_or_stated(&self.birth_date, self.stated_age_group, at)
    }

    pub fn validate(&self, vocab: &Vocabularies) -> Result<(), Vec<FieldError>> {
        let mut p = Problems::default();
        if self.names.is_empty() && !self.unnamed {
            p.push(FieldError::new(
                "names",
                "person.no_name",
                "at least one name is required (it may be partial, e.g. only a family name); a victim whose name nobody knows is recorded with \"unnamed\": true",
                "يلزم اسم واحد على الأقل (ولو جزئياً، كاسم العائلة وحده)؛ والضحية التي لا يُعرف اسمها تُسجَّل مجهولة الهوية (\"unnamed\": true)",
            ));
        }
        if self.unnamed && !self.names.is_empty() {
            p.push(FieldError::new(
                "unnamed",
                "person.unnamed_with_name",
                "a person recorded as unnamed has no names; remove the names or the mark",
                "الشخص المسجَّل مجهول الهوية لا اسم له؛ احذف الأسماء أو العلامة",
            ));
        }
        for (i, name) in self.names.iter().enumerate() {
            let filled = name
                .parts()
                .iter()
                .filter(|(_, v)| v.as_deref().is_some_and(|s| !s.trim().is_empty()))
                .count();
            if filled == 0 {
                p.push(FieldError::new(
                    format!("names[{i}]"),
                    "person.empty_name",
                    "the name has no part filled in",
                    "لم يُملأ أي جزء من الاسم",
                ));
            }
            for (part, value) in name.parts() {
                p.text(&format!("names[{i}].{part}"), value, MAX_NAME_CHARS);
            }
        }
        if let Some((first_day, _)) = self.birth_date.bounds()
            && first_day > crate::date::today()
        {
            p.push(FieldError::new(
                "birth_date",
                "person.born_in_the_future",
                "the birth date is after today",
                "تاريخ الميلاد بعد اليوم",
            ));
        }
        if let Some(place) = &self.birthplace {
            place.validate("birthplace", vocab, &mut p);
        }
        for (i, id) in self.identifiers.iter().enumerate() {
            if vocab.identifier_kinds.get(&id.kind).is_none() {
                p.push(FieldError::unknown_term(
                    format!("identifiers[{i}].kind"),
                    "identifier-kinds",
                ));
            }
            if id.value.trim().is_empty() {
                p.push(FieldError::required(format!("identifiers[{i}].value")));
            }
            p.text(
                &format!("identifiers[{i}].value"),
                &Some(id.value.clone()),
                MAX_NAME_CHARS,
            );
        }
        for (i, statement) in self.stated.iter().enumerate() {
            if statement.status == crate::status::Status::Unknown {
                p.push(FieldError::new(
                    format!("stated[{i}].status"),
                    "person.stated_unknown",
                    "a stated status says what was stated: at_liberty, detained, disappeared, released, died_in_custody, killed or dead (circumstances unknown)",
                    "الحالة المصرَّح بها تذكر ما قيل: طليق أو محتجز أو مختفٍ قسرياً أو مُفرج عنه أو متوفى في الاحتجاز أو مقتول أو متوفى (الظروف غير معروفة)",
                ));
            }
        }
        if self.stated_age_group == Some(crate::status::AgeGroup::Unknown) {
            p.push(FieldError::new(
                "stated_age_group",
                "person.stated_age_unknown",
                "a stated age group is child or adult; leave it out when the source does not say",
                "الفئة العمرية المصرَّح بها طفل أو بالغ؛ اتركها فارغة إن لم يذكرها المصدر",
            ));
        }
        p.text("occupation", &self.occupation, MAX_NAME_CHARS);
        p.text("list_key", &self.list_key, MAX_NAME_CHARS);
        p.text("rank", &self.rank, MAX_NAME_CHARS);
        p.text("contact", &self.contact, MAX_TEXT_CHARS);
        p.text("notes", &self.notes, MAX_TEXT_CHARS);
        crate::consent::validate(&self.consent, &mut p);
        p.into_result()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Lang;

    #[test]
    fn placeholders_for_a_missing_name_are_recognised_and_names_are_not() {
        for placeholder in [
            "Unidentified 12",
            "unidentified",
            "UNKNOWN #4",
            "مجهول الهوية ٣",
            "مجهول (2)",
            "بدون اسم",
            "-",
            "?",
            "n/a",
        ] {
            assert!(is_unnamed_placeholder(placeholder), "{placeholder}");
        }
        for name in ["محمد مجهول الأحمد", "Majhoul", "Unis", "عبد المجيد", "12"]
        {
            assert!(!is_unnamed_placeholder(name), "{name}");
        }
    }

    #[test]
    fn an_unnamed_person_is_valid_shown_as_unidentified_and_never_half_named() {
        let vocab = Vocabularies::embedded();
        let unnamed = Person {
            unnamed: true,
            ..Default::default()
        };
        assert!(unnamed.validate(vocab).is_ok());
        assert_eq!(unnamed.display_name(Lang::En), "Unidentified");
        assert_eq!(unnamed.display_name(Lang::Ar), "مجهول الهوية");
        let nameless = Person::default();
        let errors = nameless.validate(vocab).err().unwrap_or_default();
        assert!(
            errors.iter().any(|e| e.code == "person.no_name"),
            "{errors:?}"
        );
        let both = Person {
            unnamed: true,
            names: vec![PersonName {
                full: Some("سامر".into()),
                ..Default::default()
            }],
            ..Default::default()
        };
        let errors = both.validate(vocab).err().unwrap_or_default();
        assert!(
            errors.iter().any(|e| e.code == "person.unnamed_with_name"),
            "{errors:?}"
        );
        // The mark survives a round trip and is absent when false.
        let json = serde_json::to_value(&unnamed).unwrap_or_default();
        assert_eq!(json["unnamed"], true);
        assert!(serde_json::to_value(&both.names).is_ok());
        assert!(
            serde_json::to_value(Person::default())
                .unwrap_or_default()
                .get("unnamed")
                .is_none()
        );
    }
}
