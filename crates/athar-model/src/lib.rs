//! # athar-model — the domain of Athar, without I/O
//!
//! Who did what to whom, after the HURIDOCS Events Standard Formats: [`Person`]s,
//! [`Event`]s, the [`Involvement`] of a person in an event (victim, perpetrator, witness,
//! informant), and the [`Source`]s every fact cites. Dates are [`FuzzyDate`]s because
//! testimony rarely gives a day; places are gazetteer codes, facilities or free text.
//!
//! Controlled terms (event kinds, units, facilities, host countries, crossings …) and the
//! Syrian gazetteer are data, in `data/`, compiled in and reachable through
//! [`Vocabularies::embedded`]. A person's status (detained, disappeared, died in custody …)
//! is derived from their events by [`status::derive_status`], following docs/DEFINITIONS.md.
//!
//! [`sealing`] says which fields identify a person (names, identifiers, contacts, notes,
//! narratives), so storage can seal them apart from what statistics read.
//!
//! This crate knows nothing of SQL, HTTP or files; every other crate depends on it.

#![forbid(unsafe_code)]

pub mod access;
pub mod consent;
pub mod date;
pub mod event;
pub mod facts;
pub mod gazetteer;
pub mod ids;
pub mod intake;
pub mod matching;
pub mod names;
pub mod person;
pub mod place;
pub mod progress;
pub mod record;
pub mod review;
pub mod sealing;
pub mod source;
pub mod status;
pub mod text;
pub mod tracing;
pub mod validation;
pub mod vocab;

pub use date::{DateError, FuzzyDate, PartialDate, Precision, Temporal};
pub use event::{Event, Involvement, Role, Verification};
pub use gazetteer::{Gazetteer, GazetteerEntry, Level};
pub use ids::{OrgId, RecordId};
pub use matching::{Match, MatchDecision};
pub use person::{CombatantStatus, Identifier, Person, PersonName, Script, Sex};
pub use place::PlaceRef;
pub use record::{RecordBody, RecordKind, Reference};
pub use source::{Citation, Credibility, Reliability, Source};
pub use status::{AgeGroup, StatedStatus, Status};
pub use validation::FieldError;
pub use vocab::{Lang, Term, Vocabularies, Vocabulary, VocabularyTerm};
