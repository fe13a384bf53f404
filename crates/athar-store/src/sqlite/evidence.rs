//! [`EvidenceVault`] on the embedded store: sealed files in `DATA/evidence/`, rows in the
//! `evidence` table, custody in the audit chain.

use std::io::{Read, Write};
use std::path::PathBuf;

use athar_crypto::{from_hex, to_hex};
use athar_model::{FieldError, RecordId};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{SqliteStore, append_audit, entry_of, id_bytes, lock, now_ms, read_id};
use crate::chain::{ChangeDigest, Problem};
use crate::evidence::{Custody, EvidenceItem, EvidenceKind, EvidenceVault, NewEvidence};
use crate::keyring::Keyring;
use crate::{AuditEntry, Result, Store, StoreError};

/// Name and description of an item, sealed together.
#[derive(serde::Serialize, serde::Deserialize, Default)]
struct Described {
    #[serde(skip_serializing_if = "Option::is_none")]
    filename: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

struct Row {
    item: EvidenceItem,
    sha: Vec<u8>,
    sealed: Vec<u8>,
    audit_seq: i64,
}

/// A media type as HTTP writes it: `type/subtype` of token characters, optionally followed
/// by parameters (`text/plain; charset=utf-8`) in printable ASCII; 200 characters at most.
fn is_media_type(media: &str) -> bool {
    let (essence, parameters) = media.split_once(';').unwrap_or((media, ""));
    let token = |t: &str| {
        !t.is_empty()
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
    };
    media.len() <= 200
        && !media.chars().any(char::is_control)
        && essence
            .trim()
            .split_once('/')
            .is_some_and(|(kind, sub)| token(kind) && token(sub))
        && parameters.chars().all(|c| c == ' ' || c.is_ascii_graphic())
}

const SELECT: &str = "SELECT id, owner, kind, derived_from, sha256, size, media_type, sealed, created_at, created_by, audit_seq FROM evidence";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Vec<u8>, Option<Vec<u8>>, Row)> {
    let kind: String = r.get(2)?;
    let sha: Vec<u8> = r.get(4)?;
    Ok((
        r.get(0)?,
        r.get(3)?,
        Row {
            item: EvidenceItem {
                id: RecordId::from_bytes([0; 16]),
                owner: r.get(1)?,
                kind: EvidenceKind::parse(&kind).unwrap_or(EvidenceKind::Original),
                derived_from: None,
                sha256: to_hex(&sha),
                size: r.get::<_, i64>(5)? as u64,
                media_type: r.get(6)?,
                filename: None,
                description: None,
                created_at: r.get(8)?,
                created_by: r.get(9)?,
                about: Vec::new(),
            },
            sha,
            sealed: r.get(7)?,
            audit_seq: r.get(10)?,
        },
    ))
}

fn finish(raw: (Vec<u8>, Option<Vec<u8>>, Row)) -> Result<Row> {
    let (id, derived, mut row) = raw;
    row.item.id = read_id(id)?;
    row.item.derived_from = derived.map(read_id).transpose()?;
    Ok(row)
}

fn invalid(field: &str, code: &str, en: &str, ar: &str) -> StoreError {
    StoreError::Invalid {
        index: 0,
        errors: vec![FieldError::new(field, code, en, ar)],
    }
}

impl SqliteStore {
    fn evidence_dir(&self) -> PathBuf {
        self.beside_database("evidence")
    }

    fn evidence_file(&self, id: RecordId) -> PathBuf {
        self.evidence_dir().join(to_hex(id.as_bytes()))
    }

    fn evidence_row(&self, id: RecordId) -> Result<Option<Row>> {
        self.read(|conn| {
            conn.prepare_cached(&format!("{SELECT} WHERE id = ?1"))?
                .query_row([id_bytes(&id)], row)
                .optional()?
                .map(finish)
                .transpose()
        })
    }

    /// The item's data key and the context its seals are bound to.
    fn evidence_key(
        &self,
        id: RecordId,
        keyring: &Keyring,
    ) -> Result<(athar_crypto::envelope::DataKey, [u8; 32])> {
        let key: Option<(Vec<u8>, i64, Vec<u8>)> = self.read(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT key_id, org, wrapped FROM record_keys WHERE record_id = ?1",
                )?
                .query_row([id_bytes(&id)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?)
        })?;
        let Some((key_id, org, wrapped)) = key else {
            return Err(StoreError::Database(format!(
                "the key of evidence {id} is gone (shredded)"
            )));
        };
        let key_id: [u8; 8] = key_id
            .try_into()
            .map_err(|_| StoreError::Database("a key id is not 8 bytes".into()))?;
        let key = keyring.data_key(id, &key_id, org, &wrapped)?;
        Ok((key, Keyring::context_of(id, &key_id, org)))
    }

    fn describe(&self, row: Row, keyring: &Keyring) -> Result<EvidenceItem> {
        let mut item = row.item;
        item.about = self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT record FROM evidence_links WHERE evidence = ?1 ORDER BY record",
            )?;
            let rows = stmt.query_map([id_bytes(&item.id)], |r| r.get::<_, Vec<u8>>(0))?;
            rows.map(|r| read_id(r?)).collect::<Result<Vec<_>>>()
        })?;
        if let Ok((key, ctx)) = self.evidence_key(item.id, keyring)
            && let Ok(plain) = key.open(&row.sealed, &ctx)
            && let Ok(d) = serde_json::from_slice::<Described>(&plain)
        {
            item.filename = d.filename;
            item.description = d.description;
        }
        Ok(item)
    }

    /// Re-hash every evidence file against its row and its ingest entry (for `verify`).
    pub(super) fn verify_evidence(&self, problems: &mut Vec<Problem>) -> Result<()> {
        let keyring = Store::keyring(self);
        let rows: Vec<Row> = self.read(|conn| {
            let mut stmt = conn.prepare(&format!("{SELECT} ORDER BY created_at"))?;
            let rows = stmt.query_map([], row)?;
            rows.map(|r| finish(r?)).collect()
        })?;
        for r in rows {
            let id = r.item.id;
            let mut problem = |text: String| {
                problems.push(Problem {
                    table: "evidence",
                    seq: Some(r.audit_seq),
                    problem: format!("item {id}: {text}"),
                })
            };
            let recorded: Option<String> = self.read(|conn| {
                Ok(conn
                    .query_row(
                        "SELECT subject FROM audit WHERE seq = ?1 AND action = 'evidence.ingest'",
                        [r.audit_seq],
                        |x| x.get(0),
                    )
                    .optional()?)
            })?;
            let expected = format!("{id} sha256:{} size:{}", r.item.sha256, r.item.size);
            if recorded.as_deref() != Some(expected.as_str()) {
                problem("its hash or size differs from the one recorded at ingest".into());
                continue;
            }
            let (key, ctx) = match self.evidence_key(id, &keyring) {
                Ok(k) => k,
                Err(e) => {
                    problem(e.to_string());
                    continue;
                }
            };
            let path = self.evidence_file(id);
            let mut file = match std::fs::File::open(&path) {
                Ok(f) => std::io::BufReader::new(f),
                Err(e) => {
                    problem(format!("its file cannot be read: {e}"));
                    continue;
                }
            };
            match key.open_file(&ctx, &mut file, &mut std::io::sink()) {
                Ok((sha, size)) if sha.as_slice() == r.sha.as_slice() && size == r.item.size => {}
                Ok(_) => problem("its file does not match the recorded SHA-256".into()),
                Err(e) => problem(format!("its file: {e}")),
            }
        }
        Ok(())
    }
}

impl EvidenceVault for SqliteStore {
    fn ingest(
        &self,
        owner: i64,
        author: &str,
        item: NewEvidence,
        input: &mut dyn Read,
        limit: u64,
    ) -> Result<EvidenceItem> {
        let keyring = Store::keyring(self);
        let org = keyring.organisation(owner)?;
        let media = item.media_type.trim();
        if !is_media_type(media) {
            return Err(invalid(
                "media_type",
                "evidence.media_type",
                "give the file's media type, e.g. image/jpeg",
                "اذكر نوع الملف، مثل image/jpeg",
            ));
        }
        for (field, text) in [
            ("filename", &item.filename),
            ("description", &item.description),
        ] {
            if text.as_ref().is_some_and(|t| t.chars().count() > 10_000) {
                return Err(invalid(
                    field,
                    "text.too_long",
                    "at most 10,000 characters",
                    "10000 حرف على الأكثر",
                ));
            }
        }
        match (item.kind, item.derived_from) {
            (EvidenceKind::Original, Some(_)) => {
                return Err(invalid(
                    "derived_from",
                    "evidence.original_derived",
                    "an original is not derived from anything",
                    "الأصل لا يُشتق من غيره",
                ));
            }
            (EvidenceKind::Original, None) => {}
            (_, None) => {
                return Err(invalid(
                    "derived_from",
                    "evidence.copy_without_original",
                    "a redacted copy, transcript or translation names the item it was made from",
                    "النسخة المنقّحة أو المفرّغة أو المترجمة تذكر الأصل الذي أُخذت منه",
                ));
            }
            (_, Some(from)) => {
                let exists = self
                    .evidence_row(from)?
                    .is_some_and(|r| r.item.owner == owner);
                if !exists {
                    return Err(invalid(
                        "derived_from",
                        "evidence.unknown_original",
                        "names no item of this organisation",
                        "لا يشير إلى مادة لهذه المنظمة",
                    ));
                }
            }
        }
        for (i, record) in item.about.iter().enumerate() {
            let owned: bool = self.read(|conn| {
                Ok(conn.query_row(
                    "SELECT EXISTS (SELECT 1 FROM heads WHERE id = ?1 AND owner = ?2)",
                    params![id_bytes(record), owner],
                    |r| r.get(0),
                )?)
            })?;
            if !owned {
                return Err(invalid(
                    &format!("about[{i}]"),
                    "evidence.about",
                    "names no record of this organisation",
                    "لا يشير إلى سجل لهذه المنظمة",
                ));
            }
        }
        let id = RecordId::new();
        let (key, key_id, wrapped) = keyring.new_data_key(org, id)?;
        let ctx = Keyring::context_of(id, &key_id, org.num);
        let described = serde_json::to_vec(&Described {
            filename: item.filename.clone(),
            description: item.description.clone(),
        })
        .map_err(|e| StoreError::Database(e.to_string()))?;
        let sealed_meta = key.seal(&described, &ctx)?;

        let dir = self.evidence_dir();
        std::fs::create_dir_all(&dir).map_err(|error| StoreError::Io {
            path: dir.display().to_string(),
            error,
        })?;
        let path = self.evidence_file(id);
        let part = path.with_extension("part");
        let io = |error: std::io::Error| StoreError::Io {
            path: part.display().to_string(),
            error,
        };
        let written = (|| -> Result<([u8; 32], u64)> {
            let file = std::fs::File::create_new(&part).map_err(io)?;
            let mut writer = key.seal_file(&ctx, std::io::BufWriter::new(file))?;
            let mut buf = vec![0u8; 64 * 1024];
            let mut total = 0u64;
            loop {
                let n = match input.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(io(e)),
                };
                total += n as u64;
                if total > limit {
                    return Err(StoreError::TooLarge { limit });
                }
                writer.write(&buf[..n]).map_err(io)?;
            }
            let (out, sha, size) = writer.finish().map_err(io)?;
            let file = out.into_inner().map_err(|e| io(e.into_error()))?;
            file.sync_all().map_err(io)?;
            Ok((sha, size))
        })();
        let (sha, size) = match written {
            Ok(w) => w,
            Err(e) => {
                let _ = std::fs::remove_file(&part);
                return Err(e);
            }
        };
        if let Err(error) = std::fs::rename(&part, &path) {
            let _ = std::fs::remove_file(&part);
            return Err(StoreError::Io {
                path: path.display().to_string(),
                error,
            });
        }
        let stored = (|| -> Result<EvidenceItem> {
            let mut conn = lock(&self.writer);
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let at = now_ms();
            let subject = format!("{id} sha256:{} size:{size}", to_hex(&sha));
            let entry = append_audit(
                &tx,
                at,
                author,
                "evidence.ingest",
                Some(&subject),
                None,
                ChangeDigest::new().finish(),
            )?;
            tx.execute(
                "INSERT INTO record_keys (record_id, key_id, org, wrapped) VALUES (?1, ?2, ?3, ?4)",
                params![id_bytes(&id), &key_id[..], org.num, wrapped],
            )?;
            tx.execute(
                "INSERT INTO evidence (id, owner, kind, derived_from, sha256, size, media_type, sealed, created_at, created_by, audit_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    id_bytes(&id),
                    org.num,
                    item.kind.name(),
                    item.derived_from.as_ref().map(|d| d.as_bytes().to_vec()),
                    &sha[..],
                    size as i64,
                    media,
                    sealed_meta,
                    at,
                    author,
                    entry.seq
                ],
            )?;
            for record in &item.about {
                tx.execute(
                    "INSERT OR IGNORE INTO evidence_links (evidence, record) VALUES (?1, ?2)",
                    params![id_bytes(&id), id_bytes(record)],
                )?;
            }
            tx.commit()?;
            Ok(EvidenceItem {
                id,
                owner: org.num,
                kind: item.kind,
                derived_from: item.derived_from,
                sha256: to_hex(&sha),
                size,
                media_type: media.to_string(),
                filename: item.filename,
                description: item.description,
                created_at: at,
                created_by: author.to_string(),
                about: item.about,
            })
        })();
        if stored.is_err() {
            let _ = std::fs::remove_file(&path);
        }
        stored
    }

    fn evidence_item(&self, id: RecordId) -> Result<Option<EvidenceItem>> {
        let keyring = Store::keyring(self);
        self.evidence_row(id)?
            .map(|r| self.describe(r, &keyring))
            .transpose()
    }

    fn evidence_of(&self, owner: i64) -> Result<Vec<EvidenceItem>> {
        let keyring = Store::keyring(self);
        let rows: Vec<Row> = self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "{SELECT} WHERE owner = ?1 ORDER BY created_at, id"
            ))?;
            let rows = stmt.query_map([owner], row)?;
            rows.map(|r| finish(r?)).collect()
        })?;
        rows.into_iter()
            .map(|r| self.describe(r, &keyring))
            .collect()
    }

    fn evidence_about(&self, record: RecordId) -> Result<Vec<EvidenceItem>> {
        let keyring = Store::keyring(self);
        let rows: Vec<Row> = self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "{SELECT} WHERE id IN (SELECT evidence FROM evidence_links WHERE record = ?1) ORDER BY created_at, id"
            ))?;
            let rows = stmt.query_map([id_bytes(&record)], row)?;
            rows.map(|r| finish(r?)).collect()
        })?;
        rows.into_iter()
            .map(|r| self.describe(r, &keyring))
            .collect()
    }

    fn read_evidence(&self, id: RecordId, out: &mut dyn Write) -> Result<()> {
        let row = self
            .evidence_row(id)?
            .ok_or(StoreError::Database(format!("no evidence item {id}")))?;
        // The row must still say what the chain recorded at ingest.
        let recorded: Option<String> = self.read(|conn| {
            Ok(conn
                .query_row(
                    "SELECT subject FROM audit WHERE seq = ?1",
                    [row.audit_seq],
                    |x| x.get(0),
                )
                .optional()?)
        })?;
        let expected = format!("{id} sha256:{} size:{}", row.item.sha256, row.item.size);
        if recorded.as_deref() != Some(expected.as_str()) {
            return Err(StoreError::Database(format!(
                "evidence {id} differs from its ingest record; run athar verify"
            )));
        }
        let keyring = Store::keyring(self);
        let (key, ctx) = self.evidence_key(id, &keyring)?;
        let path = self.evidence_file(id);
        let file = std::fs::File::open(&path).map_err(|error| StoreError::Io {
            path: path.display().to_string(),
            error,
        })?;
        let (sha, size) = key
            .open_file(&ctx, &mut std::io::BufReader::new(file), out)
            .map_err(|e| StoreError::Database(format!("evidence {id}: {e}; run athar verify")))?;
        if Some(sha.to_vec()) != from_hex(&row.item.sha256) || size != row.item.size {
            return Err(StoreError::Database(format!(
                "evidence {id} does not match its SHA-256; run athar verify"
            )));
        }
        Ok(())
    }

    fn custody_of(&self, id: RecordId) -> Result<Vec<AuditEntry>> {
        // Through the index of actions: only evidence entries are read, not the whole chain.
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT seq, at, actor, action, subject, first_rev, last_rev, digest, prev_hash, hash
                 FROM audit
                 WHERE action IN ('evidence.ingest', 'evidence.view', 'evidence.download',
                                  'evidence.export', 'evidence.transfer')
                   AND (subject = ?1 OR subject LIKE ?2)
                 ORDER BY seq",
            )?;
            let rows = stmt.query_map(
                params![id.to_string(), format!("{id} %")],
                super::audit_row,
            )?;
            rows.map(|r| Ok(entry_of(&r?))).collect()
        })
    }

    fn custody(&self, author: &str, id: RecordId, event: Custody) -> Result<AuditEntry> {
        let conn = lock(&self.writer);
        let row = append_audit(
            &conn,
            now_ms(),
            author,
            event.action(),
            Some(&id.to_string()),
            None,
            ChangeDigest::new().finish(),
        )?;
        Ok(entry_of(&row))
    }
}

#[cfg(test)]
mod media_type_tests {
    use super::is_media_type;

    #[test]
    fn media_types_with_parameters_are_accepted_and_junk_is_not() {
        for good in [
            "image/jpeg",
            "text/plain; charset=utf-8",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "audio/mp4;codecs=mp4a.40.2",
        ] {
            assert!(is_media_type(good), "{good}");
        }
        for bad in [
            "",
            "jpeg",
            "image/",
            "/jpeg",
            "image /jpeg",
            "text/plain\n",
            "a/b; x=\u{0}",
        ] {
            assert!(!is_media_type(bad), "{bad:?}");
        }
    }
}
