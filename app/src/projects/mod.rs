//! Projects: creating them in a workspace, on one of its clusters (step 2 of the workflow).

mod create_page;
mod project_page;

pub use create_page::CreateProjectPage;
pub use project_page::ProjectPage;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::memberships::MemberPage;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedProject {
    pub name: String,
    pub workspace: String,
    pub cluster: String,
}

/// Creates a project. The cluster must be one of the workspace's clusters.
#[server(prefix = "/api", endpoint = "create_project")]
pub async fn create_project(
    workspace: String,
    cluster: String,
    name: String,
    #[server(default)] alias: Option<String>,
    #[server(default)] description: Option<String>,
) -> Result<CreatedProject, AppError> {
    use crate::audit::{Action, Change, Via};
    use ks_client::{Cause, NewProject};
    use ks_types::{ClusterName, ProjectName, WorkspaceName};

    use crate::error::name_error;
    use crate::i18n::td_string;

    let locale = crate::language::locale();
    let ws = WorkspaceName::parse(&workspace).map_err(|e| AppError::field("workspace", name_error(&e)))?;
    let cluster = ClusterName::parse(&cluster).map_err(|e| AppError::field("cluster", name_error(&e)))?;
    let project = ProjectName::parse_new(&name).map_err(|e| AppError::field("name", name_error(&e)))?;
    let upstream = crate::upstream::Upstream::from_context()?;
    let ws_for_lookup = ws.clone();
    let placement = upstream.call(|api| async move { api.workspace_clusters(&ws_for_lookup).await }).await?;
    if !placement.iter().any(|c| c.metadata.name == cluster.as_str()) {
        return Err(AppError::field(
            "cluster",
            td_string!(locale, projects.not_placed, workspace = &ws, cluster = &cluster).to_string(),
        ));
    }
    let creator = upstream.username().to_owned();
    let new = NewProject { name: project.clone(), workspace: ws.clone(), cluster: cluster.clone(), alias, description };
    let taken = project.clone();
    let change = Change::new(Action::CreateProject).workspace(&ws).project(&cluster, &project);
    let write = upstream.call_mapped(
        |api| async move { api.create_project(&new, &creator).await },
        move |e| match e.cause() {
            Cause::AlreadyExists => {
                Some(AppError::field("name", td_string!(locale, projects.already_exists, name = &taken).to_string()))
            }
            _ => None,
        },
    );
    upstream.recorded(Via::Form, vec![change], write).await?;
    Ok(CreatedProject { name: project.to_string(), workspace: ws.to_string(), cluster: cluster.to_string() })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectDetails {
    pub name: String,
    pub cluster: String,
    pub members: MemberPage,
}

/// A project with one page of its members.
#[server(prefix = "/api", endpoint = "get_project_details")]
pub async fn get_project_details(cluster: String, project: String, page: u32) -> Result<ProjectDetails, AppError> {
    let c = ks_types::ClusterName::parse(&cluster).map_err(|_| AppError::NotFound)?;
    let p = ks_types::ProjectName::parse(&project).map_err(|_| AppError::NotFound)?;
    let upstream = crate::upstream::Upstream::from_context()?;
    let members = crate::memberships::ssr::member_page(
        &upstream,
        crate::memberships::ssr::MemberScope::Project(&c, &p),
        page,
        false,
    )
    .await?
    .unwrap_or_default();
    Ok(ProjectDetails { name: p.to_string(), cluster: c.to_string(), members })
}

/// Whether the signed-in user may create projects in `workspace`.
#[server(prefix = "/api", endpoint = "can_create_projects")]
pub async fn can_create_projects(workspace: String) -> Result<bool, AppError> {
    let ws = ks_types::WorkspaceName::parse(&workspace)
        .map_err(|e| AppError::field("workspace", crate::error::name_error(&e)))?;
    crate::permissions::ssr::may(None, &[("scope", "workspace"), ("workspace", ws.as_str())], "projects", "create")
        .await
}
