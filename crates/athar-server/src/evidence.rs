//! The evidence vault over HTTP: streamed upload and download, metadata, custody.
//!
//! Uploads are the raw file as the request body (any size up to the server's limit; the
//! general 2 MB body limit does not apply here), streamed through the sealing writer on a
//! blocking thread: the server never holds a whole file in memory. Downloads stream back
//! the same way. Viewing metadata and downloading are custody events in the audit chain.
//! Items belong to the uploader's organisation; for any other one they do not exist.

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use serde::Deserialize;

use athar_model::{FieldError, RecordId};
use athar_store::StoreError;
use athar_store::evidence::{Custody, EvidenceKind, NewEvidence};

use crate::AppState;
use crate::auth::Caller;
use crate::problem::{Problem, QueryParams};
use crate::records::{in_scope, parse_id};

/// Reads what the request body sends through a channel (on a blocking thread).
pub(crate) struct ChannelReader {
    pub(crate) rx: tokio::sync::mpsc::Receiver<Result<Bytes, String>>,
    pub(crate) current: Bytes,
}

impl std::io::Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(b)) => self.current = b,
                // A broken upload must not end like a complete one.
                Some(Err(e)) => return Err(std::io::Error::other(e)),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        self.current = self.current.slice(n..);
        Ok(n)
    }
}

/// Sends what a blocking thread writes to the response body.
struct ChannelWriter {
    tx: tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
}

impl std::io::Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.tx
            .blocking_send(Ok(Bytes::copy_from_slice(buf)))
            .map_err(|_| std::io::Error::other("the client went away"))?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// `original` (default), `redacted`, `transcript` or `translation`.
    pub kind: Option<String>,
    /// For a copy: the id of the item it was made from.
    pub derived_from: Option<String>,
    /// The file's name as received.
    pub filename: Option<String>,
    /// How and from whom it was obtained.
    pub description: Option<String>,
    /// Ids of the records it is about, separated by commas.
    pub about: Option<String>,
}

/// `POST /api/evidence`: the body is the file.
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<UploadQuery>,
    headers: axum::http::HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let kind = match query.kind.as_deref() {
        None => EvidenceKind::Original,
        Some(k) => EvidenceKind::parse(k).ok_or_else(|| {
            Problem::invalid(vec![FieldError::new(
                "kind",
                "evidence.kind",
                "one of original, redacted, transcript, translation",
                "واحد من: أصل، منقّحة، تفريغ، ترجمة",
            )])
        })?,
    };
    let derived_from = query.derived_from.as_deref().map(parse_id).transpose()?;
    let mut about = Vec::new();
    for text in query.about.as_deref().unwrap_or_default().split(',') {
        if !text.trim().is_empty() {
            about.push(parse_id(text.trim())?);
        }
    }
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_string();
    let item = NewEvidence {
        kind,
        derived_from,
        media_type,
        filename: query.filename,
        description: query.description,
        about,
    };
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, String>>(8);
    let app = state.app.clone();
    let limit = state.evidence_limit;
    let ingest = tokio::task::spawn_blocking(move || {
        let mut reader = ChannelReader {
            rx,
            current: Bytes::new(),
        };
        caller.scope(&app).ingest_evidence(item, &mut reader, limit)
    });
    let mut body = body;
    let mut broken = false;
    while let Some(frame) = body.frame().await {
        match frame {
            Ok(frame) => {
                if let Ok(data) = frame.into_data()
                    && tx.send(Ok(data)).await.is_err()
                {
                    // The vault stopped reading (too large, or an error): it says why below.
                    break;
                }
            }
            Err(e) => {
                broken = true;
                let _ = tx.send(Err(e.to_string())).await;
                break;
            }
        }
    }
    drop(tx);
    if broken {
        let _ = ingest.await;
        return Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "upload-broken",
            "The upload was interrupted; nothing was kept",
            "انقطع الرفع؛ لم يُحفظ شيء",
        ));
    }
    let item = match ingest.await {
        Ok(result) => result.map_err(Problem::from)?,
        Err(_) => {
            return Err(Problem::from(StoreError::Database(
                "the upload task failed".into(),
            )));
        }
    };
    Ok((StatusCode::CREATED, Json(item)).into_response())
}

/// The item, if the caller's organisation owns it, with `event` recorded in its chain of
/// custody.
async fn owned(
    state: &AppState,
    caller: &Caller,
    id: RecordId,
    event: Custody,
) -> Result<athar_store::evidence::EvidenceItem, Problem> {
    in_scope(state, caller.clone(), move |scope| {
        scope.evidence_item(id, event)
    })
    .await
}

/// `GET /api/evidence`.
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Response, Problem> {
    let items = in_scope(&state, caller, move |scope| scope.evidence_items()).await?;
    Ok(Json(serde_json::json!({ "items": items })).into_response())
}

/// `GET /api/evidence/{id}`: the item's metadata (a custody event).
pub async fn item(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let item = owned(&state, &caller, id, Custody::View).await?;
    Ok(Json(item).into_response())
}

/// `GET /api/evidence/{id}/content`: the original bytes, streamed (a custody event).
pub async fn content(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let item = owned(&state, &caller, id, Custody::Download).await?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    let app = state.app.clone();
    tokio::task::spawn_blocking(move || {
        let mut writer = ChannelWriter { tx: tx.clone() };
        if let Err(e) = caller.scope(&app).read_evidence(id, &mut writer) {
            tracing::error!(error = %e, "evidence could not be read");
            let _ = tx.blocking_send(Err(std::io::Error::other("the evidence could not be read")));
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&item.media_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment"),
    );
    if let Ok(v) = HeaderValue::from_str(&item.size.to_string()) {
        headers.insert(header::CONTENT_LENGTH, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("sha-256={}", item.sha256)) {
        headers.insert("x-content-sha256", v);
    }
    Ok(response)
}
