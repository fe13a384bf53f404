//! Who may do what: roles, the actions they permit, and token scopes.
//!
//! Every endpoint of the API names the one [`Action`] it needs (or none, for the few public
//! ones); a caller may proceed when their [`Role`] permits it and, for an API token, the
//! token's [`Scope`] covers it. Administrators must sign in with a second factor.

use serde::{Deserialize, Serialize};

/// A person's role in their organisation (or, for a coalition admin, on the server).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Reads the organisation's records.
    Viewer,
    /// Records and corrects cases.
    Documenter,
    /// Reads records, links lists, counts and estimates.
    Analyst,
    /// Manages the organisation's accounts, sharing and the destruction of data.
    OrgAdmin,
    /// Runs the shared server: organisations and their administrators; reads no records.
    CoalitionAdmin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Viewer,
        Role::Documenter,
        Role::Analyst,
        Role::OrgAdmin,
        Role::CoalitionAdmin,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Documenter => "documenter",
            Role::Analyst => "analyst",
            Role::OrgAdmin => "org-admin",
            Role::CoalitionAdmin => "coalition-admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == text)
    }

    /// The role's name in Arabic, for screens and messages.
    pub fn name_ar(self) -> &'static str {
        match self {
            Role::Viewer => "مطّلع",
            Role::Documenter => "موثِّق",
            Role::Analyst => "محلّل",
            Role::OrgAdmin => "مدير المنظمة",
            Role::CoalitionAdmin => "مدير التحالف",
        }
    }

    /// Administrators cannot sign in without a one-time code.
    pub fn needs_second_factor(self) -> bool {
        matches!(self, Role::OrgAdmin | Role::CoalitionAdmin)
    }

    /// Whether the role permits `action`.
    pub fn may(self, action: Action) -> bool {
        use Action::*;
        match self {
            Role::Viewer => matches!(action, OwnAccount | ReadLookups | ReadRecords),
            Role::Documenter => matches!(
                action,
                OwnAccount | ReadLookups | ReadRecords | WriteRecords | VerifyRecords
            ),
            Role::Analyst => matches!(action, OwnAccount | ReadLookups | ReadRecords | RunAnalyses),
            Role::OrgAdmin => matches!(
                action,
                OwnAccount
                    | ReadLookups
                    | ReadRecords
                    | RunAnalyses
                    | WriteRecords
                    | VerifyRecords
                    | ShredRecords
                    | ShareRecords
                    | ReadAudit
                    | ManageUsers
            ),
            Role::CoalitionAdmin => matches!(
                action,
                OwnAccount | ReadLookups | ReadAudit | ManageUsers | ManageOrganisations
            ),
        }
    }
}

/// What an endpoint does, for authorisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// See and end one's own session, create one's own API tokens.
    OwnAccount,
    /// Vocabularies and the gazetteer.
    ReadLookups,
    /// Read records, including their identifying parts (every read is audited later).
    ReadRecords,
    /// Create, change and delete records.
    WriteRecords,
    /// Verify or return a case another person submitted (never one's own), signed in:
    /// never with a token.
    VerifyRecords,
    /// Run computations whose cost the caller chooses (estimates): an analyst's or an
    /// administrator's, never a read token's.
    RunAnalyses,
    /// Destroy a record's identifying data.
    ShredRecords,
    /// Decide what other organisations see of the organisation's records.
    ShareRecords,
    /// Read the audit log.
    ReadAudit,
    /// Add, list and disable accounts (an org-admin in their organisation, a coalition-admin
    /// anywhere).
    ManageUsers,
    /// Add organisations to the coalition server.
    ManageOrganisations,
}

/// What an API token may be used for: a subset of its owner's permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Scope {
    /// Reading only.
    Read,
    /// Reading and writing records.
    Write,
}

impl Scope {
    pub fn name(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
        }
    }

    pub fn parse(text: &str) -> Option<Scope> {
        [Scope::Read, Scope::Write]
            .into_iter()
            .find(|s| s.name() == text)
    }

    /// Whether a token of this scope covers `action`. Destroying data and managing
    /// accounts always need a signed-in person, never a token.
    pub fn covers(self, action: Action) -> bool {
        use Action::*;
        match self {
            Scope::Read => matches!(action, OwnAccount | ReadLookups | ReadRecords | ReadAudit),
            Scope::Write => matches!(
                action,
                OwnAccount | ReadLookups | ReadRecords | ReadAudit | WriteRecords | RunAnalyses
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_grow_from_viewer_to_admin_and_the_coalition_admin_reads_no_records() {
        assert!(Role::Viewer.may(Action::ReadRecords) && !Role::Viewer.may(Action::WriteRecords));
        assert!(Role::Documenter.may(Action::WriteRecords));
        assert!(!Role::Documenter.may(Action::ShredRecords));
        assert!(Role::OrgAdmin.may(Action::ShredRecords));
        assert!(!Role::CoalitionAdmin.may(Action::ReadRecords));
        assert!(Role::ALL.iter().all(|r| r.may(Action::OwnAccount)));
        assert!(Role::ALL.iter().all(|r| Role::parse(r.name()) == Some(*r)));
        assert!(Role::OrgAdmin.needs_second_factor() && !Role::Documenter.needs_second_factor());
        assert!(!Scope::Write.covers(Action::ShredRecords));
        assert!(
            !Scope::Write.covers(Action::VerifyRecords),
            "a second person, signed in"
        );
        assert!(
            Role::Documenter.may(Action::VerifyRecords) && !Role::Viewer.may(Action::VerifyRecords)
        );
        assert!(!Scope::Read.covers(Action::WriteRecords));
        assert!(!Scope::Read.covers(Action::RunAnalyses));
        assert!(Role::Analyst.may(Action::RunAnalyses) && !Role::Viewer.may(Action::RunAnalyses));
        assert!(!Role::CoalitionAdmin.may(Action::RunAnalyses));
    }
}
