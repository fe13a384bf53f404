//! Athar's web pages, rendered on the server: askama templates, the interface's words in
//! Arabic and English ([`i18n`], Fluent with CLDR plurals), dates written as recorded and
//! honestly ([`dates`]), and the style sheet. Rendering only: the server's page handlers
//! (`athar-server`'s `pages`) read through the organisation's scope and pass what they
//! read here. Pages work without JavaScript and load nothing from elsewhere.

#![forbid(unsafe_code)]

pub mod dates;
pub mod history;
pub mod i18n;
pub mod intake;
pub mod pages;
pub mod tracing;

/// The style sheet: inline in every page (one request less, which on a slow connection is
/// seconds), allowed by its hash in the pages' Content-Security-Policy; also served at
/// [`STYLE_PATH`].
pub const STYLE: &str = include_str!("../assets/athar.css");
/// Where pages link the style sheet.
pub const STYLE_PATH: &str = "/assets/athar.css";
/// The intake form's own script (saving as one types), served at [`INTAKE_SCRIPT_PATH`]. The
/// form works without it.
pub const INTAKE_SCRIPT: &str = include_str!("../assets/intake.js");
pub const INTAKE_SCRIPT_PATH: &str = "/assets/intake.js";
/// The evidence form's script (upload progress), served at [`UPLOAD_SCRIPT_PATH`]. The form
/// works without it.
pub const UPLOAD_SCRIPT: &str = include_str!("../assets/upload.js");
pub const UPLOAD_SCRIPT_PATH: &str = "/assets/upload.js";
