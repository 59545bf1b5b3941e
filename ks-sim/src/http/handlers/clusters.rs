//! Clusters (§3.4): `GET /kapis/tenant.kubesphere.io/v1beta1/clusters` and the Cluster objects
//! shown by workspace placement lists.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::extract::{Extension, State as AxState};
use axum::response::Response;
use serde_json::{json, Value};

use crate::behaviour::authn::Caller;
use crate::http::query::ListQuery;
use crate::http::response::list_page;
use crate::store::db::Db;
use crate::store::labels::ANNOTATION_GRANTED_CLUSTERS;
use crate::store::state::State;

/// Global templates that allow listing every cluster.
pub(crate) const LIST_ALL: &[&str] = &["global-view-clusters", "global-manage-clusters"];

/// The `cluster.kubesphere.io/v1alpha1` Cluster object (no kubeconfig); the `Ready` condition
/// is false for `--unready-clusters`.
pub(crate) fn cluster_json(db: &Db, name: &str) -> Value {
    let host = db.host() == name;
    let mut labels = json!({"kubesphere.io/managed": "true"});
    if let Some(obj) = labels.as_object_mut() {
        if host {
            obj.insert("cluster-role.kubesphere.io/host".into(), json!(""));
        }
        if db.public_clusters.contains(name) {
            obj.insert("cluster.kubesphere.io/visibility".into(), json!("public"));
        }
    }
    let index = db.clusters.iter().position(|c| c == name).unwrap_or(0);
    let ready = if db.unready_clusters.contains(name) {
        json!({"type": "Ready", "status": "False", "reason": "Unready", "message": "Cluster is not available now"})
    } else {
        json!({"type": "Ready", "status": "True", "reason": "Ready", "message": "Cluster is available now"})
    };
    json!({
        "apiVersion": "cluster.kubesphere.io/v1alpha1",
        "kind": "Cluster",
        "metadata": {
            "name": name,
            "creationTimestamp": format!("2025-01-01T00:00:{:02}Z", index % 60),
            "labels": labels,
        },
        "spec": {
            "provider": "kubesphere",
            "connection": {"type": if host { "direct" } else { "proxy" }},
            "joinFederation": true,
            "enable": true,
        },
        "status": {
            "conditions": [ready],
            "kubernetesVersion": "v1.28.4",
            "kubeSphereVersion": "v4.1.3",
            "nodeCount": 3,
        },
    })
}

/// Whether `user` may place workspaces on `cluster`: public visibility or global cluster
/// management (cluster-admin bindings are not modelled).
pub(crate) fn usable(db: &Db, user: &str, cluster: &str) -> bool {
    db.public_clusters.contains(cluster) || db.global_grants_any(user, &["global-manage-clusters"])
}

/// The clusters `user` sees listed: all for admins; otherwise the `granted-clusters`
/// annotation plus, `with_role_bindings`, clusters where the user holds a RoleBinding.
fn listed_clusters(db: &Db, user: &str, with_role_bindings: bool) -> Vec<String> {
    if db.global_grants_any(user, LIST_ALL) {
        return db.clusters.clone();
    }
    let mut set: BTreeSet<String> = db
        .users
        .get(user)
        .and_then(|u| u.annotations.get(ANNOTATION_GRANTED_CLUSTERS))
        .map(|v| v.split(',').map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default();
    if with_role_bindings {
        set.extend(db.role_bindings.iter().filter(|b| b.user == user).filter_map(|b| b.cluster.clone()));
    }
    set.into_iter().filter(|c| db.is_cluster(c)).collect()
}

/// `GET /clusters[?roleBindingExists=true]`: the caller's [`listed_clusters`].
pub(crate) async fn list(
    AxState(state): AxState<Arc<State>>,
    Extension(caller): Extension<Caller>,
    query: ListQuery,
) -> Response {
    let with_role_bindings = query.filter("roleBindingExists") == Some("true");
    let db = state.db_for_read();
    let all: Vec<Value> =
        listed_clusters(&db, &caller.name, with_role_bindings).iter().map(|c| cluster_json(&db, c)).collect();
    drop(db);
    list_page(&query, all)
}
