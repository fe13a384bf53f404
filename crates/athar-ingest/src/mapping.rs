//! The mapping file: which column is which field (docs/IMPORT.md).
//!
//! ```toml
//! [list]
//! name = "Returnees 2024"            # the list's name (the command line may give it)
//! source = "Partner spreadsheet"     # where it came from
//! source_kind = "organisation-report"
//! key = "No."                        # a column that names a row across versions of the list
//!
//! [columns]
//! "الاسم الكامل" = "full_name"
//! "اسم الأم" = "mother_name"
//! "تاريخ الاعتقال" = "arrest.date"
//! "الجهة" = "arrest.unit"
//! "Remarks" = "ignore"
//!
//! [values."الجنس"]
//! "ذكر" = "male"
//! ```

use std::collections::BTreeMap;

use athar_model::Vocabularies;
use serde::Deserialize;

/// A person field a column can fill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonField {
    FullName,
    GivenName,
    FatherName,
    GrandfatherName,
    FamilyName,
    MotherName,
    Nickname,
    Sex,
    BirthDate,
    Birthplace,
    Contact,
    Notes,
    /// An identifier of this kind (a term of `identifier-kinds`).
    Identifier(String),
    /// Identifiers of several kinds in one cell, each `kind:value` (a term of
    /// `identifier-kinds`), separated by `;` or `|`: what Athar's exports write.
    Identifiers,
}

/// What an event column fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventAttr {
    Date,
    End,
    Place,
    Unit,
    HostCountry,
    Crossing,
    Narrative,
}

/// Where a column goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Person(PersonField),
    /// An attribute of the row's event of this kind (a term of `event-kinds`).
    Event(String, EventAttr),
    Ignore,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ListSection {
    name: Option<String>,
    source: Option<String>,
    source_kind: Option<String>,
    key: Option<String>,
    format: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    #[serde(default)]
    list: ListSection,
    columns: BTreeMap<String, String>,
    #[serde(default)]
    values: BTreeMap<String, BTreeMap<String, String>>,
}

/// A checked mapping.
#[derive(Debug, Clone)]
pub struct Mapping {
    pub list_name: Option<String>,
    pub source: Option<String>,
    pub source_kind: String,
    pub key: Option<String>,
    /// Header (as written in the mapping) → target.
    pub columns: Vec<(String, Target)>,
    /// Header → (cell value → replacement), for values the file writes its own way.
    pub values: BTreeMap<String, BTreeMap<String, String>>,
    /// The file is an Uwazi CSV export (`format = "uwazi"`): a thesaurus value written
    /// `Group::Value` means its value, `|` separates several values, and a date range is
    /// written `from~to`.
    pub uwazi: bool,
}

/// A problem in the mapping file.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MappingError {
    #[error("the mapping is not valid TOML: {0}")]
    Syntax(String),
    #[error("column {column:?}: {reason}")]
    Column { column: String, reason: String },
    #[error("[list] source_kind {0:?} is not a term of source-kinds")]
    SourceKind(String),
    #[error("[list] format {0:?} is not one this import reads (uwazi, or leave it out)")]
    Format(String),
}

fn person_field(name: &str) -> Option<PersonField> {
    use PersonField::*;
    Some(match name {
        "full_name" => FullName,
        "given_name" => GivenName,
        "father_name" => FatherName,
        "grandfather_name" => GrandfatherName,
        "family_name" => FamilyName,
        "mother_name" => MotherName,
        "nickname" => Nickname,
        "sex" => Sex,
        "birth_date" | "birth_year" => BirthDate,
        "birthplace" => Birthplace,
        "contact" => Contact,
        "notes" => Notes,
        "identifiers" => Identifiers,
        _ => return None,
    })
}

fn event_attr(name: &str) -> Option<EventAttr> {
    use EventAttr::*;
    Some(match name {
        "date" => Date,
        "end" => End,
        "place" => Place,
        "unit" => Unit,
        "host_country" => HostCountry,
        "crossing" => Crossing,
        "narrative" => Narrative,
        _ => return None,
    })
}

fn target(field: &str, vocab: &Vocabularies) -> Result<Target, String> {
    if field == "ignore" {
        return Ok(Target::Ignore);
    }
    if let Some(f) = person_field(field) {
        return Ok(Target::Person(f));
    }
    if let Some(kind) = field.strip_prefix("identifier:") {
        return if vocab.identifier_kinds.get(kind).is_some() {
            Ok(Target::Person(PersonField::Identifier(kind.into())))
        } else {
            Err(format!("{kind:?} is not a term of identifier-kinds"))
        };
    }
    if let Some((kind, attr)) = field.split_once('.') {
        if vocab.event_kinds.get(kind).is_none() {
            return Err(format!("{kind:?} is not a term of event-kinds"));
        }
        return event_attr(attr)
            .map(|a| Target::Event(kind.into(), a))
            .ok_or_else(|| {
                format!("{attr:?} is not an event attribute (date, end, place, unit, host_country, crossing, narrative)")
            });
    }
    Err(format!(
        "{field:?} is not a field; see docs/IMPORT.md for the list"
    ))
}

impl Mapping {
    /// Read and check a mapping file.
    pub fn parse(text: &str, vocab: &Vocabularies) -> Result<Mapping, MappingError> {
        let file: MappingFile =
            toml::from_str(text).map_err(|e| MappingError::Syntax(e.message().to_string()))?;
        let mut columns = Vec::new();
        for (column, field) in file.columns {
            let t = target(field.trim(), vocab).map_err(|reason| MappingError::Column {
                column: column.clone(),
                reason,
            })?;
            columns.push((column, t));
        }
        let source_kind = file
            .list
            .source_kind
            .unwrap_or_else(|| "organisation-report".into());
        if vocab.source_kinds.get(&source_kind).is_none() {
            return Err(MappingError::SourceKind(source_kind));
        }
        let uwazi = match file.list.format.as_deref() {
            None => false,
            Some("uwazi") => true,
            Some(other) => return Err(MappingError::Format(other.to_string())),
        };
        Ok(Mapping {
            uwazi,
            list_name: file.list.name,
            source: file.list.source,
            source_kind,
            key: file.list.key,
            columns,
            values: file.values,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mappings_are_checked_against_the_vocabularies() {
        let vocab = Vocabularies::embedded();
        let m = Mapping::parse(
            r#"
            [list]
            key = "No."
            [columns]
            "الاسم" = "full_name"
            "Arrested" = "arrest.date"
            "ID" = "identifier:national-id"
            "x" = "ignore"
            [values."الجنس"]
            "ذكر" = "male"
            "#,
            vocab,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.columns.len(), 4);
        assert!(m.columns.contains(&(
            "Arrested".into(),
            Target::Event("arrest".into(), EventAttr::Date)
        )));
        assert_eq!(m.source_kind, "organisation-report");
        for (text, fragment) in [
            ("[columns]\n\"a\" = \"nonsense\"", "not a field"),
            (
                "[columns]\n\"a\" = \"abduction-by-aliens.date\"",
                "event-kinds",
            ),
            (
                "[columns]\n\"a\" = \"arrest.colour\"",
                "not an event attribute",
            ),
            (
                "[columns]\n\"a\" = \"identifier:shoe-size\"",
                "identifier-kinds",
            ),
            ("[columns\n", "not valid TOML"),
        ] {
            let err = Mapping::parse(text, vocab)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains(fragment), "{text}: {err}");
        }
    }
}
