//! The data a simulator starts with. [`Seed::demo`] and [`Seed::large`] are built in;
//! [`Seed::from_json`] reads the same shape from a file so scenarios can be kept as data.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::state::UserState;

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "P@88w0rd";

/// Users, roles, clusters, workspaces, projects and memberships to start with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Seed {
    pub users: Vec<SeedUser>,
    #[serde(default)]
    pub global_roles: Vec<SeedGlobalRole>,
    /// Cluster names reachable under `/clusters/{c}`; the first is the host cluster.
    #[serde(default = "default_clusters")]
    pub clusters: Vec<String>,
    /// Clusters with the `cluster.kubesphere.io/visibility: public` label, on which anyone who
    /// may create workspaces may place one. None on a default install: only platform admins
    /// place workspaces.
    #[serde(default)]
    pub public_clusters: Vec<String>,
    /// WorkspaceTemplates; each gets the four built-in workspace roles and its manager binding.
    #[serde(default)]
    pub workspaces: Vec<SeedWorkspace>,
    /// Namespaces; managed ones get the built-in project roles and a `{creator}-admin` binding.
    #[serde(default)]
    pub projects: Vec<SeedProject>,
    /// Custom WorkspaceRoles (the built-in four are created with each workspace).
    #[serde(default)]
    pub workspace_roles: Vec<SeedRole>,
    /// Custom project Roles (`admin`/`operator`/`viewer` come with each managed project).
    #[serde(default)]
    pub project_roles: Vec<SeedRole>,
}

/// One `User` (iam.kubesphere.io/v1beta1) and its global role binding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedUser {
    pub name: String,
    #[serde(default)]
    pub email: String,
    /// Plaintext; `None` = the account cannot log in with a password.
    #[serde(default)]
    pub password: Option<String>,
    /// Bound GlobalRole (`iam.kubesphere.io/globalrole`).
    #[serde(default)]
    pub global_role: Option<String>,
    /// `kubesphere.io/creator`.
    #[serde(default)]
    pub creator: Option<String>,
    /// `kubesphere.io/alias-name`.
    #[serde(default)]
    pub alias: Option<String>,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_lang")]
    pub lang: String,
    /// `None` = status `{}` (the user controller has not run yet).
    #[serde(default = "default_state")]
    pub state: Option<UserState>,
    /// `iam.kubesphere.io/uninitialized: "true"` (must change password at first login).
    #[serde(default)]
    pub uninitialized: bool,
    /// RFC 3339 creation timestamp.
    pub created: String,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Further annotations, e.g. `iam.kubesphere.io/granted-clusters: "member-2"`.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

/// One `GlobalRole`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedGlobalRole {
    pub name: String,
    #[serde(default)]
    pub creator: Option<String>,
    #[serde(default)]
    pub alias: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// `aggregationRoleTemplates.templateNames`; `*` grants everything.
    #[serde(default)]
    pub templates: Vec<String>,
    pub created: String,
}

/// One `WorkspaceTemplate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedWorkspace {
    pub name: String,
    /// `spec.template.spec.manager`, bound as `{ws}-admin` (binding named `{ws}-admin`).
    pub manager: String,
    /// `spec.placement.clusters`; `None` = `clusterSelector: {}` (every cluster).
    #[serde(default)]
    pub clusters: Option<Vec<String>>,
    /// `kubesphere.io/protected-resource: "true"`.
    #[serde(default)]
    pub protected: bool,
    #[serde(default)]
    pub creator: Option<String>,
    #[serde(default)]
    pub alias: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub created: String,
    /// Further members: user → WorkspaceRole name (e.g. `demo-regular`).
    #[serde(default)]
    pub members: BTreeMap<String, String>,
}

/// One project (a Namespace labelled with its workspace).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedProject {
    pub name: String,
    /// The cluster it lives in; `None` = the host cluster.
    #[serde(default)]
    pub cluster: Option<String>,
    pub workspace: String,
    /// `kubesphere.io/creator`; for managed projects the creator becomes project admin.
    #[serde(default)]
    pub creator: Option<String>,
    /// `kubesphere.io/managed: "true"` (built-in roles are created only then).
    #[serde(default = "default_true")]
    pub managed: bool,
    #[serde(default)]
    pub alias: Option<String>,
    pub created: String,
    /// Further members: user → Role name in the project (e.g. `operator`).
    #[serde(default)]
    pub members: BTreeMap<String, String>,
}

/// A custom WorkspaceRole (set `workspace`) or project Role (set `project`, optionally
/// `cluster`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedRole {
    pub name: String,
    #[serde(default)]
    pub workspace: Option<String>,
    #[serde(default)]
    pub project: Option<String>,
    #[serde(default)]
    pub cluster: Option<String>,
    #[serde(default)]
    pub creator: Option<String>,
    #[serde(default)]
    pub alias: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Role template names (see `GET /kapis/iam.kubesphere.io/v1beta1/roletemplates`).
    #[serde(default)]
    pub templates: Vec<String>,
    pub created: String,
}

/// Why a seed could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("seed is not valid JSON for the seed shape: {0}")]
    Json(#[from] serde_json::Error),
    #[error("seed file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("seed: {what} has an invalid RFC 3339 timestamp {value:?}")]
    Timestamp { what: String, value: String },
    #[error("seed: user {user} is bound to unknown global role {role}")]
    UnknownRole { user: String, role: String },
    #[error("seed: no cluster")]
    NoCluster,
    #[error("seed: {what} refers to unknown {kind} {name}")]
    Unknown {
        what: String,
        kind: &'static str,
        name: String,
    },
    #[error("seed: duplicate {kind} {name}")]
    Duplicate { kind: &'static str, name: String },
}

fn default_clusters() -> Vec<String> {
    vec!["host".to_owned()]
}

fn default_lang() -> String {
    "en".to_owned()
}

fn default_state() -> Option<UserState> {
    Some(UserState::Active)
}

fn default_true() -> bool {
    true
}

pub(crate) fn parse_time(value: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(value, &Rfc3339).ok()
}

fn s(v: &str) -> String {
    v.to_owned()
}

fn members(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(u, r)| (s(u), s(r))).collect()
}

fn demo_user(name: &str, email: &str, role: &str, day: u8) -> SeedUser {
    SeedUser {
        name: s(name),
        email: s(email),
        password: Some(s(DEMO_PASSWORD)),
        global_role: Some(s(role)),
        creator: Some(s("admin")),
        alias: None,
        display_name: String::new(),
        description: String::new(),
        lang: default_lang(),
        state: Some(UserState::Active),
        uninitialized: false,
        created: format!("2025-01-{day:02}T00:00:00Z"),
        labels: BTreeMap::new(),
        annotations: BTreeMap::new(),
    }
}

fn builtin_global_roles() -> Vec<SeedGlobalRole> {
    let role = |name: &str, description: &str, templates: &[&str]| SeedGlobalRole {
        name: s(name),
        creator: Some(s("admin")),
        alias: None,
        description: Some(s(description)),
        templates: templates.iter().map(|t| s(t)).collect(),
        created: s("2025-01-01T00:00:00Z"),
    };
    vec![
        role(
            "platform-admin",
            "Manage all resources on the platform.",
            &["*"],
        ),
        role("platform-regular", "Access the platform.", &[]),
        role(
            "platform-self-provisioner",
            "Create workspaces and become the admin of the created workspaces.",
            &["global-create-workspaces"],
        ),
        SeedGlobalRole {
            alias: Some(s("Platform Auditor")),
            created: s("2025-01-07T00:00:00Z"),
            ..role(
                "platform-auditor",
                "View users and workspaces.",
                &["global-view-users", "global-view-workspaces"],
            )
        },
    ]
}

fn project(
    name: &str,
    cluster: &str,
    workspace: &str,
    creator: &str,
    created: &str,
    extra: &[(&str, &str)],
) -> SeedProject {
    SeedProject {
        name: s(name),
        cluster: Some(s(cluster)),
        workspace: s(workspace),
        creator: Some(s(creator)),
        managed: true,
        alias: None,
        created: s(created),
        members: members(extra),
    }
}

impl Seed {
    /// The demo data set (password [`DEMO_PASSWORD`] for everyone); the README lists it.
    pub fn demo() -> Self {
        let users = vec![
            SeedUser {
                creator: Some(s("system")),
                display_name: s("Administrator"),
                ..demo_user("admin", "admin@kubesphere.io", "platform-admin", 1)
            },
            SeedUser {
                alias: Some(s("Alice Liddell")),
                ..demo_user("alice", "alice@example.com", "platform-self-provisioner", 2)
            },
            SeedUser {
                alias: Some(s("Bob Builder")),
                ..demo_user("bob", "bob@example.com", "platform-regular", 3)
            },
            demo_user("carol", "carol@example.com", "platform-regular", 4),
            SeedUser {
                state: Some(UserState::AuthLimitExceeded),
                ..demo_user("dave", "dave@example.com", "platform-regular", 5)
            },
            SeedUser {
                state: Some(UserState::Disabled),
                ..demo_user("erin", "erin@example.com", "platform-regular", 6)
            },
            demo_user("frank", "frank@example.com", "platform-regular", 8),
            SeedUser {
                alias: Some(s("Grace Hopper")),
                ..demo_user("grace", "grace@example.com", "platform-auditor", 9)
            },
        ];
        let workspaces = vec![
            SeedWorkspace {
                name: s("system-workspace"),
                manager: s("admin"),
                clusters: None,
                protected: true,
                creator: Some(s("system")),
                alias: None,
                description: Some(s("Workspace for system resources.")),
                created: s("2025-01-01T00:00:00Z"),
                members: BTreeMap::new(),
            },
            SeedWorkspace {
                name: s("demo"),
                manager: s("alice"),
                clusters: Some(vec![s("host"), s("member-1")]),
                protected: false,
                creator: Some(s("alice")),
                alias: Some(s("Demo")),
                description: Some(s("The demo workspace.")),
                created: s("2025-01-10T00:00:00Z"),
                members: members(&[
                    ("bob", "demo-regular"),
                    ("carol", "demo-viewer"),
                    ("grace", "demo-auditor"),
                ]),
            },
            SeedWorkspace {
                name: s("team-b"),
                manager: s("admin"),
                clusters: Some(vec![s("host")]),
                protected: false,
                creator: Some(s("admin")),
                alias: Some(s("Team B")),
                description: None,
                created: s("2025-01-11T00:00:00Z"),
                members: members(&[
                    ("carol", "team-b-admin"),
                    ("bob", "team-b-self-provisioner"),
                ]),
            },
        ];
        let projects = vec![
            SeedProject {
                creator: None,
                ..project(
                    "kubesphere-system",
                    "host",
                    "system-workspace",
                    "",
                    "2025-01-01T00:00:00Z",
                    &[],
                )
            },
            project(
                "demo-web",
                "host",
                "demo",
                "alice",
                "2025-01-12T00:00:00Z",
                &[
                    ("bob", "operator"),
                    ("carol", "viewer"),
                    ("grace", "deployer"),
                ],
            ),
            project(
                "demo-api",
                "member-1",
                "demo",
                "alice",
                "2025-01-13T00:00:00Z",
                &[],
            ),
            project(
                "team-b-data",
                "host",
                "team-b",
                "admin",
                "2025-01-14T00:00:00Z",
                &[("carol", "admin")],
            ),
        ];
        let workspace_roles = vec![SeedRole {
            name: s("demo-auditor"),
            workspace: Some(s("demo")),
            project: None,
            cluster: None,
            creator: Some(s("admin")),
            alias: Some(s("Demo Auditor")),
            description: Some(s("View members, roles and projects.")),
            templates: vec![
                s("workspace-view-members"),
                s("workspace-view-roles"),
                s("workspace-view-projects"),
            ],
            created: s("2025-01-15T00:00:00Z"),
        }];
        let project_roles = vec![SeedRole {
            name: s("deployer"),
            workspace: None,
            project: Some(s("demo-web")),
            cluster: Some(s("host")),
            creator: Some(s("alice")),
            alias: Some(s("Deployer")),
            description: Some(s("Manage workloads.")),
            templates: vec![s("project-view-members"), s("project-manage-workloads")],
            created: s("2025-01-15T00:00:00Z"),
        }];
        Seed {
            users,
            global_roles: builtin_global_roles(),
            clusters: vec![s("host"), s("member-1"), s("member-2")],
            public_clusters: Vec::new(),
            workspaces,
            projects,
            workspace_roles,
            project_roles,
        }
    }

    /// A deterministic large data set for paging and performance: 2,000 users (`user-0000`…,
    /// password [`DEMO_PASSWORD`], `admin` among them), 300 workspaces (`ws-000`…) with
    /// managers and members, 3,000 projects (`ws-000-p0`…) with members.
    pub fn large() -> Self {
        let mut users = vec![SeedUser {
            creator: Some(s("system")),
            ..demo_user("admin", "admin@kubesphere.io", "platform-admin", 1)
        }];
        for i in 0..1999u32 {
            let role = match i % 50 {
                0 => "platform-self-provisioner",
                _ => "platform-regular",
            };
            users.push(SeedUser {
                created: format!(
                    "2025-02-{:02}T{:02}:{:02}:{:02}Z",
                    1 + i / 1440 % 28,
                    i / 60 % 24,
                    i % 60,
                    i % 7
                ),
                ..demo_user(
                    &format!("user-{i:04}"),
                    &format!("user-{i:04}@example.com"),
                    role,
                    1,
                )
            });
        }
        let user = |i: u32| format!("user-{:04}", i % 1999);
        let mut workspaces = Vec::with_capacity(300);
        let mut projects = Vec::with_capacity(3000);
        for w in 0..300u32 {
            let name = format!("ws-{w:03}");
            let mut ws_members = BTreeMap::new();
            for (k, suffix) in ["regular", "viewer", "self-provisioner", "regular"]
                .iter()
                .enumerate()
            {
                let k = u32::try_from(k).unwrap_or_default();
                ws_members.insert(user(w * 7 + 1 + k), format!("{name}-{suffix}"));
            }
            let manager = user(w * 7);
            for p in 0..10u32 {
                let mut p_members = BTreeMap::new();
                p_members.insert(user(w * 7 + 1), s("operator"));
                p_members.insert(user(w * 7 + 2 + p % 2), s("viewer"));
                let cluster = ["host", "member-1", "member-2"][usize::try_from(p % 3).unwrap_or(0)];
                projects.push(SeedProject {
                    name: format!("{name}-p{p}"),
                    cluster: Some(s(cluster)),
                    workspace: name.clone(),
                    creator: Some(manager.clone()),
                    managed: true,
                    alias: None,
                    created: format!("2025-03-{:02}T{:02}:{:02}:00Z", 1 + w % 28, p, w % 60),
                    members: p_members,
                });
            }
            workspaces.push(SeedWorkspace {
                name,
                manager,
                clusters: Some(vec![s("host"), s("member-1"), s("member-2")]),
                protected: false,
                creator: Some(s("admin")),
                alias: None,
                description: None,
                created: format!("2025-03-{:02}T00:{:02}:{:02}Z", 1 + w % 28, w / 60, w % 60),
                members: ws_members,
            });
        }
        Seed {
            users,
            global_roles: builtin_global_roles(),
            clusters: vec![s("host"), s("member-1"), s("member-2")],
            public_clusters: Vec::new(),
            workspaces,
            projects,
            workspace_roles: Vec::new(),
            project_roles: Vec::new(),
        }
    }

    /// Reads a seed from JSON (the camelCase shape of [`Seed`]) and checks it.
    pub fn from_json(text: &str) -> Result<Self, SeedError> {
        let seed: Seed = serde_json::from_str(text)?;
        seed.check()?;
        Ok(seed)
    }

    /// `demo`, `large`, or a path to a JSON seed file.
    pub fn load(name_or_path: &str) -> Result<Self, SeedError> {
        match name_or_path {
            "demo" => return Ok(Self::demo()),
            "large" => return Ok(Self::large()),
            _ => {}
        }
        let text = std::fs::read_to_string(name_or_path).map_err(|source| SeedError::Io {
            path: name_or_path.to_owned(),
            source,
        })?;
        Self::from_json(&text)
    }

    /// The host cluster's name.
    pub fn host_cluster(&self) -> &str {
        self.clusters.first().map(String::as_str).unwrap_or("host")
    }

    /// Checks timestamps and references.
    pub fn check(&self) -> Result<(), SeedError> {
        if self.clusters.is_empty() {
            return Err(SeedError::NoCluster);
        }
        let time = |what: String, value: &str| match parse_time(value) {
            Some(_) => Ok(()),
            None => Err(SeedError::Timestamp {
                what,
                value: value.to_owned(),
            }),
        };
        let unknown = |what: String, kind: &'static str, name: &str| SeedError::Unknown {
            what,
            kind,
            name: name.to_owned(),
        };
        for u in &self.users {
            time(format!("user {}", u.name), &u.created)?;
            if let Some(role) = &u.global_role {
                if !self.global_roles.iter().any(|r| &r.name == role) {
                    return Err(SeedError::UnknownRole {
                        user: u.name.clone(),
                        role: role.clone(),
                    });
                }
            }
        }
        for r in &self.global_roles {
            time(format!("global role {}", r.name), &r.created)?;
        }
        let mut ws_roles: BTreeSet<String> = BTreeSet::new();
        let mut workspaces = BTreeSet::new();
        for w in &self.workspaces {
            time(format!("workspace {}", w.name), &w.created)?;
            if !workspaces.insert(w.name.as_str()) {
                return Err(SeedError::Duplicate {
                    kind: "workspace",
                    name: w.name.clone(),
                });
            }
            for c in w.clusters.iter().flatten() {
                if !self.clusters.contains(c) {
                    return Err(unknown(format!("workspace {}", w.name), "cluster", c));
                }
            }
            for suffix in ["admin", "regular", "self-provisioner", "viewer"] {
                ws_roles.insert(format!("{}-{suffix}", w.name));
            }
        }
        for r in &self.workspace_roles {
            time(format!("workspace role {}", r.name), &r.created)?;
            let ws = r.workspace.as_deref().unwrap_or_default();
            if !workspaces.contains(ws) {
                return Err(unknown(
                    format!("workspace role {}", r.name),
                    "workspace",
                    ws,
                ));
            }
            ws_roles.insert(r.name.clone());
        }
        for w in &self.workspaces {
            for role in w.members.values() {
                if !ws_roles.contains(role) {
                    return Err(unknown(
                        format!("workspace {}", w.name),
                        "workspace role",
                        role,
                    ));
                }
            }
        }
        let mut projects = BTreeSet::new();
        for p in &self.projects {
            time(format!("project {}", p.name), &p.created)?;
            let cluster = p.cluster.as_deref().unwrap_or(self.host_cluster());
            if !self.clusters.iter().any(|c| c == cluster) {
                return Err(unknown(format!("project {}", p.name), "cluster", cluster));
            }
            if !projects.insert((cluster, p.name.as_str())) {
                return Err(SeedError::Duplicate {
                    kind: "project",
                    name: p.name.clone(),
                });
            }
        }
        for r in &self.project_roles {
            time(format!("project role {}", r.name), &r.created)?;
            let cluster = r.cluster.as_deref().unwrap_or(self.host_cluster());
            let project = r.project.as_deref().unwrap_or_default();
            if !projects.contains(&(cluster, project)) {
                return Err(unknown(
                    format!("project role {}", r.name),
                    "project",
                    project,
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn demo_seed_is_consistent_and_round_trips_through_json() {
        let demo = Seed::demo();
        demo.check().unwrap();
        let text = serde_json::to_string(&demo).unwrap();
        assert_eq!(Seed::from_json(&text).unwrap(), demo);
    }

    #[test]
    fn large_seed_is_consistent_and_deterministic() {
        let large = Seed::large();
        large.check().unwrap();
        assert_eq!(large.users.len(), 2000);
        assert_eq!(large.workspaces.len(), 300);
        assert_eq!(large.projects.len(), 3000);
        assert_eq!(large, Seed::large());
    }
}
