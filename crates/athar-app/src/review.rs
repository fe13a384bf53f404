//! The review of cases: submitted by their author, verified or returned (with a comment)
//! by another person — each step a new revision of the person's record with its own audit
//! action (`review.submit`, `review.verify`, `review.return`). A case's review changes only
//! through these steps: any other write keeps the review the record had, and a change to a
//! verified case sends it back to the reviewers (`Scope::write` sees to both).

use athar_model::review::{self, CaseReview, ReviewRefusal, ReviewState, ReviewStep};
use athar_model::{FieldError, RecordBody, RecordId, RecordKind};
use athar_store::{Change, Result, StoreError, StoredRecord};

use crate::Scope;

/// A refused review step, as a field error of the `review` field (in both languages).
pub fn refusal(refused: ReviewRefusal) -> StoreError {
    StoreError::Invalid {
        index: 0,
        errors: vec![FieldError::new(
            "review",
            refused.code(),
            refused.message_en(),
            refused.message_ar(),
        )],
    }
}

impl Scope<'_> {
    /// Takes a review step on the case of `person` (a record this organisation owns, at
    /// revision `expected_rev` when given): the record as written.
    pub fn review_case(
        &self,
        person: RecordId,
        step: ReviewStep,
        expected_rev: Option<u32>,
    ) -> Result<StoredRecord> {
        let current = self.read_owned(RecordKind::Person, person)?;
        let RecordBody::Person(mut body) = current.body else {
            return Err(StoreError::NotFound {
                kind: RecordKind::Person,
                id: person,
            });
        };
        let next = review::apply(body.review.as_ref(), current.rev, &step, self.author())
            .map_err(refusal)?;
        body.review = Some(next);
        self.write_as_is(
            step.action(),
            vec![Change::Update {
                id: person,
                expected_rev: expected_rev.or(Some(current.rev)),
                body: RecordBody::Person(body),
            }],
        )?;
        self.store.get(RecordKind::Person, person)
    }

    /// The cases waiting for verification, oldest record first: the records this
    /// organisation may see whose review is `submitted`.
    pub fn cases_to_verify(&self) -> Result<Vec<StoredRecord>> {
        let (facts, _) = self.counting_facts()?;
        let mut out = Vec::new();
        for id in facts.submitted_cases() {
            if let Some(record) = self.read_if_visible(RecordKind::Person, *id)? {
                out.push(record);
            }
        }
        Ok(out)
    }

    /// Keeps reviews to the review steps: a new person's record enters the review only as
    /// submitted by this author (or not at all); a changed one keeps the review it had,
    /// except that a verified case, once changed, waits for verification again.
    pub(crate) fn keep_reviews(&self, changes: &mut [Change]) -> Result<()> {
        for change in changes.iter_mut() {
            match change {
                Change::Create {
                    body: RecordBody::Person(p),
                    ..
                } => {
                    p.review = p
                        .review
                        .take()
                        .filter(|r| r.state == ReviewState::Submitted)
                        .map(|_| CaseReview {
                            state: ReviewState::Submitted,
                            submitted_by: self.author().to_string(),
                            reviewed_by: None,
                            verified_rev: None,
                            comment: None,
                        });
                }
                Change::Update {
                    id,
                    body: RecordBody::Person(p),
                    ..
                } => {
                    let before = match self.read_if_visible(RecordKind::Person, *id)? {
                        Some(StoredRecord {
                            body: RecordBody::Person(before),
                            ..
                        }) => before.review,
                        _ => None,
                    };
                    p.review = before.map(|r| match r.state {
                        ReviewState::Verified => CaseReview {
                            state: ReviewState::Submitted,
                            submitted_by: self.author().to_string(),
                            reviewed_by: None,
                            verified_rev: None,
                            comment: None,
                        },
                        _ => r,
                    });
                }
                _ => {}
            }
        }
        Ok(())
    }
}
