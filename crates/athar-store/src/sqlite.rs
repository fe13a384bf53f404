//! The embedded backend: one SQLCipher database file.
//!
//! One writer connection (behind a mutex: SQLite has one writer at a time anyway) and a
//! bounded pool of reader connections — never more than [`READER_LIMIT`] open, each with a
//! page cache of [`READER_CACHE_MIB`] MiB, so the memory reading takes does not grow with
//! the number of requests waiting; in WAL mode readers never wait for the writer. The
//! write-ahead log is kept small by [`Store::maintain`], which a server calls now and then. The
//! raw 256-bit key from [`crate::layout`] is given to SQLCipher, so opening a connection
//! costs no key derivation. The whole file — pages, write-ahead log, rollback journal — is
//! encrypted (AES-256 with an HMAC per page).
//!
//! This file opens and migrates the store and holds the helpers every part shares; the
//! `Store` implementation delegates by concern: `read` (records, pages, histories, name
//! search), `write` (change sets, streams, shredding), `sharing` (visibility, shares,
//! organisations), `verify`, and beside them `accounts`, `evidence`, `linkage`, `backup`
//! and the blind index (`name_index`).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock};

use athar_crypto::envelope::{MasterKey, OrgKey};
use athar_crypto::signing::OrgSigningKey;
use athar_crypto::{StoreKey, to_hex};
use athar_model::sealing::{restore_identifying, take_identifying};
use athar_model::{FieldError, RecordBody, RecordId, RecordKind};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::chain::{self, AuditRow, ChainVerifier, ChangeDigest, Problem, RevisionRow};
use crate::keyring::{Keyring, Opened, Organisation, key_id_of};

mod accounts;
mod backup;
mod count_facts;
mod drafts;
mod evidence;
mod kept_counts;
mod linkage;
mod name_index;
mod name_search;
mod read;
mod sharing;
mod verify;
mod write;

use crate::layout::DataDir;
use crate::{
    AuditEntry, Maintenance, NextPart, Operation, PersonMatches, Prepared, Result, Revision,
    SearchCursor, Share, ShareMode, Store, StoreError, StoredRecord, StreamWritten, VerifyReport,
    Visibility, WriteHeader, Written,
};
pub use backup::{BackupSummary, keys_file_of};

/// Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_sealed_fields.sql"),
    include_str!("../migrations/0003_accounts.sql"),
    include_str!("../migrations/0004_ownership.sql"),
    include_str!("../migrations/0005_evidence.sql"),
    include_str!("../migrations/0006_packages.sql"),
    include_str!("../migrations/0007_linkage.sql"),
    include_str!("../migrations/0008_packed_pending_tags.sql"),
    include_str!("../migrations/0009_audit_by_action.sql"),
    include_str!("../migrations/0010_drafts.sql"),
    include_str!("../migrations/0011_count_facts.sql"),
    include_str!("../migrations/0012_facts_in_heads.sql"),
];
/// The columns of a revision row, in the order [`revision_row`] reads them.
const SELECT_REVISION: &str = "SELECT seq, record_id, kind, rev, prev_seq, op, at, author, reason, audit_seq, body, hash, sealed, owner FROM revisions";
const TRIGGERS: &[&str] = &[
    "revisions_append_only",
    "revisions_never_deleted",
    "audit_append_only",
    "audit_never_deleted",
    "evidence_never_changed",
];
/// At most this many reader connections are open at once; a read that finds them all busy
/// waits for one. (A read inside another read on the same thread gets a connection of its
/// own, so nesting can never wait on itself.)
pub const READER_LIMIT: usize = 8;
/// Each reader's page cache, MiB: with [`READER_LIMIT`] readers and the writer's 32 MiB,
/// the store's caches stay under 160 MiB however many requests arrive.
pub const READER_CACHE_MIB: u32 = 16;
/// The write-ahead log is cut back to this size whenever it is emptied.
const WAL_SIZE_LIMIT: u64 = 64 * 1024 * 1024;
/// The writer's page cache during a bulk load, unless the loader asks for more.
const BULK_CACHE_MIB: u32 = 256;

/// A reader slot lent out. Dropped with its connection, it gives the connection back to
/// the pool; dropped without one (the connection could not be opened, or the reading
/// panicked), it frees the slot.
struct Lent<'a> {
    store: &'a SqliteStore,
    conn: Option<Connection>,
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        HOLDS_READER.with(|h| h.set(false));
        let mut pool = lock(&self.store.readers);
        match self.conn.take() {
            Some(conn) if !std::thread::panicking() => pool.idle.push(conn),
            _ => pool.open -= 1,
        }
        drop(pool);
        self.store.reader_free.notify_one();
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            // A page whose HMAC fails reads as "not a database" once the store is open.
            Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase) => {
                StoreError::Damaged(e.to_string())
            }
            _ => StoreError::Database(e.to_string()),
        }
    }
}

pub struct SqliteStore {
    path: PathBuf,
    key: StoreKey,
    keyring: RwLock<Arc<Keyring>>,
    /// Seals server-side secrets (one-time-code secrets).
    master: MasterKey,
    /// In bulk mode new blind index tags go to `name_tags_pending` first.
    bulk: AtomicBool,
    writer: Mutex<Connection>,
    readers: Mutex<ReaderPool>,
    /// Signalled when a reader connection is given back.
    reader_free: Condvar,
    /// Ranked lists of recent name searches, for their next pages.
    search_cache: Mutex<name_search::SearchCache>,
    /// The persons of common name tags, kept in memory for searches.
    tag_cache: Mutex<name_search::TagCache>,
}

/// The reader connections: those idle, and how many exist (idle or lent out).
#[derive(Default)]
struct ReaderPool {
    idle: Vec<Connection>,
    open: usize,
}

thread_local! {
    /// Whether this thread holds a pooled reader now (a nested read must not wait for the
    /// pool it is itself keeping busy).
    static HOLDS_READER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

pub(crate) use crate::clock::now_ms;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves SQLite consistent (the transaction rolls back
    // when dropped), so a poisoned lock is safe to take over.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn id_bytes(id: &RecordId) -> &[u8] {
    id.as_bytes()
}

/// Make a derived table again, in one transaction, when `meta.<key>` names another version
/// than `version` (or none): `rebuild` runs inside the transaction, and the version is
/// recorded with its work, so an interrupted rebuild is done again at the next opening.
fn rebuild_once_per_version(
    conn: &Connection,
    key: &str,
    version: &str,
    rebuild: impl FnOnce() -> Result<()>,
) -> Result<()> {
    let stored: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?;
    if stored.as_deref() == Some(version) {
        return Ok(());
    }
    conn.execute_batch("BEGIN IMMEDIATE;")?;
    let done = rebuild().and_then(|()| {
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
            [key, version],
        )?;
        Ok(())
    });
    match done {
        Ok(()) => conn.execute_batch("COMMIT;")?,
        Err(e) => {
            conn.execute_batch("ROLLBACK;")?;
            return Err(e);
        }
    }
    Ok(())
}

fn read_id(bytes: Vec<u8>) -> Result<RecordId> {
    let array: [u8; 16] = bytes
        .try_into()
        .map_err(|_| StoreError::Database("a stored record id is not 16 bytes".into()))?;
    Ok(RecordId::from_bytes(array))
}

fn parse_body(kind: RecordKind, bytes: &[u8]) -> Result<RecordBody> {
    RecordBody::from_json(kind, bytes)
        .map_err(|e| StoreError::Database(format!("a stored {} is unreadable: {e}", kind.name())))
}

/// The statements that unlock a store file on a fresh connection, for tools and tests that
/// open the file directly. HMAC-SHA256 authenticates every page as SQLCipher's default
/// HMAC-SHA512 does, at a third of the cost on processors with SHA extensions; it is fixed
/// for a store's life.
pub fn unlock_statements(key: &StoreKey) -> athar_crypto::Zeroizing<String> {
    athar_crypto::Zeroizing::new(format!(
        "PRAGMA key = {}; PRAGMA cipher_hmac_algorithm = HMAC_SHA256;",
        key.sqlcipher_literal().as_str()
    ))
}

/// Open the writing connection and unlock it with the key; a wrong key is reported as
/// such. It puts the store in write-ahead-log mode, which the file keeps.
fn connect(path: &Path, key: &StoreKey) -> Result<Connection> {
    let conn = connect_reader(path, key)?;
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA cache_size = -32768; PRAGMA journal_size_limit = {WAL_SIZE_LIMIT};"
    ))?;
    Ok(conn)
}

/// Open a reading connection. It leaves the journal mode as the file has it: a reader
/// opened during a bulk load must not turn the load's rollback journal back into the
/// write-ahead log.
fn connect_reader(path: &Path, key: &StoreKey) -> Result<Connection> {
    let conn = Connection::open(path)?;
    // SQLCipher reports a page that fails its check on standard error, a line per page;
    // Athar reports it itself (a wrong passphrase, or `verify` naming the damage).
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    conn.execute_batch(unlock_statements(key).as_str())?;
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(_) => {}
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::NotADatabase =>
        {
            return Err(StoreError::WrongPassphrase);
        }
        Err(e) => return Err(e.into()),
    }
    conn.execute_batch(
        "PRAGMA synchronous = NORMAL;
         PRAGMA busy_timeout = 10000;
         PRAGMA temp_store = MEMORY;
         PRAGMA secure_delete = ON;",
    )?;
    conn.execute_batch(&format!(
        "PRAGMA cache_size = -{};",
        READER_CACHE_MIB * 1024
    ))?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(StoreError::TooNew {
            found: version,
            known,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
        tx.execute_batch(sql)?;
        tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))?;
        tx.commit()?;
    }
    Ok(())
}

struct Head {
    seq: i64,
    rev: u32,
    deleted: bool,
    owner: i64,
}

fn head(conn: &Connection, kind: RecordKind, id: &RecordId) -> Result<Option<Head>> {
    let mut stmt = conn
        .prepare_cached("SELECT seq, rev, deleted, owner FROM heads WHERE kind = ?1 AND id = ?2")?;
    Ok(stmt
        .query_row(params![kind.code(), id_bytes(id)], |r| {
            Ok(Head {
                seq: r.get(0)?,
                rev: r.get::<_, i64>(1)? as u32,
                deleted: r.get::<_, i64>(2)? != 0,
                owner: r.get(3)?,
            })
        })
        .optional()?)
}

/// The person a stored involvement body names.
fn person_of_involvement(kind: RecordKind, stored: &[u8]) -> Result<Option<RecordId>> {
    Ok(crate::link_of(&parse_body(kind, stored)?).map(|(person, _)| person))
}

/// The person named by the involvement revision at `seq`.
fn linked_person(conn: &Connection, kind: RecordKind, seq: i64) -> Result<Option<RecordId>> {
    let (stored, _, _) = revision_body(conn, seq)?;
    person_of_involvement(kind, &stored)
}

/// The current revision of a record about to be changed: it must exist, not be deleted,
/// and be the revision the author edited (when they said which).
fn live_head(
    conn: &Connection,
    kind: RecordKind,
    id: RecordId,
    expected_rev: Option<u32>,
    owner: i64,
) -> Result<Head> {
    // Another organisation's record is not there for this one to change.
    let current = head(conn, kind, &id)?
        .filter(|h| h.owner == owner)
        .ok_or(StoreError::NotFound { kind, id })?;
    if current.deleted {
        return Err(StoreError::Deleted {
            kind,
            id,
            rev: current.rev,
            reason: None,
        });
    }
    match expected_rev {
        Some(expected) if expected != current.rev => Err(StoreError::Conflict {
            kind,
            id,
            expected,
            actual: current.rev,
        }),
        _ => Ok(current),
    }
}

/// A stored revision's clear body, reason and sealed part.
type StoredParts = (Vec<u8>, Option<String>, Option<Vec<u8>>);

/// The clear body, reason and sealed part of the revision at `seq`.
fn revision_body(conn: &Connection, seq: i64) -> Result<StoredParts> {
    let mut stmt =
        conn.prepare_cached("SELECT body, reason, sealed FROM revisions WHERE seq = ?1")?;
    Ok(stmt.query_row([seq], |r| Ok((r.get(0)?, r.get(1)?, sealed_of(r, 2)?)))?)
}

fn reference_error(index: usize, field: &str, kind: RecordKind, deleted: bool) -> StoreError {
    let (code, en, ar) = if deleted {
        (
            "reference.deleted",
            format!("names a {} that has been deleted", kind.name()),
            "يشير إلى سجل محذوف".to_string(),
        )
    } else {
        (
            "reference.missing",
            format!("names no existing {}", kind.name()),
            "يشير إلى سجل غير موجود".to_string(),
        )
    };
    StoreError::Invalid {
        index,
        errors: vec![FieldError::new(field, code, en, ar)],
    }
}

fn last_audit(conn: &Connection) -> Result<Option<AuditRow>> {
    Ok(conn
        .query_row(
            "SELECT seq, at, actor, action, subject, first_rev, last_rev, digest, prev_hash, hash
             FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            audit_row,
        )
        .optional()?)
}

/// A column's raw bytes whatever its stored type, so that verification reports a tampered
/// value as a mismatch instead of failing to read it.
fn blob_of(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Vec<u8>> {
    use rusqlite::types::ValueRef;
    Ok(match r.get_ref(i)? {
        ValueRef::Blob(b) | ValueRef::Text(b) => b.to_vec(),
        ValueRef::Integer(n) => n.to_be_bytes().to_vec(),
        ValueRef::Real(x) => x.to_be_bytes().to_vec(),
        ValueRef::Null => Vec::new(),
    })
}

fn text_of(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<String> {
    Ok(String::from_utf8_lossy(&blob_of(r, i)?).into_owned())
}

fn audit_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRow> {
    Ok(AuditRow {
        seq: r.get(0)?,
        at: r.get(1)?,
        actor: text_of(r, 2)?,
        action: text_of(r, 3)?,
        subject: r.get(4)?,
        first_rev: r.get(5)?,
        last_rev: r.get(6)?,
        digest: blob_of(r, 7)?,
        prev_hash: blob_of(r, 8)?,
        hash: blob_of(r, 9)?,
    })
}

fn revision_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RevisionRow> {
    let id: Vec<u8> = blob_of(r, 1)?;
    let mut record_id = [0u8; 16];
    if id.len() == 16 {
        record_id.copy_from_slice(&id);
    }
    Ok(RevisionRow {
        seq: r.get(0)?,
        record_id,
        kind: r.get(2)?,
        rev: r.get(3)?,
        prev_seq: r.get(4)?,
        op: r.get(5)?,
        at: r.get(6)?,
        author: text_of(r, 7)?,
        reason: r.get(8)?,
        audit_seq: r.get(9)?,
        body: blob_of(r, 10)?,
        hash: blob_of(r, 11)?,
        sealed: sealed_of(r, 12)?,
        owner: r.get(13)?,
    })
}

fn entry_of(row: &AuditRow) -> AuditEntry {
    AuditEntry {
        seq: row.seq,
        at: row.at,
        actor: row.actor.clone(),
        action: row.action.clone(),
        subject: row.subject.clone(),
        hash: to_hex(&row.hash),
    }
}

/// Append an audit entry inside an open transaction.
fn append_audit(
    conn: &Connection,
    at: i64,
    actor: &str,
    action: &str,
    subject: Option<&str>,
    range: Option<(i64, i64)>,
    digest: chain::Hash,
) -> Result<AuditRow> {
    let (seq, prev_hash) = match last_audit(conn)? {
        Some(last) => (last.seq + 1, last.hash),
        None => (1, chain::GENESIS.to_vec()),
    };
    let (first_rev, last_rev) = range.map_or((None, None), |(a, b)| (Some(a), Some(b)));
    let hash = chain::audit_hash(
        seq, at, actor, action, subject, first_rev, last_rev, &digest, &prev_hash,
    );
    conn.prepare_cached(
        "INSERT INTO audit (seq, at, actor, action, subject, first_rev, last_rev, digest, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![seq, at, actor, action, subject, first_rev, last_rev, &digest[..], &prev_hash, &hash[..]])?;
    Ok(AuditRow {
        seq,
        at,
        actor: actor.into(),
        action: action.into(),
        subject: subject.map(String::from),
        first_rev,
        last_rev,
        digest: digest.to_vec(),
        prev_hash,
        hash: hash.to_vec(),
    })
}

/// Unwrap every organisation key. A store without any (new, or written before sealing
/// existed) first gets its own organisation, with a fresh key, recorded in the audit log.
/// The audit entry of a new organisation (it adds no revision).
fn audit_organisation_created(
    conn: &Connection,
    at: i64,
    actor: &str,
    id: &RecordId,
) -> Result<()> {
    append_audit(
        conn,
        at,
        actor,
        "organisation.create",
        Some(&id.to_string()),
        None,
        ChangeDigest::new().finish(),
    )?;
    Ok(())
}

fn unlock_organisations(conn: &Connection, master: &MasterKey, actor: &str) -> Result<Keyring> {
    let count: i64 = conn.query_row("SELECT count(*) FROM organisations", [], |r| r.get(0))?;
    if count == 0 {
        let id = RecordId::new();
        let key = OrgKey::generate()?;
        let wrapped = master.wrap(&key, id.as_bytes())?;
        let at = now_ms();
        conn.execute(
            "INSERT INTO organisations (num, id, name, wrapped_key, created_at) VALUES (1, ?1, ?2, ?3, ?4)",
            params![id_bytes(&id), DEFAULT_ORGANISATION, wrapped, at],
        )?;
        audit_organisation_created(conn, at, actor, &id)?;
    }
    let mut stmt = conn.prepare(
        "SELECT num, id, name, wrapped_key, signing_key FROM organisations ORDER BY num",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, Vec<u8>>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Vec<u8>>(3)?,
            r.get::<_, Option<Vec<u8>>>(4)?,
        ))
    })?;
    let mut orgs = Vec::new();
    for row in rows {
        let (num, id, name, wrapped, signing) = row?;
        let id = read_id(id)?;
        let key = master.unwrap(&wrapped, id.as_bytes()).map_err(|_| {
            StoreError::Database(format!(
                "the key of organisation {num} does not open with this store's key; run athar verify"
            ))
        })?;
        let signing = match signing {
            Some(sealed) => master
                .open_secret(&sealed, &signing_context(&id))
                .ok()
                .and_then(|seed| OrgSigningKey::from_seed(&seed))
                .ok_or_else(|| {
                    StoreError::Database(format!(
                        "the signing key of organisation {num} does not open; run athar verify"
                    ))
                })?,
            None => {
                // Organisations made before packages existed get their signing key now.
                let key = OrgSigningKey::generate()?;
                let sealed = master.seal_secret(key.seed().as_ref(), &signing_context(&id))?;
                conn.execute(
                    "UPDATE organisations SET signing_key = ?2 WHERE num = ?1",
                    params![num, sealed],
                )?;
                append_audit(
                    conn,
                    now_ms(),
                    actor,
                    "organisation.signing-key",
                    Some(&format!("{id} {}", key.public_hex())),
                    None,
                    ChangeDigest::new().finish(),
                )?;
                key
            }
        };
        orgs.push(Organisation::new(num, id, name, key, signing));
    }
    Ok(Keyring::new(orgs))
}

fn signing_context(org: &RecordId) -> Vec<u8> {
    let mut c = b"signing key\0".to_vec();
    c.extend_from_slice(org.as_bytes());
    c
}

/// The name of the organisation a new store starts with; it can be renamed.
pub const DEFAULT_ORGANISATION: &str = "Local organisation";

impl SqliteStore {
    /// Create a new store in `dir`: key parameters, the encrypted database, the schema, the
    /// first audit entry, and the key of the store's own organisation.
    pub fn create(dir: &DataDir, passphrase: &str, actor: &str) -> Result<SqliteStore> {
        let (key, master) = dir.create_key(passphrase)?;
        let mut conn = connect(&dir.database(), &key)?;
        migrate(&mut conn)?;
        let store_id = RecordId::new().to_string();
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('store_id', ?1)",
            [&store_id],
        )?;
        append_audit(
            &conn,
            now_ms(),
            actor,
            "store.init",
            Some(&store_id),
            None,
            ChangeDigest::new().finish(),
        )?;
        SqliteStore::with_connection(&dir.database(), key, master, conn, actor)
    }

    /// Open an existing store with its passphrase.
    pub fn open(dir: &DataDir, passphrase: &str) -> Result<SqliteStore> {
        let (key, master) = dir.derive_keys(passphrase)?;
        SqliteStore::open_with_keys(&dir.database(), key, master)
    }

    /// Open (creating the file if needed) with keys already derived.
    pub fn open_with_keys(path: &Path, key: StoreKey, master: MasterKey) -> Result<SqliteStore> {
        let mut writer = connect(path, &key)?;
        migrate(&mut writer)?;
        SqliteStore::with_connection(path, key, master, writer, "athar")
    }

    fn with_connection(
        path: &Path,
        key: StoreKey,
        master: MasterKey,
        writer: Connection,
        actor: &str,
    ) -> Result<SqliteStore> {
        let keyring = unlock_organisations(&writer, &master, actor)?;
        // A bulk load that was interrupted leaves tags to merge.
        name_index::merge_pending(&writer)?;
        // A store whose index holds an earlier version's keys is indexed again, once.
        name_index::reindex_if_older(&writer, &keyring)?;
        // Likewise a store without counting facts, or with an earlier version's.
        count_facts::rebuild_if_older(&writer)?;
        Ok(SqliteStore {
            path: path.to_path_buf(),
            key,
            keyring: RwLock::new(Arc::new(keyring)),
            master,
            bulk: AtomicBool::new(false),
            writer: Mutex::new(writer),
            readers: Mutex::new(ReaderPool::default()),
            reader_free: Condvar::new(),
            search_cache: Mutex::default(),
            tag_cache: Mutex::default(),
        })
    }

    /// Read the organisations again: one added by another process (`athar org add` while
    /// the server runs) is unlocked and usable from now on, without a restart.
    pub fn refresh_organisations(&self) -> Result<()> {
        let keyring = {
            let conn = lock(&self.writer);
            unlock_organisations(&conn, &self.master, "athar")?
        };
        *self.keyring.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(keyring);
        Ok(())
    }

    /// The organisation keys, for preparing change sets on another thread.
    pub fn keyring_handle(&self) -> Arc<Keyring> {
        Store::keyring(self)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Run `f` with a reader connection from the pool, waiting for one when all
    /// [`READER_LIMIT`] are in use.
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        if HOLDS_READER.with(|h| h.get()) {
            // Nested: this thread already keeps one of the pool's readers busy.
            let conn = connect_reader(&self.path, &self.key)?;
            return f(&conn);
        }
        let conn = {
            let mut pool = lock(&self.readers);
            loop {
                if let Some(c) = pool.idle.pop() {
                    break Some(c);
                }
                if pool.open < READER_LIMIT {
                    pool.open += 1;
                    break None;
                }
                pool = self
                    .reader_free
                    .wait(pool)
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
            }
        };
        // From here the slot is this thread's: it is given back however `f` ends.
        let mut lent = Lent {
            store: self,
            conn: None,
        };
        let conn = match conn {
            Some(c) => c,
            None => connect_reader(&self.path, &self.key)?,
        };
        HOLDS_READER.with(|h| h.set(true));
        let conn = lent.conn.insert(conn);
        f(conn)
    }

    /// How many reader connections are open now (idle or in use): never more than
    /// [`READER_LIMIT`].
    pub fn open_readers(&self) -> usize {
        lock(&self.readers).open
    }

    /// For loading many records at once with nobody else using the store: a rollback
    /// journal instead of the write-ahead log (each page is written once, not twice), a
    /// larger cache, and name index tags merged in one sorted pass at the end. Every write
    /// stays atomic and durable. Turn it off again when done.
    pub fn set_bulk_mode(&self, on: bool) -> Result<()> {
        {
            let mut pool = lock(&self.readers);
            let closed = pool.idle.len();
            pool.idle.clear();
            pool.open -= closed;
        }
        let conn = lock(&self.writer);
        self.bulk.store(on, Ordering::SeqCst);
        if on {
            // Leaving the log needs the store alone: while another process (a running
            // server, say) has it open the switch fails, and the load goes through the log
            // as any other write, slower but just as safe.
            let mode: String = conn
                .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
                .unwrap_or_default();
            if !mode.eq_ignore_ascii_case("delete") {
                self.bulk.store(false, Ordering::SeqCst);
                return Ok(());
            }
            conn.execute_batch(&format!("PRAGMA cache_size = -{};", BULK_CACHE_MIB * 1024))?;
        } else {
            name_index::merge_pending(&conn)?;
            conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA cache_size = -32768;")?;
        }
        Ok(())
    }

    /// During a bulk load, let the writer's page cache grow to `mib` MiB; it takes memory
    /// only as the load touches pages. A load whose record ids come in random order — an
    /// imported list's, derived from its rows — reaches its indexes at random pages: a
    /// million-row import ran 104 s with 256 MiB, 91 s with 512 MiB and 81 s with 1 GiB
    /// (docs/BENCHMARKS.md). A load in id order (the demo's) gains nothing. Outside bulk
    /// mode this does nothing; leaving bulk mode restores the usual cache.
    pub fn set_bulk_cache_mib(&self, mib: u32) -> Result<()> {
        let conn = lock(&self.writer);
        if self.bulk.load(Ordering::SeqCst) {
            conn.execute_batch(&format!("PRAGMA cache_size = -{};", u64::from(mib) * 1024))?;
        }
        Ok(())
    }
}

/// The wrapped data key of a stored sealed value, unless it has been shredded.
fn record_key(conn: &Connection, id: &RecordId, sealed: &[u8]) -> Result<Option<(i64, Vec<u8>)>> {
    let key_id = key_id_of(sealed).unwrap_or_default();
    Ok(conn
        .prepare_cached(
            "SELECT org, wrapped FROM record_keys WHERE record_id = ?1 AND key_id = ?2",
        )?
        .query_row(params![id_bytes(id), &key_id[..]], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?)
}

fn sealed_of(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<Vec<u8>>> {
    Ok(match r.get_ref(i)? {
        rusqlite::types::ValueRef::Null => None,
        _ => Some(blob_of(r, i)?),
    })
}

impl SqliteStore {
    /// A stored revision as the model sees it: the clear body with its identifying parts
    /// opened and put back. The flag says they were shredded.
    fn materialise(
        &self,
        conn: &Connection,
        kind: RecordKind,
        id: RecordId,
        clear: &[u8],
        sealed: Option<&[u8]>,
    ) -> Result<(RecordBody, bool)> {
        let mut body = parse_body(kind, clear)?;
        let Some(sealed) = sealed else {
            return Ok((body, false));
        };
        let key = record_key(conn, &id, sealed)?;
        match self.keyring().open(kind, id, sealed, key)? {
            Opened::Parts(parts) => {
                restore_identifying(&mut body, parts);
                Ok((body, false))
            }
            Opened::Shredded => Ok((body, true)),
        }
    }

    /// The blind index tags of the person revision at `seq`, to remove them.
    fn tags_at(
        &self,
        conn: &Connection,
        kind: RecordKind,
        id: RecordId,
        seq: i64,
    ) -> Result<Vec<i64>> {
        if kind != RecordKind::Person {
            return Ok(Vec::new());
        }
        let (_, _, sealed) = revision_body(conn, seq)?;
        let Some(sealed) = sealed else {
            return Ok(Vec::new());
        };
        match record_key(conn, &id, &sealed)? {
            Some((org, wrapped)) => {
                match self
                    .keyring()
                    .open(kind, id, &sealed, Some((org, wrapped)))?
                {
                    Opened::Parts(parts) => self.keyring().tags_of(org, &parts),
                    Opened::Shredded => Ok(Vec::new()),
                }
            }
            None => Ok(Vec::new()),
        }
    }
}

impl SqliteStore {
    /// The directory `name` beside the database file, where the store keeps files of its
    /// own (evidence, kept counts).
    fn beside_database(&self, name: &str) -> PathBuf {
        self.path
            .parent()
            .map(|p| p.join(name))
            .unwrap_or_else(|| PathBuf::from(name))
    }
}

impl Store for SqliteStore {
    fn refresh_organisations(&self) -> Result<()> {
        SqliteStore::refresh_organisations(self)
    }

    fn keyring(&self) -> Arc<Keyring> {
        Arc::clone(&self.keyring.read().unwrap_or_else(|p| p.into_inner()))
    }
    fn write_prepared(&self, prepared: Prepared) -> Result<Written> {
        write::write_prepared(self, prepared)
    }
    fn write_stream(
        &self,
        header: WriteHeader,
        next: &mut dyn FnMut() -> NextPart,
    ) -> Result<Option<StreamWritten>> {
        write::write_stream(self, header, next)
    }
    fn shred(&self, kind: RecordKind, id: RecordId, author: &str, reason: &str) -> Result<Written> {
        write::shred(self, kind, id, author, reason)
    }
    fn find_persons(&self, query: &str, limit: usize) -> Result<Vec<StoredRecord>> {
        Ok(name_search::search(self, None, query, None, limit)?
            .items
            .into_iter()
            .map(|m| m.record)
            .collect())
    }
    fn find_persons_for(
        &self,
        org: i64,
        query: &str,
        after: Option<SearchCursor>,
        limit: usize,
    ) -> Result<PersonMatches> {
        name_search::search(self, Some(org), query, after, limit)
    }
    fn get(&self, kind: RecordKind, id: RecordId) -> Result<StoredRecord> {
        read::get(self, kind, id)
    }
    fn list(
        &self,
        kind: RecordKind,
        after: Option<RecordId>,
        limit: usize,
    ) -> Result<Vec<StoredRecord>> {
        self.list_visible(None, kind, after, limit)
    }
    fn list_for(
        &self,
        org: i64,
        kind: RecordKind,
        after: Option<RecordId>,
        limit: usize,
    ) -> Result<Vec<StoredRecord>> {
        self.list_visible(Some(org), kind, after, limit)
    }
    fn count_for(&self, org: i64, kind: RecordKind) -> Result<u64> {
        read::count_for(self, org, kind)
    }
    fn visibility(&self, org: i64, kind: RecordKind, id: RecordId) -> Result<Visibility> {
        sharing::visibility(self, org, kind, id)
    }
    fn set_shares(
        &self,
        author: &str,
        kind: RecordKind,
        id: RecordId,
        shares: &[Share],
    ) -> Result<AuditEntry> {
        sharing::set_shares(self, author, kind, id, shares)
    }
    fn shares(&self, kind: RecordKind, id: RecordId) -> Result<Vec<Share>> {
        sharing::shares(self, kind, id)
    }
    fn create_organisation(&self, actor: &str, name: &str) -> Result<Organisation> {
        sharing::create_organisation(self, actor, name)
    }
    fn data_marks(&self) -> Result<crate::DataMarks> {
        self.read(|conn| {
            let (revisions, runs, shared) = conn.query_row(
                "SELECT (SELECT coalesce(max(rowid), 0) FROM revisions),
                        (SELECT coalesce(max(id), 0) FROM linkage_runs),
                        (SELECT coalesce(max(seq), 0) FROM audit WHERE action = 'record.share')",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            Ok(crate::DataMarks {
                revisions,
                runs,
                shared,
            })
        })
    }
    fn changed_since(&self, mark: i64, at_most: usize) -> Result<Option<crate::ChangedRecords>> {
        self.read(|conn| read::changed_since(conn, mark, at_most))
    }
    fn count(&self, kind: RecordKind) -> Result<u64> {
        read::count(self, kind)
    }
    fn history(&self, kind: RecordKind, id: RecordId) -> Result<Vec<Revision>> {
        read::history(self, kind, id)
    }
    fn involvements_of_person(&self, person: RecordId) -> Result<Vec<StoredRecord>> {
        read::involvements_of_person(self, person)
    }
    fn involvements_of_event(&self, event: RecordId) -> Result<Vec<StoredRecord>> {
        read::involvements_of_event(self, event)
    }
    fn audit(&self, actor: &str, action: &str, subject: Option<&str>) -> Result<AuditEntry> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let row = append_audit(
            &tx,
            now_ms(),
            actor,
            action,
            subject,
            None,
            ChangeDigest::new().finish(),
        )?;
        tx.commit()?;
        Ok(entry_of(&row))
    }
    fn audit_about(&self, subject: &str) -> Result<Vec<AuditEntry>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT seq, at, actor, action, subject, first_rev, last_rev, digest, prev_hash, hash
                 FROM audit WHERE subject = ?1 OR subject LIKE ?2 ORDER BY seq",
            )?;
            let rows = stmt.query_map(params![subject, format!("{subject} %")], audit_row)?;
            rows.map(|r| Ok(entry_of(&r?))).collect()
        })
    }
    fn maintain(&self) -> Result<Maintenance> {
        if self.bulk.load(Ordering::SeqCst) {
            return Ok(Maintenance::default());
        }
        let conn = lock(&self.writer);
        let mut log = self.path.clone().into_os_string();
        log.push("-wal");
        let log_bytes = std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
        // Wait a moment for readers, not the ten seconds writes may wait: the writer is
        // held meanwhile.
        conn.execute_batch("PRAGMA busy_timeout = 100;")?;
        let outcome = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            r.get::<_, i64>(0)
        });
        conn.execute_batch("PRAGMA busy_timeout = 10000;")?;
        match outcome {
            Ok(busy) => Ok(Maintenance {
                log_bytes,
                emptied: busy == 0,
            }),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if matches!(
                    e.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) =>
            {
                Ok(Maintenance {
                    log_bytes,
                    emptied: false,
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    fn audit_head(&self) -> Result<AuditEntry> {
        self.read(|conn| {
            last_audit(conn)?
                .map(|r| entry_of(&r))
                .ok_or_else(|| StoreError::Database("the audit log is empty".into()))
        })
    }
    fn verify(&self, progress: &mut dyn FnMut(u64)) -> Result<VerifyReport> {
        verify::verify(self, progress)
    }
    fn count_facts_for(
        &self,
        org: i64,
        visit: &mut dyn FnMut(RecordId, &athar_model::facts::RecordFacts) -> Result<()>,
    ) -> Result<()> {
        self.read(|conn| count_facts::for_org(conn, org, visit))
    }
    fn kept_counts(
        &self,
        org: i64,
        into: &mut dyn crate::KeptCountsReader,
    ) -> Result<Option<crate::DataMarks>> {
        self.read_kept_counts(org, into)
    }
    fn keep_counts(
        &self,
        org: i64,
        marks: crate::DataMarks,
        write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<()> {
        self.write_kept_counts(org, marks, write)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_version_reads_an_index_not_the_audit_chain() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = SqliteStore::create(&DataDir::new(tmp.path().join("d")), "passphrase x", "t")
            .unwrap_or_else(|e| panic!("{e}"));
        let plan: Vec<String> = store
            .read(|conn| {
                let mut stmt = conn.prepare(
                    "EXPLAIN QUERY PLAN SELECT coalesce(max(seq), 0) FROM audit WHERE action = 'record.share'",
                )?;
                let rows = stmt.query_map([], |r| r.get::<_, String>(3))?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            plan.iter().any(|p| p.contains("audit_by_action")),
            "{plan:?}"
        );
    }

    fn writer_cache(store: &SqliteStore) -> i64 {
        lock(&store.writer)
            .query_row("PRAGMA cache_size", [], |r| r.get(0))
            .unwrap_or(0)
    }

    #[test]
    fn a_bulk_load_may_ask_for_a_larger_cache_and_gives_it_back() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let dir = DataDir::new(tmp.path().join("data"));
        let store = SqliteStore::create(&dir, "cache test passphrase", "test")
            .unwrap_or_else(|e| panic!("{e}"));
        let usual = writer_cache(&store);
        assert_eq!(usual, -32768);
        // Outside bulk mode the request changes nothing.
        store
            .set_bulk_cache_mib(1024)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(writer_cache(&store), usual);
        store.set_bulk_mode(true).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(writer_cache(&store), -262_144);
        store
            .set_bulk_cache_mib(1024)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(writer_cache(&store), -1_048_576);
        store.set_bulk_mode(false).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(writer_cache(&store), usual);
    }
}
