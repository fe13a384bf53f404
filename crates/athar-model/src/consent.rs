//! Consent of a person (or their family) to each use of what they told.
//!
//! Consent is recorded per purpose, with its answer, when and by whom it was given. Only an
//! explicit, current "given" permits a use; a purpose with no record, a refusal or a
//! withdrawal does not. Sharing and exports ask [`permits`] and say what they left out.

use serde::{Deserialize, Serialize};

use crate::date::FuzzyDate;
use crate::validation::{FieldError, Problems};

/// What the information may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Purpose {
    /// Keeping the record at all.
    Documentation,
    /// Sharing identifying details with other organisations of the coalition.
    CoalitionSharing,
    /// Submission to the UN Working Group on Enforced or Involuntary Disappearances.
    Wgeid,
    /// Submission to the International, Impartial and Independent Mechanism (Syria).
    Iiim,
    /// Submission to the Independent International Commission of Inquiry on Syria.
    CommissionOfInquiry,
    /// Submission to the Independent Institution on Missing Persons in Syria.
    Iimp,
    /// Publication without anything that identifies the person.
    AnonymisedPublication,
    /// Publication with the person's name.
    NamedPublication,
    /// Searching records (detention, transfer, death and burial registers) for a missing
    /// person and telling the family who reported them what is found.
    FamilyTracing,
    /// Contacting the relative who reported the person, at the contact they gave.
    FamilyContact,
}

impl Purpose {
    pub const ALL: [Purpose; 10] = [
        Purpose::Documentation,
        Purpose::CoalitionSharing,
        Purpose::Wgeid,
        Purpose::Iiim,
        Purpose::CommissionOfInquiry,
        Purpose::Iimp,
        Purpose::AnonymisedPublication,
        Purpose::NamedPublication,
        Purpose::FamilyTracing,
        Purpose::FamilyContact,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Purpose::Documentation => "documentation",
            Purpose::CoalitionSharing => "coalition-sharing",
            Purpose::Wgeid => "wgeid",
            Purpose::Iiim => "iiim",
            Purpose::CommissionOfInquiry => "commission-of-inquiry",
            Purpose::Iimp => "iimp",
            Purpose::AnonymisedPublication => "anonymised-publication",
            Purpose::NamedPublication => "named-publication",
            Purpose::FamilyTracing => "family-tracing",
            Purpose::FamilyContact => "family-contact",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Purpose::Documentation => "documentation",
            Purpose::CoalitionSharing => "sharing within the coalition",
            Purpose::Wgeid => "submission to the UN WGEID",
            Purpose::Iiim => "submission to the IIIM",
            Purpose::CommissionOfInquiry => "submission to the Commission of Inquiry",
            Purpose::Iimp => "submission to the IIMP",
            Purpose::AnonymisedPublication => "anonymised publication",
            Purpose::NamedPublication => "publication with the name",
            Purpose::FamilyTracing => "searching the records for the person for the family",
            Purpose::FamilyContact => "contacting the reporting relative",
        }
    }

    pub fn label_ar(self) -> &'static str {
        match self {
            Purpose::Documentation => "التوثيق",
            Purpose::CoalitionSharing => "المشاركة داخل التحالف",
            Purpose::Wgeid => "الإحالة إلى الفريق الأممي المعني بحالات الاختفاء القسري",
            Purpose::Iiim => "الإحالة إلى الآلية الدولية المحايدة والمستقلة",
            Purpose::CommissionOfInquiry => "الإحالة إلى لجنة التحقيق الدولية",
            Purpose::Iimp => "الإحالة إلى المؤسسة المستقلة المعنية بالمفقودين",
            Purpose::AnonymisedPublication => "النشر دون هوية",
            Purpose::NamedPublication => "النشر بالاسم",
            Purpose::FamilyTracing => "البحث في السجلات عن الشخص لصالح عائلته",
            Purpose::FamilyContact => "التواصل مع القريب الذي أبلغ",
        }
    }
}

/// The answer given for a purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Answer {
    Given,
    Refused,
    Withdrawn,
}

/// One consent decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Consent {
    pub purpose: Purpose,
    pub answer: Answer,
    /// When it was given, refused or withdrawn.
    #[serde(default, skip_serializing_if = "FuzzyDate::is_unknown")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub date: FuzzyDate,
    /// Who answered: the person, a relative (say which), a guardian.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// Whether `consents` permit `purpose`: the latest decision for it must be "given".
/// Decisions are taken in the order recorded; a later one overrides an earlier one.
pub fn permits(consents: &[Consent], purpose: Purpose) -> bool {
    consents
        .iter()
        .rev()
        .find(|c| c.purpose == purpose)
        .is_some_and(|c| c.answer == Answer::Given)
}

/// Check consent entries of a person.
pub fn validate(consents: &[Consent], p: &mut Problems) {
    for (i, c) in consents.iter().enumerate() {
        if let Some(by) = &c.by
            && by.chars().count() > 200
        {
            p.push(FieldError::new(
                format!("consent[{i}].by"),
                "text.too_long",
                "at most 200 characters",
                "200 حرف على الأكثر",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(purpose: Purpose, answer: Answer) -> Consent {
        Consent {
            purpose,
            answer,
            date: FuzzyDate::default(),
            by: None,
        }
    }

    #[test]
    fn only_a_current_given_answer_permits() {
        assert!(!permits(&[], Purpose::Wgeid));
        let given = [c(Purpose::Wgeid, Answer::Given)];
        assert!(permits(&given, Purpose::Wgeid));
        assert!(!permits(&given, Purpose::NamedPublication));
        let withdrawn = [
            c(Purpose::Wgeid, Answer::Given),
            c(Purpose::Wgeid, Answer::Withdrawn),
        ];
        assert!(!permits(&withdrawn, Purpose::Wgeid));
        let again = [
            c(Purpose::Wgeid, Answer::Refused),
            c(Purpose::Wgeid, Answer::Given),
        ];
        assert!(permits(&again, Purpose::Wgeid));
        assert!(
            Purpose::ALL
                .iter()
                .all(|p| !p.label_ar().is_empty() && !p.code().is_empty())
        );
    }
}
