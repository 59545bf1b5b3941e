//! Workspaces: creating them (step 1 of the multi-tenant workflow).

mod create_page;
mod pages;

pub use create_page::CreateWorkspacePage;
pub use pages::{WorkspacePage, WorkspacesPage};

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::memberships::MemberPage;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedWorkspace {
    pub name: String,
    /// Placed on at least one cluster (without one it cannot hold projects yet).
    pub has_cluster: bool,
}

/// Creates a workspace managed by `manager` on the chosen clusters.
#[server(prefix = "/api", endpoint = "create_workspace")]
pub async fn create_workspace(
    name: String,
    manager: String,
    #[server(default)] clusters: Vec<String>,
    #[server(default)] alias: Option<String>,
    #[server(default)] description: Option<String>,
) -> Result<CreatedWorkspace, AppError> {
    use crate::activity_log::{Action, Change, Via};
    use ks_client::{Cause, NewWorkspace};
    use ks_types::{ClusterName, UserName, WorkspaceName};

    use crate::i18n::td_string;

    let locale = crate::language::locale();
    let ws = crate::error::parse_field("name", &name, WorkspaceName::parse_new)?;
    let manager = crate::error::parse_field("manager", &manager, UserName::parse)?;
    let clusters = clusters
        .iter()
        .map(|c| crate::error::parse_field("clusters", c, ClusterName::parse))
        .collect::<Result<Vec<_>, _>>()?;
    let upstream = crate::upstream::Upstream::from_context()?;
    let creator = upstream.username().to_owned();
    let change = Change::new(Action::CreateWorkspace).workspace(&ws).user(&manager);
    let new = NewWorkspace { name: ws.clone(), manager: manager.clone(), clusters, alias, description };
    let write = upstream.call_mapped(
        |api| async move { api.create_workspace(&new, &creator).await },
        move |e| match e.cause() {
            Cause::AlreadyExists => Some(AppError::field(
                "name",
                td_string!(locale, workspaces.already_exists, name = ws.clone()).to_string(),
            )),
            Cause::ClusterNotFound => {
                Some(AppError::field("clusters", td_string!(locale, workspaces.cluster_not_found)))
            }
            Cause::ClusterNotUsable => {
                Some(AppError::field("clusters", td_string!(locale, workspaces.cluster_not_usable)))
            }
            Cause::ManagerMustBeSelf => Some(AppError::field(
                "manager",
                td_string!(locale, workspaces.manager_must_be_self, manager = manager.clone()).to_string(),
            )),
            // "… at the cluster scope" is RBAC's scope: the platform role cannot create workspaces.
            Cause::RbacDenied => Some(AppError::NotAllowedTo(td_string!(locale, workspaces.not_allowed_create).into())),
            _ => None,
        },
    );
    let created = upstream.recorded(Via::Form, vec![change], write).await?;
    Ok(CreatedWorkspace { has_cluster: !created.cluster_names().is_empty(), name: created.metadata.name })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceDetails {
    pub name: String,
    pub manager: Option<String>,
    pub clusters: Vec<String>,
    pub members: MemberPage,
    pub projects: Vec<crate::directory::ProjectSummary>,
    /// Created moments ago and its members not readable yet: KubeSphere's controllers have not
    /// made the roles and the manager's binding yet.
    pub setting_up: bool,
}

/// A workspace with its clusters, one page of members and its projects.
#[server(prefix = "/api", endpoint = "get_workspace_details")]
pub async fn get_workspace_details(workspace: String, page: u32) -> Result<WorkspaceDetails, AppError> {
    let ws = ks_types::WorkspaceName::parse(&workspace).map_err(|_| AppError::NotFound)?;
    let upstream = crate::upstream::Upstream::from_context()?;
    let upstream_ref = &upstream;
    let ws_ref = &ws;
    // Two rounds: the workspace and its first member page together; then the members' e-mails
    // and its projects (on its own clusters only, one call each) together.
    let template_and_projects = async {
        let template = upstream_ref.call(|api| async move { api.get_workspace(ws_ref).await }).await?;
        let projects = crate::directory::ssr::projects_in(upstream_ref, ws_ref, &template.cluster_names()).await;
        Ok::<_, AppError>((template, projects))
    };
    let members = crate::memberships::ssr::member_page(
        &upstream,
        crate::memberships::ssr::MemberScope::Workspace(ws_ref),
        page,
        true,
    );
    let (found, members) = tokio::join!(template_and_projects, members);
    let (template, projects) = found?;
    let clusters = template.cluster_names();
    // Right after it was created, the members list may be refused for a moment (the creator's
    // binding is made by a controller): the page then says so instead of failing. Otherwise a
    // refusal is asked again, to explain it.
    let young = template.metadata.age().is_some_and(|age| age < crate::planner::facts::SETUP_WINDOW);
    let (members, setting_up) = match members? {
        Some(members) => (members, false),
        None if young => (MemberPage { members: Vec::new(), total: 0, page }, true),
        None => {
            let scope = crate::memberships::ssr::MemberScope::Workspace(ws_ref);
            (crate::memberships::ssr::member_page(&upstream, scope, page, false).await?.unwrap_or_default(), false)
        }
    };
    Ok(WorkspaceDetails {
        name: ws.to_string(),
        manager: template.manager().map(str::to_owned),
        clusters,
        members,
        projects,
        setting_up,
    })
}

#[cfg(test)]
mod tests {
    use leptos::prelude::*;

    use super::{CreateWorkspace, CreatedWorkspace};
    use crate::error::AppError;
    use crate::kit::{Flash, FormState};
    use crate::projects::CreateProject;

    fn failed_submission() -> Option<Flash> {
        Some(Flash {
            action: "/api/create_workspace".into(),
            fields: vec![
                ("name".into(), "team-a".into()),
                ("clusters[]".into(), "host".into()),
                ("clusters[]".into(), "member-1".into()),
            ],
            outcome: Err(AppError::field("name", "A workspace with this name already exists.")),
        })
    }

    #[test]
    fn a_form_keeps_what_its_failed_plain_submission_sent_and_explains_each_field() {
        let owner = Owner::new();
        owner.set();
        let form = FormState::<CreateWorkspace>::new(&failed_submission());
        assert_eq!(form.kept("name"), "team-a");
        assert_eq!(form.kept_all("clusters[]"), ["host", "member-1"]);
        assert_eq!(form.kept_or("manager", "alice"), "alice", "nothing kept: the default");
        assert_eq!(form.field_error("name").as_deref(), Some("A workspace with this name already exists."));
        assert_eq!(form.field_error("alias"), None);
        assert_eq!(form.success(), None);

        // Another form of the same page ignores a flash that is not its own.
        let other = FormState::<CreateProject>::new(&failed_submission());
        assert_eq!(other.kept("name"), "");
        assert_eq!(other.error(), None);
    }

    #[test]
    fn a_successful_plain_submission_is_shown_and_keeps_nothing() {
        let owner = Owner::new();
        owner.set();
        let created = serde_json::to_value(CreatedWorkspace { name: "team-a".into(), has_cluster: true }).ok();
        let flash = Some(Flash {
            action: "/api/create_workspace".into(),
            fields: vec![("name".into(), "team-a".into())],
            outcome: created.ok_or(AppError::Internal),
        });
        let form = FormState::<CreateWorkspace>::new(&flash);
        assert_eq!(form.kept("name"), "", "a success empties the form");
        assert_eq!(form.success().map(|c| c.name), Some("team-a".to_owned()));
    }
}
