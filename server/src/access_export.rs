//! `GET /workspaces/{ws}/access.csv` and `GET /workspaces/{ws}/access-changes.csv?since=…`: the
//! access review and what changed in it, as files. Both are the app's own (`app::access`), read
//! with the signed-in person's token in this request's context exactly as the page reads them;
//! the file is streamed in chunks as it is written.

use std::future::Future;

use app::error::AppError;
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use leptos::prelude::{provide_context, Owner};
use leptos::reactive::computed::ScopedFuture;
use serde::Deserialize;

use crate::request_id::request_id_of;
use crate::ServerContext;

/// Lines per chunk of the streamed file.
const LINES_PER_CHUNK: usize = 200;

pub async fn export(State(ctx): State<ServerContext>, Path(workspace): Path<String>, req: Request) -> Response {
    let file = format!("access-{workspace}.csv");
    respond(&ctx, &workspace, req, file, |ws| async move {
        let upstream = app::upstream::Upstream::from_context()?;
        // Recorded as the page's read is: an export is a review too.
        Ok(app::access::ssr::review_with_records(&upstream, &ws, None).await?.review.csv())
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct Since {
    #[serde(default)]
    since: String,
}

pub async fn export_changes(
    State(ctx): State<ServerContext>,
    Path(workspace): Path<String>,
    Query(Since { since }): Query<Since>,
    req: Request,
) -> Response {
    let file = format!("access-changes-{workspace}.csv");
    respond(&ctx, &workspace, req, file, |ws| async move {
        let since = app::access::ssr::parse_since(&since)?;
        let upstream = app::upstream::Upstream::from_context()?;
        Ok(app::access::ssr::changes(&upstream, &ws, since).await?.csv())
    })
    .await
}

/// Runs `write` in a context like a server function's (the app's state, the review records and
/// this request's parts) and answers its file, or the error's status and sentence.
async fn respond<W, F>(ctx: &ServerContext, workspace: &str, req: Request, file: String, write: W) -> Response
where
    W: FnOnce(ks_types::WorkspaceName) -> F,
    F: Future<Output = Result<String, AppError>>,
{
    let request_id = request_id_of(&req);
    let Ok(ws) = ks_types::WorkspaceName::parse(workspace) else {
        return crate::errors::error_response(&AppError::NotFound, request_id);
    };
    let (parts, _) = req.into_parts();
    let owner = Owner::new();
    owner.with(|| {
        provide_context(ctx.state.clone());
        provide_context(ctx.reviews.clone());
        provide_context(parts);
    });
    let csv = match owner.with(|| ScopedFuture::new(write(ws))).await {
        Ok(csv) => csv,
        Err(err) => return crate::errors::error_response(&err, request_id),
    };
    let chunks: Vec<Result<String, std::io::Error>> =
        csv.split_inclusive('\n').collect::<Vec<_>>().chunks(LINES_PER_CHUNK).map(|lines| Ok(lines.concat())).collect();
    let mut res = Body::from_stream(futures::stream::iter(chunks)).into_response();
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}
