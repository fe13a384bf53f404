//! Accounts, sessions and API tokens, as stored.
//!
//! This module keeps rows and their invariants (one username, hashes instead of secrets,
//! the one-time-code secret sealed by the master key, every sign-in and account change in
//! the audit chain); the decisions — password checks, lockout, timeouts — are the server's.

use athar_model::RecordId;
use athar_model::access::{Role, Scope};
use serde::Serialize;

use crate::{AuditEntry, Result};

/// A person who signs in.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: RecordId,
    /// The organisation's number (see [`crate::Keyring::organisations`]).
    pub organisation: i64,
    pub username: String,
    pub role: Role,
    /// Argon2id PHC string.
    #[serde(skip)]
    pub password_hash: String,
    /// Whether a one-time-code secret is enrolled.
    pub has_second_factor: bool,
    /// The time step of the last one-time code accepted (a code is good once).
    #[serde(skip)]
    pub totp_last_step: Option<u64>,
    pub failed_sign_ins: u32,
    /// Unix milliseconds until which sign-in is refused.
    pub locked_until: Option<i64>,
    pub disabled: bool,
}

/// What to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub role: Role,
    pub organisation: i64,
    pub password_hash: String,
    /// One-time-code secret to enrol, if any.
    pub totp_secret: Option<Vec<u8>>,
}

/// A server-side session.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub hash: [u8; 32],
    pub user: RecordId,
    /// SHA-256 of the CSRF token given to the client with the session.
    pub csrf: [u8; 32],
    pub created_at: i64,
    pub last_seen: i64,
    pub expires_at: i64,
}

/// An API token.
#[derive(Debug, Clone, Serialize)]
pub struct TokenRow {
    #[serde(skip)]
    pub hash: [u8; 32],
    pub id: RecordId,
    pub user: RecordId,
    pub name: String,
    pub scope: Scope,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked: bool,
}

/// How a sign-in attempt ended, for the account and the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignIn {
    /// Accepted; the one-time code's step, if one was used.
    Accepted { totp_step: Option<u64> },
    /// Refused; when set, the account stays locked until then (unix milliseconds).
    Refused { lock_until: Option<i64> },
}

/// Storage of accounts. Every change appends to the audit chain; nothing here holds a
/// secret a client could present.
pub trait Accounts: Send + Sync {
    fn create_user(&self, actor: &str, user: NewUser) -> Result<User>;
    fn user(&self, id: RecordId) -> Result<Option<User>>;
    fn user_by_name(&self, username: &str) -> Result<Option<User>>;
    /// The opened one-time-code secret of a user, if enrolled.
    fn totp_secret(&self, id: RecordId) -> Result<Option<Vec<u8>>>;
    /// Record a sign-in attempt on an existing account (audited under the account's id).
    fn record_sign_in(&self, id: RecordId, outcome: SignIn) -> Result<()>;
    /// Record a sign-in naming no account (audited without the name typed).
    fn record_unknown_sign_in(&self) -> Result<AuditEntry>;

    fn create_session(&self, session: &SessionRow) -> Result<()>;
    fn session(&self, hash: &[u8; 32]) -> Result<Option<SessionRow>>;
    fn touch_session(&self, hash: &[u8; 32], at: i64) -> Result<()>;
    fn delete_session(&self, hash: &[u8; 32]) -> Result<()>;

    /// Users of an organisation, or of all when `None`.
    fn users(&self, organisation: Option<i64>) -> Result<Vec<User>>;
    /// Disable or enable an account; a disabled account's sessions and tokens stop working.
    fn set_disabled(&self, actor: &str, id: RecordId, disabled: bool) -> Result<()>;

    fn create_token(&self, token: &TokenRow) -> Result<()>;
    fn token(&self, hash: &[u8; 32]) -> Result<Option<TokenRow>>;
    fn tokens_of(&self, user: RecordId) -> Result<Vec<TokenRow>>;
    fn revoke_token(&self, user: RecordId, id: RecordId) -> Result<bool>;
}
