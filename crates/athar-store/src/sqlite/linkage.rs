//! [`Linkage`] on the embedded store: runs, members and pairs in their tables, each run
//! recorded in the audit chain with the SHA-256 of its content.

use athar_crypto::to_hex;
use athar_model::RecordId;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use sha2::{Digest, Sha256};

use super::{SqliteStore, append_audit, id_bytes, lock, now_ms, read_id};
use crate::chain::ChangeDigest;
use crate::linkage::{Linkage, LinkageRun, NewLinkageRun, ScoredPair};
use crate::{Result, StoreError};

/// SHA-256 over what a run found: its lists, threshold, model, summary, members and pairs.
pub(crate) fn run_digest(
    lists: &[RecordId],
    threshold: f64,
    model: &str,
    summary: &str,
    members: &[RecordId],
    pairs: &[ScoredPair],
) -> String {
    let mut h = Sha256::new();
    h.update(b"athar/linkage-run/v1\0");
    h.update((lists.len() as u64).to_le_bytes());
    for l in lists {
        h.update(id_bytes(l));
    }
    h.update(threshold.to_le_bytes());
    for text in [model, summary] {
        h.update((text.len() as u64).to_le_bytes());
        h.update(text.as_bytes());
    }
    h.update((members.len() as u64).to_le_bytes());
    for m in members {
        h.update(id_bytes(m));
    }
    h.update((pairs.len() as u64).to_le_bytes());
    for p in pairs {
        h.update(id_bytes(&p.a));
        h.update(id_bytes(&p.b));
        h.update(p.probability.to_le_bytes());
        h.update((p.why.len() as u64).to_le_bytes());
        h.update(p.why.as_bytes());
    }
    to_hex(&h.finalize())
}

fn run_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(LinkageRun, String)> {
    Ok((
        LinkageRun {
            id: r.get(0)?,
            org: r.get(1)?,
            at: r.get(2)?,
            actor: r.get(3)?,
            lists: Vec::new(),
            threshold: r.get(5)?,
            model: r.get(6)?,
            summary: r.get(7)?,
            audit_seq: r.get(8)?,
        },
        r.get(4)?,
    ))
}

fn finish_run((mut run, lists): (LinkageRun, String)) -> Result<LinkageRun> {
    let ids: Vec<String> = serde_json::from_str(&lists)
        .map_err(|_| StoreError::Database(format!("linkage run {} is damaged", run.id)))?;
    run.lists = ids
        .iter()
        .map(|s| s.parse())
        .collect::<Result<_, _>>()
        .map_err(|_| StoreError::Database(format!("linkage run {} is damaged", run.id)))?;
    Ok(run)
}

fn read_members(conn: &rusqlite::Connection, run: i64) -> Result<Vec<RecordId>> {
    let mut stmt =
        conn.prepare_cached("SELECT person FROM linkage_members WHERE run = ?1 ORDER BY person")?;
    let rows = stmt.query_map([run], |r| r.get::<_, Vec<u8>>(0))?;
    rows.map(|r| read_id(r?)).collect()
}

fn read_pairs(conn: &rusqlite::Connection, run: i64) -> Result<Vec<ScoredPair>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a, b, probability, why FROM linkage_pairs WHERE run = ?1 ORDER BY a, b",
    )?;
    let rows = stmt.query_map([run], |r| {
        Ok((
            r.get::<_, Vec<u8>>(0)?,
            r.get::<_, Vec<u8>>(1)?,
            r.get::<_, f64>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    rows.map(|r| {
        let (a, b, probability, why) = r?;
        Ok(ScoredPair {
            a: read_id(a)?,
            b: read_id(b)?,
            probability,
            why,
        })
    })
    .collect()
}

const SELECT_RUN: &str =
    "SELECT id, org, at, actor, lists, threshold, model, summary, audit_seq FROM linkage_runs";

impl Linkage for SqliteStore {
    fn save_linkage_run(&self, run: NewLinkageRun) -> Result<LinkageRun> {
        let mut members = run.members.clone();
        members.sort();
        members.dedup();
        let mut pairs = run.pairs.clone();
        for p in &mut pairs {
            if p.b < p.a {
                std::mem::swap(&mut p.a, &mut p.b);
            }
        }
        pairs.sort_by_key(|p| (p.a, p.b));
        pairs.dedup_by(|x, y| (x.a, x.b) == (y.a, y.b));
        let digest = run_digest(
            &run.lists,
            run.threshold,
            &run.model,
            &run.summary,
            &members,
            &pairs,
        );
        let lists = serde_json::to_string(
            &run.lists
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
        )
        .map_err(|e| StoreError::Database(e.to_string()))?;
        let at = now_ms();
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id: i64 = tx.query_row(
            "SELECT COALESCE(MAX(id), 0) + 1 FROM linkage_runs",
            [],
            |r| r.get(0),
        )?;
        let audit = append_audit(
            &tx,
            at,
            &run.actor,
            "link.run",
            Some(&format!("linkage-run:{id} sha256:{digest}")),
            None,
            ChangeDigest::new().finish(),
        )?;
        tx.execute(
            "INSERT INTO linkage_runs (id, org, at, actor, lists, threshold, model, summary, audit_seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                id,
                run.org,
                at,
                run.actor,
                lists,
                run.threshold,
                run.model,
                run.summary,
                audit.seq
            ],
        )?;
        {
            let mut insert =
                tx.prepare_cached("INSERT INTO linkage_members (run, person) VALUES (?1, ?2)")?;
            for m in &members {
                insert.execute(params![id, id_bytes(m)])?;
            }
            let mut insert = tx.prepare_cached(
                "INSERT INTO linkage_pairs (run, a, b, probability, why) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for p in &pairs {
                insert.execute(params![
                    id,
                    id_bytes(&p.a),
                    id_bytes(&p.b),
                    p.probability,
                    p.why
                ])?;
            }
        }
        tx.commit()?;
        Ok(LinkageRun {
            id,
            org: run.org,
            at,
            actor: run.actor,
            lists: run.lists,
            threshold: run.threshold,
            model: run.model,
            summary: run.summary,
            audit_seq: audit.seq,
        })
    }

    fn linkage_run(&self, id: i64) -> Result<Option<LinkageRun>> {
        self.read(|conn| {
            conn.query_row(&format!("{SELECT_RUN} WHERE id = ?1"), [id], run_row)
                .optional()?
                .map(finish_run)
                .transpose()
        })
    }

    fn latest_linkage_run(&self, org: i64) -> Result<Option<LinkageRun>> {
        self.read(|conn| {
            conn.query_row(
                &format!("{SELECT_RUN} WHERE org = ?1 ORDER BY id DESC LIMIT 1"),
                [org],
                run_row,
            )
            .optional()?
            .map(finish_run)
            .transpose()
        })
    }

    fn linkage_members(&self, run: i64) -> Result<Vec<RecordId>> {
        self.read(|conn| read_members(conn, run))
    }

    fn linkage_pairs(&self, run: i64) -> Result<Vec<ScoredPair>> {
        self.read(|conn| read_pairs(conn, run))
    }
}

/// Every kept run must match the digest its audit entry committed to: a pair, a member or a
/// probability changed afterwards is named here.
pub(crate) fn verify_runs(conn: &rusqlite::Connection) -> Result<Vec<crate::chain::Problem>> {
    let mut problems = Vec::new();
    let mut runs = conn.prepare(&format!("{SELECT_RUN} ORDER BY id"))?;
    let rows: Vec<(LinkageRun, String)> = runs
        .query_map([], run_row)?
        .collect::<rusqlite::Result<_>>()?;
    for row in rows {
        let run = match finish_run(row) {
            Ok(run) => run,
            Err(e) => {
                problems.push(crate::chain::Problem {
                    table: "linkage",
                    seq: None,
                    problem: e.to_string(),
                });
                continue;
            }
        };
        let members = read_members(conn, run.id)?;
        let pairs = read_pairs(conn, run.id)?;
        let digest = run_digest(
            &run.lists,
            run.threshold,
            &run.model,
            &run.summary,
            &members,
            &pairs,
        );
        let subject: Option<String> = conn
            .query_row(
                "SELECT subject FROM audit WHERE seq = ?1 AND action = 'link.run'",
                [run.audit_seq],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        if subject.as_deref() != Some(&format!("linkage-run:{} sha256:{digest}", run.id)) {
            problems.push(crate::chain::Problem {
                table: "linkage",
                seq: Some(run.id),
                problem: "the run does not match what its audit entry recorded".into(),
            });
        }
    }
    Ok(problems)
}
