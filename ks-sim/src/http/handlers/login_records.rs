//! `GET /kapis/iam.kubesphere.io/v1beta1/users/{user}/loginrecords`: a user's `LoginRecord`s
//! (one per password check of an existing user, written at sign-in), as a ListResult, newest
//! first by default. Callers: the user themself, or holders of `global-view-users`.

use std::sync::Arc;

use axum::extract::{Path, State as AxState};
use axum::response::Response;
use serde_json::{json, Value};

use crate::http::query::ListQuery;
use crate::http::response::list_page;
use crate::store::state::State;
use crate::store::users::LoginRecord;
use crate::store::util::rfc3339;

fn record_json(user: &str, record: &LoginRecord) -> Value {
    json!({
        "apiVersion": "iam.kubesphere.io/v1beta1",
        "kind": "LoginRecord",
        "metadata": {
            "name": record.name,
            "creationTimestamp": rfc3339(record.created),
            "labels": {"iam.kubesphere.io/user-ref": user},
        },
        "spec": {
            "type": record.login_type,
            "provider": record.provider,
            "sourceIP": record.source_ip,
            "success": record.success,
            "reason": record.reason,
        },
    })
}

/// An unknown user simply has no records (the handler filters records by label).
pub(crate) async fn list(AxState(state): AxState<Arc<State>>, Path(user): Path<String>, query: ListQuery) -> Response {
    let all: Vec<Value> = state
        .db_for_read()
        .users
        .get(&user)
        .map(|u| u.login_records.iter().map(|r| record_json(&user, r)).collect())
        .unwrap_or_default();
    list_page(&query, all)
}
