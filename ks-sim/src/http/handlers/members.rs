//! Workspace members (§3.6) and project members (§3.7): stub users carrying the role in an
//! annotation, array POSTs, PUT to change the role, DELETE.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, Path, RawQuery, State as AxState};
use axum::response::Response;
use http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::behaviour::controllers::{set_project_member, set_workspace_member};
use crate::http::body;
use crate::http::errors;
use crate::http::filters::ClusterCtx;
use crate::http::query::ListQuery;
use crate::store::db::Db;
use crate::store::state::State;
use crate::store::util::now_utc;

const ANNOTATION_WORKSPACEROLE: &str = "iam.kubesphere.io/workspacerole";
const ANNOTATION_ROLE: &str = "iam.kubesphere.io/role";

/// One entry of a member POST/PUT body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Member {
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
fn member_list(all: Vec<Value>, raw: Option<&str>) -> Response {
    let (items, total) = ListQuery::parse(raw).apply(all);
    let items = if total == 0 { Value::Null } else { json!(items) };
    errors::json_response(StatusCode::OK, &json!({"items": items, "totalItems": total}), false)
}

fn not_member(member: &str) -> Response {
    errors::handler_text(StatusCode::BAD_REQUEST, &format!("member {member} not exist"))
}

fn parse_array(headers: &HeaderMap, bytes: &Bytes) -> Result<Vec<Member>, Response> {
    let value = body::json(headers, bytes)?;
    serde_json::from_value(value).map_err(|e| errors::handler_text(StatusCode::BAD_REQUEST, &e.to_string()))
}

fn parse_one(headers: &HeaderMap, bytes: &Bytes) -> Result<Member, Response> {
    let value = body::json(headers, bytes)?;
    serde_json::from_value(value).map_err(|e| errors::handler_text(StatusCode::BAD_REQUEST, &e.to_string()))
}

// --- workspace members ---

/// The WorkspaceRole must exist and belong to `ws` (404 text otherwise).
fn check_workspace_role(db: &Db, ws: &str, role: &str) -> Result<(), Response> {
    match db.workspace_roles.get(role) {
        Some(r) if r.workspace() == Some(ws) => Ok(()),
        Some(_) => Err(errors::not_found("workspacerole.iam.kubesphere.io", role)),
        None => Err(errors::not_found("workspaceroles.iam.kubesphere.io", role)),
    }
}

fn workspace_role_of(db: &Db, ws: &str, user: &str) -> Option<String> {
    db.workspace_role_bindings
        .iter()
        .find(|b| b.user == user && b.workspace.as_deref() == Some(ws))
        .map(|b| b.role.clone())
}

/// `GET /workspaces/{ws}/workspacemembers[?workspacerole=]`.
pub(crate) async fn list_workspace(
    AxState(state): AxState<Arc<State>>,
    Path(ws): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let query = ListQuery::parse(raw.as_deref());
    let role_filter = query.filter("workspacerole").map(str::to_owned);
    let db = state.db();
    let all: Vec<Value> = db
        .workspace_role_bindings
        .iter()
        .filter(|b| b.workspace.as_deref() == Some(ws.as_str()))
        .filter(|b| role_filter.as_deref().is_none_or(|r| r == b.role))
        .map(|b| stub(&b.user, ANNOTATION_WORKSPACEROLE, &b.role))
        .collect();
    drop(db);
    member_list(all, raw.as_deref())
}

/// `GET /workspaces/{ws}/workspacemembers/{member}`: the full user plus the role annotation.
pub(crate) async fn get_workspace(
    AxState(state): AxState<Arc<State>>,
    Path((ws, member)): Path<(String, String)>,
) -> Response {
    let db = state.db();
    let Some(role) = workspace_role_of(&db, &ws, &member) else {
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

/// `POST /workspaces/{ws}/workspacemembers`, body `[{"username","roleRef"}]`: entries apply in
/// order without rollback; the user is not checked.
pub(crate) async fn add_workspace(
    AxState(state): AxState<Arc<State>>,
    Path(ws): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let members = match parse_array(&headers, &bytes) {
        Ok(m) => m,
        Err(response) => return response,
    };
    let mut db = state.db();
    for m in &members {
        if let Err(response) = check_workspace_role(&db, &ws, &m.role_ref) {
            return response;
        }
        if let Err(invalid) = set_workspace_member(&mut db, &ws, &m.username, &m.role_ref, now_utc()) {
            return errors::handler_text(StatusCode::UNPROCESSABLE_ENTITY, &invalid);
        }
    }
    errors::json_response(StatusCode::OK, &json!(members), false)
}

/// `PUT /workspaces/{ws}/workspacemembers/{member}`.
pub(crate) async fn update_workspace(
    AxState(state): AxState<Arc<State>>,
    Path((ws, member)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let m = match parse_one(&headers, &bytes) {
        Ok(m) => m,
        Err(response) => return response,
    };
    if m.username != member {
        return errors::handler_text(
            StatusCode::BAD_REQUEST,
            &format!("incorrect username {}, the username must equal to the member", m.username),
        );
    }
    let mut db = state.db();
    if workspace_role_of(&db, &ws, &member).is_none() {
        return not_member(&member);
    }
    if let Err(response) = check_workspace_role(&db, &ws, &m.role_ref) {
        return response;
    }
    if let Err(invalid) = set_workspace_member(&mut db, &ws, &member, &m.role_ref, now_utc()) {
        return errors::handler_text(StatusCode::UNPROCESSABLE_ENTITY, &invalid);
    }
    errors::success()
}

/// `DELETE /workspaces/{ws}/workspacemembers/{member}` (success also for non-members).
pub(crate) async fn remove_workspace(
    AxState(state): AxState<Arc<State>>,
    Path((ws, member)): Path<(String, String)>,
) -> Response {
    state.db().workspace_role_bindings.retain(|b| !(b.user == member && b.workspace.as_deref() == Some(ws.as_str())));
    errors::success()
}

// --- project members ---

fn project_role_of(db: &Db, cluster: &str, ns: &str, user: &str) -> Option<String> {
    db.role_bindings
        .iter()
        .find(|b| b.user == user && b.cluster.as_deref() == Some(cluster) && b.namespace.as_deref() == Some(ns))
        .map(|b| b.role.clone())
}

fn check_project_role(db: &Db, cluster: &str, ns: &str, role: &str) -> Result<(), Response> {
    match db.project_role(cluster, ns, role) {
        Some(_) => Ok(()),
        None => Err(errors::not_found("roles.iam.kubesphere.io", role)),
    }
}

/// `GET [/clusters/{c}]/…/namespaces/{ns}/namespacemembers[?role=]`.
pub(crate) async fn list_project(
    AxState(state): AxState<Arc<State>>,
    Extension(ClusterCtx(cluster)): Extension<ClusterCtx>,
    Path(ns): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let query = ListQuery::parse(raw.as_deref());
    let role_filter = query.filter("role").map(str::to_owned);
    let db = state.db();
    let all: Vec<Value> = db
        .role_bindings
        .iter()
        .filter(|b| b.cluster.as_deref() == Some(cluster.as_str()) && b.namespace.as_deref() == Some(ns.as_str()))
        .filter(|b| role_filter.as_deref().is_none_or(|r| r == b.role))
        .map(|b| stub(&b.user, ANNOTATION_ROLE, &b.role))
        .collect();
    drop(db);
    member_list(all, raw.as_deref())
}

/// `POST [/clusters/{c}]/…/namespaces/{ns}/namespacemembers`.
pub(crate) async fn add_project(
    AxState(state): AxState<Arc<State>>,
    Extension(ClusterCtx(cluster)): Extension<ClusterCtx>,
    Path(ns): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let members = match parse_array(&headers, &bytes) {
        Ok(m) => m,
        Err(response) => return response,
    };
    let mut db = state.db();
    for m in &members {
        if let Err(response) = check_project_role(&db, &cluster, &ns, &m.role_ref) {
            return response;
        }
        set_project_member(&mut db, &cluster, &ns, &m.username, &m.role_ref, now_utc());
    }
    errors::json_response(StatusCode::OK, &json!(members), false)
}

/// `PUT [/clusters/{c}]/…/namespaces/{ns}/namespacemembers/{member}`.
pub(crate) async fn update_project(
    AxState(state): AxState<Arc<State>>,
    Extension(ClusterCtx(cluster)): Extension<ClusterCtx>,
    Path((ns, member)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let m = match parse_one(&headers, &bytes) {
        Ok(m) => m,
        Err(response) => return response,
    };
    if m.username != member {
        return errors::handler_text(
            StatusCode::BAD_REQUEST,
            &format!("incorrect username {}, the username must equal to the member", m.username),
        );
    }
    let mut db = state.db();
    if project_role_of(&db, &cluster, &ns, &member).is_none() {
        return not_member(&member);
    }
    if let Err(response) = check_project_role(&db, &cluster, &ns, &m.role_ref) {
        return response;
    }
    set_project_member(&mut db, &cluster, &ns, &member, &m.role_ref, now_utc());
    errors::success()
}

/// `DELETE [/clusters/{c}]/…/namespaces/{ns}/namespacemembers/{member}`.
pub(crate) async fn remove_project(
    AxState(state): AxState<Arc<State>>,
    Extension(ClusterCtx(cluster)): Extension<ClusterCtx>,
    Path((ns, member)): Path<(String, String)>,
) -> Response {
    state.db().role_bindings.retain(|b| {
        !(b.user == member
            && b.cluster.as_deref() == Some(cluster.as_str())
            && b.namespace.as_deref() == Some(ns.as_str()))
    });
    errors::success()
}
