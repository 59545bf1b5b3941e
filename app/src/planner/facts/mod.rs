//! Phase 2: what KubeSphere holds that the wishes touch, as the caller may see it, in at most
//! three rounds of batched reads whose number grows with the places named, never with the rows:
//! (1) the people, the caller's own permissions, and per workspace its placement, built-in roles,
//! members and whether the caller may manage them; (2) per workspace and cluster of its
//! placement, its projects — found through the workspace, never through the caller's global
//! namespace list, which shows a team lead only projects where they hold a binding
//! (`shared/kubesphere-api.md` §11); (3) per project, its roles and members.

mod reads;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};

use ks_types::{BuiltinWorkspaceRoles, ClusterName, ProjectName, UserName, WorkspaceName};

use super::wishes::{Checked, Membership};
use crate::directory::ssr::bounded_join;
use crate::error::AppError;
use crate::upstream::Upstream;
use reads::{clusters_to_list, project, projects_of, read_users, sign_in_providers, workspace};
pub use reads::{setup_backoff, SETUP_WINDOW};

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
        crate::permissions::ssr::load(upstream),
        bounded_join(workspaces.into_iter().map(|ws| workspace(upstream, &reads, ws))),
        bounded_join(placed.clone().into_iter().map(|(ws, c, p)| project(upstream, &reads, ws, c, p, false))),
    );
    let (mut users, emails, links) = users?;
    let providers = if with_link { sign_in_providers(upstream).await } else { None };
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
