//! The calls a plan makes — the wizard's steps and the bulk file's rows alike — and how one is
//! sent: with the signed-in person's token, recorded in the activity log with its workspace.

use ks_client::{Cause, FirstSignIn, KsError, NewUser};
use ks_types::{
    ClusterName, Email, IdentityLink, Password, PlatformRole, ProjectName, ProjectRole, UserName, WorkspaceName,
    WorkspaceRole,
};

use super::Step;
use crate::activity_log::{Action, Change, Failure, Via};
use crate::error::AppError;
use crate::upstream::Upstream;

/// One call to KubeSphere, with what the activity log needs (the role it replaces).
#[derive(Debug, Clone)]
pub enum Call {
    CreateUser {
        user: UserName,
        /// Signs in through a directory or SSO as this identity; else with a password.
        link: Option<IdentityLink>,
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
            Call::CreateUser { user, link, email, display_name, role } => {
                let first_sign_in = match link {
                    Some(link) => FirstSignIn::Linked(link),
                    None => FirstSignIn::Password(strong(password)?),
                };
                let new = NewUser { name: user, email, first_sign_in, role, display_name, description: None };
                create_user(upstream, via, new).await
            }
            Call::PlatformRole { user, role, before } => {
                let change = Change::new(Action::ChangePlatformRole).user(&user).roles(before, role.name());
                let write = async {
                    let u = &user;
                    upstream.read(|api| async move { api.change_platform_role(u, role).await }).await.map_err(|e| {
                        match e.cause() {
                            Cause::Modified => Failure::Busy { user: user.to_string() },
                            _ => failure(&e),
                        }
                    })
                };
                upstream.recorded_typed(via, vec![change], write).await.map(|_| None)
            }
            Call::InviteToWorkspace { user, role } => invite_to_workspace(upstream, via, vec![user], role).await,
            Call::WorkspaceRole { user, role, before } => {
                let change = Change::new(Action::ChangeWorkspaceRole)
                    .user(&user)
                    .workspace(role.workspace())
                    .roles(Some(before), role.name());
                let grant = Grant::Workspace(vec![user.clone()], role.clone());
                let write = upstream.read(|api| async move { api.change_workspace_role(&user, &role).await });
                grant.recorded(upstream, via, vec![change], write).await
            }
            Call::InviteToProject { user, workspace, cluster, project, role } => {
                let place = ProjectInvitation { workspace, cluster, project, role };
                invite_to_project(upstream, via, vec![user], place).await
            }
            Call::ProjectRole { user, workspace, cluster, project, role, before } => {
                let change = Change::new(Action::ChangeProjectRole)
                    .user(&user)
                    .workspace(&workspace)
                    .project(&cluster, &project)
                    .roles(Some(before), role.name());
                let grant = Grant::Project(vec![user.clone()], cluster.clone(), project.clone(), role);
                let write =
                    upstream.read(|api| async move { api.change_project_role(&cluster, &project, &user, role).await });
                grant.recorded(upstream, via, vec![change], write).await
            }
        }
    }
}

/// Sends `calls` in order, the invitations of several people to one place with one role as one
/// request (KubeSphere takes them as one array, and a form's people succeed or fail together).
/// Stops at the first failure.
pub async fn send_together(calls: Vec<Call>, upstream: &Upstream, via: Via) -> Result<(), Failure> {
    let mut calls = calls.into_iter().peekable();
    while let Some(call) = calls.next() {
        match call {
            Call::InviteToWorkspace { user, role } => {
                let mut users = vec![user];
                while let Some(Call::InviteToWorkspace { user, .. }) =
                    calls.next_if(|c| matches!(c, Call::InviteToWorkspace { role: r, .. } if *r == role))
                {
                    users.push(user);
                }
                invite_to_workspace(upstream, via, users, role).await?;
            }
            Call::InviteToProject { user, workspace, cluster, project, role } => {
                let place = ProjectInvitation { workspace, cluster, project, role };
                let mut users = vec![user];
                while let Some(Call::InviteToProject { user, .. }) = calls.next_if(|c| place.same(c)) {
                    users.push(user);
                }
                invite_to_project(upstream, via, users, place).await?;
            }
            other => {
                other.send(upstream, via, None).await?;
            }
        }
    }
    Ok(())
}

async fn invite_to_workspace(
    upstream: &Upstream,
    via: Via,
    users: Vec<UserName>,
    role: WorkspaceRole,
) -> Result<Option<String>, Failure> {
    let changes = users
        .iter()
        .map(|u| Change::new(Action::InviteToWorkspace).user(u).workspace(role.workspace()).roles(None, role.name()))
        .collect();
    let entries: Vec<_> = users.iter().map(|u| (u.clone(), role.clone())).collect();
    let grant = Grant::Workspace(users, role.clone());
    let write = upstream.read(|api| async move { api.add_workspace_members(role.workspace(), &entries).await });
    grant.recorded(upstream, via, changes, write).await
}

/// Where a project invitation goes, with which role.
struct ProjectInvitation {
    workspace: WorkspaceName,
    cluster: ClusterName,
    project: ProjectName,
    role: ProjectRole,
}

impl ProjectInvitation {
    fn same(&self, call: &Call) -> bool {
        matches!(call, Call::InviteToProject { workspace, cluster, project, role, .. }
            if (workspace, cluster, project, role) == (&self.workspace, &self.cluster, &self.project, &self.role))
    }
}

async fn invite_to_project(
    upstream: &Upstream,
    via: Via,
    users: Vec<UserName>,
    place: ProjectInvitation,
) -> Result<Option<String>, Failure> {
    let ProjectInvitation { workspace, cluster, project, role } = place;
    let changes = users
        .iter()
        .map(|u| {
            Change::new(Action::InviteToProject)
                .user(u)
                .workspace(&workspace)
                .project(&cluster, &project)
                .roles(None, role.name())
        })
        .collect();
    let entries: Vec<_> = users.iter().map(|u| (u.clone(), role)).collect();
    let grant = Grant::Project(users, cluster.clone(), project.clone(), role);
    let write = upstream.read(|api| async move { api.add_project_members(&cluster, &project, &entries).await });
    grant.recorded(upstream, via, changes, write).await
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

/// 20 characters from an unambiguous alphabet, always with a lowercase letter, an uppercase
/// letter and a digit (KubeSphere's rule), from the OS random source. It begins with a letter or
/// a digit: a spreadsheet would take a leading `-` or `@` for a formula and alter the only copy.
pub fn strong_password() -> String {
    const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGIT: &[u8] = b"23456789";
    const ALL: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_!@#%";
    loop {
        let bytes: Vec<u8> = (0..2).flat_map(|_| *uuid::Uuid::new_v4().as_bytes()).collect();
        let mut chars: Vec<char> = bytes.iter().take(20).map(|b| ALL[usize::from(*b) % ALL.len()] as char).collect();
        // Rare: a class is missing; place one of each at positions picked by spare bytes (the
        // first of them at the start, which also settles what it begins with).
        let picks = [(LOWER, bytes[20]), (UPPER, bytes[21]), (DIGIT, bytes[22])];
        let fix = !ks_types::PasswordCheck::of(&chars.iter().collect::<String>()).passes()
            || !chars[0].is_ascii_alphanumeric();
        if fix {
            for (i, (set, b)) in picks.iter().enumerate() {
                chars[i * 7 % 20] = set[usize::from(*b) % set.len()] as char;
            }
        }
        let password: String = chars.into_iter().collect();
        if ks_types::PasswordCheck::of(&password).passes() {
            return password;
        }
    }
}

fn strong(password: Option<Password>) -> Result<Password, Failure> {
    match password {
        Some(p) => Ok(p),
        None => Password::parse(&strong_password())
            .map_err(|_| Failure::Error { code: AppError::Internal.code().to_owned() }),
    }
}

/// Creates the account; its password, when it has one (to be shown once).
async fn create_user(upstream: &Upstream, via: Via, new: NewUser) -> Result<Option<String>, Failure> {
    let shown = match &new.first_sign_in {
        FirstSignIn::Password(password) => Some(password.expose().to_owned()),
        FirstSignIn::Linked(_) => None,
    };
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

/// A member grant (to one person, or several at once), for explaining what KubeSphere's answer
/// means.
enum Grant {
    Workspace(Vec<UserName>, WorkspaceRole),
    Project(Vec<UserName>, ClusterName, ProjectName, ProjectRole),
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
        changes: Vec<Change>,
        write: impl std::future::Future<Output = Result<serde_json::Value, KsError>>,
    ) -> Result<Option<String>, Failure> {
        let answer = async {
            match write.await {
                Ok(_) => Ok(()),
                Err(e) if e.cause() == Cause::AlreadyExists => self.after_conflict(upstream).await,
                Err(e) => Err(failure(&e)),
            }
        };
        upstream.recorded_typed(via, changes, answer).await.map(|_| None)
    }

    /// After a 409: fine if everyone holds the role now; else the first who does not.
    async fn after_conflict(&self, upstream: &Upstream) -> Result<(), Failure> {
        let (users, role, place) = match self {
            Grant::Workspace(users, role) => (users, role.name(), role.workspace().to_string()),
            Grant::Project(users, _, project, role) => (users, role.name(), project.to_string()),
        };
        for user in users {
            let held = match self {
                Grant::Workspace(_, role) => {
                    crate::activity::ssr::workspace_role_of(upstream, role.workspace(), user).await
                }
                Grant::Project(_, cluster, project, _) => {
                    crate::activity::ssr::project_role_of(upstream, cluster, project, user).await
                }
            };
            if held.as_deref() != Some(role) {
                let binding = format!("{user}-{role}");
                let (user, role, place) = (user.to_string(), role.to_owned(), place.clone());
                return Err(Failure::BindingCollision { user, role, binding, place });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn generated_passwords_satisfy_kubesphere_differ_and_never_look_like_a_formula() {
        assert_ne!(super::strong_password(), super::strong_password());
        for _ in 0..2000 {
            let password = super::strong_password();
            assert!(ks_types::PasswordCheck::of(&password).passes(), "{password}");
            assert!(password.starts_with(|c: char| c.is_ascii_alphanumeric()), "{password}");
        }
    }
}
