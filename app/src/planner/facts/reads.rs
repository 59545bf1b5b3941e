//! The reads behind the facts: accounts, workspaces, their projects, each project's roles and
//! members, with the wait for what KubeSphere is still setting up.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};

use ks_client::model::{ANNOTATION_PROJECT_ROLE, ANNOTATION_WORKSPACE_ROLE};
use ks_client::{Cause, KsError};
use ks_types::{BuiltinWorkspaceRoles, ClusterName, ProjectName, UserName, WorkspaceName};

use super::*;
use crate::error::AppError;
use crate::permissions::ssr::{may_at_once, Answer, Permission, Scope};
use crate::upstream::Upstream;

/// The identity providers KubeSphere has loaded (its public list, kept briefly).
pub(super) async fn sign_in_providers(upstream: &Upstream) -> Option<BTreeSet<String>> {
    let state = upstream.state();
    let known = state.sign_in.known(&state.ks).await;
    known.provider_names().map(|names| names.into_iter().collect())
}

/// Everyone named, from one full list when e-mails must be compared (KubeSphere's selector
/// compares an e-mail whole, one address a call), otherwise by names, 50 a read.
/// Existing accounts, their e-mails and identity links. All users are read when `with_email`
/// (an e-mail or a link must be unique among all of them), else only the wished people.
#[allow(clippy::type_complexity)]
pub(super) async fn read_users<'a>(
    upstream: &Upstream,
    reads: &AtomicUsize,
    people: impl Iterator<Item = &'a UserName>,
    with_email: bool,
) -> Result<(HashMap<String, Account>, HashMap<String, String>, HashMap<(String, String), String>), AppError> {
    let names: Vec<String> = people.map(ToString::to_string).collect();
    let lists: Vec<ks_client::ListOptions> = if with_email {
        vec![ks_client::ListOptions::new().unpaged()]
    } else {
        names.chunks(NAMES_PER_READ).map(|chunk| ks_client::ListOptions::new().names(chunk).unpaged()).collect()
    };
    let found = bounded_join(lists.into_iter().map(|list| async move {
        reads.fetch_add(1, Ordering::Relaxed);
        let list = &list;
        upstream.call(|api| async move { api.list_users(list).await }).await
    }))
    .await;
    let (mut users, mut emails, mut links) = (HashMap::new(), HashMap::new(), HashMap::new());
    for list in found {
        for u in list?.into_items() {
            if !u.spec.email.is_empty() {
                emails.insert(u.spec.email.to_lowercase(), u.metadata.name.clone());
            }
            for (key, identity) in &u.metadata.annotations {
                if let Some(provider) = key.strip_prefix(IDENTITY_LINK_PREFIX).filter(|_| !identity.is_empty()) {
                    links.insert((provider.to_owned(), identity.clone()), u.metadata.name.clone());
                }
            }
            users.insert(u.metadata.name.clone(), Account { platform_role: u.global_role().map(str::to_owned) });
        }
    }
    Ok((users, emails, links))
}

/// A refusal that answers the question (403: the caller may not read it) or a failure of the
/// whole plan (KubeSphere unreachable).
pub(super) fn refused_or_fail<T>(answer: Result<T, KsError>) -> Result<Option<T>, AppError> {
    match answer {
        Ok(v) => Ok(Some(v)),
        Err(KsError::Forbidden { .. }) => Ok(None),
        Err(e) => Err(crate::upstream::fail_with(AppError::from(&e))),
    }
}

pub(super) async fn workspace(
    upstream: &Upstream,
    reads: &AtomicUsize,
    ws: WorkspaceName,
) -> Result<(WorkspaceName, WorkspaceFacts), AppError> {
    let w = &ws;
    reads.fetch_add(3, Ordering::Relaxed);
    let (clusters, roles, members, may) = tokio::join!(
        upstream.read(|api| async move { api.workspace_clusters(w).await }),
        upstream.read(|api| async move { api.builtin_workspace_roles(w).await }),
        upstream
            .read(|api| async move { api.list_workspace_members(w, &ks_client::ListOptions::new().unpaged()).await }),
        may_at_once(upstream, Scope::Workspace(w), Permission::ManageMembers),
    );
    let clusters = match clusters {
        Err(KsError::NotFound { .. }) => return Ok((ws, WorkspaceFacts::Missing)),
        other => refused_or_fail(other)?.unwrap_or_default(),
    };
    let members = refused_or_fail(members)?.map(|list| {
        list.into_items()
            .into_iter()
            .filter_map(|m| Some((m.metadata.name.clone(), m.annotation(ANNOTATION_WORKSPACE_ROLE)?.to_owned())))
            .collect()
    });
    let mut roles = refused_or_fail(roles)?.unwrap_or_default();
    let mut setting_up = false;
    if roles.is_empty() {
        let young = async { upstream.read(|api| async move { api.get_workspace(w).await }).await.ok()?.metadata.age() };
        let read = || async { upstream.read(|api| async move { api.builtin_workspace_roles(w).await }).await.ok() };
        (roles, setting_up) = settled(young.await, read, |r: &BuiltinWorkspaceRoles| !r.is_empty(), roles).await;
    }
    let facts = WorkspaceFacts::Found {
        clusters: clusters.iter().filter_map(|c| ClusterName::parse(&c.metadata.name).ok()).collect(),
        roles,
        may_manage: may?.may_try() && members.is_some(),
        members,
        setting_up,
    };
    Ok((ws, facts))
}

/// How long an invitation waits for KubeSphere's controllers to make a new workspace's or
/// project's built-in roles (they appear shortly after the create call returns).
pub const SETUP_WAIT: std::time::Duration = std::time::Duration::from_secs(3);
/// A workspace younger than this may still be being set up by KubeSphere.
pub const SETUP_WINDOW: std::time::Duration = std::time::Duration::from_secs(300);

/// Waits before each retry: 100 ms, 200 ms, 400 ms, … the last one cut so that they add up
/// to `SETUP_WAIT`.
pub fn setup_backoff() -> impl Iterator<Item = std::time::Duration> {
    let mut left = SETUP_WAIT;
    std::iter::successors(Some(std::time::Duration::from_millis(100)), |d| Some(*d * 2)).map_while(move |d| {
        let wait = d.min(left);
        left -= wait;
        (!wait.is_zero()).then_some(wait)
    })
}

/// KubeSphere's controllers make a new workspace's or project's built-in roles a moment after
/// the create call returns. When none are there and the owner is young (`age`), they are read
/// again, backing off, for a few seconds; the answer says whether they are still missing then.
pub(super) async fn settled<T, F, Fut>(
    age: Option<std::time::Duration>,
    mut read: F,
    found: impl Fn(&T) -> bool,
    first: T,
) -> (T, bool)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    if age.is_none_or(|age| age >= SETUP_WINDOW) {
        return (first, false);
    }
    for delay in setup_backoff() {
        tokio::time::sleep(delay).await;
        if let Some(now) = read().await.filter(|r| found(r)) {
            return (now, false);
        }
    }
    (first, true)
}

/// The (workspace, cluster) pairs whose projects the wishes need: the cluster a wish names, or
/// every cluster of the workspace's placement when it names none.
pub(super) fn clusters_to_list(facts: &Facts, wished: &[&Membership]) -> BTreeSet<(WorkspaceName, ClusterName)> {
    let mut out = BTreeSet::new();
    for m in wished {
        let Membership::Project { workspace, cluster, .. } = m else { continue };
        let Some(WorkspaceFacts::Found { clusters, .. }) = facts.workspaces.get(workspace) else { continue };
        out.extend(
            clusters
                .iter()
                .filter(|c| cluster.as_ref().is_none_or(|want| want == *c))
                .map(|c| (workspace.clone(), c.clone())),
        );
    }
    out
}

pub(super) type Listing = ((WorkspaceName, ClusterName), Result<BTreeSet<ProjectName>, ClusterTrouble>);

pub(super) async fn projects_of(
    upstream: &Upstream,
    reads: &AtomicUsize,
    ws: WorkspaceName,
    cluster: ClusterName,
) -> Result<Listing, AppError> {
    reads.fetch_add(1, Ordering::Relaxed);
    let (w, c) = (&ws, &cluster);
    let listed = match upstream.read(|api| async move { api.list_projects(c, w).await }).await {
        Ok(found) => Ok(found.iter().filter_map(|n| ProjectName::parse(&n.metadata.name).ok()).collect()),
        Err(e) if e.cause() == Cause::ClusterNotReady => Err(ClusterTrouble::NotReady),
        Err(e) if e.cause() == Cause::UnknownCluster => Err(ClusterTrouble::Unknown),
        Err(KsError::Forbidden { .. }) => Ok(BTreeSet::new()),
        Err(e) => return Err(crate::upstream::fail_with(AppError::from(&e))),
    };
    Ok(((ws, cluster), listed))
}

pub(super) async fn project(
    upstream: &Upstream,
    reads: &AtomicUsize,
    ws: WorkspaceName,
    cluster: ClusterName,
    ns: ProjectName,
    via_workspace: bool,
) -> Result<((ClusterName, ProjectName), ProjectFacts), AppError> {
    let (w, c, n) = (&ws, &cluster, &ns);
    reads.fetch_add(2, Ordering::Relaxed);
    let may = async {
        // A workspace role counts inside the workspace's projects (KubeSphere's RBAC walks up).
        if via_workspace {
            Ok(true)
        } else {
            may_at_once(upstream, Scope::Project(c, n), Permission::ManageMembers).await.map(Answer::may_try)
        }
    };
    let (roles, members, may) = tokio::join!(
        upstream.read(|api| async move { api.list_project_roles(c, n).await }),
        upstream
            .read(|api| async move { api.list_project_members(c, n, &ks_client::ListOptions::new().unpaged()).await }),
        may,
    );
    let members: Option<HashMap<String, String>> = refused_or_fail(members)?.map(|list| {
        list.into_items()
            .into_iter()
            .filter_map(|m| Some((m.metadata.name.clone(), m.annotation(ANNOTATION_PROJECT_ROLE)?.to_owned())))
            .collect()
    });
    let names = |roles: Vec<ks_client::model::Object>| -> BTreeSet<String> {
        roles.into_iter().map(|r| r.metadata.name).collect()
    };
    let mut roles = names(refused_or_fail(roles)?.unwrap_or_default());
    let mut setting_up = false;
    if roles.is_empty() {
        let young =
            async { upstream.read(|api| async move { api.get_project(c, w, n).await }).await.ok()?.metadata.age() };
        let read =
            || async { upstream.read(|api| async move { api.list_project_roles(c, n).await }).await.ok().map(names) };
        (roles, setting_up) = settled(young.await, read, |r: &BTreeSet<String>| !r.is_empty(), roles).await;
    }
    let facts = ProjectFacts {
        roles,
        may_manage: may? && members.is_some(),
        members_readable: members.is_some(),
        members: members.unwrap_or_default(),
        setting_up,
    };
    Ok(((cluster, ns), facts))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_setup_backoff_doubles_and_adds_up_to_the_wait() {
        let waits: Vec<u128> = super::setup_backoff().map(|d| d.as_millis()).collect();
        assert_eq!(waits, [100, 200, 400, 800, 1500]);
    }
}
