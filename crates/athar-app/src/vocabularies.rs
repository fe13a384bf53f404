//! An organisation's vocabularies: the shared terms of `data/vocabularies/` with the terms
//! it added at runtime (a branch it documents, a host country its returnees came from, a
//! cause of death its list names) and those other organisations shared with it.
//!
//! An added term is a record of kind `term` ([`VocabularyTerm`]): owned, revised and
//! audited like any record, shared or kept private like any record. Everything the
//! organisation does — validating what it writes, imports, counts, reports, look-ups —
//! goes through [`Scope::vocabularies`], so a term it added is known everywhere it acts and
//! nowhere else. A shared term's meaning never changes: an added term may not take a
//! shared id, and its id and vocabulary never change once written (records name it).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use athar_model::validation::FieldError;
use athar_model::{OrgId, RecordBody, RecordId, RecordKind, Vocabularies, VocabularyTerm};
use athar_store::{Change, Result, StoreError, StoredRecord};

use crate::Scope;

/// Each organisation's vocabularies, kept while the store's data stays as it was — and,
/// when it changed, while the terms it may see are the same ones at the same revisions:
/// most writes add no term, and the vocabularies are then not built again.
#[derive(Default)]
pub struct VocabularyCache {
    by_org: Mutex<HashMap<OrgId, CachedVocabularies>>,
}

struct CachedVocabularies {
    version: String,
    /// The visible terms' (record, revision), in merge order.
    terms: Vec<(RecordId, u32)>,
    vocab: Arc<Vocabularies>,
}

impl VocabularyCache {
    fn get(&self, scope: &Scope<'_>) -> Result<Arc<Vocabularies>> {
        let version = scope.store.data_version()?;
        if let Ok(cache) = self.by_org.lock()
            && let Some(hit) = cache.get(&scope.org())
            && hit.version == version
        {
            return Ok(hit.vocab.clone());
        }
        let records = scope.visible_terms(&[])?;
        let terms: Vec<(RecordId, u32)> = records.iter().map(|r| (r.id, r.rev)).collect();
        let mut cache = self.by_org.lock().ok();
        let kept = cache
            .as_mut()
            .and_then(|c| c.get_mut(&scope.org()))
            .filter(|hit| hit.terms == terms)
            .map(|hit| {
                hit.version = version.clone();
                hit.vocab.clone()
            });
        if let Some(vocab) = kept {
            return Ok(vocab);
        }
        let vocab = Arc::new(Vocabularies::embedded().with_terms(term_bodies(&records)).0);
        if let Some(cache) = cache.as_mut() {
            cache.insert(
                scope.org(),
                CachedVocabularies {
                    version,
                    terms,
                    vocab: vocab.clone(),
                },
            );
        }
        Ok(vocab)
    }
}

/// An added term as `athar vocab list` and the API show it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AddedTerm {
    pub id: RecordId,
    pub rev: u32,
    /// The organisation that added it (its number).
    pub owner: i64,
    pub vocabulary: String,
    pub term: athar_model::Term,
    /// Why the term is not in use (its id taken by a shared term since, or a reference
    /// to a term that is gone); `None` when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_used: Option<String>,
}

/// The term bodies of stored term records, in their order.
fn term_bodies(records: &[StoredRecord]) -> Vec<&VocabularyTerm> {
    records
        .iter()
        .filter_map(|r| match &r.body {
            RecordBody::Term(t) => Some(t),
            _ => None,
        })
        .collect()
}

impl Scope<'_> {
    /// The vocabularies this organisation acts with: the shared ones, then its own added
    /// terms in the order they were added, then terms other organisations shared with it.
    pub fn vocabularies(&self) -> Result<Arc<Vocabularies>> {
        match self.vocabularies {
            Some(cache) => cache.get(self),
            None => self.build_vocabularies(&[]).map(Arc::new),
        }
    }

    /// The terms this organisation may see, its own first, each in the order written
    /// (oldest first); `except`: records left out (those being replaced).
    fn visible_terms(&self, except: &[RecordId]) -> Result<Vec<StoredRecord>> {
        let mut terms: Vec<StoredRecord> = self
            .list_all(RecordKind::Term)?
            .into_iter()
            .filter(|r| !except.contains(&r.id))
            .collect();
        let own = self.org().number();
        // Own terms first; then by when they were written, the id breaking ties: an order
        // from the data, never from storage.
        terms.sort_by_key(|r| (r.owner != own, r.created_at, r.id));
        Ok(terms)
    }

    fn build_vocabularies(&self, except: &[RecordId]) -> Result<Vocabularies> {
        let terms = self.visible_terms(except)?;
        Ok(Vocabularies::embedded().with_terms(term_bodies(&terms)).0)
    }

    /// The terms this organisation added or was shared, each saying whether it is in use.
    pub fn added_terms(&self) -> Result<Vec<AddedTerm>> {
        let terms = self.visible_terms(&[])?;
        let (_, left_out) = Vocabularies::embedded().with_terms(term_bodies(&terms));
        Ok(terms
            .iter()
            .filter_map(|r| {
                let RecordBody::Term(t) = &r.body else {
                    return None;
                };
                let not_used = left_out
                    .iter()
                    .find(|(l, _)| std::ptr::eq(*l, t))
                    .map(|(_, why)| why.clone());
                Some(AddedTerm {
                    id: r.id,
                    rev: r.rev,
                    owner: r.owner,
                    vocabulary: t.vocabulary.clone(),
                    term: t.term.clone(),
                    not_used,
                })
            })
            .collect())
    }

    /// Add a term to one of the organisation's vocabularies.
    pub fn add_term(&self, term: VocabularyTerm) -> Result<StoredRecord> {
        self.create("vocab.add", RecordId::new(), RecordBody::Term(term))
    }

    /// The vocabularies a change set is checked against: this organisation's, without the
    /// terms it replaces, with the terms it adds (so a record may name a term written in the
    /// same change set). Refuses a term whose id its vocabulary already has, and a
    /// replacement that changes a term's id or vocabulary.
    pub(crate) fn vocabularies_for(&self, changes: &[Change]) -> Result<Arc<Vocabularies>> {
        let mut replaced: Vec<RecordId> = Vec::new();
        let mut written: Vec<(usize, &VocabularyTerm)> = Vec::new();
        for (index, change) in changes.iter().enumerate() {
            match change {
                Change::Create {
                    body: RecordBody::Term(t),
                    ..
                } => written.push((index, t)),
                Change::Update {
                    id,
                    body: RecordBody::Term(t),
                    ..
                } => {
                    let before = self.read_owned(RecordKind::Term, *id)?;
                    if let RecordBody::Term(old) = &before.body
                        && (old.vocabulary != t.vocabulary || old.term.id != t.term.id)
                    {
                        return Err(StoreError::Invalid {
                            index,
                            errors: vec![FieldError::new(
                                "term.id",
                                "term.id_fixed",
                                "a term's id and vocabulary stay as they were written, since records name it; add a new term instead",
                                "يبقى معرّف المصطلح وقائمته كما كُتبا لأن السجلات تشير إليه؛ أضف مصطلحاً جديداً بدلاً من ذلك",
                            )],
                        });
                    }
                    replaced.push(*id);
                    written.push((index, t));
                }
                _ => {}
            }
        }
        if written.is_empty() {
            return self.vocabularies();
        }
        let mut vocab = self.build_vocabularies(&replaced)?;
        for (index, t) in &written {
            let taken = vocab
                .by_name(&t.vocabulary)
                .is_some_and(|v| v.get(&t.term.id).is_some());
            if taken {
                return Err(StoreError::Invalid {
                    index: *index,
                    errors: vec![FieldError::new(
                        "term.id",
                        "term.id_taken",
                        "a term of this vocabulary already has this id",
                        "لمصطلح في هذه القائمة المعرّف نفسه",
                    )],
                });
            }
            t.validate(&vocab).map_err(|errors| StoreError::Invalid {
                index: *index,
                errors,
            })?;
            vocab = vocab.with_terms([*t]).0;
        }
        Ok(Arc::new(vocab))
    }
}
