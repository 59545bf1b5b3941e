//! Workspaces: creating them (step 1 of the multi-tenant workflow).

mod create_page;

pub use create_page::CreateWorkspacePage;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::users::Availability;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedWorkspace {
    pub name: String,
    /// Placed on at least one cluster (without one it cannot hold projects yet).
    pub has_cluster: bool,
}

/// Live check of a workspace name (any signed-in user may read any workspace template).
#[server(prefix = "/api", endpoint = "check_workspace_name")]
pub async fn check_workspace_name(name: String) -> Result<Availability, AppError> {
    let ws = match ks_types::WorkspaceName::parse_new(&name) {
        Ok(ws) => ws,
        Err(e) => return Ok(Availability::Invalid(e.to_string())),
    };
    let upstream = crate::upstream::Upstream::from_context()?;
    let found = upstream
        .call_mapped(
            |api| async move { api.get_workspace(&ws).await.map(Some) },
            |e| matches!(e, ks_client::KsError::NotFound { .. }).then_some(AppError::NotFound),
        )
        .await;
    match found {
        Ok(_) => Ok(Availability::Taken),
        Err(AppError::NotFound) => {
            if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
                res.set_status(http::StatusCode::OK);
            }
            Ok(Availability::Available)
        }
        Err(e) => Err(e),
    }
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
    use ks_client::{Cause, NewWorkspace};
    use ks_types::{ClusterName, UserName, WorkspaceName};

    let ws = WorkspaceName::parse_new(&name).map_err(|e| AppError::field("name", e.to_string()))?;
    let manager = UserName::parse(&manager).map_err(|e| AppError::field("manager", e.to_string()))?;
    let clusters = clusters
        .iter()
        .map(|c| ClusterName::parse(c))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| AppError::field("clusters", e.to_string()))?;
    let upstream = crate::upstream::Upstream::from_context()?;
    let creator = upstream.username().to_owned();
    let new = NewWorkspace { name: ws.clone(), manager: manager.clone(), clusters, alias, description };
    let created = upstream
        .call_mapped(
            |api| async move { api.create_workspace(&new, &creator).await },
            move |e| match e.cause() {
                Cause::AlreadyExists => {
                    Some(AppError::field("name", format!("A workspace named {ws} already exists.")))
                }
                Cause::ClusterNotFound => {
                    Some(AppError::field("clusters", "One of the chosen clusters does not exist."))
                }
                Cause::ClusterNotUsable => Some(AppError::field(
                    "clusters",
                    "You are not allowed to place workspaces on one of the chosen clusters. Leave them all unchecked: \
                     a platform administrator then places the workspace.",
                )),
                Cause::ManagerMustBeSelf => Some(AppError::field(
                    "manager",
                    format!("You can only create workspaces that you manage yourself, not ones managed by {manager}."),
                )),
                // "… at the cluster scope" is RBAC's scope: the platform role cannot create workspaces.
                Cause::RbacDenied => Some(AppError::NotAllowedTo("create workspaces".into())),
                _ => None,
            },
        )
        .await?;
    Ok(CreatedWorkspace { has_cluster: !created.cluster_names().is_empty(), name: created.metadata.name })
}
