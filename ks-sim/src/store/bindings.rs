//! Role bindings as stored: GlobalRoleBindings, WorkspaceRoleBindings and RoleBindings, one
//! model for the three levels.

use serde_json::{json, Value};
use time::OffsetDateTime;

use super::labels::{LABEL_ROLE_REF, LABEL_USER_REF};
use super::level::RoleLevel;
use super::util::rfc3339;

/// A binding of one user to one role, at any level.
#[derive(Debug, Clone)]
pub(crate) struct Binding {
    pub name: String,
    pub user: String,
    pub role: String,
    /// WorkspaceRoleBindings: the workspace.
    pub workspace: Option<String>,
    /// RoleBindings: the cluster and namespace.
    pub cluster: Option<String>,
    pub namespace: Option<String>,
    pub created: OffsetDateTime,
}

impl Binding {
    pub fn level(&self) -> RoleLevel {
        if self.namespace.is_some() {
            RoleLevel::Namespace
        } else if self.workspace.is_some() {
            RoleLevel::Workspace
        } else {
            RoleLevel::Global
        }
    }

    /// The Kubernetes object.
    pub fn to_json(&self) -> Value {
        let level = self.level();
        let mut labels = json!({LABEL_USER_REF: self.user, LABEL_ROLE_REF: self.role});
        let mut subjects = vec![json!({"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": self.user})];
        let kind = match level {
            RoleLevel::Global => "GlobalRoleBinding",
            RoleLevel::Workspace => "WorkspaceRoleBinding",
            RoleLevel::Namespace => "RoleBinding",
        };
        if let (Some(ws), Some(obj)) = (&self.workspace, labels.as_object_mut()) {
            obj.insert("kubesphere.io/workspace".into(), json!(ws));
        }
        if level == RoleLevel::Namespace {
            subjects.push(json!({
                "kind": "ServiceAccount",
                "namespace": "kubesphere-system",
                "name": format!("kubesphere.users.{}", self.user),
            }));
        }
        let mut metadata = json!({
            "name": self.name,
            "creationTimestamp": rfc3339(self.created),
            "labels": labels,
        });
        if let (Some(ns), Some(obj)) = (&self.namespace, metadata.as_object_mut()) {
            obj.insert("namespace".into(), json!(ns));
        }
        json!({
            "apiVersion": "iam.kubesphere.io/v1beta1",
            "kind": kind,
            "metadata": metadata,
            "roleRef": {"apiGroup": "iam.kubesphere.io", "kind": level.kind(), "name": self.role},
            "subjects": subjects,
        })
    }
}
