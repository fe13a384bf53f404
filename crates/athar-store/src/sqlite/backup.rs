//! Backups: a consistent encrypted snapshot taken while the store is in use, and restore.
//!
//! A backup is one file:
//!
//! ```text
//! ATHAR-BACKUP 2\n
//! {key parameters as JSON: Argon2id salt and costs, not secret}\n
//! sections: kind (1 byte: 1 database, 2 evidence file, 0 end), name length (u16, big
//!           endian), name, length (u64, big endian), bytes
//! ```
//!
//! The database is written by SQLite's online backup API from a read transaction, so it is
//! one consistent state even while the server writes; it is encrypted page by page on its
//! way to disk (never in the clear, not even in a temporary file). The evidence files that
//! state names follow as they are on disk: sealed, and never changed once written.
//! Restoring needs the same passphrase; the restored store, evidence included, is verified
//! before it is put in place.
//!
//! **Keys travel apart.** The data keys of records and evidence (`record_keys`) are not in
//! the backup: they go to a small separate file, `FILE.keys`, sealed by the master key, with
//! the list of records shredded so far. Restoring takes the backup and a keys file — the
//! newest one will do for any older backup of the same store. Once a record is shredded,
//! making a new backup and destroying the older keys files makes the record unreadable in
//! every data backup ever made, however many copies of those exist.

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};

use athar_crypto::{KeyParams, to_hex};
use rusqlite::backup::Backup;

use super::{SqliteStore, append_audit, connect, lock, now_ms};
use crate::chain::ChangeDigest;
use crate::layout::DataDir;
use crate::{Result, Store, StoreError, VerifyReport};

const MAGIC: &str = "ATHAR-BACKUP 2";
const KEYS_MAGIC: &str = "ATHAR-BACKUP-KEYS 1";

/// One data key as it travels in a keys file (still wrapped by its organisation's key).
#[derive(serde::Serialize, serde::Deserialize)]
struct KeyRow {
    record: String,
    key_id: String,
    org: i64,
    wrapped: String,
}

/// The content of a keys file, sealed by the master key.
#[derive(serde::Serialize, serde::Deserialize)]
struct KeyFile {
    store_id: String,
    keys: Vec<KeyRow>,
    /// Records shredded so far (id, kind), so that an older backup restored with these keys
    /// learns of its shreddings.
    shredded: Vec<(String, i64)>,
}

/// Where the keys of a backup go: beside it, with `.keys` added.
pub fn keys_file_of(backup: &Path) -> PathBuf {
    let mut name = backup.as_os_str().to_os_string();
    name.push(".keys");
    PathBuf::from(name)
}

fn keys_aad(store_id: &str) -> Vec<u8> {
    format!("backup keys\0{store_id}").into_bytes()
}
const SECTION_END: u8 = 0;
const SECTION_DATABASE: u8 = 1;
const SECTION_EVIDENCE: u8 = 2;

/// Writes through to a file and hashes what passes.
struct Hashing<W: Write> {
    inner: W,
    hasher: sha2::Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn section(out: &mut dyn Write, kind: u8, name: &str, path: &Path) -> std::io::Result<()> {
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    out.write_all(&[kind])?;
    out.write_all(&(name.len() as u16).to_be_bytes())?;
    out.write_all(name.as_bytes())?;
    out.write_all(&len.to_be_bytes())?;
    let copied = std::io::copy(&mut (&mut file).take(len), out)?;
    if copied != len {
        return Err(std::io::Error::other(
            "a file changed size while it was backed up",
        ));
    }
    Ok(())
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |error| StoreError::Io {
        path: path.display().to_string(),
        error,
    }
}

fn invalid(path: &Path, why: &str) -> StoreError {
    StoreError::Database(format!("{} is not an Athar backup: {why}", path.display()))
}

/// What a backup wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BackupSummary {
    /// The file of data keys, to keep apart from the backup.
    pub keys_file: PathBuf,
    /// How many data keys it holds.
    pub keys: usize,
    pub bytes: u64,
    /// SHA-256 of the backup file, hex; also recorded in the store's audit chain.
    pub sha256: String,
    /// The audit entry that records the backup.
    pub audit_seq: i64,
}

/// A file beside `out` for the database part while it is being written.
fn scratch(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    out.with_file_name(name)
}

impl SqliteStore {
    /// Put the data keys of a keys file into a store just unpacked from a backup, and
    /// shred what was shredded since the backup was made.
    fn apply_keys(&self, path: &Path) -> Result<()> {
        let text = std::fs::read_to_string(path).map_err(io(path))?;
        let mut lines = text.lines();
        if lines.next() != Some(KEYS_MAGIC) {
            return Err(StoreError::Database(format!(
                "{} is not an Athar keys file",
                path.display()
            )));
        }
        let _params = lines.next();
        let store_id = lines.next().unwrap_or_default().to_string();
        let sealed = lines
            .next()
            .and_then(athar_crypto::from_hex)
            .ok_or_else(|| StoreError::Database(format!("{} is damaged", path.display())))?;
        let own_id: String = {
            let conn = lock(&self.writer);
            conn.query_row("SELECT value FROM meta WHERE key = 'store_id'", [], |r| {
                r.get(0)
            })?
        };
        if store_id != own_id {
            return Err(StoreError::Database(format!(
                "{} holds the keys of another store",
                path.display()
            )));
        }
        let json = athar_crypto::Zeroizing::new(
            self.master
                .open_secret(&sealed, &keys_aad(&store_id))
                .map_err(|_| {
                    StoreError::Database(format!(
                        "{} is damaged or not of this store",
                        path.display()
                    ))
                })?,
        );
        let content: KeyFile = serde_json::from_slice(&json)
            .map_err(|_| StoreError::Database(format!("{} is damaged", path.display())))?;
        {
            let mut conn = lock(&self.writer);
            let tx = conn.transaction()?;
            for k in &content.keys {
                let (Some(record), Some(key_id), Some(wrapped)) = (
                    athar_crypto::from_hex(&k.record),
                    athar_crypto::from_hex(&k.key_id),
                    athar_crypto::from_hex(&k.wrapped),
                ) else {
                    return Err(StoreError::Database(format!(
                        "{} is damaged",
                        path.display()
                    )));
                };
                tx.execute(
                    "INSERT OR IGNORE INTO record_keys (record_id, key_id, org, wrapped) VALUES (?1, ?2, ?3, ?4)",
                    rusqlite::params![record, key_id, k.org, wrapped],
                )?;
            }
            tx.commit()?;
        }
        for (id, kind) in &content.shredded {
            let Some(id) = athar_crypto::from_hex(id)
                .and_then(|b| <[u8; 16]>::try_from(b).ok())
                .map(athar_model::RecordId::from_bytes)
            else {
                continue;
            };
            let Some(kind) = athar_model::RecordKind::from_code(*kind) else {
                continue;
            };
            let already: bool = {
                let conn = lock(&self.writer);
                conn.query_row(
                    "SELECT EXISTS (SELECT 1 FROM heads h JOIN revisions r ON r.seq = h.seq WHERE h.id = ?1 AND r.op = 4)
                        OR NOT EXISTS (SELECT 1 FROM heads WHERE id = ?1)",
                    [id.as_bytes().as_slice()],
                    |r| r.get(0),
                )?
            };
            if !already {
                self.shred(kind, id, "athar", "shredded after this backup was made")?;
            }
        }
        Ok(())
    }

    fn write_keys(&self, path: &Path, params: &KeyParams, content: &KeyFile) -> Result<()> {
        let json = athar_crypto::Zeroizing::new(
            serde_json::to_vec(content).map_err(|e| StoreError::Database(e.to_string()))?,
        );
        let sealed = self
            .master
            .seal_secret(&json, &keys_aad(&content.store_id))?;
        let params =
            serde_json::to_string(params).map_err(|e| StoreError::Database(e.to_string()))?;
        let mut file = std::fs::File::create_new(path).map_err(io(path))?;
        file.write_all(
            format!(
                "{KEYS_MAGIC}\n{params}\n{}\n{}\n",
                content.store_id,
                to_hex(&sealed)
            )
            .as_bytes(),
        )
        .map_err(io(path))?;
        file.sync_all().map_err(io(path))?;
        Ok(())
    }

    /// Write a consistent encrypted snapshot of the store to `out` (which must not exist),
    /// then record its SHA-256 in the audit chain.
    pub fn backup(&self, key_file: &Path, out: &Path) -> Result<BackupSummary> {
        if out.exists() {
            return Err(StoreError::Database(format!(
                "{} exists already; choose a new file",
                out.display()
            )));
        }
        let params = std::fs::read(key_file).map_err(io(key_file))?;
        let params: KeyParams = serde_json::from_slice(&params)
            .map_err(|e| StoreError::Database(format!("the key file is unreadable: {e}")))?;
        let part = scratch(out);
        let _ = std::fs::remove_file(&part);
        let copied = (|| -> Result<(Vec<String>, KeyFile)> {
            let mut dest = connect(&part, &self.key)?;
            self.read(|source| {
                let backup = Backup::new(source, &mut dest)?;
                // All pages in one step: one read transaction, one consistent state.
                backup.step(-1)?;
                Ok(())
            })?;
            dest.execute_batch("PRAGMA journal_mode = DELETE;")?;
            // The evidence files this state knows.
            let ids = {
                let mut stmt = dest.prepare("SELECT id FROM evidence ORDER BY id")?;
                stmt.query_map([], |r| r.get::<_, Vec<u8>>(0))?
                    .map(|r| r.map(|id| to_hex(&id)))
                    .collect::<rusqlite::Result<Vec<_>>>()?
            };
            // The keys leave the copy for their own file; the freed pages are zeroed and
            // the file rebuilt, so no copy of a key stays in the backup.
            let keys = {
                let mut stmt =
                    dest.prepare("SELECT record_id, key_id, org, wrapped FROM record_keys")?;
                stmt.query_map([], |r| {
                    Ok(KeyRow {
                        record: to_hex(&r.get::<_, Vec<u8>>(0)?),
                        key_id: to_hex(&r.get::<_, Vec<u8>>(1)?),
                        org: r.get(2)?,
                        wrapped: to_hex(&r.get::<_, Vec<u8>>(3)?),
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?
            };
            let shredded = {
                let mut stmt =
                    dest.prepare("SELECT DISTINCT record_id, kind FROM revisions WHERE op = 4")?;
                stmt.query_map([], |r| {
                    Ok((to_hex(&r.get::<_, Vec<u8>>(0)?), r.get::<_, i64>(1)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?
            };
            let store_id: String =
                dest.query_row("SELECT value FROM meta WHERE key = 'store_id'", [], |r| {
                    r.get(0)
                })?;
            dest.execute_batch("DELETE FROM record_keys; VACUUM;")?;
            Ok((
                ids,
                KeyFile {
                    store_id,
                    keys,
                    shredded,
                },
            ))
        })();
        let (evidence, key_file_content) = match copied {
            Ok(c) => c,
            Err(e) => {
                let _ = std::fs::remove_file(&part);
                return Err(e);
            }
        };
        let evidence_dir = self
            .path
            .parent()
            .map(|p| p.join("evidence"))
            .unwrap_or_default();
        let written = (|| -> Result<(u64, String)> {
            use sha2::Digest;
            let file = std::fs::File::create_new(out).map_err(io(out))?;
            let mut w = Hashing {
                inner: std::io::BufWriter::new(file),
                hasher: sha2::Sha256::default(),
                bytes: 0,
            };
            let json =
                serde_json::to_string(&params).map_err(|e| StoreError::Database(e.to_string()))?;
            let header = format!("{MAGIC}\n{json}\n");
            w.write_all(header.as_bytes()).map_err(io(out))?;
            section(&mut w, SECTION_DATABASE, "athar.db", &part).map_err(io(out))?;
            for id in &evidence {
                let path = evidence_dir.join(id);
                section(&mut w, SECTION_EVIDENCE, id, &path).map_err(io(&path))?;
            }
            w.write_all(&[SECTION_END]).map_err(io(out))?;
            let file = w.inner.into_inner().map_err(|e| io(out)(e.into_error()))?;
            file.sync_all().map_err(io(out))?;
            Ok((w.bytes, to_hex(&w.hasher.finalize())))
        })();
        let _ = std::fs::remove_file(&part);
        for suffix in ["-journal", "-wal", "-shm"] {
            let mut p = part.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
        let (bytes, sha) = match written {
            Ok(w) => w,
            Err(e) => {
                let _ = std::fs::remove_file(out);
                return Err(e);
            }
        };
        let keys_path = keys_file_of(out);
        let keys = key_file_content.keys.len();
        if let Err(e) = self.write_keys(&keys_path, &params, &key_file_content) {
            let _ = std::fs::remove_file(out);
            let _ = std::fs::remove_file(&keys_path);
            return Err(e);
        }
        let conn = lock(&self.writer);
        let entry = append_audit(
            &conn,
            now_ms(),
            "athar",
            "store.backup",
            Some(&sha),
            None,
            ChangeDigest::new().finish(),
        )?;
        Ok(BackupSummary {
            keys_file: keys_path,
            keys,
            bytes,
            sha256: sha,
            audit_seq: entry.seq,
        })
    }

    /// Restore a backup into `dir`, which must hold no store. The backup is opened with
    /// the passphrase and verified before anything is put in place; on any failure `dir` is
    /// left as it was.
    pub fn restore(
        dir: &DataDir,
        backup: &Path,
        keys: &Path,
        passphrase: &str,
    ) -> Result<VerifyReport> {
        if dir.is_initialised() {
            return Err(StoreError::AlreadyInitialised(
                dir.root.display().to_string(),
            ));
        }
        let file = std::fs::File::open(backup).map_err(io(backup))?;
        let mut reader = std::io::BufReader::new(file);
        let mut magic = String::new();
        reader
            .by_ref()
            .take(64)
            .read_line(&mut magic)
            .map_err(io(backup))?;
        if magic.trim_end() == "ATHAR-BACKUP 1" {
            return Err(invalid(
                backup,
                "it was written by a development version of this format (1); make a new backup",
            ));
        }
        if magic.trim_end() != MAGIC {
            return Err(invalid(backup, "it does not start with the backup header"));
        }
        let mut json = String::new();
        reader
            .by_ref()
            .take(4096)
            .read_line(&mut json)
            .map_err(io(backup))?;
        let params: KeyParams = serde_json::from_str(json.trim_end())
            .map_err(|_| invalid(backup, "its key parameters are unreadable"))?;
        let (key, master) = params.derive_keys(passphrase)?;

        // Unpack and check in a scratch directory beside the target, then move into place.
        let parent = dir
            .root
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        std::fs::create_dir_all(&parent).map_err(io(&parent))?;
        let staging = DataDir::new(parent.join(format!(
            ".{}.restoring",
            dir.root.file_name().unwrap_or_default().to_string_lossy()
        )));
        let _ = std::fs::remove_dir_all(&staging.root);
        std::fs::create_dir_all(&staging.root).map_err(io(&staging.root))?;
        let checked = (|| -> Result<VerifyReport> {
            let db_path = staging.database();
            let evidence_dir = staging.root.join("evidence");
            let mut have_db = false;
            loop {
                let mut kind = [0u8; 1];
                reader
                    .read_exact(&mut kind)
                    .map_err(|_| invalid(backup, "it ends early"))?;
                if kind[0] == SECTION_END {
                    break;
                }
                let mut len = [0u8; 2];
                reader
                    .read_exact(&mut len)
                    .map_err(|_| invalid(backup, "it ends early"))?;
                let mut name = vec![0u8; u16::from_be_bytes(len) as usize];
                reader
                    .read_exact(&mut name)
                    .map_err(|_| invalid(backup, "it ends early"))?;
                let name = String::from_utf8(name)
                    .map_err(|_| invalid(backup, "a section name is not text"))?;
                let mut size = [0u8; 8];
                reader
                    .read_exact(&mut size)
                    .map_err(|_| invalid(backup, "it ends early"))?;
                let size = u64::from_be_bytes(size);
                let target = match kind[0] {
                    SECTION_DATABASE if name == "athar.db" && !have_db => {
                        have_db = true;
                        db_path.clone()
                    }
                    // Evidence files are named by their 32-hex-digit id: nothing else is written.
                    SECTION_EVIDENCE
                        if name.len() == 32 && name.bytes().all(|b| b.is_ascii_hexdigit()) =>
                    {
                        std::fs::create_dir_all(&evidence_dir).map_err(io(&evidence_dir))?;
                        evidence_dir.join(&name)
                    }
                    _ => return Err(invalid(backup, "it holds an unknown section")),
                };
                let mut file = std::fs::File::create_new(&target).map_err(io(&target))?;
                let copied =
                    std::io::copy(&mut (&mut reader).take(size), &mut file).map_err(io(&target))?;
                if copied != size {
                    return Err(invalid(backup, "it ends early"));
                }
                file.sync_all().map_err(io(&target))?;
            }
            if !have_db {
                return Err(invalid(backup, "it holds no database"));
            }
            std::fs::write(staging.key_file(), json.trim_end()).map_err(io(&staging.key_file()))?;
            let store = SqliteStore::open_with_keys(&db_path, key, master)?;
            store.apply_keys(keys)?;
            let report = store.verify(&mut |_| {})?;
            if !report.ok() {
                return Err(StoreError::Database(format!(
                    "the backup does not verify: {}",
                    report.problems[0]
                )));
            }
            let conn = lock(&store.writer);
            append_audit(
                &conn,
                now_ms(),
                "athar",
                "store.restore",
                None,
                None,
                ChangeDigest::new().finish(),
            )?;
            conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
            Ok(report)
        })();
        match checked {
            Ok(report) => {
                std::fs::rename(&staging.root, &dir.root).map_err(io(&dir.root))?;
                Ok(report)
            }
            Err(e) => {
                let _ = std::fs::remove_dir_all(&staging.root);
                Err(e)
            }
        }
    }
}
