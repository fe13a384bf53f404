//! Validation problems, named by field, in English and Arabic.
//!
//! Every refusal of user input is a [`FieldError`]: the path of the field (as in the JSON
//! body, e.g. `names[0].given`), a stable code, and a message in both languages. Messages
//! never quote the value: it may be a name or an identifier.

use serde::Serialize;

use crate::date::DateError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// Path of the field in the submitted document, e.g. `birth_date` or `names[1].family`.
    pub field: String,
    /// Stable machine-readable code, e.g. `date.month_out_of_range`.
    pub code: String,
    /// The problem in English.
    pub message: String,
    /// The problem in Arabic.
    pub message_ar: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        code: &str,
        message: impl Into<String>,
        message_ar: impl Into<String>,
    ) -> Self {
        FieldError {
            field: field.into(),
            code: code.into(),
            message: message.into(),
            message_ar: message_ar.into(),
        }
    }

    pub fn from_date(field: impl Into<String>, error: &DateError) -> Self {
        FieldError::new(field, error.code(), error.to_string(), error.message_ar())
    }

    pub fn required(field: impl Into<String>) -> Self {
        FieldError::new(field, "required", "a value is required", "هذا الحقل مطلوب")
    }

    pub fn unknown_term(field: impl Into<String>, vocabulary: &str) -> Self {
        FieldError::new(
            field,
            "vocabulary.unknown_term",
            format!("not a term of the {vocabulary} vocabulary"),
            format!("ليست من مصطلحات قائمة «{vocabulary}»"),
        )
    }

    pub fn too_long(field: impl Into<String>, max: usize) -> Self {
        FieldError::new(
            field,
            "text.too_long",
            format!("longer than {max} characters"),
            format!("أطول من {max} حرفاً"),
        )
    }
}

/// Collects field errors while a document is checked.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<FieldError>);

impl Problems {
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }

    /// Text fields have a generous bound so a pasted file cannot fill the store, and hold
    /// no invisible characters that change what a reader sees: control characters (NUL and
    /// the like; line breaks and tabs are allowed) and the bidirectional overrides and
    /// embeddings (U+202A–U+202E) that can make text read in another order than it is
    /// stored. Marks (U+200E, U+200F) and isolates, which Arabic editors insert, are kept.
    /// (A line break in a name is kept: spreadsheet cells hold them, and refusing them would
    /// refuse real lists' rows.)
    pub fn text(&mut self, field: &str, value: &Option<String>, max: usize) {
        let Some(v) = value else { return };
        if v.chars().count() > max {
            self.push(FieldError::too_long(field, max));
        }
        let hidden = |c: char| {
            (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
                || ('\u{202A}'..='\u{202E}').contains(&c)
        };
        if let Some(c) = v.chars().find(|c| hidden(*c)) {
            self.push(FieldError::new(
                field,
                "text.invisible_character",
                format!(
                    "holds the invisible character U+{:04X}, which hides or reorders text; remove it",
                    c as u32
                ),
                format!(
                    "يحوي المحرف الخفي U+{:04X} الذي يخفي النص أو يغيّر ترتيبه؛ احذفه",
                    c as u32
                ),
            ));
        }
    }

    pub fn into_result(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Person, Vocabularies};

    fn person_named(given: &str) -> Person {
        serde_json::from_value(serde_json::json!({
            "names": [{"script": "arab", "given": given, "family": "الحلبي"}],
            "notes": "سطر أول\nسطر ثانٍ\tمع جدولة"
        }))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn codes(person: &Person) -> Vec<(String, String)> {
        person
            .validate(Vocabularies::embedded())
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    #[test]
    fn invisible_characters_that_hide_or_reorder_a_name_are_refused() {
        assert!(
            codes(&person_named("محمد")).is_empty(),
            "line breaks in notes are fine"
        );
        // An isolate or a mark an Arabic editor inserts is fine.
        assert!(codes(&person_named("\u{2067}محمد\u{2069}\u{200F}")).is_empty());
        for bad in [
            "محمد\u{0}",
            "\u{202E}dammahoM",
            "محمد\u{202B}",
            "\u{1b}[31m",
        ] {
            assert_eq!(
                codes(&person_named(bad)),
                [(
                    "names[0].given".to_string(),
                    "text.invisible_character".to_string()
                )],
                "{bad:?}"
            );
        }
    }
}
