//! Backups: a consistent encrypted snapshot taken while the store is in use, and restore.
//!
//! A backup is one file:
//!
//! ```text
//! ATHAR-BACKUP 1\n
//! {key parameters as JSON: Argon2id salt and costs, not secret}\n
//! <the SQLCipher database, encrypted under the store key>
//! ```
//!
//! The database part is written by SQLite's online backup API from a read transaction, so it
//! is one consistent state even while the server writes; it is encrypted page by page on its
//! way to disk (never in the clear, not even in a temporary file). Restoring needs the same
//! passphrase; the restored store is verified before it is put in place.

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};

use athar_crypto::{KeyParams, sha256, to_hex};
use rusqlite::backup::Backup;

use super::{SqliteStore, append_audit, connect, lock, now_ms};
use crate::chain::ChangeDigest;
use crate::layout::DataDir;
use crate::{Result, Store, StoreError, VerifyReport};

const MAGIC: &str = "ATHAR-BACKUP 1";

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
        let copied = (|| -> Result<()> {
            let mut dest = connect(&part, &self.key)?;
            self.read(|source| {
                let backup = Backup::new(source, &mut dest)?;
                // All pages in one step: one read transaction, one consistent state.
                backup.step(-1)?;
                Ok(())
            })?;
            dest.execute_batch("PRAGMA journal_mode = DELETE;")?;
            Ok(())
        })();
        if let Err(e) = copied {
            let _ = std::fs::remove_file(&part);
            return Err(e);
        }
        let written = (|| -> Result<(u64, String)> {
            let mut file = std::fs::File::create_new(out).map_err(io(out))?;
            let json =
                serde_json::to_string(&params).map_err(|e| StoreError::Database(e.to_string()))?;
            let header = format!("{MAGIC}\n{json}\n");
            file.write_all(header.as_bytes()).map_err(io(out))?;
            let mut db = std::fs::File::open(&part).map_err(io(&part))?;
            std::io::copy(&mut db, &mut file).map_err(io(out))?;
            file.sync_all().map_err(io(out))?;
            let bytes = std::fs::read(out).map_err(io(out))?;
            Ok((bytes.len() as u64, to_hex(&sha256(&bytes))))
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
            bytes,
            sha256: sha,
            audit_seq: entry.seq,
        })
    }

    /// Restore a backup into `dir`, which must hold no store. The backup is opened with
    /// the passphrase and verified before anything is put in place; on any failure `dir` is
    /// left as it was.
    pub fn restore(dir: &DataDir, backup: &Path, passphrase: &str) -> Result<VerifyReport> {
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
        let key = params.derive(passphrase)?;

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
            let mut db = std::fs::File::create_new(&db_path).map_err(io(&db_path))?;
            std::io::copy(&mut reader, &mut db).map_err(io(&db_path))?;
            db.sync_all().map_err(io(&db_path))?;
            std::fs::write(staging.key_file(), json.trim_end()).map_err(io(&staging.key_file()))?;
            let store = SqliteStore::open_with_key(&db_path, key)?;
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
