//! A reviewer's decision that two person records are, or are not, the same person.
//!
//! Record linkage proposes; a person decides. A decision is a record like any other, so it
//! has revisions, an author and a place in the audit chain: changing one's mind is a new
//! revision, withdrawing it is a deletion with a reason, and the history keeps both. Person
//! records are never merged: a decision only says how they are counted and shown together.

use serde::{Deserialize, Serialize};

use crate::ids::RecordId;
use crate::person::MAX_TEXT_CHARS;
use crate::validation::{FieldError, Problems};

/// What the reviewer decided about a pair of person records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MatchDecision {
    /// The two records describe the same person.
    Same,
    /// They describe different people.
    Different,
}

impl MatchDecision {
    pub fn name(self) -> &'static str {
        match self {
            MatchDecision::Same => "same",
            MatchDecision::Different => "different",
        }
    }
}

/// A decision about two person records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Match {
    pub first: RecordId,
    pub second: RecordId,
    pub decision: MatchDecision,
    /// Why (sealed: it may quote names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Match {
    /// The pair in a canonical order, so that (a, b) and (b, a) are one pair.
    pub fn pair(&self) -> (RecordId, RecordId) {
        if self.first <= self.second {
            (self.first, self.second)
        } else {
            (self.second, self.first)
        }
    }

    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut p = Problems::default();
        if self.first == self.second {
            p.push(FieldError::new(
                "second",
                "match.same_record",
                "a decision compares two different person records",
                "القرار يقارن بين سجلّين مختلفين لأشخاص",
            ));
        }
        p.text("note", &self.note, MAX_TEXT_CHARS);
        p.into_result()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_cannot_match_itself_and_pairs_are_unordered() {
        let a = RecordId::new();
        let b = RecordId::new();
        let m = Match {
            first: a,
            second: a,
            decision: MatchDecision::Same,
            note: None,
        };
        let codes: Vec<String> = m
            .validate()
            .err()
            .into_iter()
            .flatten()
            .map(|e| e.code)
            .collect();
        assert_eq!(codes, vec!["match.same_record".to_string()]);
        let x = Match {
            first: b,
            second: a,
            decision: MatchDecision::Different,
            note: None,
        };
        let y = Match {
            first: a,
            second: b,
            ..x.clone()
        };
        assert_eq!(x.pair(), y.pair());
        assert!(x.validate().is_ok());
    }
}
