//! Workspaces (§3.3): `/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates[/{ws}]` and
//! `/workspaces/{ws}/clusters`. A create hands the workspace controller's side effects (built-in
//! roles and the manager binding) to `behaviour::controllers`.

use std::sync::Arc;

use axum::extract::{Extension, Path, State as AxState};
use axum::response::Response;
use http::StatusCode;
use serde_json::Value;

use crate::behaviour::authn::Caller;
use crate::behaviour::controllers::{create_workspace_roles, reconcile};
use crate::behaviour::validation::subdomain_error;
use crate::http::body::{self, JsonBody};
use crate::http::errors;
use crate::http::handlers::clusters::{cluster_json, usable};
use crate::http::query::ListQuery;
use crate::http::response::list_page;
use crate::store::db::Db;
use crate::store::objects::stored_workspace;
use crate::store::state::State;
use crate::store::util::{now_utc, parse_time};

const QUALIFIED: &str = "workspacetemplates.tenant.kubesphere.io";
/// Global templates that see every workspace.
pub(crate) const VIEW_ALL: &[&str] = &["global-view-workspaces", "global-manage-workspaces"];
/// Global templates that may manage any workspace (`workspacetemplates delete`).
pub(crate) const MANAGE_ALL: &[&str] = &["global-manage-workspaces"];

/// `spec.template.spec.manager`.
pub(crate) fn manager(object: &Value) -> &str {
    body::str_at(object, &["spec", "template", "spec", "manager"])
}

/// The clusters a workspace is placed on (`clusterSelector` = every cluster).
pub(crate) fn placement(db: &Db, object: &Value) -> Vec<String> {
    match object["spec"]["placement"]["clusters"].as_array() {
        Some(clusters) => clusters.iter().filter_map(|c| c["name"].as_str()).map(str::to_owned).collect(),
        None if object["spec"]["placement"].get("clusterSelector").is_some() => db.clusters.clone(),
        None => Vec::new(),
    }
}

fn bad_request(message: &str) -> Response {
    errors::handler_text(StatusCode::BAD_REQUEST, message)
}

/// The workspaces `user` sees listed: every workspace for platform admins, those the user is
/// bound in ("my workspaces") otherwise.
fn visible_workspaces(db: &Db, user: &str) -> Vec<Value> {
    let all_visible = db.global_grants_any(user, VIEW_ALL);
    db.workspaces
        .iter()
        .filter(|(name, _)| {
            all_visible
                || db
                    .workspace_role_bindings
                    .iter()
                    .any(|b| b.user == user && b.workspace.as_deref() == Some(name.as_str()))
        })
        .map(|(_, w)| w.clone())
        .collect()
}

/// `GET /workspacetemplates`: the caller's [`visible_workspaces`].
pub(crate) async fn list(
    AxState(state): AxState<Arc<State>>,
    Extension(caller): Extension<Caller>,
    query: ListQuery,
) -> Response {
    let all = visible_workspaces(&state.db_for_read(), &caller.name);
    list_page(&query, all)
}

/// `GET /workspacetemplates/{ws}`: any authenticated user may read any workspace.
pub(crate) async fn get(AxState(state): AxState<Arc<State>>, Path(ws): Path<String>) -> Response {
    match state.db_for_read().workspaces.get(&ws) {
        Some(w) => errors::json_response(StatusCode::OK, w, false),
        None => errors::not_found(QUALIFIED, &ws),
    }
}

/// `POST /workspacetemplates`: placement checks, manager check, then every other error as 400.
pub(crate) async fn create(
    AxState(state): AxState<Arc<State>>,
    Extension(caller): Extension<Caller>,
    JsonBody(object): JsonBody,
) -> Response {
    if !object.is_object() {
        return bad_request("json: cannot unmarshal into Go value of type v1beta1.WorkspaceTemplate");
    }
    let name = body::str_at(&object, &["metadata", "name"]).to_owned();
    let mut db = state.db();
    for cluster in placement(&db, &object) {
        if !db.is_cluster(&cluster) {
            return errors::not_found("clusters.cluster.kubesphere.io", &cluster);
        }
        if !usable(&db, &caller.name, &cluster) {
            return errors::handler_text(
                StatusCode::FORBIDDEN,
                &format!(
                    "clusters.cluster.kubesphere.io \"{cluster}\" is forbidden: user is not allowed to use the cluster {cluster}"
                ),
            );
        }
    }
    let manager = manager(&object).to_owned();
    if manager != caller.name && !db.global_grants_any(&caller.name, MANAGE_ALL) {
        return errors::handler_text(StatusCode::FORBIDDEN, &format!("{QUALIFIED} \"{name}\" is forbidden: reason: "));
    }
    if let Some(problem) = subdomain_error(&name) {
        return bad_request(&format!("WorkspaceTemplate.tenant.kubesphere.io \"{name}\" is invalid: {problem}"));
    }
    if db.workspaces.contains_key(&name) {
        return bad_request(&format!("{QUALIFIED} \"{name}\" already exists"));
    }
    let created = now_utc();
    let rv = db.bump();
    let object = stored_workspace(object, created, rv);
    db.workspaces.insert(name.clone(), object.clone());
    drop(db);
    reconcile(&state, move |db| create_workspace_roles(db, &name, &manager, created));
    errors::json_response(StatusCode::OK, &object, false)
}

/// `PUT /workspacetemplates/{ws}`: full replace (name must match); server fields are kept.
pub(crate) async fn update(
    AxState(state): AxState<Arc<State>>,
    Path(ws): Path<String>,
    JsonBody(object): JsonBody,
) -> Response {
    if let Some(refused) = body::name_mismatch(body::str_at(&object, &["metadata", "name"]), &ws) {
        return refused;
    }
    let mut db = state.db();
    let Some(old) = db.workspaces.get(&ws) else {
        return errors::not_found(QUALIFIED, &ws);
    };
    let created = body::str_at(old, &["metadata", "creationTimestamp"]);
    let created = parse_time(created).unwrap_or_else(now_utc);
    let rv = db.bump();
    let object = stored_workspace(object, created, rv);
    db.workspaces.insert(ws, object.clone());
    errors::json_response(StatusCode::OK, &object, false)
}

/// `DELETE /workspacetemplates/{ws}` (§4.3): needs a DeleteOptions body; protected
/// workspaces are refused like the admission webhook does.
pub(crate) async fn delete(
    AxState(state): AxState<Arc<State>>,
    Path(ws): Path<String>,
    JsonBody(options): JsonBody,
) -> Response {
    let mut db = state.db();
    let Some(object) = db.workspaces.get(&ws) else {
        return errors::not_found(QUALIFIED, &ws);
    };
    if object["metadata"]["labels"]["kubesphere.io/protected-resource"] == "true" {
        return errors::handler_text(
            StatusCode::FORBIDDEN,
            &format!("admission webhook \"protector.kubesphere.io\" denied the request: {ws} is protected"),
        );
    }
    db.workspaces.remove(&ws);
    db.workspace_roles.retain(|_, r| r.workspace() != Some(ws.as_str()));
    db.workspace_role_bindings.retain(|b| b.workspace.as_deref() != Some(ws.as_str()));
    if options["propagationPolicy"] != "Orphan" {
        let doomed: Vec<(String, String)> = db
            .namespaces
            .iter()
            .filter(|(_, n)| n["metadata"]["labels"]["kubesphere.io/workspace"] == ws.as_str())
            .map(|(k, _)| k.clone())
            .collect();
        for (cluster, ns) in doomed {
            db.remove_namespace(&cluster, &ns);
        }
    }
    errors::success()
}

/// `GET /workspaces/{ws}/clusters`: the placement clusters.
pub(crate) async fn clusters(
    AxState(state): AxState<Arc<State>>,
    Path(ws): Path<String>,
    query: ListQuery,
) -> Response {
    let db = state.db_for_read();
    let Some(object) = db.workspaces.get(&ws) else {
        return errors::not_found(QUALIFIED, &ws);
    };
    let all: Vec<Value> =
        placement(&db, object).iter().filter(|c| db.is_cluster(c)).map(|c| cluster_json(&db, c)).collect();
    drop(db);
    list_page(&query, all)
}
