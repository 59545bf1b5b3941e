//! Looking people and places up: a person's page, a workspace's page, a project's page.
//! (Read-only; what each user sees is what KubeSphere lets their token read.)

mod pages;

pub use pages::{PersonPage, ProjectPage, WorkspacePage};

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub username: String,
    pub display_name: String,
    pub email: String,
    /// active, locked, disabled or pending.
    pub status: String,
    pub platform_role: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub username: String,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceDetails {
    pub name: String,
    pub manager: Option<String>,
    pub clusters: Vec<String>,
    pub members: Vec<Member>,
    pub projects: Vec<crate::directory::ProjectSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectDetails {
    pub name: String,
    pub cluster: String,
    pub members: Vec<Member>,
}

/// One person, as KubeSphere describes them.
#[server(prefix = "/api", endpoint = "get_person")]
pub async fn get_person(username: String) -> Result<Person, AppError> {
    let name = ks_types::UserName::parse(&username).map_err(|_| AppError::NotFound)?;
    let upstream = crate::auth::ssr::Upstream::from_context()?;
    // Anyone may list users (and so read this one), even where reading users/{name} is refused.
    let found = upstream
        .call(|api| async move { api.list_users(&[("names", name.as_str()), ("limit", "1")]).await })
        .await?
        .into_items();
    let user = found.into_iter().next().ok_or_else(|| crate::auth::ssr::fail_with(AppError::NotFound))?;
    let status = match user.state() {
        Some("Active") => "active",
        Some("Disabled") => "disabled",
        Some("AuthLimitExceeded") => "locked",
        _ => "pending",
    };
    Ok(Person {
        username: user.metadata.name.clone(),
        display_name: user.display_name().to_owned(),
        email: user.spec.email.clone(),
        status: status.into(),
        platform_role: user.global_role().map(str::to_owned),
    })
}

/// A workspace with its clusters, members and projects.
#[server(prefix = "/api", endpoint = "get_workspace_details")]
pub async fn get_workspace_details(workspace: String) -> Result<WorkspaceDetails, AppError> {
    use ks_client::model::ANNOTATION_WORKSPACE_ROLE;
    let ws = ks_types::WorkspaceName::parse(&workspace).map_err(|_| AppError::NotFound)?;
    let upstream = crate::auth::ssr::Upstream::from_context()?;
    let w = ws.clone();
    let template = upstream.call(|api| async move { api.get_workspace(&w).await }).await?;
    let w = ws.clone();
    let members = upstream
        .call(|api| async move { api.list_workspace_members(&w, &[("limit", "-1"), ("sortBy", "name"), ("ascending", "true")]).await })
        .await?
        .into_items();
    let clusters = template.cluster_names();
    let projects = crate::directory::my_projects().await.unwrap_or_default().into_iter().filter(|p| p.workspace == ws.as_str()).collect();
    let mut members: Vec<Member> = members
        .iter()
        .map(|m| Member { username: m.metadata.name.clone(), role: m.annotation(ANNOTATION_WORKSPACE_ROLE).unwrap_or("").to_owned() })
        .collect();
    members.sort_by(|a, b| a.username.cmp(&b.username));
    Ok(WorkspaceDetails { name: ws.to_string(), manager: template.manager().map(str::to_owned), clusters, members, projects })
}

/// A project with its members.
#[server(prefix = "/api", endpoint = "get_project_details")]
pub async fn get_project_details(cluster: String, project: String) -> Result<ProjectDetails, AppError> {
    use ks_client::model::ANNOTATION_PROJECT_ROLE;
    let c = ks_types::ClusterName::parse(&cluster).map_err(|_| AppError::NotFound)?;
    let p = ks_types::ProjectName::parse(&project).map_err(|_| AppError::NotFound)?;
    let upstream = crate::auth::ssr::Upstream::from_context()?;
    let (cc, pp) = (c.clone(), p.clone());
    let members = upstream
        .call(|api| async move { api.list_project_members(&cc, &pp, &[("limit", "-1"), ("sortBy", "name"), ("ascending", "true")]).await })
        .await?
        .into_items();
    let mut members: Vec<Member> = members
        .iter()
        .map(|m| Member { username: m.metadata.name.clone(), role: m.annotation(ANNOTATION_PROJECT_ROLE).unwrap_or("").to_owned() })
        .collect();
    members.sort_by(|a, b| a.username.cmp(&b.username));
    Ok(ProjectDetails { name: p.to_string(), cluster: c.to_string(), members })
}
