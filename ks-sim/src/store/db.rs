//! The resources ([`Db`]) and the queries and plain writes on them. What KubeSphere's
//! controllers and handlers do with them lives in the layers above.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use serde_json::Value;
use time::OffsetDateTime;

use super::bindings::Binding;
use super::config::KsVersion;
use super::labels::ANNOTATION_WORKSPACE_LABEL;
use super::level::RoleLevel;
use super::roles::Role;
use super::users::{User, UserState};

/// The resources. Cloned for the lagging copies handlers read (`history`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Db {
    pub users: BTreeMap<String, User>,
    pub global_roles: BTreeMap<String, Role>,
    pub global_role_bindings: Vec<Binding>,
    /// Cluster names; the first is the host cluster.
    pub clusters: Vec<String>,
    /// Clusters with the `cluster.kubesphere.io/visibility: public` label.
    pub public_clusters: BTreeSet<String>,
    /// Member clusters whose `Ready` condition is not true: requests dispatched to them answer
    /// 503 (`--unready-clusters`).
    pub unready_clusters: BTreeSet<String>,
    /// The release whose behaviour differences apply (role naming).
    pub ks_version: KsVersion,
    /// WorkspaceTemplates as stored objects, by name.
    pub workspaces: BTreeMap<String, Value>,
    /// Namespaces as stored objects, by (cluster, name).
    pub namespaces: BTreeMap<(String, String), Value>,
    /// WorkspaceRoles by name (names are cluster-wide unique, e.g. `demo-admin`).
    pub workspace_roles: BTreeMap<String, Role>,
    /// Project Roles by (cluster, namespace, name).
    pub project_roles: BTreeMap<(String, String, String), Role>,
    pub workspace_role_bindings: Vec<Binding>,
    pub role_bindings: Vec<Binding>,
    pub next_resource_version: u64,
}

impl Db {
    /// Next `resourceVersion`.
    pub fn bump(&mut self) -> u64 {
        self.next_resource_version += 1;
        self.next_resource_version
    }

    /// The host cluster's name.
    pub fn host(&self) -> &str {
        self.clusters.first().map(String::as_str).unwrap_or("host")
    }

    /// The GlobalRole bound to `user`, if any.
    pub fn global_role_of(&self, user: &str) -> Option<&str> {
        self.global_role_bindings.iter().find(|b| b.user == user).map(|b| b.role.as_str())
    }

    /// Whether `user`'s global role aggregates `template`.
    pub fn user_has_template(&self, user: &str, template: &str) -> bool {
        self.global_grants_any(user, &[template])
    }

    /// Whether `user`'s global role aggregates one of `templates`.
    pub fn global_grants_any(&self, user: &str, templates: &[&str]) -> bool {
        self.global_role_bindings
            .iter()
            .filter(|b| b.user == user)
            .filter_map(|b| self.global_roles.get(&b.role))
            .any(|r| r.grants_any(templates))
    }

    /// Whether one of `user`'s WorkspaceRoles in `ws` aggregates one of `templates`.
    pub fn workspace_grants_any(&self, user: &str, ws: &str, templates: &[&str]) -> bool {
        self.workspace_role_bindings
            .iter()
            .filter(|b| b.user == user && b.workspace.as_deref() == Some(ws))
            .filter_map(|b| self.workspace_roles.get(&b.role))
            .any(|r| r.grants_any(templates))
    }

    /// Whether one of `user`'s Roles in the namespace aggregates one of `templates`.
    pub fn namespace_grants_any(&self, user: &str, cluster: &str, ns: &str, templates: &[&str]) -> bool {
        self.role_bindings
            .iter()
            .filter(|b| b.user == user && b.cluster.as_deref() == Some(cluster) && b.namespace.as_deref() == Some(ns))
            .filter_map(|b| self.project_role(cluster, ns, &b.role))
            .any(|r| r.grants_any(templates))
    }

    /// The workspace a namespace belongs to (its `kubesphere.io/workspace` label).
    pub fn namespace_workspace(&self, cluster: &str, ns: &str) -> Option<String> {
        self.namespaces
            .get(&(cluster.to_owned(), ns.to_owned()))
            .and_then(|n| n["metadata"]["labels"][ANNOTATION_WORKSPACE_LABEL].as_str())
            .map(str::to_owned)
    }

    pub fn project_role(&self, cluster: &str, ns: &str, name: &str) -> Option<&Role> {
        self.project_roles.get(&(cluster.to_owned(), ns.to_owned(), name.to_owned()))
    }

    pub fn project_roles_in<'a>(&'a self, cluster: &'a str, ns: &'a str) -> impl Iterator<Item = &'a Role> + 'a {
        self.project_roles.iter().filter(move |((c, n, _), _)| c == cluster && n == ns).map(|(_, r)| r)
    }

    /// Stores a role in the collection of its level (replacing one of the same name).
    pub fn insert_role(&mut self, role: Role) {
        match role.level {
            RoleLevel::Global => {
                self.global_roles.insert(role.name.clone(), role);
            }
            RoleLevel::Workspace => {
                self.workspace_roles.insert(role.name.clone(), role);
            }
            RoleLevel::Namespace => {
                let key = (
                    role.cluster.clone().unwrap_or_default(),
                    role.namespace.clone().unwrap_or_default(),
                    role.name.clone(),
                );
                self.project_roles.insert(key, role);
            }
        }
    }

    /// Replaces `user`'s GlobalRoleBindings with `{user}-{role}`.
    pub fn bind_global(&mut self, user: &str, role: &str, created: OffsetDateTime) {
        self.global_role_bindings.retain(|b| b.user != user);
        self.global_role_bindings.push(Binding {
            name: format!("{user}-{role}"),
            user: user.to_owned(),
            role: role.to_owned(),
            workspace: None,
            cluster: None,
            namespace: None,
            created,
        });
    }

    pub fn user_json(&self, user: &User) -> Value {
        user.to_json(self.global_role_of(&user.name))
    }

    /// The users `keep` selects, as JSON, for lists: one pass over the global role bindings
    /// instead of one per user (the large seed's 2,000 users made `GET /users` quadratic).
    pub fn users_json(&self, keep: impl Fn(&User) -> bool) -> Vec<Value> {
        let mut roles: HashMap<&str, &str> = HashMap::with_capacity(self.global_role_bindings.len());
        for b in &self.global_role_bindings {
            // The first binding wins, as in `global_role_of`.
            roles.entry(b.user.as_str()).or_insert(b.role.as_str());
        }
        self.users.values().filter(|u| keep(u)).map(|u| u.to_json(roles.get(u.name.as_str()).copied())).collect()
    }

    /// Finds a user by name, or by e-mail when `login` looks like an address (§2.1).
    pub fn find_login(&self, login: &str) -> Option<&User> {
        if login.contains('@') {
            self.users.values().find(|u| !u.email.is_empty() && u.email == login)
        } else {
            self.users.get(login)
        }
    }

    /// Unlocks users whose lockout window has passed (what the user controller does); whether
    /// any was.
    pub fn expire_lockouts(&mut self, window: Duration) -> bool {
        let mut unlocked = false;
        for user in self.users.values_mut() {
            if user.state == Some(UserState::AuthLimitExceeded) && user.last_transition_at.elapsed() >= window {
                user.transition(UserState::Active, None);
                user.failed_logins.clear();
                unlocked = true;
            }
        }
        unlocked
    }

    pub fn is_cluster(&self, name: &str) -> bool {
        self.clusters.iter().any(|c| c == name)
    }

    /// Removes a namespace with its roles and bindings.
    pub fn remove_namespace(&mut self, cluster: &str, ns: &str) {
        self.namespaces.remove(&(cluster.to_owned(), ns.to_owned()));
        self.project_roles.retain(|(c, n, _), _| !(c == cluster && n == ns));
        self.role_bindings.retain(|b| !(b.cluster.as_deref() == Some(cluster) && b.namespace.as_deref() == Some(ns)));
    }
}
