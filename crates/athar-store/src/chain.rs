//! The hashes that make history tamper-evident, independent of the database used.
//!
//! Each revision is hashed over every stored column but the hash itself. Each audit entry
//! is hashed over its columns, the hash of the entry before it, and a digest of the
//! hashes of the revisions it added. Changing one byte of a revision changes its hash, which
//! no longer matches the digest its audit entry committed to; changing an audit entry
//! breaks the link from the entry after it. [`ChainVerifier`] walks both in order and names
//! the first entry that does not hold.

use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];
pub const GENESIS: Hash = [0u8; 32];

/// A revision row as stored.
#[derive(Debug, Clone)]
pub struct RevisionRow {
    pub seq: i64,
    pub record_id: [u8; 16],
    pub kind: i64,
    pub rev: i64,
    pub prev_seq: Option<i64>,
    pub op: i64,
    pub at: i64,
    pub author: String,
    pub reason: Option<String>,
    pub audit_seq: i64,
    pub body: Vec<u8>,
    pub hash: Vec<u8>,
    /// Key id and ciphertext of the identifying parts, when the revision has any.
    pub sealed: Option<Vec<u8>>,
    /// The owning organisation (absent in revisions older than ownership).
    pub owner: Option<i64>,
}

/// An audit row as stored.
#[derive(Debug, Clone)]
pub struct AuditRow {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub subject: Option<String>,
    pub first_rev: Option<i64>,
    pub last_rev: Option<i64>,
    pub digest: Vec<u8>,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

fn text(h: &mut Sha256, s: &str) {
    h.update((s.len() as u64).to_be_bytes());
    h.update(s.as_bytes());
}

fn opt_text(h: &mut Sha256, s: Option<&str>) {
    match s {
        Some(s) => {
            h.update([1]);
            text(h, s);
        }
        None => h.update([0]),
    }
}

#[allow(clippy::too_many_arguments)]
pub fn revision_hash(
    seq: i64,
    record_id: &[u8; 16],
    kind: i64,
    rev: i64,
    prev_seq: Option<i64>,
    op: i64,
    at: i64,
    author: &str,
    reason: Option<&str>,
    audit_seq: i64,
    body: &[u8],
    sealed: Option<&[u8]>,
    owner: Option<i64>,
) -> Hash {
    let mut h = Sha256::new();
    h.update(b"athar/revision/v1\0");
    h.update(seq.to_be_bytes());
    h.update(record_id);
    h.update(kind.to_be_bytes());
    h.update(rev.to_be_bytes());
    h.update(prev_seq.unwrap_or(0).to_be_bytes());
    h.update(op.to_be_bytes());
    h.update(at.to_be_bytes());
    text(&mut h, author);
    opt_text(&mut h, reason);
    h.update(audit_seq.to_be_bytes());
    h.update((body.len() as u64).to_be_bytes());
    h.update(body);
    // Revisions without sealed parts hash as they did before sealing existed.
    if let Some(sealed) = sealed {
        h.update(b"sealed\0");
        h.update((sealed.len() as u64).to_be_bytes());
        h.update(sealed);
    }
    if let Some(owner) = owner {
        h.update(b"owner\0");
        h.update(owner.to_be_bytes());
    }
    h.finalize().into()
}

impl RevisionRow {
    pub fn computed_hash(&self) -> Hash {
        revision_hash(
            self.seq,
            &self.record_id,
            self.kind,
            self.rev,
            self.prev_seq,
            self.op,
            self.at,
            &self.author,
            self.reason.as_deref(),
            self.audit_seq,
            &self.body,
            self.sealed.as_deref(),
            self.owner,
        )
    }
}

/// Accumulates the digest an audit entry commits to, revision hash by revision hash.
pub struct ChangeDigest(Sha256);

impl ChangeDigest {
    pub fn new() -> Self {
        let mut h = Sha256::new();
        h.update(b"athar/changes/v1\0");
        ChangeDigest(h)
    }
    pub fn add(&mut self, revision_hash: &[u8]) {
        self.0.update(revision_hash);
    }
    pub fn finish(self) -> Hash {
        self.0.finalize().into()
    }
}

impl Default for ChangeDigest {
    fn default() -> Self {
        Self::new()
    }
}

#[allow(clippy::too_many_arguments)]
pub fn audit_hash(
    seq: i64,
    at: i64,
    actor: &str,
    action: &str,
    subject: Option<&str>,
    first_rev: Option<i64>,
    last_rev: Option<i64>,
    digest: &[u8],
    prev_hash: &[u8],
) -> Hash {
    let mut h = Sha256::new();
    h.update(b"athar/audit/v1\0");
    h.update(seq.to_be_bytes());
    h.update(at.to_be_bytes());
    text(&mut h, actor);
    text(&mut h, action);
    opt_text(&mut h, subject);
    h.update(first_rev.unwrap_or(0).to_be_bytes());
    h.update(last_rev.unwrap_or(0).to_be_bytes());
    h.update(digest);
    h.update(prev_hash);
    h.finalize().into()
}

impl AuditRow {
    pub fn computed_hash(&self) -> Hash {
        audit_hash(
            self.seq,
            self.at,
            &self.actor,
            &self.action,
            self.subject.as_deref(),
            self.first_rev,
            self.last_rev,
            &self.digest,
            &self.prev_hash,
        )
    }
}

/// One thing found wrong by verification, naming where.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// `audit`, `revision`, `index`, `linkage` or `database`.
    pub table: &'static str,
    /// The sequence number of the entry, when there is one.
    pub seq: Option<i64>,
    pub problem: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.seq {
            Some(seq) => write!(f, "{} entry {seq}: {}", self.table, self.problem),
            None => write!(f, "{}: {}", self.table, self.problem),
        }
    }
}

/// Walks the audit log and the revisions, both in sequence order, checking every hash and
/// link. Feed it with [`ChainVerifier::audit`], which pulls the revisions it covers from
/// the supplied iterator.
pub struct ChainVerifier {
    pub problems: Vec<Problem>,
    expected_audit_seq: i64,
    expected_rev_seq: i64,
    prev_hash: Hash,
    pub audit_entries: u64,
    pub revisions: u64,
    pub bytes: u64,
    /// The hash of the last audit entry checked: the head of the chain.
    pub head: Hash,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl ChainVerifier {
    pub fn new() -> Self {
        ChainVerifier {
            problems: Vec::new(),
            expected_audit_seq: 1,
            expected_rev_seq: 1,
            prev_hash: GENESIS,
            audit_entries: 0,
            revisions: 0,
            bytes: 0,
            head: GENESIS,
        }
    }

    fn fail(&mut self, table: &'static str, seq: Option<i64>, problem: impl Into<String>) {
        self.problems.push(Problem {
            table,
            seq,
            problem: problem.into(),
        });
    }

    /// Check one audit entry and the revisions it covers, taken from `revisions`.
    pub fn audit<E>(
        &mut self,
        entry: &AuditRow,
        revisions: &mut dyn Iterator<Item = Result<RevisionRow, E>>,
    ) -> Result<(), E> {
        self.audit_entries += 1;
        if entry.seq != self.expected_audit_seq {
            self.fail(
                "audit",
                Some(entry.seq),
                format!(
                    "expected entry {} here; entries are missing or reordered",
                    self.expected_audit_seq
                ),
            );
        }
        self.expected_audit_seq = entry.seq + 1;
        if entry.prev_hash != self.prev_hash {
            self.fail(
                "audit",
                Some(entry.seq),
                "does not link to the entry before it (prev_hash differs)",
            );
        }
        if entry.computed_hash()[..] != entry.hash[..] {
            self.fail(
                "audit",
                Some(entry.seq),
                "its content does not match its hash",
            );
        }
        let mut digest = ChangeDigest::new();
        if let (Some(first), Some(last)) = (entry.first_rev, entry.last_rev) {
            if first != self.expected_rev_seq {
                self.fail(
                    "audit",
                    Some(entry.seq),
                    format!(
                        "covers revisions from {first}, expected {}",
                        self.expected_rev_seq
                    ),
                );
            }
            let mut seq = first;
            while seq <= last {
                let Some(row) = revisions.next() else {
                    self.fail(
                        "audit",
                        Some(entry.seq),
                        format!("revision {seq} it covers is missing"),
                    );
                    break;
                };
                let row = row?;
                self.revisions += 1;
                self.bytes += row.body.len() as u64;
                if row.seq != seq {
                    self.fail(
                        "revision",
                        Some(row.seq),
                        format!("expected revision {seq} here; revisions are missing or reordered"),
                    );
                }
                if row.audit_seq != entry.seq {
                    self.fail(
                        "revision",
                        Some(row.seq),
                        format!(
                            "claims audit entry {}, but entry {} covers it",
                            row.audit_seq, entry.seq
                        ),
                    );
                }
                if row.computed_hash()[..] != row.hash[..] {
                    self.fail(
                        "revision",
                        Some(row.seq),
                        "its content does not match its hash",
                    );
                }
                if let Some(kind) = athar_model::RecordKind::from_code(row.kind) {
                    if athar_model::RecordBody::from_json(kind, &row.body).is_err() {
                        self.fail("revision", Some(row.seq), "its body is not a valid record");
                    }
                } else {
                    self.fail("revision", Some(row.seq), "unknown record kind");
                }
                digest.add(&row.hash);
                seq = row.seq.max(seq) + 1;
            }
            self.expected_rev_seq = last + 1;
        } else if entry.first_rev.is_some() || entry.last_rev.is_some() {
            self.fail(
                "audit",
                Some(entry.seq),
                "names only one end of its revision range",
            );
        }
        if digest.finish()[..] != entry.digest[..] {
            self.fail(
                "audit",
                Some(entry.seq),
                "the revisions it covers do not match its digest",
            );
        }
        self.prev_hash = entry.hash.as_slice().try_into().unwrap_or(GENESIS);
        self.head = self.prev_hash;
        Ok(())
    }

    /// After the last audit entry: any revision left over is not covered by the chain.
    pub fn finish<E>(
        &mut self,
        revisions: &mut dyn Iterator<Item = Result<RevisionRow, E>>,
    ) -> Result<(), E> {
        if let Some(row) = revisions.next() {
            let row = row?;
            self.fail(
                "revision",
                Some(row.seq),
                "is not covered by any audit entry",
            );
        }
        if self.audit_entries == 0 {
            self.fail(
                "audit",
                None,
                "the audit log is empty; an initialised store has at least its creation entry",
            );
        }
        Ok(())
    }
}
