//! The calls a plan makes — the wizard's steps and the bulk file's rows alike — and how one is
//! sent: with the signed-in person's token, recorded in the activity log with its workspace.

use ks_client::{Cause, KsError, NewUser};
use ks_types::{
    ClusterName, Email, Password, PlatformRole, ProjectName, ProjectRole, UserName, WorkspaceName, WorkspaceRole,
};

use super::Step;
use crate::audit::{Action, Change, Failure, Via};
use crate::error::AppError;
use crate::upstream::Upstream;

/// One call to KubeSphere, with what the activity log needs (the role it replaces).
#[derive(Debug, Clone)]
pub enum Call {
    CreateUser {
        user: UserName,
        email: Email,
        display_name: Option<String>,
        role: PlatformRole,
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
    InviteToProject {
        user: UserName,
        workspace: WorkspaceName,
        cluster: ClusterName,
        project: ProjectName,
        role: ProjectRole,
    },
    ProjectRole {
        user: UserName,
        workspace: WorkspaceName,
        cluster: ClusterName,
        project: ProjectName,
        role: ProjectRole,
        before: String,
    },
}

impl Call {
    /// The call as a page shows it.
    pub fn step(&self) -> Step {
        fn s(v: &(impl ToString + ?Sized)) -> String {
            v.to_string()
        }
        match self {
            Call::CreateUser { user, email, role, .. } => {
                Step::CreateUser { user: s(user), email: s(email), role: s(role.name()) }
            }
            Call::PlatformRole { user, role, before } => {
                Step::PlatformRole { user: s(user), before: before.clone(), role: s(role.name()) }
            }
            Call::InviteToWorkspace { user, role } => {
                Step::InviteToWorkspace { user: s(user), workspace: s(role.workspace()), role: s(role.name()) }
            }
            Call::WorkspaceRole { user, role, before } => Step::WorkspaceRole {
                user: s(user),
                workspace: s(role.workspace()),
                before: before.clone(),
                role: s(role.name()),
            },
            Call::InviteToProject { user, workspace, cluster, project, role } => Step::InviteToProject {
                user: s(user),
                workspace: s(workspace),
                cluster: s(cluster),
                project: s(project),
                role: s(role.name()),
            },
            Call::ProjectRole { user, workspace, cluster, project, role, before } => Step::ProjectRole {
                user: s(user),
                workspace: s(workspace),
                cluster: s(cluster),
                project: s(project),
                before: before.clone(),
                role: s(role.name()),
            },
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
    /// created one (shown once by the page, never stored). `password`: the one typed for a new
    /// account; `None` generates a strong one.
    pub async fn send(
        self,
        upstream: &Upstream,
        via: Via,
        password: Option<Password>,
    ) -> Result<Option<String>, Failure> {
        match self {
            Call::CreateUser { user, email, display_name, role } => {
                let new =
                    NewUser { name: user, email, password: strong(password)?, role, display_name, description: None };
                create_user(upstream, via, new).await.map(Some)
            }
            Call::PlatformRole { user, role, before } => {
                let change = Change::new(Action::ChangePlatformRole).user(&user).roles(before, role.name());
                let write = async {
                    upstream
                        .read(|api| async move { api.change_platform_role(&user, role).await })
                        .await
                        .map_err(|e| failure(&e))
                };
                upstream.recorded_typed(via, vec![change], write).await.map(|_| None)
            }
            Call::InviteToWorkspace { user, role } => {
                let change = Change::new(Action::InviteToWorkspace)
                    .user(&user)
                    .workspace(role.workspace())
                    .roles(None, role.name());
                let grant = Grant::Workspace(user.clone(), role.clone());
                let entries = vec![(user, role.clone())];
                let write =
                    upstream.read(|api| async move { api.add_workspace_members(role.workspace(), &entries).await });
                grant.recorded(upstream, via, change, write).await
            }
            Call::WorkspaceRole { user, role, before } => {
                let change = Change::new(Action::ChangeWorkspaceRole)
                    .user(&user)
                    .workspace(role.workspace())
                    .roles(Some(before), role.name());
                let grant = Grant::Workspace(user.clone(), role.clone());
                let write = upstream.read(|api| async move { api.change_workspace_role(&user, &role).await });
                grant.recorded(upstream, via, change, write).await
            }
            Call::InviteToProject { user, workspace, cluster, project, role } => {
                let change = Change::new(Action::InviteToProject)
                    .user(&user)
                    .workspace(&workspace)
                    .project(&cluster, &project)
                    .roles(None, role.name());
                let grant = Grant::Project(user.clone(), cluster.clone(), project.clone(), role);
                let entries = vec![(user, role)];
                let write =
                    upstream.read(|api| async move { api.add_project_members(&cluster, &project, &entries).await });
                grant.recorded(upstream, via, change, write).await
            }
            Call::ProjectRole { user, workspace, cluster, project, role, before } => {
                let change = Change::new(Action::ChangeProjectRole)
                    .user(&user)
                    .workspace(&workspace)
                    .project(&cluster, &project)
                    .roles(Some(before), role.name());
                let grant = Grant::Project(user.clone(), cluster.clone(), project.clone(), role);
                let write =
                    upstream.read(|api| async move { api.change_project_role(&cluster, &project, &user, role).await });
                grant.recorded(upstream, via, change, write).await
            }
        }
    }
}

/// What a refusal of KubeSphere's means for a call: the causes a person can act on, else the
/// console's error for it.
fn failure(e: &KsError) -> Failure {
    match e.cause() {
        Cause::RoleNotFound => Failure::RoleMissing,
        Cause::LabelTooLong => Failure::RoleNameTooLong,
        Cause::EmailTaken => Failure::EmailTaken,
        _ => Failure::Error { code: AppError::from(e).code().to_owned() },
    }
}

fn strong(password: Option<Password>) -> Result<Password, Failure> {
    match password {
        Some(p) => Ok(p),
        None => Password::parse(&crate::people::ssr::strong_password())
            .map_err(|_| Failure::Error { code: AppError::Internal.code().to_owned() }),
    }
}

async fn create_user(upstream: &Upstream, via: Via, new: NewUser) -> Result<String, Failure> {
    let shown = new.password.expose().to_owned();
    let creator = upstream.username().to_owned();
    let change = Change::new(Action::CreateUser).user(&new.name).roles(None, new.role.name());
    let user = new.name.to_string();
    let write = async {
        upstream.read(|api| async move { api.create_user(&new, &creator).await }).await.map_err(|e| match e.cause() {
            Cause::AlreadyExists => Failure::UserExists { user },
            _ => failure(&e),
        })
    };
    upstream.recorded_typed(via, vec![change], write).await?;
    Ok(shown)
}

/// A member grant, for explaining what KubeSphere's answer means.
enum Grant {
    Workspace(UserName, WorkspaceRole),
    Project(UserName, ClusterName, ProjectName, ProjectRole),
}

impl Grant {
    /// Sends the grant and records it. KubeSphere names a grant's binding `{user}-{role}`, after
    /// removing the person's other bindings there (`pkg/models/iam/am/am.go`); a 409 means that
    /// name is taken — by this very grant (a re-add its cache missed: in place), or by another
    /// scope's binding, and then the person's previous role is gone: say exactly that.
    async fn recorded(
        self,
        upstream: &Upstream,
        via: Via,
        change: Change,
        write: impl std::future::Future<Output = Result<serde_json::Value, KsError>>,
    ) -> Result<Option<String>, Failure> {
        let answer = async {
            match write.await {
                Ok(_) => Ok(()),
                Err(e) if e.cause() == Cause::AlreadyExists => self.after_conflict(upstream).await,
                Err(e) => Err(failure(&e)),
            }
        };
        upstream.recorded_typed(via, vec![change], answer).await.map(|_| None)
    }

    async fn after_conflict(&self, upstream: &Upstream) -> Result<(), Failure> {
        let held = match self {
            Grant::Workspace(user, role) => {
                crate::activity::ssr::workspace_role_of(upstream, role.workspace(), user).await
            }
            Grant::Project(user, cluster, project, _) => {
                crate::activity::ssr::project_role_of(upstream, cluster, project, user).await
            }
        };
        let (user, role, place) = match self {
            Grant::Workspace(user, role) => (user, role.name(), role.workspace().to_string()),
            Grant::Project(user, _, project, role) => (user, role.name(), project.to_string()),
        };
        if held.as_deref() == Some(role) {
            return Ok(());
        }
        let binding = format!("{user}-{role}");
        Err(Failure::BindingCollision { user: user.to_string(), role: role.to_owned(), binding, place })
    }
}
