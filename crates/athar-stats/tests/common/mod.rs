//! Helpers the counting tests share.

pub mod figures;
