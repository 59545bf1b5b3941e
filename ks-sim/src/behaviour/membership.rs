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

/// Where a member is bound: a workspace (WorkspaceRoleBindings) or a project (RoleBindings in
/// one namespace of one cluster). The member logic is the same for both; only which bindings
/// count, what a binding's name must be unique among, and the error texts differ.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scope<'a> {
    Workspace(&'a str),
    Project { cluster: &'a str, ns: &'a str },
}

impl<'a> Scope<'a> {
    /// Whether the binding belongs to this scope.
    fn holds(self, b: &Binding) -> bool {
        match self {
            Scope::Workspace(ws) => b.workspace.as_deref() == Some(ws),
            Scope::Project { cluster, ns } => {
                b.cluster.as_deref() == Some(cluster) && b.namespace.as_deref() == Some(ns)
            }
        }
    }

    /// Whether `b` is the object called `name`: WorkspaceRoleBindings are cluster-scoped
    /// (names unique across workspaces), RoleBindings are unique in their namespace.
    fn is_object(self, b: &Binding, name: &str) -> bool {
        b.name == name && (matches!(self, Scope::Workspace(_)) || self.holds(b))
    }

    fn bindings(self, db: &Db) -> &[Binding] {
        match self {
            Scope::Workspace(_) => &db.workspace_role_bindings,
            Scope::Project { .. } => &db.role_bindings,
        }
    }

    /// Every binding in the scope (the member list).
    pub(crate) fn members<'d>(self, db: &'d Db) -> impl Iterator<Item = &'d Binding> + use<'a, 'd> {
        self.bindings(db).iter().filter(move |b| self.holds(b))
    }

    fn bindings_mut(self, db: &mut Db) -> &mut Vec<Binding> {
        match self {
            Scope::Workspace(_) => &mut db.workspace_role_bindings,
            Scope::Project { .. } => &mut db.role_bindings,
        }
    }

    /// `(binding name, role)` of `user`'s bindings in the scope, by name.
    pub(crate) fn bindings_of(self, db: &Db, user: &str) -> Vec<(String, String)> {
        let mut found: Vec<(String, String)> =
            self.members(db).filter(|b| b.user == user).map(|b| (b.name.clone(), b.role.clone())).collect();
        found.sort();
        found
    }

    /// The 404 a grant of `role` answers when `view` has no such role in the scope.
    fn missing_role(self, view: &Db, role: &str) -> Option<GrantError> {
        let qualified = match self {
            Scope::Workspace(ws) => match view.workspace_roles.get(role) {
                Some(r) if r.workspace() == Some(ws) => return None,
                Some(_) => "workspacerole.iam.kubesphere.io",
                None => "workspaceroles.iam.kubesphere.io",
            },
            Scope::Project { cluster, ns } => match view.project_role(cluster, ns, role) {
                Some(_) => return None,
                None => "roles.iam.kubesphere.io",
            },
        };
        Some(GrantError::RoleNotFound { qualified, name: role.to_owned() })
    }

    /// The binding's kind, as named in validation errors.
    fn kind(self) -> &'static str {
        match self {
            Scope::Workspace(_) => "WorkspaceRoleBinding",
            Scope::Project { .. } => "RoleBinding",
        }
    }

    /// The binding's qualified resource, as named in conflict errors.
    fn qualified(self) -> &'static str {
        match self {
            Scope::Workspace(_) => "workspacerolebindings.iam.kubesphere.io",
            Scope::Project { .. } => "rolebindings.iam.kubesphere.io",
        }
    }

    fn binding(self, name: String, user: &str, role: &str, created: OffsetDateTime) -> Binding {
        let (workspace, cluster, namespace) = match self {
            Scope::Workspace(ws) => (Some(ws.to_owned()), None, None),
            Scope::Project { cluster, ns } => (None, Some(cluster.to_owned()), Some(ns.to_owned())),
        };
        Binding { name, user: user.to_owned(), role: role.to_owned(), workspace, cluster, namespace, created }
    }

    /// Grants `user` the role `role` in the scope (`POST`/`PUT …/workspacemembers` or
    /// `…/namespacemembers`).
    pub(crate) fn grant(
        self,
        db: &mut Db,
        cache: Option<&Db>,
        user: &str,
        role: &str,
        created: OffsetDateTime,
    ) -> Result<(), GrantError> {
        let bound = {
            // What the handler's cached client sees (the live data without a read lag).
            let view: &Db = cache.unwrap_or(db);
            if let Some(missing) = self.missing_role(view, role) {
                return Err(missing);
            }
            self.bindings_of(view, user)
        };
        for (name, bound_role) in bound {
            if bound_role == role {
                return Ok(());
            }
            // Already gone (a stale cache) is skipped, as KubeSphere ignores NotFound here.
            self.bindings_mut(db).retain(|b| !self.is_object(b, &name));
        }
        let name = format!("{user}-{role}");
        if let Some(invalid) = too_long(self.kind(), &name, role) {
            return Err(invalid);
        }
        if self.bindings(db).iter().any(|b| self.is_object(b, &name)) {
            return Err(GrantError::Exists(format!("{} \"{name}\" already exists", self.qualified())));
        }
        let binding = self.binding(name, user, role, created);
        self.bindings_mut(db).push(binding);
        Ok(())
    }

    /// `CreateOrUpdate` of the binding `name` (the controllers' creator and manager bindings):
    /// a binding of that name in the scope, whoever's it was, is replaced by `user`'s.
    pub(crate) fn bind(self, db: &mut Db, name: String, user: &str, role: &str, created: OffsetDateTime) {
        self.bindings_mut(db).retain(|b| !self.is_object(b, &name));
        let binding = self.binding(name, user, role, created);
        self.bindings_mut(db).push(binding);
    }

    /// `DELETE …/workspacemembers/{user}` or `…/namespacemembers/{user}`: deletes the bindings
    /// the cache shows.
    pub(crate) fn remove(self, db: &mut Db, cache: Option<&Db>, user: &str) {
        let names: Vec<String> = self.bindings_of(cache.unwrap_or(&*db), user).into_iter().map(|(n, _)| n).collect();
        self.bindings_mut(db).retain(|b| !names.iter().any(|name| self.is_object(b, name)));
    }
}

fn too_long(kind: &str, name: &str, role: &str) -> Option<GrantError> {
    (role.len() > LABEL_VALUE_MAX).then(|| {
        GrantError::Invalid(format!(
            "{kind}.iam.kubesphere.io \"{name}\" is invalid: metadata.labels: Invalid value: \"{role}\": must be no more than {LABEL_VALUE_MAX} characters"
        ))
    })
}
