//! Errors as `application/problem+json` (RFC 9457), and the JSON body extractor that
//! names the field at fault.
//!
//! A refused request writes nothing. Problems name the field and the reason in English
//! and Arabic; they never echo stored personal data, and they are not logged with it.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use athar_model::{FieldError, FuzzyDate};
use athar_store::StoreError;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub title_ar: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// What was measured before the refusal, for scripts (the latent-class chains'
    /// diagnostics when they did not agree).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub diagnostics: Option<serde_json::Value>,
}

impl Problem {
    pub fn new(status: StatusCode, kind: &str, title: &str, title_ar: &str) -> Self {
        Problem {
            kind: format!("https://athar.example/problems/{kind}"),
            title: title.into(),
            title_ar: title_ar.into(),
            status: status.as_u16(),
            detail: None,
            errors: Vec::new(),
            diagnostics: None,
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn diagnostics(mut self, diagnostics: Option<serde_json::Value>) -> Self {
        self.diagnostics = diagnostics;
        self
    }

    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let mut p = Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "The request has invalid fields",
            "في الطلب حقول غير صالحة",
        );
        p.detail = Some(
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
        );
        p.errors = errors;
        p
    }

    pub fn not_found() -> Self {
        Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found", "غير موجود")
    }

    /// The server failed on its side; what failed is logged, never told.
    pub fn internal() -> Self {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "The server could not complete the request",
            "تعذّر على الخادم إتمام الطلب",
        )
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(&self)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => Problem::not_found(),
            StoreError::Deleted { rev, reason, .. } => Problem::new(
                StatusCode::GONE,
                "deleted",
                "This record was deleted",
                "حُذف هذا السجل",
            )
            .detail(format!(
                "deleted in revision {rev}{}; its history remains available",
                reason.map(|r| format!(": {r}")).unwrap_or_default()
            )),
            StoreError::Conflict {
                expected, actual, ..
            } => Problem::new(
                StatusCode::PRECONDITION_FAILED,
                "conflict",
                "The record changed since you read it",
                "تغيّر السجل منذ أن قرأته",
            )
            .detail(format!(
                "you edited revision {expected}; the record is at revision {actual}"
            )),
            StoreError::Exists { .. } => Problem::new(
                StatusCode::CONFLICT,
                "exists",
                "The record exists already",
                "السجل موجود مسبقاً",
            ),
            StoreError::Invalid { errors, .. } => Problem::invalid(errors),
            StoreError::NoDraft { .. } => Problem::new(
                StatusCode::NOT_FOUND,
                "no-draft",
                "There is no such draft: it was submitted or discarded, or is another person's",
                "لا توجد هذه المسودة: أُرسلت أو حُذفت، أو هي لشخص آخر",
            ),
            StoreError::DraftConflict { .. } => Problem::new(
                StatusCode::CONFLICT,
                "draft-conflict",
                "This draft was saved from another window since you opened it; nothing was overwritten",
                "حُفظت هذه المسودة من نافذة أخرى منذ فتحتها؛ لم يُكتب فوق شيء",
            ),
            StoreError::TooLarge { limit } => Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "The file is larger than this server accepts; nothing was kept",
                "الملف أكبر مما يقبله هذا الخادم؛ لم يُحفظ شيء",
            )
            .detail(format!("the limit is {limit} bytes")),
            other => {
                // Store failures can carry paths; the log gets the kind, not the content.
                tracing::error!(error = %other, "store failure");
                Problem::internal()
            }
        }
    }
}

/// The value at a serde path like `names[0].given` or `birth_date` in a JSON document.
fn value_at<'a>(root: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    let mut v = root;
    for part in path.split('.') {
        let (name, indexes) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !name.is_empty() {
            v = v.get(name)?;
        }
        for ix in indexes.split('[').filter(|s| !s.is_empty()) {
            v = v.get(ix.trim_end_matches(']').parse::<usize>().ok()?)?;
        }
    }
    Some(v)
}

/// A JSON body whose deserialisation errors become field-level problems.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "media-type",
                "Send the body as application/json",
                "أرسل المحتوى بصيغة application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body",
                "The body could not be read",
                "تعذّرت قراءة المحتوى",
            )
            .detail(e.body_text())
        })?;
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "syntax",
                "The body is not valid JSON",
                "المحتوى ليس JSON صالحاً",
            )
            .detail(format!("line {}, column {}", e.line(), e.column()))
        })?;
        // Every field that cannot be read is reported at once: after each error the field
        // is set aside and the rest read again, so a form with three mistakes hears of three.
        let mut working = value.clone();
        let mut errors: Vec<FieldError> = Vec::new();
        loop {
            let e = match serde_path_to_error::deserialize::<_, T>(&working) {
                Ok(v) if errors.is_empty() => return Ok(JsonBody(v)),
                Ok(_) => break,
                Err(e) => e,
            };
            let field = e.path().to_string();
            let field = if field == "." { String::new() } else { field };
            // A field set aside that was required: already reported.
            if field.is_empty() && !errors.is_empty() {
                break;
            }
            // A date that failed to parse gets the date parser's own bilingual message.
            let date_error = value_at(&value, &field)
                .and_then(|v| v.as_str())
                .and_then(|s| FuzzyDate::parse(s).err());
            errors.push(match date_error {
                Some(d) if e.inner().to_string() == d.to_string() => {
                    FieldError::from_date(field.clone(), &d)
                }
                _ => FieldError::new(
                    field.clone(),
                    "invalid",
                    e.inner().to_string(),
                    "قيمة غير صالحة أو حقل غير معروف",
                ),
            });
            // Set the field aside; stop when it cannot be (a missing field, a list item).
            if errors.len() >= 50 || !remove_field(&mut working, e.path()) {
                break;
            }
        }
        Err(Problem::invalid(errors))
    }
}

/// Remove the object member a deserialisation path ends at; false when the path ends
/// elsewhere (the document itself, an item of a list) or names nothing there.
fn remove_field(root: &mut serde_json::Value, path: &serde_path_to_error::Path) -> bool {
    use serde_path_to_error::Segment;
    let segments: Vec<&Segment> = path.iter().collect();
    let Some((Segment::Map { key }, parents)) = segments.split_last() else {
        return false;
    };
    let mut v = root;
    for segment in parents {
        v = match segment {
            Segment::Map { key } => match v.get_mut(key.as_str()) {
                Some(next) => next,
                None => return false,
            },
            Segment::Seq { index } => match v.get_mut(*index) {
                Some(next) => next,
                None => return false,
            },
            _ => return false,
        };
    }
    v.as_object_mut()
        .is_some_and(|object| object.remove(key.as_str()).is_some())
}

/// A query string read into `T`, or a problem+json naming what is wrong (instead of the
/// plain-text rejection of axum's own `Query`).
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequestParts<S> for QueryParams<T> {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Problem> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(QueryParams(value)),
            Err(e) => Err(Problem::invalid(vec![FieldError::new(
                "query",
                "query.invalid",
                e.body_text(),
                "معاملات الطلب غير صالحة (قيمة من نوع خاطئ أو معامل غير معروف)",
            )])),
        }
    }
}

/// A multipart form, or a problem+json saying why the body is not one.
pub struct Form(pub axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for Form {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        axum::extract::Multipart::from_request(req, state)
            .await
            .map(Form)
            .map_err(|e| {
                Problem::new(
                    StatusCode::BAD_REQUEST,
                    "multipart",
                    "Send the body as multipart/form-data with its boundary",
                    "أرسل المحتوى بصيغة multipart/form-data مع حدّه",
                )
                .detail(e.body_text())
            })
    }
}

#[cfg(test)]
mod tests {
    use super::value_at;

    #[test]
    fn finds_values_by_serde_path() {
        let v =
            serde_json::json!({"names": [{"given": "a"}, {"given": "b"}], "birth_date": "2019-13"});
        assert_eq!(
            value_at(&v, "names[1].given").and_then(|v| v.as_str()),
            Some("b")
        );
        assert_eq!(
            value_at(&v, "birth_date").and_then(|v| v.as_str()),
            Some("2019-13")
        );
        assert!(value_at(&v, "names[5]").is_none());
    }
}
