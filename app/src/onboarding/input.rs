//! What the `/onboard` form holds, as typed: read from the posted fields (repeated names for the
//! rows, in order), checked on the server by the planner.

use serde::{Deserialize, Serialize};

use super::MAX_ROWS;

/// What the form holds, as typed (checked on the server).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnboardInput {
    pub username: String,
    pub email: String,
    pub display_name: String,
    /// Empty: a strong one is generated when the account is created (unless `sealed_password`).
    pub password: String,
    /// The password typed before the review, sealed by the server: the review page never
    /// echoes a typed password (hex).
    pub sealed_password: String,
    /// A new account signs in through this identity provider (with `identity`) instead of a
    /// password; empty: a password.
    pub identity_provider: String,
    /// Their login name in that directory, or their SSO subject.
    pub identity: String,
    /// Empty: platform-regular for a new person, unchanged for an existing one.
    pub platform_role: String,
    pub workspaces: Vec<WorkspaceRow>,
    pub projects: Vec<ProjectRow>,
    /// "Same access as": a person whose built-in memberships are added too (joins only).
    pub same_as: String,
    pub confirm_admin: bool,
    /// The plan the person reviewed (its steps' keys), which apply must still match.
    pub reviewed: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceRow {
    pub workspace: String,
    /// A role kind (`regular`, `viewer`, `self-provisioner`, `admin`); empty: regular.
    pub role: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectRow {
    pub workspace: String,
    /// Empty: the one cluster of the workspace's placement that has the project.
    pub cluster: String,
    pub project: String,
    /// `viewer`, `operator` or `admin`; empty: viewer.
    pub role: String,
}

impl OnboardInput {
    /// The form's fields as posted (repeated names for the rows, in order).
    pub fn from_fields(fields: &[(String, String)]) -> Self {
        let mut input = OnboardInput::default();
        let all =
            |name: &str| fields.iter().filter(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned()).collect::<Vec<_>>();
        let one = |name: &str| all(name).into_iter().next().unwrap_or_default();
        input.username = one("username");
        input.email = one("email");
        input.display_name = one("display_name");
        input.password = fields.iter().find(|(k, _)| k == "password").map(|(_, v)| v.clone()).unwrap_or_default();
        input.sealed_password = one("sealed_password");
        input.platform_role = one("platform_role");
        input.identity_provider = one("identity_provider");
        input.identity = one("identity");
        input.same_as = one("same_as");
        input.confirm_admin = one("confirm_admin") == "yes";
        input.reviewed = one("reviewed");
        let (names, roles) = (all("workspace"), all("workspace_role"));
        input.workspaces = names
            .into_iter()
            .enumerate()
            .map(|(i, workspace)| WorkspaceRow { workspace, role: roles.get(i).cloned().unwrap_or_default() })
            .filter(|r| !r.workspace.is_empty())
            .take(MAX_ROWS + 1)
            .collect();
        let (workspaces, clusters) = (all("project_workspace"), all("project_cluster"));
        let (projects, roles) = (all("project"), all("project_role"));
        input.projects = projects
            .into_iter()
            .enumerate()
            .map(|(i, project)| {
                let role = roles.get(i).cloned().unwrap_or_default();
                // The grouped select's value names all three: `workspace/cluster/project`.
                match project.splitn(3, '/').collect::<Vec<_>>().as_slice() {
                    [ws, cluster, name] => ProjectRow {
                        workspace: (*ws).to_owned(),
                        cluster: (*cluster).to_owned(),
                        project: (*name).to_owned(),
                        role,
                    },
                    _ => ProjectRow {
                        workspace: workspaces.get(i).cloned().unwrap_or_default(),
                        cluster: clusters.get(i).cloned().unwrap_or_default(),
                        project,
                        role,
                    },
                }
            })
            .filter(|r| !r.project.is_empty())
            .take(MAX_ROWS + 1)
            .collect();
        input
    }
}
