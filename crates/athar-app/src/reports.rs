//! What Athar hands out, prepared for one organisation: the periodic report, the safety
//! brief and the WGEID case, for `GET /api/reports/…` and `athar report|brief|wgeid` alike.
//!
//! [`Scope::report`] reads what the organisation can see (linked persons counted once),
//! notices demonstration data, estimates the undocumented from chosen lists when asked, and
//! builds the report (`athar_report::periodic`); [`Scope::brief`] does the same for a region;
//! [`Scope::wgeid`] makes a case from the person's scoped journey. Requests are checked
//! before any record is read. The adapter lays the result out ([`render`],
//! [`render_brief`], [`render_wgeid`]) and records it in the audit chain with the hash of
//! what was handed out ([`Scope::record_handout`]).

use athar_model::record::RecordBody;
use athar_model::vocab::Lang;
use athar_model::{RecordId, RecordKind};
use athar_report::brief::{Brief, BriefOptions};
use athar_report::periodic::{EstimateInput, Report, ReportOptions};
use athar_report::wgeid::{CaseError, WgeidCase};
use athar_stats::mse::{self, CaptureTable, Method, MethodOptions};
use athar_store::{DataMarks, StoreError};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::Scope;

/// What a report is asked for, from the command line or a query string.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    /// The first day of the period (2024-01, 2024-01-15, 2023); open when absent.
    pub from: Option<String>,
    /// The last day of the period (2024-06 means up to 30 June 2024).
    pub to: Option<String>,
    /// ar or en (default en).
    pub lang: Option<String>,
    /// json (default), html or pdf.
    pub format: Option<String>,
    /// alleged, corroborated or verified.
    pub verification: Option<String>,
    /// For publication: withhold counts of fewer persons than this.
    pub suppress_below: Option<usize>,
    /// Sources in the store (lists), comma-separated, to estimate the undocumented from.
    pub estimate_lists: Option<String>,
    /// chapman, lincoln-petersen, independence, stepwise, aic, bic or lcmcr.
    pub estimate_method: Option<String>,
}

/// Why a report was not made: a request value that cannot be used (its field and the
/// problem), a case the records cannot complete, an unknown person, or the store.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{field}: {problem}")]
    Invalid {
        field: &'static str,
        problem: String,
    },
    /// Every element a case lacks, and why.
    #[error("{}", .0.iter().map(|(f, p)| format!("{f}: {p}")).collect::<Vec<_>>().join("; "))]
    Incomplete(Vec<(&'static str, String)>),
    #[error("no person with id {0} in this organisation")]
    NotFound(RecordId),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn invalid(field: &'static str, problem: impl Into<String>) -> ReportError {
    ReportError::Invalid {
        field,
        problem: problem.into(),
    }
}

/// The estimation methods a report may use: every method but `loglinear`, whose
/// interactions a report has no field for.
pub fn estimate_methods() -> impl Iterator<Item = &'static str> {
    athar_stats::mse::METHOD_NAMES
        .into_iter()
        .filter(|name| *name != "loglinear")
}

fn estimate(
    scope: &Scope<'_>,
    request: &ReportRequest,
    lang: Lang,
) -> Result<Option<EstimateInput>, ReportError> {
    let lists_text = request.estimate_lists.as_deref().unwrap_or("").trim();
    if lists_text.is_empty() {
        if request.estimate_method.is_some() {
            return Err(invalid(
                "estimate_lists",
                "an estimation method needs the lists to estimate from",
            ));
        }
        return Ok(None);
    }
    let lists = lists_text
        .split(',')
        .map(|l| {
            l.trim()
                .parse()
                .map_err(|_| invalid("estimate_lists", format!("{l:?} is not a source id")))
        })
        .collect::<Result<Vec<RecordId>, _>>()?;
    let counts = scope.capture_counts(&lists).map_err(|e| match e {
        athar_link::stored::RunError::Store(e) => ReportError::Store(e),
        other => invalid("estimate_lists", other.to_string()),
    })?;
    let names: Vec<String> = (1..=lists.len()).map(|i| format!("L{i}")).collect();
    let table = CaptureTable::new(names, counts.counts)
        .map_err(|e| invalid("estimate_lists", e.to_string()))?;
    let method_name = match request.estimate_method.as_deref() {
        Some(name) if estimate_methods().any(|m| m == name) => name,
        Some(name) => {
            let names: Vec<_> = estimate_methods().collect();
            return Err(invalid(
                "estimate_method",
                format!("{name:?} is not one of {}", names.join(", ")),
            ));
        }
        None if lists.len() == 2 => "chapman",
        None => "aic",
    };
    let method = Method::from_name(method_name, &MethodOptions::default(), &table)
        .map_err(|e| invalid("estimate_method", e))?;
    let result = mse::estimate(&table, &method, 0.95)
        .map_err(|e| invalid("estimate_lists", e.to_string()))?;
    // Lists are named by who made them, or by their kind: a source's title is sealed as
    // identifying ("Interview with the mother, Beirut") and never goes into a report.
    let mut names = Vec::with_capacity(lists.len());
    let vocab = scope.vocabularies()?;
    for (name, id) in result.lists.iter().zip(&lists) {
        let described = match scope
            .read_if_visible(RecordKind::Source, *id)?
            .map(|r| r.body)
        {
            Some(RecordBody::Source(source)) => source
                .organisation
                .unwrap_or_else(|| vocab.source_kinds.label_of(&source.kind, lang)),
            _ => id.to_string(),
        };
        names.push(format!("{name} ({described})"));
    }
    Ok(Some(EstimateInput {
        lists: names,
        documented: result.observed as usize,
        method: result.method.clone(),
        estimate: result.estimate,
        interval: (result.interval[0], result.interval[1]),
        warnings: match lang {
            Lang::Ar => result.warnings_ar.clone(),
            Lang::En => result.warnings.clone(),
        },
    }))
}

/// Today's date in UTC as YYYY-MM-DD.
pub(crate) fn today() -> String {
    let days = athar_store::clock::now_ms().div_euclid(86_400_000);
    let (y, m, d) = athar_model::date::civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

impl Scope<'_> {
    /// Builds the periodic report this organisation asked for, checking the request first;
    /// its figures come from the scope's counting facts.
    pub fn report(&self, request: &ReportRequest) -> Result<Report, ReportError> {
        let lang = lang_of(request.lang.as_deref())?;
        check_format(request.format.as_deref())?;
        // The period and level first, so a typing error costs no reading of the store.
        athar_stats::counts::Filter::parse(
            request.from.as_deref(),
            request.to.as_deref(),
            request.verification.as_deref(),
            None,
        )
        .map_err(|errors| {
            let first = &errors[0];
            invalid(first.field, first.problem.clone())
        })?;
        let estimate = estimate(self, request, lang)?;
        let facts = self.counting_facts()?.0;
        let synthetic = self.holds_demo_data()?;
        let options = ReportOptions {
            lang,
            from: request.from.clone(),
            to: request.to.clone(),
            verification: request.verification.clone(),
            suppress_below: request.suppress_below,
            prepared_on: today(),
            synthetic,
            estimate,
        };
        athar_report::periodic::build(&facts, &*self.vocabularies()?, &options).map_err(|errors| {
            let first = &errors[0];
            invalid(first.field, first.problem.clone())
        })
    }
}

/// What a safety brief is asked for.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BriefRequest {
    /// The region: a P-code, or a governorate, district or sub-district name (Arabic or
    /// English).
    pub region: String,
    pub from: Option<String>,
    pub to: Option<String>,
    /// ar or en (default en).
    pub lang: Option<String>,
    /// json (default), html or pdf.
    pub format: Option<String>,
}

fn lang_of(lang: Option<&str>) -> Result<Lang, ReportError> {
    match lang {
        None | Some("en") => Ok(Lang::En),
        Some("ar") => Ok(Lang::Ar),
        Some(other) => Err(invalid("lang", format!("{other:?} is not ar or en"))),
    }
}

fn check_format(format: Option<&str>) -> Result<(), ReportError> {
    match format {
        Some(format) if !["json", "html", "pdf"].contains(&format) => Err(invalid(
            "format",
            format!("{format:?} is not json, html or pdf"),
        )),
        _ => Ok(()),
    }
}

/// Whether each organisation's records include the demo generator's, kept with the data
/// marks it was found at: every web page's banner asks, and finding out afresh opens every
/// source. After writes only the sources written since are looked at.
#[derive(Default)]
pub struct DemoCache {
    by_org: std::sync::Mutex<std::collections::HashMap<athar_model::OrgId, (DataMarks, bool)>>,
}

impl DemoCache {
    fn get(&self, org: athar_model::OrgId) -> Option<(DataMarks, bool)> {
        self.by_org.lock().ok()?.get(&org).copied()
    }

    fn put(&self, org: athar_model::OrgId, marks: DataMarks, demo: bool) {
        if let Ok(mut cache) = self.by_org.lock() {
            cache.insert(org, (marks, demo));
        }
    }
}

impl Scope<'_> {
    /// Whether the records this organisation sees include the demo generator's.
    pub fn holds_demo_data(&self) -> Result<bool, StoreError> {
        let is_demo = |body: &RecordBody| matches!(body, RecordBody::Source(s) if athar_demo::is_demo_source(s));
        let Some(cache) = self.demo else {
            return Ok(self
                .list_all(RecordKind::Source)?
                .iter()
                .any(|r| is_demo(&r.body)));
        };
        if let Some((at, demo)) = cache.get(self.org())
            && let Some((marks, written)) =
                self.written_since(at, crate::counting::RECOUNT_AT_MOST)?
        {
            // After a source that may have been the demo's changed or went, look at them
            // all again.
            let mut found = demo;
            let mut again = false;
            for (kind, id) in written {
                if kind != RecordKind::Source {
                    continue;
                }
                match self.read(kind, id) {
                    Ok(r) if is_demo(&r.body) => found = true,
                    // A new source was no demo source before.
                    Ok(r) if !demo || r.rev == 1 => {}
                    Ok(_) | Err(StoreError::NotFound { .. } | StoreError::Deleted { .. }) => {
                        again = demo;
                    }
                    Err(e) => return Err(e),
                }
            }
            if !again {
                cache.put(self.org(), marks, found);
                return Ok(found);
            }
        }
        let marks = self.store.data_marks()?;
        let demo = self
            .list_all(RecordKind::Source)?
            .iter()
            .any(|r| is_demo(&r.body));
        cache.put(self.org(), marks, demo);
        Ok(demo)
    }

    /// Builds the safety brief this organisation asked for, checking the request first.
    pub fn brief(&self, request: &BriefRequest) -> Result<Brief, ReportError> {
        let lang = lang_of(request.lang.as_deref())?;
        check_format(request.format.as_deref())?;
        let options = BriefOptions {
            lang,
            region: request.region.clone(),
            from: request.from.clone(),
            to: request.to.clone(),
            prepared_on: today(),
            synthetic: false,
        };
        // The request is checked on no records before any is read.
        athar_report::brief::build(Vec::new(), &[], &*self.vocabularies()?, &options).map_err(
            |e| ReportError::Invalid {
                field: e.field,
                problem: e.problem,
            },
        )?;
        let review = self.review()?;
        let records = self.bodies_of(&[
            RecordKind::Person,
            RecordKind::Event,
            RecordKind::Involvement,
            RecordKind::Source,
        ])?;
        let options = BriefOptions {
            synthetic: self.holds_demo_data()?,
            ..options
        };
        athar_report::brief::build(
            records,
            &review.same_person(),
            &*self.vocabularies()?,
            &options,
        )
        .map_err(|e| ReportError::Invalid {
            field: e.field,
            problem: e.problem,
        })
    }
}

/// The brief laid out in `format` (json, html or pdf).
pub fn render_brief(brief: &Brief, format: &str) -> Result<Rendered, String> {
    lay_out(
        format,
        || athar_report::pdf::render_brief(brief).map_err(|e| e.to_string()),
        || athar_report::html::render_brief(brief),
        || serde_json::to_vec_pretty(brief),
    )
}

/// What a WGEID case is asked for.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseRequest {
    /// ar or en (default en).
    pub lang: Option<String>,
    /// json (default), html or pdf.
    pub format: Option<String>,
}

impl Scope<'_> {
    /// The WGEID case of a person this organisation owns, from the journey it may see.
    pub fn wgeid(&self, person: RecordId, request: &CaseRequest) -> Result<WgeidCase, ReportError> {
        let lang = lang_of(request.lang.as_deref())?;
        check_format(request.format.as_deref())?;
        self.wgeid_case(person, lang, &today())
            .map_err(|e| match e {
                CaseError::NotFound(id) => ReportError::NotFound(id),
                CaseError::Incomplete(missing) => ReportError::Incomplete(missing),
                CaseError::Store(e) => ReportError::Store(e),
            })
    }

    /// Record in the audit chain that this author was handed a report, case or brief:
    /// `action` (report, brief, wgeid), what it was about, its format, language and the
    /// SHA-256 of exactly what was handed out.
    pub fn record_handout(
        &self,
        action: &str,
        what: &str,
        (format, lang): (&str, &str),
        rendered: &Rendered,
    ) -> Result<(), StoreError> {
        // Views made before it are written before it: a handed-out report or case follows
        // the views that led to it in the chain.
        self.flush_views()?;
        self.record_action(
            action,
            Some(&format!(
                "{what} {format} {lang} sha256:{}",
                rendered.sha256()
            )),
        )
    }
}

/// The case laid out in `format` (json, html or pdf).
pub fn render_wgeid(case: &WgeidCase, format: &str) -> Result<Rendered, String> {
    lay_out(
        format,
        || athar_report::pdf::render_wgeid(case).map_err(|e| e.to_string()),
        || athar_report::html::render_wgeid(case),
        || serde_json::to_vec_pretty(case),
    )
}

/// A document in the format asked for: PDF, a standalone HTML page, or its JSON.
fn lay_out(
    format: &str,
    pdf: impl FnOnce() -> Result<Vec<u8>, String>,
    html: impl FnOnce() -> String,
    json: impl FnOnce() -> serde_json::Result<Vec<u8>>,
) -> Result<Rendered, String> {
    Ok(match format {
        "pdf" => Rendered {
            bytes: pdf()?,
            media_type: "application/pdf",
            extension: "pdf",
        },
        "html" => Rendered {
            bytes: html().into_bytes(),
            media_type: "text/html; charset=utf-8",
            extension: "html",
        },
        _ => Rendered {
            bytes: json().map_err(|e| e.to_string())?,
            media_type: "application/json",
            extension: "json",
        },
    })
}

/// A laid-out report: its bytes, media type and file extension.
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub media_type: &'static str,
    pub extension: &'static str,
}

impl Rendered {
    /// The SHA-256 of the bytes, in hex, as the audit entry names it.
    pub fn sha256(&self) -> String {
        Sha256::digest(&self.bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// The report laid out in `format` (json, html or pdf).
pub fn render(report: &Report, format: &str) -> Result<Rendered, String> {
    lay_out(
        format,
        || athar_report::pdf::render(report).map_err(|e| e.to_string()),
        || athar_report::html::render(report),
        || serde_json::to_vec_pretty(report),
    )
}
