//! [`Store::kept_counts`] and [`Store::keep_counts`] on the embedded store: an
//! organisation's counting kept between processes, as a file of its own beside the
//! database (`counts/org-N`), sealed under a fresh data key wrapped by the organisation's
//! key — a file rather than rows, because the database's encryption of every page made
//! reading a hundred and fifty megabytes of it take a second, where a sealed file is read
//! and opened in a tenth of that.
//!
//! The file names the data marks it was counted at and a fingerprint of the store at those
//! marks (the hashes of the revision, the linkage run and the sharing entry they point
//! to), bound into its sealing: a file from another store, from before a restore, damaged
//! or cut short is never read as facts — it is as if nothing were kept.

use std::io::{Read, Write};
use std::path::PathBuf;

use athar_model::RecordId;
use rusqlite::OptionalExtension;
use sha2::{Digest, Sha256};

use super::{Connection, SqliteStore};
use crate::keyring::Keyring;
use crate::{DataMarks, KeptCountsReader, Problem, Result, Store, StoreError};

const MAGIC: &[u8; 8] = b"ATHARKC1";
/// Magic, organisation, the three marks, the fingerprint, the item id, the key id, the
/// wrapped key.
const HEADER: usize = 8 + 8 + 3 * 8 + 32 + 16 + 8 + athar_crypto::envelope::WRAPPED_KEY_LEN;

/// What the store is at `marks`: the hashes of the revision, the linkage run and the
/// sharing entry the marks point to, so that facts kept before a restore from backup (the
/// same marks reached again by other writes) are not taken for these.
fn fingerprint(conn: &Connection, marks: DataMarks) -> Result<[u8; 32]> {
    let mut digest = Sha256::new();
    for (sql, key) in [
        ("SELECT hash FROM revisions WHERE seq = ?1", marks.revisions),
        (
            "SELECT CAST(org AS TEXT) || ':' || CAST(at AS TEXT) FROM linkage_runs WHERE id = ?1",
            marks.runs,
        ),
        ("SELECT hash FROM audit WHERE seq = ?1", marks.shared),
    ] {
        let found: Option<Vec<u8>> = conn
            .query_row(sql, [key], |r| {
                let value = r.get_ref(0)?;
                Ok(value.as_bytes().map(<[u8]>::to_vec).unwrap_or_default())
            })
            .optional()?;
        let found = found.unwrap_or_default();
        digest.update((found.len() as u64).to_le_bytes());
        digest.update(found);
    }
    Ok(digest.finalize().into())
}

/// What the sealing is bound to besides the key's own context: the organisation, the
/// marks and the fingerprint, as the header gives them.
fn bound_to(context: &[u8; 32], header: &[u8]) -> Vec<u8> {
    let mut out = context.to_vec();
    out.extend_from_slice(&header[..8 + 8 + 3 * 8 + 32]);
    out
}

fn number(bytes: &[u8], at: usize) -> i64 {
    let mut n = [0u8; 8];
    n.copy_from_slice(&bytes[at..at + 8]);
    i64::from_le_bytes(n)
}

/// What kept counting is opened to, noting whether it was the reader that refused bytes
/// (they are not counting kept by this build: as if nothing were kept) rather than the
/// file that could not be read (an error of the disk, to report).
struct Refusing<'r> {
    into: &'r mut dyn KeptCountsReader,
    refused: bool,
}

impl Write for Refusing<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let written = self.into.write(bytes);
        self.refused |= written.is_err();
        written
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Kept counting opened only to see that it opens whole (`athar verify`).
struct Discarding;

impl Write for Discarding {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl KeptCountsReader for Discarding {
    fn read_at(&mut self, _: DataMarks) -> bool {
        true
    }
}

impl SqliteStore {
    fn counts_dir(&self) -> PathBuf {
        self.beside_database("counts")
    }

    fn counts_file(&self, org: i64) -> PathBuf {
        self.counts_dir().join(format!("org-{org}"))
    }

    pub(in crate::sqlite) fn read_kept_counts(
        &self,
        org: i64,
        into: &mut dyn KeptCountsReader,
    ) -> Result<Option<DataMarks>> {
        let path = self.counts_file(org);
        let mut file = match std::fs::File::open(&path) {
            Ok(file) => std::io::BufReader::with_capacity(1 << 20, file),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => {
                return Err(StoreError::Io {
                    path: path.display().to_string(),
                    error,
                });
            }
        };
        let mut header = [0u8; HEADER];
        if file.read_exact(&mut header).is_err() || &header[..8] != MAGIC {
            return Ok(None);
        }
        if number(&header, 8) != org {
            return Ok(None);
        }
        let marks = DataMarks {
            revisions: number(&header, 16),
            runs: number(&header, 24),
            shared: number(&header, 32),
        };
        if self.read(|conn| fingerprint(conn, marks))?[..] != header[40..72] {
            return Ok(None);
        }
        if !into.read_at(marks) {
            return Ok(None);
        }
        let id = RecordId::from_bytes(header[72..88].try_into().unwrap_or_default());
        let key_id: [u8; 8] = header[88..96].try_into().unwrap_or_default();
        let keyring = Store::keyring(self);
        let Ok(key) = keyring.data_key(id, &key_id, org, &header[96..]) else {
            return Ok(None);
        };
        let bound = bound_to(&Keyring::context_of(id, &key_id, org), &header);
        let mut into = Refusing {
            into,
            refused: false,
        };
        match key.open_file_unhashed(&bound, &mut file, &mut into) {
            Ok(_) => Ok(Some(marks)),
            Err(athar_crypto::envelope::FileOpenError::Io(error)) if !into.refused => {
                Err(StoreError::Io {
                    path: path.display().to_string(),
                    error,
                })
            }
            Err(_) => Ok(None),
        }
    }

    pub(in crate::sqlite) fn write_kept_counts(
        &self,
        org: i64,
        marks: DataMarks,
        write: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<()> {
        let keyring = Store::keyring(self);
        let organisation = keyring.organisation(org)?;
        let id = RecordId::new();
        let (key, key_id, wrapped) = keyring.new_data_key(organisation, id)?;
        let mut header = Vec::with_capacity(HEADER);
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(&org.to_le_bytes());
        for mark in [marks.revisions, marks.runs, marks.shared] {
            header.extend_from_slice(&mark.to_le_bytes());
        }
        header.extend_from_slice(&self.read(|conn| fingerprint(conn, marks))?);
        header.extend_from_slice(id.as_bytes());
        header.extend_from_slice(&key_id);
        header.extend_from_slice(&wrapped);
        let bound = bound_to(&Keyring::context_of(id, &key_id, org), &header);

        let dir = self.counts_dir();
        std::fs::create_dir_all(&dir).map_err(|error| StoreError::Io {
            path: dir.display().to_string(),
            error,
        })?;
        let path = self.counts_file(org);
        // Written beside, then put in place: a reader sees the old file or the new one.
        let part = path.with_extension(format!("part-{}", std::process::id()));
        let io = |error: std::io::Error| StoreError::Io {
            path: part.display().to_string(),
            error,
        };
        let written = (|| -> Result<()> {
            let mut file = std::io::BufWriter::with_capacity(
                1 << 20,
                std::fs::File::create(&part).map_err(io)?,
            );
            file.write_all(&header).map_err(io)?;
            let mut sealing = key.seal_file(&bound, file)?;
            write(&mut sealing).map_err(io)?;
            let (file, _, _) = sealing.finish().map_err(io)?;
            file.into_inner()
                .map_err(|e| io(e.into_error()))?
                .sync_all()
                .map_err(io)?;
            std::fs::rename(&part, &path).map_err(io)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&part);
        }
        written
    }
}

/// The first organisation whose kept counting is there but does not open whole (damaged,
/// cut short, or not this store's at the marks it names). Kept counting that is only
/// behind the data is as it should be: it is brought up to date when next read.
pub(in crate::sqlite) fn check(store: &SqliteStore) -> Result<Option<Problem>> {
    let Ok(entries) = std::fs::read_dir(store.counts_dir()) else {
        return Ok(None);
    };
    let mut orgs: Vec<i64> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str()?.strip_prefix("org-")?.parse().ok())
        .collect();
    orgs.sort_unstable();
    for org in orgs {
        if store.read_kept_counts(org, &mut Discarding)?.is_none() {
            return Ok(Some(Problem {
                table: "kept counts",
                seq: None,
                problem: format!(
                    "the counting kept for organisation {org} does not open whole; it is \
                     counted afresh when next needed"
                ),
            }));
        }
    }
    Ok(None)
}
