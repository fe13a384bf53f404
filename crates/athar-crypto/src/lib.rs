//! # athar-crypto — keys and digests
//!
//! The embedded store is one SQLCipher file encrypted under a 256-bit key. That key is
//! derived from the user's passphrase with Argon2id, under a random salt and cost
//! parameters kept beside the store in a small public file ([`KeyParams`]). Without the
//! passphrase the store, its write-ahead log and its backups are unreadable; losing the
//! passphrase loses the data (there is no back door).
//!
//! Key material lives in [`StoreKey`], which wipes itself from memory when dropped.
//! Identifying fields are sealed a second time, under per-organisation keys, by
//! [`envelope`]. Passwords, one-time codes and tokens of people signing in: [`auth`].

#![forbid(unsafe_code)]

pub mod auth;
pub mod envelope;
pub mod signing;

use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
pub use zeroize::Zeroizing;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Cost parameters and salt of the passphrase derivation. Not secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyParams {
    pub version: u32,
    pub kdf: String,
    /// Memory cost in KiB.
    pub m_cost: u32,
    pub t_cost: u32,
    pub p_cost: u32,
    /// Random salt, hex.
    pub salt: String,
}

/// Memory 64 MiB, 3 passes, 1 lane: about a quarter of a second on a laptop core, which
/// makes guessing a passphrase from a seized disk expensive.
pub const DEFAULT_M_COST: u32 = 64 * 1024;
pub const DEFAULT_T_COST: u32 = 3;
pub const DEFAULT_P_COST: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("the passphrase is empty")]
    EmptyPassphrase,
    #[error("key parameters are invalid: {0}")]
    BadParams(String),
    #[error("the system random number generator failed: {0}")]
    Random(String),
}

impl KeyParams {
    /// Fresh parameters with a random 16-byte salt.
    pub fn generate() -> Result<Self, CryptoError> {
        let mut salt = [0u8; 16];
        fill_random(&mut salt)?;
        Ok(KeyParams {
            version: 2,
            kdf: "argon2id".into(),
            m_cost: DEFAULT_M_COST,
            t_cost: DEFAULT_T_COST,
            p_cost: DEFAULT_P_COST,
            salt: to_hex(&salt),
        })
    }

    /// Derive the store's file key (what SQLCipher gets) from a passphrase.
    pub fn derive(&self, passphrase: &str) -> Result<StoreKey, CryptoError> {
        Ok(self.derive_keys(passphrase)?.0)
    }

    /// Derive the file key and the master key (which wraps organisation keys).
    ///
    /// Version 2: both come from the Argon2id output by HKDF with different labels, so the
    /// file key — which SQLCipher holds and a database tool could be given — does not lead
    /// to the master key. Version 1 (stores made before) used the Argon2id output itself
    /// as the file key and derived the master key from it.
    pub fn derive_keys(
        &self,
        passphrase: &str,
    ) -> Result<(StoreKey, envelope::MasterKey), CryptoError> {
        let root = self.derive_root(passphrase)?;
        match self.version {
            1 => {
                let master = envelope::MasterKey::from_secret(&root.0);
                Ok((root, master))
            }
            _ => Ok((
                StoreKey(envelope::hkdf_expand(&root.0, b"sqlcipher file key")),
                envelope::MasterKey::from_secret(&root.0),
            )),
        }
    }

    fn derive_root(&self, passphrase: &str) -> Result<StoreKey, CryptoError> {
        if passphrase.is_empty() {
            return Err(CryptoError::EmptyPassphrase);
        }
        if self.kdf != "argon2id" || !matches!(self.version, 1 | 2) {
            return Err(CryptoError::BadParams(format!(
                "unsupported kdf {} version {}",
                self.kdf, self.version
            )));
        }
        let salt =
            from_hex(&self.salt).ok_or_else(|| CryptoError::BadParams("salt is not hex".into()))?;
        let params = Params::new(self.m_cost, self.t_cost, self.p_cost, Some(32))
            .map_err(|e| CryptoError::BadParams(e.to_string()))?;
        let mut key = StoreKey([0u8; 32]);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(passphrase.as_bytes(), &salt, &mut key.0)
            .map_err(|e| CryptoError::BadParams(e.to_string()))?;
        Ok(key)
    }
}

/// A 256-bit key, wiped from memory on drop. Its `Debug` never prints the key.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct StoreKey([u8; 32]);

impl StoreKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        StoreKey(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The key in the form SQLCipher's `PRAGMA key` takes for a raw key: `x'…'`.
    /// The caller must not log the result.
    pub fn sqlcipher_literal(&self) -> zeroize::Zeroizing<String> {
        zeroize::Zeroizing::new(format!("\"x'{}'\"", to_hex(&self.0)))
    }
}

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreKey(..)")
    }
}

/// A passphrase of 8 groups of 4 characters from an alphabet without look-alikes
/// (160 bits), for demo stores and first runs where the user asked for one.
pub fn generate_passphrase() -> Result<String, CryptoError> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 32];
    fill_random(&mut bytes)?;
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
        .collect();
    bytes.zeroize();
    Ok(chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

pub fn fill_random(buf: &mut [u8]) -> Result<(), CryptoError> {
    getrandom::fill(buf).map_err(|e| CryptoError::Random(e.to_string()))
}

/// SHA-256 of a byte string.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

pub fn to_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

pub fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect()
}

/// Compare two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    // `subtle` keeps the compiler from turning the comparison into an early exit.
    bool::from(subtle::ConstantTimeEq::ct_eq(a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_passphrase_and_salt_give_the_same_key_and_others_do_not() {
        let params = KeyParams::generate().unwrap_or_else(|e| panic!("{e}"));
        let a = params
            .derive("correct horse")
            .unwrap_or_else(|e| panic!("{e}"));
        let b = params
            .derive("correct horse")
            .unwrap_or_else(|e| panic!("{e}"));
        let c = params
            .derive("correct horsf")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.as_bytes(), b.as_bytes());
        assert_ne!(a.as_bytes(), c.as_bytes());
        let other_salt = KeyParams::generate().unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(
            other_salt
                .derive("correct horse")
                .unwrap_or_else(|e| panic!("{e}"))
                .as_bytes(),
            a.as_bytes()
        );
        assert!(matches!(
            params.derive(""),
            Err(CryptoError::EmptyPassphrase)
        ));
        assert_eq!(format!("{a:?}"), "StoreKey(..)");
    }

    #[test]
    fn the_file_key_does_not_lead_to_the_master_key() {
        let params = KeyParams::generate().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(params.version, 2);
        let (file, master) = params
            .derive_keys("correct horse")
            .unwrap_or_else(|e| panic!("{e}"));
        let sealed = master
            .seal_secret(b"an organisation key", b"ctx")
            .unwrap_or_default();
        assert!(master.open_secret(&sealed, b"ctx").is_ok());
        // Whoever holds only the file key (what SQLCipher is given) cannot open it.
        let guessed = envelope::MasterKey::derive(&file);
        assert!(guessed.open_secret(&sealed, b"ctx").is_err());
        // Version 1 stores keep working as they were made.
        let v1 = KeyParams {
            version: 1,
            ..params.clone()
        };
        let (file1, master1) = v1
            .derive_keys("correct horse")
            .unwrap_or_else(|e| panic!("{e}"));
        let sealed = master1.seal_secret(b"k", b"c").unwrap_or_default();
        assert!(
            envelope::MasterKey::derive(&file1)
                .open_secret(&sealed, b"c")
                .is_ok()
        );
        assert_ne!(file1.as_bytes(), file.as_bytes());
    }

    #[test]
    fn generated_passphrases_are_long_and_distinct() {
        let a = generate_passphrase().unwrap_or_default();
        let b = generate_passphrase().unwrap_or_default();
        assert_eq!(a.len(), 39);
        assert_ne!(a, b);
    }

    #[test]
    fn hex_round_trips() {
        assert_eq!(
            from_hex(&to_hex(&[0, 1, 254, 255])),
            Some(vec![0, 1, 254, 255])
        );
        assert_eq!(from_hex("zz"), None);
        assert!(
            constant_time_eq(b"abc", b"abc")
                && !constant_time_eq(b"abc", b"abd")
                && !constant_time_eq(b"a", b"ab")
        );
    }
}
