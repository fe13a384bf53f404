//! Who may add which account, and where.
//!
//! An organisation's administrators add the accounts of their organisation (any role but
//! coalition administrator). A coalition administrator runs the server and reads no records:
//! it adds coalition administrators, and the *first* administrator of an organisation that
//! has no account yet — never a further account inside an organisation that already has
//! its own people, since such an account could read that organisation's records. (Someone
//! holding the store's passphrase can still add accounts with `athar user add`, on the
//! server itself.)

use athar_model::OrgId;
use athar_model::access::Role;
use athar_store::{Accounts, Result};

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
