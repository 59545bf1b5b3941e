//! Roles: the built-in roles a form may offer at each level, and changing a person's role on the
//! platform, in a workspace or in a project (`/roles`). Only built-in roles; an admin role needs
//! an explicit confirmation. Workspace roles are resolved by kind from what KubeSphere says the
//! workspace has, never computed.

mod page;

pub use page::ChangeRolesPage;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::i18n::td_string;

/// The answer to an invitation or a role change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipChange {
    /// Where: a workspace name, or `cluster/project`.
    pub target: String,
    pub usernames: Vec<String>,
    pub role: String,
}

/// Changes a user's platform role. Only the role annotation changes: the user is read and
/// written back whole, because KubeSphere's PUT replaces the entire object.
#[server(prefix = "/api", endpoint = "change_platform_role")]
pub async fn change_platform_role(
    username: String,
    platform_role: String,
    #[server(default)] confirm_admin: Option<String>,
) -> Result<crate::roles::MembershipChange, AppError> {
    use crate::audit::{Action, Change, Via};
    use ks_client::Cause;
    use ks_types::{PlatformRole, UserName};
    let locale = crate::language::locale();
    let user = UserName::parse(&username).map_err(|e| AppError::field("username", crate::error::name_error(&e)))?;
    let role = PlatformRole::parse(&platform_role)
        .map_err(|e| AppError::field("platform_role", crate::error::role_error(&e)))?;
    crate::roles::ssr::require_confirmation(
        role.is_admin(),
        &confirm_admin,
        td_string!(locale, roles.what_platform_admin),
    )?;
    let upstream = crate::upstream::Upstream::from_context()?;
    let u = user.clone();
    let missing = td_string!(locale, roles.no_user_named, user = &user).to_string();
    let busy = td_string!(locale, roles.user_busy, user = &user).to_string();
    let changed = upstream
        .call_mapped(
            |api| async move { api.change_platform_role(&u, role).await },
            move |e| match e.cause() {
                Cause::UserNotFound => Some(AppError::field("username", missing.clone())),
                Cause::RoleNotFound => {
                    Some(AppError::field("platform_role", td_string!(locale, roles.platform_role_missing)))
                }
                Cause::Modified => Some(AppError::Invalid(busy.clone())),
                _ => None,
            },
        )
        .await;
    // The role before is what KubeSphere held when the change was made (read by the change itself).
    let before = changed.as_ref().ok().and_then(|c| c.previous.clone());
    let change = Change::new(Action::ChangePlatformRole).user(&user).roles(before, role.name());
    upstream.recorded(Via::Form, vec![change], async { changed }).await?;
    Ok(crate::roles::MembershipChange {
        target: "platform".into(),
        usernames: vec![user.to_string()],
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
    use crate::audit::{Action, Change, Via};
    use ks_types::{UserName, WorkspaceName, WorkspaceRoleKind};
    let locale = crate::language::locale();
    let ws =
        WorkspaceName::parse(&workspace).map_err(|e| AppError::field("workspace", crate::error::name_error(&e)))?;
    let user = UserName::parse(&username).map_err(|e| AppError::field("username", crate::error::name_error(&e)))?;
    let kind = WorkspaceRoleKind::parse(&role).map_err(|e| AppError::field("role", crate::error::role_error(&e)))?;
    ssr::require_confirmation(kind.is_admin(), &confirm_admin, &ssr::admin_of_workspace(&ws))?;
    let upstream = crate::upstream::Upstream::from_context()?;
    let (role, before) = futures::future::join(
        ssr::resolve_workspace_role(&upstream, &ws, kind),
        crate::activity::ssr::workspace_role_of(&upstream, &ws, &user),
    )
    .await;
    let role = role?;
    let (u, r) = (user.clone(), role.clone());
    let not_member = td_string!(locale, roles.not_workspace_member, user = &user, ws = &ws).to_string();
    let change = Change::new(Action::ChangeWorkspaceRole).user(&user).workspace(&ws).roles(before, role.name());
    let write = upstream.call_mapped(
        |api| async move { api.change_workspace_role(&u, &r).await },
        move |e| ssr::explain_not_member(e, &not_member).or_else(|| ssr::explain_role_missing(e)),
    );
    upstream.recorded(Via::Form, vec![change], write).await?;
    Ok(MembershipChange { target: ws.to_string(), usernames: vec![user.to_string()], role: role.name().to_owned() })
}

/// Changes a member's role in a project.
#[server(prefix = "/api", endpoint = "change_project_role")]
pub async fn change_project_role(
    project: String,
    username: String,
    role: String,
    #[server(default)] confirm_admin: Option<String>,
    /// The project's workspace as the form's picker has it (checked before it is logged).
    #[server(default)]
    workspace: Option<String>,
) -> Result<MembershipChange, AppError> {
    use crate::audit::{Action, Change, Via};
    use ks_types::{ProjectRole, UserName};
    let locale = crate::language::locale();
    let (cluster, ns) = crate::forms::parse_project_key(&project)?;
    let user = UserName::parse(&username).map_err(|e| AppError::field("username", crate::error::name_error(&e)))?;
    let role = ProjectRole::parse(&role).map_err(|e| AppError::field("role", crate::error::role_error(&e)))?;
    ssr::require_confirmation(role.is_admin(), &confirm_admin, &ssr::admin_of_project(&ns))?;
    let upstream = crate::upstream::Upstream::from_context()?;
    let (role_exists, project_ws, before) = futures::future::join3(
        ssr::require_project_role(&upstream, &cluster, &ns, role),
        crate::activity::ssr::project_workspace(
            &upstream,
            &cluster,
            &ns,
            workspace.and_then(|w| ks_types::WorkspaceName::parse(&w).ok()).as_ref(),
        ),
        crate::activity::ssr::project_role_of(&upstream, &cluster, &ns, &user),
    )
    .await;
    role_exists?;
    let (c, n, u) = (cluster.clone(), ns.clone(), user.clone());
    let not_member = td_string!(locale, roles.not_project_member, user = &user, ns = &ns).to_string();
    let change = Change::new(Action::ChangeProjectRole)
        .user(&user)
        .in_workspace(project_ws)
        .project(&cluster, &ns)
        .roles(before, role.name());
    let write = upstream.call_mapped(
        |api| async move { api.change_project_role(&c, &n, &u, role).await },
        move |e| ssr::explain_not_member(e, &not_member).or_else(|| ssr::explain_role_missing(e)),
    );
    upstream.recorded(Via::Form, vec![change], write).await?;
    Ok(MembershipChange {
        target: format!("{cluster}/{ns}"),
        usernames: vec![user.to_string()],
        role: role.name().into(),
    })
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use std::time::Duration;

    use ks_client::{Cause, KsError};
    use ks_types::{
        ClusterName, ProjectName, ProjectRole, WorkspaceName, WorkspaceRole, WorkspaceRoleKind, LABEL_VALUE_MAX,
    };

    use crate::error::AppError;
    use crate::i18n::td_string;
    use crate::language::locale;
    use crate::upstream::Upstream;

    /// Admin roles are granted only with the explicit confirmation the form asks for. `what` is
    /// what they would become, in the request's language (see [`admin_of_workspace`]).
    pub fn require_confirmation(is_admin: bool, confirm: &Option<String>, what: &str) -> Result<(), AppError> {
        if is_admin && confirm.as_deref() != Some("yes") {
            return Err(AppError::field("confirm_admin", td_string!(locale(), roles.confirm_admin, what).to_string()));
        }
        Ok(())
    }

    /// "admin of workspace {ws}", for [`require_confirmation`], in the request's language.
    pub fn admin_of_workspace(ws: &WorkspaceName) -> String {
        td_string!(locale(), roles.what_workspace_admin, ws).to_string()
    }

    /// "admin of project {ns}", for [`require_confirmation`], in the request's language.
    pub fn admin_of_project(ns: &ProjectName) -> String {
        td_string!(locale(), roles.what_project_admin, ns).to_string()
    }

    /// How long an invitation waits for KubeSphere's controllers to make a new workspace's or
    /// project's built-in roles (they appear shortly after the create call returns).
    pub const SETUP_WAIT: Duration = Duration::from_secs(3);
    /// A workspace younger than this may still be being set up by KubeSphere.
    pub const SETUP_WINDOW: Duration = Duration::from_secs(300);

    /// Waits before each retry: 100 ms, 200 ms, 400 ms, … the last one cut so that they add up
    /// to [`SETUP_WAIT`].
    pub fn setup_backoff() -> impl Iterator<Item = Duration> {
        let mut left = SETUP_WAIT;
        std::iter::successors(Some(Duration::from_millis(100)), |d| Some(*d * 2)).map_while(move |d| {
            let wait = d.min(left);
            left -= wait;
            (!wait.is_zero()).then_some(wait)
        })
    }

    /// The built-in role of `kind` in `ws`, with the name KubeSphere gave it. Right after a
    /// workspace is created its roles do not exist yet: wait for them, briefly. A workspace that
    /// does not exist, or an older one without that role, is said plainly instead.
    pub async fn resolve_workspace_role(
        upstream: &Upstream,
        ws: &WorkspaceName,
        kind: WorkspaceRoleKind,
    ) -> Result<WorkspaceRole, AppError> {
        let locale = locale();
        let role = await_setup(
            td_string!(locale, roles.setting_up_workspace, ws).to_string(),
            || async move {
                Ok(upstream.call(|api| async move { api.builtin_workspace_roles(ws).await }).await?.get(kind).cloned())
            },
            || async move {
                let template = upstream
                    .call_mapped(
                        |api| async move { api.get_workspace(ws).await },
                        |e| {
                            matches!(e, KsError::NotFound { .. }).then(|| {
                                AppError::field(
                                    "workspace",
                                    td_string!(locale, roles.no_workspace_named, ws).to_string(),
                                )
                            })
                        },
                    )
                    .await?;
                Ok(template.metadata.age())
            },
            || td_string!(locale, roles.workspace_role_missing, ws, kind = kind.suffix()).to_string(),
        )
        .await?;
        bindable(role)
    }

    /// Checks that project `ns` has its built-in `role`, waiting briefly for a new project's
    /// roles as [`resolve_workspace_role`] does.
    pub async fn require_project_role(
        upstream: &Upstream,
        cluster: &ClusterName,
        ns: &ProjectName,
        role: ProjectRole,
    ) -> Result<(), AppError> {
        let locale = locale();
        await_setup(
            td_string!(locale, roles.setting_up_project, ns).to_string(),
            || async move {
                let roles = upstream.call(|api| async move { api.list_project_roles(cluster, ns).await }).await?;
                Ok(roles.iter().any(|r| r.metadata.name == role.name()).then_some(()))
            },
            || async move {
                let found =
                    upstream.call(|api| async move { api.namespaces_named(cluster, &[ns.as_str()]).await }).await?;
                let namespace = found.into_iter().find(|n| n.metadata.name == ns.as_str()).ok_or_else(|| {
                    AppError::field("project", td_string!(locale, roles.no_project_named, ns, cluster).to_string())
                })?;
                Ok(namespace.metadata.age())
            },
            || td_string!(locale, roles.project_role_missing, ns, role = role.name()).to_string(),
        )
        .await
    }

    /// Looks for something KubeSphere's controllers make after a create call returns. When it is
    /// missing, `age` says how old its owner is (or fails when the owner does not exist): a young
    /// one is waited for within [`SETUP_WAIT`], an old one gets the `missing` sentence.
    async fn await_setup<T, Find, FindFut, Age, AgeFut>(
        what: String,
        mut find: Find,
        age: Age,
        missing: impl FnOnce() -> String,
    ) -> Result<T, AppError>
    where
        Find: FnMut() -> FindFut,
        FindFut: std::future::Future<Output = Result<Option<T>, AppError>>,
        Age: FnOnce() -> AgeFut,
        AgeFut: std::future::Future<Output = Result<Option<Duration>, AppError>>,
    {
        if let Some(found) = find().await? {
            return Ok(found);
        }
        if age().await?.is_none_or(|age| age >= SETUP_WINDOW) {
            return Err(AppError::field("role", missing()));
        }
        for delay in setup_backoff() {
            tokio::time::sleep(delay).await;
            if let Some(found) = find().await? {
                return Ok(found);
            }
        }
        Err(AppError::StillSettingUp(what))
    }

    /// KubeSphere 4.1.2 and older name a long workspace's roles `{ws}-{kind}`, too long for the
    /// label KubeSphere puts on a binding: such a grant fails, after KubeSphere has already
    /// removed the person's current role there. Refuse it before anything is sent.
    fn bindable(role: WorkspaceRole) -> Result<WorkspaceRole, AppError> {
        if role.is_bindable() {
            return Ok(role);
        }
        let room = LABEL_VALUE_MAX.saturating_sub(role.kind().suffix().len() + 1);
        Err(AppError::field(
            "role",
            td_string!(
                locale(),
                roles.workspace_name_too_long_to_grant,
                kind = role.kind().suffix(),
                ws = role.workspace(),
                room
            )
            .to_string(),
        ))
    }

    pub fn explain_role_missing(e: &KsError) -> Option<AppError> {
        match e.cause() {
            Cause::RoleNotFound => Some(AppError::field("role", td_string!(locale(), roles.role_missing_here))),
            Cause::LabelTooLong => Some(AppError::field("role", td_string!(locale(), roles.role_name_too_long))),
            _ => None,
        }
    }

    pub fn explain_not_member(e: &KsError, sentence: &str) -> Option<AppError> {
        match e.cause() {
            Cause::NotAMember => Some(AppError::field("username", sentence)),
            _ => None,
        }
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn the_setup_backoff_doubles_and_adds_up_to_the_wait() {
            let waits: Vec<u128> = super::setup_backoff().map(|d| d.as_millis()).collect();
            assert_eq!(waits, [100, 200, 400, 800, 1500]);
        }
    }
}
