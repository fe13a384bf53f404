//! What each organisation may see of a record, what its owner shares, and the
//! organisations themselves (their keys wrapped by the store's master key).

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) fn visibility(
    store: &SqliteStore,
    org: i64,
    kind: RecordKind,
    id: RecordId,
) -> Result<Visibility> {
    store.read(|conn| {
            let row: Option<(i64, Option<String>)> = conn
                .prepare_cached(
                    "SELECT h.owner, (SELECT mode FROM shares s WHERE s.record_id = h.id AND s.org = ?3)
                     FROM heads h WHERE h.kind = ?1 AND h.id = ?2",
                )?
                .query_row(params![kind.code(), id_bytes(&id), org], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            Ok(match row {
                None => Visibility::Hidden,
                Some((owner, _)) if owner == org => Visibility::Owner,
                Some((_, Some(mode))) if mode == "full" => Visibility::Full,
                Some((_, Some(mode))) if mode == "pseudonymised" => Visibility::Pseudonymised,
                Some(_) => Visibility::Hidden,
            })
        })
}

pub(super) fn set_shares(
    store: &SqliteStore,
    author: &str,
    kind: RecordKind,
    id: RecordId,
    shares: &[Share],
) -> Result<AuditEntry> {
    let keyring = store.keyring();
    let mut conn = lock(&store.writer);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current = head(&tx, kind, &id)?.ok_or(StoreError::NotFound { kind, id })?;
    let mut errors = Vec::new();
    for (i, share) in shares.iter().enumerate() {
        let field = format!("shares[{i}]");
        let problem = match share.mode {
            ShareMode::Aggregate if share.org != 0 => Some((
                "share.aggregate",
                "aggregate sharing is with the whole coalition (organisation 0)",
                "المشاركة الإجمالية تكون مع التحالف كله (المنظمة 0)",
            )),
            ShareMode::Full | ShareMode::Pseudonymised
                if share.org == current.owner || keyring.organisation(share.org).is_err() =>
            {
                Some((
                    "share.organisation",
                    "names no other organisation of this server",
                    "لا يشير إلى منظمة أخرى على هذا الخادم",
                ))
            }
            _ => None,
        };
        if let Some((code, en, ar)) = problem {
            errors.push(FieldError::new(&field, code, en, ar));
        }
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid { index: 0, errors });
    }
    tx.prepare_cached("DELETE FROM shares WHERE record_id = ?1")?
        .execute([id_bytes(&id)])?;
    for share in shares {
        tx.prepare_cached(
            "INSERT OR REPLACE INTO shares (record_id, org, mode) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![id_bytes(&id), share.org, share.mode.name()])?;
    }
    let summary = shares
        .iter()
        .map(|s| format!("{}:{}", s.org, s.mode.name()))
        .collect::<Vec<_>>()
        .join(",");
    let entry = append_audit(
        &tx,
        now_ms(),
        author,
        "record.share",
        Some(&format!("{id} {summary}")),
        None,
        ChangeDigest::new().finish(),
    )?;
    tx.commit()?;
    Ok(entry_of(&entry))
}

pub(super) fn shares(store: &SqliteStore, kind: RecordKind, id: RecordId) -> Result<Vec<Share>> {
    store.read(|conn| {
        head(conn, kind, &id)?.ok_or(StoreError::NotFound { kind, id })?;
        let mut stmt =
            conn.prepare_cached("SELECT org, mode FROM shares WHERE record_id = ?1 ORDER BY org")?;
        let rows = stmt.query_map([id_bytes(&id)], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (org, mode) = row?;
            if let Some(mode) = ShareMode::parse(&mode) {
                out.push(Share { org, mode });
            }
        }
        Ok(out)
    })
}

pub(super) fn create_organisation(
    store: &SqliteStore,
    actor: &str,
    name: &str,
) -> Result<Organisation> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(StoreError::Invalid {
            index: 0,
            errors: vec![FieldError::new(
                "name",
                "organisation.name",
                "an organisation's name has 1 to 200 characters",
                "اسم المنظمة من 1 إلى 200 حرف",
            )],
        });
    }
    let id = RecordId::new();
    let key = OrgKey::generate()?;
    let wrapped = store.master.wrap(&key, id.as_bytes())?;
    let signing = OrgSigningKey::generate()?;
    let sealed_signing = store
        .master
        .seal_secret(signing.seed().as_ref(), &signing_context(&id))?;
    let mut keyring = store.keyring.write().unwrap_or_else(|p| p.into_inner());
    let mut conn = lock(&store.writer);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let taken: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM organisations WHERE name = ?1)",
        [name],
        |r| r.get(0),
    )?;
    if taken {
        return Err(StoreError::Invalid {
            index: 0,
            errors: vec![FieldError::new(
                "name",
                "organisation.taken",
                "an organisation of this name exists already",
                "توجد منظمة بهذا الاسم",
            )],
        });
    }
    let num: i64 = tx.query_row(
        "SELECT coalesce(max(num), 0) + 1 FROM organisations",
        [],
        |r| r.get(0),
    )?;
    let at = now_ms();
    tx.execute(
            "INSERT INTO organisations (num, id, name, wrapped_key, created_at, signing_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![num, id_bytes(&id), name, wrapped, at, sealed_signing],
        )?;
    audit_organisation_created(&tx, at, actor, &id)?;
    tx.commit()?;
    let organisation = Organisation::new(num, id, name.to_string(), key, signing);
    *keyring = Arc::new(keyring.with(organisation.clone()));
    Ok(organisation)
}
