//! Accounts: who may add which account, and where; API tokens.
//!
//! An organisation's administrators add the accounts of their organisation (any role but
//! coalition administrator). A coalition administrator runs the server and reads no records:
//! it adds coalition administrators, and the *first* administrator of an organisation that
//! has no account yet — never a further account inside an organisation that already has
//! its own people, since such an account could read that organisation's records. (Someone
//! holding the store's passphrase can still add accounts with `athar user add`, on the
//! server itself.)

use athar_crypto::auth::new_token;
use athar_model::access::{Action, Role, Scope as TokenScope};
use athar_model::{FieldError, OrgId, RecordId};
use athar_store::accounts::{TokenRow, User};
use athar_store::clock::now_ms;
use athar_store::{Accounts, Result, StoreError};

/// Why an account may not be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountRefusal {
    /// Only a coalition administrator makes coalition administrators.
    CoalitionAdminOnly,
    /// An organisation with accounts of its own adds its accounts itself.
    OrganisationsOwnAdmins,
}

impl AccountRefusal {
    /// The reason in English and Arabic.
    pub fn explain(self) -> (&'static str, &'static str) {
        match self {
            AccountRefusal::CoalitionAdminOnly => (
                "only a coalition admin makes coalition admins",
                "مدير التحالف وحده يضيف مديري التحالف",
            ),
            AccountRefusal::OrganisationsOwnAdmins => (
                "a coalition admin adds only the first administrator of an organisation without accounts; its own administrators add the rest",
                "يضيف مدير التحالف المدير الأول فقط لمنظمة ليس لها حسابات؛ ويضيف مديروها بقية الحسابات",
            ),
        }
    }
}

/// Whether an administrator of `caller_role` may add an account of `role` to organisation
/// `target` (already checked to be one the caller manages: their own, or for a coalition
/// administrator, any).
pub fn may_add_account(
    accounts: &dyn Accounts,
    caller_role: Role,
    target: OrgId,
    role: Role,
) -> Result<Result<(), AccountRefusal>> {
    if role == Role::CoalitionAdmin {
        return Ok(if caller_role == Role::CoalitionAdmin {
            Ok(())
        } else {
            Err(AccountRefusal::CoalitionAdminOnly)
        });
    }
    if caller_role != Role::CoalitionAdmin {
        return Ok(Ok(()));
    }
    // A coalition administrator: only an organisation's first administrator.
    let has_own_people = accounts
        .users(Some(target.number()))?
        .iter()
        .any(|u| u.role != Role::CoalitionAdmin);
    Ok(if role == Role::OrgAdmin && !has_own_people {
        Ok(())
    } else {
        Err(AccountRefusal::OrganisationsOwnAdmins)
    })
}

/// Why an API token was not issued.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The request's values, each with its problem.
    #[error("{}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// A write token for an account whose role cannot write.
    #[error("a {} cannot write, so neither can a token of theirs", .0.name())]
    RoleCannotWrite(Role),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Issue an API token for `user` and keep its hash (shared by the API and the command
/// line): a name of 1 to 100 characters, 1 to 365 days, and no more than the account may
/// do. The token itself is returned once and never stored.
pub fn issue_token(
    accounts: &dyn Accounts,
    user: &User,
    name: &str,
    scope: TokenScope,
    days: u32,
) -> Result<(String, TokenRow), TokenError> {
    let mut errors = Vec::new();
    if name.trim().is_empty() || name.chars().count() > 100 {
        errors.push(FieldError::new(
            "name",
            "token.name",
            "give the token a name of 1 to 100 characters",
            "أعطِ الرمز اسماً من 1 إلى 100 حرف",
        ));
    }
    if !(1..=365).contains(&days) {
        errors.push(FieldError::new(
            "days",
            "token.days",
            "a token lives 1 to 365 days",
            "مدة صلاحية الرمز من 1 إلى 365 يوماً",
        ));
    }
    if !errors.is_empty() {
        return Err(TokenError::Invalid(errors));
    }
    if scope == TokenScope::Write && !user.role.may(Action::WriteRecords) {
        return Err(TokenError::RoleCannotWrite(user.role));
    }
    let (token, hash) = new_token("ath_").map_err(StoreError::Crypto)?;
    let now = now_ms();
    let row = TokenRow {
        hash,
        id: RecordId::new(),
        user: user.id,
        name: name.trim().to_string(),
        scope,
        created_at: now,
        expires_at: now + i64::from(days) * 86_400_000,
        revoked: false,
    };
    accounts.create_token(&row)?;
    Ok((token.to_string(), row))
}
