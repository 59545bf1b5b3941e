//! KubeSphere's controllers: what appears in the store as a side effect of creating a
//! workspace or project. How the member handlers (re)bind a role is `membership`.

use std::sync::Arc;

use serde_json::json;
use time::OffsetDateTime;

use super::membership::Scope;
use crate::store::config::KsVersion;
use crate::store::db::Db;
use crate::store::labels::{ANNOTATION_AUTO_AGGREGATE, ANNOTATION_DESCRIPTION, ANNOTATION_WORKSPACE_LABEL};
use crate::store::level::RoleLevel;
use crate::store::roles::{role_from_seed, Role};
use crate::store::state::State;
use crate::store::templates::{builtin_project_templates, builtin_workspace_templates};

/// Kubernetes' limit on label values (`validation.LabelValueMaxLength`).
pub(crate) const LABEL_VALUE_MAX: usize = 63;

/// KubeSphere's `hashutil.FNVString`: FNV-1a 64, as 16 lowercase hex digits.
pub(crate) fn fnv64a_hex(s: &str) -> String {
    let hash = s.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("{hash:016x}")
}

/// Runs a controller's reaction to a create call: at once, or after the configured
/// controller delay (as a real cluster's controllers do, shortly after the call returned).
/// Call it without holding the [`Db`] lock.
pub(crate) fn reconcile(state: &Arc<State>, work: impl FnOnce(&mut Db) + Send + 'static) {
    let delay = state.settings.controller_delay;
    if delay.is_zero() {
        work(&mut state.db());
        return;
    }
    let state = Arc::clone(state);
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        work(&mut state.db());
    });
}

/// The name the workspace controller gives built-in role `role` of `ws`
/// (`ensureWorkspaceRoleName` in KubeSphere 4.1.3; 4.1.2 never hashes).
pub(crate) fn workspace_role_name(db: &Db, ws: &str, role: &str) -> String {
    let plain = format!("{ws}-{role}");
    if db.ks_version == KsVersion::V4_1_2 || plain.len() <= LABEL_VALUE_MAX {
        plain
    } else {
        format!("{role}.{}", fnv64a_hex(ws))
    }
}

/// A built-in role as the controllers create it: creator `system`, auto-aggregated, and its
/// description in both languages.
fn builtin_role(
    level: RoleLevel,
    name: &str,
    description: &str,
    templates: Vec<String>,
    created: OffsetDateTime,
) -> Role {
    let mut role = role_from_seed(level, name, Some(&"system".to_owned()), None, None, templates, created);
    role.annotations.insert(ANNOTATION_AUTO_AGGREGATE.to_owned(), "true".to_owned());
    role.annotations
        .insert(ANNOTATION_DESCRIPTION.to_owned(), json!({"zh": description, "en": description}).to_string());
    role
}

/// The workspace controller: the four built-in roles and the manager's binding, named like
/// the admin role (`initManagerRoleBinding`).
pub(crate) fn create_workspace_roles(db: &mut Db, ws: &str, manager: &str, created: OffsetDateTime) {
    for (suffix, description) in [
        ("admin", "Manage all resources in the workspace."),
        ("regular", "Use resources in the workspace."),
        ("self-provisioner", "Create projects and become the admin of the created projects."),
        ("viewer", "View all resources in the workspace."),
    ] {
        let name = workspace_role_name(db, ws, suffix);
        let mut role =
            builtin_role(RoleLevel::Workspace, &name, description, builtin_workspace_templates(suffix), created);
        role.labels.insert(ANNOTATION_WORKSPACE_LABEL.to_owned(), ws.to_owned());
        db.insert_role(role);
    }
    if !manager.is_empty() {
        // `CreateOrUpdate` of the binding named like the admin role: a binding of that name
        // (whoever's it was) becomes the manager's.
        let admin = workspace_role_name(db, ws, "admin");
        Scope::Workspace(ws).bind(db, admin.clone(), manager, &admin, created);
    }
}

/// The namespace controller for managed projects: `admin`/`operator`/`viewer` and the
/// creator's `{creator}-admin` binding (`initCreatorRoleBinding`).
pub(crate) fn create_project_roles(
    db: &mut Db,
    cluster: &str,
    ns: &str,
    creator: Option<&str>,
    created: OffsetDateTime,
) {
    for (name, description) in [
        ("admin", "Manage all resources in the project."),
        ("operator", "View all resources and manage workloads in the project."),
        ("viewer", "View all resources in the project."),
    ] {
        let mut role = builtin_role(RoleLevel::Namespace, name, description, builtin_project_templates(name), created);
        role.cluster = Some(cluster.to_owned());
        role.namespace = Some(ns.to_owned());
        db.insert_role(role);
    }
    if let Some(creator) = creator.filter(|c| !c.is_empty()) {
        // `CreateOrUpdate` of the RoleBinding `{creator}-admin`.
        Scope::Project { cluster, ns }.bind(db, format!("{creator}-admin"), creator, "admin", created);
    }
}
