//! Memberships: who belongs where, with which role. Inviting people to workspaces and projects
//! (least privilege by default), the member lists of a workspace or a project, and every
//! workspace and project one person belongs to.

mod invite_page;
mod pages;

pub use invite_page::{InviteProjectPage, InviteWorkspacePage};
pub use pages::{MembersTable, MembershipList};

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::roles::MembershipChange;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub username: String,
    pub role: String,
    /// Empty when KubeSphere has none (or the enrichment call failed).
    pub email: String,
}

/// Members are shown this many to a page, each page enriched with one `users?names=` call.
pub const MEMBERS_PAGE_SIZE: u32 = 50;

/// One page of a member list, sorted by username.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberPage {
    pub members: Vec<Member>,
    pub total: u64,
    pub page: u32,
}

impl MemberPage {
    pub fn pages(&self) -> u32 {
        crate::kit::page_count(self.total, MEMBERS_PAGE_SIZE)
    }
}

/// Where a person belongs: each workspace with their role there, and their projects in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Memberships {
    pub workspaces: Vec<WorkspaceMembership>,
    /// Set when the signed-in user's token cannot read everything: says what may be missing.
    pub partial: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceMembership {
    pub workspace: String,
    /// `None` when they are only in some of its projects.
    pub role: Option<String>,
    pub projects: Vec<ProjectMembership>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectMembership {
    pub project: String,
    pub cluster: String,
    pub role: String,
}

/// Every workspace and project `username` belongs to, with the role, in a number of upstream
/// calls that does not grow with the number of projects: KubeSphere's admin-wide binding lists
/// (one for workspaces, up to two per cluster for projects) where the token may read them; otherwise
/// the workspaces the signed-in user can see, one call each, concurrently.
#[server(prefix = "/api", endpoint = "get_memberships")]
pub async fn get_memberships(username: String) -> Result<Memberships, AppError> {
    let user = ks_types::UserName::parse(&username).map_err(|_| AppError::NotFound)?;
    ssr::memberships(&crate::upstream::Upstream::from_context()?, &user).await
}

/// Whether the signed-in user may invite people to, and change roles in, `workspace`.
#[server(prefix = "/api", endpoint = "can_manage_workspace_members")]
pub async fn can_manage_workspace_members(workspace: String) -> Result<bool, AppError> {
    let ws = crate::error::parse_field("workspace", &workspace, ks_types::WorkspaceName::parse)?;
    use crate::permissions::ssr::{may, Permission, Scope};
    let upstream = crate::upstream::Upstream::from_context()?;
    Ok(may(&upstream, Scope::Workspace(&ws), Permission::ManageMembers).await?.may_try())
}

/// Whether the signed-in user may invite people to, and change roles in, a project
/// (`cluster/project`): `members: manage` there, in its `workspace` (which the pages know from
/// the project list, and which is checked), or globally.
#[server(prefix = "/api", endpoint = "can_manage_project_members")]
pub async fn can_manage_project_members(
    project: String,
    #[server(default)] workspace: Option<String>,
) -> Result<bool, AppError> {
    let (cluster, ns) = crate::forms::parse_project_key(&project)?;
    let ws = workspace
        .filter(|w| !w.is_empty())
        .map(|w| crate::error::parse_field("workspace", &w, ks_types::WorkspaceName::parse))
        .transpose()?;
    use crate::permissions::ssr::{may_in_project, Permission};
    let upstream = crate::upstream::Upstream::from_context()?;
    Ok(may_in_project(&upstream, &cluster, &ns, ws.as_ref(), Permission::ManageMembers).await?.may_try())
}

/// Invites one or several people to a workspace (`<ws>-regular` by default in the form).
#[server(prefix = "/api", endpoint = "invite_workspace_members")]
pub async fn invite_workspace_members(
    workspace: String,
    usernames: String,
    role: String,
    #[server(default)] confirm_admin: crate::kit::Checkbox,
) -> Result<MembershipChange, AppError> {
    use crate::planner::wishes::Membership;
    use ks_types::{WorkspaceName, WorkspaceRoleKind};
    let ws = crate::error::parse_field("workspace", &workspace, WorkspaceName::parse)?;
    let kind = crate::error::parse_field("role", &role, WorkspaceRoleKind::parse)?;
    let what = crate::roles::ssr::admin_of_workspace(&ws);
    crate::roles::ssr::require_confirmation(kind.is_admin(), confirm_admin, &what)?;
    let users = ssr::parse_usernames(&usernames)?;
    let membership = Membership::Workspace { workspace: ws.clone(), kind };
    ssr::invite(&crate::upstream::Upstream::from_context()?, users, membership, ws.to_string()).await
}

/// Invites one or several people to a project (`viewer` by default in the form).
#[server(prefix = "/api", endpoint = "invite_project_members")]
pub async fn invite_project_members(
    project: String,
    usernames: String,
    role: String,
    #[server(default)] confirm_admin: crate::kit::Checkbox,
    /// The project's workspace, as the form's picker has it (the planner checks it).
    #[server(default)]
    workspace: Option<String>,
) -> Result<MembershipChange, AppError> {
    use crate::planner::wishes::Membership;
    use ks_types::ProjectRole;
    let (cluster, ns) = crate::forms::parse_project_key(&project)?;
    let role = crate::error::parse_field("role", &role, ProjectRole::parse)?;
    let what = crate::roles::ssr::admin_of_project(&ns);
    crate::roles::ssr::require_confirmation(role.is_admin(), confirm_admin, &what)?;
    let users = ssr::parse_usernames(&usernames)?;
    let upstream = crate::upstream::Upstream::from_context()?;
    let ws = crate::roles::ssr::project_workspace(&upstream, &cluster, &ns, workspace).await?;
    let target = format!("{cluster}/{ns}");
    let membership = Membership::Project { workspace: ws, cluster: Some(cluster), project: ns, role };
    ssr::invite(&upstream, users, membership, target).await
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr;
