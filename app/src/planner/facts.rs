//! Phase 2: what KubeSphere holds that the wishes touch, as the caller may see it, in at most
//! three rounds of batched reads whose number grows with the places named, never with the rows:
//! (1) the people, the caller's own permissions, and per workspace its placement, built-in roles,
//! members and whether the caller may manage them; (2) per workspace and cluster of its
//! placement, its projects — found through the workspace, never through the caller's global
//! namespace list, which shows a team lead only projects where they hold a binding
//! (`shared/kubesphere-api.md` §11); (3) per project, its roles and members.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};

use ks_client::model::{ANNOTATION_PROJECT_ROLE, ANNOTATION_WORKSPACE_ROLE};
use ks_client::{Cause, KsError};
use ks_types::{BuiltinWorkspaceRoles, ClusterName, ProjectName, UserName, WorkspaceName};

use super::wishes::{Checked, Membership};
use crate::directory::ssr::bounded_join;
use crate::error::AppError;
use crate::upstream::Upstream;

/// `iam.kubesphere.io/identity-provider.<provider>: <identity>` (§12.3).
const IDENTITY_LINK_PREFIX: &str = "iam.kubesphere.io/identity-provider.";

/// Usernames asked for in one `users?names=` read.
const NAMES_PER_READ: usize = 50;

/// An account KubeSphere has (or that this plan's apply made, which its cache may not list yet).
#[derive(Debug, Clone, Default)]
pub struct Account {
    /// `None`: none, or not listed yet.
    pub platform_role: Option<String>,
}

#[derive(Debug, Clone)]
pub enum WorkspaceFacts {
    Missing,
    Found {
        clusters: Vec<ClusterName>,
        roles: BuiltinWorkspaceRoles,
        /// Member → role name; `None` when the caller may not read them.
        members: Option<HashMap<String, String>>,
        may_manage: bool,
        /// Just created, and KubeSphere's controllers have not made its roles yet.
        setting_up: bool,
    },
}

/// Why a cluster's projects could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterTrouble {
    Unknown,
    NotReady,
}

#[derive(Debug, Clone)]
pub struct ProjectFacts {
    pub roles: BTreeSet<String>,
    pub members: HashMap<String, String>,
    pub may_manage: bool,
    /// Whether the caller may read its members.
    pub members_readable: bool,
    /// Just created, and KubeSphere's controllers have not made its roles yet.
    pub setting_up: bool,
}

/// Everything the verdicts are decided from.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Whether the caller may create accounts and change platform roles.
    pub manages_accounts: bool,
    pub users: HashMap<String, Account>,
    /// Existing accounts by e-mail, lower-cased (read only when a wish gives an e-mail).
    pub emails: HashMap<String, String>,
    /// Existing accounts by the identity (provider, identity) they are linked to (read with the
    /// e-mails, when a wish links a new account).
    pub links: HashMap<(String, String), String>,
    /// KubeSphere's identity providers by name, when a wish links a new account and KubeSphere
    /// said (`None`: nothing is refused for it).
    pub providers: Option<BTreeSet<String>>,
    pub workspaces: HashMap<WorkspaceName, WorkspaceFacts>,
    /// Per workspace and cluster: the workspace's projects there, or why they are unknown.
    pub listings: HashMap<(WorkspaceName, ClusterName), Result<BTreeSet<ProjectName>, ClusterTrouble>>,
    pub projects: HashMap<(ClusterName, ProjectName), ProjectFacts>,
    /// Upstream reads and sequential rounds it took (for the dry run and the benchmark).
    pub reads: usize,
    pub rounds: usize,
}

/// What the caller learned from KubeSphere a moment ago, so the plan need not ask again.
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// Accounts that exist whatever the users list says (made by this plan's apply a moment
    /// ago: KubeSphere's lists come from caches that may lag).
    pub accounts: BTreeSet<String>,
    /// Projects known to be in a workspace, on a cluster (read from KubeSphere for the same
    /// page): a wish naming one needs no listing of the workspace's projects, and its project's
    /// facts are read in the first round.
    pub places: BTreeSet<(WorkspaceName, ClusterName, ProjectName)>,
}

/// Reads the facts for `checked`, skipping what `known` tells.
pub async fn load(upstream: &Upstream, checked: &Checked, known: &Known) -> Result<Facts, AppError> {
    let reads = AtomicUsize::new(0);
    let wished: Vec<&Membership> =
        checked.wishes.iter().filter_map(|(_, w)| w.as_ref().ok()?.membership.as_ref()).collect();
    let workspaces: BTreeSet<WorkspaceName> = wished.iter().map(|m| m.workspace().clone()).collect();
    // Wished projects whose workspace is known: read with the workspaces, not after them.
    let placed: BTreeSet<(WorkspaceName, ClusterName, ProjectName)> =
        wished.iter().filter_map(|m| m.placed()).filter(|place| known.places.contains(place)).collect();
    let unplaced: Vec<&Membership> =
        wished.iter().copied().filter(|m| m.placed().is_none_or(|place| !placed.contains(&place))).collect();
    let with_link = checked.wishes.iter().any(|(_, w)| w.as_ref().is_ok_and(|w| w.link.is_some()));
    let with_email = with_link || checked.wishes.iter().any(|(_, w)| w.as_ref().is_ok_and(|w| w.email.is_some()));

    // Round 1.
    let (users, permissions, workspace_facts, placed_facts) = tokio::join!(
        read_users(upstream, &reads, checked.people.keys(), with_email),
        crate::permissions::ssr::load(),
        bounded_join(workspaces.into_iter().map(|ws| workspace(upstream, &reads, ws))),
        bounded_join(placed.clone().into_iter().map(|(ws, c, p)| project(upstream, &reads, ws, c, p, false))),
    );
    let (mut users, emails, links) = users?;
    let providers = if with_link { sign_in_providers().await } else { None };
    for account in &known.accounts {
        users.entry(account.clone()).or_default();
    }
    let mut facts = Facts {
        manages_accounts: permissions?.manage_users,
        users,
        emails,
        links,
        providers,
        workspaces: workspace_facts.into_iter().collect::<Result<_, _>>()?,
        projects: placed_facts.into_iter().collect::<Result<_, _>>()?,
        rounds: 1,
        ..Facts::default()
    };
    for (ws, cluster, project) in &placed {
        // A workspace role counts inside the workspace's projects (KubeSphere's RBAC walks up).
        let workspace_may = matches!(facts.workspaces.get(ws), Some(WorkspaceFacts::Found { may_manage: true, .. }));
        if let Some(found) = facts.projects.get_mut(&(cluster.clone(), project.clone())) {
            found.may_manage |= workspace_may && found.members_readable;
        }
        if let Ok(listed) = facts.listings.entry((ws.clone(), cluster.clone())).or_insert_with(|| Ok(BTreeSet::new())) {
            listed.insert(project.clone());
        }
    }

    // Round 2: the projects of each workspace a wish names one in, on the clusters it needs.
    let needed = clusters_to_list(&facts, &unplaced);
    if !needed.is_empty() {
        facts.rounds += 1;
        let listed =
            bounded_join(needed.into_iter().map(|(ws, cluster)| projects_of(upstream, &reads, ws, cluster))).await;
        // A full listing replaces what was known of the same workspace and cluster.
        for (pair, listing) in listed.into_iter().collect::<Result<Vec<_>, _>>()? {
            facts.listings.insert(pair, listing);
        }
    }

    // Round 3: each wished project that exists (and was not read in round 1).
    let found: BTreeSet<(WorkspaceName, ClusterName, ProjectName)> = unplaced
        .iter()
        .filter_map(|m| match m {
            Membership::Project { workspace, cluster, project, .. } => Some((workspace, cluster, project)),
            Membership::Workspace { .. } => None,
        })
        .flat_map(|(ws, cluster, project)| {
            facts
                .listings
                .iter()
                .filter(|((w, c), listed)| {
                    w == ws
                        && cluster.as_ref().is_none_or(|want| want == c)
                        && listed.as_ref().is_ok_and(|p| p.contains(project))
                })
                .map(|((w, c), _)| (w.clone(), c.clone(), project.clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    if !found.is_empty() {
        facts.rounds += 1;
        let workspace_may = |ws: &WorkspaceName| {
            matches!(facts.workspaces.get(ws), Some(WorkspaceFacts::Found { may_manage: true, .. }))
        };
        let reads_of = found.into_iter().map(|(ws, c, p)| {
            let via_workspace = workspace_may(&ws);
            project(upstream, &reads, ws, c, p, via_workspace)
        });
        for (key, read) in bounded_join(reads_of).await.into_iter().collect::<Result<Vec<_>, _>>()? {
            facts.projects.insert(key, read);
        }
    }
    facts.reads = reads.load(Ordering::Relaxed);
    Ok(facts)
}

/// Everyone named, from one full list when e-mails must be compared (KubeSphere's selector
/// compares an e-mail whole, one address a call), otherwise by names, 50 a read.
/// The identity providers KubeSphere has loaded (its public list, kept briefly).
async fn sign_in_providers() -> Option<BTreeSet<String>> {
    let state = leptos::prelude::use_context::<crate::upstream::AppState>()?;
    let known = state.sign_in.known(&state.ks).await;
    known.provider_names().map(|names| names.into_iter().collect())
}

/// Existing accounts, their e-mails and identity links. All users are read when `with_email`
/// (an e-mail or a link must be unique among all of them), else only the wished people.
#[allow(clippy::type_complexity)]
async fn read_users<'a>(
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
fn refused_or_fail<T>(answer: Result<T, KsError>) -> Result<Option<T>, AppError> {
    match answer {
        Ok(v) => Ok(Some(v)),
        Err(KsError::Forbidden { .. }) => Ok(None),
        Err(e) => Err(crate::upstream::fail_with(AppError::from(&e))),
    }
}

async fn workspace(
    upstream: &Upstream,
    reads: &AtomicUsize,
    ws: WorkspaceName,
) -> Result<(WorkspaceName, WorkspaceFacts), AppError> {
    let w = &ws;
    reads.fetch_add(3, Ordering::Relaxed);
    let scope = [("scope", "workspace"), ("workspace", w.as_str())];
    let (clusters, roles, members, may) = tokio::join!(
        upstream.read(|api| async move { api.workspace_clusters(w).await }),
        upstream.read(|api| async move { api.builtin_workspace_roles(w).await }),
        upstream
            .read(|api| async move { api.list_workspace_members(w, &ks_client::ListOptions::new().unpaged()).await }),
        crate::permissions::ssr::may_at_once(None, &scope, "members", "manage"),
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
        may_manage: may? && members.is_some(),
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
/// to [`SETUP_WAIT`].
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
async fn settled<T, F, Fut>(
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
fn clusters_to_list(facts: &Facts, wished: &[&Membership]) -> BTreeSet<(WorkspaceName, ClusterName)> {
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

type Listing = ((WorkspaceName, ClusterName), Result<BTreeSet<ProjectName>, ClusterTrouble>);

async fn projects_of(
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

async fn project(
    upstream: &Upstream,
    reads: &AtomicUsize,
    ws: WorkspaceName,
    cluster: ClusterName,
    ns: ProjectName,
    via_workspace: bool,
) -> Result<((ClusterName, ProjectName), ProjectFacts), AppError> {
    let (w, c, n) = (&ws, &cluster, &ns);
    reads.fetch_add(2, Ordering::Relaxed);
    let scope = [("scope", "namespace"), ("namespace", n.as_str())];
    let may = async {
        // A workspace role counts inside the workspace's projects (KubeSphere's RBAC walks up).
        if via_workspace {
            Ok(true)
        } else {
            crate::permissions::ssr::may_at_once(Some(c), &scope, "members", "manage").await
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

impl Facts {
    /// Whether `user` is (or, by an earlier wish of this plan, will be) in `ws`.
    pub fn workspace_role_of(&self, ws: &WorkspaceName, user: &UserName) -> Option<&String> {
        match self.workspaces.get(ws)? {
            WorkspaceFacts::Found { members: Some(members), .. } => members.get(user.as_str()),
            _ => None,
        }
    }

    /// The people each workspace gets from this plan's workspace wishes.
    pub fn joining(checked: &Checked) -> BTreeMap<WorkspaceName, BTreeSet<UserName>> {
        let mut out: BTreeMap<WorkspaceName, BTreeSet<UserName>> = BTreeMap::new();
        for (_, wish) in &checked.wishes {
            if let Ok(w) = wish {
                if let Some(Membership::Workspace { workspace, .. }) = &w.membership {
                    out.entry(workspace.clone()).or_default().insert(w.user.clone());
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_setup_backoff_doubles_and_adds_up_to_the_wait() {
        let waits: Vec<u128> = super::setup_backoff().map(|d| d.as_millis()).collect();
        assert_eq!(waits, [100, 200, 400, 800, 1500]);
    }
}
