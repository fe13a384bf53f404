//! # athar-report — what Athar hands to others
//!
//! [`periodic`]: the periodic report — headline figures, charts, breakdown tables, the
//! returnees, an estimate and the method — computed from the records' countable facts, in
//! Arabic or English; laid out by [`html`] as one standalone page and by [`pdf`] as a PDF
//! with embedded fonts. [`charts`] draws its SVG charts and the map of Syria; [`strings`]
//! holds its words in both languages.
//!
//! [`package`]: signed evidence packages of a case for a UN mechanism or a court, and their
//! offline verification.

#![forbid(unsafe_code)]

pub mod brief;
pub mod charts;
pub mod html;
pub mod letter;
pub mod package;
pub mod pdf;
pub mod periodic;
pub mod strings;
pub mod wgeid;
