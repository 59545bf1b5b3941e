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
    /// What the person should know besides (someone invited to a project outside its workspace).
    #[serde(default)]
    pub notes: Vec<String>,
}

#[cfg(feature = "ssr")]
impl MembershipChange {
    /// The answer for a form's plan: the role its calls grant, to whom, and its warnings.
    pub fn planned(target: String, plan: &crate::planner::form::FormPlan) -> Self {
        use crate::planner::Step;
        let mut usernames = Vec::new();
        let mut role = String::new();
        for step in plan.calls.iter().map(crate::planner::calls::Call::step) {
            let (user, granted) = match step {
                Step::CreateUser { user, role, .. }
                | Step::PlatformRole { user, role, .. }
                | Step::InviteToWorkspace { user, role, .. }
                | Step::WorkspaceRole { user, role, .. }
                | Step::InviteToProject { user, role, .. }
                | Step::ProjectRole { user, role, .. } => (user, role),
            };
            usernames.push(user);
            role = granted;
        }
        let notes = plan.notes.iter().map(|n| n.text_in(crate::language::locale())).collect();
        MembershipChange { target, usernames, role, notes }
    }
}

/// Changes a user's platform role. Only the role annotation changes: the user is read and
/// written back whole, because KubeSphere's PUT replaces the entire object.
#[server(prefix = "/api", endpoint = "change_platform_role")]
pub async fn change_platform_role(
    username: String,
    platform_role: String,
    #[server(default)] confirm_admin: crate::kit::Checkbox,
) -> Result<MembershipChange, AppError> {
    use ks_types::{PlatformRole, UserName};
    let locale = crate::language::locale();
    let user = crate::error::parse_field("username", &username, UserName::parse)?;
    let role = crate::error::parse_field("platform_role", &platform_role, PlatformRole::parse)?;
    let what = td_string!(locale, roles.what_platform_admin);
    ssr::require_confirmation(role.is_admin(), confirm_admin, what)?;
    ssr::change(user, Some(role), None, "platform".into(), role.name()).await
}

/// Changes a member's role in a workspace.
#[server(prefix = "/api", endpoint = "change_workspace_role")]
pub async fn change_workspace_role(
    workspace: String,
    username: String,
    role: String,
    #[server(default)] confirm_admin: crate::kit::Checkbox,
) -> Result<MembershipChange, AppError> {
    use crate::planner::wishes::Membership;
    use ks_types::{UserName, WorkspaceName, WorkspaceRoleKind};
    let ws = crate::error::parse_field("workspace", &workspace, WorkspaceName::parse)?;
    let user = crate::error::parse_field("username", &username, UserName::parse)?;
    let kind = crate::error::parse_field("role", &role, WorkspaceRoleKind::parse)?;
    ssr::require_confirmation(kind.is_admin(), confirm_admin, &ssr::admin_of_workspace(&ws))?;
    let target = ws.to_string();
    // The role's name as KubeSphere gave it is known once planned; this is what the form asked.
    let asked = format!("{ws}-{}", kind.suffix());
    ssr::change(user, None, Some(Membership::Workspace { workspace: ws, kind }), target, &asked).await
}

/// Changes a member's role in a project.
#[server(prefix = "/api", endpoint = "change_project_role")]
pub async fn change_project_role(
    project: String,
    username: String,
    role: String,
    #[server(default)] confirm_admin: crate::kit::Checkbox,
    /// The project's workspace, as the form's picker has it (the planner checks it).
    #[server(default)]
    workspace: Option<String>,
) -> Result<MembershipChange, AppError> {
    use crate::planner::wishes::Membership;
    use ks_types::{ProjectRole, UserName};
    let (cluster, ns) = crate::forms::parse_project_key(&project)?;
    let user = crate::error::parse_field("username", &username, UserName::parse)?;
    let role = crate::error::parse_field("role", &role, ProjectRole::parse)?;
    ssr::require_confirmation(role.is_admin(), confirm_admin, &ssr::admin_of_project(&ns))?;
    let upstream = crate::upstream::Upstream::from_context()?;
    let ws = ssr::project_workspace(&upstream, &cluster, &ns, workspace).await?;
    let target = format!("{cluster}/{ns}");
    let membership = Membership::Project { workspace: ws, cluster: Some(cluster), project: ns, role };
    ssr::change(user, None, Some(membership), target, role.name()).await
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use ks_types::{ClusterName, PlatformRole, ProjectName, UserName, WorkspaceName};

    use crate::planner::wishes::{Intent, Membership, Wish};

    use crate::error::AppError;
    use crate::i18n::td_string;
    use crate::kit::Checkbox;
    use crate::language::locale;
    use crate::upstream::Upstream;

    /// Admin roles are granted only with the explicit confirmation the form asks for. `what` is
    /// what they would become, in the request's language (see [`admin_of_workspace`]).
    pub fn require_confirmation(is_admin: bool, confirm: Checkbox, what: &str) -> Result<(), AppError> {
        if is_admin && !confirm.checked() {
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

    /// Changes `user`'s platform role, or their role in a membership, as the planner decides:
    /// nothing is sent when they hold it already. `asked`: the role's name for the answer then.
    pub async fn change(
        user: UserName,
        platform_role: Option<PlatformRole>,
        membership: Option<Membership>,
        target: String,
        asked: &str,
    ) -> Result<super::MembershipChange, AppError> {
        let upstream = Upstream::from_context()?;
        let wish = Wish::asked(0, user.clone(), platform_role, membership, Intent::Change);
        let plan = crate::planner::form::plan(&upstream, vec![wish], "username").await?;
        let mut change = super::MembershipChange::planned(target, &plan);
        if change.usernames.is_empty() {
            (change.usernames, change.role) = (vec![user.to_string()], asked.to_owned());
        }
        crate::planner::form::send(&upstream, plan).await?;
        Ok(change)
    }

    /// The workspace of project `ns`: the one the form names (the planner then checks the project
    /// is in it), else its workspace label where the caller may read it (a platform administrator).
    /// The log files every project change under its workspace, so a project change needs one.
    pub async fn project_workspace(
        upstream: &Upstream,
        cluster: &ClusterName,
        ns: &ProjectName,
        named: Option<String>,
    ) -> Result<WorkspaceName, AppError> {
        let locale = locale();
        if let Some(named) = named.filter(|w| !w.is_empty()) {
            return crate::error::parse_field("workspace", &named, WorkspaceName::parse);
        }
        let found = upstream.call_quiet(|api| async move { api.namespaces_named(cluster, &[ns.as_str()]).await }).await;
        let labelled = found.unwrap_or_default().into_iter().find(|n| n.metadata.name == ns.as_str());
        let label = labelled.as_ref().and_then(|n| n.label(ks_client::model::LABEL_WORKSPACE));
        label.and_then(|w| WorkspaceName::parse(w).ok()).ok_or_else(|| {
            AppError::field("workspace", td_string!(locale, roles.project_workspace_unknown, ns).to_string())
        })
    }
}
