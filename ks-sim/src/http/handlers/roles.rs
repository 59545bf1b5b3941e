//! GlobalRoles, WorkspaceRoles and project Roles (§3.8, §4.1; the model is `store::roles`),
//! served like ks-apiserver's dynamic resource handler: Kubernetes-List envelope, 404 text, and
//! 200 with an empty body for create/update/delete.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Extension, Path, State as AxState};
use axum::response::Response;
use http::StatusCode;
use serde_json::Value;

use crate::http::body::{self, JsonBody};
use crate::http::errors;
use crate::http::filters::ClusterCtx;
use crate::http::query::ListQuery;
use crate::http::response::{empty_ok, k8s_list};
use crate::store::labels::ANNOTATION_WORKSPACE_LABEL;
use crate::store::level::RoleLevel;
use crate::store::roles::Role;
use crate::store::state::State;
use crate::store::util::now_utc;

/// DELETE without a name = deletecollection, which the dynamic handler refuses.
pub(crate) async fn delete_collection() -> Response {
    errors::handler_text(StatusCode::BAD_REQUEST, "deletecollection is not supported")
}

/// Which role collection a dynamic request addresses.
enum Target {
    Global,
    Workspace(String),
    Namespace { cluster: String, namespace: String },
}

impl Target {
    fn level(&self) -> RoleLevel {
        match self {
            Target::Global => RoleLevel::Global,
            Target::Workspace(_) => RoleLevel::Workspace,
            Target::Namespace { .. } => RoleLevel::Namespace,
        }
    }
}

fn list_target(state: &State, target: &Target, query: &ListQuery) -> Response {
    let db = state.db_for_read();
    let all: Vec<Value> = match target {
        Target::Global => db.global_roles.values().map(Role::to_json).collect(),
        Target::Workspace(ws) => {
            db.workspace_roles.values().filter(|r| r.workspace() == Some(ws.as_str())).map(Role::to_json).collect()
        }
        Target::Namespace { cluster, namespace } => {
            db.project_roles_in(cluster, namespace).map(Role::to_json).collect()
        }
    };
    drop(db);
    k8s_list(query, all)
}

fn get_target(state: &State, target: &Target, name: &str) -> Response {
    let db = state.db_for_read();
    let role = match target {
        Target::Global => db.global_roles.get(name),
        Target::Workspace(ws) => db.workspace_roles.get(name).filter(|r| r.workspace() == Some(ws.as_str())),
        Target::Namespace { cluster, namespace } => db.project_role(cluster, namespace, name),
    };
    match role {
        Some(r) => errors::json_response(StatusCode::OK, &r.to_json(), false),
        None => errors::not_found(target.level().qualified(), name),
    }
}

/// The parts of a role body the simulator keeps.
struct RoleBody {
    name: String,
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
    templates: Vec<String>,
}

/// Parses a role body for create/update: GVK must match, name required.
fn parse_role(target: &Target, value: &Value) -> Result<RoleBody, Response> {
    let level = target.level();
    if value["apiVersion"] != "iam.kubesphere.io/v1beta1" || value["kind"] != level.kind() {
        return Err(errors::handler_text(StatusCode::BAD_REQUEST, "wrong resource GroupVersionKind"));
    }
    let name = value["metadata"]["name"].as_str().unwrap_or_default();
    if name.is_empty() {
        return Err(errors::handler_text(StatusCode::BAD_REQUEST, "metadata.name: Required value: name is required"));
    }
    let mut labels = body::string_map(&value["metadata"]["labels"]);
    if let Target::Workspace(ws) = target {
        labels.insert(ANNOTATION_WORKSPACE_LABEL.to_owned(), ws.clone());
    }
    let annotations = body::string_map(&value["metadata"]["annotations"]);
    let templates = value["aggregationRoleTemplates"]["templateNames"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default();
    Ok(RoleBody { name: name.to_owned(), labels, annotations, templates })
}

fn write_target(state: &State, target: &Target, url_name: Option<&str>, value: &Value) -> Response {
    let RoleBody { name, labels, annotations, templates } = match parse_role(target, value) {
        Ok(parts) => parts,
        Err(response) => return response,
    };
    if let Some(refused) = url_name.and_then(|url_name| body::name_mismatch(&name, url_name)) {
        return refused;
    }
    let level = target.level();
    let mut db = state.db();
    let exists = match target {
        Target::Global => db.global_roles.contains_key(&name),
        Target::Workspace(ws) => db.workspace_roles.get(&name).is_some_and(|r| r.workspace() == Some(ws.as_str())),
        Target::Namespace { cluster, namespace } => db.project_role(cluster, namespace, &name).is_some(),
    };
    match (url_name.is_some(), exists) {
        (false, true) => {
            return errors::handler_text(
                StatusCode::CONFLICT,
                &format!("{} \"{name}\" already exists", level.qualified()),
            )
        }
        (true, false) => return errors::not_found(level.qualified(), &name),
        _ => {}
    }
    let rv = db.bump();
    let (cluster, namespace) = match target {
        Target::Namespace { cluster, namespace } => (Some(cluster.clone()), Some(namespace.clone())),
        _ => (None, None),
    };
    let created = match target {
        Target::Global => db.global_roles.get(&name).map(|r| r.created),
        Target::Workspace(_) => db.workspace_roles.get(&name).map(|r| r.created),
        Target::Namespace { cluster, namespace } => db.project_role(cluster, namespace, &name).map(|r| r.created),
    }
    .unwrap_or_else(now_utc);
    let role = Role {
        level,
        name: name.clone(),
        cluster,
        namespace,
        labels,
        annotations,
        templates,
        created,
        resource_version: rv,
    };
    db.insert_role(role);
    empty_ok()
}

fn delete_target(state: &State, target: &Target, name: &str) -> Response {
    let mut db = state.db();
    let removed = match target {
        Target::Global => db.global_roles.remove(name).is_some(),
        Target::Workspace(ws) => {
            let ours = db.workspace_roles.get(name).is_some_and(|r| r.workspace() == Some(ws.as_str()));
            ours && db.workspace_roles.remove(name).is_some()
        }
        Target::Namespace { cluster, namespace } => {
            db.project_roles.remove(&(cluster.clone(), namespace.clone(), name.to_owned())).is_some()
        }
    };
    if removed {
        empty_ok()
    } else {
        errors::not_found(target.level().qualified(), name)
    }
}

fn ns_target(cluster: String, namespace: String) -> Target {
    Target::Namespace { cluster, namespace }
}

// --- GlobalRoles ---

pub(crate) async fn list_global(AxState(state): AxState<Arc<State>>, query: ListQuery) -> Response {
    list_target(&state, &Target::Global, &query)
}

pub(crate) async fn get_global(AxState(state): AxState<Arc<State>>, Path(name): Path<String>) -> Response {
    get_target(&state, &Target::Global, &name)
}

pub(crate) async fn create_global(AxState(state): AxState<Arc<State>>, JsonBody(value): JsonBody) -> Response {
    write_target(&state, &Target::Global, None, &value)
}

pub(crate) async fn update_global(
    AxState(state): AxState<Arc<State>>,
    Path(name): Path<String>,
    JsonBody(value): JsonBody,
) -> Response {
    write_target(&state, &Target::Global, Some(&name), &value)
}

pub(crate) async fn delete_global(AxState(state): AxState<Arc<State>>, Path(name): Path<String>) -> Response {
    delete_target(&state, &Target::Global, &name)
}

// --- WorkspaceRoles ---

pub(crate) async fn list_workspace(
    AxState(state): AxState<Arc<State>>,
    Path(ws): Path<String>,
    query: ListQuery,
) -> Response {
    list_target(&state, &Target::Workspace(ws), &query)
}

pub(crate) async fn get_workspace(
    AxState(state): AxState<Arc<State>>,
    Path((ws, name)): Path<(String, String)>,
) -> Response {
    get_target(&state, &Target::Workspace(ws), &name)
}

pub(crate) async fn create_workspace(
    AxState(state): AxState<Arc<State>>,
    Path(ws): Path<String>,
    JsonBody(value): JsonBody,
) -> Response {
    write_target(&state, &Target::Workspace(ws), None, &value)
}

pub(crate) async fn update_workspace(
    AxState(state): AxState<Arc<State>>,
    Path((ws, name)): Path<(String, String)>,
    JsonBody(value): JsonBody,
) -> Response {
    write_target(&state, &Target::Workspace(ws), Some(&name), &value)
}

pub(crate) async fn delete_workspace(
    AxState(state): AxState<Arc<State>>,
    Path((ws, name)): Path<(String, String)>,
) -> Response {
    delete_target(&state, &Target::Workspace(ws), &name)
}

// --- project Roles ---

pub(crate) async fn list_namespace(
    AxState(state): AxState<Arc<State>>,
    Extension(ClusterCtx(cluster)): Extension<ClusterCtx>,
    Path(ns): Path<String>,
    query: ListQuery,
) -> Response {
    list_target(&state, &ns_target(cluster, ns), &query)
}

pub(crate) async fn get_namespace(
    AxState(state): AxState<Arc<State>>,
    Extension(ClusterCtx(cluster)): Extension<ClusterCtx>,
    Path((ns, name)): Path<(String, String)>,
) -> Response {
    get_target(&state, &ns_target(cluster, ns), &name)
}

pub(crate) async fn create_namespace(
    AxState(state): AxState<Arc<State>>,
    Extension(ClusterCtx(cluster)): Extension<ClusterCtx>,
    Path(ns): Path<String>,
    JsonBody(value): JsonBody,
) -> Response {
    write_target(&state, &ns_target(cluster, ns), None, &value)
}

pub(crate) async fn update_namespace(
    AxState(state): AxState<Arc<State>>,
    Extension(ClusterCtx(cluster)): Extension<ClusterCtx>,
    Path((ns, name)): Path<(String, String)>,
    JsonBody(value): JsonBody,
) -> Response {
    write_target(&state, &ns_target(cluster, ns), Some(&name), &value)
}

pub(crate) async fn delete_namespace(
    AxState(state): AxState<Arc<State>>,
    Extension(ClusterCtx(cluster)): Extension<ClusterCtx>,
    Path((ns, name)): Path<(String, String)>,
) -> Response {
    delete_target(&state, &ns_target(cluster, ns), &name)
}
