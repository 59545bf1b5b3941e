//! `/kapis/iam.kubesphere.io/v1beta1/users` (§3.1). Authorization already ran in the filter
//! chain, so handlers only implement the handler-level behaviour.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State as AxState};
use axum::response::Response;
use http::StatusCode;
use serde_json::{json, Value};

use crate::errors;
use crate::query::{by_name, ListQuery};
use crate::state::State;

pub(crate) const USERS_PATH: &str = "/kapis/iam.kubesphere.io/v1beta1/users";
pub(crate) const USER_PATH: &str = "/kapis/iam.kubesphere.io/v1beta1/users/{user}";

/// The `{"items":[…],"totalItems":N}` envelope.
pub(crate) fn list_result(items: Vec<Value>, total: usize) -> Response {
    errors::json_response(
        StatusCode::OK,
        &json!({"items": items, "totalItems": total}),
        false,
    )
}

/// `GET /users`: every authenticated user may list (and see everyone's e-mail).
pub(crate) async fn list(AxState(state): AxState<Arc<State>>, RawQuery(raw): RawQuery) -> Response {
    let query = ListQuery::parse(raw.as_deref());
    let db = state.db();
    if let Some(role) = query.filter("globalrole") {
        // Every user bound to the role, ignoring all other parameters and pagination.
        let mut items: Vec<Value> = db
            .global_role_bindings
            .iter()
            .filter(|b| b.role == role)
            .filter_map(|b| db.users.get(&b.user))
            .map(|u| db.user_json(u))
            .collect();
        items.sort_by(by_name);
        items.dedup_by(|a, b| a["metadata"]["name"] == b["metadata"]["name"]);
        let total = items.len();
        return list_result(items, total);
    }
    let all: Vec<Value> = db.users.values().map(|u| db.user_json(u)).collect();
    drop(db);
    let (items, total) = query.apply(all);
    list_result(items, total)
}

/// `GET /users/{user}`.
pub(crate) async fn get(AxState(state): AxState<Arc<State>>, Path(name): Path<String>) -> Response {
    let db = state.db();
    match db.users.get(&name) {
        Some(user) => errors::json_response(StatusCode::OK, &db.user_json(user), false),
        None => errors::not_found("users.iam.kubesphere.io", &name),
    }
}
