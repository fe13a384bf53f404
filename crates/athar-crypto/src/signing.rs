//! Organisation signatures (Ed25519) for evidence packages.
//!
//! Each organisation has a signing key, kept sealed in the store; its public half is
//! published (`athar org list`) so that a mechanism or court can check a package offline
//! with `athar verify-package --key`.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

use crate::{CryptoError, fill_random, from_hex, to_hex};

/// An organisation's signing key, wiped on drop.
#[derive(Clone)]
pub struct OrgSigningKey(SigningKey);

impl std::fmt::Debug for OrgSigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OrgSigningKey(public {})", self.public_hex())
    }
}

impl OrgSigningKey {
    pub fn generate() -> Result<OrgSigningKey, CryptoError> {
        let mut seed = zeroize::Zeroizing::new([0u8; 32]);
        fill_random(seed.as_mut())?;
        Ok(OrgSigningKey(SigningKey::from_bytes(&seed)))
    }

    pub fn from_seed(seed: &[u8]) -> Option<OrgSigningKey> {
        let seed: [u8; 32] = seed.try_into().ok()?;
        Some(OrgSigningKey(SigningKey::from_bytes(&seed)))
    }

    /// The secret seed, to be sealed for storage.
    pub fn seed(&self) -> zeroize::Zeroizing<[u8; 32]> {
        zeroize::Zeroizing::new(self.0.to_bytes())
    }

    /// The public key, hex: what others use to check signatures.
    pub fn public_hex(&self) -> String {
        to_hex(self.0.verifying_key().as_bytes())
    }

    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }
}

/// Whether `signature` is the signature of `message` by the holder of public key
/// `public_hex`. A malformed key or signature verifies nothing.
pub fn verify_signature(public_hex: &str, message: &[u8], signature: &[u8]) -> bool {
    let Some(key) = from_hex(public_hex.trim()).and_then(|k| <[u8; 32]>::try_from(k).ok()) else {
        return false;
    };
    let Ok(key) = VerifyingKey::from_bytes(&key) else {
        return false;
    };
    let Ok(signature) = <[u8; 64]>::try_from(signature) else {
        return false;
    };
    key.verify(message, &Signature::from_bytes(&signature))
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_for_their_message_and_key() {
        let key = OrgSigningKey::generate().unwrap_or_else(|e| panic!("{e}"));
        let sig = key.sign(b"manifest");
        assert!(verify_signature(&key.public_hex(), b"manifest", &sig));
        assert!(!verify_signature(&key.public_hex(), b"manifesT", &sig));
        let other = OrgSigningKey::generate().unwrap_or_else(|e| panic!("{e}"));
        assert!(!verify_signature(&other.public_hex(), b"manifest", &sig));
        assert!(!verify_signature("zz", b"manifest", &sig));
        let again = OrgSigningKey::from_seed(key.seed().as_ref()).unwrap_or_else(|| panic!());
        assert_eq!(again.public_hex(), key.public_hex());
    }
}
