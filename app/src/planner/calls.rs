//! The calls onboarding makes — the wizard's steps and the bulk file's rows alike — and how one
//! is sent: with the signed-in person's token, recorded in the activity log.

use ks_client::{Cause, NewUser};
use ks_types::{ClusterName, Email, Password, PlatformRole, ProjectName, ProjectRole, UserName, WorkspaceRole};

use crate::audit::{Action, Change, Via};
use crate::error::AppError;
use crate::i18n::td_string;
use crate::upstream::Upstream;

/// One call to KubeSphere, with what the activity log needs (the role it replaces).
#[derive(Debug, Clone)]
pub enum Call {
    /// `password`: `None` generates a strong one.
    CreateUser {
        user: UserName,
        email: Email,
        display_name: Option<String>,
        role: PlatformRole,
        password: Option<Password>,
    },
    PlatformRole {
        user: UserName,
        role: PlatformRole,
        before: Option<String>,
    },
    InviteToWorkspace {
        user: UserName,
        role: WorkspaceRole,
    },
    WorkspaceRole {
        user: UserName,
        role: WorkspaceRole,
        before: String,
    },
    /// `workspace`: the project's, as KubeSphere labels it (for the log).
    InviteToProject {
        user: UserName,
        cluster: ClusterName,
        project: ProjectName,
        workspace: Option<String>,
        role: ProjectRole,
    },
    ProjectRole {
        user: UserName,
        cluster: ClusterName,
        project: ProjectName,
        workspace: Option<String>,
        role: ProjectRole,
        before: String,
    },
}

impl Call {
    /// The call in plain words, in the language of the request being answered.
    pub fn text(&self) -> String {
        let locale = crate::language::locale();
        match self {
            Call::CreateUser { user, email, role, .. } => {
                td_string!(locale, onboarding.call_create_user, user, email, role = role.name()).to_string()
            }
            Call::PlatformRole { user, role, before } => {
                let before = before.as_deref().unwrap_or(td_string!(locale, onboarding.no_role));
                td_string!(locale, onboarding.call_platform_role, user, before, role = role.name()).to_string()
            }
            Call::InviteToWorkspace { user, role } => td_string!(
                locale,
                onboarding.call_invite_workspace,
                user,
                workspace = role.workspace(),
                role = role.name()
            )
            .to_string(),
            Call::WorkspaceRole { user, role, before } => td_string!(
                locale,
                onboarding.call_workspace_role,
                user,
                workspace = role.workspace(),
                before,
                role = role.name()
            )
            .to_string(),
            Call::InviteToProject { user, cluster, project, role, .. } => {
                td_string!(locale, onboarding.call_invite_project, user, project, cluster, role = role.name())
                    .to_string()
            }
            Call::ProjectRole { user, cluster, project, role, before, .. } => {
                td_string!(locale, onboarding.call_project_role, user, project, cluster, before, role = role.name())
                    .to_string()
            }
        }
    }

    pub fn is_admin(&self) -> bool {
        match self {
            Call::CreateUser { role, .. } | Call::PlatformRole { role, .. } => role.is_admin(),
            Call::InviteToWorkspace { role, .. } | Call::WorkspaceRole { role, .. } => role.kind().is_admin(),
            Call::InviteToProject { role, .. } | Call::ProjectRole { role, .. } => role.is_admin(),
        }
    }

    pub fn creates_account(&self) -> bool {
        matches!(self, Call::CreateUser { .. })
    }

    /// Sends it, recorded in the activity log as made `via`; the new account's password when it
    /// created one (shown once by the page, never stored).
    pub async fn send(self, upstream: &Upstream, via: Via) -> Result<Option<String>, AppError> {
        let explain_role = crate::roles::ssr::explain_role_missing;
        match self {
            Call::CreateUser { user, email, display_name, role, password } => {
                let password = match password {
                    Some(p) => p,
                    None => Password::parse(&crate::people::ssr::strong_password()).map_err(|_| AppError::Internal)?,
                };
                let shown = password.expose().to_owned();
                let creator = upstream.username().to_owned();
                let change = Change::new(Action::CreateUser).user(&user).roles(None, role.name());
                let locale = crate::language::locale();
                let taken = td_string!(locale, onboarding.user_exists, user = &user).to_string();
                let email_taken = td_string!(locale, onboarding.email_taken);
                let new = NewUser { name: user, email, password, role, display_name, description: None };
                let write = upstream.call_mapped(
                    |api| async move { api.create_user(&new, &creator).await },
                    move |e| match e.cause() {
                        Cause::AlreadyExists => Some(AppError::Invalid(taken.clone())),
                        Cause::EmailTaken => Some(AppError::Invalid(email_taken.into())),
                        _ => None,
                    },
                );
                upstream.recorded(via, vec![change], write).await?;
                Ok(Some(shown))
            }
            Call::PlatformRole { user, role, before } => {
                let change = Change::new(Action::ChangePlatformRole).user(&user).roles(before, role.name());
                let write = upstream.call(|api| async move { api.change_platform_role(&user, role).await });
                upstream.recorded(via, vec![change], write).await.map(|_| None)
            }
            Call::InviteToWorkspace { user, role } => {
                let change = Change::new(Action::InviteToWorkspace)
                    .user(&user)
                    .workspace(role.workspace())
                    .roles(None, role.name());
                let entries = vec![(user, role.clone())];
                let write = upstream.call_mapped(
                    |api| async move { api.add_workspace_members(role.workspace(), &entries).await },
                    explain_role,
                );
                upstream.recorded(via, vec![change], write).await.map(|_| None)
            }
            Call::WorkspaceRole { user, role, before } => {
                let change = Change::new(Action::ChangeWorkspaceRole)
                    .user(&user)
                    .workspace(role.workspace())
                    .roles(Some(before), role.name());
                let write = upstream
                    .call_mapped(|api| async move { api.change_workspace_role(&user, &role).await }, explain_role);
                upstream.recorded(via, vec![change], write).await.map(|_| None)
            }
            Call::InviteToProject { user, cluster, project, workspace, role } => {
                let change = Change::new(Action::InviteToProject)
                    .user(&user)
                    .in_workspace(workspace)
                    .project(&cluster, &project)
                    .roles(None, role.name());
                let entries = vec![(user, role)];
                let write = upstream.call_mapped(
                    |api| async move { api.add_project_members(&cluster, &project, &entries).await },
                    explain_role,
                );
                upstream.recorded(via, vec![change], write).await.map(|_| None)
            }
            Call::ProjectRole { user, cluster, project, workspace, role, before } => {
                let change = Change::new(Action::ChangeProjectRole)
                    .user(&user)
                    .in_workspace(workspace)
                    .project(&cluster, &project)
                    .roles(Some(before), role.name());
                let write = upstream.call_mapped(
                    |api| async move { api.change_project_role(&cluster, &project, &user, role).await },
                    explain_role,
                );
                upstream.recorded(via, vec![change], write).await.map(|_| None)
            }
        }
    }
}
