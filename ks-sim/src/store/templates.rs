//! The RoleTemplate catalogue (§4.1, §4.2): the permission building blocks that roles
//! aggregate, and the templates of the built-in roles.
//!
//! The simulator authorizes with these names too (see `behaviour::authz`), so what a user is
//! told they may do and what the server lets them do come from one table.

use serde_json::{json, Value};

use super::level::RoleLevel;

/// One RoleTemplate: name, scope, `role-template-rules` (module, action), English name.
pub(crate) struct Template {
    pub name: &'static str,
    pub level: RoleLevel,
    pub module: &'static str,
    pub action: &'static str,
    pub display: &'static str,
}

const fn t(
    name: &'static str,
    level: RoleLevel,
    module: &'static str,
    action: &'static str,
    display: &'static str,
) -> Template {
    Template { name, level, module, action, display }
}

use RoleLevel::{Global as G, Namespace as N, Workspace as W};

/// Every template the simulator knows.
pub(crate) const CATALOGUE: &[Template] = &[
    t("global-view-users", G, "users", "view", "User Viewing"),
    t("global-manage-users", G, "users", "manage", "User Management"),
    t("global-view-workspaces", G, "workspaces", "view", "Workspace Viewing"),
    t("global-manage-workspaces", G, "workspaces", "manage", "Workspace Management"),
    t("global-create-workspaces", G, "workspaces", "create", "Workspace Creation"),
    t("global-view-clusters", G, "clusters", "view", "Cluster Viewing"),
    t("global-manage-clusters", G, "clusters", "manage", "Cluster Management"),
    t("global-view-roles", G, "roles", "view", "Platform Role Viewing"),
    t("global-manage-roles", G, "roles", "manage", "Platform Role Management"),
    t("global-manage-platform-settings", G, "platform-settings", "manage", "Platform Settings Management"),
    t("workspace-view-workspace-settings", W, "workspace-settings", "view", "Workspace Settings Viewing"),
    t("workspace-manage-workspace-settings", W, "workspace-settings", "manage", "Workspace Settings Management"),
    t("workspace-create-projects", W, "projects", "create", "Project Creation"),
    t("workspace-view-projects", W, "projects", "view", "Project Viewing"),
    t("workspace-manage-projects", W, "projects", "manage", "Project Management"),
    t("workspace-view-members", W, "members", "view", "Member Viewing"),
    t("workspace-manage-members", W, "members", "manage", "Member Management"),
    t("workspace-view-roles", W, "roles", "view", "Role Viewing"),
    t("workspace-manage-roles", W, "roles", "manage", "Role Management"),
    t("workspace-view-app-repos", W, "app-repos", "view", "App Repository Viewing"),
    t("workspace-manage-app-repos", W, "app-repos", "manage", "App Repository Management"),
    t("project-view-project-settings", N, "project-settings", "view", "Project Settings Viewing"),
    t("project-manage-project-settings", N, "project-settings", "manage", "Project Settings Management"),
    t("project-view-members", N, "members", "view", "Member Viewing"),
    t("project-manage-members", N, "members", "manage", "Member Management"),
    t("project-view-roles", N, "roles", "view", "Role Viewing"),
    t("project-manage-roles", N, "roles", "manage", "Role Management"),
    t("project-view-workloads", N, "workloads", "view", "Workload Viewing"),
    t("project-manage-workloads", N, "workloads", "manage", "Workload Management"),
    t("project-view-configmaps", N, "configmaps", "view", "ConfigMap Viewing"),
    t("project-manage-configmaps", N, "configmaps", "manage", "ConfigMap Management"),
    t("project-view-secrets", N, "secrets", "view", "Secret Viewing"),
    t("project-manage-secrets", N, "secrets", "manage", "Secret Management"),
    t("project-view-applications", N, "applications", "view", "Application Viewing"),
    t("project-manage-applications", N, "applications", "manage", "Application Management"),
];

/// Templates of the built-in workspace roles, by suffix (`{ws}-admin` aggregates everything).
pub(crate) fn builtin_workspace_templates(suffix: &str) -> Vec<String> {
    let names: &[&str] = match suffix {
        "admin" => &["*"],
        "self-provisioner" => &[
            "workspace-create-projects",
            "workspace-view-workspace-settings",
            "workspace-view-members",
            "workspace-view-roles",
            "workspace-view-app-repos",
        ],
        "regular" => &["workspace-view-workspace-settings", "workspace-view-members", "workspace-view-roles"],
        "viewer" => &[
            "workspace-view-workspace-settings",
            "workspace-view-projects",
            "workspace-view-members",
            "workspace-view-roles",
            "workspace-view-app-repos",
        ],
        _ => &[],
    };
    names.iter().map(|n| (*n).to_owned()).collect()
}

/// Templates of the built-in project roles.
pub(crate) fn builtin_project_templates(role: &str) -> Vec<String> {
    let names: &[&str] = match role {
        "admin" => &["*"],
        "operator" => &[
            "project-view-project-settings",
            "project-view-members",
            "project-view-roles",
            "project-manage-workloads",
            "project-manage-configmaps",
            "project-manage-secrets",
            "project-manage-applications",
        ],
        "viewer" => &[
            "project-view-project-settings",
            "project-view-members",
            "project-view-roles",
            "project-view-workloads",
            "project-view-configmaps",
            "project-view-secrets",
            "project-view-applications",
        ],
        _ => &[],
    };
    names.iter().map(|n| (*n).to_owned()).collect()
}

impl Template {
    pub fn to_json(&self) -> Value {
        let rules = json!({ self.module: self.action }).to_string();
        json!({
            "apiVersion": "iam.kubesphere.io/v1beta1",
            "kind": "RoleTemplate",
            "metadata": {
                "name": self.name,
                "creationTimestamp": "2025-01-01T00:00:00Z",
                "labels": {
                    "iam.kubesphere.io/scope": self.level.scope(),
                    "kubesphere.io/managed": "true",
                    "iam.kubesphere.io/category": format!("{}-{}", self.level.scope(), self.module),
                },
                "annotations": {"iam.kubesphere.io/role-template-rules": rules},
            },
            "spec": {
                "displayName": {"en": self.display, "zh": self.display},
                "description": {"en": self.display, "zh": self.display},
                "rules": [],
            },
        })
    }
}

/// The templates of `level` that `templates` (a role's list, `*` = all) stands for.
pub(crate) fn expand(templates: &[String], level: RoleLevel) -> Vec<&'static Template> {
    CATALOGUE
        .iter()
        .filter(|t| t.level == level)
        .filter(|t| templates.iter().any(|n| n == "*" || n == t.name))
        .collect()
}
