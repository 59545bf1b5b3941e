//! [`Seed::large`], a deterministic data set for paging and performance.

use std::collections::BTreeMap;

use super::demo::{demo_clusters, demo_frame, demo_user, s};
use super::{Seed, SeedProject, SeedUser, SeedWorkspace};

impl Seed {
    /// A deterministic large data set for paging and performance: 2,000 users (`user-0000`…,
    /// password [`DEMO_PASSWORD`](super::DEMO_PASSWORD), `admin` among them), 300 workspaces
    /// (`ws-000`…) with managers and members, 3,000 projects (`ws-000-p0`…) with members.
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
                created: format!("2025-02-{:02}T{:02}:{:02}:{:02}Z", 1 + i / 1440 % 28, i / 60 % 24, i % 60, i % 7),
                ..demo_user(&format!("user-{i:04}"), &format!("user-{i:04}@example.com"), role, 1)
            });
        }
        let user = |i: u32| format!("user-{:04}", i % 1999);
        let mut workspaces = Vec::with_capacity(300);
        let mut projects = Vec::with_capacity(3000);
        for w in 0..300u32 {
            let name = format!("ws-{w:03}");
            let mut ws_members = BTreeMap::new();
            for (k, suffix) in ["regular", "viewer", "self-provisioner", "regular"].iter().enumerate() {
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
                clusters: Some(demo_clusters()),
                protected: false,
                creator: Some(s("admin")),
                alias: None,
                description: None,
                created: format!("2025-03-{:02}T00:{:02}:{:02}Z", 1 + w % 28, w / 60, w % 60),
                members: ws_members,
            });
        }
        Seed { workspaces, projects, ..demo_frame(users) }
    }
}
