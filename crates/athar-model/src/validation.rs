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

    /// Text fields have a generous bound so a pasted file cannot fill the store.
    pub fn text(&mut self, field: &str, value: &Option<String>, max: usize) {
        if let Some(v) = value
            && v.chars().count() > max
        {
            self.push(FieldError::too_long(field, max));
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
