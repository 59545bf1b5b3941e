//! `GET /workspaces/{ws}/access.csv`: the access review as a file. The review is the app's own
//! (`app::access`), read with the signed-in person's token in this request's context, exactly as
//! the page reads it; the file is streamed in chunks as it is written.

use app::error::AppError;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use leptos::prelude::{provide_context, Owner};
use leptos::reactive::computed::ScopedFuture;

use crate::security::request_id_of;
use crate::ServerContext;

/// Lines per chunk of the streamed file.
const LINES_PER_CHUNK: usize = 200;

pub async fn export(State(ctx): State<ServerContext>, Path(workspace): Path<String>, req: Request) -> Response {
    let request_id = request_id_of(&req);
    let Ok(ws) = ks_types::WorkspaceName::parse(&workspace) else {
        return crate::security::error_response(&AppError::NotFound, request_id);
    };
    let (parts, _) = req.into_parts();
    let owner = Owner::new();
    owner.with(|| {
        provide_context(ctx.state.clone());
        provide_context(parts);
    });
    let review = owner
        .with(|| {
            ScopedFuture::new(async {
                let upstream = app::upstream::Upstream::from_context()?;
                app::access::ssr::load(&upstream, &ws).await
            })
        })
        .await;
    let review = match review {
        Ok(review) => review,
        Err(err) => return crate::security::error_response(&err, request_id),
    };
    let csv = review.csv();
    let chunks: Vec<Result<String, std::io::Error>> =
        csv.split_inclusive('\n').collect::<Vec<_>>().chunks(LINES_PER_CHUNK).map(|lines| Ok(lines.concat())).collect();
    let mut res = Body::from_stream(futures::stream::iter(chunks)).into_response();
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let file = format!("attachment; filename=\"access-{ws}.csv\"");
    if let Ok(v) = HeaderValue::from_str(&file) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}
