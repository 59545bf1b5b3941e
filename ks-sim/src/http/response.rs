//! The list envelopes and empty answers the handlers share.

use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde_json::{json, Value};

use crate::http::errors;
use crate::http::query::ListQuery;

/// The `{"items":[…],"totalItems":N}` envelope.
pub(crate) fn list_result(items: Vec<Value>, total: usize) -> Response {
    errors::json_response(StatusCode::OK, &json!({"items": items, "totalItems": total}), false)
}

/// One page of `all`, as `query` asks, in the `{"items":[…],"totalItems":N}` envelope.
pub(crate) fn list_page(query: &ListQuery, all: Vec<Value>) -> Response {
    let (items, total) = query.apply(all);
    list_result(items, total)
}

/// The dynamic handler's list envelope: `metadata.continue` = total as a string,
/// `remainingItemCount` = items after this page (§1.5).
pub(crate) fn k8s_list(query: &ListQuery, all: Vec<Value>) -> Response {
    let (items, total) = query.apply(all);
    let offset =
        if query.limit < 0 { 0 } else { usize::try_from((query.page - 1).max(0) * query.limit).unwrap_or(usize::MAX) };
    let remaining = total.saturating_sub(offset.saturating_add(items.len()));
    errors::json_response(
        StatusCode::OK,
        &json!({
            "apiVersion": "v1",
            "kind": "List",
            "metadata": {"continue": total.to_string(), "remainingItemCount": remaining},
            "items": items,
        }),
        false,
    )
}

/// 200 with an empty body (what the dynamic handler answers for writes).
pub(crate) fn empty_ok() -> Response {
    StatusCode::OK.into_response()
}
