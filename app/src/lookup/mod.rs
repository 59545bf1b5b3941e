//! Looking people and places up: a person's page, a workspace's page, a project's page.
//! (Read-only; what each user sees is what KubeSphere lets their token read.)

mod lists;
mod pages;

pub use lists::{list_people, LivePersonSearch, PeoplePageView, PersonSearch, WorkspacesPage};
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
    /// Empty when KubeSphere has none (or the enrichment call failed).
    pub email: String,
}

/// Members are shown this many to a page, each page enriched with one `users?names=` call.
pub const MEMBERS_PAGE_SIZE: u32 = 50;

/// One page of a member list, sorted by username.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberPage {
    pub members: Vec<Member>,
    pub total: u64,
    pub page: u32,
}

impl MemberPage {
    pub fn pages(&self) -> u32 {
        crate::widgets::page_count(self.total, MEMBERS_PAGE_SIZE)
    }
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectDetails {
    pub name: String,
    pub cluster: String,
    pub members: MemberPage,
}

/// Where a person belongs: each workspace with their role there, and their projects in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Memberships {
    pub workspaces: Vec<WorkspaceMembership>,
    /// Set when the signed-in user's token cannot read everything: says what may be missing.
    pub partial: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceMembership {
    pub workspace: String,
    /// `None` when they are only in some of its projects.
    pub role: Option<String>,
    pub projects: Vec<ProjectMembership>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectMembership {
    pub project: String,
    pub cluster: String,
    pub role: String,
}

/// Every workspace and project `username` belongs to, with the role, in a number of upstream
/// calls that does not grow with the number of projects: KubeSphere's admin-wide binding lists
/// (one for workspaces, up to two per cluster for projects) where the token may read them; otherwise
/// the workspaces the signed-in user can see, one call each, concurrently.
#[server(prefix = "/api", endpoint = "get_memberships")]
pub async fn get_memberships(username: String) -> Result<Memberships, AppError> {
    let user = ks_types::UserName::parse(&username).map_err(|_| AppError::NotFound)?;
    ssr::memberships(&user).await
}

/// One person, as KubeSphere describes them.
#[server(prefix = "/api", endpoint = "get_person")]
pub async fn get_person(username: String) -> Result<Person, AppError> {
    let name = ks_types::UserName::parse(&username).map_err(|_| AppError::NotFound)?;
    let upstream = crate::upstream::Upstream::from_context()?;
    // Anyone may list users (and so read this one), even where reading users/{name} is refused.
    let found = upstream
        .call(|api| async move { api.list_users(&[("names", name.as_str()), ("limit", "1")]).await })
        .await?
        .into_items();
    let user = found.into_iter().next().ok_or_else(|| crate::upstream::fail_with(AppError::NotFound))?;
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
    let members = ssr::member_page(&upstream, ssr::MemberScope::Workspace(ws_ref), page, true);
    let (found, members) = tokio::join!(template_and_projects, members);
    let (template, projects) = found?;
    let clusters = template.cluster_names();
    // Right after it was created, the members list may be refused for a moment (the creator's
    // binding is made by a controller): the page then says so instead of failing. Otherwise a
    // refusal is asked again, to explain it.
    let young = template.metadata.age().is_some_and(|age| age < crate::members::ssr::SETUP_WINDOW);
    let (members, setting_up) = match members? {
        Some(members) => (members, false),
        None if young => (MemberPage { members: Vec::new(), total: 0, page }, true),
        None => {
            let scope = ssr::MemberScope::Workspace(ws_ref);
            (ssr::member_page(&upstream, scope, page, false).await?.unwrap_or_default(), false)
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

/// A project with one page of its members.
#[server(prefix = "/api", endpoint = "get_project_details")]
pub async fn get_project_details(cluster: String, project: String, page: u32) -> Result<ProjectDetails, AppError> {
    let c = ks_types::ClusterName::parse(&cluster).map_err(|_| AppError::NotFound)?;
    let p = ks_types::ProjectName::parse(&project).map_err(|_| AppError::NotFound)?;
    let upstream = crate::upstream::Upstream::from_context()?;
    let members =
        ssr::member_page(&upstream, ssr::MemberScope::Project(&c, &p), page, false).await?.unwrap_or_default();
    Ok(ProjectDetails { name: p.to_string(), cluster: c.to_string(), members })
}

#[cfg(feature = "ssr")]
mod ssr {
    use std::collections::BTreeMap;

    use ks_client::model::{ANNOTATION_WORKSPACE_ROLE, LABEL_WORKSPACE};
    use ks_types::{ClusterName, UserName, WorkspaceName};

    use ks_client::model::{ListResult, WorkspaceTemplate, ANNOTATION_PROJECT_ROLE};
    use ks_types::ProjectName;

    use super::{Member, MemberPage, Memberships, ProjectMembership, WorkspaceMembership, MEMBERS_PAGE_SIZE};
    use crate::directory::ssr::bounded_join;
    use crate::error::AppError;
    use crate::upstream::Upstream;

    /// Whose members to list.
    pub enum MemberScope<'a> {
        Workspace(&'a WorkspaceName),
        Project(&'a ClusterName, &'a ProjectName),
    }

    /// One page of members, sorted by username, with their e-mails: two upstream calls, the
    /// member page and one `users?names=` for just the people on it (KubeSphere's member lists
    /// hold only names and roles). Without the e-mails the page still shows names and roles.
    /// With `may_be_setting_up`, a refused member list is `None` rather than an error.
    pub async fn member_page(
        upstream: &Upstream,
        scope: MemberScope<'_>,
        page: u32,
        may_be_setting_up: bool,
    ) -> Result<Option<MemberPage>, AppError> {
        let page = page.max(1);
        let (limit, page_text) = (MEMBERS_PAGE_SIZE.to_string(), page.to_string());
        let params =
            [("limit", limit.as_str()), ("page", page_text.as_str()), ("sortBy", "name"), ("ascending", "true")];
        let params = &params;
        let (listed, role_annotation) = match scope {
            MemberScope::Workspace(ws) if may_be_setting_up => {
                match upstream.call_quiet(|api| async move { api.list_workspace_members(ws, params).await }).await {
                    Some(listed) => (listed, ANNOTATION_WORKSPACE_ROLE),
                    None => return Ok(None),
                }
            }
            MemberScope::Workspace(ws) => (
                upstream.call(|api| async move { api.list_workspace_members(ws, params).await }).await?,
                ANNOTATION_WORKSPACE_ROLE,
            ),
            MemberScope::Project(cluster, project) => (
                upstream.call(|api| async move { api.list_project_members(cluster, project, params).await }).await?,
                ANNOTATION_PROJECT_ROLE,
            ),
        };
        let total = listed.total_items;
        let stubs = listed.into_items();
        let names = stubs.iter().map(|m| m.metadata.name.as_str()).collect::<Vec<_>>().join(",");
        let people = if names.is_empty() {
            Vec::new()
        } else {
            let names = names.as_str();
            upstream
                .call_quiet(|api| async move { api.list_users(&[("names", names), ("limit", "-1")]).await })
                .await
                .map(ListResult::into_items)
                .unwrap_or_default()
        };
        let mut members: Vec<Member> = stubs
            .iter()
            .map(|m| Member {
                username: m.metadata.name.clone(),
                role: m.annotation(role_annotation).unwrap_or("").to_owned(),
                email: people
                    .iter()
                    .find(|p| p.metadata.name == m.metadata.name)
                    .map(|p| p.spec.email.clone())
                    .unwrap_or_default(),
            })
            .collect();
        members.sort_by(|a, b| a.username.cmp(&b.username));
        Ok(Some(MemberPage { members, total, page }))
    }

    pub async fn memberships(user: &UserName) -> Result<Memberships, AppError> {
        let upstream = Upstream::from_context()?;
        let upstream = &upstream;
        // One round for everything either path may need: the admin-wide workspace bindings, the
        // workspace list, and — when the signed-in person manages every workspace, so the
        // admin-wide lists will be readable — the person's bindings on every cluster. With the
        // permissions and clusters in the session cache, an admin's page then needs one more
        // round (the namespaces those bindings name); the first page of a session, two.
        let bindings = upstream.call_quiet(|api| async move { api.workspace_role_bindings_of(user).await });
        // Someone the session cache already knows to manage every workspace needs no list of
        // them (it is the biggest answer of the page).
        let known_admin = crate::permissions::ssr::cached().is_some_and(|p| p.manage_workspaces);
        let workspaces = async {
            if known_admin {
                return Ok(None);
            }
            upstream.call(|api| async move { api.list_workspaces(&[("limit", "-1")]).await }).await.map(Some)
        };
        let per_cluster = async {
            let (perms, clusters) =
                tokio::join!(crate::permissions::ssr::load(), crate::directory::ssr::clusters(upstream));
            match (perms, clusters) {
                (Ok(perms), Ok(clusters)) if perms.manage_workspaces => {
                    Some(cluster_bindings(upstream, user, clusters).await)
                }
                _ => None,
            }
        };
        let (bindings, workspaces, per_cluster) = tokio::join!(bindings, workspaces, per_cluster);
        match (bindings, workspaces?) {
            (Some(bindings), _) => admin_wide(upstream, user, bindings, per_cluster).await,
            (None, Some(workspaces)) => per_workspace(upstream, user, workspaces.into_items()).await,
            // The admin-wide list was refused after all: ask for the workspaces now.
            (None, None) => {
                let workspaces =
                    upstream.call(|api| async move { api.list_workspaces(&[("limit", "-1")]).await }).await?;
                per_workspace(upstream, user, workspaces.into_items()).await
            }
        }
    }

    /// The person's role bindings on each cluster (none where they cannot be read).
    async fn cluster_bindings(
        upstream: &Upstream,
        user: &UserName,
        clusters: Vec<ClusterName>,
    ) -> Vec<(ClusterName, Vec<ks_client::model::Object>)> {
        bounded_join(clusters.into_iter().map(|cluster| async move {
            let c = &cluster;
            let bindings =
                upstream.call_quiet(|api| async move { api.role_bindings_of(c, user).await }).await.unwrap_or_default();
            (cluster, bindings)
        }))
        .await
    }

    async fn admin_wide(
        upstream: &Upstream,
        user: &UserName,
        bindings: Vec<ks_client::model::Object>,
        per_cluster: Option<Vec<(ClusterName, Vec<ks_client::model::Object>)>>,
    ) -> Result<Memberships, AppError> {
        let mut by_ws: BTreeMap<String, WorkspaceMembership> = BTreeMap::new();
        for b in &bindings {
            if let (Some(ws), Some(role)) = (b.label(LABEL_WORKSPACE), b.role_ref()) {
                by_ws.insert(
                    ws.to_owned(),
                    WorkspaceMembership { workspace: ws.to_owned(), role: Some(role.to_owned()), projects: Vec::new() },
                );
            }
        }
        let per_cluster = match per_cluster {
            Some(found) => found,
            None => cluster_bindings(upstream, user, crate::directory::ssr::clusters(upstream).await?).await,
        };
        // Per cluster, only the namespaces the bindings name (for their workspace label); a
        // cluster where the person has none costs nothing more.
        let per_cluster = bounded_join(per_cluster.into_iter().map(|(cluster, bindings)| async move {
            let c = &cluster;
            let mut names: Vec<&str> = bindings.iter().filter_map(|b| b.namespace()).collect();
            names.sort_unstable();
            names.dedup();
            let namespaces = if names.is_empty() {
                Vec::new()
            } else {
                let names = &names;
                upstream.call_quiet(|api| async move { api.namespaces_named(c, names).await }).await.unwrap_or_default()
            };
            (cluster, bindings, namespaces)
        }))
        .await;
        for (cluster, bindings, namespaces) in per_cluster {
            for b in bindings {
                let (Some(ns), Some(role)) = (b.namespace(), b.role_ref()) else { continue };
                let ws = namespaces
                    .iter()
                    .find(|n| n.metadata.name == ns)
                    .and_then(|n| n.label(LABEL_WORKSPACE))
                    .unwrap_or("(no workspace)")
                    .to_owned();
                by_ws
                    .entry(ws.clone())
                    .or_insert_with(|| WorkspaceMembership { workspace: ws, role: None, projects: Vec::new() })
                    .projects
                    .push(ProjectMembership {
                        project: ns.to_owned(),
                        cluster: cluster.to_string(),
                        role: role.to_owned(),
                    });
            }
        }
        Ok(Memberships { workspaces: finish(by_ws), partial: None })
    }

    /// Projects checked at most per person's page on the per-workspace path.
    pub const MAX_PROJECTS_CHECKED: usize = 100;

    /// Without the admin-wide lists (a team lead, not a platform admin): three concurrent
    /// rounds, 1 + W + P calls. (1) the workspaces the signed-in user can see; (2) per
    /// workspace, the person's membership and the workspace's projects on each of its clusters;
    /// (3) the person's membership in each project whose members the signed-in user may read
    /// (a workspace admin may read them all), at most [`MAX_PROJECTS_CHECKED`].
    async fn per_workspace(
        upstream: &Upstream,
        user: &UserName,
        templates: Vec<WorkspaceTemplate>,
    ) -> Result<Memberships, AppError> {
        let workspaces: Vec<(WorkspaceName, Vec<ClusterName>)> = templates
            .iter()
            .filter_map(|w| {
                let ws = WorkspaceName::parse(&w.metadata.name).ok()?;
                Some((ws, w.cluster_names().iter().filter_map(|c| ClusterName::parse(c).ok()).collect()))
            })
            .collect();
        let found = bounded_join(workspaces.into_iter().map(|(ws, clusters)| async move {
            let w = &ws;
            let role = async {
                let members = upstream
                    .call_quiet(|api| async move {
                        api.list_workspace_members(w, &[("name", user.as_str()), ("limit", "-1")]).await
                    })
                    .await;
                members
                    .map(|l| l.into_items())
                    .unwrap_or_default()
                    .into_iter()
                    .find(|m| m.metadata.name == user.as_str())
                    .and_then(|m| m.annotation(ANNOTATION_WORKSPACE_ROLE).map(str::to_owned))
            };
            let projects = bounded_join(clusters.into_iter().map(|cluster| async move {
                let c = &cluster;
                let found =
                    upstream.call_quiet(|api| async move { api.list_projects(c, w).await }).await.unwrap_or_default();
                found
                    .into_iter()
                    .filter_map(|ns| ProjectName::parse(&ns.metadata.name).ok())
                    .map(|p| (cluster.clone(), p))
                    .collect::<Vec<_>>()
            }));
            let (role, projects) = tokio::join!(role, projects);
            (ws.clone(), role, projects.into_iter().flatten().collect::<Vec<_>>())
        }))
        .await;
        let mut by_ws: BTreeMap<String, WorkspaceMembership> = BTreeMap::new();
        let mut to_check: Vec<(String, ClusterName, ProjectName)> = Vec::new();
        for (ws, role, projects) in found {
            if let Some(role) = role {
                by_ws.insert(
                    ws.to_string(),
                    WorkspaceMembership { workspace: ws.to_string(), role: Some(role), projects: Vec::new() },
                );
            }
            to_check.extend(projects.into_iter().map(|(c, p)| (ws.to_string(), c, p)));
        }
        to_check.sort_by(|a, b| (&a.0, &a.2).cmp(&(&b.0, &b.2)));
        let left_out = to_check.len().saturating_sub(MAX_PROJECTS_CHECKED);
        to_check.truncate(MAX_PROJECTS_CHECKED);
        let project_roles = bounded_join(to_check.into_iter().map(|(ws, cluster, project)| async move {
            let (c, p) = (&cluster, &project);
            let members = upstream
                .call_quiet(|api| async move {
                    api.list_project_members(c, p, &[("name", user.as_str()), ("limit", "-1")]).await
                })
                .await?;
            let role = members
                .into_items()
                .into_iter()
                .find(|m| m.metadata.name == user.as_str())
                .and_then(|m| m.annotation(ANNOTATION_PROJECT_ROLE).map(str::to_owned))?;
            Some((ws, ProjectMembership { project: project.to_string(), cluster: cluster.to_string(), role }))
        }))
        .await;
        for (ws, membership) in project_roles.into_iter().flatten() {
            by_ws
                .entry(ws.clone())
                .or_insert_with(|| WorkspaceMembership { workspace: ws, role: None, projects: Vec::new() })
                .projects
                .push(membership);
        }
        let mut partial = String::from(
            "You see only the workspaces you belong to, and projects only where you may read their members, so this list may be incomplete.",
        );
        if left_out > 0 {
            partial.push_str(&format!(
                " {left_out} more projects were not checked: a page looks at {MAX_PROJECTS_CHECKED} at most."
            ));
        }
        Ok(Memberships { workspaces: finish(by_ws), partial: Some(partial) })
    }

    fn finish(by_ws: BTreeMap<String, WorkspaceMembership>) -> Vec<WorkspaceMembership> {
        by_ws
            .into_values()
            .map(|mut w| {
                w.projects.sort_by(|a, b| (&a.project, &a.cluster).cmp(&(&b.project, &b.cluster)));
                w
            })
            .collect()
    }
}
