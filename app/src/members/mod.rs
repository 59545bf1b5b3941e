//! Memberships: inviting people to workspaces and projects, and changing their role there
//! (steps 4 and 5 of the workflow). Only built-in roles; admin roles need a confirmation.

mod invite_page;
mod project_picker;
mod roles_page;

pub use invite_page::{InviteProjectPage, InviteWorkspacePage};
pub use project_picker::{PickerStart, ProjectPicker};
pub use roles_page::ChangeRolesPage;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::users::RoleOption;

/// The person a page was opened for (`?user=carol`, from their page's "Invite" and "Change a
/// role" links), to fill in the username fields; empty when absent or not a valid username.
fn person_from_address() -> String {
    let query = leptos_router::hooks::use_query_map();
    query.with_untracked(|q| q.get("user")).filter(|u| ks_types::UserName::parse(u).is_ok()).unwrap_or_default()
}

/// The workspace a page was opened for (`?workspace=ws1`, from a workspace's page or the "Show
/// its projects" button of a page without WASM), when it is a valid name.
fn workspace_from_address() -> Option<String> {
    let query = leptos_router::hooks::use_query_map();
    query.with_untracked(|q| q.get("workspace")).filter(|w| ks_types::WorkspaceName::parse(w).is_ok())
}

/// The answer to an invitation or a role change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipChange {
    /// Where: a workspace name, or `cluster/project`.
    pub target: String,
    pub usernames: Vec<String>,
    pub role: String,
}

/// The built-in roles a workspace really has, least privileged first. The form submits the
/// role's kind; its name comes from KubeSphere (it depends on the version and the name's length).
#[server(prefix = "/api", endpoint = "workspace_role_options")]
pub async fn workspace_role_options(workspace: String) -> Result<Vec<RoleOption>, AppError> {
    let ws = ks_types::WorkspaceName::parse(&workspace).map_err(|e| AppError::field("workspace", e.to_string()))?;
    let upstream = crate::upstream::Upstream::from_context()?;
    let roles =
        upstream.call_quiet(|api| async move { api.builtin_workspace_roles(&ws).await }).await.unwrap_or_default();
    Ok(roles
        .iter()
        .map(|role| RoleOption {
            value: role.kind().suffix().into(),
            name: role.name().into(),
            description: role.kind().describe().into(),
            is_admin: role.kind().is_admin(),
        })
        .collect())
}

/// Whether the signed-in user may invite people to, and change roles in, `workspace`.
#[server(prefix = "/api", endpoint = "can_manage_workspace_members")]
pub async fn can_manage_workspace_members(workspace: String) -> Result<bool, AppError> {
    let ws = ks_types::WorkspaceName::parse(&workspace).map_err(|e| AppError::field("workspace", e.to_string()))?;
    crate::permissions::ssr::may(None, &[("scope", "workspace"), ("workspace", ws.as_str())], "members", "manage").await
}

/// Whether the signed-in user may invite people to, and change roles in, a project
/// (`cluster/project`): `members: manage` there, in its `workspace` (which the pages know from
/// the project list, and which is checked), or globally.
#[server(prefix = "/api", endpoint = "can_manage_project_members")]
pub async fn can_manage_project_members(
    project: String,
    #[server(default)] workspace: Option<String>,
) -> Result<bool, AppError> {
    let (cluster, ns) = ssr::parse_project_key(&project)?;
    let ws = workspace
        .filter(|w| !w.is_empty())
        .map(|w| ks_types::WorkspaceName::parse(&w))
        .transpose()
        .map_err(|e| AppError::field("workspace", e.to_string()))?;
    crate::permissions::ssr::may_in_project(&cluster, &ns, ws.as_ref(), "members", "manage").await
}

/// Whether the signed-in user may create projects in `workspace`.
#[server(prefix = "/api", endpoint = "can_create_projects")]
pub async fn can_create_projects(workspace: String) -> Result<bool, AppError> {
    let ws = ks_types::WorkspaceName::parse(&workspace).map_err(|e| AppError::field("workspace", e.to_string()))?;
    crate::permissions::ssr::may(None, &[("scope", "workspace"), ("workspace", ws.as_str())], "projects", "create")
        .await
}

/// What a project form's first render needs: the workspaces and the projects of the one shown
/// first (`workspace` when it is one of them). With `check_members`, also whether the signed-in
/// user may invite people to that workspace's projects as a workspace manager (`None`: not asked
/// or not known). Two upstream rounds: the workspaces and the user's permissions; then that
/// workspace's projects and the check.
#[server(prefix = "/api", endpoint = "project_form_start")]
pub async fn project_form_start(
    #[server(default)] workspace: Option<String>,
    #[server(default)] check_members: bool,
) -> Result<(PickerStart, Option<bool>), AppError> {
    let (workspaces, _) =
        futures::future::join(crate::directory::my_workspaces(), crate::permissions::my_permissions()).await;
    let workspaces = workspaces?;
    let names: Vec<String> = workspaces.iter().map(|w| w.name.clone()).collect();
    let Some(first) = project_picker::first_workspace(&names, workspace) else {
        return Ok((PickerStart::default(), None));
    };
    let clusters = workspaces.iter().find(|w| w.name == first).map(|w| w.clusters.clone()).unwrap_or_default();
    let ws = ks_types::WorkspaceName::parse(&first).map_err(|e| AppError::field("workspace", e.to_string()))?;
    let upstream = crate::upstream::Upstream::from_context()?;
    let (projects, allowed) =
        futures::future::join(crate::directory::ssr::projects_in(&upstream, &ws, &clusters), async {
            if !check_members {
                return None;
            }
            let scope = [("scope", "workspace"), ("workspace", ws.as_str())];
            crate::permissions::ssr::may(None, &scope, "members", "manage").await.ok()
        })
        .await;
    Ok((PickerStart { workspaces: names, workspace: first, projects }, allowed))
}

/// The built-in project roles, least privileged first.
#[server(prefix = "/api", endpoint = "project_role_options")]
pub async fn project_role_options() -> Result<Vec<RoleOption>, AppError> {
    Ok(ks_types::ProjectRole::ALL
        .into_iter()
        .map(|r| RoleOption {
            value: r.name().into(),
            name: r.name().into(),
            description: r.describe().into(),
            is_admin: r.is_admin(),
        })
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
    use ks_types::{WorkspaceName, WorkspaceRoleKind};
    let ws = WorkspaceName::parse(&workspace).map_err(|e| AppError::field("workspace", e.to_string()))?;
    let kind = WorkspaceRoleKind::parse(&role).map_err(|e| AppError::field("role", e.to_string()))?;
    ssr::require_confirmation(kind.is_admin(), &confirm_admin, &format!("admin of workspace {ws}"))?;
    let users = ssr::parse_usernames(&usernames)?;
    let upstream = crate::upstream::Upstream::from_context()?;
    ssr::require_existing_users(&upstream, &users).await?;
    let role = ssr::resolve_workspace_role(&upstream, &ws, kind).await?;
    let ws_for_list = ws.clone();
    let members =
        upstream.call(|api| async move { api.list_workspace_members(&ws_for_list, &[("limit", "-1")]).await }).await?;
    ssr::refuse_existing_members(&members.into_items(), &users, ks_client::model::ANNOTATION_WORKSPACE_ROLE)?;
    let entries: Vec<_> = users.iter().map(|u| (u.clone(), role.clone())).collect();
    let ws_for_add = ws.clone();
    upstream
        .call_mapped(
            |api| async move { api.add_workspace_members(&ws_for_add, &entries).await },
            ssr::explain_role_missing,
        )
        .await?;
    Ok(MembershipChange {
        target: ws.to_string(),
        usernames: users.iter().map(ToString::to_string).collect(),
        role: role.name().to_owned(),
    })
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
    let upstream = crate::upstream::Upstream::from_context()?;
    ssr::require_existing_users(&upstream, &users).await?;
    ssr::require_project_role(&upstream, &cluster, &ns, role).await?;
    let (c, n) = (cluster.clone(), ns.clone());
    let members =
        upstream.call(|api| async move { api.list_project_members(&c, &n, &[("limit", "-1")]).await }).await?;
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
    use ks_types::{UserName, WorkspaceName, WorkspaceRoleKind};
    let ws = WorkspaceName::parse(&workspace).map_err(|e| AppError::field("workspace", e.to_string()))?;
    let user = UserName::parse(&username).map_err(|e| AppError::field("username", e.to_string()))?;
    let kind = WorkspaceRoleKind::parse(&role).map_err(|e| AppError::field("role", e.to_string()))?;
    ssr::require_confirmation(kind.is_admin(), &confirm_admin, &format!("admin of workspace {ws}"))?;
    let upstream = crate::upstream::Upstream::from_context()?;
    let role = ssr::resolve_workspace_role(&upstream, &ws, kind).await?;
    let (u, r) = (user.clone(), role.clone());
    let not_member = format!("{user} is not a member of workspace {ws}. Invite them first.");
    upstream
        .call_mapped(
            |api| async move { api.change_workspace_role(&u, &r).await },
            move |e| ssr::explain_not_member(e, &not_member).or_else(|| ssr::explain_role_missing(e)),
        )
        .await?;
    Ok(MembershipChange { target: ws.to_string(), usernames: vec![user.to_string()], role: role.name().to_owned() })
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
    let upstream = crate::upstream::Upstream::from_context()?;
    ssr::require_project_role(&upstream, &cluster, &ns, role).await?;
    let (c, n, u) = (cluster.clone(), ns.clone(), user.clone());
    let not_member = format!("{user} is not a member of project {ns}. Invite them first.");
    upstream
        .call_mapped(
            |api| async move { api.change_project_role(&c, &n, &u, role).await },
            move |e| ssr::explain_not_member(e, &not_member).or_else(|| ssr::explain_role_missing(e)),
        )
        .await?;
    Ok(MembershipChange {
        target: format!("{cluster}/{ns}"),
        usernames: vec![user.to_string()],
        role: role.name().into(),
    })
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use std::time::Duration;

    use ks_client::model::User;
    use ks_client::{Cause, KsError};
    use ks_types::{
        ClusterName, ProjectName, ProjectRole, UserName, WorkspaceName, WorkspaceRole, WorkspaceRoleKind,
        LABEL_VALUE_MAX,
    };

    use crate::error::AppError;
    use crate::upstream::Upstream;

    /// Admin roles are granted only with the explicit confirmation the form asks for.
    pub fn require_confirmation(is_admin: bool, confirm: &Option<String>, what: &str) -> Result<(), AppError> {
        if is_admin && confirm.as_deref() != Some("yes") {
            return Err(AppError::field("confirm_admin", format!("Confirm that you want to make them {what}.")));
        }
        Ok(())
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
        let role = await_setup(
            format!("workspace {ws}"),
            || async move { Ok(upstream.call(|api| async move { api.builtin_workspace_roles(ws).await }).await?.get(kind).cloned()) },
            || async move {
                let template = upstream
                    .call_mapped(|api| async move { api.get_workspace(ws).await }, |e| {
                        matches!(e, KsError::NotFound { .. })
                            .then(|| AppError::field("workspace", format!("There is no workspace named {ws}.")))
                    })
                    .await?;
                Ok(template.metadata.age())
            },
            || format!("Workspace {ws} has no built-in {} role in KubeSphere. Ask a platform administrator to look at its roles.", kind.suffix()),
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
        await_setup(
            format!("project {ns}"),
            || async move {
                let roles = upstream.call(|api| async move { api.list_project_roles(cluster, ns).await }).await?;
                Ok(roles.iter().any(|r| r.metadata.name == role.name()).then_some(()))
            },
            || async move {
                let found =
                    upstream.call(|api| async move { api.namespaces_named(cluster, &[ns.as_str()]).await }).await?;
                let namespace = found.into_iter().find(|n| n.metadata.name == ns.as_str()).ok_or_else(|| {
                    AppError::field("project", format!("There is no project named {ns} on cluster {cluster}."))
                })?;
                Ok(namespace.metadata.age())
            },
            || {
                format!(
                    "Project {ns} has no built-in {} role in KubeSphere. Ask its administrator to look at its roles.",
                    role.name()
                )
            },
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
            format!(
                "This KubeSphere cannot grant {} roles in workspace {}: its name is longer than {room} characters. \
                 KubeSphere 4.1.3 and later can; until then, use a workspace with a shorter name.",
                role.kind().suffix(),
                role.workspace()
            ),
        ))
    }

    /// The most people one invitation names (one upstream call checks they all exist).
    pub const MAX_INVITEES: usize = 100;

    /// `a, b c` → the usernames, each parsed, without duplicates, in the order given; at most
    /// [`MAX_INVITEES`] different ones.
    pub fn parse_usernames(raw: &str) -> Result<Vec<UserName>, AppError> {
        let mut seen = std::collections::HashSet::new();
        let mut users: Vec<UserName> = Vec::new();
        for part in raw.split([',', ' ', '\n', '\r', '\t', ';']).filter(|p| !p.is_empty()) {
            let user = UserName::parse(part).map_err(|e| AppError::field("usernames", format!("{part}: {e}")))?;
            if seen.insert(user.clone()) {
                if users.len() == MAX_INVITEES {
                    return Err(AppError::field(
                        "usernames",
                        format!("Invite at most {MAX_INVITEES} people at a time."),
                    ));
                }
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
    pub fn refuse_existing_members(
        members: &[User],
        users: &[UserName],
        role_annotation: &str,
    ) -> Result<(), AppError> {
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
        match e.cause() {
            Cause::RoleNotFound => Some(AppError::field("role", "That role does not exist here in KubeSphere.")),
            Cause::LabelTooLong => Some(AppError::field(
                "role",
                "This KubeSphere cannot grant that role: its name is too long. KubeSphere 4.1.3 and later can.",
            )),
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
        #![allow(clippy::unwrap_used)]

        #[test]
        fn invitations_name_at_most_a_hundred_people_and_repeats_count_once() {
            let hundred: Vec<String> = (0..100).map(|i| format!("u{i}")).collect();
            let twice = format!("{} {}", hundred.join(","), hundred.join(" "));
            assert_eq!(super::parse_usernames(&twice).unwrap().len(), 100);
            let over = format!("{} u100", hundred.join(","));
            assert!(super::parse_usernames(&over).unwrap_err().message().contains("at most 100"));
        }

        #[test]
        fn a_huge_invitation_is_refused_at_the_first_name_past_the_limit() {
            // 400k different names in a 2 MiB body used to be de-duplicated quadratically.
            let raw: String = (0..400_000).map(|i| format!("user-{i},")).collect();
            assert!(super::parse_usernames(&raw).unwrap_err().message().contains("at most 100"));
        }

        #[test]
        fn the_setup_backoff_doubles_and_adds_up_to_the_wait() {
            let waits: Vec<u128> = super::setup_backoff().map(|d| d.as_millis()).collect();
            assert_eq!(waits, [100, 200, 400, 800, 1500]);
        }
    }
}
