//! RoleTemplates over HTTP (§4.1, §4.2):
//! `GET /kapis/iam.kubesphere.io/v1beta1/users/{user}/roletemplates?scope=…` (§3.10) and the
//! dynamic `roletemplates` list. The catalogue itself is `store::templates`.

use std::sync::Arc;

use axum::extract::{Extension, Path, State as AxState};
use axum::response::Response;
use http::StatusCode;
use serde_json::Value;

use crate::behaviour::authn::Caller;
use crate::http::errors;
use crate::http::filters::ClusterCtx;
use crate::http::query::ListQuery;
use crate::http::response::{k8s_list, list_result};
use crate::store::level::RoleLevel;
use crate::store::state::State;
use crate::store::templates::{expand, Template, CATALOGUE};

/// `GET /users/{user}/roletemplates?scope=global|workspace|namespace|cluster`: the templates
/// aggregated into the user's role at that scope. Self always; others need `users get`
/// (checked by the filter and again here).
pub(crate) async fn of_user(
    AxState(state): AxState<Arc<State>>,
    Extension(caller): Extension<Caller>,
    Extension(ClusterCtx(cluster)): Extension<ClusterCtx>,
    Path(user): Path<String>,
    query: ListQuery,
) -> Response {
    let db = state.db_for_read();
    if caller.name != user
        && !db.user_has_template(&caller.name, "global-view-users")
        && !db.user_has_template(&caller.name, "global-manage-users")
    {
        return errors::handler_text(
            StatusCode::FORBIDDEN,
            &format!("users.iam.kubesphere.io \"{user}\" is forbidden: not allow to get users"),
        );
    }
    let mut names: Vec<String> = Vec::new();
    let level = match query.filter("scope") {
        Some("global") => {
            for b in db.global_role_bindings.iter().filter(|b| b.user == user) {
                if let Some(r) = db.global_roles.get(&b.role) {
                    names.extend(r.templates.iter().cloned());
                }
            }
            Some(RoleLevel::Global)
        }
        Some("workspace") => {
            let ws = query.filter("workspace").unwrap_or_default();
            for b in db.workspace_role_bindings.iter().filter(|b| b.user == user && b.workspace.as_deref() == Some(ws))
            {
                if let Some(r) = db.workspace_roles.get(&b.role) {
                    names.extend(r.templates.iter().cloned());
                }
            }
            Some(RoleLevel::Workspace)
        }
        Some("namespace") => {
            let ns = query.filter("namespace").unwrap_or_default();
            for b in db.role_bindings.iter().filter(|b| {
                b.user == user && b.namespace.as_deref() == Some(ns) && b.cluster.as_deref() == Some(cluster.as_str())
            }) {
                if let Some(r) = db.project_role(&cluster, ns, &b.role) {
                    names.extend(r.templates.iter().cloned());
                }
            }
            Some(RoleLevel::Namespace)
        }
        // Cluster roles are not modelled: nobody holds cluster-scope templates.
        _ => None,
    };
    let items: Vec<Value> = match level {
        Some(level) => expand(&names, level).iter().map(|t| t.to_json()).collect(),
        None => Vec::new(),
    };
    let total = items.len();
    list_result(items, total)
}

/// `GET /roletemplates` (dynamic handler, Kubernetes List).
pub(crate) async fn list(query: ListQuery) -> Response {
    let all: Vec<Value> = CATALOGUE.iter().map(Template::to_json).collect();
    k8s_list(&query, all)
}

/// `GET /roletemplates/{name}`.
pub(crate) async fn get(Path(name): Path<String>) -> Response {
    match CATALOGUE.iter().find(|t| t.name == name) {
        Some(t) => errors::json_response(StatusCode::OK, &t.to_json(), false),
        None => errors::not_found("roletemplates.iam.kubesphere.io", &name),
    }
}
