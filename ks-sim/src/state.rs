//! The simulator's in-memory world: users, global roles and their bindings, plus the shared
//! state (tokens, journal, faults) behind one `Arc`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::auth::{TokenIssuer, TokenStore};
use crate::bindings::Binding;
use crate::config::{KsVersion, SimConfig};
use crate::faults::Faults;
use crate::journal::Journal;
use crate::roles::{Role, RoleLevel};
use crate::roletemplates::{builtin_project_templates, builtin_workspace_templates};
use crate::seed::{parse_time, Seed};

/// Kubernetes' limit on label values (`validation.LabelValueMaxLength`).
pub(crate) const LABEL_VALUE_MAX: usize = 63;

/// KubeSphere's `hashutil.FNVString`: FNV-1a 64, as 16 lowercase hex digits.
pub(crate) fn fnv64a_hex(s: &str) -> String {
    let hash = s.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

pub(crate) const ANNOTATION_GLOBALROLE: &str = "iam.kubesphere.io/globalrole";
pub(crate) const ANNOTATION_CREATOR: &str = "kubesphere.io/creator";
pub(crate) const ANNOTATION_ALIAS: &str = "kubesphere.io/alias-name";
pub(crate) const ANNOTATION_DESCRIPTION: &str = "kubesphere.io/description";
pub(crate) const ANNOTATION_UNINITIALIZED: &str = "iam.kubesphere.io/uninitialized";
pub(crate) const ANNOTATION_PASSWORD_CHANGED: &str = "iam.kubesphere.io/last-password-change-time";
pub(crate) const ANNOTATION_AUTO_AGGREGATE: &str = "iam.kubesphere.io/auto-aggregate";
pub(crate) const ANNOTATION_GRANTED_CLUSTERS: &str = "iam.kubesphere.io/granted-clusters";
/// `kubesphere.io/workspace`, the label tying roles, bindings and namespaces to a workspace.
pub(crate) const ANNOTATION_WORKSPACE_LABEL: &str = "kubesphere.io/workspace";
pub(crate) const LABEL_MANAGED: &str = "kubesphere.io/managed";

/// `status.state` of a User.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserState {
    Active,
    Disabled,
    /// Locked after too many failed logins (§2.6); unlocks by itself.
    AuthLimitExceeded,
}

impl UserState {
    pub fn as_str(self) -> &'static str {
        match self {
            UserState::Active => "Active",
            UserState::Disabled => "Disabled",
            UserState::AuthLimitExceeded => "AuthLimitExceeded",
        }
    }
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it (the simulator's state
/// stays usable for the test that is still running).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

pub(crate) fn now_utc() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now)
}

/// A stored User. The password is kept in plaintext: this is a simulator.
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub name: String,
    pub email: String,
    pub password: Option<String>,
    pub labels: BTreeMap<String, String>,
    /// Annotations as stored; the global-role annotation is added on output from the bindings.
    pub annotations: BTreeMap<String, String>,
    pub display_name: String,
    pub description: String,
    pub lang: String,
    pub created: OffsetDateTime,
    pub resource_version: u64,
    pub state: Option<UserState>,
    pub reason: Option<String>,
    pub last_transition: Option<OffsetDateTime>,
    /// Monotonic twin of `last_transition`, for the lockout windows.
    pub last_transition_at: Instant,
    pub last_login: Option<OffsetDateTime>,
    /// Failed password checks (for the lockout).
    pub failed_logins: Vec<Instant>,
    /// `LoginRecord`s of this user's password checks, oldest first.
    pub login_records: Vec<LoginRecord>,
}

/// One `LoginRecord` (`iam.kubesphere.io/v1beta1`): a password check of an existing user.
#[derive(Debug, Clone)]
pub(crate) struct LoginRecord {
    pub name: String,
    pub created: OffsetDateTime,
    pub success: bool,
    pub reason: &'static str,
    pub source_ip: String,
}

impl User {
    /// The User object as ks-apiserver returns it (never with the password).
    pub fn to_json(&self, global_role: Option<&str>) -> Value {
        let mut annotations: Map<String, Value> = self
            .annotations
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        annotations.insert(
            ANNOTATION_GLOBALROLE.into(),
            Value::String(global_role.unwrap_or_default().to_owned()),
        );
        let mut metadata = json!({
            "name": self.name,
            "creationTimestamp": rfc3339(self.created),
            "resourceVersion": self.resource_version.to_string(),
            "finalizers": ["finalizers.kubesphere.io/users"],
            "annotations": annotations,
        });
        if !self.labels.is_empty() {
            if let Some(obj) = metadata.as_object_mut() {
                obj.insert("labels".into(), json!(self.labels));
            }
        }
        let mut status = Map::new();
        if let Some(state) = self.state {
            status.insert("state".into(), json!(state.as_str()));
            if let Some(reason) = &self.reason {
                status.insert("reason".into(), json!(reason));
            }
            if let Some(t) = self.last_transition {
                status.insert("lastTransitionTime".into(), json!(rfc3339(t)));
            }
            if let Some(t) = self.last_login {
                status.insert("lastLoginTime".into(), json!(rfc3339(t)));
            }
        }
        json!({
            "apiVersion": "iam.kubesphere.io/v1beta1",
            "kind": "User",
            "metadata": metadata,
            "spec": {
                "email": self.email,
                "lang": self.lang,
                "description": self.description,
                "displayName": self.display_name,
            },
            "status": status,
        })
    }

    pub fn is_uninitialized(&self) -> bool {
        self.annotations
            .get(ANNOTATION_UNINITIALIZED)
            .is_some_and(|v| v == "true")
    }

    /// Moves to `state` and stamps the transition.
    pub fn transition(&mut self, state: UserState, reason: Option<String>) {
        self.state = Some(state);
        self.reason = reason;
        self.last_transition = Some(now_utc());
        self.last_transition_at = Instant::now();
    }
}

/// The resources.
#[derive(Debug, Default)]
pub(crate) struct Db {
    pub users: BTreeMap<String, User>,
    pub global_roles: BTreeMap<String, Role>,
    pub global_role_bindings: Vec<Binding>,
    /// Cluster names; the first is the host cluster.
    pub clusters: Vec<String>,
    /// Clusters with the `cluster.kubesphere.io/visibility: public` label.
    pub public_clusters: BTreeSet<String>,
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

fn role_from_seed(
    level: RoleLevel,
    name: &str,
    creator: Option<&String>,
    alias: Option<&String>,
    description: Option<&String>,
    templates: Vec<String>,
    created: OffsetDateTime,
) -> Role {
    let mut annotations = BTreeMap::new();
    if let Some(c) = creator {
        annotations.insert(ANNOTATION_CREATOR.to_owned(), c.clone());
    }
    if let Some(a) = alias {
        annotations.insert(ANNOTATION_ALIAS.to_owned(), a.clone());
    }
    if let Some(d) = description {
        annotations.insert(ANNOTATION_DESCRIPTION.to_owned(), d.clone());
    }
    Role {
        level,
        name: name.to_owned(),
        cluster: None,
        namespace: None,
        labels: BTreeMap::new(),
        annotations,
        templates,
        created,
        resource_version: 1,
    }
}

impl Db {
    pub fn from_seed(seed: &Seed, ks_version: KsVersion) -> Self {
        let mut db = Db {
            clusters: seed.clusters.clone(),
            public_clusters: seed.public_clusters.iter().cloned().collect(),
            ks_version,
            next_resource_version: 1000,
            ..Db::default()
        };
        let now = now_utc();
        let time = |t: &str| parse_time(t).unwrap_or(now);
        for r in &seed.global_roles {
            let role = role_from_seed(
                RoleLevel::Global,
                &r.name,
                r.creator.as_ref(),
                r.alias.as_ref(),
                r.description.as_ref(),
                r.templates.clone(),
                time(&r.created),
            );
            db.global_roles.insert(role.name.clone(), role);
        }
        for u in &seed.users {
            let created = time(&u.created);
            let mut annotations = u.annotations.clone();
            if let Some(c) = &u.creator {
                annotations.insert(ANNOTATION_CREATOR.to_owned(), c.clone());
            }
            if let Some(a) = &u.alias {
                annotations.insert(ANNOTATION_ALIAS.to_owned(), a.clone());
            }
            if u.uninitialized {
                annotations.insert(ANNOTATION_UNINITIALIZED.to_owned(), "true".to_owned());
            }
            if u.password.is_some() {
                annotations.insert(ANNOTATION_PASSWORD_CHANGED.to_owned(), rfc3339(created));
            }
            let rv = db.bump();
            let reason = (u.state == Some(UserState::AuthLimitExceeded))
                .then(|| "seeded as locked".to_owned());
            let user = User {
                name: u.name.clone(),
                email: u.email.clone(),
                password: u.password.clone(),
                labels: u.labels.clone(),
                annotations,
                display_name: u.display_name.clone(),
                description: u.description.clone(),
                lang: u.lang.clone(),
                created,
                resource_version: rv,
                state: u.state,
                reason,
                last_transition: u.state.map(|_| created),
                last_transition_at: Instant::now(),
                last_login: None,
                failed_logins: Vec::new(),
                login_records: Vec::new(),
            };
            db.users.insert(user.name.clone(), user);
            if let Some(role) = &u.global_role {
                db.bind_global(&u.name, role, created);
            }
        }
        for w in &seed.workspaces {
            let created = time(&w.created);
            let placement = match &w.clusters {
                Some(clusters) => {
                    json!({"clusters": clusters.iter().map(|c| json!({"name": c})).collect::<Vec<_>>()})
                }
                None => json!({"clusterSelector": {}}),
            };
            let creator = w.creator.clone().unwrap_or_else(|| w.manager.clone());
            let mut annotations = json!({ANNOTATION_CREATOR: creator});
            if let Some(obj) = annotations.as_object_mut() {
                if let Some(a) = &w.alias {
                    obj.insert(ANNOTATION_ALIAS.into(), json!(a));
                }
                if let Some(d) = &w.description {
                    obj.insert(ANNOTATION_DESCRIPTION.into(), json!(d));
                }
            }
            let mut metadata = json!({"name": w.name, "annotations": annotations});
            if let (true, Some(obj)) = (w.protected, metadata.as_object_mut()) {
                obj.insert(
                    "labels".into(),
                    json!({"kubesphere.io/protected-resource": "true"}),
                );
            }
            let object = json!({
                "metadata": metadata,
                "spec": {
                    "template": {
                        "metadata": {"annotations": {ANNOTATION_CREATOR: creator}},
                        "spec": {"manager": w.manager},
                    },
                    "placement": placement,
                },
            });
            let rv = db.bump();
            let object = crate::workspaces::stored(object, created, rv);
            db.workspaces.insert(w.name.clone(), object);
            db.create_workspace_roles(&w.name, &w.manager, created);
        }
        for r in &seed.workspace_roles {
            let ws = r.workspace.clone().unwrap_or_default();
            let mut role = role_from_seed(
                RoleLevel::Workspace,
                &r.name,
                r.creator.as_ref(),
                r.alias.as_ref(),
                r.description.as_ref(),
                r.templates.clone(),
                time(&r.created),
            );
            role.labels
                .insert(ANNOTATION_WORKSPACE_LABEL.to_owned(), ws);
            db.insert_role(role);
        }
        for w in &seed.workspaces {
            for (user, role) in &w.members {
                // A seed naming an impossible role is a seed bug; the member is left out.
                let _ = db.set_workspace_member(&w.name, user, role, time(&w.created));
            }
        }
        let host = seed.host_cluster().to_owned();
        for p in &seed.projects {
            let created = time(&p.created);
            let cluster = p.cluster.clone().unwrap_or_else(|| host.clone());
            let mut labels = json!({ANNOTATION_WORKSPACE_LABEL: p.workspace});
            let mut annotations = json!({});
            if let Some(obj) = labels.as_object_mut() {
                if p.managed {
                    obj.insert(LABEL_MANAGED.into(), json!("true"));
                }
            }
            if let Some(obj) = annotations.as_object_mut() {
                if let Some(c) = &p.creator {
                    obj.insert(ANNOTATION_CREATOR.into(), json!(c));
                }
                if let Some(a) = &p.alias {
                    obj.insert(ANNOTATION_ALIAS.into(), json!(a));
                }
            }
            let object =
                json!({"metadata": {"name": p.name, "labels": labels, "annotations": annotations}});
            let rv = db.bump();
            let object = crate::projects::stored(object, created, rv);
            db.namespaces
                .insert((cluster.clone(), p.name.clone()), object);
            if p.managed {
                // Creator bindings are collected below with the members (one pass, not n²).
                db.create_project_roles(&cluster, &p.name, None, created);
            }
        }
        for r in &seed.project_roles {
            let cluster = r.cluster.clone().unwrap_or_else(|| host.clone());
            let mut role = role_from_seed(
                RoleLevel::Namespace,
                &r.name,
                r.creator.as_ref(),
                r.alias.as_ref(),
                r.description.as_ref(),
                r.templates.clone(),
                time(&r.created),
            );
            role.cluster = Some(cluster);
            role.namespace = r.project.clone();
            db.insert_role(role);
        }
        // Same outcome as `set_project_member` per entry: one binding per user and project.
        let mut project_members: BTreeMap<(String, String, String), (String, OffsetDateTime)> =
            BTreeMap::new();
        for p in &seed.projects {
            let cluster = p.cluster.clone().unwrap_or_else(|| host.clone());
            let created = time(&p.created);
            let creator = p.creator.iter().filter(|c| p.managed && !c.is_empty());
            let admin = "admin".to_owned();
            for (user, role) in creator.map(|c| (c, &admin)).chain(p.members.iter()) {
                project_members.insert(
                    (cluster.clone(), p.name.clone(), user.clone()),
                    (role.clone(), created),
                );
            }
        }
        for ((cluster, ns, user), (role, created)) in project_members {
            db.role_bindings.push(Binding {
                name: format!("{user}-{role}"),
                user,
                role,
                workspace: None,
                cluster: Some(cluster),
                namespace: Some(ns),
                created,
            });
        }
        db
    }

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
        self.global_role_bindings
            .iter()
            .find(|b| b.user == user)
            .map(|b| b.role.as_str())
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
    pub fn namespace_grants_any(
        &self,
        user: &str,
        cluster: &str,
        ns: &str,
        templates: &[&str],
    ) -> bool {
        self.role_bindings
            .iter()
            .filter(|b| {
                b.user == user
                    && b.cluster.as_deref() == Some(cluster)
                    && b.namespace.as_deref() == Some(ns)
            })
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
        self.project_roles
            .get(&(cluster.to_owned(), ns.to_owned(), name.to_owned()))
    }

    pub fn project_roles_in<'a>(
        &'a self,
        cluster: &'a str,
        ns: &'a str,
    ) -> impl Iterator<Item = &'a Role> + 'a {
        self.project_roles
            .iter()
            .filter(move |((c, n, _), _)| c == cluster && n == ns)
            .map(|(_, r)| r)
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

    /// The name the workspace controller gives built-in role `role` of `ws`
    /// (`ensureWorkspaceRoleName` in KubeSphere 4.1.3; 4.1.2 never hashes).
    pub fn workspace_role_name(&self, ws: &str, role: &str) -> String {
        let plain = format!("{ws}-{role}");
        if self.ks_version == KsVersion::V4_1_2 || plain.len() <= LABEL_VALUE_MAX {
            plain
        } else {
            format!("{role}.{}", fnv64a_hex(ws))
        }
    }

    /// The workspace controller: the four built-in roles and the manager's binding, named like
    /// the admin role.
    pub fn create_workspace_roles(&mut self, ws: &str, manager: &str, created: OffsetDateTime) {
        for (suffix, description) in [
            ("admin", "Manage all resources in the workspace."),
            ("regular", "Use resources in the workspace."),
            (
                "self-provisioner",
                "Create projects and become the admin of the created projects.",
            ),
            ("viewer", "View all resources in the workspace."),
        ] {
            let mut role = role_from_seed(
                RoleLevel::Workspace,
                &self.workspace_role_name(ws, suffix),
                Some(&"system".to_owned()),
                None,
                None,
                builtin_workspace_templates(suffix),
                created,
            );
            role.annotations
                .insert(ANNOTATION_AUTO_AGGREGATE.to_owned(), "true".to_owned());
            role.annotations.insert(
                ANNOTATION_DESCRIPTION.to_owned(),
                json!({"zh": description, "en": description}).to_string(),
            );
            role.labels
                .insert(ANNOTATION_WORKSPACE_LABEL.to_owned(), ws.to_owned());
            self.insert_role(role);
        }
        if !manager.is_empty() {
            self.workspace_role_bindings
                .retain(|b| !(b.user == manager && b.workspace.as_deref() == Some(ws)));
            let admin = self.workspace_role_name(ws, "admin");
            self.workspace_role_bindings.push(Binding {
                name: admin.clone(),
                user: manager.to_owned(),
                role: admin,
                workspace: Some(ws.to_owned()),
                cluster: None,
                namespace: None,
                created,
            });
        }
    }

    /// The namespace controller for managed projects: `admin`/`operator`/`viewer` and the
    /// creator's `{creator}-admin` binding.
    pub fn create_project_roles(
        &mut self,
        cluster: &str,
        ns: &str,
        creator: Option<&str>,
        created: OffsetDateTime,
    ) {
        for (name, description) in [
            ("admin", "Manage all resources in the project."),
            (
                "operator",
                "View all resources and manage workloads in the project.",
            ),
            ("viewer", "View all resources in the project."),
        ] {
            let mut role = role_from_seed(
                RoleLevel::Namespace,
                name,
                Some(&"system".to_owned()),
                None,
                None,
                builtin_project_templates(name),
                created,
            );
            role.annotations
                .insert(ANNOTATION_AUTO_AGGREGATE.to_owned(), "true".to_owned());
            role.annotations.insert(
                ANNOTATION_DESCRIPTION.to_owned(),
                json!({"zh": description, "en": description}).to_string(),
            );
            role.cluster = Some(cluster.to_owned());
            role.namespace = Some(ns.to_owned());
            self.insert_role(role);
        }
        if let Some(creator) = creator.filter(|c| !c.is_empty()) {
            self.set_project_member(cluster, ns, creator, "admin", created);
        }
    }

    /// The member handler's binding logic (§3.6): same role ⇒ no-op, otherwise the user's
    /// bindings in the workspace are replaced by `{user}-{role}`. As in KubeSphere, the old
    /// bindings go first; a role name too long for the binding's `role-ref` label then fails
    /// the create (422), leaving the user with no role in the workspace.
    pub fn set_workspace_member(
        &mut self,
        ws: &str,
        user: &str,
        role: &str,
        created: OffsetDateTime,
    ) -> Result<(), String> {
        let mine = |b: &Binding| b.user == user && b.workspace.as_deref() == Some(ws);
        if self
            .workspace_role_bindings
            .iter()
            .any(|b| mine(b) && b.role == role)
        {
            return Ok(());
        }
        self.workspace_role_bindings.retain(|b| !mine(b));
        if role.len() > LABEL_VALUE_MAX {
            return Err(format!(
                "WorkspaceRoleBinding.iam.kubesphere.io \"{user}-{role}\" is invalid: metadata.labels: Invalid value: \"{role}\": must be no more than {LABEL_VALUE_MAX} characters"
            ));
        }
        self.workspace_role_bindings.push(Binding {
            name: format!("{user}-{role}"),
            user: user.to_owned(),
            role: role.to_owned(),
            workspace: Some(ws.to_owned()),
            cluster: None,
            namespace: None,
            created,
        });
        Ok(())
    }

    /// Same as [`Db::set_workspace_member`] for a project.
    pub fn set_project_member(
        &mut self,
        cluster: &str,
        ns: &str,
        user: &str,
        role: &str,
        created: OffsetDateTime,
    ) {
        let mine = |b: &Binding| {
            b.user == user
                && b.cluster.as_deref() == Some(cluster)
                && b.namespace.as_deref() == Some(ns)
        };
        if self.role_bindings.iter().any(|b| mine(b) && b.role == role) {
            return;
        }
        self.role_bindings.retain(|b| !mine(b));
        self.role_bindings.push(Binding {
            name: format!("{user}-{role}"),
            user: user.to_owned(),
            role: role.to_owned(),
            workspace: None,
            cluster: Some(cluster.to_owned()),
            namespace: Some(ns.to_owned()),
            created,
        });
    }

    pub fn user_json(&self, user: &User) -> Value {
        user.to_json(self.global_role_of(&user.name))
    }

    /// The users `keep` selects, as JSON, for lists: one pass over the global role bindings
    /// instead of one per user (the large seed's 2,000 users made `GET /users` quadratic).
    pub fn users_json(&self, keep: impl Fn(&User) -> bool) -> Vec<Value> {
        let mut roles: HashMap<&str, &str> =
            HashMap::with_capacity(self.global_role_bindings.len());
        for b in &self.global_role_bindings {
            // The first binding wins, as in `global_role_of`.
            roles.entry(b.user.as_str()).or_insert(b.role.as_str());
        }
        self.users
            .values()
            .filter(|u| keep(u))
            .map(|u| u.to_json(roles.get(u.name.as_str()).copied()))
            .collect()
    }

    /// Finds a user by name, or by e-mail when `login` looks like an address (§2.1).
    pub fn find_login(&self, login: &str) -> Option<&User> {
        if login.contains('@') {
            self.users
                .values()
                .find(|u| !u.email.is_empty() && u.email == login)
        } else {
            self.users.get(login)
        }
    }

    /// Unlocks users whose lockout window has passed (what the user controller does).
    pub fn expire_lockouts(&mut self, window: Duration) {
        for user in self.users.values_mut() {
            if user.state == Some(UserState::AuthLimitExceeded)
                && user.last_transition_at.elapsed() >= window
            {
                user.transition(UserState::Active, None);
                user.failed_logins.clear();
            }
        }
    }

    pub fn is_cluster(&self, name: &str) -> bool {
        self.clusters.iter().any(|c| c == name)
    }
}

/// Settings that stay fixed for the simulator's life.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub access_token_ttl: Duration,
    pub refresh_token_extra_ttl: Duration,
    pub multiple_login: bool,
    pub lockout_max_tries: u32,
    pub lockout_window: Duration,
    pub client_id: String,
    pub client_secret: String,
    pub controller_delay: Duration,
}

/// Everything behind the simulator's `Arc`.
pub(crate) struct State {
    pub settings: Settings,
    pub issuer: TokenIssuer,
    pub db: Mutex<Db>,
    pub tokens: Mutex<TokenStore>,
    pub journal: Mutex<Journal>,
    pub faults: Mutex<Faults>,
}

impl State {
    pub fn new(config: SimConfig) -> Self {
        let settings = Settings {
            access_token_ttl: config.access_token_ttl,
            refresh_token_extra_ttl: config.refresh_token_extra_ttl,
            multiple_login: config.multiple_login,
            lockout_max_tries: config.lockout_max_tries,
            lockout_window: config.lockout_window,
            client_id: config.client_id,
            client_secret: config.client_secret,
            controller_delay: config.controller_delay,
        };
        State {
            settings,
            issuer: TokenIssuer::random(),
            db: Mutex::new(Db::from_seed(&config.seed, config.ks_version)),
            tokens: Mutex::new(TokenStore::default()),
            journal: Mutex::new(Journal::default()),
            faults: Mutex::new(Faults::default()),
        }
    }

    /// Runs a controller's reaction to a create call: at once, or after the configured
    /// controller delay (as a real cluster's controllers do, shortly after the call returned).
    /// Call it without holding the [`Db`] lock.
    pub fn reconcile(self: &Arc<Self>, work: impl FnOnce(&mut Db) + Send + 'static) {
        let delay = self.settings.controller_delay;
        if delay.is_zero() {
            work(&mut self.db());
            return;
        }
        let state = Arc::clone(self);
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            work(&mut state.db());
        });
    }

    /// The resources, with lockouts whose window has passed already lifted.
    pub fn db(&self) -> MutexGuard<'_, Db> {
        let mut db = lock(&self.db);
        db.expire_lockouts(self.settings.lockout_window);
        db
    }
}
