//! Records: the kinds of document the store keeps, and what each refers to.

use serde::{Deserialize, Serialize};

use crate::event::{Event, Involvement};
use crate::ids::RecordId;
use crate::matching::Match;
use crate::person::Person;
use crate::source::{Citation, Source};
use crate::validation::FieldError;
use crate::vocab::{Vocabularies, VocabularyTerm};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RecordKind {
    Person,
    Event,
    Involvement,
    Source,
    /// A reviewer's decision that two person records are, or are not, one person.
    Match,
    /// A term an organisation added to a shared vocabulary.
    Term,
}

impl RecordKind {
    pub const ALL: [RecordKind; 6] = [
        RecordKind::Person,
        RecordKind::Event,
        RecordKind::Involvement,
        RecordKind::Source,
        RecordKind::Match,
        RecordKind::Term,
    ];

    /// Stable number used in storage and hashes. Never renumber.
    pub fn code(self) -> i64 {
        match self {
            RecordKind::Person => 1,
            RecordKind::Event => 2,
            RecordKind::Involvement => 3,
            RecordKind::Source => 4,
            RecordKind::Match => 5,
            RecordKind::Term => 6,
        }
    }

    pub fn from_code(code: i64) -> Option<Self> {
        RecordKind::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn name(self) -> &'static str {
        match self {
            RecordKind::Person => "person",
            RecordKind::Event => "event",
            RecordKind::Involvement => "involvement",
            RecordKind::Source => "source",
            RecordKind::Match => "match",
            RecordKind::Term => "term",
        }
    }

    /// The path segment of the API collection (`persons`, `events` …).
    pub fn collection(self) -> &'static str {
        match self {
            RecordKind::Person => "persons",
            RecordKind::Event => "events",
            RecordKind::Involvement => "involvements",
            RecordKind::Source => "sources",
            RecordKind::Match => "matches",
            RecordKind::Term => "terms",
        }
    }
}

/// The content of one revision of a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "body", rename_all = "snake_case")]
pub enum RecordBody {
    Person(Person),
    Event(Event),
    Involvement(Involvement),
    Source(Source),
    Match(Match),
    Term(VocabularyTerm),
}

/// A reference from one record to another that must exist when the record is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub field: String,
    pub kind: RecordKind,
    pub id: RecordId,
}

fn citations(list: &[Citation], out: &mut Vec<Reference>) {
    for (i, c) in list.iter().enumerate() {
        out.push(Reference {
            field: format!("sources[{i}].source"),
            kind: RecordKind::Source,
            id: c.source,
        });
    }
}

impl RecordBody {
    pub fn kind(&self) -> RecordKind {
        match self {
            RecordBody::Person(_) => RecordKind::Person,
            RecordBody::Event(_) => RecordKind::Event,
            RecordBody::Involvement(_) => RecordKind::Involvement,
            RecordBody::Source(_) => RecordKind::Source,
            RecordBody::Match(_) => RecordKind::Match,
            RecordBody::Term(_) => RecordKind::Term,
        }
    }

    pub fn validate(&self, vocab: &Vocabularies) -> Result<(), Vec<FieldError>> {
        match self {
            RecordBody::Person(p) => p.validate(vocab),
            RecordBody::Event(e) => e.validate(vocab),
            RecordBody::Involvement(i) => i.validate(vocab),
            RecordBody::Source(s) => s.validate(vocab),
            RecordBody::Match(m) => m.validate(),
            RecordBody::Term(t) => t.validate(vocab),
        }
    }

    /// Every other record this one names.
    pub fn references(&self) -> Vec<Reference> {
        let mut out = Vec::new();
        match self {
            RecordBody::Person(p) => {
                citations(&p.sources, &mut out);
                if let Some(matched) = p.tracing.as_ref().and_then(|t| t.matched) {
                    out.push(Reference {
                        field: "tracing.matched".into(),
                        kind: RecordKind::Person,
                        id: matched,
                    });
                }
            }
            RecordBody::Event(e) => {
                if let Some(prev) = e.previous {
                    out.push(Reference {
                        field: "previous".into(),
                        kind: RecordKind::Event,
                        id: prev,
                    });
                }
                citations(&e.sources, &mut out);
            }
            RecordBody::Involvement(i) => {
                out.push(Reference {
                    field: "event".into(),
                    kind: RecordKind::Event,
                    id: i.event,
                });
                out.push(Reference {
                    field: "person".into(),
                    kind: RecordKind::Person,
                    id: i.person,
                });
                citations(&i.sources, &mut out);
            }
            RecordBody::Source(_) | RecordBody::Term(_) => {}
            RecordBody::Match(m) => {
                for (field, id) in [("first", m.first), ("second", m.second)] {
                    out.push(Reference {
                        field: field.into(),
                        kind: RecordKind::Person,
                        id,
                    });
                }
            }
        }
        out
    }

    /// Serialise the content alone (without the kind tag) as stored in a revision.
    pub fn to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        match self {
            RecordBody::Person(p) => serde_json::to_vec(p),
            RecordBody::Event(e) => serde_json::to_vec(e),
            RecordBody::Involvement(i) => serde_json::to_vec(i),
            RecordBody::Source(s) => serde_json::to_vec(s),
            RecordBody::Match(m) => serde_json::to_vec(m),
            RecordBody::Term(t) => serde_json::to_vec(t),
        }
    }

    pub fn from_json(kind: RecordKind, bytes: &[u8]) -> Result<RecordBody, serde_json::Error> {
        Ok(match kind {
            RecordKind::Person => RecordBody::Person(serde_json::from_slice(bytes)?),
            RecordKind::Event => RecordBody::Event(serde_json::from_slice(bytes)?),
            RecordKind::Involvement => RecordBody::Involvement(serde_json::from_slice(bytes)?),
            RecordKind::Source => RecordBody::Source(serde_json::from_slice(bytes)?),
            RecordKind::Match => RecordBody::Match(serde_json::from_slice(bytes)?),
            RecordKind::Term => RecordBody::Term(serde_json::from_slice(bytes)?),
        })
    }
}
