//! Events: what was done — a return, an arrest, a transfer, a disappearance, a death.
//!
//! An event has a kind from the vocabulary, a fuzzy interval, a place, the unit held
//! responsible, for returns the host country and crossing, and a narrative. Events of one
//! person's journey are chained: each may name the event it follows.

use serde::{Deserialize, Serialize};

use crate::date::{FuzzyDate, Temporal};
use crate::ids::RecordId;
use crate::person::{MAX_NAME_CHARS, MAX_TEXT_CHARS};
use crate::place::PlaceRef;
use crate::source::Citation;
use crate::validation::{FieldError, Problems};
use crate::vocab::Vocabularies;

/// How far a fact has been checked. Statistics can be restricted to a level or above.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Verification {
    /// Reported by one source, not yet checked.
    #[default]
    Alleged,
    /// Supported by at least one further independent source.
    Corroborated,
    /// Checked by the organisation against documents or several independent sources.
    Verified,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    /// A term of the `event-kinds` vocabulary, e.g. `arrest`, `forced-return`.
    pub kind: String,
    /// When it happened or began.
    #[serde(default, skip_serializing_if = "FuzzyDate::is_unknown")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "2019-03"))]
    pub start: FuzzyDate,
    /// When it ended, for lasting events such as a detention; unknown when ongoing or unknown.
    #[serde(default, skip_serializing_if = "FuzzyDate::is_unknown")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub end: FuzzyDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<PlaceRef>,
    /// A term of the `units` vocabulary: who is held responsible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// A term of the `authorities` vocabulary: the party held responsible when no unit is
    /// known ("قوات سوريا الديمقراطية", "HTS"). With a unit, the unit's own authority is
    /// the party and this must agree with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<String>,
    /// For returns: the country the person was returned from (`host-countries`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_country: Option<String>,
    /// For returns: the crossing used (`border-crossings`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crossing: Option<String>,
    /// For a death (an event of the `killing` or `death-in-custody` category): how the
    /// person died, a term of the `causes-of-death` vocabulary (`torture`, `execution` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// Who did it, as the source wrote it ("عناصر من الفرقة الرابعة", "a checkpoint of
    /// the 4th Division"), beside the unit or party it was read as — identifying, since
    /// it may name individuals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_as_written: Option<String>,
    /// What happened, as told — identifying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    /// The event of the journey this one follows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<RecordId>,
    #[serde(default)]
    pub verification: Verification,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Citation>,
}

impl Event {
    pub fn validate(&self, vocab: &Vocabularies) -> Result<(), Vec<FieldError>> {
        let mut p = Problems::default();
        if vocab.event_kinds.get(&self.kind).is_none() {
            p.push(FieldError::unknown_term("kind", "event-kinds"));
        }
        if let Some(place) = &self.place {
            place.validate("place", vocab, &mut p);
        }
        if let Some(unit) = &self.unit
            && vocab.units.get(unit).is_none()
        {
            p.push(FieldError::unknown_term("unit", "units"));
        }
        if let Some(party) = &self.party {
            if vocab.authorities.get(party).is_none() {
                p.push(FieldError::unknown_term("party", "authorities"));
            } else if let Some(served) = self
                .unit
                .as_deref()
                .and_then(|u| vocab.authority_of_unit(u))
                && served != party.as_str()
            {
                p.push(FieldError::new(
                    "party",
                    "event.party_differs_from_unit",
                    "the unit named serves another party; leave the party out or correct one of them",
                    "الوحدة المذكورة تتبع جهة أخرى؛ احذف الجهة أو صحّح إحداهما",
                ));
            }
        }
        if let Some(c) = &self.host_country
            && vocab.host_countries.get(c).is_none()
        {
            p.push(FieldError::unknown_term("host_country", "host-countries"));
        }
        if let Some(c) = &self.crossing
            && vocab.border_crossings.get(c).is_none()
        {
            p.push(FieldError::unknown_term("crossing", "border-crossings"));
        }
        if let Some(cause) = &self.cause {
            if vocab.causes_of_death.get(cause).is_none() {
                p.push(FieldError::unknown_term("cause", "causes-of-death"));
            } else if !matches!(
                vocab.category_of(&self.kind),
                Some("killing" | "death-in-custody") | None
            ) {
                p.push(FieldError::new(
                    "cause",
                    "event.cause_without_death",
                    "a cause of death belongs to a death (an event of the killing or death-in-custody category)",
                    "سبب الوفاة يخصّ حدث وفاة (من فئة القتل أو الوفاة في الاحتجاز)",
                ));
            }
        }
        p.text("actor_as_written", &self.actor_as_written, MAX_NAME_CHARS);
        if self.start.compare(&self.end) == Temporal::After {
            p.push(FieldError::new(
                "end",
                "event.ends_before_start",
                "the event ends before it starts",
                "ينتهي الحدث قبل أن يبدأ",
            ));
        }
        p.text("narrative", &self.narrative, MAX_TEXT_CHARS);
        p.into_result()
    }

    /// The whole span of the event: from its start to its end (or its start if no end).
    pub fn span(&self) -> FuzzyDate {
        match (self.start.bounds(), self.end.bounds()) {
            (Some(_), None) | (None, None) => self.start,
            (None, Some(_)) => self.end,
            (Some(_), Some(_)) => match (self.start, self.end) {
                (
                    FuzzyDate::On {
                        date: from,
                        approximate: a,
                    },
                    FuzzyDate::On {
                        date: to,
                        approximate: b,
                    },
                ) => FuzzyDate::Between {
                    from,
                    to,
                    approximate: a || b,
                },
                (
                    FuzzyDate::Between {
                        from,
                        approximate: a,
                        ..
                    },
                    FuzzyDate::On {
                        date: to,
                        approximate: b,
                    },
                )
                | (
                    FuzzyDate::On {
                        date: from,
                        approximate: a,
                    },
                    FuzzyDate::Between {
                        to, approximate: b, ..
                    },
                )
                | (
                    FuzzyDate::Between {
                        from,
                        approximate: a,
                        ..
                    },
                    FuzzyDate::Between {
                        to, approximate: b, ..
                    },
                ) => FuzzyDate::Between {
                    from,
                    to,
                    approximate: a || b,
                },
                _ => self.start,
            },
        }
    }
}

/// The part a person played in an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    Victim,
    Perpetrator,
    Witness,
    /// Told the documenter about it (a relative, a fellow detainee).
    Informant,
}

/// A person's part in an event (HURIDOCS "involvement"/"act").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Involvement {
    pub event: RecordId,
    pub person: RecordId,
    pub role: Role,
    /// Acts suffered or committed, as terms of the `event-kinds` vocabulary (e.g. `torture`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acts: Vec<String>,
    #[serde(default)]
    pub verification: Verification,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Citation>,
}

impl Involvement {
    /// `person` as a victim of `event`, on the word of `sources`: no acts named, the
    /// verification not yet graded.
    pub fn victim(event: RecordId, person: RecordId, sources: Vec<Citation>) -> Involvement {
        Involvement {
            event,
            person,
            role: Role::Victim,
            acts: Vec::new(),
            verification: Verification::default(),
            sources,
        }
    }

    pub fn validate(&self, vocab: &Vocabularies) -> Result<(), Vec<FieldError>> {
        let mut p = Problems::default();
        for (i, act) in self.acts.iter().enumerate() {
            if vocab.event_kinds.get(act).is_none() {
                p.push(FieldError::unknown_term(
                    format!("acts[{i}]"),
                    "event-kinds",
                ));
            }
        }
        p.into_result()
    }
}
