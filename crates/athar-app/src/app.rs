//! [`App`]: Athar as an adapter holds it. The store is inside and stays there: an adapter
//! gets an organisation's [`Scope`] for an authenticated caller, the accounts (sign-in,
//! sessions, tokens, users — no record in them), the list of organisations and the head of
//! the audit chain, and nothing that reads records around an organisation's scope.

use std::sync::Arc;

use athar_model::OrgId;
use athar_store::{Accounts, AuditEntry, Backend, Organisation, Result};
use serde::Serialize;

use crate::Scope;
use crate::counting::FactsCache;
use crate::views::ViewLog;

/// Athar for the server: the store behind the one way in.
pub struct App {
    store: Arc<dyn Backend>,
    facts: FactsCache,
    views: ViewLog,
    vocabularies: crate::vocabularies::VocabularyCache,
    demo: crate::reports::DemoCache,
    tracing: crate::tracing::FieldCache,
    pub(crate) jobs: crate::jobs::Jobs,
}

/// How long the server gathers an author's views before auditing them as one entry.
pub const VIEW_WINDOW: std::time::Duration = std::time::Duration::from_secs(60);

/// An organisation of the coalition as anyone signed in may know it.
#[derive(Debug, Clone, Serialize)]
pub struct OrganisationInfo {
    pub number: i64,
    pub id: String,
    pub name: String,
    /// The Ed25519 key its evidence packages are signed with, hex.
    pub public_key: String,
}

impl OrganisationInfo {
    fn of(o: &Organisation) -> Self {
        OrganisationInfo {
            number: o.num,
            id: o.id.to_string(),
            name: o.name.clone(),
            public_key: o.public_key(),
        }
    }
}

impl App {
    /// Athar over `store`, views audited in batches of at most [`VIEW_WINDOW`].
    pub fn new(store: Arc<dyn Backend>) -> Self {
        App::with_view_window(store, VIEW_WINDOW)
    }

    /// As [`App::new`], with another window for batching views (zero: each at once).
    pub fn with_view_window(store: Arc<dyn Backend>, window: std::time::Duration) -> Self {
        App {
            store,
            facts: FactsCache::default(),
            views: ViewLog::new(window),
            vocabularies: Default::default(),
            demo: Default::default(),
            tracing: Default::default(),
            jobs: crate::jobs::Jobs::default(),
        }
    }

    /// Audit the views whose window has passed (`all`: every view waiting): the server
    /// calls it now and then, and when it stops.
    pub fn flush_views(&self, all: bool) -> Result<()> {
        self.views.flush(self.store.as_ref(), all)
    }

    /// Keep the store bounded while serving: the views whose window has passed are audited,
    /// then the write-ahead log is written back and emptied if no reader holds it.
    pub fn maintain(&self) -> Result<athar_store::Maintenance> {
        self.flush_views(false)?;
        self.store.maintain()
    }

    /// The scope of an authenticated member of `org`, acting as `author`. Adapters make
    /// it from the session or token they have checked, never from a request's words.
    pub fn scope<'a>(&'a self, org: OrgId, author: &'a str) -> Scope<'a> {
        if self.store.keyring().organisation(org.number()).is_err() {
            // An organisation added by another process since the store was opened.
            if let Err(e) = self.store.refresh_organisations() {
                tracing::warn!(error = %e, "the organisations could not be read again");
            }
        }
        Scope::new(self.store.as_ref(), org, author)
            .with_facts_cache(&self.facts)
            .with_view_log(&self.views)
            .with_vocabulary_cache(&self.vocabularies)
            .with_demo_cache(&self.demo)
            .with_field_cache(&self.tracing)
    }

    /// The counting facts of each organisation, kept between requests.
    pub fn facts(&self) -> &FactsCache {
        &self.facts
    }

    /// Accounts, sessions and API tokens: who may come in, and as what. No records.
    pub fn accounts(&self) -> &dyn Accounts {
        self.store.as_ref()
    }

    /// The organisations of the coalition, in number order.
    pub fn organisations(&self) -> Vec<OrganisationInfo> {
        self.store
            .keyring()
            .organisations()
            .iter()
            .map(OrganisationInfo::of)
            .collect()
    }

    /// The organisation with this id (as `/api/organisations` gives it).
    pub fn organisation_by_id(&self, id: &str) -> Option<OrgId> {
        self.store
            .keyring()
            .organisations()
            .iter()
            .find(|o| o.id.to_string() == id)
            .map(|o| OrgId::new(o.num))
    }

    /// An organisation by number, if there is one.
    pub fn organisation(&self, org: OrgId) -> Option<OrganisationInfo> {
        self.store
            .keyring()
            .organisation(org.number())
            .ok()
            .map(OrganisationInfo::of)
    }

    /// The store's first organisation.
    pub fn default_organisation(&self) -> Result<OrgId> {
        Ok(OrgId::new(self.store.keyring().default_organisation()?.num))
    }

    /// Add an organisation with a fresh key (a coalition administrator's act, recorded in
    /// the audit chain).
    pub fn create_organisation(&self, actor: &str, name: &str) -> Result<OrganisationInfo> {
        Ok(OrganisationInfo::of(
            &self.store.create_organisation(actor, name)?,
        ))
    }

    /// How many entries the audit chain has (views still gathering not written): that the
    /// store can be read, for a health check, which must not write.
    pub fn audit_entries(&self) -> Result<i64> {
        Ok(self.store.audit_head()?.seq)
    }

    /// The head of the audit chain: to publish or have witnessed.
    pub fn audit_head(&self) -> Result<AuditEntry> {
        // The head covers every view made so far.
        self.flush_views(true)?;
        self.store.audit_head()
    }
}
