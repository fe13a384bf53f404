//! # athar-report — what Athar hands to others
//!
//! [`package`]: signed evidence packages of a case for a UN mechanism or a court, and their
//! offline verification. Periodic reports (HTML and PDF, charts) will join them here.

#![forbid(unsafe_code)]

pub mod package;
