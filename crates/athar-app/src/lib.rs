//! # athar-app — the use cases of Athar, each within one organisation's scope
//!
//! Athar is used by several organisations on one server, each owning its records and
//! deciding what the others see of them. This crate is where that boundary holds: every
//! use case is a method of a [`Scope`] — the store, the acting organisation ([`OrgId`]) and
//! the author — and every read through it returns only what that organisation may see
//! (another organisation's unshared record is absent, a pseudonymised one comes without its
//! identifying parts), while every write names the organisation as its owner and the store
//! refuses a reference to a record the writer may not see exactly as an unknown id.
//!
//! The adapters — the HTTP API (`athar-server`), the command line (`athar-cli`) and the web
//! pages — turn a request into a [`Scope`] (from a session, a token, or the command line's
//! `--org`) and a [`Scope`] call into a response. They hold no rule of their own about who
//! sees what.
//!
//! - [`scope`]: reading, listing, searching and writing records as one organisation.
//! - [`journey`]: a person's journey — involvements, events, in journey order — assembled
//!   once, scoped at every step, for the timeline, derived status, cases and packages.
//! - [`cases`]: a disappeared person's case for the UN WGEID and signed evidence packages,
//!   made from the scoped journey.
//! - [`counting`]: the countable facts of what the organisation may see, kept between
//!   requests; strata and capture tables for estimates.
//! - [`reports`]: the periodic report, the safety brief and the WGEID case as asked for by
//!   the API or the command line, checked before anything is read, and their audit entry.
//! - [`sharing`]: what an organisation lets others see of its records, with consent.
//! - [`accounts`]: who may add which account where; a coalition administrator runs
//!   organisations without ever gaining an account that reads their records; API tokens.
//! - [`jobs`]: long work (estimates, linkage runs, imports, reports) on threads of its
//!   own, polled, fetched or cancelled by the account that started it.
//! - [`intake`]: case drafts saved as they are typed (the author's alone) and a finished
//!   draft written as the case's records, refused field by field or written once.
//! - [`review`]: cases submitted, verified by a second person or returned with a comment,
//!   each step a revision; other writes cannot change a review.
//! - [`linkage`], [`evidence`], [`lists`]: linkage runs and decisions, the evidence vault,
//!   imports and exports, each as the organisation.
//! - [`vocabularies`]: the shared vocabularies with the terms the organisation added (and
//!   was shared), used by everything it writes, imports, counts and reports.
//!
//! [`App`] is what the server holds: scopes for authenticated callers, the accounts, the
//! organisations and the audit head — and no way to the store around a scope.
//!
//! Methods block (the store does); async adapters call them on a blocking thread.

#![forbid(unsafe_code)]

pub mod accounts;
mod app;
pub mod cases;
pub mod counting;
pub mod evidence;
pub mod intake;
pub mod jobs;
pub mod journey;
pub mod linkage;
pub mod lists;
pub mod reports;
pub mod review;
pub mod scope;
pub mod sharing;
pub mod tracing;
pub mod views;
pub mod vocabularies;

pub use app::{App, OrganisationInfo};
pub use athar_model::OrgId;
pub use journey::{Journey, JourneyStep};
pub use scope::Scope;
