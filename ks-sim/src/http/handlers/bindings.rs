//! The dynamic-handler routes of GlobalRoleBindings, WorkspaceRoleBindings and RoleBindings
//! (§3.9 "admin-wide": list by `labelSelector=iam.kubesphere.io/user-ref=X`, §4.3 DELETE).

use std::sync::Arc;

use axum::extract::{Extension, Path, State as AxState};
use axum::response::Response;
use http::StatusCode;

use crate::http::errors;
use crate::http::filters::ClusterCtx;
use crate::http::query::ListQuery;
use crate::http::response::{empty_ok, k8s_list};
use crate::store::bindings::Binding;
use crate::store::labels::LABEL_USER_REF;
use crate::store::level::RoleLevel;
use crate::store::state::State;

fn qualified(level: RoleLevel) -> &'static str {
    match level {
        RoleLevel::Global => "globalrolebindings.iam.kubesphere.io",
        RoleLevel::Workspace => "workspacerolebindings.iam.kubesphere.io",
        RoleLevel::Namespace => "rolebindings.iam.kubesphere.io",
    }
}

/// Whether `b` can match the query's `iam.kubesphere.io/user-ref=X` term, if it has one (the
/// admin-wide lookups of §3.9). Lists skip rendering the other users' bindings; the full
/// selector still runs afterwards, so this only saves time.
fn may_match_user_ref(query: &ListQuery) -> impl Fn(&Binding) -> bool {
    let wanted = query.label_selector.as_deref().and_then(|selector| {
        selector.split(',').find_map(|term| {
            let value = term.trim().strip_prefix(LABEL_USER_REF)?.trim_start();
            let value = value.strip_prefix("==").or_else(|| value.strip_prefix('='))?;
            Some(value.trim().to_owned())
        })
    });
    move |b: &Binding| wanted.as_ref().is_none_or(|user| &b.user == user)
}

fn one(found: Option<&Binding>, level: RoleLevel, name: &str) -> Response {
    match found {
        Some(b) => errors::json_response(StatusCode::OK, &b.to_json(), false),
        None => errors::not_found(qualified(level), name),
    }
}

/// Removes the first binding in `v` matching `pred`.
fn remove(v: &mut Vec<Binding>, pred: impl Fn(&Binding) -> bool) -> bool {
    let before = v.len();
    v.retain(|b| !pred(b));
    v.len() != before
}

fn deleted(removed: bool, level: RoleLevel, name: &str) -> Response {
    if removed {
        empty_ok()
    } else {
        errors::not_found(qualified(level), name)
    }
}

pub(crate) async fn list_global(AxState(state): AxState<Arc<State>>, query: ListQuery) -> Response {
    let user_ref = may_match_user_ref(&query);
    let items = state.db_for_read().global_role_bindings.iter().filter(|b| user_ref(b)).map(Binding::to_json).collect();
    k8s_list(&query, items)
}

pub(crate) async fn get_global(AxState(state): AxState<Arc<State>>, Path(name): Path<String>) -> Response {
    let db = state.db_for_read();
    one(db.global_role_bindings.iter().find(|b| b.name == name), RoleLevel::Global, &name)
}

pub(crate) async fn delete_global(AxState(state): AxState<Arc<State>>, Path(name): Path<String>) -> Response {
    let removed = remove(&mut state.db().global_role_bindings, |b| b.name == name);
    deleted(removed, RoleLevel::Global, &name)
}

/// `GET /workspacerolebindings` (every workspace).
pub(crate) async fn list_workspace_all(AxState(state): AxState<Arc<State>>, query: ListQuery) -> Response {
    let user_ref = may_match_user_ref(&query);
    let items =
        state.db_for_read().workspace_role_bindings.iter().filter(|b| user_ref(b)).map(Binding::to_json).collect();
    k8s_list(&query, items)
}

pub(crate) async fn get_workspace_any(AxState(state): AxState<Arc<State>>, Path(name): Path<String>) -> Response {
    let db = state.db_for_read();
    one(db.workspace_role_bindings.iter().find(|b| b.name == name), RoleLevel::Workspace, &name)
}

pub(crate) async fn delete_workspace_any(AxState(state): AxState<Arc<State>>, Path(name): Path<String>) -> Response {
    let removed = remove(&mut state.db().workspace_role_bindings, |b| b.name == name);
    deleted(removed, RoleLevel::Workspace, &name)
}

/// `GET /workspaces/{ws}/workspacerolebindings`.
pub(crate) async fn list_workspace(
    AxState(state): AxState<Arc<State>>,
    Path(ws): Path<String>,
    query: ListQuery,
) -> Response {
    let items = state
        .db_for_read()
        .workspace_role_bindings
        .iter()
        .filter(|b| b.workspace.as_deref() == Some(ws.as_str()))
        .map(Binding::to_json)
        .collect();
    k8s_list(&query, items)
}

pub(crate) async fn delete_workspace(
    AxState(state): AxState<Arc<State>>,
    Path((ws, name)): Path<(String, String)>,
) -> Response {
    let removed = remove(&mut state.db().workspace_role_bindings, |b| {
        b.name == name && b.workspace.as_deref() == Some(ws.as_str())
    });
    deleted(removed, RoleLevel::Workspace, &name)
}

/// `GET [/clusters/{c}]/…/rolebindings` (every namespace of the cluster).
pub(crate) async fn list_namespaced_all(
    AxState(state): AxState<Arc<State>>,
    Extension(ClusterCtx(cluster)): Extension<ClusterCtx>,
    query: ListQuery,
) -> Response {
    let user_ref = may_match_user_ref(&query);
    let items = state
        .db_for_read()
        .role_bindings
        .iter()
        .filter(|b| b.cluster.as_deref() == Some(cluster.as_str()) && user_ref(b))
        .map(Binding::to_json)
        .collect();
    k8s_list(&query, items)
}

/// `GET [/clusters/{c}]/…/namespaces/{ns}/rolebindings`.
pub(crate) async fn list_namespaced(
    AxState(state): AxState<Arc<State>>,
    Extension(ClusterCtx(cluster)): Extension<ClusterCtx>,
    Path(ns): Path<String>,
    query: ListQuery,
) -> Response {
    let items = state
        .db_for_read()
        .role_bindings
        .iter()
        .filter(|b| b.cluster.as_deref() == Some(cluster.as_str()) && b.namespace.as_deref() == Some(ns.as_str()))
        .map(Binding::to_json)
        .collect();
    k8s_list(&query, items)
}

pub(crate) async fn get_namespaced(
    AxState(state): AxState<Arc<State>>,
    Extension(ClusterCtx(cluster)): Extension<ClusterCtx>,
    Path((ns, name)): Path<(String, String)>,
) -> Response {
    let db = state.db_for_read();
    one(
        db.role_bindings.iter().find(|b| {
            b.name == name
                && b.cluster.as_deref() == Some(cluster.as_str())
                && b.namespace.as_deref() == Some(ns.as_str())
        }),
        RoleLevel::Namespace,
        &name,
    )
}

pub(crate) async fn delete_namespaced(
    AxState(state): AxState<Arc<State>>,
    Extension(ClusterCtx(cluster)): Extension<ClusterCtx>,
    Path((ns, name)): Path<(String, String)>,
) -> Response {
    let removed = remove(&mut state.db().role_bindings, |b| {
        b.name == name && b.cluster.as_deref() == Some(cluster.as_str()) && b.namespace.as_deref() == Some(ns.as_str())
    });
    deleted(removed, RoleLevel::Namespace, &name)
}

#[cfg(test)]
mod tests {
    use time::OffsetDateTime;

    use super::*;

    fn binding(user: &str) -> Binding {
        Binding {
            name: format!("{user}-b"),
            user: user.into(),
            role: "viewer".into(),
            workspace: None,
            cluster: None,
            namespace: None,
            created: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn the_user_ref_shortcut_only_narrows_equality_selectors() {
        let (bob, carol) = (binding("bob"), binding("carol"));
        for raw in ["labelSelector=iam.kubesphere.io/user-ref=bob", "labelSelector=iam.kubesphere.io/user-ref==bob,a=b"]
        {
            let keep = may_match_user_ref(&ListQuery::parse(Some(raw)));
            assert!(keep(&bob) && !keep(&carol), "{raw}");
        }
        for raw in ["labelSelector=iam.kubesphere.io/user-ref!=bob", "labelSelector=a=b", "limit=1", ""] {
            let keep = may_match_user_ref(&ListQuery::parse(Some(raw)));
            assert!(keep(&bob) && keep(&carol), "{raw}");
        }
    }
}
