//! # athar-store — where records live, and their history
//!
//! Every write is a [`ChangeSet`]: one or more creations, updates or deletions by one
//! author, applied in one transaction or not at all. Each change becomes a new revision of
//! its record; nothing is overwritten, and a deletion is a revision that carries a reason.
//! Each change set appends one entry to the audit log, a hash chain (see [`chain`]) that
//! [`Store::verify`] re-checks end to end.
//!
//! [`Store`] is the backend-neutral interface the server and the command line use. The
//! embedded backend, [`sqlite::SqliteStore`], keeps everything in one SQLCipher file
//! encrypted under a key derived from the passphrase ([`layout`]). Its methods block;
//! async callers run them on a blocking thread.
//!
//! Every body is validated against the model and the vocabularies, and every reference
//! (an involvement's person and event, an event's previous event, a cited source) must
//! name an existing record, before anything is written.
//!
//! Identifying parts of records (names, identifiers, contacts, notes, narratives) are
//! sealed under per-revision data keys wrapped by the owning organisation's key
//! ([`keyring`]), inside the already encrypted file. Persons are found by name through a
//! blind index of keyed tags. [`Store::shred`] destroys a record's data keys: its
//! identifying parts become unreadable for good, in every copy of the revisions.

#![forbid(unsafe_code)]

pub mod accounts;
pub mod chain;
pub mod clock;
pub mod drafts;
pub mod evidence;
pub mod keyring;
pub mod layout;
pub mod linkage;
pub mod sqlite;

use athar_model::{FieldError, RecordBody, RecordId, RecordKind, Reference, Vocabularies};
use serde::Serialize;

pub use accounts::Accounts;
pub use chain::Problem;
pub use drafts::{Draft, DraftInfo, Drafts};
pub use evidence::EvidenceVault;
pub use keyring::{Keyring, Organisation, SealedPart};
pub use layout::DataDir;
pub use linkage::{Linkage, LinkageRun, NewLinkageRun, ScoredPair};
pub use sqlite::{SqliteStore, unlock_statements};

/// What a change does to one record.
#[derive(Debug, Clone)]
pub enum Change {
    Create {
        id: RecordId,
        body: RecordBody,
    },
    /// Replace the content; `expected_rev` guards against overwriting someone else's edit.
    Update {
        id: RecordId,
        expected_rev: Option<u32>,
        body: RecordBody,
    },
    /// Mark deleted, with the reason; the content stays in history.
    Delete {
        kind: RecordKind,
        id: RecordId,
        expected_rev: Option<u32>,
        reason: String,
    },
}

impl Change {
    pub fn id(&self) -> RecordId {
        match self {
            Change::Create { id, .. } | Change::Update { id, .. } | Change::Delete { id, .. } => {
                *id
            }
        }
    }
}

/// Changes applied together by one author, recorded as one audit entry.
#[derive(Debug, Clone)]
pub struct ChangeSet {
    /// Who: a user or a process (`cli`, `demo`).
    pub author: String,
    /// What, for the audit log: e.g. `api.create`, `demo.generate`.
    pub action: String,
    /// The organisation (number) acting: it owns what it creates, and may change only what
    /// it owns. `None`: the store's first organisation.
    pub owner: Option<i64>,
    pub changes: Vec<Change>,
}

/// A change set checked against the model and the vocabularies and encoded for storage.
/// Only [`prepare`] makes one, so nothing unchecked reaches a store. Preparing is
/// independent of the database and can run on another thread than the writer.
#[derive(Debug)]
pub struct Prepared {
    pub(crate) author: String,
    pub(crate) action: String,
    pub(crate) owner: Option<i64>,
    /// Each change without its body, which is checked, sealed and encoded below: only
    /// what the writer needs is kept.
    pub(crate) steps: Vec<Step>,
    /// The JSON body of each create or update.
    pub(crate) encoded: Vec<Option<Vec<u8>>>,
    /// The records each change refers to.
    pub(crate) references: Vec<Vec<Reference>>,
    /// The sealed identifying parts of each create or update that has any.
    pub(crate) sealed: Vec<Option<SealedPart>>,
    /// The counting facts of each create or update of a counted kind
    /// (`athar_model::facts`), in their stored form.
    pub(crate) facts: Vec<Option<Vec<u8>>>,
}

/// What the writer needs of one prepared change besides its encoded body.
#[derive(Debug)]
pub(crate) enum Step {
    Create {
        id: RecordId,
        kind: RecordKind,
        /// For an involvement: the (person, event) it links.
        link: Option<(RecordId, RecordId)>,
    },
    Update {
        id: RecordId,
        expected_rev: Option<u32>,
        kind: RecordKind,
        link: Option<(RecordId, RecordId)>,
    },
    Delete {
        kind: RecordKind,
        id: RecordId,
        expected_rev: Option<u32>,
        reason: String,
    },
}

/// For an involvement: the (person, event) it links.
pub(crate) fn link_of(body: &RecordBody) -> Option<(RecordId, RecordId)> {
    match body {
        RecordBody::Involvement(inv) => Some((inv.person, inv.event)),
        _ => None,
    }
}

impl Prepared {
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
}

/// Validate every change of a set (fields, vocabulary terms, deletion reasons), seal the
/// identifying parts under the acting organisation's key and encode the rest.
/// References to other records are checked later, by the store, in the write transaction.
pub fn prepare(set: ChangeSet, vocab: &Vocabularies, keyring: &Keyring) -> Result<Prepared> {
    let ChangeSet {
        author,
        action,
        owner,
        changes,
    } = set;
    let mut steps = Vec::with_capacity(changes.len());
    let mut encoded = Vec::with_capacity(changes.len());
    let mut references = Vec::with_capacity(changes.len());
    let mut sealed = Vec::with_capacity(changes.len());
    let mut facts = Vec::with_capacity(changes.len());
    let sealing_for = match owner {
        Some(num) => keyring.organisation(num)?,
        None => keyring.default_organisation()?,
    };
    for (index, change) in changes.into_iter().enumerate() {
        let (id, mut body, step) = match change {
            Change::Create { id, body } => {
                let step = Step::Create {
                    id,
                    kind: body.kind(),
                    link: link_of(&body),
                };
                (id, body, step)
            }
            Change::Update {
                id,
                expected_rev,
                body,
            } => {
                let step = Step::Update {
                    id,
                    expected_rev,
                    kind: body.kind(),
                    link: link_of(&body),
                };
                (id, body, step)
            }
            Change::Delete {
                kind,
                id,
                expected_rev,
                reason,
            } => {
                if reason.trim().is_empty() {
                    return Err(StoreError::Invalid {
                        index,
                        errors: vec![FieldError::new(
                            "reason",
                            "delete.no_reason",
                            "a deletion must give its reason",
                            "يجب ذكر سبب الحذف",
                        )],
                    });
                }
                steps.push(Step::Delete {
                    kind,
                    id,
                    expected_rev,
                    reason,
                });
                encoded.push(None);
                references.push(Vec::new());
                sealed.push(None);
                facts.push(None);
                continue;
            }
        };
        body.validate(vocab)
            .map_err(|errors| StoreError::Invalid { index, errors })?;
        facts.push(athar_model::facts::RecordFacts::of(&body).map(|f| f.encode()));
        sealed.push(match athar_model::sealing::take_identifying(&mut body) {
            Some(parts) => Some(keyring.seal(sealing_for, id, &parts)?),
            None => None,
        });
        let json = body
            .to_json()
            .map_err(|e| StoreError::Database(format!("could not encode a record: {e}")))?;
        encoded.push(Some(json));
        references.push(body.references());
        steps.push(step);
    }
    Ok(Prepared {
        author,
        action,
        owner,
        steps,
        encoded,
        references,
        sealed,
        facts,
    })
}

/// Who writes a streamed change set, and why: the header of its one audit entry.
#[derive(Debug, Clone)]
pub struct WriteHeader {
    pub author: String,
    pub action: String,
    /// The organisation acting; every part must have been prepared for it.
    pub owner: Option<i64>,
}

/// What the source of a streamed write ([`Store::write_stream`]) gives next.
#[derive(Debug)]
pub enum NextPart {
    /// Another prepared change set, written in the same transaction.
    Part(Prepared),
    /// Nothing more: commit.
    Done,
    /// Give up: nothing of the stream is written.
    Abandon,
}

/// What a streamed write came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StreamWritten {
    pub audit_seq: i64,
    /// How many revisions it wrote.
    pub revisions: u64,
}

/// The result of applying a change set.
#[derive(Debug, Clone, Serialize)]
pub struct Written {
    pub audit_seq: i64,
    /// (record, its new revision number), in the order of the changes.
    pub revisions: Vec<(RecordId, u32)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    Create,
    Update,
    Delete,
    /// The record's data keys were destroyed: its identifying parts are gone for good.
    Shred,
}

impl Operation {
    pub fn code(self) -> i64 {
        match self {
            Operation::Create => 1,
            Operation::Update => 2,
            Operation::Delete => 3,
            Operation::Shred => 4,
        }
    }
    pub fn from_code(code: i64) -> Option<Self> {
        [
            Operation::Create,
            Operation::Update,
            Operation::Delete,
            Operation::Shred,
        ]
        .into_iter()
        .find(|o| o.code() == code)
    }
}

/// How an organisation may see a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// It owns the record: everything, and it may change it.
    Owner,
    /// Shared in full: everything, read only.
    Full,
    /// Shared without its identifying parts, read only.
    Pseudonymised,
    /// Not to be seen (counted in coalition statistics at most): answer as if it did not exist.
    Hidden,
}

/// What a record's owner lets another organisation see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareMode {
    Full,
    Pseudonymised,
    /// Counted in coalition statistics, never shown (organisation 0: the whole coalition).
    Aggregate,
}

impl ShareMode {
    pub fn name(self) -> &'static str {
        match self {
            ShareMode::Full => "full",
            ShareMode::Pseudonymised => "pseudonymised",
            ShareMode::Aggregate => "aggregate",
        }
    }
    pub fn parse(text: &str) -> Option<ShareMode> {
        [
            ShareMode::Full,
            ShareMode::Pseudonymised,
            ShareMode::Aggregate,
        ]
        .into_iter()
        .find(|m| m.name() == text)
    }
}

/// One organisation's share of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Share {
    /// Organisation number; 0 with [`ShareMode::Aggregate`] means the whole coalition.
    pub org: i64,
    pub mode: ShareMode,
}

/// A record as it stands now.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    pub id: RecordId,
    pub rev: u32,
    pub body: RecordBody,
    /// Unix milliseconds.
    pub created_at: i64,
    pub updated_at: i64,
    /// The identifying parts were shredded: `body` holds only the rest.
    pub shredded: bool,
    /// The organisation that owns it.
    pub owner: i64,
    /// Shown without its identifying parts (shared pseudonymised).
    pub pseudonymised: bool,
}

/// A page of persons found by name, closest first, and how many the searching
/// organisation may see in all.
#[derive(Debug, Clone, Default)]
pub struct PersonMatches {
    pub items: Vec<PersonMatch>,
    pub total: u64,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<SearchCursor>,
}

/// One person found by name.
#[derive(Debug, Clone)]
pub struct PersonMatch {
    pub record: StoredRecord,
    /// How closely the person's names match, at the loosest word of the search.
    pub closeness: NameCloseness,
    /// Where this match stands in the ranking (a page after it starts here).
    pub cursor: SearchCursor,
}

/// How closely a name found matches the words searched for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NameCloseness {
    /// Every word written the same way (after folding: diacritics, hamza forms, the
    /// article, joined or separate compounds).
    SameSpelling,
    /// Every word with the same consonants and ending in either script ("Halabi", الحلبي).
    SameSound,
    /// Some word only with the same consonants (علا for "Ali").
    SameSkeleton,
}

impl NameCloseness {
    /// The name the API gives it (`same-spelling`, `same-sound`, `same-skeleton`).
    pub fn code(self) -> &'static str {
        match self {
            NameCloseness::SameSpelling => "same-spelling",
            NameCloseness::SameSound => "same-sound",
            NameCloseness::SameSkeleton => "same-skeleton",
        }
    }
}

/// A place in a name search's ranking: the match's closeness score and its record id.
/// Written `score.id` (e.g. `6.0190a8c2-…`) for `after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchCursor {
    pub score: u32,
    pub id: RecordId,
}

impl std::fmt::Display for SearchCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.score, self.id)
    }
}

impl std::str::FromStr for SearchCursor {
    type Err = ();
    fn from_str(s: &str) -> std::result::Result<Self, ()> {
        let (score, id) = s.split_once('.').ok_or(())?;
        Ok(SearchCursor {
            score: score.parse().map_err(|_| ())?,
            id: id.parse().map_err(|_| ())?,
        })
    }
}

/// One revision in a record's history.
#[derive(Debug, Clone, Serialize)]
pub struct Revision {
    pub rev: u32,
    pub op: Operation,
    pub at: i64,
    pub author: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub audit_seq: i64,
    /// SHA-256 of the revision, hex.
    pub hash: String,
    pub body: RecordBody,
    /// The identifying parts of this revision were shredded.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub shredded: bool,
}

/// An entry of the audit log.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Hash of this entry, hex: the head of the chain when it is the last.
    pub hash: String,
}

/// What [`Store::verify`] found.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub audit_entries: u64,
    pub revisions: u64,
    pub body_bytes: u64,
    /// Hash of the last audit entry, hex.
    pub head: String,
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no {} with id {id}", kind.name())]
    NotFound { kind: RecordKind, id: RecordId },
    #[error("the {} {id} was deleted in revision {rev}", kind.name())]
    Deleted {
        kind: RecordKind,
        id: RecordId,
        rev: u32,
        reason: Option<String>,
    },
    #[error("the {} {id} is at revision {actual}, not {expected}; reload and apply the change again", kind.name())]
    Conflict {
        kind: RecordKind,
        id: RecordId,
        expected: u32,
        actual: u32,
    },
    #[error("the file is larger than the limit of {limit} bytes; nothing was kept")]
    TooLarge { limit: u64 },
    #[error("the username is taken")]
    UsernameTaken,
    #[error("a record with id {id} exists already")]
    Exists { id: RecordId },
    /// No such draft of this author (or it was submitted or discarded).
    #[error("no draft {id}")]
    NoDraft { id: RecordId },
    /// The draft was saved from elsewhere (another window) since this copy was opened.
    #[error("the draft {id} was saved as revision {actual} since revision {expected} was opened")]
    DraftConflict {
        id: RecordId,
        expected: u32,
        actual: u32,
    },
    #[error("change {index} is invalid: {}", .errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Invalid {
        index: usize,
        errors: Vec<FieldError>,
    },
    #[error(
        "the passphrase does not open this store: check it (ATHAR_PASSPHRASE or the prompt), and that athar-key.json beside the store is the one made with it"
    )]
    WrongPassphrase,
    #[error("no Athar store in {0}; run `athar init` first")]
    NotInitialised(String),
    #[error("an Athar store exists already in {0}")]
    AlreadyInitialised(String),
    #[error("the store was written by a newer Athar (schema {found}, this build knows {known})")]
    TooNew { found: i64, known: i64 },
    #[error(transparent)]
    Crypto(#[from] athar_crypto::CryptoError),
    #[error("file {path}: {error}")]
    Io { path: String, error: std::io::Error },
    #[error("database error: {0}")]
    Database(String),
    /// A page of the store file failed its authentication or structure check: the file was
    /// changed or damaged on disk.
    #[error(
        "the store file is damaged ({0}); run `athar verify` to see where, and restore the last backup"
    )]
    Damaged(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// How far the store's data has gone, for caches of what is computed from it: the last
/// revision written, the last linkage run kept, the last change of a record's sharing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DataMarks {
    pub revisions: i64,
    pub runs: i64,
    pub shared: i64,
}

impl std::fmt::Display for DataMarks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.revisions, self.runs, self.shared)
    }
}

/// Where [`Store::kept_counts`] reads an organisation's kept counting to, as it is opened.
pub trait KeptCountsReader: std::io::Write {
    /// Told the data marks the counting was kept at, before any of its bytes: whether to
    /// read them.
    fn read_at(&mut self, marks: DataMarks) -> bool;
}

/// An organisation's counting as an application kept it between processes, read whole
/// into memory: the bytes it wrote (no names) and the data marks they were counted at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeptCounts {
    pub marks: DataMarks,
    pub bytes: Vec<u8>,
}

impl std::io::Write for KeptCounts {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.bytes.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl KeptCountsReader for KeptCounts {
    fn read_at(&mut self, marks: DataMarks) -> bool {
        self.marks = marks;
        true
    }
}

/// The records with a revision after a mark, each once, and the last revision read (see
/// [`Store::changed_since`]).
pub type ChangedRecords = (i64, Vec<(RecordKind, RecordId)>);

/// A backend the server can run on: records, accounts, evidence, linkage runs and drafts.
pub trait Backend: Store + Accounts + EvidenceVault + Linkage + Drafts {}
impl<T: Store + Accounts + EvidenceVault + Linkage + Drafts> Backend for T {}

/// The operations every backend offers. Implementations must be safe to share between
/// threads; every write is atomic.
pub trait Store: Send + Sync {
    /// The organisation keys this store was opened with.
    fn keyring(&self) -> std::sync::Arc<Keyring>;

    /// Validate and apply a change set in one transaction, appending one audit entry.
    fn write(&self, changes: ChangeSet) -> Result<Written> {
        self.write_prepared(prepare(changes, Vocabularies::embedded(), &self.keyring())?)
    }

    /// How organisation `org` may see a record (its owner sees it all).
    fn visibility(&self, org: i64, kind: RecordKind, id: RecordId) -> Result<Visibility>;

    /// Records of a kind that organisation `org` owns or has been shared, in id order after
    /// `after`, at most `limit`: pseudonymised where that is all it was given.
    fn list_for(
        &self,
        org: i64,
        kind: RecordKind,
        after: Option<RecordId>,
        limit: usize,
    ) -> Result<Vec<StoredRecord>>;

    /// Every record of a kind organisation `org` can see, in id order, read page by page.
    fn list_all_for(&self, org: i64, kind: RecordKind) -> Result<Vec<StoredRecord>> {
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let page = self.list_for(org, kind, after, 5_000)?;
            let Some(last) = page.last() else { break };
            after = Some(last.id);
            out.extend(page);
        }
        Ok(out)
    }

    /// How many records of a kind organisation `org` can see.
    fn count_for(&self, org: i64, kind: RecordKind) -> Result<u64>;

    /// The counting facts (`athar_model::facts`) of every live person, event and
    /// involvement organisation `org` may see — its own and those shared with it — given to
    /// `visit` one by one as they are read, all from one state of the store. The store keeps
    /// them with the revisions, so no record is opened: counting costs what the facts do.
    fn count_facts_for(
        &self,
        org: i64,
        visit: &mut dyn FnMut(RecordId, &athar_model::facts::RecordFacts) -> Result<()>,
    ) -> Result<()>;

    /// What an application kept of organisation `org`'s counting ([`Store::keep_counts`]),
    /// written to `into` as it is opened, if `into` wants it at the marks it was kept at.
    /// The marks when every byte was read and `into` took them all; `None` when nothing is
    /// kept, `into` did not want it, or it does not read back whole — then what `into`
    /// was given is to be dropped.
    fn kept_counts(&self, org: i64, into: &mut dyn KeptCountsReader) -> Result<Option<DataMarks>>;

    /// Keep what organisation `org`'s counting made of the data at `marks`, as `write`
    /// writes it, in place of what was kept before. Derived data like the counting facts:
    /// it holds no names, and is sealed under the organisation's key all the same.
    fn keep_counts(
        &self,
        org: i64,
        marks: DataMarks,
        write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<()>;

    /// A value that changes whenever what any organisation can count changes: a revision
    /// written (creation, update, deletion), a linkage run kept, a record's sharing set.
    /// Reads — views, statistics, reports — leave it as it was, so figures computed at one
    /// version can be reused until the next.
    fn data_version(&self) -> Result<String> {
        Ok(self.data_marks()?.to_string())
    }

    /// The parts of [`Store::data_version`]: how far the revisions, the linkage runs and
    /// the sharing changes have gone.
    fn data_marks(&self) -> Result<DataMarks>;

    /// The records that have a revision after revision `mark` (a [`DataMarks::revisions`]),
    /// each once, with the last revision read: what a cache built at `mark` must look at
    /// again — creations, edits, deletions and shreddings. `None` when more than `at_most`
    /// records changed (an import): then the cache is better computed afresh.
    fn changed_since(&self, mark: i64, at_most: usize) -> Result<Option<ChangedRecords>>;

    /// Replace what a record's owner shares of it, recorded in the audit chain.
    fn set_shares(
        &self,
        author: &str,
        kind: RecordKind,
        id: RecordId,
        shares: &[Share],
    ) -> Result<AuditEntry>;

    /// What a record's owner shares of it.
    fn shares(&self, kind: RecordKind, id: RecordId) -> Result<Vec<Share>>;

    /// Read the organisations again, so one another process added is usable without a
    /// restart.
    fn refresh_organisations(&self) -> Result<()>;

    /// Add an organisation with a fresh key; recorded in the audit chain.
    fn create_organisation(&self, actor: &str, name: &str) -> Result<Organisation>;

    /// Apply a change set already [`prepare`]d, checking its references, in one transaction.
    fn write_prepared(&self, prepared: Prepared) -> Result<Written>;

    /// Apply change sets prepared one after another — taken from `next` until it says
    /// [`NextPart::Done`] — in one transaction with one audit entry, checking their
    /// references as [`Store::write_prepared`] does. A long list can so be written while
    /// it is still being prepared, without holding all of it. `next` runs on the calling
    /// thread while the transaction is open and must not write to this store.
    /// [`NextPart::Abandon`] or an error rolls everything back; abandoning gives `None`.
    fn write_stream(
        &self,
        header: WriteHeader,
        next: &mut dyn FnMut() -> NextPart,
    ) -> Result<Option<StreamWritten>>;

    /// The current state of a record. Deleted records give [`StoreError::Deleted`].
    fn get(&self, kind: RecordKind, id: RecordId) -> Result<StoredRecord>;

    /// Records of a kind in id order (creation order), after `after`, at most `limit`;
    /// deleted records are left out.
    fn list(
        &self,
        kind: RecordKind,
        after: Option<RecordId>,
        limit: usize,
    ) -> Result<Vec<StoredRecord>>;

    /// Persons whose names match every word of `query` in any spelling or script, through
    /// the blind index; deleted persons left out, at most `limit`, closest first (see
    /// [`Store::find_persons_for`]).
    fn find_persons(&self, query: &str, limit: usize) -> Result<Vec<StoredRecord>>;

    /// Persons organisation `org` may find by name — its own and those shared with it in
    /// full — whose names match every word of `query`: written the same way, or in another
    /// spelling or script with the same skeleton ([`athar_model::names`]). Ranked closest
    /// first, then by id. Visibility is decided before anything is counted or cut, so
    /// `total` counts every match the organisation may see; `items` are the matches after
    /// `after`, at most `limit`.
    fn find_persons_for(
        &self,
        org: i64,
        query: &str,
        after: Option<SearchCursor>,
        limit: usize,
    ) -> Result<PersonMatches>;

    /// Destroy the data keys of a record, in one transaction with a revision that records
    /// who did it and why: every revision's identifying parts become unreadable for good and
    /// the record leaves the name index. The rest of the record stays.
    fn shred(&self, kind: RecordKind, id: RecordId, author: &str, reason: &str) -> Result<Written>;

    /// How many records of a kind exist (deleted ones not counted).
    fn count(&self, kind: RecordKind) -> Result<u64>;

    /// Every revision of a record, oldest first.
    fn history(&self, kind: RecordKind, id: RecordId) -> Result<Vec<Revision>>;

    /// The involvements naming a person, or an event.
    fn involvements_of_person(&self, person: RecordId) -> Result<Vec<StoredRecord>>;
    fn involvements_of_event(&self, event: RecordId) -> Result<Vec<StoredRecord>>;

    /// Append an audit entry that records no change (a view, an export, a login).
    fn audit(&self, actor: &str, action: &str, subject: Option<&str>) -> Result<AuditEntry>;

    /// The last audit entry: the head of the chain.
    fn audit_head(&self) -> Result<AuditEntry>;

    /// The audit entries about one subject (a record's or an evidence item's id), oldest
    /// first: for an evidence item, its chain of custody.
    fn audit_about(&self, subject: &str) -> Result<Vec<AuditEntry>>;

    /// Re-check every revision and audit entry, and the database's own integrity.
    /// `progress` is called with the number of revisions checked so far.
    fn verify(&self, progress: &mut dyn FnMut(u64)) -> Result<VerifyReport>;

    /// Keep the store's files bounded under continuous use: write what the write-ahead log
    /// holds back into the database and empty the log, unless a reader is using it right
    /// now (then nothing waits: the next call tries again). A server calls it now and then.
    fn maintain(&self) -> Result<Maintenance> {
        Ok(Maintenance::default())
    }
}

/// What [`Store::maintain`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Maintenance {
    /// The log's size before, in bytes.
    pub log_bytes: u64,
    /// Whether the log was emptied (false when a reader kept it).
    pub emptied: bool,
}
