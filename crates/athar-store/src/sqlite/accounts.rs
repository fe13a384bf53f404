//! [`Accounts`] on the embedded store.

use athar_model::RecordId;
use athar_model::access::{Role, Scope};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{ChangeDigest, SqliteStore, append_audit, entry_of, id_bytes, lock, now_ms, read_id};
use crate::accounts::{Accounts, NewUser, SessionRow, SignIn, TokenRow, User};
use crate::{AuditEntry, Result, StoreError};

const SELECT_USER: &str = "SELECT id, organisation, username, role, password, totp IS NOT NULL, totp_last_step, failed_sign_ins, locked_until, disabled FROM users";

fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Vec<u8>, User)> {
    let role: String = r.get(3)?;
    Ok((
        r.get(0)?,
        User {
            id: RecordId::from_bytes([0; 16]),
            organisation: r.get(1)?,
            username: r.get(2)?,
            role: Role::parse(&role).unwrap_or(Role::Viewer),
            password_hash: r.get(4)?,
            has_second_factor: r.get(5)?,
            totp_last_step: r.get::<_, Option<i64>>(6)?.map(|s| s as u64),
            failed_sign_ins: r.get::<_, i64>(7)? as u32,
            locked_until: r.get(8)?,
            disabled: r.get::<_, i64>(9)? != 0,
        },
    ))
}

fn finish_user(row: Option<(Vec<u8>, User)>) -> Result<Option<User>> {
    row.map(|(id, mut user)| {
        user.id = read_id(id)?;
        Ok(user)
    })
    .transpose()
}

fn hash32(bytes: Vec<u8>) -> [u8; 32] {
    let mut out = [0u8; 32];
    if bytes.len() == 32 {
        out.copy_from_slice(&bytes);
    }
    out
}

/// A token row with its hash, id and user still as stored bytes.
type RawToken = (Vec<u8>, Vec<u8>, Vec<u8>, TokenRow);

fn token_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawToken> {
    let scope: String = r.get(4)?;
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        TokenRow {
            hash: [0; 32],
            id: RecordId::from_bytes([0; 16]),
            user: RecordId::from_bytes([0; 16]),
            name: r.get(3)?,
            scope: Scope::parse(&scope).unwrap_or(Scope::Read),
            created_at: r.get(5)?,
            expires_at: r.get(6)?,
            revoked: r.get::<_, i64>(7)? != 0,
        },
    ))
}

fn finish_token(row: RawToken) -> Result<TokenRow> {
    let (hash, id, user, mut token) = row;
    token.hash = hash32(hash);
    token.id = read_id(id)?;
    token.user = read_id(user)?;
    Ok(token)
}

const SELECT_TOKEN: &str =
    "SELECT hash, id, user_id, name, scope, created_at, expires_at, revoked FROM api_tokens";

fn audit_now(
    conn: &Connection,
    actor: &str,
    action: &str,
    subject: Option<&str>,
) -> Result<AuditEntry> {
    let row = append_audit(
        conn,
        now_ms(),
        actor,
        action,
        subject,
        None,
        ChangeDigest::new().finish(),
    )?;
    Ok(entry_of(&row))
}

impl Accounts for SqliteStore {
    fn create_user(&self, actor: &str, user: NewUser) -> Result<User> {
        let username = user.username.trim().to_string();
        if username.is_empty()
            || username.chars().count() > 64
            || username.chars().any(char::is_control)
        {
            return Err(StoreError::Database(
                "a username has 1 to 64 characters and no control characters".into(),
            ));
        }
        use crate::Store as _;
        self.keyring().organisation(user.organisation)?;
        let id = RecordId::new();
        let totp = match &user.totp_secret {
            Some(secret) => Some(self.master.seal_secret(secret, id.as_bytes())?),
            None => None,
        };
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let inserted = tx.execute(
            "INSERT INTO users (id, organisation, username, role, password, totp, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                id_bytes(&id),
                user.organisation,
                username,
                user.role.name(),
                user.password_hash,
                totp,
                now_ms()
            ],
        );
        match inserted {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                return Err(StoreError::UsernameTaken);
            }
            other => other?,
        };
        audit_now(&tx, actor, "user.create", Some(&id.to_string()))?;
        let created = finish_user(
            tx.query_row(
                &format!("{SELECT_USER} WHERE id = ?1"),
                [id_bytes(&id)],
                user_row,
            )
            .optional()?,
        )?;
        tx.commit()?;
        created.ok_or_else(|| StoreError::Database("the new user vanished".into()))
    }

    fn user(&self, id: RecordId) -> Result<Option<User>> {
        self.read(|conn| {
            finish_user(
                conn.prepare_cached(&format!("{SELECT_USER} WHERE id = ?1"))?
                    .query_row([id_bytes(&id)], user_row)
                    .optional()?,
            )
        })
    }

    fn user_by_name(&self, username: &str) -> Result<Option<User>> {
        self.read(|conn| {
            finish_user(
                conn.prepare_cached(&format!("{SELECT_USER} WHERE username = ?1"))?
                    .query_row([username.trim()], user_row)
                    .optional()?,
            )
        })
    }

    fn totp_secret(&self, id: RecordId) -> Result<Option<Vec<u8>>> {
        let sealed: Option<Vec<u8>> = self.read(|conn| {
            Ok(conn
                .prepare_cached("SELECT totp FROM users WHERE id = ?1")?
                .query_row([id_bytes(&id)], |r| r.get::<_, Option<Vec<u8>>>(0))
                .optional()?
                .flatten())
        })?;
        sealed
            .map(|s| {
                self.master.open_secret(&s, id.as_bytes()).map_err(|_| {
                    StoreError::Database(format!(
                        "the one-time-code secret of user {id} does not open"
                    ))
                })
            })
            .transpose()
    }

    fn record_sign_in(&self, id: RecordId, outcome: SignIn) -> Result<()> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let subject = id.to_string();
        match outcome {
            SignIn::Accepted { totp_step } => {
                tx.execute(
                    "UPDATE users SET failed_sign_ins = 0, locked_until = NULL,
                         totp_last_step = coalesce(?2, totp_last_step) WHERE id = ?1",
                    params![id_bytes(&id), totp_step.map(|s| s as i64)],
                )?;
                audit_now(&tx, &subject, "auth.sign-in", Some(&subject))?;
            }
            SignIn::Refused { lock_until } => {
                tx.execute(
                    "UPDATE users SET failed_sign_ins = failed_sign_ins + 1,
                         locked_until = coalesce(?2, locked_until) WHERE id = ?1",
                    params![id_bytes(&id), lock_until],
                )?;
                audit_now(&tx, &subject, "auth.sign-in-refused", Some(&subject))?;
                if lock_until.is_some() {
                    audit_now(&tx, "athar", "auth.account-locked", Some(&subject))?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn record_unknown_sign_in(&self) -> Result<AuditEntry> {
        let conn = lock(&self.writer);
        audit_now(&conn, "unknown", "auth.sign-in-refused", None)
    }

    fn users(&self, organisation: Option<i64>) -> Result<Vec<User>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "{SELECT_USER} WHERE ?1 IS NULL OR organisation = ?1 ORDER BY username"
            ))?;
            let rows = stmt.query_map([organisation], user_row)?;
            let mut out = Vec::new();
            for row in rows {
                if let Some(user) = finish_user(Some(row?))? {
                    out.push(user);
                }
            }
            Ok(out)
        })
    }

    fn set_disabled(&self, actor: &str, id: RecordId, disabled: bool) -> Result<()> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let changed = tx.execute(
            "UPDATE users SET disabled = ?2 WHERE id = ?1",
            params![id_bytes(&id), i64::from(disabled)],
        )?;
        if changed == 0 {
            return Err(StoreError::Database(format!("no user {id}")));
        }
        if disabled {
            tx.execute("DELETE FROM sessions WHERE user_id = ?1", [id_bytes(&id)])?;
        }
        let action = if disabled {
            "user.disable"
        } else {
            "user.enable"
        };
        audit_now(&tx, actor, action, Some(&id.to_string()))?;
        tx.commit()?;
        Ok(())
    }

    fn create_session(&self, s: &SessionRow) -> Result<()> {
        let conn = lock(&self.writer);
        conn.execute(
            "INSERT INTO sessions (hash, user_id, csrf, created_at, last_seen, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![&s.hash[..], id_bytes(&s.user), &s.csrf[..], s.created_at, s.last_seen, s.expires_at],
        )?;
        Ok(())
    }

    fn session(&self, hash: &[u8; 32]) -> Result<Option<SessionRow>> {
        self.read(|conn| {
            let row = conn
                .prepare_cached("SELECT user_id, csrf, created_at, last_seen, expires_at FROM sessions WHERE hash = ?1")?
                .query_row([&hash[..]], |r| {
                    Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .optional()?;
            row.map(|(user, csrf, created_at, last_seen, expires_at)| {
                Ok(SessionRow { hash: *hash, user: read_id(user)?, csrf: hash32(csrf), created_at, last_seen, expires_at })
            })
            .transpose()
        })
    }

    fn touch_session(&self, hash: &[u8; 32], at: i64) -> Result<()> {
        let conn = lock(&self.writer);
        conn.execute(
            "UPDATE sessions SET last_seen = ?2 WHERE hash = ?1",
            params![&hash[..], at],
        )?;
        Ok(())
    }

    fn delete_session(&self, hash: &[u8; 32]) -> Result<()> {
        let conn = lock(&self.writer);
        conn.execute("DELETE FROM sessions WHERE hash = ?1", [&hash[..]])?;
        Ok(())
    }

    fn create_token(&self, t: &TokenRow) -> Result<()> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO api_tokens (hash, id, user_id, name, scope, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![&t.hash[..], id_bytes(&t.id), id_bytes(&t.user), t.name, t.scope.name(), t.created_at, t.expires_at],
        )?;
        audit_now(
            &tx,
            &t.user.to_string(),
            "token.create",
            Some(&t.id.to_string()),
        )?;
        tx.commit()?;
        Ok(())
    }

    fn token(&self, hash: &[u8; 32]) -> Result<Option<TokenRow>> {
        self.read(|conn| {
            conn.prepare_cached(&format!("{SELECT_TOKEN} WHERE hash = ?1"))?
                .query_row([&hash[..]], token_row)
                .optional()?
                .map(finish_token)
                .transpose()
        })
    }

    fn tokens_of(&self, user: RecordId) -> Result<Vec<TokenRow>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "{SELECT_TOKEN} WHERE user_id = ?1 ORDER BY created_at"
            ))?;
            let rows = stmt.query_map([id_bytes(&user)], token_row)?;
            rows.map(|r| finish_token(r?)).collect()
        })
    }

    fn revoke_token(&self, user: RecordId, id: RecordId) -> Result<bool> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let changed = tx.execute(
            "UPDATE api_tokens SET revoked = 1 WHERE id = ?1 AND user_id = ?2 AND revoked = 0",
            params![id_bytes(&id), id_bytes(&user)],
        )?;
        if changed > 0 {
            audit_now(
                &tx,
                &user.to_string(),
                "token.revoke",
                Some(&id.to_string()),
            )?;
        }
        tx.commit()?;
        Ok(changed > 0)
    }
}
