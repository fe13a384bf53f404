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
    /// The occupation as written.
    Occupation,
    /// A military or police rank as written.
    Rank,
    /// Civilian or combatant, as the list states it.
    CombatantStatus,
    /// Child or adult, as the list states it (for when no birth date decides).
    StatedAgeGroup,
    /// How many victims the row stands for ("two unidentified victims of a car bomb"): a
    /// row without a name and a count of N is N unnamed persons in its events.
    VictimCount,
    /// An identifier of this kind (a term of `identifier-kinds`).
    Identifier(String),
    /// Identifiers of several kinds in one cell, each `kind:value` (a term of
    /// `identifier-kinds`), separated by `;` or `|`: what Athar's exports write.
    Identifiers,
}

impl PersonField {
    /// Whether the column holds (a part of) a name, where a list may write "unknown".
    pub fn is_name_part(&self) -> bool {
        matches!(
            self,
            PersonField::FullName
                | PersonField::GivenName
                | PersonField::FatherName
                | PersonField::GrandfatherName
                | PersonField::FamilyName
                | PersonField::MotherName
                | PersonField::Nickname
        )
    }
}

/// What an event column fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventAttr {
    Date,
    End,
    Place,
    Unit,
    /// The responsible party (a term of `authorities`), for lists that name no unit.
    Party,
    HostCountry,
    Crossing,
    Narrative,
    /// The cause of a death (a term of `causes-of-death`).
    Cause,
    /// Who did it, as the list writes it.
    Actor,
    /// Which kind the row's event is, chosen by the value (a return-type column: "ترحيل"
    /// → forced-return, "طوعية" → return), instead of the kind the mapping names.
    Kind,
}

/// Where a column goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Person(PersonField),
    /// An attribute of the row's event of this kind (a term of `event-kinds`), or of its
    /// fate event ([`FATE`]) whose kind a fate column's value chooses.
    Event(String, EventAttr),
    /// A column whose values say what became of the person (الحالة، المصير، status): each
    /// value, after `[values]`, is an event kind (the row's fate event is of that kind), a
    /// stated status (`stated:detained`), or `none`.
    Fate,
    Ignore,
}

/// The name under which a row's fate event is mapped: `fate.date`, `fate.place` …
pub const FATE: &str = "fate";

/// What one value of a fate column means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FateValue {
    /// The row records an event of this kind (a term of `event-kinds`).
    Event(String),
    /// The list states this status of the person (docs/DEFINITIONS.md, "Stated status").
    Stated(athar_model::Status),
    /// The value says nothing ("unknown", "-"): no event, no statement.
    Nothing,
}

/// Read a fate column's value: an event kind by its id, name or alias in Arabic or
/// English; `stated:STATUS`; or `none`/`unknown`.
pub fn fate_value(text: &str, vocab: &Vocabularies) -> Option<FateValue> {
    let text = text.trim();
    if let Some(status) = text.strip_prefix("stated:") {
        let status = status.trim().replace('-', "_");
        return serde_json::from_value::<athar_model::Status>(serde_json::Value::String(status))
            .ok()
            .filter(|s| *s != athar_model::Status::Unknown)
            .map(FateValue::Stated);
    }
    if matches!(text.to_lowercase().as_str(), "none" | "unknown" | "ignore") {
        return Some(FateValue::Nothing);
    }
    vocab
        .event_kinds
        .lookup(text)
        .first()
        .map(|t| FateValue::Event(t.id.clone()))
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ListSection {
    name: Option<String>,
    source: Option<String>,
    source_kind: Option<String>,
    key: Option<String>,
    format: Option<String>,
    /// The date the list describes ("as of June 2024"): the date of its stated statuses
    /// when a row gives none.
    as_of: Option<String>,
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
    /// The date the list describes (`[list] as_of`), for stated statuses a row gives no
    /// date for.
    pub as_of: athar_model::FuzzyDate,
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
    #[error("[list] as_of is not a date: {0}")]
    AsOf(athar_model::DateError),
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
        "occupation" => Occupation,
        "rank" => Rank,
        "combatant_status" | "civilian_status" => CombatantStatus,
        "age_group" => StatedAgeGroup,
        "victims" | "victim_count" | "count" => VictimCount,
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
        "party" => Party,
        "host_country" => HostCountry,
        "crossing" => Crossing,
        "narrative" => Narrative,
        "cause" => Cause,
        "actor" => Actor,
        "kind" => Kind,
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
    if field == FATE || field == "status" {
        return Ok(Target::Fate);
    }
    if let Some((kind, attr)) = field.split_once('.') {
        if kind != FATE && vocab.event_kinds.get(kind).is_none() {
            return Err(format!("{kind:?} is not a term of event-kinds"));
        }
        return event_attr(attr)
            .ok_or_else(|| {
                format!("{attr:?} is not an event attribute (date, end, place, unit, party, host_country, crossing, cause, actor, kind, narrative)")
            })
            .and_then(|a| {
                // A cause belongs to a death: `killing.cause`, `death-in-custody.cause`, or
                // the fate event's when the fate column names a death.
                let death = matches!(vocab.category_of(kind), Some("killing" | "death-in-custody"));
                if a == EventAttr::Kind && kind == FATE {
                    Err("the fate column itself chooses the fate event's kind; map it to \"fate\"".into())
                } else if a == EventAttr::Cause && kind != FATE && !death {
                    Err(format!("a cause of death belongs to a death; {kind:?} is not one (killing.cause, death-in-custody.cause, execution.cause …)"))
                } else {
                    Ok(Target::Event(kind.into(), a))
                }
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
        // A kind column's values must each name an event kind, checked once here.
        for (column, target) in &columns {
            if !matches!(target, Target::Event(_, EventAttr::Kind)) {
                continue;
            }
            for (value, meaning) in file.values.get(column).into_iter().flatten() {
                if vocab.event_kinds.lookup(meaning).is_empty() {
                    return Err(MappingError::Column {
                        column: column.clone(),
                        reason: format!(
                            "the value {value:?} is given as {meaning:?}, which is not a term of event-kinds"
                        ),
                    });
                }
            }
        }
        // A fate column's values must each say an event kind or a stated status, checked
        // once here rather than on every row.
        for (column, target) in &columns {
            if *target != Target::Fate {
                continue;
            }
            let Some(values) = file.values.get(column) else {
                continue;
            };
            for (value, meaning) in values {
                if fate_value(meaning, vocab).is_none() {
                    return Err(MappingError::Column {
                        column: column.clone(),
                        reason: format!(
                            "the value {value:?} is given as {meaning:?}, which is neither a term of event-kinds nor stated:STATUS (at_liberty, detained, disappeared, released, died_in_custody, killed, dead) nor none"
                        ),
                    });
                }
            }
        }
        let as_of = match file.list.as_of.as_deref() {
            Some(date) => athar_model::FuzzyDate::parse(date).map_err(MappingError::AsOf)?,
            None => athar_model::FuzzyDate::Unknown,
        };
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
            as_of,
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
