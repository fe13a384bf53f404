//! [`Store::kept_counts`] and [`Store::keep_counts`] on the embedded store: an
//! organisation's counting kept between processes (`kept_counts`, `kept_count_parts`,
//! migration 0012), in parts of at most [`PART_BYTES`], with the SHA-256 of the whole.

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use sha2::{Digest, Sha256};

use super::{Connection, SqliteStore, lock};
use crate::{DataMarks, KeptCounts, Problem, Result};

/// The largest part written in one row: far below SQLite's largest blob, so that an
/// archive of many millions of records is kept as easily as a small one.
const PART_BYTES: usize = 64 << 20;

impl SqliteStore {
    pub(in crate::sqlite) fn read_kept_counts(
        conn: &Connection,
        org: i64,
    ) -> Result<Option<KeptCounts>> {
        let Some((revisions, runs, shared, parts, checksum)) = conn
            .query_row(
                "SELECT revisions, runs, shared, parts, checksum FROM kept_counts WHERE org = ?1",
                [org],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, Vec<u8>>(4)?,
                    ))
                },
            )
            .optional()?
        else {
            return Ok(None);
        };
        let mut bytes = Vec::new();
        let mut read = 0i64;
        let mut rows = conn.prepare_cached(
            "SELECT part, bytes FROM kept_count_parts WHERE org = ?1 ORDER BY part",
        )?;
        let mut rows = rows.query([org])?;
        while let Some(row) = rows.next()? {
            if row.get::<_, i64>(0)? != read {
                return Ok(None);
            }
            // A part that is not bytes was changed behind the store's back.
            let Ok(part) = row.get_ref(1)?.as_blob() else {
                return Ok(None);
            };
            if bytes.is_empty() {
                bytes.reserve_exact(part.len().saturating_mul(parts.max(1) as usize));
            }
            bytes.extend_from_slice(part);
            read += 1;
        }
        // Parts missing or damaged: as if nothing were kept — the caller counts afresh.
        if read != parts || Sha256::digest(&bytes).as_slice() != checksum.as_slice() {
            return Ok(None);
        }
        Ok(Some(KeptCounts {
            marks: DataMarks {
                revisions,
                runs,
                shared,
            },
            bytes,
        }))
    }

    pub(in crate::sqlite) fn write_kept_counts(&self, org: i64, kept: &KeptCounts) -> Result<()> {
        let checksum = Sha256::digest(&kept.bytes);
        let parts: Vec<&[u8]> = kept.bytes.chunks(PART_BYTES).collect();
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM kept_count_parts WHERE org = ?1", [org])?;
        tx.execute(
            "INSERT OR REPLACE INTO kept_counts (org, revisions, runs, shared, parts, checksum)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                org,
                kept.marks.revisions,
                kept.marks.runs,
                kept.marks.shared,
                parts.len() as i64,
                checksum.as_slice()
            ],
        )?;
        for (i, part) in parts.iter().enumerate() {
            tx.execute(
                "INSERT INTO kept_count_parts (org, part, bytes) VALUES (?1, ?2, ?3)",
                params![org, i as i64, part],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// The first organisation whose kept counts do not read back whole (a part missing, or
/// bytes that are not those the checksum was made of).
pub(in crate::sqlite) fn check(conn: &Connection) -> Result<Option<Problem>> {
    let orgs: Vec<i64> = conn
        .prepare("SELECT org FROM kept_counts ORDER BY org")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for org in orgs {
        if SqliteStore::read_kept_counts(conn, org)?.is_none() {
            return Ok(Some(Problem {
                table: "kept counts",
                seq: None,
                problem: format!(
                    "the counting kept for organisation {org} is damaged; it is counted afresh \
                     when next needed"
                ),
            }));
        }
    }
    Ok(None)
}
