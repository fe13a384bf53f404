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

    pub fn validate(&self, vocab: &Vocabularies) -> Result<(), Vec<FieldError>> {
        let mut p = Problems::default();
        if self.names.is_empty() {
            p.push(FieldError::new(
                "names",
                "person.no_name",
                "at least one name is required (it may be partial, e.g. only a family name)",
                "يلزم اسم واحد على الأقل (ولو جزئياً، كاسم العائلة وحده)",
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
        p.text("contact", &self.contact, MAX_TEXT_CHARS);
        p.text("notes", &self.notes, MAX_TEXT_CHARS);
        crate::consent::validate(&self.consent, &mut p);
        p.into_result()
    }
}
