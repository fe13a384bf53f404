//! Secrets of people signing in: password hashes, one-time codes, session and API tokens.
//!
//! - Passwords are hashed with Argon2id into a PHC string (salt and cost inside), at the
//!   cost OWASP recommends for interactive logins (19 MiB, 2 passes), so a busy server can
//!   still afford it and a stolen table stays expensive to attack.
//! - The second factor is TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps, one step
//!   of clock skew either way), the form every authenticator app reads from an
//!   `otpauth://` link. A code is accepted once: the caller keeps the last step used.
//! - Session ids and API tokens are 256 random bits shown once; only their SHA-256 is
//!   stored, so a copy of the database lets nobody sign in.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

use crate::{CryptoError, constant_time_eq, fill_random, sha256, to_hex};

const PASSWORD_M_COST: u32 = 19 * 1024;
const PASSWORD_T_COST: u32 = 2;
/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

fn password_hasher() -> Result<Argon2<'static>, CryptoError> {
    let params = Params::new(PASSWORD_M_COST, PASSWORD_T_COST, 1, Some(32))
        .map_err(|e| CryptoError::BadParams(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hash a password for storage (PHC string).
pub fn hash_password(password: &str) -> Result<String, CryptoError> {
    let mut salt = [0u8; 16];
    fill_random(&mut salt)?;
    let hash = password_hasher()?
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map_err(|e| CryptoError::BadParams(e.to_string()))?;
    Ok(hash.to_string())
}

/// Whether `password` matches a stored PHC string. A malformed string matches nothing.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match password_hasher() {
        Ok(hasher) => hasher.verify_password(password.as_bytes(), phc).is_ok(),
        Err(_) => false,
    }
}

/// Spend the time a password check takes, for sign-ins naming no account, so that the
/// response time does not tell which accounts exist.
pub fn waste_password_check(password: &str) {
    // A hash of a random value made once per process: nothing matches it.
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| {
        let mut random = [0u8; 16];
        let _ = fill_random(&mut random);
        hash_password(&to_hex(&random)).unwrap_or_default()
    });
    let _ = verify_password(password, dummy);
}

/// A TOTP secret (20 random bytes, as RFC 4226 recommends), wiped on drop.
pub struct TotpSecret(Zeroizing<Vec<u8>>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(..)")
    }
}

const TOTP_STEP: u64 = 30;

impl TotpSecret {
    pub fn generate() -> Result<TotpSecret, CryptoError> {
        let mut bytes = Zeroizing::new(vec![0u8; 20]);
        fill_random(&mut bytes)?;
        Ok(TotpSecret(bytes))
    }

    pub fn from_bytes(bytes: Vec<u8>) -> TotpSecret {
        TotpSecret(Zeroizing::new(bytes))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    fn totp(&self, account: &str) -> Result<totp_rs::Totp, CryptoError> {
        totp_rs::Builder::new()
            .with_algorithm(totp_rs::Algorithm::SHA1)
            .with_digits(6)
            .with_skew(1)
            .with_step_duration(TOTP_STEP)
            .with_secret(self.0.to_vec())
            .with_account_name(account)
            .with_issuer(Some("Athar"))
            .build()
            .map_err(|e| CryptoError::BadParams(format!("one-time code setup: {e}")))
    }

    /// The `otpauth://` link an authenticator app enrols from (as a QR code or pasted).
    /// It contains the secret: show it to its owner once and nowhere else.
    pub fn otpauth_uri(&self, account: &str) -> Result<String, CryptoError> {
        self.totp(account)?
            .to_url()
            .map_err(|e| CryptoError::BadParams(format!("one-time code link: {e}")))
    }

    /// The code for the moment `unix_seconds` (for tests and enrolment checks).
    pub fn code_at(&self, unix_seconds: u64) -> Result<String, CryptoError> {
        Ok(self.totp("-")?.generate(unix_seconds).to_string())
    }

    /// The time step a code belongs to, if it is valid at `unix_seconds` (one step of skew
    /// either way) and newer than `last_step`, the step of the last code accepted.
    pub fn check(&self, code: &str, unix_seconds: u64, last_step: Option<u64>) -> Option<u64> {
        let code = code.trim();
        let totp = self.totp("-").ok()?;
        let now = unix_seconds / TOTP_STEP;
        let mut matched = None;
        // Compare every candidate, in constant time, so timing says nothing.
        for step in now.saturating_sub(1)..=now + 1 {
            let expected = totp.generate(step * TOTP_STEP).to_string();
            if constant_time_eq(expected.as_bytes(), code.as_bytes()) {
                matched = Some(step);
            }
        }
        matched.filter(|step| last_step.is_none_or(|last| *step > last))
    }
}

/// A new secret token (session id or API token) and the SHA-256 to store in its place.
/// `prefix` tells kinds apart when a token leaks into a log or a ticket (`ath_` …).
pub fn new_token(prefix: &str) -> Result<(Zeroizing<String>, [u8; 32]), CryptoError> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    fill_random(bytes.as_mut())?;
    let token = Zeroizing::new(format!("{prefix}{}", to_hex(bytes.as_ref())));
    let hash = token_hash(&token);
    Ok((token, hash))
}

/// What is stored for a token.
pub fn token_hash(token: &str) -> [u8; 32] {
    sha256(token.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let phc = hash_password("correct horse battery").unwrap_or_default();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("correct horse battery", &phc));
        assert!(!verify_password("correct horse batterx", &phc));
        assert!(!verify_password("correct horse battery", "not a hash"));
        assert_ne!(
            hash_password("correct horse battery").unwrap_or_default(),
            phc
        );
        // The stand-in check costs what a real one does.
        waste_password_check("warm up");
        let started = std::time::Instant::now();
        waste_password_check("anything");
        let wasted = started.elapsed();
        let started = std::time::Instant::now();
        verify_password("anything", &phc);
        let real = started.elapsed();
        // Generous: under load timings wander, but a skipped check is a thousand times faster.
        assert!(wasted * 20 > real, "{wasted:?} against {real:?}");
    }

    #[test]
    fn totp_matches_the_rfc_6238_vectors_and_accepts_a_code_once() {
        // RFC 6238 appendix B, SHA-1 secret "12345678901234567890", last 6 digits.
        let secret = TotpSecret::from_bytes(b"12345678901234567890".to_vec());
        for (t, code) in [
            (59u64, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(secret.code_at(t).unwrap_or_default(), code);
        }
        let now = 1_234_567_890;
        let step = secret.check("005924", now, None);
        assert_eq!(step, Some(now / 30));
        // The same code again, or an older one, is refused.
        assert_eq!(secret.check("005924", now, step), None);
        // One step of clock skew is tolerated; two are not.
        let early = secret.code_at(now - 30).unwrap_or_default();
        assert!(secret.check(&early, now, None).is_some());
        let too_early = secret.code_at(now - 90).unwrap_or_default();
        assert!(secret.check(&too_early, now, None).is_none());
        assert!(secret.check("12345", now, None).is_none());
        let uri = secret.otpauth_uri("amal").unwrap_or_default();
        assert!(uri.starts_with("otpauth://totp/Athar:amal?"), "{uri}");
        assert!(
            uri.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
            "{uri}"
        );
    }

    #[test]
    fn tokens_are_random_and_stored_as_hashes() {
        let (a, ha) = new_token("ath_").unwrap_or_else(|e| panic!("{e}"));
        let (b, _) = new_token("ath_").unwrap_or_else(|e| panic!("{e}"));
        assert!(a.starts_with("ath_") && a.len() == 68);
        assert_ne!(*a, *b);
        assert_eq!(token_hash(&a), ha);
    }
}
