//! Sources: where a fact comes from, and how far it can be trusted.
//!
//! Grades follow the Admiralty system used by investigators: the reliability of the source
//! (A completely reliable … E unreliable, F cannot be judged) and the credibility of the
//! information (1 confirmed by other sources … 5 improbable, 6 cannot be judged).

use serde::{Deserialize, Serialize};

use crate::date::FuzzyDate;
use crate::ids::RecordId;
use crate::person::{MAX_NAME_CHARS, MAX_TEXT_CHARS};
use crate::validation::{FieldError, Problems};
use crate::vocab::Vocabularies;

/// Reliability of a source, A (completely reliable) to F (cannot be judged).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Reliability {
    A,
    B,
    C,
    D,
    E,
    #[default]
    F,
}

/// Credibility of the information, 1 (confirmed) to 6 (cannot be judged).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = u8, minimum = 1, maximum = 6))]
pub struct Credibility(u8);

impl Credibility {
    pub const CANNOT_BE_JUDGED: Credibility = Credibility(6);
    pub fn new(grade: u8) -> Option<Self> {
        (1..=6).contains(&grade).then_some(Credibility(grade))
    }
    pub fn grade(self) -> u8 {
        self.0
    }
}

impl Default for Credibility {
    fn default() -> Self {
        Credibility::CANNOT_BE_JUDGED
    }
}

impl TryFrom<u8> for Credibility {
    type Error = String;
    fn try_from(v: u8) -> Result<Self, String> {
        Credibility::new(v).ok_or_else(|| format!("credibility {v} is not a grade from 1 to 6"))
    }
}

impl From<Credibility> for u8 {
    fn from(c: Credibility) -> u8 {
        c.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Source {
    /// A term of the `source-kinds` vocabulary (interview, family testimony, document …).
    pub kind: String,
    /// A short description, e.g. "Interview with the mother, Beirut".
    pub title: String,
    #[serde(default, skip_serializing_if = "FuzzyDate::is_unknown")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub date: FuzzyDate,
    #[serde(default)]
    pub reliability: Reliability,
    #[serde(default)]
    pub credibility: Credibility,
    /// The organisation or outlet that produced it, for reports of others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

impl Source {
    pub fn validate(&self, vocab: &Vocabularies) -> Result<(), Vec<FieldError>> {
        let mut p = Problems::default();
        if vocab.source_kinds.get(&self.kind).is_none() {
            p.push(FieldError::unknown_term("kind", "source-kinds"));
        }
        if self.title.trim().is_empty() {
            p.push(FieldError::required("title"));
        }
        p.text("title", &Some(self.title.clone()), MAX_NAME_CHARS * 5);
        p.text("organisation", &self.organisation, MAX_NAME_CHARS);
        p.text("notes", &self.notes, MAX_TEXT_CHARS);
        p.into_result()
    }
}

/// A record's reference to the source of what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Citation {
    pub source: RecordId,
    /// Where in the source: a page, a minute of the recording.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locator: Option<String>,
}
