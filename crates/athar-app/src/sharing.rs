//! What an organisation lets others see of its records.
//!
//! Only the owner decides; for everyone else the record does not exist. Sharing in full
//! hands identifying details to another organisation, so it needs the coalition-sharing
//! consent of every person the record is about as the owner documented it (a person; the
//! person of an involvement; everyone the owner recorded as involved in an event) —
//! another organisation's involvement in the owner's event neither blocks nor joins the
//! decision, and is never named. Pseudonymised and aggregate sharing pass nothing
//! identifying and need no consent. When a whole journey is shared, what consent keeps back
//! or what belongs to another organisation is left out and listed — only records the owner
//! can already see are listed.

use std::collections::BTreeSet;

use athar_model::consent::{Purpose, permits};
use athar_model::{RecordBody, RecordId, RecordKind};
use athar_store::{Result, Share, ShareMode};
use serde::Serialize;

use crate::Scope;

/// A record of a journey that was not shared, and why.
#[derive(Debug, Clone, Serialize)]
pub struct LeftOut {
    pub kind: RecordKind,
    pub id: RecordId,
    pub reason: &'static str,
}

/// What a sharing decision came to.
#[derive(Debug, Clone)]
pub enum ShareOutcome {
    Shared {
        /// How many records now carry the new sharing.
        records: usize,
        left_out: Vec<LeftOut>,
    },
    /// Refused: this many persons the record is about have not consented.
    NoConsent(usize),
}

impl Scope<'_> {
    /// What this organisation shares of a record it owns.
    pub fn shares_of(&self, kind: RecordKind, id: RecordId) -> Result<Vec<Share>> {
        self.require_owner(kind, id)?;
        self.store.shares(kind, id)
    }

    /// Replace what this organisation shares of a record it owns; with `journey`, for a
    /// person, the same for the involvements and events of the journey it owns.
    pub fn share(
        &self,
        kind: RecordKind,
        id: RecordId,
        shares: &[Share],
        journey: bool,
    ) -> Result<ShareOutcome> {
        self.require_owner(kind, id)?;
        let full = shares.iter().any(|s| s.mode == ShareMode::Full);
        if full {
            let missing = self.without_consent(kind, id)?;
            if missing > 0 {
                return Ok(ShareOutcome::NoConsent(missing));
            }
        }
        self.store.set_shares(self.author(), kind, id, shares)?;
        let mut records = 1;
        let mut left_out = Vec::new();
        if journey && kind == RecordKind::Person {
            let mut related = Vec::new();
            let mut events = BTreeSet::new();
            for step in self.journey(id)?.steps {
                related.push((
                    RecordKind::Involvement,
                    step.involvement.id,
                    step.involvement.owner,
                ));
                if events.insert(step.event.id) {
                    related.push((RecordKind::Event, step.event.id, step.event.owner));
                }
            }
            for (k, i, owner) in related {
                if owner != self.org().number() {
                    left_out.push(LeftOut {
                        kind: k,
                        id: i,
                        reason: "owned by another organisation",
                    });
                } else if full && self.without_consent(k, i)? > 0 {
                    left_out.push(LeftOut {
                        kind: k,
                        id: i,
                        reason: "someone it is about has not consented to sharing",
                    });
                } else {
                    self.store.set_shares(self.author(), k, i, shares)?;
                    records += 1;
                }
            }
        }
        Ok(ShareOutcome::Shared { records, left_out })
    }

    /// How many of the persons a record of this organisation is about, as it documented
    /// them, have not consented to coalition sharing.
    fn without_consent(&self, kind: RecordKind, id: RecordId) -> Result<usize> {
        let own = self.org().number();
        let persons: Vec<RecordId> = match kind {
            RecordKind::Person => vec![id],
            RecordKind::Involvement => match self.read(kind, id)?.body {
                RecordBody::Involvement(i) => vec![i.person],
                _ => Vec::new(),
            },
            RecordKind::Event => self
                .event_involvements(id)?
                .into_iter()
                .filter(|inv| inv.owner == own)
                .filter_map(|inv| match inv.body {
                    RecordBody::Involvement(i) => Some(i.person),
                    _ => None,
                })
                .collect(),
            RecordKind::Source | RecordKind::Term => Vec::new(),
            RecordKind::Match => match self.read(kind, id)?.body {
                RecordBody::Match(m) => vec![m.first, m.second],
                _ => Vec::new(),
            },
        };
        let mut missing = 0;
        for person in persons {
            let consented = match self.read_if_visible(RecordKind::Person, person)? {
                Some(r) => {
                    matches!(&r.body, RecordBody::Person(p) if permits(&p.consent, Purpose::CoalitionSharing))
                }
                None => true,
            };
            if !consented {
                missing += 1;
            }
        }
        Ok(missing)
    }
}
