//! The evidence vault as one organisation uses it: an item is its owner's alone — another
//! organisation's item does not exist for it — and every look at an item, every download,
//! is recorded in the item's chain of custody.

use athar_model::{RecordId, RecordKind};
use athar_store::evidence::{Custody, EvidenceItem, NewEvidence};
use athar_store::{Result, StoreError};

use crate::Scope;

impl Scope<'_> {
    /// Take in an item owned by this organisation from `input`, keeping nothing past
    /// `limit` bytes. The records it is about, and the item it derives from, must be this
    /// organisation's.
    pub fn ingest_evidence(
        &self,
        item: NewEvidence,
        input: &mut dyn std::io::Read,
        limit: u64,
    ) -> Result<EvidenceItem> {
        self.store
            .ingest(self.org().number(), self.author(), item, input, limit)
    }

    /// The items about a record this organisation may see that it owns, oldest first.
    pub fn evidence_about(&self, record: RecordId, kind: RecordKind) -> Result<Vec<EvidenceItem>> {
        self.read(kind, record)?;
        Ok(self
            .store
            .evidence_about(record)?
            .into_iter()
            .filter(|i| i.owner == self.org().number())
            .collect())
    }

    /// The chain of custody of an item this organisation owns (looking at it is itself a
    /// custody event, recorded first).
    pub fn custody_of(&self, id: RecordId) -> Result<(EvidenceItem, Vec<athar_store::AuditEntry>)> {
        let item = self.evidence_item(id, Custody::View)?;
        Ok((item, self.store.custody_of(id)?))
    }

    /// This organisation's items, oldest first.
    pub fn evidence_items(&self) -> Result<Vec<EvidenceItem>> {
        self.store.evidence_of(self.org().number())
    }

    /// An item this organisation owns, with `event` recorded in its chain of custody; for
    /// any other id, not found.
    pub fn evidence_item(&self, id: RecordId, event: Custody) -> Result<EvidenceItem> {
        let item = self
            .store
            .evidence_item(id)?
            .filter(|i| i.owner == self.org().number())
            .ok_or(StoreError::NotFound {
                kind: RecordKind::Source,
                id,
            })?;
        self.store.custody(self.author(), id, event)?;
        Ok(item)
    }

    /// The original bytes of an item this organisation owns, checked against the hash
    /// recorded when it was taken in. Call [`Scope::evidence_item`] with
    /// [`Custody::Download`] first: that is the custody entry of the download.
    pub fn read_evidence(&self, id: RecordId, out: &mut dyn std::io::Write) -> Result<()> {
        let owned = self
            .store
            .evidence_item(id)?
            .is_some_and(|i| i.owner == self.org().number());
        if !owned {
            return Err(StoreError::NotFound {
                kind: RecordKind::Source,
                id,
            });
        }
        self.store.read_evidence(id, out)
    }
}
