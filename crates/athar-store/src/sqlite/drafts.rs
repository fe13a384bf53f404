//! [`Drafts`] on the embedded store: the `drafts` table, each draft's content sealed with a
//! fresh data key on every save (wrapped by the organisation's key, bound to the draft's id).

use athar_crypto::Zeroizing;
use athar_model::RecordId;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{SqliteStore, id_bytes, lock, now_ms, read_id};
use crate::drafts::{Draft, DraftInfo, Drafts};
use crate::keyring::Keyring;
use crate::{Result, Store, StoreError};

/// The largest draft content accepted: a long case with forty events and their narratives
/// fits many times over.
pub const MAX_DRAFT_BYTES: usize = 1 << 20;

fn info(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Vec<u8>, String, i64, i64, i64)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn to_info(
    (id, kind, rev, created, updated): (Vec<u8>, String, i64, i64, i64),
) -> Result<DraftInfo> {
    Ok(DraftInfo {
        id: read_id(id)?,
        kind,
        rev: u32::try_from(rev).unwrap_or(u32::MAX),
        created,
        updated,
    })
}

impl Drafts for SqliteStore {
    fn save_draft(
        &self,
        org: i64,
        author: &str,
        id: RecordId,
        kind: &str,
        expected_rev: Option<u32>,
        content: &[u8],
    ) -> Result<DraftInfo> {
        if content.len() > MAX_DRAFT_BYTES {
            return Err(StoreError::TooLarge {
                limit: MAX_DRAFT_BYTES as u64,
            });
        }
        let keyring = self.keyring();
        let organisation = keyring.organisation(org)?;
        let (key, key_id, wrapped) = keyring.new_data_key(organisation, id)?;
        let sealed = key.seal(content, &Keyring::context_of(id, &key_id, org))?;
        let now = now_ms();
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current: Option<(i64, String, i64, i64)> = tx
            .query_row(
                "SELECT org, author, rev, created FROM drafts WHERE id = ?1",
                params![id_bytes(&id)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let mine = current
            .as_ref()
            .filter(|(o, a, _, _)| *o == org && a == author);
        let (rev, created) = match (expected_rev, current.as_ref(), mine) {
            (None, None, _) => (1, now),
            (None, Some(_), _) => return Err(StoreError::Exists { id }),
            (Some(_), _, None) => return Err(StoreError::NoDraft { id }),
            (Some(expected), _, Some((_, _, rev, created))) => {
                let actual = u32::try_from(*rev).unwrap_or(u32::MAX);
                if actual != expected {
                    return Err(StoreError::DraftConflict {
                        id,
                        expected,
                        actual,
                    });
                }
                (actual.saturating_add(1), *created)
            }
        };
        tx.execute(
            "INSERT INTO drafts (id, org, author, kind, rev, created, updated, key_id, wrapped_key, sealed)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (id) DO UPDATE SET rev = excluded.rev, updated = excluded.updated,
               key_id = excluded.key_id, wrapped_key = excluded.wrapped_key, sealed = excluded.sealed",
            params![
                id_bytes(&id),
                org,
                author,
                kind,
                i64::from(rev),
                created,
                now,
                key_id.as_slice(),
                wrapped,
                sealed
            ],
        )?;
        tx.commit()?;
        Ok(DraftInfo {
            id,
            kind: kind.to_string(),
            rev,
            created,
            updated: now,
        })
    }

    fn draft(&self, org: i64, author: &str, id: RecordId) -> Result<Draft> {
        let row = self.read(|conn| {
            Ok(conn
                .query_row(
                    "SELECT id, kind, rev, created, updated, key_id, wrapped_key, sealed
                     FROM drafts WHERE id = ?1 AND org = ?2 AND author = ?3",
                    params![id_bytes(&id), org, author],
                    |r| {
                        Ok((
                            info(r)?,
                            r.get::<_, Vec<u8>>(5)?,
                            r.get::<_, Vec<u8>>(6)?,
                            r.get::<_, Vec<u8>>(7)?,
                        ))
                    },
                )
                .optional()?)
        })?;
        let Some((head, key_id, wrapped, sealed)) = row else {
            return Err(StoreError::NoDraft { id });
        };
        let damaged = || StoreError::Database(format!("the draft {id} does not open"));
        let key_id: [u8; 8] = key_id.try_into().map_err(|_| damaged())?;
        let keyring = self.keyring();
        let key = keyring.data_key(id, &key_id, org, &wrapped)?;
        let content = key
            .open(&sealed, &Keyring::context_of(id, &key_id, org))
            .map_err(|_| damaged())?;
        Ok(Draft {
            info: to_info(head)?,
            content: Zeroizing::new(content),
        })
    }

    fn drafts_of(&self, org: i64, author: &str) -> Result<Vec<DraftInfo>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, kind, rev, created, updated FROM drafts
                 WHERE org = ?1 AND author = ?2 ORDER BY updated DESC, id",
            )?;
            let rows = stmt
                .query_map(params![org, author], info)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows.into_iter().map(to_info).collect()
        })
    }

    fn discard_draft(&self, org: i64, author: &str, id: RecordId) -> Result<()> {
        let conn = lock(&self.writer);
        let deleted = conn.execute(
            "DELETE FROM drafts WHERE id = ?1 AND org = ?2 AND author = ?3",
            params![id_bytes(&id), org, author],
        )?;
        if deleted == 0 {
            return Err(StoreError::NoDraft { id });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::DataDir;

    fn store() -> (tempfile::TempDir, SqliteStore, i64) {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = SqliteStore::create(&DataDir::new(tmp.path().join("d")), "drafts test", "t")
            .unwrap_or_else(|e| panic!("{e}"));
        let org = store
            .keyring()
            .default_organisation()
            .unwrap_or_else(|e| panic!("{e}"))
            .num;
        (tmp, store, org)
    }

    #[test]
    fn a_draft_is_sealed_kept_per_author_and_never_overwritten_silently() {
        let (_tmp, store, org) = store();
        let id = RecordId::new();
        let first = store
            .save_draft(org, "amal", id, "case", None, "محمد الحلبي".as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first.rev, 1);
        // Saved again from the revision it read: revision 2, the same draft.
        let second = store
            .save_draft(
                org,
                "amal",
                id,
                "case",
                Some(1),
                "محمد الحلبي، دوما".as_bytes(),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((second.rev, second.created), (2, first.created));
        // Another window still at revision 1 is told, and changes nothing.
        assert!(matches!(
            store.save_draft(org, "amal", id, "case", Some(1), b"older"),
            Err(StoreError::DraftConflict {
                expected: 1,
                actual: 2,
                ..
            })
        ));
        let opened = store
            .draft(org, "amal", id)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(opened.content.as_slice(), "محمد الحلبي، دوما".as_bytes());
        assert_eq!(opened.info.rev, 2);
        // No one else reads or overwrites it.
        assert!(matches!(
            store.draft(org, "sami", id),
            Err(StoreError::NoDraft { .. })
        ));
        assert!(matches!(
            store.save_draft(org, "sami", id, "case", Some(2), b"x"),
            Err(StoreError::NoDraft { .. })
        ));
        assert!(matches!(
            store.save_draft(org, "sami", id, "case", None, b"x"),
            Err(StoreError::Exists { .. })
        ));
        assert!(store.drafts_of(org, "sami").unwrap_or_default().is_empty());
        assert_eq!(store.drafts_of(org, "amal").unwrap_or_default().len(), 1);
        // The row is sealed: the name is not in it (SQLCipher encrypts the file besides).
        let raw: Vec<u8> = store
            .read(|c| Ok(c.query_row("SELECT sealed FROM drafts", [], |r| r.get(0))?))
            .unwrap_or_default();
        assert!(!String::from_utf8_lossy(&raw).contains("محمد"));
        // Discarded: gone, for its author too.
        store
            .discard_draft(org, "amal", id)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            store.draft(org, "amal", id),
            Err(StoreError::NoDraft { .. })
        ));
        assert!(matches!(
            store.discard_draft(org, "amal", id),
            Err(StoreError::NoDraft { .. })
        ));
    }

    #[test]
    fn an_oversized_draft_is_refused_and_nothing_is_kept() {
        let (_tmp, store, org) = store();
        let big = vec![b'x'; MAX_DRAFT_BYTES + 1];
        assert!(matches!(
            store.save_draft(org, "amal", RecordId::new(), "case", None, &big),
            Err(StoreError::TooLarge { .. })
        ));
        assert!(store.drafts_of(org, "amal").unwrap_or_default().is_empty());
    }
}
