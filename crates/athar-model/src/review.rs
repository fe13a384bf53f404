//! The review of a case: a case (a person's record and the journey recorded with it) is
//! **submitted** by the documenter who recorded it, then **verified** by another person
//! allowed to verify — or **returned** to its author with a comment, corrected and submitted
//! again. Each step is a new revision of the person's record (so the audit chain holds who
//! did what, when), and verification holds for the revision it was given: a case changed
//! after it was verified counts as unverified until it is verified again
//! (docs/DEFINITIONS.md, "Verified cases").

use serde::{Deserialize, Serialize};

/// Where a case stands in its review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReviewState {
    /// Waiting for another person to verify it.
    Submitted,
    /// Checked by another person than its author.
    Verified,
    /// Sent back to its author with a comment.
    Returned,
}

impl ReviewState {
    pub fn code(self) -> &'static str {
        match self {
            ReviewState::Submitted => "submitted",
            ReviewState::Verified => "verified",
            ReviewState::Returned => "returned",
        }
    }
}

/// A case's review as its person's record carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseReview {
    pub state: ReviewState,
    /// The account that submitted it last.
    pub submitted_by: String,
    /// The account that verified or returned it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_by: Option<String>,
    /// The revision of the person's record the verification was given to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_rev: Option<u32>,
    /// Why it was returned — identifying (it may quote the case), sealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// Why a review step is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewRefusal {
    /// Only a submitted case can be verified or returned.
    NotSubmitted,
    /// It is submitted already (or verified: change it first).
    AlreadySubmitted,
    /// The author of a case cannot verify or return it.
    OwnCase,
    /// Returning a case needs a comment saying why.
    CommentRequired,
}

impl ReviewRefusal {
    pub fn code(self) -> &'static str {
        match self {
            ReviewRefusal::NotSubmitted => "review.not_submitted",
            ReviewRefusal::AlreadySubmitted => "review.already_submitted",
            ReviewRefusal::OwnCase => "review.own_case",
            ReviewRefusal::CommentRequired => "review.comment_required",
        }
    }

    pub fn message_en(self) -> &'static str {
        match self {
            ReviewRefusal::NotSubmitted => "only a submitted case can be verified or returned",
            ReviewRefusal::AlreadySubmitted => {
                "the case is already submitted and unchanged since its last review step"
            }
            ReviewRefusal::OwnCase => {
                "another person must verify or return a case: you submitted this one"
            }
            ReviewRefusal::CommentRequired => "say why the case is returned",
        }
    }

    pub fn message_ar(self) -> &'static str {
        match self {
            ReviewRefusal::NotSubmitted => "لا يُتحقق من حالة أو تُعاد إلا إذا كانت مُرسلة للمراجعة",
            ReviewRefusal::AlreadySubmitted => {
                "الحالة مُرسلة للمراجعة ولم تتغير منذ آخر خطوة مراجعة"
            }
            ReviewRefusal::OwnCase => "يجب أن يتحقق من الحالة أو يعيدها شخص آخر: أنت من أرسلها",
            ReviewRefusal::CommentRequired => "اكتب سبب إعادة الحالة",
        }
    }
}

/// A review step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewStep {
    Submit,
    Verify,
    Return { comment: String },
}

impl ReviewStep {
    /// The audit action of the step.
    pub fn action(&self) -> &'static str {
        match self {
            ReviewStep::Submit => "review.submit",
            ReviewStep::Verify => "review.verify",
            ReviewStep::Return { .. } => "review.return",
        }
    }
}

/// Whether a case is verified as it stands: verified, at the revision `current` (the
/// revision that verified it), not changed since.
pub fn is_verified(review: Option<&CaseReview>, current: u32) -> bool {
    review.is_some_and(|r| r.state == ReviewState::Verified && r.verified_rev == Some(current))
}

/// The review after `step` by `actor`, on a record at revision `current` (the step writes
/// revision `current + 1`), or why it is refused.
pub fn apply(
    review: Option<&CaseReview>,
    current: u32,
    step: &ReviewStep,
    actor: &str,
) -> Result<CaseReview, ReviewRefusal> {
    match step {
        ReviewStep::Submit => {
            // A submitted case waits; a verified one is submitted again only once changed.
            if let Some(r) = review {
                let waiting = r.state == ReviewState::Submitted;
                if waiting || is_verified(Some(r), current) {
                    return Err(ReviewRefusal::AlreadySubmitted);
                }
            }
            Ok(CaseReview {
                state: ReviewState::Submitted,
                submitted_by: actor.to_string(),
                reviewed_by: None,
                verified_rev: None,
                comment: None,
            })
        }
        ReviewStep::Verify | ReviewStep::Return { .. } => {
            let Some(r) = review.filter(|r| r.state == ReviewState::Submitted) else {
                return Err(ReviewRefusal::NotSubmitted);
            };
            if r.submitted_by == actor {
                return Err(ReviewRefusal::OwnCase);
            }
            match step {
                ReviewStep::Return { comment } => {
                    let comment = comment.trim();
                    if comment.is_empty() {
                        return Err(ReviewRefusal::CommentRequired);
                    }
                    Ok(CaseReview {
                        state: ReviewState::Returned,
                        reviewed_by: Some(actor.to_string()),
                        comment: Some(comment.to_string()),
                        verified_rev: None,
                        ..r.clone()
                    })
                }
                _ => Ok(CaseReview {
                    state: ReviewState::Verified,
                    reviewed_by: Some(actor.to_string()),
                    verified_rev: Some(current + 1),
                    comment: None,
                    ..r.clone()
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_is_submitted_then_verified_by_someone_else_or_returned_with_a_comment() {
        let submitted =
            apply(None, 1, &ReviewStep::Submit, "amal").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(submitted.state, ReviewState::Submitted);
        assert_eq!(
            apply(Some(&submitted), 2, &ReviewStep::Submit, "amal"),
            Err(ReviewRefusal::AlreadySubmitted)
        );
        // Not by its author.
        assert_eq!(
            apply(Some(&submitted), 2, &ReviewStep::Verify, "amal"),
            Err(ReviewRefusal::OwnCase)
        );
        let empty = ReviewStep::Return {
            comment: "  ".into(),
        };
        assert_eq!(
            apply(Some(&submitted), 2, &empty, "sami"),
            Err(ReviewRefusal::CommentRequired)
        );
        let returned = apply(
            Some(&submitted),
            2,
            &ReviewStep::Return {
                comment: "the arrest date contradicts the source".into(),
            },
            "sami",
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(returned.state, ReviewState::Returned);
        assert_eq!(
            apply(Some(&returned), 3, &ReviewStep::Verify, "sami"),
            Err(ReviewRefusal::NotSubmitted)
        );
        // Corrected and submitted again, then verified: at the revision the step writes.
        let again = apply(Some(&returned), 4, &ReviewStep::Submit, "amal")
            .unwrap_or_else(|e| panic!("{e:?}"));
        let verified =
            apply(Some(&again), 5, &ReviewStep::Verify, "sami").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(verified.verified_rev, Some(6));
        assert!(is_verified(Some(&verified), 6));
        // Changed after verification: no longer verified, and may be submitted again.
        assert!(!is_verified(Some(&verified), 7));
        assert!(apply(Some(&verified), 7, &ReviewStep::Submit, "amal").is_ok());
        assert_eq!(
            apply(Some(&verified), 6, &ReviewStep::Submit, "amal"),
            Err(ReviewRefusal::AlreadySubmitted)
        );
    }
}
