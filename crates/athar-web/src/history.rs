//! A record's revisions as a reader follows them: for each, who and when, and what it
//! changed from the one before — field by field, the old value beside the new.

use serde_json::Value;

/// One field a revision changed: its path in the record (`names[0].given`), the value
/// before (empty when the field is new) and after (empty when it was removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub field: String,
    pub before: String,
    pub after: String,
}

fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&path, v, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), v, out);
            }
        }
        Value::Null => {}
        Value::String(s) => out.push((prefix.to_string(), s.clone())),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

/// What changed from `before` to `after` (two records' JSON), in the order of the fields.
pub fn changes(before: Option<&Value>, after: &Value) -> Vec<Change> {
    let mut old = Vec::new();
    if let Some(before) = before {
        flatten("", before, &mut old);
    }
    let mut new = Vec::new();
    flatten("", after, &mut new);
    let value_in = |list: &[(String, String)], field: &str| {
        list.iter()
            .find(|(f, _)| f == field)
            .map(|(_, v)| v.clone())
    };
    let mut out = Vec::new();
    for (field, value) in &new {
        let was = value_in(&old, field);
        if was.as_deref() != Some(value.as_str()) {
            out.push(Change {
                field: field.clone(),
                before: was.unwrap_or_default(),
                after: value.clone(),
            });
        }
    }
    for (field, value) in &old {
        if value_in(&new, field).is_none() {
            out.push(Change {
                field: field.clone(),
                before: value.clone(),
                after: String::new(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_revision_shows_each_field_it_changed_added_or_removed() {
        let before = json!({"names": [{"given": "محمد", "family": "الحلبي"}], "sex": "male",
                            "notes": "from the list"});
        let after = json!({"names": [{"given": "محمّد", "family": "الحلبي"}], "sex": "male",
                           "birth_date": "~1990"});
        let found = changes(Some(&before), &after);
        assert_eq!(
            found,
            vec![
                Change {
                    field: "birth_date".into(),
                    before: String::new(),
                    after: "~1990".into()
                },
                Change {
                    field: "names[0].given".into(),
                    before: "محمد".into(),
                    after: "محمّد".into()
                },
                Change {
                    field: "notes".into(),
                    before: "from the list".into(),
                    after: String::new()
                },
            ]
        );
        assert_eq!(changes(Some(&after), &after), vec![]);
        assert_eq!(changes(None, &json!({"sex": "male"})).len(), 1);
    }
}
