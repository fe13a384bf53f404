//! # athar-ingest — lists in, without losing a row
//!
//! [`table`] reads a delimited file in whatever encoding it came; [`mapping`] says which
//! column is which field; [`import`] turns each row into a person and their events, refuses
//! rows it cannot read (naming line, column and reason, never the value) and writes the
//! rest in one transaction, once: importing the same file again adds nothing.

#![forbid(unsafe_code)]

pub mod export;
pub mod import;
pub mod mapping;
pub mod suggest;
pub mod table;
pub mod workbook;
