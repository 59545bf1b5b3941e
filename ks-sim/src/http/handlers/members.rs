//! Workspace members (§3.6) and project members (§3.7): stub users carrying the role in an
//! annotation, array POSTs, PUT to change the role, DELETE. Every read here (lists, "is this
//! user bound?") comes from the caches (`State::cached`); the binding logic is
//! `behaviour::membership`.

use std::sync::Arc;

use axum::extract::{Extension, Path, State as AxState};
use axum::response::Response;
use http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::behaviour::membership::{GrantError, Scope};
use crate::http::body::JsonBody;
use crate::http::errors;
use crate::http::filters::ClusterCtx;
use crate::http::query::ListQuery;
use crate::store::state::State;
use crate::store::util::now_utc;

const ANNOTATION_WORKSPACEROLE: &str = "iam.kubesphere.io/workspacerole";
const ANNOTATION_ROLE: &str = "iam.kubesphere.io/role";

/// One entry of a member POST/PUT body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Member {
    #[serde(default)]
    username: String,
    #[serde(default)]
    role_ref: String,
}

fn stub(user: &str, annotation: &str, role: &str) -> Value {
    json!({
        "metadata": {"name": user, "creationTimestamp": null, "annotations": {annotation: role}},
        "spec": {"email": ""},
        "status": {},
    })
}

/// The member-list envelope: `items` is `null` when nothing matched.
fn member_list(all: Vec<Value>, query: &ListQuery) -> Response {
    let (items, total) = query.apply(all);
    let items = if total == 0 { Value::Null } else { json!(items) };
    errors::json_response(StatusCode::OK, &json!({"items": items, "totalItems": total}), false)
}

fn not_member(member: &str) -> Response {
    errors::handler_text(StatusCode::BAD_REQUEST, &format!("member {member} not exist"))
}

/// A failed grant as the handler answers it (`api.HandleError`: the Kubernetes status, text).
fn grant_failed(error: GrantError) -> Response {
    match error {
        GrantError::RoleNotFound { qualified, name } => errors::not_found(qualified, &name),
        GrantError::Invalid(message) => errors::handler_text(StatusCode::UNPROCESSABLE_ENTITY, &message),
        GrantError::Exists(message) => errors::handler_text(StatusCode::CONFLICT, &message),
    }
}

fn incorrect_username(username: &str) -> Response {
    errors::handler_text(
        StatusCode::BAD_REQUEST,
        &format!("incorrect username {username}, the username must equal to the member"),
    )
}

/// The annotation a member stub carries its role in.
fn role_annotation(scope: Scope) -> &'static str {
    match scope {
        Scope::Workspace(_) => ANNOTATION_WORKSPACEROLE,
        Scope::Project { .. } => ANNOTATION_ROLE,
    }
}

/// `GET …members[?workspacerole=|?role=]`: a stub for each binding in the scope.
fn list(state: &State, scope: Scope, query: &ListQuery) -> Response {
    let filter_key = match scope {
        Scope::Workspace(_) => "workspacerole",
        Scope::Project { .. } => "role",
    };
    let role_filter = query.filter(filter_key);
    let db = state.db_for_read();
    let all: Vec<Value> = scope
        .members(&db)
        .filter(|b| role_filter.is_none_or(|r| r == b.role))
        .map(|b| stub(&b.user, role_annotation(scope), &b.role))
        .collect();
    drop(db);
    member_list(all, query)
}

/// `POST …members`, body `[{"username","roleRef"}]`: entries apply in order without rollback;
/// the user is not checked; a member already holding the role (in the cache) is left alone.
fn add(state: &State, scope: Scope, members: &[Member]) -> Response {
    let cache = state.cached();
    let mut db = state.db();
    for m in members {
        if let Err(e) = scope.grant(&mut db, cache.as_deref(), &m.username, &m.role_ref, now_utc()) {
            return grant_failed(e);
        }
    }
    errors::json_response(StatusCode::OK, &json!(members), false)
}

/// `PUT …members/{member}`: only a member (in the cache) has a role to change.
fn update(state: &State, scope: Scope, member: &str, m: &Member) -> Response {
    if m.username != member {
        return incorrect_username(&m.username);
    }
    let cache = state.cached();
    let mut db = state.db();
    if scope.bindings_of(cache.as_deref().unwrap_or(&db), member).is_empty() {
        return not_member(member);
    }
    match scope.grant(&mut db, cache.as_deref(), member, &m.role_ref, now_utc()) {
        Ok(()) => errors::success(),
        Err(e) => grant_failed(e),
    }
}

/// `DELETE …members/{member}` (success also for non-members).
fn remove(state: &State, scope: Scope, member: &str) -> Response {
    let cache = state.cached();
    scope.remove(&mut state.db(), cache.as_deref(), member);
    errors::success()
}

// --- workspace members ---

/// `GET /workspaces/{ws}/workspacemembers[?workspacerole=]`.
pub(crate) async fn list_workspace(
    AxState(state): AxState<Arc<State>>,
    Path(ws): Path<String>,
    query: ListQuery,
) -> Response {
    list(&state, Scope::Workspace(&ws), &query)
}

/// `GET /workspaces/{ws}/workspacemembers/{member}`: the full user plus the role annotation.
pub(crate) async fn get_workspace(
    AxState(state): AxState<Arc<State>>,
    Path((ws, member)): Path<(String, String)>,
) -> Response {
    let db = state.db_for_read();
    let Some((_, role)) = Scope::Workspace(&ws).bindings_of(&db, &member).into_iter().next() else {
        return not_member(&member);
    };
    let Some(user) = db.users.get(&member) else {
        return errors::not_found("users.iam.kubesphere.io", &member);
    };
    let mut object = db.user_json(user);
    if let Some(annotations) = object["metadata"]["annotations"].as_object_mut() {
        annotations.insert(ANNOTATION_WORKSPACEROLE.into(), json!(role));
    }
    errors::json_response(StatusCode::OK, &object, false)
}

/// `POST /workspaces/{ws}/workspacemembers`.
pub(crate) async fn add_workspace(
    AxState(state): AxState<Arc<State>>,
    Path(ws): Path<String>,
    JsonBody(members): JsonBody<Vec<Member>>,
) -> Response {
    add(&state, Scope::Workspace(&ws), &members)
}

/// `PUT /workspaces/{ws}/workspacemembers/{member}`.
pub(crate) async fn update_workspace(
    AxState(state): AxState<Arc<State>>,
    Path((ws, member)): Path<(String, String)>,
    JsonBody(m): JsonBody<Member>,
) -> Response {
    update(&state, Scope::Workspace(&ws), &member, &m)
}

/// `DELETE /workspaces/{ws}/workspacemembers/{member}`.
pub(crate) async fn remove_workspace(
    AxState(state): AxState<Arc<State>>,
    Path((ws, member)): Path<(String, String)>,
) -> Response {
    remove(&state, Scope::Workspace(&ws), &member)
}

// --- project members ---

/// `GET [/clusters/{c}]/…/namespaces/{ns}/namespacemembers[?role=]`.
pub(crate) async fn list_project(
    AxState(state): AxState<Arc<State>>,
    Extension(ClusterCtx(cluster)): Extension<ClusterCtx>,
    Path(ns): Path<String>,
    query: ListQuery,
) -> Response {
    list(&state, Scope::Project { cluster: &cluster, ns: &ns }, &query)
}

/// `POST [/clusters/{c}]/…/namespaces/{ns}/namespacemembers`.
pub(crate) async fn add_project(
    AxState(state): AxState<Arc<State>>,
    Extension(ClusterCtx(cluster)): Extension<ClusterCtx>,
    Path(ns): Path<String>,
    JsonBody(members): JsonBody<Vec<Member>>,
) -> Response {
    add(&state, Scope::Project { cluster: &cluster, ns: &ns }, &members)
}

/// `PUT [/clusters/{c}]/…/namespaces/{ns}/namespacemembers/{member}`.
pub(crate) async fn update_project(
    AxState(state): AxState<Arc<State>>,
    Extension(ClusterCtx(cluster)): Extension<ClusterCtx>,
    Path((ns, member)): Path<(String, String)>,
    JsonBody(m): JsonBody<Member>,
) -> Response {
    update(&state, Scope::Project { cluster: &cluster, ns: &ns }, &member, &m)
}

/// `DELETE [/clusters/{c}]/…/namespaces/{ns}/namespacemembers/{member}`.
pub(crate) async fn remove_project(
    AxState(state): AxState<Arc<State>>,
    Extension(ClusterCtx(cluster)): Extension<ClusterCtx>,
    Path((ns, member)): Path<(String, String)>,
) -> Response {
    remove(&state, Scope::Project { cluster: &cluster, ns: &ns }, &member)
}
