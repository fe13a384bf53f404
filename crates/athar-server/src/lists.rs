//! Lists in and out through the API, as `athar import` and `athar export` do on the command
//! line: `POST /api/imports` (a multipart form with the file and its mapping) and
//! `GET /api/exports/persons`.
//!
//! An import is checked row by row: refused rows are named by line, column and reason (no
//! cell values), the rest go in atomically, in the caller's organisation; `check=true`
//! writes nothing and `strict=true` writes nothing if any row is refused. An export holds
//! what the organisation may see, formulas defused, and is an entry of the audit chain.
//! A long import is a job (`jobs`): answered within a few seconds, or 202 with its address.

use athar_app::lists::ImportRequest;
use std::ops::ControlFlow;

use athar_ingest::export::{ExportTable, Format};
use athar_ingest::import::ImportError;
use athar_ingest::mapping::Mapping;
use athar_ingest::table::read_any;
use athar_model::consent::Purpose;
use athar_model::progress::Progress;
use athar_model::validation::FieldError;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::auth::Caller;
use crate::problem::{Form, Problem, QueryParams};
use crate::records::in_scope;
use crate::{AppState, jobs};

/// The largest list file the API takes.
pub const IMPORT_LIMIT: usize = 64 << 20;

fn invalid(field: &str, en: impl Into<String>, ar: &str) -> Problem {
    Problem::invalid(vec![FieldError::new(field, "list.invalid", en.into(), ar)])
}

/// `POST /api/imports?list=NAME&check=true&strict=true`: the query names the list and how
/// to take it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// The list's name (else the mapping's `[list] name`).
    list: Option<String>,
    /// Write nothing: report what would happen.
    check: Option<bool>,
    /// Refuse the whole file when any row is refused.
    strict: Option<bool>,
}

/// `POST /api/imports`: a multipart form with a `file` (CSV, Excel or JSON) and a `mapping`
/// (the TOML of docs/IMPORT.md). Answers with the import's report.
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    QueryParams(query): QueryParams<ImportQuery>,
    Form(mut form): Form,
) -> Result<Response, Problem> {
    let mut file: Option<Vec<u8>> = None;
    let mut filename: Option<String> = None;
    let mut mapping_text: Option<String> = None;
    while let Some(field) = form.next_field().await.map_err(|e| {
        invalid(
            "file",
            format!("the form cannot be read: {e}"),
            "تعذّرت قراءة النموذج",
        )
    })? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            filename = field.file_name().map(str::to_string);
        }
        let bytes = field
            .bytes()
            .await
            .map_err(|e| invalid(&name, format!("cannot be read: {e}"), "تعذّرت قراءته"))?;
        match name.as_str() {
            "file" => {
                file = Some(bytes.to_vec());
            }
            "mapping" => {
                mapping_text = Some(String::from_utf8(bytes.to_vec()).map_err(|_| {
                    invalid(
                        "mapping",
                        "the mapping is not UTF-8 text",
                        "ملف الربط ليس نصاً بترميز UTF-8",
                    )
                })?)
            }
            other => {
                return Err(invalid(
                    other,
                    "unknown form field; send file and mapping",
                    "حقل غير معروف؛ أرسل الملف وملف الربط",
                ));
            }
        }
    }
    let file =
        file.ok_or_else(|| invalid("file", "the list file is missing", "ملف القائمة مفقود"))?;
    let mapping_text = mapping_text
        .ok_or_else(|| invalid("mapping", "the mapping is missing", "ملف الربط مفقود"))?;
    // The mapping's values are checked against the organisation's own vocabularies.
    let vocab = in_scope(&state, caller.clone(), |scope| scope.vocabularies()).await?;
    let mapping = Mapping::parse(&mapping_text, &vocab)
        .map_err(|e| invalid("mapping", e.to_string(), "ملف الربط غير صالح"))?;
    let list = query
        .list
        .clone()
        .or_else(|| mapping.list_name.clone())
        .filter(|l| !l.trim().is_empty())
        .ok_or_else(|| {
            invalid(
                "list",
                "name the list (list=… or [list] name in the mapping)",
                "سمِّ القائمة",
            )
        })?;
    let request = ImportRequest {
        list,
        check: query.check.unwrap_or(false),
        strict: query.strict.unwrap_or(false),
    };
    // Reading the file and taking its rows can be long: a job (`jobs`), its progress the
    // rows taken, cancelled before anything is written.
    let work = move |scope: &athar_app::Scope<'_>, progress: &Progress| {
        let table = match read_any(&file) {
            Ok(table) => table,
            Err(e) => {
                return Some(jobs::problem_output(invalid(
                    "file",
                    e.to_string(),
                    "تعذّرت قراءة ملف القائمة",
                )));
            }
        };
        progress.add_total(table.rows.len() as u64);
        // The file itself is kept, sealed in the vault about the list, once per version.
        let outcome = scope.import_list(
            &table,
            &mapping,
            &request,
            Some((&file, filename.as_deref())),
            &mut |rows| {
                progress.set_done(rows as u64);
                if progress.is_cancelled() {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        );
        match outcome {
            Ok(report) => {
                let status = if report.written {
                    StatusCode::CREATED
                } else {
                    StatusCode::OK
                };
                Some(jobs::json_output(status, &report))
            }
            Err(ImportError::Cancelled) => None,
            Err(ImportError::Store(e)) => Some(jobs::problem_output(Problem::from(e))),
            Err(other) => Some(jobs::problem_output(invalid(
                "list",
                other.to_string(),
                "تعذّر استيراد القائمة",
            ))),
        }
    };
    jobs::run(
        &state,
        &caller,
        &headers,
        athar_app::jobs::IMPORT,
        Box::new(work),
    )
    .await
}

/// `GET /api/exports/persons?format=csv|json|xlsx|uwazi&pseudonymised=true&purpose=…&table=persons|events`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    format: Option<String>,
    /// For csv and json: `persons` (the default) or `events`, one row per person and
    /// event; a workbook holds both.
    table: Option<String>,
    pseudonymised: Option<bool>,
    /// Leave out persons who have not consented to this purpose.
    purpose: Option<String>,
}

/// `GET /api/exports/persons`: the organisation's persons as a file.
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<ExportQuery>,
) -> Result<Response, Problem> {
    let (format, media, extension) = match query.format.as_deref().unwrap_or("csv") {
        "csv" => (Format::Csv, "text/csv; charset=utf-8", "csv"),
        "json" => (Format::Json, "application/json", "json"),
        "xlsx" => (
            Format::Xlsx,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        "uwazi" => (Format::Uwazi, "text/csv; charset=utf-8", "csv"),
        other => {
            return Err(invalid(
                "format",
                format!("{other:?} is not csv, json, xlsx or uwazi"),
                "صيغة غير معروفة",
            ));
        }
    };
    let purpose = match query.purpose.as_deref() {
        None => None,
        Some(code) => Some(
            Purpose::ALL
                .into_iter()
                .find(|p| p.code() == code)
                .ok_or_else(|| {
                    invalid(
                        "purpose",
                        format!("{code:?} is not a consent purpose"),
                        "غرض غير معروف",
                    )
                })?,
        ),
    };
    let table = match (query.table.as_deref(), format) {
        (None | Some("persons"), _) => ExportTable::Persons,
        (Some("events"), Format::Csv | Format::Json) => ExportTable::Events,
        (Some("events"), _) => {
            return Err(invalid(
                "table",
                "events come as csv or json; a workbook holds them on its second sheet",
                "تُصدَّر الأحداث بصيغة csv أو json؛ ويضمّها مصنف Excel في ورقته الثانية",
            ));
        }
        (Some(other), _) => {
            return Err(invalid(
                "table",
                format!("{other:?} is not persons or events"),
                "الجدول إما الأشخاص أو الأحداث",
            ));
        }
    };
    let pseudonymised = query.pseudonymised.unwrap_or(false);
    let bytes = in_scope(&state, caller, move |scope| {
        let mut out = Vec::new();
        scope.export_persons(format, table, pseudonymised, purpose, &mut out)?;
        Ok(out)
    })
    .await?;
    let name = match table {
        ExportTable::Persons => "persons",
        ExportTable::Events => "events",
    };
    let mut response = ([(header::CONTENT_TYPE, media)], bytes).into_response();
    if let Ok(value) =
        HeaderValue::from_str(&format!("attachment; filename=\"{name}.{extension}\""))
    {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
