//! Memberships: inviting people to workspaces and projects, and changing their role there
//! (steps 4 and 5 of the workflow). Only built-in roles; admin roles need a confirmation.

mod invite_page;
mod roles_page;

pub use invite_page::{InviteProjectPage, InviteWorkspacePage};
pub use roles_page::ChangeRolesPage;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::users::RoleOption;

/// The person a page was opened for (`?user=carol`, from their page's "Invite" and "Change a
/// role" links), to fill in the username fields; empty when absent or not a valid username.
fn person_from_address() -> String {
    let query = leptos_router::hooks::use_query_map();
    query
        .with_untracked(|q| q.get("user"))
        .filter(|u| ks_types::UserName::parse(u).is_ok())
        .unwrap_or_default()
}

/// The answer to an invitation or a role change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipChange {
    /// Where: a workspace name, or `cluster/project`.
    pub target: String,
    pub usernames: Vec<String>,
    pub role: String,
}

/// The built-in roles of a workspace that exist upstream, least privileged first.
#[server(prefix = "/api", endpoint = "workspace_role_options")]
pub async fn workspace_role_options(workspace: String) -> Result<Vec<RoleOption>, AppError> {
    use ks_types::{WorkspaceName, WorkspaceRole, WorkspaceRoleKind};
    let ws = WorkspaceName::parse(&workspace).map_err(|e| AppError::field("workspace", e.to_string()))?;
    let upstream = crate::auth::ssr::Upstream::from_context()?;
    let ws_for_list = ws.clone();
    let existing = upstream.call_quiet(|api| async move { api.list_workspace_roles(&ws_for_list).await }).await;
    Ok(WorkspaceRoleKind::ALL
        .into_iter()
        .map(|kind| WorkspaceRole { workspace: ws.clone(), kind })
        .filter(|role| existing.as_ref().is_none_or(|roles| roles.iter().any(|r| r.metadata.name == role.name())))
        .map(|role| RoleOption { name: role.name(), description: role.kind.describe().into(), is_admin: role.kind.is_admin() })
        .collect())
}

/// Whether the signed-in user may invite people to, and change roles in, `workspace`.
#[server(prefix = "/api", endpoint = "can_manage_workspace_members")]
pub async fn can_manage_workspace_members(workspace: String) -> Result<bool, AppError> {
    let ws = ks_types::WorkspaceName::parse(&workspace).map_err(|e| AppError::field("workspace", e.to_string()))?;
    crate::permissions::ssr::may(None, &[("scope", "workspace"), ("workspace", ws.as_str())], "members", "manage").await
}

/// Whether the signed-in user may invite people to, and change roles in, a project
/// (`cluster/project`): `members: manage` there, in its workspace, or globally.
#[server(prefix = "/api", endpoint = "can_manage_project_members")]
pub async fn can_manage_project_members(project: String) -> Result<bool, AppError> {
    let (cluster, ns) = ssr::parse_project_key(&project)?;
    crate::permissions::ssr::may(Some(&cluster), &[("scope", "namespace"), ("namespace", ns.as_str())], "members", "manage")
        .await
}

/// Whether the signed-in user may create projects in `workspace`.
#[server(prefix = "/api", endpoint = "can_create_projects")]
pub async fn can_create_projects(workspace: String) -> Result<bool, AppError> {
    let ws = ks_types::WorkspaceName::parse(&workspace).map_err(|e| AppError::field("workspace", e.to_string()))?;
    crate::permissions::ssr::may(None, &[("scope", "workspace"), ("workspace", ws.as_str())], "projects", "create").await
}

/// The built-in project roles, least privileged first.
#[server(prefix = "/api", endpoint = "project_role_options")]
pub async fn project_role_options() -> Result<Vec<RoleOption>, AppError> {
    Ok(ks_types::ProjectRole::ALL
        .into_iter()
        .map(|r| RoleOption { name: r.name().into(), description: r.describe().into(), is_admin: r.is_admin() })
        .collect())
}

/// Invites one or several people to a workspace (`<ws>-regular` by default in the form).
#[server(prefix = "/api", endpoint = "invite_workspace_members")]
pub async fn invite_workspace_members(
    workspace: String,
    usernames: String,
    role: String,
    #[server(default)] confirm_admin: Option<String>,
) -> Result<MembershipChange, AppError> {
    use ks_types::{WorkspaceName, WorkspaceRole};
    let ws = WorkspaceName::parse(&workspace).map_err(|e| AppError::field("workspace", e.to_string()))?;
    let role = WorkspaceRole::parse(&ws, &role).map_err(|e| AppError::field("role", e.to_string()))?;
    ssr::require_confirmation(role.kind.is_admin(), &confirm_admin, &format!("admin of workspace {ws}"))?;
    let users = ssr::parse_usernames(&usernames)?;
    let upstream = crate::auth::ssr::Upstream::from_context()?;
    ssr::require_existing_users(&upstream, &users).await?;
    let ws_for_list = ws.clone();
    let members = upstream.call(|api| async move { api.list_workspace_members(&ws_for_list, &[("limit", "-1")]).await }).await?;
    ssr::refuse_existing_members(&members.into_items(), &users, ks_client::model::ANNOTATION_WORKSPACE_ROLE)?;
    let entries: Vec<_> = users.iter().map(|u| (u.clone(), role.clone())).collect();
    let ws_for_add = ws.clone();
    upstream
        .call_mapped(|api| async move { api.add_workspace_members(&ws_for_add, &entries).await }, ssr::explain_role_missing)
        .await?;
    Ok(MembershipChange { target: ws.to_string(), usernames: users.iter().map(ToString::to_string).collect(), role: role.name() })
}

/// Invites one or several people to a project (`viewer` by default in the form).
#[server(prefix = "/api", endpoint = "invite_project_members")]
pub async fn invite_project_members(
    project: String,
    usernames: String,
    role: String,
    #[server(default)] confirm_admin: Option<String>,
) -> Result<MembershipChange, AppError> {
    use ks_types::ProjectRole;
    let (cluster, ns) = ssr::parse_project_key(&project)?;
    let role = ProjectRole::parse(&role).map_err(|e| AppError::field("role", e.to_string()))?;
    ssr::require_confirmation(role.is_admin(), &confirm_admin, &format!("admin of project {ns}"))?;
    let users = ssr::parse_usernames(&usernames)?;
    let upstream = crate::auth::ssr::Upstream::from_context()?;
    ssr::require_existing_users(&upstream, &users).await?;
    let (c, n) = (cluster.clone(), ns.clone());
    let members = upstream.call(|api| async move { api.list_project_members(&c, &n, &[("limit", "-1")]).await }).await?;
    ssr::refuse_existing_members(&members.into_items(), &users, ks_client::model::ANNOTATION_PROJECT_ROLE)?;
    let entries: Vec<_> = users.iter().map(|u| (u.clone(), role)).collect();
    let (c, n) = (cluster.clone(), ns.clone());
    upstream
        .call_mapped(|api| async move { api.add_project_members(&c, &n, &entries).await }, ssr::explain_role_missing)
        .await?;
    Ok(MembershipChange {
        target: format!("{cluster}/{ns}"),
        usernames: users.iter().map(ToString::to_string).collect(),
        role: role.name().into(),
    })
}

/// Changes a member's role in a workspace.
#[server(prefix = "/api", endpoint = "change_workspace_role")]
pub async fn change_workspace_role(
    workspace: String,
    username: String,
    role: String,
    #[server(default)] confirm_admin: Option<String>,
) -> Result<MembershipChange, AppError> {
    use ks_types::{UserName, WorkspaceName, WorkspaceRole};
    let ws = WorkspaceName::parse(&workspace).map_err(|e| AppError::field("workspace", e.to_string()))?;
    let user = UserName::parse(&username).map_err(|e| AppError::field("username", e.to_string()))?;
    let role = WorkspaceRole::parse(&ws, &role).map_err(|e| AppError::field("role", e.to_string()))?;
    ssr::require_confirmation(role.kind.is_admin(), &confirm_admin, &format!("admin of workspace {ws}"))?;
    let upstream = crate::auth::ssr::Upstream::from_context()?;
    let (u, r) = (user.clone(), role.clone());
    let not_member = format!("{user} is not a member of workspace {ws}. Invite them first.");
    upstream
        .call_mapped(|api| async move { api.change_workspace_role(&u, &r).await }, move |e| {
            ssr::explain_not_member(e, &not_member).or_else(|| ssr::explain_role_missing(e))
        })
        .await?;
    Ok(MembershipChange { target: ws.to_string(), usernames: vec![user.to_string()], role: role.name() })
}

/// Changes a member's role in a project.
#[server(prefix = "/api", endpoint = "change_project_role")]
pub async fn change_project_role(
    project: String,
    username: String,
    role: String,
    #[server(default)] confirm_admin: Option<String>,
) -> Result<MembershipChange, AppError> {
    use ks_types::{ProjectRole, UserName};
    let (cluster, ns) = ssr::parse_project_key(&project)?;
    let user = UserName::parse(&username).map_err(|e| AppError::field("username", e.to_string()))?;
    let role = ProjectRole::parse(&role).map_err(|e| AppError::field("role", e.to_string()))?;
    ssr::require_confirmation(role.is_admin(), &confirm_admin, &format!("admin of project {ns}"))?;
    let upstream = crate::auth::ssr::Upstream::from_context()?;
    let (c, n, u) = (cluster.clone(), ns.clone(), user.clone());
    let not_member = format!("{user} is not a member of project {ns}. Invite them first.");
    upstream
        .call_mapped(|api| async move { api.change_project_role(&c, &n, &u, role).await }, move |e| {
            ssr::explain_not_member(e, &not_member).or_else(|| ssr::explain_role_missing(e))
        })
        .await?;
    Ok(MembershipChange { target: format!("{cluster}/{ns}"), usernames: vec![user.to_string()], role: role.name().into() })
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use ks_client::model::User;
    use ks_client::KsError;
    use ks_types::{ClusterName, ProjectName, UserName};

    use crate::auth::ssr::Upstream;
    use crate::error::AppError;

    /// Admin roles are granted only with the explicit confirmation the form asks for.
    pub fn require_confirmation(is_admin: bool, confirm: &Option<String>, what: &str) -> Result<(), AppError> {
        if is_admin && confirm.as_deref() != Some("yes") {
            return Err(AppError::field("confirm_admin", format!("Confirm that you want to make them {what}.")));
        }
        Ok(())
    }

    /// `a, b c` → the usernames, each parsed, without duplicates.
    pub fn parse_usernames(raw: &str) -> Result<Vec<UserName>, AppError> {
        let mut users: Vec<UserName> = Vec::new();
        for part in raw.split([',', ' ', '\n', ';']).map(str::trim).filter(|p| !p.is_empty()) {
            let user = UserName::parse(part).map_err(|e| AppError::field("usernames", format!("{part}: {e}")))?;
            if !users.contains(&user) {
                users.push(user);
            }
        }
        if users.is_empty() {
            return Err(AppError::field("usernames", "Choose at least one person to invite."));
        }
        Ok(users)
    }

    /// `cluster/project` as the project pickers submit it.
    pub fn parse_project_key(key: &str) -> Result<(ClusterName, ProjectName), AppError> {
        let invalid = || AppError::field("project", "Choose a project.");
        let (cluster, project) = key.split_once('/').ok_or_else(invalid)?;
        let cluster = ClusterName::parse(cluster).map_err(|_| invalid())?;
        let project = ProjectName::parse(project).map_err(|_| invalid())?;
        Ok((cluster, project))
    }

    /// KubeSphere does not check that invited users exist; we do, in one list call.
    pub async fn require_existing_users(upstream: &Upstream, users: &[UserName]) -> Result<(), AppError> {
        let names = users.iter().map(UserName::as_str).collect::<Vec<_>>().join(",");
        let found = upstream
            .call(|api| async move { api.list_users(&[("names", names.as_str()), ("limit", "-1")]).await })
            .await?
            .into_items();
        let missing: Vec<&str> =
            users.iter().map(UserName::as_str).filter(|u| !found.iter().any(|f| f.metadata.name == *u)).collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(AppError::field("usernames", format!("No user named {}.", missing.join(", "))))
        }
    }

    /// Inviting an existing member would silently replace their role: say so instead.
    pub fn refuse_existing_members(members: &[User], users: &[UserName], role_annotation: &str) -> Result<(), AppError> {
        let already: Vec<String> = users
            .iter()
            .filter_map(|u| {
                let m = members.iter().find(|m| m.metadata.name == u.as_str())?;
                let role = m.annotation(role_annotation).unwrap_or("a role");
                Some(format!("{u} is already a member ({role})"))
            })
            .collect();
        if already.is_empty() {
            Ok(())
        } else {
            Err(AppError::field("usernames", format!("{}. Use “Change a role” to change it.", already.join("; "))))
        }
    }

    pub fn explain_role_missing(e: &KsError) -> Option<AppError> {
        match e {
            KsError::NotFound { detail } if detail.contains("role") => {
                Some(AppError::field("role", "That role does not exist here in KubeSphere."))
            }
            _ => None,
        }
    }

    pub fn explain_not_member(e: &KsError, sentence: &str) -> Option<AppError> {
        match e {
            KsError::Invalid { detail, .. } if detail.contains("not exist") => Some(AppError::field("username", sentence)),
            _ => None,
        }
    }
}
