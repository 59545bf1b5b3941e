//! Looking things up for pickers: people (as you type), my workspaces, their clusters and
//! projects. Read-only server functions shared by the forms.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A person found by a search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserHit {
    pub username: String,
    pub display_name: String,
    pub email: String,
}

/// A workspace with what the forms need to know about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceSummary {
    pub name: String,
    pub clusters: Vec<String>,
}

/// A project (namespace) with its workspace and cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectSummary {
    pub name: String,
    pub workspace: String,
    pub cluster: String,
}

impl ProjectSummary {
    /// The value a project picker submits: `cluster/project`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.cluster, self.name)
    }
}

/// The longest search text sent to KubeSphere: longer text cannot match a name and would only
/// make over-long upstream requests.
pub const SEARCH_MAX_CHARS: usize = 100;

/// The search text, trimmed, or a plain error when it is longer than [`SEARCH_MAX_CHARS`].
#[cfg(feature = "ssr")]
pub(crate) fn bounded_search(query: &str) -> Result<String, AppError> {
    let q = query.trim();
    if q.chars().count() > SEARCH_MAX_CHARS {
        use crate::i18n::td_string;
        return Err(crate::upstream::fail_with(AppError::field(
            "q",
            td_string!(crate::language::locale(), directory.search_too_long, max = SEARCH_MAX_CHARS).to_string(),
        )));
    }
    Ok(q.to_owned())
}

/// Searches people by part of their username or display name, or by their whole e-mail address
/// (KubeSphere's field selector compares e-mails whole, ignoring case), from 2 characters.
#[server(prefix = "/api", endpoint = "search_users")]
pub async fn search_users(query: String) -> Result<Vec<UserHit>, AppError> {
    let q = bounded_search(&query)?;
    if q.chars().count() < 2 {
        return Ok(Vec::new());
    }
    let upstream = crate::upstream::Upstream::from_context()?;
    let by_name = q.clone();
    let by_email = ks_types::Email::parse(&q).ok().map(|e| ks_client::ListOptions::new().email(&e).limit(10));
    let (names, emails) = tokio::join!(
        upstream.call(|api| async move {
            api.list_users(
                &ks_client::ListOptions::new().name(by_name.as_str()).limit(10).sort(ks_client::SortBy::Name, true),
            )
            .await
        }),
        async {
            match &by_email {
                Some(by_email) => upstream.call_quiet(|api| async move { api.list_users(by_email).await }).await,
                None => None,
            }
        },
    );
    let mut hits: Vec<UserHit> = names?
        .into_items()
        .into_iter()
        .chain(emails.map(|l| l.into_items()).unwrap_or_default())
        .map(|u| UserHit {
            username: u.metadata.name.clone(),
            display_name: u.display_name().to_owned(),
            email: u.spec.email.clone(),
        })
        .collect();
    hits.sort_by(|a, b| a.username.cmp(&b.username));
    hits.dedup_by(|a, b| a.username == b.username);
    hits.truncate(10);
    Ok(hits)
}

/// The workspaces the signed-in user can see ("my workspaces"; all of them for admins).
#[server(prefix = "/api", endpoint = "my_workspaces")]
pub async fn my_workspaces() -> Result<Vec<WorkspaceSummary>, AppError> {
    let upstream = crate::upstream::Upstream::from_context()?;
    let list = upstream
        .call(|api| async move {
            api.list_workspaces(&ks_client::ListOptions::new().unpaged().sort(ks_client::SortBy::Name, true)).await
        })
        .await?;
    let mut out: Vec<WorkspaceSummary> = list
        .into_items()
        .into_iter()
        .filter(|w| w.metadata.name != "system-workspace")
        .map(|w| WorkspaceSummary { clusters: w.cluster_names(), name: w.metadata.name })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// Clusters the signed-in user may place workspaces on.
#[server(prefix = "/api", endpoint = "my_clusters")]
pub async fn my_clusters() -> Result<Vec<String>, AppError> {
    let upstream = crate::upstream::Upstream::from_context()?;
    Ok(ssr::clusters(&upstream).await?.iter().map(ToString::to_string).collect())
}

/// The projects of one workspace that the signed-in user can see, on each of its clusters.
#[server(prefix = "/api", endpoint = "workspace_projects")]
pub async fn workspace_projects(workspace: String) -> Result<Vec<ProjectSummary>, AppError> {
    let ws = crate::error::parse_field("workspace", &workspace, ks_types::WorkspaceName::parse)?;
    let upstream = crate::upstream::Upstream::from_context()?;
    let w = &ws;
    let template = upstream.call(|api| async move { api.get_workspace(w).await }).await?;
    Ok(ssr::projects_in(&upstream, &ws, &template.cluster_names()).await)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::future::Future;

    use futures::stream::{self, StreamExt};
    use ks_types::{ClusterName, WorkspaceName};

    use super::ProjectSummary;
    use crate::error::AppError;
    use crate::upstream::Upstream;

    /// The clusters the signed-in person may see, sorted, from the session cache.
    pub async fn clusters(upstream: &Upstream) -> Result<Vec<ClusterName>, AppError> {
        upstream
            .cache()
            .get_or_load("clusters", || async {
                let found = upstream.call(|api| async move { api.list_clusters().await }).await?;
                let mut names: Vec<ClusterName> =
                    found.iter().filter_map(|c| ClusterName::parse(&c.metadata.name).ok()).collect();
                names.sort_by(|a, b| a.as_str().cmp(b.as_str()));
                Ok(names)
            })
            .await
    }

    /// The projects of `ws` the signed-in user can see on its `clusters`, one concurrent call per
    /// cluster, sorted by name (a cluster that does not answer contributes none).
    pub async fn projects_in(upstream: &Upstream, ws: &WorkspaceName, clusters: &[String]) -> Vec<ProjectSummary> {
        let placements: Vec<ClusterName> = clusters.iter().filter_map(|c| ClusterName::parse(c).ok()).collect();
        let lists = bounded_join(placements.into_iter().map(|cluster| async move {
            let c = &cluster;
            let found = upstream.call_quiet(|api| async move { api.list_projects(c, ws).await }).await;
            found
                .unwrap_or_default()
                .into_iter()
                .map(|ns| ProjectSummary {
                    name: ns.metadata.name,
                    workspace: ws.to_string(),
                    cluster: cluster.to_string(),
                })
                .collect::<Vec<_>>()
        }))
        .await;
        let mut out: Vec<ProjectSummary> = lists.into_iter().flatten().collect();
        out.sort_by(|a, b| (&a.name, &a.cluster).cmp(&(&b.name, &b.cluster)));
        out
    }

    /// Upstream calls in flight at once for one page.
    pub const CONCURRENCY: usize = 8;

    /// Runs the futures with at most [`CONCURRENCY`] in flight, keeping their order.
    pub async fn bounded_join<F: Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
        stream::iter(futures).buffered(CONCURRENCY).collect().await
    }
}
