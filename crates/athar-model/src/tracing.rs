//! Where a family's search for a missing person stands.
//!
//! A family reports a person missing (`intake::MissingReport`); a case worker searches the
//! records — recovered detention, transfer, death and burial registers among them — takes
//! steps (inquiries, requests, searches of registers: events of the `search` category) and
//! records what the search has come to: the **outcome**. The outcome is the case worker's
//! statement, with its date, the person record that settled it (the register entry
//! confirmed as the same person, when there is one) and a note (sealed: it may quote what a
//! family was told). A confirmed death is also a stated status of the person (`Dead`, from
//! the matched record's sources), so counts and the derived status see it like any other
//! statement.

use serde::{Deserialize, Serialize};

use crate::date::FuzzyDate;
use crate::ids::RecordId;

/// What the search for a missing person has come to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Outcome {
    /// Searched, nothing found yet.
    NoMatchYet,
    /// A record may be the person; not yet confirmed.
    Possible,
    /// The person is alive, and it was confirmed.
    ConfirmedAlive,
    /// The person is dead, and it was confirmed.
    ConfirmedDead,
    /// The person's remains were identified.
    RemainsIdentified,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::NoMatchYet,
        Outcome::Possible,
        Outcome::ConfirmedAlive,
        Outcome::ConfirmedDead,
        Outcome::RemainsIdentified,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Outcome::NoMatchYet => "no_match_yet",
            Outcome::Possible => "possible",
            Outcome::ConfirmedAlive => "confirmed_alive",
            Outcome::ConfirmedDead => "confirmed_dead",
            Outcome::RemainsIdentified => "remains_identified",
        }
    }

    pub fn from_code(code: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.code() == code)
    }

    /// Whether the outcome says the person is dead.
    pub fn is_death(self) -> bool {
        matches!(self, Outcome::ConfirmedDead | Outcome::RemainsIdentified)
    }

    /// Whether the outcome needs the record that settled it.
    pub fn needs_match(self) -> bool {
        matches!(
            self,
            Outcome::Possible | Outcome::ConfirmedDead | Outcome::RemainsIdentified
        )
    }
}

/// The outcome of a family's search as the person's record carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tracing {
    pub outcome: Outcome,
    /// When the outcome was reached.
    #[serde(default, skip_serializing_if = "FuzzyDate::is_unknown")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "2025-03"))]
    pub date: FuzzyDate,
    /// The person record (a register's entry) that settled it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matched: Option<RecordId>,
    /// The account that recorded it.
    pub by: String,
    /// What the case worker notes — identifying (it may quote the family), sealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_and_deaths_need_their_record() {
        for o in Outcome::ALL {
            assert_eq!(Outcome::from_code(o.code()), Some(o));
            let json = serde_json::to_string(&o).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", o.code()));
        }
        assert_eq!(Outcome::from_code("found"), None);
        assert!(Outcome::ConfirmedDead.needs_match() && Outcome::ConfirmedDead.is_death());
        assert!(!Outcome::ConfirmedAlive.needs_match() && !Outcome::NoMatchYet.is_death());
    }
}
