//! Person records of the store as linkage input.
//!
//! A person may carry names in several scripts; the Arabic-script name is preferred, since
//! the shared skeleton (see [`crate::normalise`]) reaches Latin transliterations from it.
//! Parts are taken as given; a name given only whole is split by position.

use athar_model::{Person, Script, Sex};

use crate::record::{Field, InputRecord};

/// The linkage input of one person record.
pub fn input_of(list: u16, id: String, person: &Person) -> InputRecord {
    let mut values = Vec::new();
    let name = person
        .names
        .iter()
        .find(|n| n.script == Script::Arab)
        .or_else(|| person.names.first());
    if let Some(name) = name {
        let parts = [
            (Field::GivenName, &name.given),
            (Field::FatherName, &name.father),
            (Field::GrandfatherName, &name.grandfather),
            (Field::FamilyName, &name.family),
        ];
        let any_part = parts.iter().any(|(_, v)| v.is_some());
        if any_part {
            for (field, value) in parts {
                if let Some(v) = value {
                    values.push((field, v.clone()));
                }
            }
        } else if let Some(full) = &name.full {
            values.push((Field::FullName, full.clone()));
        }
        // The mother's name is often in one entry only.
        let mother = name
            .mother
            .as_ref()
            .or_else(|| person.names.iter().find_map(|n| n.mother.as_ref()));
        if let Some(m) = mother {
            values.push((Field::MotherName, m.clone()));
        }
    }
    if !person.birth_date.is_unknown() {
        values.push((Field::BirthDate, person.birth_date.to_string()));
    }
    if let Some(place) = &person.birthplace
        && let Some(p) = place.pcode.as_ref().or(place.text.as_ref())
    {
        values.push((Field::Birthplace, p.clone()));
    }
    match person.sex {
        Sex::Male => values.push((Field::Sex, "male".into())),
        Sex::Female => values.push((Field::Sex, "female".into())),
        Sex::Unknown => {}
    }
    if let Some(identifier) = person.identifiers.first() {
        values.push((
            Field::Identifier,
            format!("{}:{}", identifier.kind, identifier.value),
        ));
    }
    InputRecord { list, id, values }
}

#[cfg(test)]
mod tests {
    use super::*;
    use athar_model::{FuzzyDate, PersonName};

    #[test]
    fn arabic_name_is_preferred_and_whole_names_are_split_later() {
        let person = Person {
            names: vec![
                PersonName {
                    script: Script::Latn,
                    full: Some("Mohammad Khalil".into()),
                    ..Default::default()
                },
                PersonName {
                    script: Script::Arab,
                    given: Some("محمد".into()),
                    family: Some("خليل".into()),
                    mother: Some("فاطمة".into()),
                    ..Default::default()
                },
            ],
            sex: Sex::Male,
            birth_date: FuzzyDate::parse("1987").unwrap_or_default(),
            ..Default::default()
        };
        let input = input_of(2, "x".into(), &person);
        assert_eq!(input.list, 2);
        assert!(input.values.contains(&(Field::GivenName, "محمد".into())));
        assert!(input.values.contains(&(Field::MotherName, "فاطمة".into())));
        assert!(input.values.contains(&(Field::Sex, "male".into())));
        assert!(input.values.contains(&(Field::BirthDate, "1987".into())));
        assert!(!input.values.iter().any(|(f, _)| *f == Field::FullName));
    }
}
