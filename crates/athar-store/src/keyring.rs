//! The organisation keys of an open store, and sealing with them.
//!
//! When a store opens, every organisation's key is unwrapped with the master key (derived
//! from the passphrase) into a [`Keyring`]. Writing seals a record's identifying parts
//! ([`athar_model::sealing`]) under a fresh data key, wrapped by the owning organisation's
//! key; the blind index tags of a person's names are computed with the organisation's
//! blind index key. All of it happens in [`crate::prepare`], beside the writer.
//!
//! Stored forms: a sealed value is the 8-byte key id followed by the data key's
//! ciphertext; the wrapped data key sits in `record_keys` under (record id, key id).
//! Both are bound to the record id, the key id and the organisation number, so neither can
//! be moved to another record or organisation and still open.

use athar_crypto::envelope::{BlindIndexKey, DataKey, OrgKey};
use athar_crypto::fill_random;
use athar_crypto::signing::OrgSigningKey;
use athar_model::sealing::{Identifying, search_tokens};
use athar_model::{RecordId, RecordKind};

use crate::{Result, StoreError};

/// One organisation whose key this store holds.
#[derive(Clone)]
pub struct Organisation {
    /// Small number used in storage.
    pub num: i64,
    pub id: RecordId,
    pub name: String,
    key: OrgKey,
    blind: BlindIndexKey,
    signing: OrgSigningKey,
}

impl std::fmt::Debug for Organisation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Organisation")
            .field("num", &self.num)
            .field("id", &self.id)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Organisation {
    pub(crate) fn new(
        num: i64,
        id: RecordId,
        name: String,
        key: OrgKey,
        signing: OrgSigningKey,
    ) -> Self {
        let blind = key.blind_index_key();
        Organisation {
            num,
            id,
            name,
            key,
            blind,
            signing,
        }
    }

    /// The organisation's public signing key, hex (for `athar verify-package --key`).
    pub fn public_key(&self) -> String {
        self.signing.public_hex()
    }

    /// Sign a message (a package manifest) as this organisation.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message)
    }

    /// The blind index tag of a normalised token in this organisation's index.
    pub fn tag(&self, token: &str) -> i64 {
        self.blind.tag(token)
    }
}

/// Identifying parts sealed for storage.
#[derive(Debug, Clone)]
pub struct SealedPart {
    pub org: i64,
    pub key_id: [u8; 8],
    /// The data key wrapped by the organisation key.
    pub wrapped_key: Vec<u8>,
    /// Key id ‖ ciphertext: the `sealed` column of the revision.
    pub sealed: Vec<u8>,
    /// Blind index tags of the names and identifiers (persons only).
    pub tags: Vec<i64>,
}

/// What opening a stored sealed value gave.
// Returned by value and taken apart at once, on every read of a record: boxing the parts
// would add an allocation per read for nothing.
#[allow(clippy::large_enum_variant)]
pub enum Opened {
    Parts(Identifying),
    /// The record's data key has been destroyed: its identifying parts are gone for good.
    Shredded,
}

fn context(id: &RecordId, key_id: &[u8; 8], org: i64) -> [u8; 32] {
    let mut c = [0u8; 32];
    c[..16].copy_from_slice(id.as_bytes());
    c[16..24].copy_from_slice(key_id);
    c[24..].copy_from_slice(&org.to_be_bytes());
    c
}

/// The key id at the head of a stored sealed value.
pub fn key_id_of(sealed: &[u8]) -> Option<[u8; 8]> {
    sealed.get(..8).and_then(|k| k.try_into().ok())
}

/// The organisation keys of an open store.
#[derive(Clone, Debug, Default)]
pub struct Keyring {
    orgs: Vec<Organisation>,
}

impl Keyring {
    pub(crate) fn new(orgs: Vec<Organisation>) -> Self {
        Keyring { orgs }
    }

    /// This keyring with one more organisation.
    pub(crate) fn with(&self, organisation: Organisation) -> Keyring {
        let mut orgs = self.orgs.clone();
        orgs.push(organisation);
        Keyring { orgs }
    }

    pub fn organisations(&self) -> &[Organisation] {
        &self.orgs
    }

    /// The organisation that owns records written without naming one: the first.
    pub fn default_organisation(&self) -> Result<&Organisation> {
        self.orgs
            .first()
            .ok_or_else(|| StoreError::Database("the store holds no organisation key".into()))
    }

    pub fn organisation(&self, num: i64) -> Result<&Organisation> {
        self.orgs
            .iter()
            .find(|o| o.num == num)
            .ok_or_else(|| StoreError::Database(format!("no key for organisation number {num}")))
    }

    /// Seal identifying parts of record `id` for organisation `org`.
    pub fn seal(
        &self,
        org: &Organisation,
        id: RecordId,
        parts: &Identifying,
    ) -> Result<SealedPart> {
        let mut key_id = [0u8; 8];
        fill_random(&mut key_id)?;
        let ctx = context(&id, &key_id, org.num);
        let data_key = DataKey::generate()?;
        let plain = athar_crypto::Zeroizing::new(
            parts
                .to_json()
                .map_err(|e| StoreError::Database(format!("could not encode a record: {e}")))?,
        );
        let mut sealed = Vec::with_capacity(8 + plain.len() + 41);
        sealed.extend_from_slice(&key_id);
        sealed.extend_from_slice(&data_key.seal(&plain, &ctx)?);
        let mut tags: Vec<i64> = search_tokens(parts).iter().map(|t| org.tag(t)).collect();
        tags.sort_unstable();
        tags.dedup();
        Ok(SealedPart {
            org: org.num,
            key_id,
            wrapped_key: org.key.wrap(&data_key, &ctx)?,
            sealed,
            tags,
        })
    }

    /// Open a stored sealed value of record `id` with its wrapped key, if it still exists.
    pub fn open(
        &self,
        kind: RecordKind,
        id: RecordId,
        sealed: &[u8],
        key: Option<(i64, Vec<u8>)>,
    ) -> Result<Opened> {
        let Some((org, wrapped)) = key else {
            return Ok(Opened::Shredded);
        };
        let damaged = || {
            StoreError::Database(format!(
                "the sealed part of {} {id} does not open; run athar verify",
                kind.name()
            ))
        };
        let key_id = key_id_of(sealed).ok_or_else(damaged)?;
        let ctx = context(&id, &key_id, org);
        let organisation = self.organisation(org)?;
        let data_key = organisation
            .key
            .unwrap(&wrapped, &ctx)
            .map_err(|_| damaged())?;
        let plain =
            athar_crypto::Zeroizing::new(data_key.open(&sealed[8..], &ctx).map_err(|_| damaged())?);
        let parts = Identifying::from_json(kind, &plain).map_err(|_| damaged())?;
        Ok(Opened::Parts(parts))
    }

    /// A fresh data key for item `id` of organisation `org`: the key, its id, and the key
    /// wrapped for `record_keys`.
    pub(crate) fn new_data_key(
        &self,
        org: &Organisation,
        id: RecordId,
    ) -> Result<(DataKey, [u8; 8], Vec<u8>)> {
        let mut key_id = [0u8; 8];
        fill_random(&mut key_id)?;
        let key = DataKey::generate()?;
        let wrapped = org.key.wrap(&key, &context(&id, &key_id, org.num))?;
        Ok((key, key_id, wrapped))
    }

    /// Unwrap the data key of item `id`.
    pub(crate) fn data_key(
        &self,
        id: RecordId,
        key_id: &[u8; 8],
        org: i64,
        wrapped: &[u8],
    ) -> Result<DataKey> {
        self.organisation(org)?
            .key
            .unwrap(wrapped, &context(&id, key_id, org))
            .map_err(|_| {
                StoreError::Database(format!(
                    "the data key of {id} does not open; run athar verify"
                ))
            })
    }

    /// The context sealed values of item `id` are bound to.
    pub(crate) fn context_of(id: RecordId, key_id: &[u8; 8], org: i64) -> [u8; 32] {
        context(&id, key_id, org)
    }

    /// Whether a wrapped key opens under its organisation's key (for verification).
    pub fn key_opens(&self, id: RecordId, key_id: &[u8; 8], org: i64, wrapped: &[u8]) -> bool {
        self.organisation(org)
            .is_ok_and(|o| o.key.unwrap(wrapped, &context(&id, key_id, org)).is_ok())
    }

    /// The blind index tags of a person's identifying parts, in every organisation's
    /// index the parts could be in: used to remove them again.
    pub fn tags_of(&self, org: i64, parts: &Identifying) -> Result<Vec<i64>> {
        let organisation = self.organisation(org)?;
        Ok(search_tokens(parts)
            .iter()
            .map(|t| organisation.tag(t))
            .collect())
    }
}
