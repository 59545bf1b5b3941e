//! [`Seed::demo`], the data set the README lists, and the helpers the built-in seeds share.

use std::collections::BTreeMap;

use super::{default_lang, Seed, SeedGlobalRole, SeedProject, SeedRole, SeedUser, SeedWorkspace, DEMO_PASSWORD};
use crate::store::users::UserState;

pub(super) fn s(v: &str) -> String {
    v.to_owned()
}

fn members(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(u, r)| (s(u), s(r))).collect()
}

pub(super) fn demo_user(name: &str, email: &str, role: &str, day: u8) -> SeedUser {
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

/// The clusters of both built-in seeds: the host and two members.
pub(super) fn demo_clusters() -> Vec<String> {
    vec![s("host"), s("member-1"), s("member-2")]
}

/// A built-in seed's frame: `users`, the built-in global roles, [`demo_clusters`] (none
/// public), and nothing else yet.
pub(super) fn demo_frame(users: Vec<SeedUser>) -> Seed {
    Seed {
        users,
        global_roles: builtin_global_roles(),
        clusters: demo_clusters(),
        public_clusters: Vec::new(),
        workspaces: Vec::new(),
        projects: Vec::new(),
        workspace_roles: Vec::new(),
        project_roles: Vec::new(),
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
        role("platform-admin", "Manage all resources on the platform.", &["*"]),
        role("platform-regular", "Access the platform.", &[]),
        role(
            "platform-self-provisioner",
            "Create workspaces and become the admin of the created workspaces.",
            &["global-create-workspaces"],
        ),
        SeedGlobalRole {
            alias: Some(s("Platform Auditor")),
            created: s("2025-01-07T00:00:00Z"),
            ..role("platform-auditor", "View users and workspaces.", &["global-view-users", "global-view-workspaces"])
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
            SeedUser { alias: Some(s("Bob Builder")), ..demo_user("bob", "bob@example.com", "platform-regular", 3) },
            demo_user("carol", "carol@example.com", "platform-regular", 4),
            SeedUser {
                state: Some(UserState::AuthLimitExceeded),
                ..demo_user("dave", "dave@example.com", "platform-regular", 5)
            },
            SeedUser {
                state: Some(UserState::Disabled),
                ..demo_user("erin", "erin@example.com", "platform-regular", 6)
            },
            // An administrator of workspace demo (not its manager) without any project role.
            demo_user("lead", "lead@example.com", "platform-regular", 7),
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
                    ("lead", "demo-admin"),
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
                members: members(&[("carol", "team-b-admin"), ("bob", "team-b-self-provisioner")]),
            },
        ];
        let projects = vec![
            SeedProject {
                creator: None,
                ..project("kubesphere-system", "host", "system-workspace", "", "2025-01-01T00:00:00Z", &[])
            },
            project(
                "demo-web",
                "host",
                "demo",
                "alice",
                "2025-01-12T00:00:00Z",
                &[("bob", "operator"), ("carol", "viewer"), ("grace", "deployer")],
            ),
            project("demo-api", "member-1", "demo", "alice", "2025-01-13T00:00:00Z", &[]),
            project("team-b-data", "host", "team-b", "admin", "2025-01-14T00:00:00Z", &[("carol", "admin")]),
            project("demo-ops", "member-1", "demo", "alice", "2025-01-16T00:00:00Z", &[]),
        ];
        let workspace_roles = vec![SeedRole {
            name: s("demo-auditor"),
            workspace: Some(s("demo")),
            project: None,
            cluster: None,
            creator: Some(s("admin")),
            alias: Some(s("Demo Auditor")),
            description: Some(s("View members, roles and projects.")),
            templates: vec![s("workspace-view-members"), s("workspace-view-roles"), s("workspace-view-projects")],
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
        Seed { workspaces, projects, workspace_roles, project_roles, ..demo_frame(users) }
    }
}
