//! Envelope encryption of identifying fields, and blind indexes to find them.
//!
//! The hierarchy, top down:
//!
//! - [`MasterKey`]: derived from the store key (itself from the passphrase) with HKDF.
//!   It only wraps organisation keys.
//! - [`OrgKey`]: one random key per organisation, kept wrapped by the master key and
//!   unwrapped when the store opens. It wraps the data keys of the organisation's records
//!   and derives the organisation's [`BlindIndexKey`].
//! - [`DataKey`]: a random key per sealed revision of a record. The identifying fields of
//!   that revision are sealed under it with XChaCha20-Poly1305. Destroying a record's data
//!   keys makes its identifying fields unreadable for good (crypto-shredding).
//!
//! Every ciphertext is bound to where it belongs with associated data (the record id, the
//! key id, the organisation), so a sealed value or a wrapped key moved to another record
//! fails to open instead of showing the wrong person's name.
//!
//! A [`BlindIndexKey`] turns a normalised name token into a 64-bit tag (HMAC-SHA256,
//! truncated). The database stores tags, never tokens, so names can be looked up without
//! being readable; tags differ between organisations, so equal names in two
//! organisations' records cannot be matched by someone holding only the database.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::{CryptoError, StoreKey, fill_random};

const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
/// Length of a wrapped 256-bit key: nonce, key, authentication tag.
pub const WRAPPED_KEY_LEN: usize = NONCE_LEN + 32 + TAG_LEN;
/// Format byte at the head of every sealed value, so the format can change later.
const SEALED_V1: u8 = 1;

/// Why something sealed or wrapped could not be opened. Never carries the content.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OpenError {
    #[error("the sealed value is damaged or does not belong here")]
    Damaged,
    #[error("the sealed value has an unknown format")]
    UnknownFormat,
}

macro_rules! secret_key {
    ($name:ident, $doc:literal) => {
        #[doc = $doc]
        #[derive(Clone, Zeroize, ZeroizeOnDrop)]
        pub struct $name([u8; 32]);

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "(..)"))
            }
        }

        impl $name {
            fn cipher(&self) -> XChaCha20Poly1305 {
                XChaCha20Poly1305::new(&self.0.into())
            }
        }
    };
}

secret_key!(MasterKey, "Wraps the organisation keys of one store.");
secret_key!(
    OrgKey,
    "One organisation's key: wraps its data keys, derives its blind index key."
);
secret_key!(
    DataKey,
    "Seals the identifying fields of one revision of one record."
);

fn random_key() -> Result<[u8; 32], CryptoError> {
    let mut k = [0u8; 32];
    fill_random(&mut k)?;
    Ok(k)
}

fn hkdf_expand(input: &[u8], info: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    // 32 bytes is always a valid HKDF-SHA256 output length.
    let _ = Hkdf::<Sha256>::new(Some(b"athar/envelope/v1"), input).expand(info, &mut out);
    out
}

/// Encrypt `plain` under `cipher` with a fresh random nonce: nonce ‖ ciphertext ‖ tag.
fn encrypt(
    cipher: &XChaCha20Poly1305,
    aad: &[u8],
    plain: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), CryptoError> {
    let mut nonce = [0u8; NONCE_LEN];
    fill_random(&mut nonce)?;
    let sealed = cipher
        .encrypt(&XNonce::from(nonce), Payload { msg: plain, aad })
        .map_err(|_| CryptoError::Random("encryption failed".into()))?;
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(())
}

fn decrypt(cipher: &XChaCha20Poly1305, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, OpenError> {
    if sealed.len() < NONCE_LEN + TAG_LEN {
        return Err(OpenError::Damaged);
    }
    let (nonce, body) = sealed.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| OpenError::Damaged)?;
    cipher
        .decrypt(&XNonce::from(nonce), Payload { msg: body, aad })
        .map_err(|_| OpenError::Damaged)
}

fn wrap_aad(purpose: &[u8], context: &[u8]) -> Vec<u8> {
    let mut aad = Vec::with_capacity(purpose.len() + context.len() + 1);
    aad.extend_from_slice(purpose);
    aad.push(0);
    aad.extend_from_slice(context);
    aad
}

impl MasterKey {
    /// The master key of the store whose file key is `store_key`.
    pub fn derive(store_key: &StoreKey) -> MasterKey {
        MasterKey(hkdf_expand(store_key.as_bytes(), b"master key"))
    }

    /// Wrap an organisation key; `org` (the organisation's id) is bound to it.
    pub fn wrap(&self, key: &OrgKey, org: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut out = Vec::with_capacity(WRAPPED_KEY_LEN);
        encrypt(&self.cipher(), &wrap_aad(b"org key", org), &key.0, &mut out)?;
        Ok(out)
    }

    pub fn unwrap(&self, wrapped: &[u8], org: &[u8]) -> Result<OrgKey, OpenError> {
        let mut plain = decrypt(&self.cipher(), &wrap_aad(b"org key", org), wrapped)?;
        let key: [u8; 32] = plain
            .as_slice()
            .try_into()
            .map_err(|_| OpenError::Damaged)?;
        plain.zeroize();
        Ok(OrgKey(key))
    }
}

impl MasterKey {
    /// Seal a small server-side secret (a one-time-code secret, say) bound to `context`.
    pub fn seal_secret(&self, plain: &[u8], context: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut out = Vec::with_capacity(NONCE_LEN + plain.len() + TAG_LEN);
        encrypt(
            &self.cipher(),
            &wrap_aad(b"secret", context),
            plain,
            &mut out,
        )?;
        Ok(out)
    }

    pub fn open_secret(&self, sealed: &[u8], context: &[u8]) -> Result<Vec<u8>, OpenError> {
        decrypt(&self.cipher(), &wrap_aad(b"secret", context), sealed)
    }
}

impl OrgKey {
    pub fn generate() -> Result<OrgKey, CryptoError> {
        Ok(OrgKey(random_key()?))
    }

    /// Wrap a data key; `context` names the record and key it belongs to.
    pub fn wrap(&self, key: &DataKey, context: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut out = Vec::with_capacity(WRAPPED_KEY_LEN);
        encrypt(
            &self.cipher(),
            &wrap_aad(b"data key", context),
            &key.0,
            &mut out,
        )?;
        Ok(out)
    }

    pub fn unwrap(&self, wrapped: &[u8], context: &[u8]) -> Result<DataKey, OpenError> {
        let mut plain = decrypt(&self.cipher(), &wrap_aad(b"data key", context), wrapped)?;
        let key: [u8; 32] = plain
            .as_slice()
            .try_into()
            .map_err(|_| OpenError::Damaged)?;
        plain.zeroize();
        Ok(DataKey(key))
    }

    /// The organisation's blind index key.
    pub fn blind_index_key(&self) -> BlindIndexKey {
        BlindIndexKey(hkdf_expand(&self.0, b"blind index"))
    }
}

impl DataKey {
    pub fn generate() -> Result<DataKey, CryptoError> {
        Ok(DataKey(random_key()?))
    }

    /// Seal `plain`; `context` (record id and key id) must be given again to open it.
    pub fn seal(&self, plain: &[u8], context: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut out = Vec::with_capacity(1 + NONCE_LEN + plain.len() + TAG_LEN);
        out.push(SEALED_V1);
        encrypt(
            &self.cipher(),
            &wrap_aad(b"sealed", context),
            plain,
            &mut out,
        )?;
        Ok(out)
    }

    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Result<Vec<u8>, OpenError> {
        match sealed.split_first() {
            Some((&SEALED_V1, rest)) => {
                decrypt(&self.cipher(), &wrap_aad(b"sealed", context), rest)
            }
            Some(_) => Err(OpenError::UnknownFormat),
            None => Err(OpenError::Damaged),
        }
    }
}

/// Turns normalised tokens into tags for one organisation's blind index.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct BlindIndexKey([u8; 32]);

impl std::fmt::Debug for BlindIndexKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BlindIndexKey(..)")
    }
}

impl BlindIndexKey {
    /// The tag of a token: the first 64 bits of HMAC-SHA256, as a signed integer so that
    /// databases store it in eight bytes. Distinct tokens collide with probability 2⁻⁶⁴;
    /// a look-up confirms its hits against the opened fields anyway.
    pub fn tag(&self, token: &str) -> i64 {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.0) else {
            // HMAC takes keys of any length; this branch cannot be reached.
            return 0;
        };
        mac.update(token.as_bytes());
        let out = mac.finalize().into_bytes();
        let mut first = [0u8; 8];
        first.copy_from_slice(&out[..8]);
        i64::from_be_bytes(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
        r.unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn keys_wrap_and_unwrap_only_in_their_context() {
        let master = MasterKey::derive(&StoreKey::from_bytes([7; 32]));
        let org = ok(OrgKey::generate());
        let wrapped = ok(master.wrap(&org, b"org-1"));
        assert_eq!(wrapped.len(), WRAPPED_KEY_LEN);
        assert_eq!(ok(master.unwrap(&wrapped, b"org-1")).0, org.0);
        assert_eq!(
            master.unwrap(&wrapped, b"org-2").err(),
            Some(OpenError::Damaged)
        );
        let other_master = MasterKey::derive(&StoreKey::from_bytes([8; 32]));
        assert!(other_master.unwrap(&wrapped, b"org-1").is_err());

        let data = ok(DataKey::generate());
        let wrapped = ok(org.wrap(&data, b"record-a"));
        assert_eq!(ok(org.unwrap(&wrapped, b"record-a")).0, data.0);
        assert!(org.unwrap(&wrapped, b"record-b").is_err());
        let mut flipped = wrapped.clone();
        flipped[30] ^= 1;
        assert!(org.unwrap(&flipped, b"record-a").is_err());
    }

    #[test]
    fn sealed_values_open_with_their_key_and_context_only() {
        let key = ok(DataKey::generate());
        let name = "محمد عبد الرحمن".as_bytes();
        let sealed = ok(key.seal(name, b"ctx"));
        assert!(!sealed.windows(name.len()).any(|w| w == name));
        assert_eq!(ok(key.open(&sealed, b"ctx")), name);
        assert_eq!(key.open(&sealed, b"other").err(), Some(OpenError::Damaged));
        let other = ok(DataKey::generate());
        assert!(other.open(&sealed, b"ctx").is_err());
        let mut changed = sealed.clone();
        let last = changed.len() - 1;
        changed[last] ^= 0x80;
        assert!(key.open(&changed, b"ctx").is_err());
        changed = sealed.clone();
        changed[0] = 9;
        assert_eq!(
            key.open(&changed, b"ctx").err(),
            Some(OpenError::UnknownFormat)
        );
        assert_eq!(key.open(&[], b"ctx").err(), Some(OpenError::Damaged));
        // Two seals of the same value differ (fresh nonces).
        assert_ne!(ok(key.seal(name, b"ctx")), sealed);
        assert_eq!(format!("{key:?}"), "DataKey(..)");
    }

    #[test]
    fn blind_tags_are_stable_per_organisation_and_differ_across() {
        let a = ok(OrgKey::generate()).blind_index_key();
        let b = ok(OrgKey::generate()).blind_index_key();
        assert_eq!(a.tag("محمد"), a.tag("محمد"));
        assert_ne!(a.tag("محمد"), a.tag("احمد"));
        assert_ne!(a.tag("محمد"), b.tag("محمد"));
    }
}
