//! Cases for a mechanism: a disappeared person's case for the UN WGEID and a signed
//! evidence package, each made only by the organisation that owns the person, and only from
//! the person's journey as that organisation may see it — another organisation's unshared
//! event, narrative or source never enters a case signed with this organisation's key.

use std::collections::BTreeSet;

use athar_model::consent::Purpose;
use athar_model::{RecordBody, RecordId, RecordKind};
use athar_report::package::{PackageError, PackageMaterial, PackageSummary};
use athar_report::wgeid::{CaseError, CaseMaterial, WgeidCase};
use athar_store::StoreError;

use crate::Scope;

impl Scope<'_> {
    /// The WGEID case of a person this organisation owns, from the journey it may see.
    pub fn wgeid_case(
        &self,
        person: RecordId,
        lang: athar_model::Lang,
        prepared_on: &str,
    ) -> Result<WgeidCase, CaseError> {
        let not_found = |e: StoreError| match e {
            StoreError::NotFound { .. } | StoreError::Deleted { .. } => CaseError::NotFound(person),
            other => CaseError::Store(other),
        };
        self.require_owner(RecordKind::Person, person)
            .map_err(not_found)?;
        let journey = self.journey(person).map_err(not_found)?;
        let RecordBody::Person(subject) = journey.person.body.clone() else {
            return Err(CaseError::NotFound(person));
        };
        let victim_events = journey
            .as_victim()
            .map(|s| (s.event.id, s.details.clone()))
            .collect();
        let vocab = self.vocabularies()?;
        let search_events = self
            .list_all(RecordKind::Event)?
            .into_iter()
            .filter_map(|r| match r.body {
                RecordBody::Event(e) if vocab.category_of(&e.kind) == Some("search") => {
                    Some((r.id, e))
                }
                _ => None,
            })
            .collect();
        athar_report::wgeid::build_case(
            CaseMaterial {
                person_id: person,
                person: subject,
                victim_events,
                search_events,
                organisation: self.organisation_name()?,
                synthetic: self.holds_demo_data()?,
            },
            &vocab,
            lang,
            prepared_on,
        )
    }

    /// A signed evidence package of a person's case for `purpose`, written to `out`: the
    /// person (owned by this organisation), the involvements and events of the journey it
    /// may see, the sources these cite that it may see, and its own evidence about them.
    pub fn evidence_package(
        &self,
        person: RecordId,
        purpose: Purpose,
        out: std::fs::File,
    ) -> Result<PackageSummary, PackageError> {
        let not_found = |e: StoreError| match e {
            StoreError::NotFound { .. } | StoreError::Deleted { .. } => {
                PackageError::NotFound(person)
            }
            other => PackageError::Store(other),
        };
        self.require_owner(RecordKind::Person, person)
            .map_err(not_found)?;
        let journey = self.journey(person).map_err(not_found)?;
        let mut records = Vec::new();
        let mut events = Vec::new();
        let mut seen_events = BTreeSet::new();
        for step in &journey.steps {
            records.push(step.involvement.clone());
            if seen_events.insert(step.event.id) {
                events.push(step.event.clone());
            }
        }
        records.extend(events);
        let mut cited = BTreeSet::new();
        for r in std::iter::once(&journey.person).chain(&records) {
            for reference in r.body.references() {
                if reference.kind == RecordKind::Source {
                    cited.insert(reference.id);
                }
            }
        }
        for id in cited {
            if let Some(source) = self.read_if_visible(RecordKind::Source, id)? {
                records.push(source);
            }
        }
        athar_report::package::build_package(
            self.store,
            PackageMaterial {
                org: self.org().number(),
                subject: journey.person,
                records,
            },
            purpose,
            self.author(),
            out,
        )
    }
}
