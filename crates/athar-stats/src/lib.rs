//! # athar-stats — Athar's numbers
//!
//! [`counts`]: headline figures and breakdowns of victimisations by kind, period, place,
//! responsible party, sex, age group and host country, with the records behind each cell,
//! from a columnar copy of the records' countable facts.
//!
//! [`mse`]: Multiple Systems Estimation — two-list estimators, log-linear models with
//! identifiability and existence checks, model selection and profile-likelihood intervals,
//! and the Bayesian latent-class model (LCMCR).
//!
//! Pure computation: no files, no database, no network. Callers hand in tables and get back
//! numbers with the method, interval and warnings that belong to them.

#![forbid(unsafe_code)]

pub mod counts;
pub mod mse;
pub mod numeric;
