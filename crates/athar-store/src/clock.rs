//! The one clock of Athar: the current time as Unix milliseconds, as revisions, audit
//! entries, sessions and packages record it.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since 1970-01-01 UTC (0 if the system clock is set before it).
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
