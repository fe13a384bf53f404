//! Case intake as one organisation's author: drafts saved as they are typed (sealed, the
//! author's alone), and a finished draft written as the case's records in one transaction.
//!
//! A draft's id becomes the person's id when it is submitted, so a case submitted twice
//! (a double click, a retry after a lost answer) is refused as existing, never written
//! twice. The draft is deleted only once its case is written.

use athar_model::intake::{BuiltCase, CaseDraft, MissingReport};
use athar_model::{FieldError, RecordId};
use athar_store::drafts::CASE_DRAFT;
use athar_store::{Change, DraftInfo, Result, StoreError};

use crate::Scope;

/// What submitting a draft came to.
#[derive(Debug)]
pub enum Submitted {
    /// The case is written; the draft is gone.
    Written(BuiltCase),
    /// Fields stop it (named as in the draft); the draft is kept as typed.
    Refused(Vec<FieldError>),
}

fn encode(draft: &CaseDraft) -> Result<Vec<u8>> {
    serde_json::to_vec(draft).map_err(|e| StoreError::Database(format!("a draft: {e}")))
}

/// Where a record's field error belongs in the form: the record's place among the built
/// case's records says which part of the form wrote it.
fn in_form(built: &BuiltCase, index: usize, error: FieldError) -> FieldError {
    let prefix = match built.records.get(index) {
        Some((id, _)) if *id == built.source => "source.".to_string(),
        Some((id, _)) if *id == built.person => String::new(),
        Some((id, _)) => match built.events.iter().position(|e| e == id) {
            Some(i) => format!("events[{i}]."),
            None => "case.".to_string(),
        },
        None => "case.".to_string(),
    };
    FieldError {
        field: format!("{prefix}{}", error.field),
        ..error
    }
}

impl Scope<'_> {
    /// A new, empty case draft of this author.
    pub fn start_case_draft(&self) -> Result<DraftInfo> {
        let id = RecordId::new();
        self.store.save_draft(
            self.org().number(),
            self.author(),
            id,
            CASE_DRAFT,
            None,
            &encode(&CaseDraft::default())?,
        )
    }

    /// Save what is typed in draft `id`, which the author opened at revision `rev`; a new
    /// draft with that id when `rev` is `None` (a form opened but never saved).
    pub fn save_case_draft(
        &self,
        id: RecordId,
        rev: Option<u32>,
        draft: &CaseDraft,
    ) -> Result<DraftInfo> {
        self.store.save_draft(
            self.org().number(),
            self.author(),
            id,
            CASE_DRAFT,
            rev,
            &encode(draft)?,
        )
    }

    /// The author's draft `id`, as typed.
    pub fn case_draft(&self, id: RecordId) -> Result<(DraftInfo, CaseDraft)> {
        let opened = self.store.draft(self.org().number(), self.author(), id)?;
        let draft = serde_json::from_slice(&opened.content)
            .map_err(|e| StoreError::Database(format!("the draft {id} does not read: {e}")))?;
        Ok((opened.info, draft))
    }

    /// The author's drafts, the latest saved first.
    pub fn drafts(&self) -> Result<Vec<DraftInfo>> {
        self.store.drafts_of(self.org().number(), self.author())
    }

    /// Delete the author's draft `id`.
    pub fn discard_draft(&self, id: RecordId) -> Result<()> {
        self.store
            .discard_draft(self.org().number(), self.author(), id)
    }

    /// Write a family's missing-person report as records (the person, their last sighting,
    /// the family's account as the source), in one transaction with one audit entry
    /// (`tracing.report`); fields that stop it come back named as in the form.
    pub fn file_missing_report(&self, report: &MissingReport) -> Result<Submitted> {
        let vocab = self.vocabularies()?;
        let built = match report.build(&vocab, RecordId::new(), RecordId::new) {
            Ok(built) => built,
            Err(problems) => return Ok(Submitted::Refused(problems)),
        };
        self.write_built("tracing.report", built)
    }

    /// Writes a built case, its records' problems named as in the form.
    fn write_built(&self, action: &str, built: BuiltCase) -> Result<Submitted> {
        let changes = built
            .records
            .iter()
            .map(|(id, body)| Change::Create {
                id: *id,
                body: body.clone(),
            })
            .collect();
        match self.write(action, changes) {
            Ok(_) => Ok(Submitted::Written(built)),
            Err(StoreError::Invalid { index, errors }) => Ok(Submitted::Refused(
                errors
                    .into_iter()
                    .map(|e| in_form(&built, index, e))
                    .collect(),
            )),
            Err(e) => Err(e),
        }
    }

    /// Write draft `id` (as saved) as a case: its records in one transaction, owned by the
    /// organisation, with one audit entry; then delete the draft. Fields that stop it come
    /// back named as in the form, and nothing is written.
    pub fn submit_case_draft(&self, id: RecordId) -> Result<Submitted> {
        let (_, draft) = self.case_draft(id)?;
        let vocab = self.vocabularies()?;
        let built = match draft.build(&vocab, id, RecordId::new) {
            Ok(built) => built,
            Err(problems) => return Ok(Submitted::Refused(problems)),
        };
        let written = self.write_built("case.create", built)?;
        if matches!(written, Submitted::Written(_)) {
            self.discard_draft(id)?;
        }
        Ok(written)
    }
}
