//! Why a person can or cannot do something in a workspace or project, from KubeSphere's built-in
//! roles and the role templates they aggregate (`shared/kubesphere-api.md` §4.2). Custom roles
//! are not explained: their templates are whatever someone chose.

use ks_types::{ProjectRole, WorkspaceRoleKind};
use serde::{Deserialize, Serialize};

/// The everyday actions the explainer answers for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ability {
    ViewMembers,
    InviteMembers,
    ChangeRoles,
    CreateProjects,
    ViewResources,
    DeployWorkloads,
}

impl Ability {
    /// The actions asked about in a workspace (no project chosen).
    pub const IN_WORKSPACE: [Ability; 4] =
        [Ability::ViewMembers, Ability::InviteMembers, Ability::ChangeRoles, Ability::CreateProjects];
    /// The actions asked about in a project.
    pub const IN_PROJECT: [Ability; 5] = [
        Ability::ViewMembers,
        Ability::InviteMembers,
        Ability::ChangeRoles,
        Ability::ViewResources,
        Ability::DeployWorkloads,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Ability::ViewMembers => "view_members",
            Ability::InviteMembers => "invite_members",
            Ability::ChangeRoles => "change_roles",
            Ability::CreateProjects => "create_projects",
            Ability::ViewResources => "view_resources",
            Ability::DeployWorkloads => "deploy_workloads",
        }
    }
}

/// Where a membership is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Level {
    Platform,
    Workspace,
    Project,
}

/// The membership that answers yes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Because {
    pub level: Level,
    pub role: String,
    /// A workspace role answering for one of its projects ("their workspace role applies here").
    pub inherited: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    Yes(Because),
    No,
    /// Only a custom role could allow it: not explained here.
    NotExplained {
        role: String,
    },
}

/// The person's roles where the question is asked, exactly as KubeSphere binds them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roles {
    pub platform: Option<String>,
    pub workspace: Option<String>,
    /// `None` at workspace level, or when they are not a member of the project.
    pub project: Option<String>,
}

/// A workspace role's kind, when `role` is one of `workspace`'s built-in roles (under either of
/// the names KubeSphere gives them).
pub fn workspace_kind(workspace: &str, role: &str) -> Option<WorkspaceRoleKind> {
    WorkspaceRoleKind::ALL.into_iter().find(|k| k.candidate_names(workspace).iter().any(|n| n == role))
}

/// What a built-in workspace role allows in the workspace itself.
fn workspace_role_allows(kind: WorkspaceRoleKind, ability: Ability) -> bool {
    match kind {
        WorkspaceRoleKind::Admin => true,
        WorkspaceRoleKind::SelfProvisioner => matches!(ability, Ability::ViewMembers | Ability::CreateProjects),
        WorkspaceRoleKind::Regular | WorkspaceRoleKind::Viewer => ability == Ability::ViewMembers,
    }
}

/// What a built-in workspace role allows in each of the workspace's projects (the scope walk:
/// workspace bindings count in its namespaces). Regular members and self-provisioners see only
/// the projects they are members of.
fn workspace_role_allows_in_projects(kind: WorkspaceRoleKind, ability: Ability) -> bool {
    match kind {
        WorkspaceRoleKind::Admin => true,
        WorkspaceRoleKind::Viewer => matches!(ability, Ability::ViewMembers | Ability::ViewResources),
        WorkspaceRoleKind::Regular | WorkspaceRoleKind::SelfProvisioner => false,
    }
}

/// What a built-in project role allows in its project.
fn project_role_allows(role: ProjectRole, ability: Ability) -> bool {
    match role {
        ProjectRole::Admin => true,
        ProjectRole::Operator => {
            matches!(ability, Ability::ViewMembers | Ability::ViewResources | Ability::DeployWorkloads)
        }
        ProjectRole::Viewer => matches!(ability, Ability::ViewMembers | Ability::ViewResources),
    }
}

/// Yes (and because of which membership), no, or not explained here, for `ability` in
/// `workspace` (and a project of it when `in_project`). The most specific membership answers.
pub fn decide(ability: Ability, roles: &Roles, workspace: &str, in_project: bool) -> Verdict {
    let yes = |level, role: &str, inherited| Verdict::Yes(Because { level, role: role.to_owned(), inherited });
    let mut custom: Option<&str> = None;
    if in_project {
        if let Some(role) = roles.project.as_deref() {
            match ProjectRole::parse(role) {
                Ok(r) if project_role_allows(r, ability) => return yes(Level::Project, role, false),
                Ok(_) => {}
                Err(_) => custom = Some(role),
            }
        }
    }
    if let Some(role) = roles.workspace.as_deref() {
        match workspace_kind(workspace, role) {
            Some(kind) if in_project && workspace_role_allows_in_projects(kind, ability) => {
                return yes(Level::Workspace, role, true)
            }
            Some(kind) if !in_project && workspace_role_allows(kind, ability) => {
                return yes(Level::Workspace, role, false)
            }
            Some(_) => {}
            None => custom = custom.or(Some(role)),
        }
    }
    if roles.platform.as_deref() == Some(ks_types::PlatformRole::Admin.name()) {
        return yes(Level::Platform, ks_types::PlatformRole::Admin.name(), false);
    }
    match custom {
        Some(role) => Verdict::NotExplained { role: role.to_owned() },
        None => Verdict::No,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(platform: &str, workspace: &str, project: &str) -> Roles {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        Roles { platform: some(platform), workspace: some(workspace), project: some(project) }
    }

    fn yes_list(r: &Roles, in_project: bool) -> Vec<&'static str> {
        let abilities: &[Ability] = if in_project { &Ability::IN_PROJECT } else { &Ability::IN_WORKSPACE };
        abilities
            .iter()
            .filter(|a| matches!(decide(**a, r, "demo", in_project), Verdict::Yes(_)))
            .map(|a| a.key())
            .collect()
    }

    #[test]
    fn workspace_roles_in_the_workspace() {
        assert_eq!(yes_list(&roles("platform-regular", "demo-admin", ""), false).len(), 4);
        assert_eq!(
            yes_list(&roles("platform-regular", "demo-self-provisioner", ""), false),
            ["view_members", "create_projects"]
        );
        assert_eq!(yes_list(&roles("platform-regular", "demo-regular", ""), false), ["view_members"]);
        assert_eq!(yes_list(&roles("platform-regular", "demo-viewer", ""), false), ["view_members"]);
        assert!(yes_list(&roles("platform-regular", "", ""), false).is_empty());
        assert_eq!(yes_list(&roles("platform-admin", "", ""), false).len(), 4);
    }

    #[test]
    fn in_a_project_the_project_role_answers_first_then_the_workspace_role_applies() {
        assert_eq!(
            decide(Ability::DeployWorkloads, &roles("", "demo-admin", "operator"), "demo", true),
            Verdict::Yes(Because { level: Level::Project, role: "operator".into(), inherited: false })
        );
        assert_eq!(
            decide(Ability::InviteMembers, &roles("", "demo-admin", "operator"), "demo", true),
            Verdict::Yes(Because { level: Level::Workspace, role: "demo-admin".into(), inherited: true })
        );
        assert_eq!(yes_list(&roles("", "demo-viewer", ""), true), ["view_members", "view_resources"]);
        assert!(yes_list(&roles("", "demo-regular", ""), true).is_empty(), "a regular member sees no project");
        assert_eq!(yes_list(&roles("", "demo-regular", "viewer"), true), ["view_members", "view_resources"]);
        assert_eq!(
            yes_list(&roles("", "demo-regular", "operator"), true),
            ["view_members", "view_resources", "deploy_workloads"]
        );
        assert_eq!(yes_list(&roles("", "demo-regular", "admin"), true).len(), 5);
    }

    #[test]
    fn custom_roles_are_not_explained_unless_a_built_in_one_already_says_yes() {
        assert_eq!(
            decide(Ability::DeployWorkloads, &roles("", "demo-regular", "deployer"), "demo", true),
            Verdict::NotExplained { role: "deployer".into() }
        );
        assert!(matches!(
            decide(Ability::ViewMembers, &roles("", "demo-viewer", "deployer"), "demo", true),
            Verdict::Yes(_)
        ));
        assert_eq!(decide(Ability::InviteMembers, &roles("", "demo-regular", ""), "demo", false), Verdict::No);
    }

    #[test]
    fn hashed_workspace_role_names_are_recognised() {
        let long = "a".repeat(60);
        let [_, hashed] = WorkspaceRoleKind::Admin.candidate_names(&long);
        assert_eq!(workspace_kind(&long, &hashed), Some(WorkspaceRoleKind::Admin));
        assert_eq!(workspace_kind("demo", "demo-viewer"), Some(WorkspaceRoleKind::Viewer));
        assert_eq!(workspace_kind("demo", "team-b-viewer"), None);
    }
}
