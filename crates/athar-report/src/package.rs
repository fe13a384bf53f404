//! Evidence packages: a case's records and files for a UN mechanism or a court, signed.
//!
//! A package is a tar archive:
//!
//! ```text
//! records/person-<id>.json, records/event-<id>.json, …   the records, as of now, in full
//! evidence/<id>/<file name>                            each evidence file, original bytes
//! manifest.json                                        what is inside and why (below)
//! manifest.sig                                         Ed25519 signature of manifest.json, hex
//! ```
//!
//! The manifest lists every other file with its SHA-256 and size, the organisation and its
//! public key, the purpose, the person's consent, each evidence item's metadata and chain of
//! custody, and the head of the audit chain when the package was made. It is signed with
//! the organisation's key, so [`verify_package`] can check offline, with nothing but the
//! archive and the public key, that no file and no byte was added, removed or changed.
//!
//! A package is made only for a purpose the person consented to; making it is recorded in
//! the audit chain, and each evidence item gets an export entry in its chain of custody.

use athar_store::clock::now_ms;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};

use athar_crypto::{from_hex, to_hex};
use athar_model::consent::{Purpose, permits};
use athar_model::{RecordBody, RecordId};
use athar_store::evidence::{Custody, EvidenceItem};
use athar_store::{Backend, StoreError, StoredRecord};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const FORMAT: &str = "athar-package/1";
const MANIFEST: &str = "manifest.json";
const SIGNATURE: &str = "manifest.sig";

#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("the person has not consented to {}; no package was made", .0.label_en())]
    NoConsent(Purpose),
    #[error("no person with id {0} in this organisation")]
    NotFound(RecordId),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("writing the package: {0}")]
    Io(#[from] std::io::Error),
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileEntry {
    pub path: String,
    pub sha256: String,
    pub size: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrganisationEntry {
    pub id: String,
    pub name: String,
    /// Ed25519 public key, hex: what `athar verify-package --key` takes.
    pub public_key: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub organisation: OrganisationEntry,
    pub purpose: Purpose,
    pub person: String,
    /// Unix milliseconds.
    pub created_at: i64,
    pub created_by: String,
    /// The person's consent decisions, as recorded.
    pub consent: serde_json::Value,
    /// Evidence items with their metadata and chain of custody.
    pub evidence: Vec<serde_json::Value>,
    /// Hash of the last audit entry when the package was made.
    pub audit_head: String,
    pub files: Vec<FileEntry>,
}

/// What was made.
#[derive(Debug, Clone, Serialize)]
pub struct PackageSummary {
    pub records: usize,
    pub evidence: usize,
    /// SHA-256 of manifest.json, hex (also in the audit chain).
    pub manifest_sha256: String,
    pub public_key: String,
}

/// Writes through and hashes.
struct Hashing<'a, W: Write> {
    inner: W,
    hasher: &'a mut Sha256,
    size: &'a mut u64,
}

impl<W: Write> Write for Hashing<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        *self.size += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn header(size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_size(size);
    h.set_mode(0o600);
    h.set_mtime(0);
    h.set_entry_type(tar::EntryType::Regular);
    h
}

/// A file name safe to put in a package path.
fn safe_name(name: Option<&str>) -> String {
    let cleaned: String = name
        .unwrap_or("file")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let trimmed = cleaned.trim_start_matches('.');
    if trimmed.is_empty() {
        "file".into()
    } else {
        trimmed.chars().take(100).collect()
    }
}

/// The records of a case as the packaging organisation may see them, gathered by the
/// application layer (`athar-app`): the person, then their involvements, the events of
/// their journey and the sources these cite — never another organisation's unshared record.
#[derive(Debug, Clone)]
pub struct PackageMaterial {
    /// The organisation (number) that owns the person and signs the package.
    pub org: i64,
    pub subject: StoredRecord,
    pub records: Vec<StoredRecord>,
}

/// Make a package of a person's case for `purpose` into `out`, signed by the organisation.
pub fn build_package(
    store: &dyn Backend,
    material: PackageMaterial,
    purpose: Purpose,
    author: &str,
    out: std::fs::File,
) -> Result<PackageSummary, PackageError> {
    let PackageMaterial {
        org,
        subject,
        records: case_records,
    } = material;
    let person = subject.id;
    if subject.owner != org {
        return Err(PackageError::NotFound(person));
    }
    let keyring = store.keyring();
    let organisation = keyring.organisation(org)?;
    let RecordBody::Person(p) = &subject.body else {
        return Err(PackageError::NotFound(person));
    };
    if !permits(&p.consent, purpose) {
        return Err(PackageError::NoConsent(purpose));
    }
    let mut records = vec![subject.clone()];
    records.extend(case_records);
    let mut evidence: BTreeMap<RecordId, EvidenceItem> = BTreeMap::new();
    for r in &records {
        for item in store.evidence_about(r.id)? {
            if item.owner == org {
                evidence.insert(item.id, item);
            }
        }
    }

    let mut builder = tar::Builder::new(out);
    let mut files = Vec::new();
    for r in &records {
        let kind = r.body.kind();
        let json = serde_json::to_vec_pretty(&serde_json::json!({
            "id": r.id, "kind": kind, "rev": r.rev, "shredded": r.shredded, "record": &r.body,
        }))
        .map_err(|e| StoreError::Database(e.to_string()))?;
        let path = format!("records/{}-{}.json", kind.name(), r.id);
        builder.append_data(&mut header(json.len() as u64), &path, json.as_slice())?;
        files.push(FileEntry {
            path,
            sha256: to_hex(&Sha256::digest(&json)),
            size: json.len() as u64,
        });
    }
    let mut evidence_entries = Vec::new();
    for item in evidence.values() {
        let path = format!(
            "evidence/{}/{}",
            item.id,
            safe_name(item.filename.as_deref())
        );
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        {
            let mut h = header(item.size);
            let entry = builder.append_writer(&mut h, &path)?;
            let mut w = Hashing {
                inner: entry,
                hasher: &mut hasher,
                size: &mut size,
            };
            store.read_evidence(item.id, &mut w)?;
            w.inner.finish()?;
        }
        let sha = to_hex(&hasher.finalize());
        if sha != item.sha256 || size != item.size {
            return Err(StoreError::Database(format!(
                "evidence {} does not match its SHA-256; run athar verify",
                item.id
            ))
            .into());
        }
        files.push(FileEntry {
            path: path.clone(),
            sha256: sha,
            size,
        });
        let custody = store.audit_about(&item.id.to_string())?;
        evidence_entries.push(serde_json::json!({
            "path": path,
            "item": item,
            "custody": custody,
        }));
    }
    let head = store.audit_head()?;
    let manifest = Manifest {
        format: FORMAT.into(),
        organisation: OrganisationEntry {
            id: organisation.id.to_string(),
            name: organisation.name.clone(),
            public_key: organisation.public_key(),
        },
        purpose,
        person: person.to_string(),
        created_at: now_ms(),
        created_by: author.into(),
        consent: serde_json::to_value(&p.consent).unwrap_or_default(),
        evidence: evidence_entries,
        audit_head: head.hash,
        files,
    };
    let manifest_json =
        serde_json::to_vec_pretty(&manifest).map_err(|e| StoreError::Database(e.to_string()))?;
    let signature = to_hex(&organisation.sign(&manifest_json));
    builder.append_data(
        &mut header(manifest_json.len() as u64),
        MANIFEST,
        manifest_json.as_slice(),
    )?;
    builder.append_data(
        &mut header(signature.len() as u64),
        SIGNATURE,
        signature.as_bytes(),
    )?;
    let file = builder.into_inner()?;
    file.sync_all()?;

    let manifest_sha = to_hex(&Sha256::digest(&manifest_json));
    store.audit(
        author,
        "package.export",
        Some(&format!(
            "{person} {} sha256:{manifest_sha}",
            purpose.code()
        )),
    )?;
    for id in evidence.keys() {
        store.custody(author, *id, Custody::Export)?;
    }
    Ok(PackageSummary {
        records: records.len(),
        evidence: evidence.len(),
        manifest_sha256: manifest_sha,
        public_key: organisation.public_key(),
    })
}

/// What checking a package found.
#[derive(Debug, Clone, Serialize)]
pub struct PackageReport {
    /// The files the manifest lists that were checked.
    pub files: usize,
    pub organisation: Option<String>,
    pub purpose: Option<Purpose>,
    pub problems: Vec<String>,
}

impl PackageReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Check a package against the organisation's public key (hex): the manifest's signature,
/// then every file against the manifest. Names every file that is missing, added or
/// changed. Needs nothing but the archive and the key.
pub fn verify_package(input: &mut dyn Read, public_key: &str) -> PackageReport {
    let mut report = PackageReport {
        files: 0,
        organisation: None,
        purpose: None,
        problems: Vec::new(),
    };
    let mut seen: BTreeMap<String, (String, u64)> = BTreeMap::new();
    let mut manifest_bytes = None;
    let mut signature = None;
    let mut archive = tar::Archive::new(input);
    let entries = match archive.entries() {
        Ok(e) => e,
        Err(e) => {
            report.problems.push(format!("not a readable package: {e}"));
            return report;
        }
    };
    for entry in entries {
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                report.problems.push(format!("the archive is damaged: {e}"));
                return report;
            }
        };
        let path = entry
            .path()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        if path == MANIFEST || path == SIGNATURE {
            let mut bytes = Vec::new();
            if entry.read_to_end(&mut bytes).is_err() {
                report.problems.push(format!("{path} cannot be read"));
                continue;
            }
            if path == MANIFEST {
                manifest_bytes = Some(bytes);
            } else {
                signature = Some(bytes);
            }
            continue;
        }
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        let mut buf = [0u8; 64 * 1024];
        loop {
            match entry.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    hasher.update(&buf[..n]);
                    size += n as u64;
                }
                Err(e) => {
                    report.problems.push(format!("{path} cannot be read: {e}"));
                    break;
                }
            }
        }
        seen.insert(path, (to_hex(&hasher.finalize()), size));
    }
    let Some(manifest_bytes) = manifest_bytes else {
        report
            .problems
            .push("the package has no manifest.json".into());
        return report;
    };
    let signed = signature
        .and_then(|s| from_hex(String::from_utf8_lossy(&s).trim()))
        .is_some_and(|sig| {
            athar_crypto::signing::verify_signature(public_key, &manifest_bytes, &sig)
        });
    if !signed {
        report.problems.push(
            "manifest.json is not signed by this key: the manifest was changed, or the key is not the organisation's".into(),
        );
    }
    let manifest: Manifest = match serde_json::from_slice(&manifest_bytes) {
        Ok(m) => m,
        Err(e) => {
            report
                .problems
                .push(format!("manifest.json is not a package manifest: {e}"));
            return report;
        }
    };
    report.organisation = Some(manifest.organisation.name.clone());
    report.purpose = Some(manifest.purpose);
    if manifest.format != FORMAT {
        report
            .problems
            .push(format!("unknown package format {}", manifest.format));
    }
    let listed: BTreeSet<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    for file in &manifest.files {
        report.files += 1;
        match seen.get(&file.path) {
            None => report.problems.push(format!("{} is missing", file.path)),
            Some((sha, size)) if *sha != file.sha256 || *size != file.size => report.problems.push(format!(
                "{} has changed: its SHA-256 is {sha} ({size} bytes), the manifest says {} ({} bytes)",
                file.path, file.sha256, file.size
            )),
            Some(_) => {}
        }
    }
    for path in seen.keys() {
        if !listed.contains(path.as_str()) {
            report
                .problems
                .push(format!("{path} is not in the manifest (added)"));
        }
    }
    report
}
