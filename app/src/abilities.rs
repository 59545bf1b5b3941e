//! What the signed-in person may change, in the few terms the top bar's "Change" menu and the
//! home page's cards need to offer only that. Worked out from their own permissions (the
//! session cache's); it only decides what is offered: KubeSphere still decides every request.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The kinds of change the signed-in person may make somewhere.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Abilities {
    /// Create user accounts (platform user management).
    pub create_users: bool,
    /// Change people's platform roles (the same platform permission as creating users).
    pub change_platform_roles: bool,
    pub create_workspaces: bool,
    /// Invite people to, and change roles in, at least one workspace (and so its projects).
    pub manage_members: bool,
    /// Create projects in at least one workspace.
    pub create_projects: bool,
}

/// A page that changes something, in the order of the multi-tenant workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Onboard,
    CreateUser,
    CreateWorkspace,
    CreateProject,
    InviteToWorkspace,
    InviteToProject,
    ChangeRole,
}

impl Action {
    pub const ALL: [Action; 7] = [
        Action::Onboard,
        Action::CreateUser,
        Action::CreateWorkspace,
        Action::CreateProject,
        Action::InviteToWorkspace,
        Action::InviteToProject,
        Action::ChangeRole,
    ];

    /// The page's address.
    pub fn href(self) -> &'static str {
        match self {
            Action::Onboard => "/onboard",
            Action::CreateUser => "/users/new",
            Action::CreateWorkspace => "/workspaces/new",
            Action::CreateProject => "/projects/new",
            Action::InviteToWorkspace => "/workspaces/invite",
            Action::InviteToProject => "/projects/invite",
            Action::ChangeRole => "/roles",
        }
    }
}

impl Abilities {
    /// Everything: offered when KubeSphere could not say (as [`crate::permissions::ssr::may`]
    /// does, the person may try; KubeSphere decides and its refusal is explained).
    pub const UNKNOWN: Abilities = Abilities {
        create_users: true,
        change_platform_roles: true,
        create_workspaces: true,
        manage_members: true,
        create_projects: true,
    };

    /// What to offer from a load of the abilities: when KubeSphere could not say, everything.
    pub fn offered(found: Result<Abilities, AppError>) -> Abilities {
        found.unwrap_or(Abilities::UNKNOWN)
    }

    /// Whether the page of `action` is of use to this person.
    pub fn allows(self, action: Action) -> bool {
        match action {
            Action::Onboard | Action::InviteToWorkspace | Action::InviteToProject => self.manage_members,
            Action::CreateUser => self.create_users,
            Action::CreateWorkspace => self.create_workspaces,
            Action::CreateProject => self.create_projects,
            Action::ChangeRole => self.manage_members || self.change_platform_roles,
        }
    }

    /// The actions this person may take, in workflow order.
    pub fn allowed(self) -> impl Iterator<Item = Action> {
        Action::ALL.into_iter().filter(move |a| self.allows(*a))
    }
}

/// What the signed-in person may change.
#[server(prefix = "/api", endpoint = "my_abilities")]
pub async fn my_abilities() -> Result<Abilities, AppError> {
    ssr::load(&crate::upstream::Upstream::from_context()?).await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use futures::stream::{self, StreamExt};
    use ks_types::WorkspaceName;

    use super::Abilities;
    use crate::directory::ssr::CONCURRENCY;
    use crate::error::AppError;
    use crate::permissions::ssr::{may, Permission, Scope};
    use crate::upstream::Upstream;

    /// The signed-in person's abilities, kept in the session cache (every page's top bar asks).
    pub async fn load(upstream: &Upstream) -> Result<Abilities, AppError> {
        let cache = upstream.cache().clone();
        cache.get_or_load("abilities", || load_fresh(upstream)).await
    }

    /// The permissions and the visible workspaces together, then the workspaces' role templates
    /// ([`CONCURRENCY`] at a time, cached per scope and shared with the pages' own checks) until
    /// both answers are yes: two rounds unless a person sees many workspaces. An admin needs one.
    async fn load_fresh(upstream: &Upstream) -> Result<Abilities, AppError> {
        // An admin's permissions may be known already: then no workspace list is needed.
        let known_admin = crate::permissions::ssr::cached(upstream).is_some_and(|p| p.manage_workspaces);
        let (permissions, workspaces) = tokio::join!(crate::permissions::ssr::load(upstream), async {
            if known_admin {
                return Some(Vec::new());
            }
            let found = upstream
                .call_quiet(|api| async move { api.list_workspaces(&ks_client::ListOptions::new().unpaged()).await });
            Some(found.await?.into_items())
        });
        let permissions = permissions?;
        let mut abilities = Abilities {
            create_users: permissions.manage_users,
            change_platform_roles: permissions.manage_users,
            create_workspaces: permissions.create_workspaces,
            manage_members: permissions.manage_workspaces,
            create_projects: permissions.manage_workspaces,
        };
        if permissions.manage_workspaces {
            return Ok(abilities);
        }
        // Not kept (a failure is not cached): the next page asks again.
        let workspaces = workspaces.ok_or(AppError::TemporarilyUnavailable)?;
        let visible = workspaces
            .into_iter()
            .filter(|w| w.metadata.name != "system-workspace")
            .filter_map(|w| WorkspaceName::parse(&w.metadata.name).ok());
        let mut checks = stream::iter(visible.map(|ws| async move {
            let scope = Scope::Workspace(&ws);
            // One upstream call: both read the same cached role templates.
            let (members, projects) = tokio::join!(
                may(upstream, scope, Permission::ManageMembers),
                may(upstream, scope, Permission::CreateProjects)
            );
            Ok::<_, AppError>((members?.may_try(), projects?.may_try()))
        }))
        .buffer_unordered(CONCURRENCY);
        while let Some(found) = checks.next().await {
            let (members, projects) = found?;
            abilities.manage_members |= members;
            abilities.create_projects |= projects;
            if abilities.manage_members && abilities.create_projects {
                // Nothing the other workspaces say can add to this.
                break;
            }
        }
        Ok(abilities)
    }
}

#[cfg(test)]
mod tests {
    use super::{Abilities, Action};

    #[test]
    fn changing_a_role_is_offered_to_member_managers_and_platform_role_changers() {
        let members = Abilities { manage_members: true, ..Abilities::default() };
        let platform = Abilities { change_platform_roles: true, ..Abilities::default() };
        assert!(members.allows(Action::ChangeRole) && platform.allows(Action::ChangeRole));
        assert!(!platform.allows(Action::InviteToWorkspace) && !platform.allows(Action::Onboard));
        assert_eq!(Abilities::default().allowed().count(), 0, "nothing to change, nothing offered");
        assert_eq!(Abilities::UNKNOWN.allowed().collect::<Vec<_>>(), Action::ALL);
    }

    #[test]
    fn creating_projects_alone_offers_only_that() {
        let bob = Abilities { create_projects: true, ..Abilities::default() };
        assert_eq!(bob.allowed().collect::<Vec<_>>(), [Action::CreateProject]);
    }
}
