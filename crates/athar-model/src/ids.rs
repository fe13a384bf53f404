//! Record identifiers.
//!
//! Every record is named by a UUID (version 7: time-ordered, so new records append to the
//! end of database indexes). Identifiers are global, so lists of several organisations can
//! be merged without renumbering.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The identity of a person, event, involvement or source across all its revisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Uuid))]
pub struct RecordId(Uuid);

impl RecordId {
    /// A new identifier from the current time and randomness.
    pub fn new() -> Self {
        RecordId(Uuid::now_v7())
    }

    /// A version-7 identifier from explicit parts, for reproducible generated data: the
    /// millisecond timestamp orders records, `counter` and `entropy` make it unique.
    pub fn from_parts(unix_millis: u64, counter: u32, entropy: u64) -> Self {
        // Layout of RFC 9562 version 7: 48 bits of time, the version nibble, then the
        // counter spread over the bits around the variant, then entropy. Byte order equals
        // (time, counter) order because the fixed bits are the same in every identifier.
        let mut b = [0u8; 16];
        b[..6].copy_from_slice(&unix_millis.to_be_bytes()[2..]);
        b[6] = 0x70 | ((counter >> 28) & 0x0F) as u8;
        b[7] = (counter >> 20) as u8;
        b[8] = 0x80 | ((counter >> 14) & 0x3F) as u8;
        b[9] = (counter >> 6) as u8;
        b[10] = (((counter & 0x3F) as u8) << 2) | (entropy & 0x03) as u8;
        b[11..].copy_from_slice(&entropy.to_be_bytes()[3..]);
        RecordId(Uuid::from_bytes(b))
    }

    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        RecordId(Uuid::from_bytes(bytes))
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        self.0.as_bytes()
    }

    pub fn uuid(&self) -> Uuid {
        self.0
    }
}

impl Default for RecordId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl FromStr for RecordId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(RecordId)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_order_by_time_then_counter() {
        let a = RecordId::from_parts(1_700_000_000_000, 1, 7);
        let b = RecordId::from_parts(1_700_000_000_000, 2, 3);
        let c = RecordId::from_parts(1_700_000_000_001, 0, 0);
        assert!(a < b && b < c);
        assert_eq!(a.uuid().get_version_num(), 7);
        assert_eq!(a.uuid().get_variant(), uuid::Variant::RFC4122);
        let big = RecordId::from_parts(1_700_000_000_000, u32::MAX, u64::MAX);
        assert!(b < big && big < c);
        assert_eq!(a.to_string().parse::<RecordId>().ok(), Some(a));
    }
}

/// An organisation of the coalition, by its number in the store (1 is the first).
///
/// Every use case runs for one organisation; carrying its number in this type rather than
/// a bare integer keeps it from being confused with a count, a page size or a user id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrgId(i64);

impl OrgId {
    pub const fn new(number: i64) -> Self {
        OrgId(number)
    }

    /// The organisation's number as the store keeps it.
    pub const fn number(self) -> i64 {
        self.0
    }
}

impl fmt::Display for OrgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
