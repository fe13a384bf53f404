//! A person's journey, assembled once: the person, their involvements, the events of those
//! involvements, in journey order — each step read through the organisation's [`Scope`],
//! so an involvement or event it may not see is not part of the journey, and one shared
//! pseudonymised comes without its narrative.
//!
//! The order is docs/DEFINITIONS.md's journey order (`athar_model::status::journey_order`:
//! `previous` links first, then dates, then event ids — keys that belong to the data, so
//! the same records give the same journey in any store, whatever order they were written
//! or read in). The safety brief and the counting facts order their journeys with the same
//! function.

use athar_model::status::{self, Status, journey_order};
use athar_model::{Event, RecordBody, RecordId, RecordKind, Role, Vocabularies};
use athar_store::{Result, StoredRecord};

use crate::Scope;

/// One step of a journey: the person's involvement in an event, and the event.
#[derive(Debug, Clone)]
pub struct JourneyStep {
    pub involvement: StoredRecord,
    pub role: Role,
    /// The event's record (identity, revision, owner).
    pub event: StoredRecord,
    /// The event's content, as `event.body` holds it.
    pub details: Event,
}

/// Why a person has their status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusWhy {
    /// The events decide; the step of [`Journey::steps`] the rule read, if any.
    Events(status::Because),
    /// No event decides: the latest statement of a source, of this date.
    Stated { date: athar_model::FuzzyDate },
}

/// A person and their journey as one organisation may see it.
#[derive(Debug, Clone)]
pub struct Journey {
    pub person: StoredRecord,
    /// In journey order.
    pub steps: Vec<JourneyStep>,
}

impl Journey {
    /// The steps as the model's status and order rules take them.
    pub fn model_steps(&self) -> Vec<status::JourneyStep<'_>> {
        self.steps
            .iter()
            .map(|s| status::JourneyStep {
                id: s.event.id,
                event: &s.details,
                role: s.role,
            })
            .collect()
    }

    /// The person's status derived from the journey and what sources state of them
    /// (docs/DEFINITIONS.md, "Derived status" and "Stated status").
    pub fn status(&self, vocab: &Vocabularies) -> Status {
        let stated = match &self.person.body {
            RecordBody::Person(p) => p.stated.as_slice(),
            _ => &[],
        };
        status::status_with_statements(&self.model_steps(), stated, vocab)
    }

    /// The status, with why: the rule of the events that decided and the step it read, or
    /// the statement of a source when no event decides (docs/DEFINITIONS.md).
    pub fn status_why(&self, vocab: &Vocabularies) -> (Status, StatusWhy) {
        let steps = self.model_steps();
        let (from_events, because) = status::derive_status_because(&steps, vocab);
        let stated = match &self.person.body {
            RecordBody::Person(p) => p.stated.as_slice(),
            _ => &[],
        };
        let status = status::status_with_statements(&steps, stated, vocab);
        match status::latest_statement(stated) {
            Some(statement) if status != from_events => (
                status,
                StatusWhy::Stated {
                    date: statement.date,
                },
            ),
            _ => (status, StatusWhy::Events(because)),
        }
    }

    /// The steps in which the person is the victim, in journey order.
    pub fn as_victim(&self) -> impl Iterator<Item = &JourneyStep> {
        self.steps.iter().filter(|s| s.role == Role::Victim)
    }

    /// Orders steps by the model's journey order (whose ties are keys of the data).
    fn ordered(steps: Vec<JourneyStep>, vocab: &Vocabularies) -> Vec<JourneyStep> {
        let order: Vec<usize> = {
            let model: Vec<status::JourneyStep<'_>> = steps
                .iter()
                .map(|s| status::JourneyStep {
                    id: s.event.id,
                    event: &s.details,
                    role: s.role,
                })
                .collect();
            let mut used = vec![false; steps.len()];
            journey_order(&model, vocab)
                .iter()
                .filter_map(|placed| {
                    let i = (0..steps.len()).find(|&i| {
                        !used[i] && steps[i].event.id == placed.id && steps[i].role == placed.role
                    })?;
                    used[i] = true;
                    Some(i)
                })
                .collect()
        };
        let mut slots: Vec<Option<JourneyStep>> = steps.into_iter().map(Some).collect();
        order.into_iter().filter_map(|i| slots[i].take()).collect()
    }
}

impl Scope<'_> {
    /// A person's journey as this organisation may see it: the person must be visible;
    /// involvements and events it may not see (or that were deleted) are left out.
    pub fn journey(&self, person: RecordId) -> Result<Journey> {
        let person_record = self.read(RecordKind::Person, person)?;
        let mut steps = Vec::new();
        for involvement in self.person_involvements(person)? {
            let RecordBody::Involvement(inv) = &involvement.body else {
                continue;
            };
            let (role, event_id) = (inv.role, inv.event);
            let Some(event) = self.read_if_visible(RecordKind::Event, event_id)? else {
                continue;
            };
            let RecordBody::Event(details) = &event.body else {
                continue;
            };
            let details = details.clone();
            steps.push(JourneyStep {
                involvement,
                role,
                event,
                details,
            });
        }
        Ok(Journey {
            person: person_record,
            steps: Journey::ordered(steps, &*self.vocabularies()?),
        })
    }
}
