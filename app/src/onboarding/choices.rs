//! What the wizard offers the signed-in person, from their own permissions: the account fields
//! only to those who may create accounts, the workspaces whose members they may manage, and —
//! while they are few — those workspaces' projects, grouped by workspace. At most two rounds of
//! upstream reads (the person's permissions are in the session cache after the first page).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Beyond this many projects the wizard asks for a workspace and a project name instead of
/// offering one select of them all.
pub const FEW_PROJECTS: usize = 40;

/// A project the person may add people to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectChoice {
    pub workspace: String,
    pub cluster: String,
    pub project: String,
}

impl ProjectChoice {
    /// The value the grouped select posts: `workspace/cluster/project`.
    pub fn value(&self) -> String {
        format!("{}/{}/{}", self.workspace, self.cluster, self.project)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choices {
    /// May create accounts and change platform roles (a platform administrator).
    pub manages_accounts: bool,
    /// Workspaces whose members the person may manage, sorted.
    pub workspaces: Vec<String>,
    /// Their projects, when few enough for one select; `None`: a workspace and a name are asked.
    pub projects: Option<Vec<ProjectChoice>>,
    /// The clusters those workspaces are placed on (for a project named by hand).
    pub clusters: Vec<String>,
    /// Directories and SSO providers a new account may be linked to instead of a password
    /// (only for those who create accounts).
    pub sign_in_methods: Vec<crate::sign_in_methods::SignInMethod>,
}

/// What the wizard offers the signed-in person.
#[server(prefix = "/api", endpoint = "onboard_choices")]
pub async fn onboard_choices() -> Result<Choices, AppError> {
    ssr::load(&crate::upstream::Upstream::from_context()?).await
}

#[cfg(feature = "ssr")]
mod ssr {
    use std::collections::BTreeSet;

    use ks_types::{ClusterName, WorkspaceName};

    use super::{Choices, ProjectChoice, FEW_PROJECTS};
    use crate::directory::ssr::{bounded_join, projects_in};
    use crate::error::AppError;
    use crate::upstream::Upstream;

    pub async fn load(upstream: &Upstream) -> Result<Choices, AppError> {
        let (permissions, templates) = tokio::join!(
            crate::permissions::ssr::load(upstream),
            upstream.call(|api| async move { api.list_workspaces(&ks_client::ListOptions::new().unpaged()).await }),
        );
        let permissions = permissions?;
        let sign_in_methods =
            if permissions.manage_users { crate::forms::linkable_methods().await } else { Vec::new() };
        let mut visible: Vec<(WorkspaceName, Vec<String>)> = templates?
            .into_items()
            .into_iter()
            .filter(|w| w.metadata.name != "system-workspace")
            .filter_map(|w| Some((WorkspaceName::parse(&w.metadata.name).ok()?, w.cluster_names())))
            .collect();
        visible.sort_by(|a, b| a.0.cmp(&b.0));
        if permissions.manage_workspaces {
            // Every workspace: far too many projects for one select.
            let clusters = crate::directory::ssr::clusters(upstream).await?;
            return Ok(Choices {
                manages_accounts: permissions.manage_users,
                workspaces: visible.into_iter().map(|(ws, _)| ws.to_string()).collect(),
                projects: None,
                clusters: clusters.iter().map(ToString::to_string).collect(),
                sign_in_methods,
            });
        }
        // Per workspace at once: whether the person may manage its members, and its projects.
        let found = bounded_join(visible.into_iter().map(|(ws, clusters)| async move {
            use crate::permissions::ssr::{may_at_once, Answer, Permission, Scope};
            let (may, projects) = tokio::join!(
                may_at_once(upstream, Scope::Workspace(&ws), Permission::ManageMembers),
                projects_in(upstream, &ws, &clusters),
            );
            may.map(|may| Answer::may_try(may).then_some((ws, clusters, projects)))
        }))
        .await;
        let managed: Vec<_> = found.into_iter().collect::<Result<Vec<_>, _>>()?.into_iter().flatten().collect();
        let projects: Vec<ProjectChoice> = managed
            .iter()
            .flat_map(|(_, _, projects)| projects)
            .map(|p| ProjectChoice {
                workspace: p.workspace.clone(),
                cluster: p.cluster.clone(),
                project: p.name.clone(),
            })
            .collect();
        let clusters: BTreeSet<String> = managed
            .iter()
            .flat_map(|(_, clusters, _)| clusters.iter().filter(|c| ClusterName::parse(c).is_ok()).cloned())
            .collect();
        Ok(Choices {
            manages_accounts: permissions.manage_users,
            workspaces: managed.iter().map(|(ws, _, _)| ws.to_string()).collect(),
            projects: (projects.len() <= FEW_PROJECTS).then_some(projects),
            clusters: clusters.into_iter().collect(),
            sign_in_methods,
        })
    }
}
