//! The member handlers' binding logic (`pkg/models/iam/am/am.go`,
//! `CreateOrUpdateUserWorkspaceRoleBinding` / `CreateOrUpdateNamespaceRoleBinding` and
//! `RemoveUserFrom…`): what the caches say the member holds is read first, those bindings are
//! deleted one by one (unless one already carries the role: then nothing happens), then a
//! binding named `{user}-{role}` is created. Binding names are real object names:
//! WorkspaceRoleBindings are cluster-scoped (unique across workspaces), RoleBindings unique in
//! their namespace, so the create can collide (409) after the old bindings are gone.
//!
//! `cache` is what the handler's reads see (`State::cached`; `None` = the live database).

use time::OffsetDateTime;

use super::controllers::LABEL_VALUE_MAX;
use crate::store::bindings::Binding;
use crate::store::db::Db;

/// Why a grant failed, in the terms of the Kubernetes error the handler passes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum GrantError {
    /// 404 `<qualified> "<name>" not found`: no such role in that workspace or project.
    RoleNotFound { qualified: &'static str, name: String },
    /// 422: the new binding is invalid (its `role-ref` label value is too long).
    Invalid(String),
    /// 409 `<plural> "<name>" already exists`: a binding of that name exists in the scope.
    Exists(String),
}

/// `(binding name, role)` of `user`'s WorkspaceRoleBindings in `ws`, by name.
pub(crate) fn workspace_bindings_of(db: &Db, ws: &str, user: &str) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = db
        .workspace_role_bindings
        .iter()
        .filter(|b| b.user == user && b.workspace.as_deref() == Some(ws))
        .map(|b| (b.name.clone(), b.role.clone()))
        .collect();
    found.sort();
    found
}

/// `(binding name, role)` of `user`'s RoleBindings in the namespace, by name.
pub(crate) fn project_bindings_of(db: &Db, cluster: &str, ns: &str, user: &str) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = db
        .role_bindings
        .iter()
        .filter(|b| b.user == user && in_namespace(b, cluster, ns))
        .map(|b| (b.name.clone(), b.role.clone()))
        .collect();
    found.sort();
    found
}

fn in_namespace(b: &Binding, cluster: &str, ns: &str) -> bool {
    b.cluster.as_deref() == Some(cluster) && b.namespace.as_deref() == Some(ns)
}

fn too_long(kind: &str, name: &str, role: &str) -> Option<GrantError> {
    (role.len() > LABEL_VALUE_MAX).then(|| {
        GrantError::Invalid(format!(
            "{kind}.iam.kubesphere.io \"{name}\" is invalid: metadata.labels: Invalid value: \"{role}\": must be no more than {LABEL_VALUE_MAX} characters"
        ))
    })
}

/// Grants `user` the WorkspaceRole `role` in `ws` (`POST`/`PUT …/workspacemembers`).
pub(crate) fn grant_workspace_role(
    db: &mut Db,
    cache: Option<&Db>,
    ws: &str,
    user: &str,
    role: &str,
    created: OffsetDateTime,
) -> Result<(), GrantError> {
    let bound = {
        // What the handler's cached client sees (the live data without a read lag).
        let view: &Db = cache.unwrap_or(db);
        let not_found = |qualified| Err(GrantError::RoleNotFound { qualified, name: role.to_owned() });
        match view.workspace_roles.get(role) {
            Some(r) if r.workspace() == Some(ws) => {}
            Some(_) => return not_found("workspacerole.iam.kubesphere.io"),
            None => return not_found("workspaceroles.iam.kubesphere.io"),
        }
        workspace_bindings_of(view, ws, user)
    };
    for (name, bound_role) in bound {
        if bound_role == role {
            return Ok(());
        }
        // Already gone (a stale cache) is skipped, as KubeSphere ignores NotFound here.
        db.workspace_role_bindings.retain(|b| b.name != name);
    }
    let name = format!("{user}-{role}");
    if let Some(invalid) = too_long("WorkspaceRoleBinding", &name, role) {
        return Err(invalid);
    }
    if db.workspace_role_bindings.iter().any(|b| b.name == name) {
        return Err(GrantError::Exists(format!("workspacerolebindings.iam.kubesphere.io \"{name}\" already exists")));
    }
    db.workspace_role_bindings.push(Binding {
        name,
        user: user.to_owned(),
        role: role.to_owned(),
        workspace: Some(ws.to_owned()),
        cluster: None,
        namespace: None,
        created,
    });
    Ok(())
}

/// Grants `user` the project Role `role` in the namespace (`POST`/`PUT …/namespacemembers`).
pub(crate) fn grant_project_role(
    db: &mut Db,
    cache: Option<&Db>,
    cluster: &str,
    ns: &str,
    user: &str,
    role: &str,
    created: OffsetDateTime,
) -> Result<(), GrantError> {
    let bound = {
        // What the handler's cached client sees (the live data without a read lag).
        let view: &Db = cache.unwrap_or(db);
        if view.project_role(cluster, ns, role).is_none() {
            return Err(GrantError::RoleNotFound { qualified: "roles.iam.kubesphere.io", name: role.to_owned() });
        }
        project_bindings_of(view, cluster, ns, user)
    };
    for (name, bound_role) in bound {
        if bound_role == role {
            return Ok(());
        }
        db.role_bindings.retain(|b| !(b.name == name && in_namespace(b, cluster, ns)));
    }
    let name = format!("{user}-{role}");
    if let Some(invalid) = too_long("RoleBinding", &name, role) {
        return Err(invalid);
    }
    if db.role_bindings.iter().any(|b| b.name == name && in_namespace(b, cluster, ns)) {
        return Err(GrantError::Exists(format!("rolebindings.iam.kubesphere.io \"{name}\" already exists")));
    }
    db.role_bindings.push(Binding {
        name,
        user: user.to_owned(),
        role: role.to_owned(),
        workspace: None,
        cluster: Some(cluster.to_owned()),
        namespace: Some(ns.to_owned()),
        created,
    });
    Ok(())
}

/// `DELETE …/workspacemembers/{user}`: deletes the bindings the cache shows.
pub(crate) fn remove_workspace_member(db: &mut Db, cache: Option<&Db>, ws: &str, user: &str) {
    let names: Vec<String> =
        workspace_bindings_of(cache.unwrap_or(&*db), ws, user).into_iter().map(|(n, _)| n).collect();
    db.workspace_role_bindings.retain(|b| !names.contains(&b.name));
}

/// `DELETE …/namespacemembers/{user}`: deletes the bindings the cache shows.
pub(crate) fn remove_project_member(db: &mut Db, cache: Option<&Db>, cluster: &str, ns: &str, user: &str) {
    let names: Vec<String> =
        project_bindings_of(cache.unwrap_or(&*db), cluster, ns, user).into_iter().map(|(n, _)| n).collect();
    db.role_bindings.retain(|b| !(names.contains(&b.name) && in_namespace(b, cluster, ns)));
}
