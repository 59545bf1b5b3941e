use std::collections::BTreeMap;

use ks_client::model::{ANNOTATION_WORKSPACE_ROLE, LABEL_WORKSPACE};
use ks_types::{ClusterName, UserName, WorkspaceName};

use ks_client::model::{ListResult, WorkspaceTemplate, ANNOTATION_PROJECT_ROLE};
use ks_types::ProjectName;

use super::{Member, MemberPage, Memberships, ProjectMembership, WorkspaceMembership, MEMBERS_PAGE_SIZE};
use crate::directory::ssr::bounded_join;
use crate::error::AppError;
use crate::i18n::td_string;
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
    let params = &ks_client::ListOptions::new().page(MEMBERS_PAGE_SIZE, page).sort(ks_client::SortBy::Name, true);
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
    let names = stubs.iter().map(|m| m.metadata.name.as_str()).collect::<Vec<_>>();
    let people = if names.is_empty() {
        Vec::new()
    } else {
        let names = &names;
        upstream
            .call_quiet(
                |api| async move { api.list_users(&ks_client::ListOptions::new().names(names).unpaged()).await },
            )
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

pub async fn memberships(upstream: &Upstream, user: &UserName) -> Result<Memberships, AppError> {
    // One round for everything either path may need: the admin-wide workspace bindings, the
    // workspace list, and — when the signed-in person manages every workspace, so the
    // admin-wide lists will be readable — the person's bindings on every cluster. With the
    // permissions and clusters in the session cache, an admin's page then needs one more
    // round (the namespaces those bindings name); the first page of a session, two.
    let bindings = upstream.call_quiet(|api| async move { api.workspace_role_bindings_of(user).await });
    // Someone the session cache already knows to manage every workspace needs no list of
    // them (it is the biggest answer of the page).
    let known_admin = crate::permissions::ssr::cached(upstream).is_some_and(|p| p.manage_workspaces);
    let workspaces = async {
        if known_admin {
            return Ok(None);
        }
        upstream
            .call(|api| async move { api.list_workspaces(&ks_client::ListOptions::new().unpaged()).await })
            .await
            .map(Some)
    };
    let per_cluster = async {
        let (perms, clusters) =
            tokio::join!(crate::permissions::ssr::load(upstream), crate::directory::ssr::clusters(upstream));
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
            let workspaces = upstream
                .call(|api| async move { api.list_workspaces(&ks_client::ListOptions::new().unpaged()).await })
                .await?;
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
    let locale = crate::language::locale();
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
                .unwrap_or(td_string!(locale, memberships.no_workspace_label))
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
                    api.list_workspace_members(w, &ks_client::ListOptions::new().name(user.as_str()).unpaged()).await
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
                api.list_project_members(c, p, &ks_client::ListOptions::new().name(user.as_str()).unpaged()).await
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
    let locale = crate::language::locale();
    let mut partial = String::from(td_string!(locale, memberships.partial));
    if left_out > 0 {
        let more = td_string!(locale, memberships.partial_left_out, left = left_out, max = MAX_PROJECTS_CHECKED);
        partial.push_str(&more.to_string());
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

pub const MAX_INVITEES: usize = 100;

/// `a, b c` → the usernames, each parsed, without duplicates, in the order given; at most
/// [`MAX_INVITEES`] different ones.
pub fn parse_usernames(raw: &str) -> Result<Vec<UserName>, AppError> {
    let locale = crate::language::locale();
    let mut seen = std::collections::HashSet::new();
    let mut users: Vec<UserName> = Vec::new();
    for part in raw.split([',', ' ', '\n', '\r', '\t', ';']).filter(|p| !p.is_empty()) {
        let user = UserName::parse(part).map_err(|e| {
            let reason = crate::error::name_error(&e);
            AppError::field(
                "usernames",
                td_string!(locale, memberships.username_invalid, name = part, reason).to_string(),
            )
        })?;
        if seen.insert(user.clone()) {
            if users.len() == MAX_INVITEES {
                return Err(AppError::field(
                    "usernames",
                    td_string!(locale, memberships.too_many_invitees, max = MAX_INVITEES).to_string(),
                ));
            }
            users.push(user);
        }
    }
    if users.is_empty() {
        return Err(AppError::field("usernames", td_string!(locale, memberships.none_chosen)));
    }
    Ok(users)
}

/// Invites `users` (existing people, not members yet) as the planner decides, in one request.
pub async fn invite(
    upstream: &Upstream,
    users: Vec<UserName>,
    membership: crate::planner::wishes::Membership,
    target: String,
) -> Result<super::MembershipChange, AppError> {
    use crate::planner::wishes::{Intent, Wish};
    let wishes = users
        .iter()
        .enumerate()
        .map(|(line, user)| Wish::asked(line, user.clone(), None, Some(membership.clone()), Intent::Join))
        .collect();
    let plan = crate::planner::form::plan(upstream, wishes, "usernames").await?;
    let change = super::MembershipChange::planned(target, &plan);
    crate::planner::form::send(upstream, plan).await?;
    Ok(change)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    #[test]
    fn invitations_name_at_most_a_hundred_people_and_repeats_count_once() {
        let hundred: Vec<String> = (0..100).map(|i| format!("u{i}")).collect();
        let twice = format!("{} {}", hundred.join(","), hundred.join(" "));
        assert_eq!(super::parse_usernames(&twice).unwrap().len(), 100);
        let over = format!("{} u100", hundred.join(","));
        assert!(super::parse_usernames(&over).unwrap_err().message().contains("at most 100"));
    }

    #[test]
    fn a_huge_invitation_is_refused_at_the_first_name_past_the_limit() {
        // 400k different names in a 2 MiB body used to be de-duplicated quadratically.
        let raw: String = (0..400_000).map(|i| format!("user-{i},")).collect();
        assert!(super::parse_usernames(&raw).unwrap_err().message().contains("at most 100"));
    }
}
