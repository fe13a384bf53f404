//! # athar-stats — Athar's numbers
//!
//! [`mse`]: Multiple Systems Estimation — two-list estimators, log-linear models with
//! identifiability and existence checks, model selection and profile-likelihood intervals,
//! and the Bayesian latent-class model (LCMCR). Counts, breakdowns and returnee cohorts will
//! join it here.
//!
//! Pure computation: no files, no database, no network. Callers hand in tables and get back
//! numbers with the method, interval and warnings that belong to them.

#![forbid(unsafe_code)]

pub mod mse;
pub mod numeric;
