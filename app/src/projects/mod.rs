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
    use crate::activity_log::{Action, Change, Via};
    use ks_client::{Cause, NewProject};
    use ks_types::{ClusterName, ProjectName, WorkspaceName};

    use crate::i18n::td_string;

    let locale = crate::language::locale();
    let ws = crate::error::parse_field("workspace", &workspace, WorkspaceName::parse)?;
    let cluster = crate::error::parse_field("cluster", &cluster, ClusterName::parse)?;
    let project = crate::error::parse_field("name", &name, ProjectName::parse_new)?;
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
    /// The project's workspace, when KubeSphere shows the caller the project's namespace.
    pub workspace: Option<String>,
    pub members: MemberPage,
    /// Whether the signed-in person may manage its members (and so show its join link).
    pub manages: bool,
}

/// A project with one page of its members. Two rounds at most: the members, the project's
/// namespace (for its workspace label, when the caller sees it) and the caller's project-scope
/// permissions together; then, when those do not allow managing members, the caller's
/// workspace-scope permissions (KubeSphere's RBAC walks up from a project to its workspace).
/// `workspace` is where the link came from; it counts once KubeSphere confirms the project is
/// in it (a team lead's namespace list shows only projects where they hold a binding, §11).
#[server(prefix = "/api", endpoint = "get_project_details")]
pub async fn get_project_details(
    cluster: String,
    project: String,
    page: u32,
    #[server(default)] workspace: Option<String>,
) -> Result<ProjectDetails, AppError> {
    let c = ks_types::ClusterName::parse(&cluster).map_err(|_| AppError::NotFound)?;
    let p = ks_types::ProjectName::parse(&project).map_err(|_| AppError::NotFound)?;
    use crate::permissions::ssr::{may, Answer, Permission, Scope};
    let hint = workspace.and_then(|w| ks_types::WorkspaceName::parse(&w).ok());
    let upstream = crate::upstream::Upstream::from_context()?;
    let (cr, pr) = (&c, &p);
    let (members, namespace, manages_here) = tokio::join!(
        crate::memberships::ssr::member_page(
            &upstream,
            crate::memberships::ssr::MemberScope::Project(cr, pr),
            page,
            false
        ),
        upstream.call_quiet(|api| async move { api.namespaces_named(cr, &[pr.as_str()]).await }),
        may(&upstream, Scope::Project(cr, pr), Permission::ManageMembers),
    );
    let labelled = namespace
        .unwrap_or_default()
        .into_iter()
        .find(|n| n.metadata.name == p.as_str())
        .and_then(|n| ks_types::WorkspaceName::parse(n.label(ks_client::model::LABEL_WORKSPACE)?).ok());
    let (workspace, manages) = match (labelled, hint) {
        (Some(ws), _) => {
            let manages = manages_here.is_ok_and(Answer::may_try) || workspace_may(&upstream, &ws).await;
            (Some(ws), manages)
        }
        (None, Some(ws)) => {
            let w = &ws;
            let (confirmed, may) =
                tokio::join!(upstream.call_quiet(|api| async move { api.get_project(cr, w, pr).await }), async {
                    manages_here.is_ok_and(Answer::may_try) || workspace_may(&upstream, w).await
                },);
            match confirmed {
                Some(_) => (Some(ws), may),
                None => (None, false),
            }
        }
        (None, None) => (None, false),
    };
    Ok(ProjectDetails {
        name: p.to_string(),
        cluster: c.to_string(),
        workspace: workspace.map(|w| w.to_string()),
        members: members?.unwrap_or_default(),
        manages,
    })
}

#[cfg(feature = "ssr")]
async fn workspace_may(upstream: &crate::upstream::Upstream, ws: &ks_types::WorkspaceName) -> bool {
    use crate::permissions::ssr::{may, Answer, Permission, Scope};
    may(upstream, Scope::Workspace(ws), Permission::ManageMembers).await.is_ok_and(Answer::may_try)
}

/// Whether the signed-in user may create projects in `workspace`.
#[server(prefix = "/api", endpoint = "can_create_projects")]
pub async fn can_create_projects(workspace: String) -> Result<bool, AppError> {
    let ws = crate::error::parse_field("workspace", &workspace, ks_types::WorkspaceName::parse)?;
    use crate::permissions::ssr::{may, Permission, Scope};
    let upstream = crate::upstream::Upstream::from_context()?;
    Ok(may(&upstream, Scope::Workspace(&ws), Permission::CreateProjects).await?.may_try())
}
