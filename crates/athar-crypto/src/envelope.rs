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

pub(crate) fn hkdf_expand(input: &[u8], info: &[u8]) -> [u8; 32] {
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
    /// The master key derived from a store's root secret (see
    /// [`crate::KeyParams::derive_keys`]).
    pub fn from_secret(root: &[u8; 32]) -> MasterKey {
        MasterKey(hkdf_expand(root, b"master key"))
    }

    /// The master key of a version-1 store, whose file key is its root secret.
    pub fn derive(store_key: &StoreKey) -> MasterKey {
        MasterKey::from_secret(store_key.as_bytes())
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

/// Size of the plaintext segments of a sealed file.
pub const FILE_SEGMENT: usize = 64 * 1024;
const FILE_MAGIC: &[u8; 8] = b"ATHARF1\0";
const STREAM_NONCE: usize = 19;

type FileEncryptor = aead_stream::EncryptorBE32<XChaCha20Poly1305>;
type FileDecryptor = aead_stream::DecryptorBE32<XChaCha20Poly1305>;

/// Seals a file as it is written, segment by segment (STREAM construction over
/// XChaCha20-Poly1305, so memory stays bounded and a truncated, reordered or changed file
/// fails to open), and hashes the plaintext on the way.
pub struct SealingWriter<W: std::io::Write> {
    encryptor: Option<FileEncryptor>,
    pending: Vec<u8>,
    out: W,
    context: Vec<u8>,
    hasher: sha2::Sha256,
    size: u64,
}

impl<W: std::io::Write> SealingWriter<W> {
    /// Write `data` (any amount).
    pub fn write(&mut self, mut data: &[u8]) -> std::io::Result<()> {
        use sha2::Digest;
        self.hasher.update(data);
        self.size += data.len() as u64;
        while !data.is_empty() {
            if self.pending.len() == FILE_SEGMENT {
                // A full segment with more to come: it is not the last one.
                let enc = self.encryptor.as_mut().ok_or_else(closed)?;
                let sealed = enc
                    .encrypt_next(Payload {
                        msg: &self.pending,
                        aad: &self.context,
                    })
                    .map_err(|_| std::io::Error::other("encryption failed"))?;
                self.out.write_all(&sealed)?;
                self.pending.clear();
            }
            let take = (FILE_SEGMENT - self.pending.len()).min(data.len());
            self.pending.extend_from_slice(&data[..take]);
            data = &data[take..];
        }
        Ok(())
    }

    /// Seal the last segment. Returns the output, the SHA-256 of the plaintext and its size.
    pub fn finish(mut self) -> std::io::Result<(W, [u8; 32], u64)> {
        use sha2::Digest;
        let enc = self.encryptor.take().ok_or_else(closed)?;
        let sealed = enc
            .encrypt_last(Payload {
                msg: &self.pending,
                aad: &self.context,
            })
            .map_err(|_| std::io::Error::other("encryption failed"))?;
        self.out.write_all(&sealed)?;
        self.out.flush()?;
        let digest = std::mem::take(&mut self.hasher).finalize().into();
        Ok((self.out, digest, self.size))
    }
}

/// The sealing as a writer, for code that writes to any `std::io::Write` (the hash and
/// size are still those [`SealingWriter::finish`] gives).
impl<W: std::io::Write> std::io::Write for SealingWriter<W> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        // The inherent method: it takes all of `data`.
        SealingWriter::write(self, data)?;
        Ok(data.len())
    }

    /// Segments are written when whole or at [`SealingWriter::finish`]: nothing to flush
    /// before then.
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn closed() -> std::io::Error {
    std::io::Error::other("the sealed file is closed")
}

/// Read up to `buf.len()` bytes, fewer only at the end of the input.
fn read_full(input: &mut dyn std::io::Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Why a sealed file could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum FileOpenError {
    #[error("the sealed file is damaged, truncated or not this one (segment {0})")]
    Damaged(u64),
    #[error("not a sealed Athar file")]
    NotSealed,
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl DataKey {
    /// Start sealing a file into `out`; `context` (the item's id) must be given to open it.
    pub fn seal_file<W: std::io::Write>(
        &self,
        context: &[u8],
        mut out: W,
    ) -> Result<SealingWriter<W>, CryptoError> {
        let mut nonce = [0u8; STREAM_NONCE];
        fill_random(&mut nonce)?;
        out.write_all(FILE_MAGIC)
            .and_then(|_| out.write_all(&nonce))
            .map_err(|e| CryptoError::Random(format!("cannot write: {e}")))?;
        let encryptor = FileEncryptor::from_aead(self.cipher(), &nonce.into());
        Ok(SealingWriter {
            encryptor: Some(encryptor),
            pending: Vec::with_capacity(FILE_SEGMENT),
            out,
            context: wrap_aad(b"file", context),
            hasher: sha2::Sha256::default(),
            size: 0,
        })
    }

    /// Open a sealed file into `out`, segment by segment. Returns the SHA-256 of the
    /// plaintext and its size. Every segment is authenticated before it is written, so a
    /// damaged file stops at the first damaged segment.
    pub fn open_file(
        &self,
        context: &[u8],
        input: &mut dyn std::io::Read,
        out: &mut dyn std::io::Write,
    ) -> Result<([u8; 32], u64), FileOpenError> {
        use sha2::Digest;
        let mut hasher = sha2::Sha256::default();
        let size = self.open_file_into(context, input, out, Some(&mut hasher))?;
        Ok((hasher.finalize().into(), size))
    }

    /// As [`DataKey::open_file`] for a file whose content needs no hash of its own (each
    /// segment is authenticated all the same): the plaintext's size.
    pub fn open_file_unhashed(
        &self,
        context: &[u8],
        input: &mut dyn std::io::Read,
        out: &mut dyn std::io::Write,
    ) -> Result<u64, FileOpenError> {
        self.open_file_into(context, input, out, None)
    }

    fn open_file_into(
        &self,
        context: &[u8],
        input: &mut dyn std::io::Read,
        out: &mut dyn std::io::Write,
        mut hasher: Option<&mut sha2::Sha256>,
    ) -> Result<u64, FileOpenError> {
        use sha2::Digest;
        let mut header = [0u8; 8 + STREAM_NONCE];
        if read_full(input, &mut header)? != header.len() || &header[..8] != FILE_MAGIC {
            return Err(FileOpenError::NotSealed);
        }
        let mut nonce = [0u8; STREAM_NONCE];
        nonce.copy_from_slice(&header[8..]);
        let mut decryptor = FileDecryptor::from_aead(self.cipher(), &nonce.into());
        let aad = wrap_aad(b"file", context);
        let sealed_len = FILE_SEGMENT + TAG_LEN;
        let mut current = vec![0u8; sealed_len];
        let mut next = vec![0u8; sealed_len];
        let mut have = read_full(input, &mut current)?;
        let mut size = 0u64;
        let mut segment = 0u64;
        loop {
            // A full segment followed by more data is not the last one.
            let more = if have == sealed_len {
                read_full(input, &mut next)?
            } else {
                0
            };
            let plain = if more > 0 {
                decryptor.decrypt_next(Payload {
                    msg: &current[..have],
                    aad: &aad,
                })
            } else {
                let last = std::mem::replace(
                    &mut decryptor,
                    FileDecryptor::from_aead(self.cipher(), &nonce.into()),
                );
                last.decrypt_last(Payload {
                    msg: &current[..have],
                    aad: &aad,
                })
            }
            .map_err(|_| FileOpenError::Damaged(segment))?;
            if let Some(hasher) = hasher.as_deref_mut() {
                hasher.update(&plain);
            }
            size += plain.len() as u64;
            out.write_all(&plain)?;
            if more == 0 {
                break;
            }
            std::mem::swap(&mut current, &mut next);
            have = more;
            segment += 1;
        }
        out.flush()?;
        Ok(size)
    }
}

#[cfg(test)]
mod file_tests {
    use super::*;

    fn seal(key: &DataKey, data: &[u8]) -> Vec<u8> {
        let mut w = key
            .seal_file(b"item", Vec::new())
            .unwrap_or_else(|e| panic!("{e}"));
        // Uneven writes, as a network stream gives them.
        for chunk in data.chunks(7_777) {
            w.write(chunk).unwrap_or_else(|e| panic!("{e}"));
        }
        let (out, digest, size) = w.finish().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(size, data.len() as u64);
        assert_eq!(digest, crate::sha256(data));
        out
    }

    #[test]
    fn files_of_every_size_round_trip_and_any_change_is_caught() {
        let key = DataKey::generate().unwrap_or_else(|e| panic!("{e}"));
        for len in [
            0,
            1,
            FILE_SEGMENT - 1,
            FILE_SEGMENT,
            FILE_SEGMENT + 1,
            3 * FILE_SEGMENT,
        ] {
            let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let sealed = seal(&key, &data);
            let mut plain = Vec::new();
            let (digest, size) = key
                .open_file(b"item", &mut sealed.as_slice(), &mut plain)
                .unwrap_or_else(|e| panic!("{len}: {e}"));
            assert_eq!((plain.as_slice(), size), (data.as_slice(), len as u64));
            assert_eq!(digest, crate::sha256(&data));
            if len > 10 {
                let mut changed = sealed.clone();
                let at = changed.len() / 2;
                changed[at] ^= 1;
                assert!(
                    key.open_file(b"item", &mut changed.as_slice(), &mut Vec::new())
                        .is_err()
                );
            }
            // Cut at a segment boundary: the end is missing, and that is noticed.
            if len > FILE_SEGMENT {
                let cut = &sealed[..8 + STREAM_NONCE + FILE_SEGMENT + TAG_LEN];
                assert!(
                    key.open_file(b"item", &mut &cut[..], &mut Vec::new())
                        .is_err()
                );
            }
            assert!(
                key.open_file(b"other", &mut sealed.as_slice(), &mut Vec::new())
                    .is_err()
            );
        }
        assert!(matches!(
            key.open_file(b"item", &mut &b"plain text"[..], &mut Vec::new()),
            Err(FileOpenError::NotSealed)
        ));
    }
}
