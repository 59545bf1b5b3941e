//! [`Seed::check`]: timestamps and references of a seed read from a file.

use std::collections::BTreeSet;

use super::{Seed, SeedError};
use crate::store::util::parse_time;

impl Seed {
    /// Checks timestamps and references.
    pub fn check(&self) -> Result<(), SeedError> {
        if self.clusters.is_empty() {
            return Err(SeedError::NoCluster);
        }
        let time = |what: String, value: &str| match parse_time(value) {
            Some(_) => Ok(()),
            None => Err(SeedError::Timestamp { what, value: value.to_owned() }),
        };
        let unknown =
            |what: String, kind: &'static str, name: &str| SeedError::Unknown { what, kind, name: name.to_owned() };
        for u in &self.users {
            time(format!("user {}", u.name), &u.created)?;
            if let Some(role) = &u.global_role {
                if !self.global_roles.iter().any(|r| &r.name == role) {
                    return Err(SeedError::UnknownRole { user: u.name.clone(), role: role.clone() });
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
                return Err(SeedError::Duplicate { kind: "workspace", name: w.name.clone() });
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
                return Err(unknown(format!("workspace role {}", r.name), "workspace", ws));
            }
            ws_roles.insert(r.name.clone());
        }
        for w in &self.workspaces {
            for role in w.members.values() {
                if !ws_roles.contains(role) {
                    return Err(unknown(format!("workspace {}", w.name), "workspace role", role));
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
                return Err(SeedError::Duplicate { kind: "project", name: p.name.clone() });
            }
        }
        for r in &self.project_roles {
            time(format!("project role {}", r.name), &r.created)?;
            let cluster = r.cluster.as_deref().unwrap_or(self.host_cluster());
            let project = r.project.as_deref().unwrap_or_default();
            if !projects.contains(&(cluster, project)) {
                return Err(unknown(format!("project role {}", r.name), "project", project));
            }
        }
        Ok(())
    }
}
