//! The data a simulator starts with. [`Seed::demo`] and [`Seed::large`] are built in;
//! [`Seed::from_json`] reads the same shape from a file so scenarios can be kept as data.
//!
//! The seed types and loading are here, [`Seed::check`] in `check`, the built-in data sets in
//! `demo` and `large`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::users::UserState;

mod check;
mod demo;
mod large;

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
    Io { path: String, source: std::io::Error },
    #[error("seed: {what} has an invalid RFC 3339 timestamp {value:?}")]
    Timestamp { what: String, value: String },
    #[error("seed: user {user} is bound to unknown global role {role}")]
    UnknownRole { user: String, role: String },
    #[error("seed: no cluster")]
    NoCluster,
    #[error("seed: {what} refers to unknown {kind} {name}")]
    Unknown { what: String, kind: &'static str, name: String },
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

impl Seed {
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
        let text = std::fs::read_to_string(name_or_path)
            .map_err(|source| SeedError::Io { path: name_or_path.to_owned(), source })?;
        Self::from_json(&text)
    }

    /// The host cluster's name.
    pub fn host_cluster(&self) -> &str {
        self.clusters.first().map(String::as_str).unwrap_or("host")
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
