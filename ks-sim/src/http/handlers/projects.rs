//! Projects (§3.5): namespaces labelled with a workspace, per cluster, under the optional
//! `/clusters/{c}` prefix.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::extract::{Extension, Path, State as AxState};
use axum::response::Response;
use http::StatusCode;
use serde_json::{json, Value};

use crate::behaviour::authn::Caller;
use crate::behaviour::controllers::{create_project_roles, reconcile};
use crate::behaviour::validation::label_error;
use crate::http::body::{self, JsonBody};
use crate::http::errors;
use crate::http::filters::ClusterCtx;
use crate::http::handlers::workspaces::VIEW_ALL;
use crate::http::query::ListQuery;
use crate::http::response::list_page;
use crate::store::db::Db;
use crate::store::labels::{ANNOTATION_CREATOR, ANNOTATION_WORKSPACE_LABEL, LABEL_MANAGED};
use crate::store::objects::stored_namespace;
use crate::store::state::State;
use crate::store::util::now_utc;

/// Workspace templates that see every project of the workspace.
const WS_VIEW_PROJECTS: &[&str] = &["workspace-view-projects", "workspace-manage-projects"];

fn workspace_of(ns: &Value) -> Option<&str> {
    ns["metadata"]["labels"][ANNOTATION_WORKSPACE_LABEL].as_str()
}

/// Whether `user` sees every namespace of `ws` (list namespaces in the workspace).
pub(crate) fn sees_all_in_workspace(db: &Db, user: &str, ws: &str) -> bool {
    db.global_grants_any(user, VIEW_ALL) || db.workspace_grants_any(user, ws, WS_VIEW_PROJECTS)
}

/// Namespaces of `cluster` where `user` holds a RoleBinding.
fn bound_namespaces(db: &Db, user: &str, cluster: &str) -> BTreeSet<String> {
    db.role_bindings
        .iter()
        .filter(|b| b.user == user && b.cluster.as_deref() == Some(cluster))
        .filter_map(|b| b.namespace.clone())
        .collect()
}

/// The namespaces of `ws` in `cluster` that `user` can see.
fn visible_in_workspace(db: &Db, user: &str, cluster: &str, ws: &str) -> Vec<Value> {
    let all = sees_all_in_workspace(db, user, ws);
    let bound = if all { BTreeSet::new() } else { bound_namespaces(db, user, cluster) };
    db.namespaces
        .iter()
        .filter(|((c, _), n)| c == cluster && workspace_of(n) == Some(ws))
        .filter(|((_, name), _)| all || bound.contains(name))
        .map(|(_, n)| n.clone())
        .collect()
}

/// `GET [/clusters/{c}]/…/workspaces/{ws}/namespaces`.
pub(crate) async fn list_in_workspace(
    AxState(state): AxState<Arc<State>>,
    Extension(caller): Extension<Caller>,
    Extension(ClusterCtx(cluster)): Extension<ClusterCtx>,
    Path(ws): Path<String>,
    query: ListQuery,
) -> Response {
    let all = visible_in_workspace(&state.db_for_read(), &caller.name, &cluster, &ws);
    list_page(&query, all)
}

/// `GET [/clusters/{c}]/…/workspaces/{ws}/workspacemembers/{member}/namespaces`: computed with
/// the member's permissions.
pub(crate) async fn list_of_member(
    AxState(state): AxState<Arc<State>>,
    Extension(ClusterCtx(cluster)): Extension<ClusterCtx>,
    Path((ws, member)): Path<(String, String)>,
    query: ListQuery,
) -> Response {
    let all = visible_in_workspace(&state.db_for_read(), &member, &cluster, &ws);
    list_page(&query, all)
}

/// `GET [/clusters/{c}]/kapis/tenant.kubesphere.io/v1beta1/namespaces`: the caller's namespaces
/// in that cluster.
pub(crate) async fn list_mine(
    AxState(state): AxState<Arc<State>>,
    Extension(caller): Extension<Caller>,
    Extension(ClusterCtx(cluster)): Extension<ClusterCtx>,
    query: ListQuery,
) -> Response {
    let db = state.db_for_read();
    let everything = db.global_grants_any(&caller.name, VIEW_ALL);
    let bound = bound_namespaces(&db, &caller.name, &cluster);
    let all: Vec<Value> = db
        .namespaces
        .iter()
        .filter(|((c, name), _)| *c == cluster && (everything || bound.contains(name)))
        .map(|(_, n)| n.clone())
        .collect();
    drop(db);
    list_page(&query, all)
}

/// `GET [/clusters/{c}]/…/workspaces/{ws}/namespaces/{ns}`: 404 unless the namespace is in ws.
pub(crate) async fn get(
    AxState(state): AxState<Arc<State>>,
    Extension(ClusterCtx(cluster)): Extension<ClusterCtx>,
    Path((ws, ns)): Path<(String, String)>,
) -> Response {
    let db = state.db_for_read();
    match db.namespaces.get(&(cluster, ns.clone())).filter(|n| workspace_of(n) == Some(ws.as_str())) {
        Some(n) => errors::json_response(StatusCode::OK, n, false),
        None => errors::not_found("namespaces", &ns),
    }
}

/// `POST [/clusters/{c}]/…/workspaces/{ws}/namespaces`: the workspace label is forced, the
/// workspace is not checked; built-in roles and the creator's binding only for managed ones.
pub(crate) async fn create(
    AxState(state): AxState<Arc<State>>,
    Extension(ClusterCtx(cluster)): Extension<ClusterCtx>,
    Path(ws): Path<String>,
    JsonBody(mut object): JsonBody,
) -> Response {
    let name = body::str_at(&object, &["metadata", "name"]).to_owned();
    if let Some(problem) = label_error(&name) {
        return errors::handler_text(StatusCode::BAD_REQUEST, &format!("Namespace \"{name}\" is invalid: {problem}"));
    }
    let mut db = state.db();
    let key = (cluster.clone(), name.clone());
    if db.namespaces.contains_key(&key) {
        return errors::handler_text(StatusCode::BAD_REQUEST, &format!("namespaces \"{name}\" already exists"));
    }
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        if let Some(labels) = meta.entry("labels").or_insert_with(|| json!({})).as_object_mut() {
            labels.insert(ANNOTATION_WORKSPACE_LABEL.into(), json!(ws));
        }
    }
    let managed = object["metadata"]["labels"][LABEL_MANAGED] == "true";
    let creator = body::str_at(&object, &["metadata", "annotations", ANNOTATION_CREATOR]).to_owned();
    let created = now_utc();
    let rv = db.bump();
    let object = stored_namespace(object, created, rv);
    db.namespaces.insert(key, object.clone());
    drop(db);
    if managed {
        reconcile(&state, move |db| create_project_roles(db, &cluster, &name, Some(&creator), created));
    }
    errors::json_response(StatusCode::OK, &object, false)
}

/// `DELETE [/clusters/{c}]/…/workspaces/{ws}/namespaces/{ns}` (§4.3).
pub(crate) async fn delete(
    AxState(state): AxState<Arc<State>>,
    Extension(ClusterCtx(cluster)): Extension<ClusterCtx>,
    Path((ws, ns)): Path<(String, String)>,
) -> Response {
    let mut db = state.db();
    let ours = db.namespaces.get(&(cluster.clone(), ns.clone())).is_some_and(|n| workspace_of(n) == Some(ws.as_str()));
    if !ours {
        return errors::not_found("namespaces", &ns);
    }
    db.remove_namespace(&cluster, &ns);
    errors::success()
}
